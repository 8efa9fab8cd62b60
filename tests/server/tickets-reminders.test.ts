/**
 * 临期/超期提醒 with a controllable clock: a ticket entering its warning window is reminded
 * once to its lead unit's members (or to the registering agent while no unit holds it), once
 * more when overdue, never again after a restart (a new instance on the same database), and
 * afresh when its deadline moves. Suspended and closed tickets are not reminded.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../src/shared/api/tickets.js';
import type { TicketNotice } from '../../src/shared/realtime.js';
import type { Role } from '../../src/shared/roles.js';
import { DeadlineReminders } from '../../src/server/modules/tickets/index.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

type Inject = ReturnType<TestApp['as']>;

describe('deadline reminders', () => {
  let t: TestApp;
  let agent: Inject;
  let sup: Inject;
  let agentId = '';
  const unitMembers: string[] = [];
  let unitAId = '';
  // Far from the real clock, so the app's own sweeper (stopped anyway) could never see these.
  const DUE = new Date('2031-03-14T15:59:59.999Z');
  let now = new Date(DUE.getTime() - 3 * 86_400_000);
  const pushes: { to: string[]; notice: TicketNotice }[] = [];
  const make = () => new DeadlineReminders(t.db, (to, notice) => pushes.push({ to: [...to].sort(), notice }), () => now);

  beforeAll(async () => {
    t = await createTestApp();
    await t.tickets.reminders?.stop();
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const mk = async (username: string, role: Role) => {
      const res = await admin('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles: [role] });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    agentId = await mk('agent1', 'agent');
    await mk('sup1', 'supervisor');
    unitMembers.push(await mk('unit_a1', 'unit'), await mk('unit_a2', 'unit'));
    unitMembers.sort();
    agent = t.as((await t.login('agent1', 'Pass-word-1')).accessToken);
    sup = t.as((await t.login('sup1', 'Pass-word-1')).accessToken);
    unitAId = (await admin('POST', '/api/refdata/units', { code: 'a', name: '甲单位', memberIds: unitMembers })).json().id;
  }, 180_000); // creates and signs in several accounts (argon2) on a busy machine
  afterAll(() => t.close());

  async function ticket(title: string, dispatch: boolean): Promise<TicketDetail> {
    const res = await agent('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', appealType: 'help', title, content: `${title}内容` });
    expect(res.statusCode, res.body).toBe(201);
    let tk = res.json<TicketDetail>();
    if (dispatch) {
      for (const command of [{ type: 'classify' }, { type: 'dispatch', leadUnitId: unitAId }]) {
        const r = await sup('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command });
        expect(r.statusCode, r.body).toBe(200);
        tk = r.json();
      }
    }
    // A fixed deadline with a 24 h warning window, on the test's clock.
    await sql`update ticket set due_at = ${DUE}, warn_hours = 24 where id = ${tk.id}`.execute(t.db);
    return tk;
  }

  it('reminds once when near due and once when overdue, to the lead unit or the agent, across restarts', async () => {
    const held = await ticket('单位办理中', true);
    const unheld = await ticket('尚未派单', false);
    const suspended = await ticket('承诺办理中', true);
    await sql`update ticket set status = 'suspended' where id = ${suspended.id}`.execute(t.db);
    const closed = await ticket('已办结', false);
    await sql`update ticket set status = 'closed' where id = ${closed.id}`.execute(t.db);

    const r = make();
    now = new Date(DUE.getTime() - 25 * 3600_000); // before the window
    expect(await r.sweep()).toEqual([]);

    now = new Date(DUE.getTime() - 23 * 3600_000); // inside the 24 h window
    const near = await r.sweep();
    expect(near.map((s) => [s.ticketNo, s.kind]).sort()).toEqual([[held.ticketNo, 'near_due'], [unheld.ticketNo, 'near_due']].sort());
    expect(pushes.find((p) => p.notice.ticketId === held.id)).toMatchObject({ to: unitMembers, notice: { action: 'deadline_near', ticketNo: held.ticketNo, by: '系统' } });
    expect(pushes.find((p) => p.notice.ticketId === unheld.id)).toMatchObject({ to: [agentId], notice: { action: 'deadline_near' } });
    expect(pushes).toHaveLength(2);

    now = new Date(DUE.getTime() - 3600_000);
    expect(await r.sweep()).toEqual([]); // still near due: already reminded
    expect(await make().sweep()).toEqual([]); // a restarted node does not repeat it

    now = new Date(DUE.getTime() + 1);
    const over = await make().sweep();
    expect(over.map((s) => [s.ticketNo, s.kind]).sort()).toEqual([[held.ticketNo, 'overdue'], [unheld.ticketNo, 'overdue']].sort());
    expect(pushes.filter((p) => p.notice.action === 'deadline_overdue')).toHaveLength(2);
    now = new Date(DUE.getTime() + 86_400_000);
    expect(await r.sweep()).toEqual([]);

    // An approved extension moves the deadline: reminded again when the new one nears.
    const extended = new Date(DUE.getTime() + 5 * 86_400_000);
    await sql`update ticket set due_at = ${extended} where id = ${held.id}`.execute(t.db);
    expect(await r.sweep()).toEqual([]);
    now = new Date(extended.getTime() - 3600_000);
    expect((await r.sweep()).map((s) => [s.ticketNo, s.kind])).toEqual([[held.ticketNo, 'near_due']]);

    const rows = await sql<{ n: number }>`select count(*)::int as n from ticket_reminder`.execute(t.db);
    expect(rows.rows[0]!.n).toBe(5);
  });

  it('two nodes sweeping at once send each reminder once', async () => {
    const tk = await ticket('并发提醒', true);
    now = new Date(DUE.getTime() + 10 * 86_400_000);
    await sql`update ticket set due_at = ${new Date(now.getTime() + 3600_000)} where id = ${tk.id}`.execute(t.db);
    const before = pushes.length;
    const [a, b] = await Promise.all([make().sweep(), make().sweep()]);
    expect([...a, ...b].filter((s) => s.ticketId === tk.id)).toHaveLength(1);
    expect(pushes.slice(before).filter((p) => p.notice.ticketId === tk.id)).toHaveLength(1);
    // (The first test's extended ticket is overdue by now: that reminder is due too, once.)
    expect(pushes.length - before).toBe(new Set([...a, ...b].map((s) => s.ticketId)).size);
  });

  it('the timer sweeps at start and stops cleanly', async () => {
    const tk = await ticket('定时提醒', false);
    now = new Date(DUE.getTime() + 20 * 86_400_000);
    await sql`update ticket set due_at = ${new Date(now.getTime() - 1000)} where id = ${tk.id}`.execute(t.db);
    const r = make();
    r.start(3_600_000);
    await r.stop(); // waits for the sweep that start() began
    expect(pushes.at(-1)).toMatchObject({ to: [agentId], notice: { ticketId: tk.id, action: 'deadline_overdue' } });
  });
});
