/**
 * Agents' figures for today on the wallboard (answered, missed, AHT), read from the call
 * records and computed by shared/call-kpis.ts; and their live push: after every committed
 * agent transition that can change them (a call answered, missed or ended, 整理 done) the
 * agent's figures go to the floor rooms of their groups, so the wallboard never polls.
 */
import type { AgentDayFigures } from '../../../shared/api/supervisor.js';
import { agentDayFigures, MISSED_OFFER_OUTCOMES, startOfLocalDay, type AnsweredLeg } from '../../../shared/call-kpis.js';
import { rooms } from '../../../shared/realtime.js';
import type { Db } from '../../db/database.js';
import type { RealtimeIo } from '../../realtime/realtime-server.js';
import type { AgentStateService, AppliedTransition } from '../agents/agent-state-service.js';
import { groupIdsOf } from './floor-access.js';

/** Transitions after which an agent's figures may have changed. */
export function changesFigures(t: AppliedTransition): boolean {
  if (!t.changed) return false;
  switch (t.event.type) {
    case 'answer':
    case 'ring_no_answer':
    case 'call_ended':
      return true;
    default:
      // 整理 ended (done, timed out, signed out, disconnected): the call joins the AHT.
      return t.from.kind === 'after_call_work' && t.status.state.kind !== 'after_call_work';
  }
}

/** Today's figures of these agents (every id gets an entry). */
export async function agentFiguresToday(db: Db, agentIds: string[], now = new Date()): Promise<Map<string, AgentDayFigures>> {
  const out = new Map<string, AgentDayFigures>();
  if (!agentIds.length) return out;
  const since = startOfLocalDay(now);
  const [legs, missed] = await Promise.all([
    // The agent's own answered incoming legs (queue calls, transfers to them); internal and
    // outbound calls are not "answered" (the agent home counts the same way).
    db.selectFrom('call_record')
      .select(['call_id', 'agent_id', 'arrived_at', 'answered_at', 'ended_at', 'wrap_up_ended_at'])
      .where('agent_id', 'in', agentIds)
      .where('answered_at', '>=', since)
      .where('direction', 'in', ['inbound', 'transfer'])
      .execute(),
    db.selectFrom('call_offer')
      .select(['agent_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('agent_id', 'in', agentIds)
      .where('offered_at', '>=', since)
      .where('outcome', 'in', [...MISSED_OFFER_OUTCOMES])
      .groupBy('agent_id')
      .execute(),
  ]);
  const holds = legs.length
    ? await db.selectFrom('call_hold').select(['call_id', 'held_at', 'resumed_at']).where('call_id', 'in', legs.map((l) => l.call_id)).execute()
    : [];
  const holdsOf = new Map<string, AnsweredLeg['holds']>();
  for (const h of holds) {
    const list = holdsOf.get(h.call_id) ?? [];
    list.push({ heldAt: h.held_at, resumedAt: h.resumed_at });
    holdsOf.set(h.call_id, list);
  }
  const legsOf = new Map<string, AnsweredLeg[]>();
  for (const l of legs) {
    const list = legsOf.get(l.agent_id!) ?? [];
    list.push({ arrivedAt: l.arrived_at, answeredAt: l.answered_at, endedAt: l.ended_at, wrapUpEndedAt: l.wrap_up_ended_at, holds: holdsOf.get(l.call_id) ?? [] });
    legsOf.set(l.agent_id!, list);
  }
  const missedOf = new Map(missed.map((m) => [m.agent_id, Number(m.n)]));
  for (const id of agentIds) out.set(id, agentDayFigures(legsOf.get(id) ?? [], missedOf.get(id) ?? 0));
  return out;
}

export class AgentFiguresPushes {
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly io: RealtimeIo,
    private readonly log: { error(o: object, msg: string): void },
  ) {}

  /** Follows the agents' committed transitions on this node (every node follows its own). */
  attach(agents: AgentStateService): void {
    agents.onChanged((t) => {
      if (this.stopped || !changesFigures(t)) return;
      this.push(t.status.agentId).catch((err: unknown) => this.log.error({ err, agentId: t.status.agentId }, 'pushing agent figures failed'));
    });
  }

  async push(agentId: string): Promise<void> {
    const groups = await groupIdsOf(this.db, agentId);
    if (!groups.length) return;
    const now = new Date();
    const today = (await agentFiguresToday(this.db, [agentId], now)).get(agentId)!;
    if (!this.stopped) this.io.to(groups.map(rooms.floor)).emit('agent:figures-changed', { agentId, today, at: now.toISOString() });
  }

  stop(): void {
    this.stopped = true;
  }
}
