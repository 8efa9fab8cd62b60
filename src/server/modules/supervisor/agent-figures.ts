/**
 * Agents' figures for today on the wallboard (answered, missed, AHT), read from the call
 * records and computed by shared/call-kpis.ts; and their live push: after every committed
 * agent transition that can change them (a call answered, missed or ended, 整理 done) the
 * agent's figures go to the floor rooms of their groups, so the wallboard never polls
 * (coalesced: one flush reads the figures of every agent that changed meanwhile).
 */
import type { AgentDayFigures } from '../../../shared/api/supervisor.js';
import { agentDayFigures, MISSED_OFFER_OUTCOMES, startOfLocalDay, type AnsweredLeg } from '../../../shared/call-kpis.js';
import { rooms } from '../../../shared/realtime.js';
import type { Db } from '../../db/database.js';
import type { RealtimeIo } from '../../realtime/realtime-server.js';
import type { AgentStateService, AppliedTransition } from '../agents/agent-state-service.js';

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
  /** Agents whose figures changed since the last flush, with their groups when the transition brought them. */
  private readonly dirty = new Map<string, string[] | undefined>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly io: RealtimeIo,
    private readonly log: { error(o: object, msg: string): void },
    /**
     * Changes are pushed at most this often (like the queue pictures): one call moves an agent
     * 3–4 times, and each push reads the agent's records; a flush reads them once for every
     * agent that changed meanwhile (3 statements, however many agents).
     */
    private readonly coalesceMs = 200,
  ) {}

  /** Follows the agents' committed transitions on this node (every node follows its own). */
  attach(agents: AgentStateService): void {
    agents.onChanged((t) => {
      if (this.stopped || !changesFigures(t)) return;
      this.changed(t.status.agentId, t.groupIds);
    });
  }

  private changed(agentId: string, groupIds: string[] | undefined): void {
    this.dirty.set(agentId, groupIds ?? this.dirty.get(agentId));
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const batch = new Map(this.dirty);
      this.dirty.clear();
      this.flush(batch).catch((err: unknown) => this.log.error({ err, agents: [...batch.keys()] }, 'pushing agent figures failed'));
    }, this.coalesceMs);
    this.timer.unref();
  }

  private async flush(batch: Map<string, string[] | undefined>): Promise<void> {
    if (this.stopped || !batch.size) return;
    const unknown = [...batch].filter(([, g]) => !g).map(([id]) => id);
    if (unknown.length) {
      const rows = await this.db.selectFrom('group_member').select(['user_id', 'group_id']).where('user_id', 'in', unknown).execute();
      for (const id of unknown) batch.set(id, []);
      for (const r of rows) batch.get(r.user_id)!.push(r.group_id);
    }
    const ids = [...batch].filter(([, g]) => g!.length).map(([id]) => id);
    if (!ids.length) return;
    const now = new Date();
    const figures = await agentFiguresToday(this.db, ids, now);
    if (this.stopped) return;
    for (const id of ids) {
      this.io.to(batch.get(id)!.map(rooms.floor)).emit('agent:figures-changed', { agentId: id, today: figures.get(id)!, at: now.toISOString() });
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
