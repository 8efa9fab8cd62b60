/**
 * 小休 maximums: when an agent's break runs past its reason's `maxSeconds`, the agent's
 * console and the supervisors of the agent's groups are told once (`agent:break-overrun`).
 * Each node times the breaks it sees change (and every running break at start); the
 * announcement itself is claimed in the database, so several nodes announce it once.
 */
import { sql } from 'kysely';
import type { AgentStatus } from '../../../shared/api/agent-state.js';
import type { BreakOverrun } from '../../../shared/realtime.js';
import type { Db } from '../../db/database.js';

export interface BreakLimitDeps {
  db: Db;
  /** The site's 小休 reasons; those without `maxSeconds` have no limit. */
  reasons: readonly { code: string; maxSeconds?: number | undefined }[];
  /** Push the overrun to the agent and the floors of `groupIds`. */
  announce(overrun: BreakOverrun, groupIds: string[]): void;
  log: { error(o: object, msg: string): void };
}

export class BreakLimits {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly d: BreakLimitDeps) {}

  maxSeconds(reason: string): number | null {
    return this.d.reasons.find((r) => r.code === reason)?.maxSeconds ?? null;
  }

  /** Every committed state change of an agent: a new break starts a timer, anything else ends it. */
  track(status: AgentStatus): void {
    const prior = this.timers.get(status.agentId);
    if (prior) clearTimeout(prior);
    this.timers.delete(status.agentId);
    if (status.state.kind !== 'break') return;
    const max = this.maxSeconds(status.state.reason);
    if (max === null) return;
    const { agentId, since } = status;
    const reason = status.state.reason;
    const timer = setTimeout(() => {
      this.timers.delete(agentId);
      this.announce({ agentId, reason, since, maxSeconds: max }).catch((err: unknown) => this.d.log.error({ err, agentId }, 'announcing a break overrun failed'));
    }, Math.max(0, Date.parse(since) + max * 1000 - Date.now()));
    timer.unref();
    this.timers.set(agentId, timer);
  }

  /** Claims this very break (same `since`) so it is announced once, then pushes it. */
  private async announce(o: BreakOverrun): Promise<void> {
    const claimed = await this.d.db
      .updateTable('agent_state')
      .set({ break_overrun_of: new Date(o.since) })
      .where('agent_id', '=', o.agentId)
      .where('since', '=', new Date(o.since))
      .where(sql<boolean>`state->>'kind' = 'break' and break_overrun_of is distinct from since`)
      .returning('agent_id')
      .executeTakeFirst();
    if (!claimed) return; // the break ended meanwhile, or another node announced it
    const groups = await this.d.db.selectFrom('group_member').select('group_id').where('user_id', '=', o.agentId).execute();
    this.d.announce(o, groups.map((g) => g.group_id));
  }

  /** At start: breaks that were running when this node (re)started are still announced. */
  async rearm(): Promise<void> {
    const rows = await this.d.db.selectFrom('agent_state').select(['agent_id', 'state', 'since'])
      .where(sql<boolean>`state->>'kind' = 'break' and break_overrun_of is distinct from since`)
      .execute();
    for (const r of rows) this.track({ agentId: r.agent_id, state: r.state, since: r.since.toISOString(), wrapUpDeadline: null });
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
