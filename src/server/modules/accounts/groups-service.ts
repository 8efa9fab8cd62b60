/** Agent groups (坐席组) and the supervisors (班长) who own them. */
import { sql } from 'kysely';
import type { Group } from '../../../shared/api/accounts.js';
import type { Db } from '../../db/database.js';
import { foreignKeyViolation, uniqueViolation } from '../../db/constraint-errors.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit-log.js';
import type { Principal } from './principal.js';

export interface GroupInput {
  name: string;
  supervisorIds: string[];
}

export class GroupsService {
  constructor(private readonly db: Db) {}

  private query(db: Db = this.db) {
    return db.selectFrom('agent_group as g').select([
      'g.id',
      'g.name',
      sql<string[] | null>`(select array_agg(s.user_id::text order by s.user_id) from group_supervisor s where s.group_id = g.id)`.as('supervisor_ids'),
      sql<number>`(select count(*)::int from group_member m where m.group_id = g.id)`.as('member_count'),
    ]);
  }

  async list(): Promise<Group[]> {
    const rows = await this.query().orderBy('g.name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, supervisorIds: r.supervisor_ids ?? [], memberCount: r.member_count }));
  }

  async get(id: string, db: Db = this.db): Promise<Group> {
    const r = await this.query(db).where('g.id', '=', id).executeTakeFirst();
    if (!r) throw new AppError('NOT_FOUND', 'No such group');
    return { id: r.id, name: r.name, supervisorIds: r.supervisor_ids ?? [], memberCount: r.member_count };
  }

  async upsert(id: string | null, input: GroupInput, actor: Principal | null, ip: string | null = null): Promise<Group> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        await this.assertSupervisors(tx, input.supervisorIds);
        let groupId = id;
        if (groupId) {
          const res = await tx.updateTable('agent_group').set({ name: input.name }).where('id', '=', groupId).executeTakeFirst();
          if (!res.numUpdatedRows) throw new AppError('NOT_FOUND', 'No such group');
          await tx.deleteFrom('group_supervisor').where('group_id', '=', groupId).execute();
        } else {
          groupId = (await tx.insertInto('agent_group').values({ name: input.name }).returning('id').executeTakeFirstOrThrow()).id;
        }
        const sup = [...new Set(input.supervisorIds)];
        if (sup.length) {
          await tx.insertInto('group_supervisor').values(sup.map((u) => ({ group_id: groupId, user_id: u }))).execute();
        }
        await recordAudit(tx, {
          actorId: actor?.userId ?? null, actorName: actor?.username ?? 'system', action: id ? 'group.updated' : 'group.created', ip,
          targetType: 'group', targetId: groupId, detail: { name: input.name, supervisorIds: sup },
        });
        return this.get(groupId, tx);
      });
    } catch (err) {
      if (uniqueViolation(err)) throw new AppError('CONFLICT', 'A group with this name exists');
      if (foreignKeyViolation(err)) throw new AppError('VALIDATION_FAILED', 'Unknown supervisor', { issues: [{ path: 'supervisorIds', message: 'Unknown user' }] });
      throw err;
    }
  }

  private async assertSupervisors(tx: Db, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const rows = await tx.selectFrom('app_user').select(['id', 'roles']).where('id', 'in', ids).execute();
    const bad = ids.filter((id) => !rows.find((r) => r.id === id && r.roles.includes('supervisor')));
    if (bad.length) {
      throw new AppError('VALIDATION_FAILED', 'Every group owner must be a user with the supervisor role', {
        issues: [{ path: 'supervisorIds', message: `Not a supervisor: ${bad.join(', ')}` }],
      });
    }
  }
}
