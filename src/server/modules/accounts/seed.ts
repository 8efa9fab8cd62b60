/**
 * First start: creates the admin (password from config, or generated and shown once) and,
 * on demo sites, a usable floor: a supervisor, three agents with extensions and a group.
 * Runs only on a database without users, under the migration's serialisation.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Db } from '../../db/database.js';
import type { GroupsService } from './groups-service.js';
import type { UsersService } from './users-service.js';
import { seedDemoUnits } from '../tickets/demo-seed.js';

export interface SeedResult {
  created: boolean;
  /** Plain credentials created now; printed once by the caller, never logged again. */
  credentials: { username: string; password: string; roles: string }[];
}

/** Readable one-time password: letters and digits, no look-alikes. */
export function generatePassword(length = 12): string {
  const letters = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
  const digits = '23456789';
  const all = letters + digits;
  const chars = [letters[randomInt(letters.length)], digits[randomInt(digits.length)]];
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  return chars.join('');
}

export async function seedFirstRun(
  db: Db,
  users: UsersService,
  groups: GroupsService,
  opts: { adminPassword?: string | undefined; demo: boolean; credentialsFile?: string | undefined },
): Promise<SeedResult> {
  const existing = await db.selectFrom('app_user').select('id').limit(1).executeTakeFirst();
  if (existing) return { created: false, credentials: [] };

  const credentials: SeedResult['credentials'] = [];
  const adminPassword = opts.adminPassword ?? generatePassword();
  await users.create({ username: 'admin', displayName: '系统管理员', password: adminPassword, roles: ['admin'], groupIds: [], extension: null }, null);
  credentials.push({ username: 'admin', password: opts.adminPassword ? '(HOTLINE_ADMIN_PASSWORD)' : adminPassword, roles: 'admin' });

  if (opts.demo) {
    const demoPassword = generatePassword();
    const supervisor = await users.create(
      { username: 'supervisor1', displayName: '王班长', password: demoPassword, roles: ['supervisor'], groupIds: [], extension: '1900' },
      null,
    );
    const group = await groups.upsert(null, { name: '综合受理一组', supervisorIds: [supervisor.id] }, null);
    const agents = [
      ['agent1', '李晓梅', '1001'],
      ['agent2', '张建国', '1002'],
      ['agent3', '陈静', '1003'],
    ] as const;
    for (const [username, displayName, extension] of agents) {
      await users.create({ username, displayName, password: demoPassword, roles: ['agent'], groupIds: [group.id], extension }, null);
    }
    // Two demo queues answered by the demo group (ACD): 12345 综合 and 12315 消费投诉.
    for (const [code, name, number] of [['12345', '12345 综合', '12345'], ['12315', '12315 消费投诉', '12315']] as const) {
      const q = await db.insertInto('acd_queue').values({ code, name }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('acd_queue_number').values({ number, queue_id: q.id }).execute();
      await db.insertInto('acd_queue_group').values({ queue_id: q.id, group_id: group.id }).execute();
    }
    // 承办单位: a unit user and the sample province's units and dispatch rules (tickets).
    const unitUser = await users.create({ username: 'unit1', displayName: '赵经办', password: demoPassword, roles: ['unit'], groupIds: [], extension: null }, null);
    await seedDemoUnits(db, unitUser.id);
    credentials.push({ username: 'supervisor1, agent1, agent2, agent3, unit1', password: demoPassword, roles: 'demo' });
  }

  if (opts.credentialsFile) {
    const dir = opts.credentialsFile.replace(/\/[^/]+$/, '');
    mkdirSync(dir, { recursive: true });
    const lines = credentials.map((c) => `${c.username}\t${c.password}`).join('\n');
    writeFileSync(opts.credentialsFile, `# First-run accounts. Change these passwords, then delete this file.\n${lines}\n`, { mode: 0o600 });
  }
  return { created: true, credentials };
}
