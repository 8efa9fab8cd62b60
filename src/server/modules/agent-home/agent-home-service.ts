/**
 * The agent's home on the console (坐席首页): who and where, today's performance from the call
 * records (times derived by shared/call-times.ts, like every other KPI) and the tickets, and
 * the agent's own open tickets that are near or past their deadline. Callback tasks come from
 * the ACD's own API; supervisors' notices arrive as realtime pushes.
 */
import { sql } from 'kysely';
import type { AgentHome } from '../../../shared/api/callers.js';
import { MAX_WARN_HOURS } from '../../../shared/api/refdata.js';
import { MISSED_OFFER_OUTCOMES, startOfLocalDay } from '../../../shared/call-kpis.js';
import { slaState } from '../../../shared/tickets/deadline.js';
import { openStatuses, type TicketStatus } from '../../../shared/tickets/workflow.js';
import type { Db } from '../../db/database.js';
import type { Principal } from '../accounts/principal.js';
import { callsOf } from '../acd/routes.js';

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export class AgentHomeService {
  constructor(private readonly db: Db, private readonly clock: () => Date = () => new Date()) {}

  async home(p: Principal): Promise<AgentHome> {
    const now = this.clock();
    const today = startOfLocalDay(now);
    const open = (openStatuses as TicketStatus[]).filter((s) => s !== 'suspended');
    const [groups, session, counts, legs, due] = await Promise.all([
      p.groupIds.length ? this.db.selectFrom('agent_group').select(['id', 'name']).where('id', 'in', p.groupIds).orderBy('name').execute() : Promise.resolve([]),
      this.db.selectFrom('auth_session').select('ip').where('id', '=', p.sessionId).executeTakeFirst(),
      sql<{ missed: number; filed: number; rated: number; satisfied: number }>`
        select
          (select count(*)::int from call_offer where agent_id = ${p.userId} and offered_at >= ${today} and outcome in (${sql.join([...MISSED_OFFER_OUTCOMES])})) as missed,
          (select count(*)::int from ticket where agent_id = ${p.userId} and accepted_at >= ${today}) as filed,
          (select count(*)::int from ticket where agent_id = ${p.userId} and revisit_at >= ${today} and satisfaction in ('satisfied', 'basically_satisfied', 'unsatisfied')) as rated,
          (select count(*)::int from ticket where agent_id = ${p.userId} and revisit_at >= ${today} and satisfaction in ('satisfied', 'basically_satisfied')) as satisfied
      `.execute(this.db),
      callsOf(this.db, p.userId, today),
      this.db
        .selectFrom('ticket as t')
        .leftJoin('handling_unit as u', 'u.id', 't.lead_unit_id')
        .select(['t.id', 't.ticket_no', 't.title', 't.status', 't.due_at', 't.warn_hours', 'u.name as unit_name'])
        .where('t.agent_id', '=', p.userId)
        .where('t.status', 'in', open)
        .where(sql<boolean>`t.due_at <= ${now}::timestamptz + make_interval(hours => t.warn_hours)`)
        // No rule warns earlier than this: bounds the walk of ticket_agent_due_open.
        .where('t.due_at', '<=', new Date(now.getTime() + MAX_WARN_HOURS * 3600_000))
        .orderBy('t.due_at')
        .limit(20)
        .execute(),
    ]);
    const c = counts.rows[0]!;
    // The agent's own answered legs (an internal call's peer leg is the other agent's).
    const answered = legs.filter((l) => l.agentId === p.userId && l.answeredAt !== null && l.direction !== 'internal' && l.direction !== 'outbound');
    return {
      agent: {
        id: p.userId, username: p.username, displayName: p.displayName, extension: p.extension,
        groups: groups.map((g) => ({ id: g.id, name: g.name })), signedInFrom: session?.ip ?? null,
      },
      today: {
        answered: answered.length,
        missed: c.missed,
        avgTalkSeconds: mean(answered.flatMap((l) => (l.talkSeconds === null ? [] : [l.talkSeconds]))),
        avgAfterCallWorkSeconds: mean(answered.flatMap((l) => (l.afterCallWorkSeconds === null ? [] : [l.afterCallWorkSeconds]))),
        ticketsFiled: c.filed,
        satisfaction: { rated: c.rated, satisfied: c.satisfied, rate: c.rated ? c.satisfied / c.rated : null },
      },
      dueTickets: due.map((t) => ({
        id: t.id, ticketNo: t.ticket_no, title: t.title, status: t.status as TicketStatus, dueAt: t.due_at?.toISOString() ?? null,
        slaState: slaState(now, t.due_at, t.warn_hours), leadUnitName: t.unit_name,
      })),
    };
  }
}
