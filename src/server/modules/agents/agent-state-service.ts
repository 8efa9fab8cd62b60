/**
 * The server's authority on agent states: applies events through the shared state machine
 * under a row lock (so concurrent events serialise per agent), logs every change in the
 * append-only state log, pushes it to the agent and the supervisors of the agent's groups,
 * and ends after-call work by itself when its time is up.
 */
import type { AgentStatus } from '../../../shared/api/agent-state.js';
import { transition, type AgentEvent, type AgentState } from '../../../shared/agent-state.js';
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { AgentStateTable } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';

export interface AgentStateSettings {
  wrapUpSeconds: number;
  notReadyReasons: { code: string; label: string }[];
  breakReasons: { code: string; label: string }[];
}

export interface AgentStateHooks {
  /** After commit: tell the agent's console and the floor. */
  changed(status: AgentStatus, groupIds: string[]): void;
  /** The agent signed out: their SIP credentials must stop working. */
  signedOut(agentId: string): Promise<void>;
}

const SIGNED_OUT: AgentState = { kind: 'signed_out' };

/** One applied event: the new status, and (when changed) where it came from. */
export interface AppliedTransition {
  status: AgentStatus;
  changed: boolean;
  from: AgentState;
  event: AgentEvent;
  at: Date;
  /** The agent's groups, read with the locked row (the push's audience), so the push needs no read of its own. */
  groupIds?: string[];
}

/** An agent_state row its caller locked (FOR UPDATE) in the transaction it hands to `applyIn`. */
export type LockedAgentRow = Selectable<AgentStateTable> & { group_ids?: string[] };

/** Select-list item giving an agent's groups beside its agent_state row `s` (text: both drivers parse text[]). */
export const agentGroupIds = (s: string) => sql<string[]>`array(select gm.group_id::text from group_member gm where gm.user_id = ${sql.ref(`${s}.agent_id`)})`;

export class AgentStateService {
  private readonly wrapUpTimers = new Map<string, NodeJS.Timeout>();
  private readonly inTransactionListeners: ((tx: Db, t: AppliedTransition) => Promise<void>)[] = [];
  private readonly changeListeners: ((t: AppliedTransition) => void)[] = [];

  constructor(
    private readonly db: Db,
    readonly settings: AgentStateSettings,
    private readonly hooks: AgentStateHooks,
    private readonly log: { error(o: object, msg: string): void },
  ) {}

  async status(agentId: string): Promise<AgentStatus> {
    const row = await this.db.selectFrom('agent_state').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
    if (!row) return { agentId, state: SIGNED_OUT, since: new Date(0).toISOString(), wrapUpDeadline: null };
    return { agentId, state: row.state, since: row.since.toISOString(), wrapUpDeadline: row.wrap_up_deadline?.toISOString() ?? null };
  }

  private checkReason(event: AgentEvent): void {
    if (event.type === 'not_ready' && !this.settings.notReadyReasons.some((r) => r.code === event.reason)) {
      throw new AppError('VALIDATION_FAILED', `Unknown not-ready reason ${event.reason}`, { issues: [{ path: 'reason', message: '未知的示忙原因' }] });
    }
    if (event.type === 'break' && !this.settings.breakReasons.some((r) => r.code === event.reason)) {
      throw new AppError('VALIDATION_FAILED', `Unknown break reason ${event.reason}`, { issues: [{ path: 'reason', message: '未知的小休原因' }] });
    }
  }

  /**
   * Applies an event. Illegal transitions throw CONFLICT and change nothing. `validateReason`
   * is off for system events that use system reasons (missed call, disconnected, supervisor).
   */
  async apply(agentId: string, event: AgentEvent, opts: { actorId?: string | null; validateReason?: boolean } = {}): Promise<AgentStatus> {
    const outcome = await this.db.transaction().execute((tx) => this.applyIn(tx, agentId, event, opts));
    await this.afterCommit(outcome);
    return outcome.status;
  }

  /**
   * The transition itself, inside the caller's transaction: the ACD reserves an agent in the
   * same transaction as the call it offers, so neither can happen without the other. The
   * agent's row stays locked until that transaction ends. The caller must hand the outcome
   * to `afterCommit` once committed (push, timers, listeners); never if it rolled back.
   */
  async applyIn(
    tx: Db, agentId: string, event: AgentEvent,
    opts: { actorId?: string | null; validateReason?: boolean; at?: Date; locked?: LockedAgentRow } = {},
  ): Promise<AppliedTransition> {
    if (opts.validateReason !== false) this.checkReason(event);
    const now = opts.at ?? new Date();
    const lock = (): Promise<LockedAgentRow | undefined> => tx.selectFrom('agent_state as s').selectAll('s').select(agentGroupIds('s').as('group_ids'))
      .where('s.agent_id', '=', agentId).forUpdate().executeTakeFirst();
    // A row the caller already locked in this transaction is not read again (the ACD's offer
    // picks and locks the agent in one statement). The row exists once an agent first signed
    // in; only then is the insert's round trip needed (hot path of the ACD).
    let row = opts.locked?.agent_id === agentId ? opts.locked : await lock();
    if (!row) {
      await tx.insertInto('agent_state').values({ agent_id: agentId, state: JSON.stringify(SIGNED_OUT), since: now })
        .onConflict((oc) => oc.column('agent_id').doNothing()).execute();
      row = await lock();
      if (!row) throw new AppError('NOT_FOUND', 'No such agent');
    }
    const r = transition(row.state, event);
    if (!r.ok) throw new AppError('CONFLICT', r.message);
    if (!r.changed) {
      return { status: { agentId, state: row.state, since: row.since.toISOString(), wrapUpDeadline: row.wrap_up_deadline?.toISOString() ?? null }, changed: false, from: row.state, event, at: now };
    }
    const next = r.state;
    const deadline = next.kind === 'after_call_work' ? new Date(now.getTime() + this.settings.wrapUpSeconds * 1000) : null;
    // The new state and its log entry in one statement (one round trip): the log row is
    // written only if the update hit the row, and both commit or neither.
    const json = JSON.stringify(next);
    await sql`
      with u as (
        update agent_state set state = ${json}::jsonb, since = ${now}, wrap_up_deadline = ${deadline}
        where agent_id = ${agentId} returning agent_id)
      insert into agent_state_log (agent_id, at, kind, reason, call_id, state, event, actor_id)
      select u.agent_id, ${now}::timestamptz, ${next.kind}::text, ${'reason' in next ? next.reason : null}::text, ${'callId' in next ? next.callId : null}::text,
        ${json}::jsonb, ${event.type}::text, ${opts.actorId ?? null}::uuid
      from u`.execute(tx);
    const applied: AppliedTransition = {
      status: { agentId, state: next, since: now.toISOString(), wrapUpDeadline: deadline?.toISOString() ?? null }, changed: true, from: row.state, event, at: now,
      ...(row.group_ids ? { groupIds: row.group_ids } : {}),
    };
    for (const l of this.inTransactionListeners) await l(tx, applied);
    return applied;
  }

  /** After the transition's transaction committed: timers, live push, sign-out revocation, listeners. */
  async afterCommit(outcome: AppliedTransition): Promise<void> {
    if (!outcome.changed) return;
    this.armWrapUp(outcome.status);
    const groupIds = outcome.groupIds
      ?? (await this.db.selectFrom('group_member').select('group_id').where('user_id', '=', outcome.status.agentId).execute()).map((g) => g.group_id);
    this.hooks.changed(outcome.status, groupIds);
    if (outcome.status.state.kind === 'signed_out') {
      await this.hooks.signedOut(outcome.status.agentId).catch((err: unknown) => this.log.error({ err, agentId: outcome.status.agentId }, 'revoking SIP credentials at sign-out failed'));
    }
    for (const l of this.changeListeners) l(outcome);
  }

  /** Runs inside every changing transition's transaction (e.g. the ACD stamps the end of wrap-up on the call record). */
  onTransition(listener: (tx: Db, t: AppliedTransition) => Promise<void>): void {
    this.inTransactionListeners.push(listener);
  }

  /** Runs after every committed change on this node (e.g. the ACD offers waiting calls to an agent who became ready). */
  onChanged(listener: (t: AppliedTransition) => void): void {
    this.changeListeners.push(listener);
  }

  private armWrapUp(status: AgentStatus): void {
    const prior = this.wrapUpTimers.get(status.agentId);
    if (prior) clearTimeout(prior);
    this.wrapUpTimers.delete(status.agentId);
    if (status.state.kind !== 'after_call_work' || !status.wrapUpDeadline) return;
    const callId = status.state.callId;
    const timer = setTimeout(() => {
      this.wrapUpTimers.delete(status.agentId);
      // Only the wrap-up of this call ends by time; anything newer has its own timer.
      this.status(status.agentId)
        .then((s) => (s.state.kind === 'after_call_work' && s.state.callId === callId ? this.apply(status.agentId, { type: 'wrap_up_timeout' }) : undefined))
        .catch((err: unknown) => {
          // Another node's timer (or the agent) got there first: nothing to do.
          if (err instanceof AppError && err.code === 'CONFLICT') return;
          this.log.error({ err }, 'ending after-call work failed');
        });
    }, Math.max(0, new Date(status.wrapUpDeadline).getTime() - Date.now()));
    timer.unref();
    this.wrapUpTimers.set(status.agentId, timer);
  }

  /** At start: after-call work that was running when this node stopped still ends on time. */
  async rearmWrapUps(): Promise<void> {
    const rows = await this.db.selectFrom('agent_state').selectAll().where('wrap_up_deadline', 'is not', null).execute();
    for (const r of rows) {
      this.armWrapUp({ agentId: r.agent_id, state: r.state, since: r.since.toISOString(), wrapUpDeadline: r.wrap_up_deadline?.toISOString() ?? null });
    }
  }

  stop(): void {
    for (const t of this.wrapUpTimers.values()) clearTimeout(t);
    this.wrapUpTimers.clear();
  }
}
