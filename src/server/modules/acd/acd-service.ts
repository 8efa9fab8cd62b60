/**
 * The ACD (自动话务分配): the backend's single authority on which agent gets which call.
 * Implements `CallRouter` (call-router.ts): takes the SIP server's facts, keeps every call's
 * routing state in the database (acd_call) and its record (call_record, call_offer,
 * call_hold), and sends `RoutingDecision`s back.
 *
 * Policy: waiting calls are served by queue priority, then arrival (FIFO); a call goes to
 * the longest-idle ready agent (ready since earliest) of a group allowed for its queue.
 *
 * Concurrency (several backend nodes on one PostgreSQL, no in-memory truth): an offer is one
 * transaction that locks the head waiting call (FOR UPDATE), picks an agent row with FOR
 * UPDATE SKIP LOCKED and moves it through the shared state machine (`offer`, which only a
 * ready agent accepts) in that same transaction, so an agent is offered at most one call
 * whatever runs concurrently. Locks are always taken in the order acd_call → agent_state →
 * call_record, so these transactions cannot deadlock. Whenever a call starts waiting or an
 * agent becomes ready (on any node, after commit) the node that saw it drains the queue; of
 * two such drains the later one sees both commits, so no wake-up is lost.
 *
 * Timers: max wait and the ring backstop are deadlines in acd_call; each node arms one timer
 * for the earliest deadline it knows, re-reads them from the database at start, and sweeps
 * every few seconds for deadlines another (perhaps dead) node set. Sweeps skip rows another
 * node is handling (SKIP LOCKED).
 */
import { sql, type QueryCreator } from 'kysely';
import type { AgentEvent } from '../../../shared/agent-state.js';
import { normaliseCallerNumber } from '../../../shared/phone-number.js';
import type { AcdOffer, AcdOfferEndReason } from '../../../shared/realtime.js';
import type { Db } from '../../db/database.js';
import type { Database, OfferOutcome } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { agentGroupIds, type AgentStateService, type AppliedTransition, type LockedAgentRow } from '../agents/agent-state-service.js';
import type { CallArrival, CallLegStart, CallRouter, OfferFailure, RoutingDecision, RoutingDecisionSink } from './call-router.js';
import { closeTasksOfNumber, recordMissedCall } from './callbacks-service.js';

export interface AcdOptions {
  /** Seconds past an offer's ring time after which the ACD itself counts it unanswered (the SIP server normally reports first). */
  ringGraceSeconds: number;
  /** How often this node sweeps for overdue deadlines set by other nodes; 0 turns the sweep off (tests drive `sweep`). */
  sweepIntervalMs: number;
  /** How long this node keeps a queue's settings (arrivals); changes on this node apply at once. Default 5000; 0 keeps none. */
  queueConfigTtlMs?: number;
  /** Offer passes that may run at once on this node (default 1; PGlite runs one transaction at a time anyway). */
  drainWorkers?: number;
  /** Working hours (the voice service's configuration): a call arriving outside them is closed like a disabled queue's. Absent: always open. */
  isOpen?: ((at: Date) => boolean) | undefined;
  /** How long an offer's INVITE may wait for the agent's console to show the offer (default 100 ms; see `commit`). */
  offerLeadMs?: number;
}

/** What the ACD tells people (live pushes); all after commit. */
export interface AcdPushes {
  /** Settles when the agent's console has shown the offer (or after a bound): the phone rings then. */
  offered(agentId: string, offer: AcdOffer): void | Promise<void>;
  offerEnded(agentId: string, callId: string, reason: AcdOfferEndReason): void;
  /** A queue's live picture changed (coalesced by the caller). */
  queueChanged(queueId: string): void;
  callbacksChanged(taskIds: string[]): void;
}

/**
 * Hands decisions made on this node to the node whose SIP side holds the call. Single-node
 * sites (and PGlite) need none; several nodes use PostgreSQL NOTIFY (decision-bus.ts).
 */
export interface DecisionRelay {
  publish(decision: RoutingDecision): Promise<void>;
}

export interface AcdLog {
  warn(o: object, msg: string): void;
  error(o: object, msg: string): void;
}

/** Everything a transaction decided, done only once it committed. */
class Effects {
  decisions: RoutingDecision[] = [];
  offers: [string, AcdOffer][] = [];
  offersEnded: [string, string, AcdOfferEndReason][] = [];
  transitions: AppliedTransition[] = [];
  queues = new Set<string>();
  callbacks: string[] = [];
  /** A call became waiting (arrived or back from a failed offer): match it. */
  drain = false;
  deadlines: Date[] = [];
}

/** What an arrival needs of its queue. */
interface QueueConfig {
  id: string;
  priority: number;
  max_wait_seconds: number;
  max_queue_length: number;
  enabled: boolean;
}

interface LockedCall {
  call_id: string;
  queue_id: string;
  state: 'waiting' | 'offered';
  agent_id: string | null;
  arrived_at: Date;
  wait_deadline: Date;
}

const noPushes: AcdPushes = { offered: () => {}, offerEnded: () => {}, queueChanged: () => {}, callbacksChanged: () => {} };

export class AcdService implements CallRouter {
  private sink: RoutingDecisionSink | null = null;
  private relay: DecisionRelay | null = null;
  private readonly drainers = new Set<Promise<void>>();
  /** Counts drain requests, so a pass can tell whether one came while it ran. */
  private drainRequests = 0;
  private wake: { at: number; timer: NodeJS.Timeout } | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = false;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly agents: AgentStateService,
    private readonly options: AcdOptions,
    private readonly log: AcdLog,
    private readonly pushes: AcdPushes = noPushes,
  ) {
    // An agent who became ready (on this node) may take a waiting call at once.
    agents.onChanged((t) => {
      if (t.status.state.kind === 'ready') this.background(this.drain());
    });
    // After-call work ended: its end is stamped on the call record (the ACW time's end).
    agents.onTransition(async (tx, t) => {
      if (t.from.kind !== 'after_call_work') return;
      const next = t.status.state;
      if (next.kind === 'after_call_work' && next.callId === t.from.callId) return;
      await tx.updateTable('call_record').set({ wrap_up_ended_at: t.at })
        .where('call_id', '=', t.from.callId).where('agent_id', '=', t.status.agentId).where('wrap_up_ended_at', 'is', null).execute();
    });
  }

  /** Where decisions go on this node (the SIP adapter). Until set, decisions are logged and dropped. */
  setSink(sink: RoutingDecisionSink | null): void {
    this.sink = sink;
  }

  /** How decisions reach other nodes (several backend nodes only). */
  setRelay(relay: DecisionRelay | null): void {
    this.relay = relay;
  }

  /** Re-arms deadlines from the database and starts the sweep; call once per node at start. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.rearm();
    if (this.options.sweepIntervalMs > 0) {
      this.sweeper = setInterval(() => this.background(this.sweep()), this.options.sweepIntervalMs);
      this.sweeper.unref();
    }
    // Calls may have waited while no node ran, and agents may be ready: match them now.
    await this.sweep();
    await this.drain();
  }

  /** Stops timers and waits for work in flight (before the database closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    if (this.wake) clearTimeout(this.wake.timer);
    this.wake = null;
    await Promise.allSettled([...this.pending]);
  }

  /** Resolves when this node's background work (drains after agents became ready, timer sweeps) is done; starts none. */
  async settled(): Promise<void> {
    while (this.pending.size || this.drainers.size) await Promise.allSettled([...this.pending, ...this.drainers]);
  }

  private background(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => this.log.error({ err }, 'ACD background work failed'));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  // ── CallRouter ────────────────────────────────────────────────────────────────────────

  /** This node's copy of queue settings by number (see `queueFor`). */
  private readonly queueByNumber = new Map<string, { queue: QueueConfig; until: number }>();

  /** Queue settings changed on this node: forget the copies (other nodes' copies expire, see `queueFor`). */
  queueConfigChanged(): void {
    this.queueByNumber.clear();
  }

  /**
   * The queue a number belongs to. Read on every arrival before; now kept for a few seconds.
   * A change made on this node clears the copy at once (QueuesService tells us); another
   * node's copy lives at most `queueConfigTtlMs`. A short TTL rather than LISTEN/NOTIFY:
   * queue settings change a few times a day, a few seconds of an old max wait or an old
   * enabled flag on another node harms nobody, and it needs no connection per node that
   * can drop (nor anything on PGlite). Unknown numbers are never kept (a new queue works at once).
   */
  private async queueFor(tx: Db, number: string): Promise<QueueConfig | undefined> {
    const now = Date.now();
    const hit = this.queueByNumber.get(number);
    if (hit && hit.until > now) return hit.queue;
    const queue = await tx
      .selectFrom('acd_queue_number as n')
      .innerJoin('acd_queue as q', 'q.id', 'n.queue_id')
      .select(['q.id', 'q.priority', 'q.max_wait_seconds', 'q.max_queue_length', 'q.enabled'])
      .where('n.number', '=', number)
      .executeTakeFirst();
    const ttl = this.options.queueConfigTtlMs ?? 5000;
    if (queue && ttl > 0) this.queueByNumber.set(number, { queue, until: now + ttl });
    return queue;
  }

  async arrived(call: CallArrival): Promise<void> {
    const eff = new Effects();
    const now = new Date();
    await this.db.transaction().execute(async (tx) => {
      const queue = await this.queueFor(tx, call.dialled);
      if (!queue) {
        // A repeated arrival of a call we did take is not refused.
        if (await tx.selectFrom('call_record').select('call_id').where('call_id', '=', call.callId).executeTakeFirst()) return;
        eff.decisions.push({ kind: 'reject', callId: call.callId, status: 404, reason: 'Not a queue number' });
        return;
      }
      const callerNormalised = normaliseCallerNumber(call.caller);
      const insertRecord = (db: QueryCreator<Database>) => db
        .insertInto('call_record')
        .values({
          call_id: call.callId, direction: 'inbound', caller: call.caller, caller_normalised: callerNormalised, called: call.dialled,
          trunk: call.trunk, queue_id: queue.id, arrived_at: call.at, queued_at: now,
        })
        .onConflict((oc) => oc.column('call_id').doNothing())
        .returning('call_id');
      const unanswered = { callId: call.callId, queueId: queue.id, caller: call.caller, callerNormalised };
      if (!queue.enabled || (this.options.isOpen !== undefined && !this.options.isOpen(call.at))) {
        if (!(await insertRecord(tx).executeTakeFirst())) return; // repeated arrival
        await this.finishUnanswered(tx, eff, unanswered, 'overflowed', 'system', now);
        eff.decisions.push({ kind: 'overflow', callId: call.callId, reason: 'closed' });
        return;
      }
      const waitDeadline = new Date(call.at.getTime() + queue.max_wait_seconds * 1000);
      // The record, and the waiting call unless the queue is full, in one statement; a repeated
      // arrival inserts neither. No lock on the queue: arrivals run in parallel, so the length
      // limit is soft (simultaneous arrivals may pass it by a few), which a limit on waiting allows.
      const r = await tx
        .with('r', insertRecord)
        .with('c', (db) => db.insertInto('acd_call')
          .columns(['call_id', 'queue_id', 'priority', 'arrived_at', 'state', 'wait_deadline'])
          .expression((eb) => eb.selectFrom('r').select((e) => [
            'r.call_id', e.val(queue.id).as('queue_id'), e.val(queue.priority).as('priority'), e.val(call.at).as('arrived_at'),
            e.val('waiting').as('state'), e.val(waitDeadline).as('wait_deadline'),
          ]).where((e) => e(
            e.selectFrom('acd_call as w').select((w) => w.fn.countAll<number>().as('n')).where('w.queue_id', '=', queue.id).where('w.state', '=', 'waiting'),
            '<', queue.max_queue_length,
          )))
          .returning('call_id'))
        .selectNoFrom((eb) => [
          eb.selectFrom('r').select('r.call_id').as('recorded'),
          eb.selectFrom('c').select('c.call_id').as('queued'),
        ])
        .executeTakeFirstOrThrow();
      if (!r.recorded) return; // repeated arrival
      if (!r.queued) {
        await this.finishUnanswered(tx, eff, unanswered, 'overflowed', 'system', now);
        eff.decisions.push({ kind: 'overflow', callId: call.callId, reason: 'queue_full' });
        return;
      }
      eff.queues.add(queue.id);
      eff.deadlines.push(waitDeadline);
      // Fast path, same transaction: one matching step (it serves whichever call is at the
      // head, so FIFO holds). Unless that was this call, a drain runs after commit: an agent
      // who became ready meanwhile could not see this call before it committed.
      let offered: string | null = null;
      try {
        offered = await this.offerStep(tx, eff, call.callId);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'CONFLICT') throw err;
      }
      eff.drain = offered !== call.callId;
    });
    await this.commit(eff);
  }

  async offerFailed(callId: string, agentId: string, failure: OfferFailure, at: Date): Promise<void> {
    const eff = new Effects();
    await this.db.transaction().execute(async (tx) => {
      const c = await this.lockCall(tx, callId, false);
      if (!c || c.state !== 'offered' || c.agent_id !== agentId) return; // stale or repeated
      await this.failOffer(tx, eff, c, failure, at);
    });
    await this.commit(eff);
  }

  async answered(callId: string, agentId: string, at: Date): Promise<void> {
    const eff = new Effects();
    await this.db.transaction().execute(async (tx) => {
      const c = await this.lockCall(tx, callId, false);
      if (!c) {
        await this.legAnswered(tx, eff, callId, at);
        return;
      }
      if (c.state !== 'offered' || c.agent_id !== agentId) {
        this.log.warn({ callId, agentId, offeredTo: c.agent_id }, 'answer from an agent the call was not offered to: ignored');
        return;
      }
      await this.transition(tx, eff, agentId, { type: 'answer', callId });
      // The offer's end, the call leaving the ACD and the record's answer: one statement.
      const rec = await tx
        .with('o', (db) => db.updateTable('call_offer').set({ ended_at: at, outcome: 'answered' })
          .where('call_id', '=', callId).where('agent_id', '=', agentId).where('ended_at', 'is', null))
        .with('d', (db) => db.deleteFrom('acd_call').where('call_id', '=', callId))
        .updateTable('call_record').set({ answered_at: at, agent_id: agentId })
        .where('call_id', '=', callId).where('answered_at', 'is', null).returning('caller_normalised').executeTakeFirst();
      // The caller got through: a callback for their earlier missed calls is no longer needed.
      if (rec) eff.callbacks.push(...(await closeTasksOfNumber(tx, rec.caller_normalised, agentId, callId, at)));
      eff.offersEnded.push([agentId, callId, 'answered']);
      eff.queues.add(c.queue_id);
    });
    await this.commit(eff);
  }

  async abandoned(callId: string, at: Date): Promise<void> {
    const eff = new Effects();
    await this.db.transaction().execute(async (tx) => {
      const c = await this.lockCall(tx, callId, false);
      if (!c) {
        await this.legEnded(tx, eff, callId, 'caller', at);
        return;
      }
      if (c.state === 'offered' && c.agent_id) {
        await this.transitionIfAllowed(tx, eff, c.agent_id, { type: 'offer_withdrawn', callId });
        await this.endOffer(tx, callId, c.agent_id, 'withdrawn', at);
        eff.offersEnded.push([c.agent_id, callId, 'abandoned']);
      }
      const rec = await tx.selectFrom('call_record').select(['caller', 'caller_normalised']).where('call_id', '=', callId).executeTakeFirstOrThrow();
      await this.finishUnanswered(tx, eff, { callId, queueId: c.queue_id, caller: rec.caller, callerNormalised: rec.caller_normalised }, 'abandoned', 'caller', at);
      // An offer running meanwhile may have held back a call behind this one (see offerStep).
      if (c.state === 'waiting') eff.drain = true;
    });
    await this.commit(eff);
  }

  async leftBeforeQueue(call: CallArrival, queueNumber: string, at: Date): Promise<void> {
    const eff = new Effects();
    await this.db.transaction().execute(async (tx) => {
      const q = await tx.selectFrom('acd_queue_number').select('queue_id').where('number', '=', queueNumber).executeTakeFirst();
      const queueId = q?.queue_id ?? null;
      const callerNormalised = normaliseCallerNumber(call.caller);
      // queued_at stays null: reports tell a hang-up in the menu from one in the queue by it.
      const inserted = await tx.insertInto('call_record').values({
        call_id: call.callId, direction: 'inbound', caller: call.caller, caller_normalised: callerNormalised, called: call.dialled,
        trunk: call.trunk, queue_id: queueId, arrived_at: call.at, ended_at: at, ended_by: 'caller', result: 'abandoned',
      }).onConflict((oc) => oc.column('call_id').doNothing()).returning('call_id').executeTakeFirst();
      if (!inserted) return; // repeated fact, or the call did reach the ACD
      const task = await recordMissedCall(tx, { caller: call.caller, callerNormalised, queueId, reason: 'abandoned', callId: call.callId, at });
      if (task) eff.callbacks.push(task);
      if (queueId) eff.queues.add(queueId);
    });
    await this.commit(eff);
  }

  async ended(callId: string, by: 'caller' | 'agent' | 'system', at: Date): Promise<void> {
    const eff = new Effects();
    const stillQueued = await this.db.transaction().execute(async (tx) => {
      const rec = await tx.selectFrom('call_record').select(['direction', 'agent_id', 'peer_agent_id', 'answered_at', 'ended_at']).where('call_id', '=', callId).executeTakeFirst();
      if (!rec || rec.ended_at) return false;
      // A queue call that ends before anyone answered: the caller gave up.
      if (rec.direction === 'inbound' && !rec.answered_at) return true;
      await this.endLeg(tx, eff, callId, by, at, null, rec);
      return false;
    });
    if (stillQueued) return this.abandoned(callId, at);
    await this.commit(eff);
  }

  async legStarted(leg: CallLegStart): Promise<void> {
    const eff = new Effects();
    await this.db.transaction().execute(async (tx) => {
      if (await tx.selectFrom('call_record').select('call_id').where('call_id', '=', leg.callId).executeTakeFirst()) return;
      // A transfer ends the leg it continues (that agent goes to after-call work).
      let caller = leg.caller;
      let queueId: string | null = null;
      if (leg.parentCallId) {
        const parent = await tx.selectFrom('call_record').select(['call_id', 'agent_id', 'caller', 'queue_id', 'answered_at', 'ended_at'])
          .where('call_id', '=', leg.parentCallId).executeTakeFirst();
        if (parent) {
          caller = parent.caller;
          queueId = parent.queue_id;
          if (!parent.ended_at) await this.endLeg(tx, eff, parent.call_id, 'agent', leg.at, 'transferred');
        }
      }
      // A transfer leg belongs to the agent it goes to; the transferring agent's part ended with the parent leg.
      const fromAgentId = leg.direction === 'transfer' ? null : leg.fromAgentId;
      const agentId = fromAgentId ?? leg.toAgentId;
      // The citizen's number is the history key: the called party on an outbound call.
      const farEnd = leg.direction === 'outbound' ? leg.called : caller;
      await tx.insertInto('call_record').values({
        call_id: leg.callId, direction: leg.direction, caller, caller_normalised: normaliseCallerNumber(farEnd), called: leg.called,
        trunk: null, queue_id: queueId, agent_id: agentId, peer_agent_id: fromAgentId && leg.toAgentId ? leg.toAgentId : null,
        parent_call_id: leg.parentCallId, callback_task_id: leg.callbackTaskId, arrived_at: leg.at,
      }).execute();
      if (fromAgentId) await this.transitionIfAllowed(tx, eff, fromAgentId, { type: 'dial', callId: leg.callId });
      if (leg.toAgentId) {
        // A ready callee is reserved while it rings, so the ACD does not offer it a queue call too.
        const s = await tx.selectFrom('agent_state').select('state').where('agent_id', '=', leg.toAgentId).executeTakeFirst();
        if (s?.state.kind === 'ready') await this.transitionIfAllowed(tx, eff, leg.toAgentId, { type: 'offer', callId: leg.callId });
      }
      if (leg.callbackTaskId && fromAgentId) {
        const r = await tx.updateTable('callback_task').set({ status: 'claimed', claimed_by: fromAgentId, claimed_at: leg.at })
          .where('id', '=', leg.callbackTaskId).where('status', '=', 'open').executeTakeFirst();
        if (r.numUpdatedRows) eff.callbacks.push(leg.callbackTaskId);
      }
    });
    await this.commit(eff);
  }

  async held(callId: string, agentId: string, at: Date): Promise<void> {
    const eff = new Effects();
    await this.db.transaction().execute(async (tx) => {
      const rec = await tx.selectFrom('call_record').select(['answered_at', 'ended_at']).where('call_id', '=', callId).executeTakeFirst();
      if (!rec?.answered_at || rec.ended_at) return;
      await this.transitionIfAllowed(tx, eff, agentId, { type: 'hold', callId });
      const open = await tx.selectFrom('call_hold').select('id').where('call_id', '=', callId).where('resumed_at', 'is', null).executeTakeFirst();
      if (!open) await tx.insertInto('call_hold').values({ call_id: callId, agent_id: agentId, held_at: at }).execute();
    });
    await this.commit(eff);
  }

  async resumed(callId: string, agentId: string, at: Date): Promise<void> {
    const eff = new Effects();
    await this.db.transaction().execute(async (tx) => {
      await this.transitionIfAllowed(tx, eff, agentId, { type: 'resume', callId });
      await tx.updateTable('call_hold').set({ resumed_at: at }).where('call_id', '=', callId).where('resumed_at', 'is', null).execute();
    });
    await this.commit(eff);
  }

  // ── Matching ──────────────────────────────────────────────────────────────────────────

  /**
   * Offers waiting calls to ready agents until no pair is left. Up to `drainWorkers` passes run
   * at once (each offer is its own transaction; SKIP LOCKED keeps them on different calls and
   * agents), so a busy floor is not limited to one offer's round trips at a time. A request
   * while every worker is busy is remembered: a worker that ends its pass after it passes
   * again. Resolves when the passes running or started for this request are done.
   */
  drain(): Promise<void> {
    this.drainRequests += 1;
    if (this.drainers.size < Math.max(1, this.options.drainWorkers ?? 1)) {
      const worker: Promise<void> = this.drainPass().finally(() => this.drainers.delete(worker));
      this.drainers.add(worker);
    }
    return Promise.all([...this.drainers]).then(() => undefined);
  }

  private async drainPass(): Promise<void> {
    let seen: number;
    do {
      seen = this.drainRequests;
      // Bounded so a persistent fault cannot spin; the next trigger continues.
      for (let i = 0; i < 10_000 && !this.stopped; i++) if (!(await this.offerOne())) break;
    } while (seen !== this.drainRequests && !this.stopped);
  }

  /** One offer in one transaction: the head waiting call that has an eligible ready agent, and that agent. */
  private async offerOne(): Promise<boolean> {
    // Most drains find nobody waiting (an agent finished wrap-up) or nobody ready for the waiting
    // calls (an arrival behind a backlog): one cheap read, no transaction.
    const pair = await sql`select 1 from acd_call c where c.state = 'waiting' and c.queue_id in (${queuesWithReadyAgents()}) limit 1`.execute(this.db);
    if (!pair.rows.length) return false;
    const eff = new Effects();
    let offered: boolean;
    try {
      offered = await this.offerOneIn(eff);
    } catch (err) {
      // The agent's row changed between the pick and the lock: nothing was written; pick again.
      if (err instanceof AppError && err.code === 'CONFLICT') return true;
      throw err;
    }
    await this.commit(eff, 'background');
    return offered;
  }

  private offerOneIn(eff: Effects): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => (await this.offerStep(tx, eff)) !== null);
  }

  /**
   * Inside a transaction: offers the head waiting call that has an eligible ready agent; returns its id, or null.
   *
   * Offers run in parallel: the head call is taken with SKIP LOCKED, so a concurrent offer
   * transaction takes the next call instead of queueing behind the same row lock (which made
   * every offer wait for the one before it). FIFO holds for the start of offers: a call only
   * gets an agent if there are more eligible ready agents than waiting calls ahead of it that
   * could take them (those are locked by offers in flight, or they would have been the head).
   * Which of two concurrent offers gets the longest-idle agent is then a race; both start.
   * Only drain passes offer calls behind others (see `onlyIfHead`), so a call ahead that is
   * locked is being offered, not merely looked at by an arrival that will leave it.
   */
  private async offerStep(tx: Db, eff: Effects, onlyIfHead?: string): Promise<string | null> {
    // An arrival offers only its own call, and only when no call that could take an agent is
    // ahead of it: it never locks (and so holds back) a call another pass is about to offer.
    const own = onlyIfHead === undefined ? sql`` : sql`and c.call_id = ${onlyIfHead} and not exists (
        select 1 from acd_call a where a.state = 'waiting' and a.call_id <> c.call_id
          and (a.priority > c.priority or (a.priority = c.priority and (a.arrived_at, a.seq) < (c.arrived_at, c.seq)))
          and a.queue_id in (${queuesWithReadyAgents()}))`;
    const call = await sql<{ call_id: string; queue_id: string; arrived_at: Date; caller: string; caller_normalised: string; queue_name: string; ring_timeout_seconds: number }>`
      select c.call_id, c.queue_id, c.arrived_at, r.caller, r.caller_normalised, q.name as queue_name, q.ring_timeout_seconds
      from acd_call c
      join acd_queue q on q.id = c.queue_id
      join call_record r on r.call_id = c.call_id
      where c.state = 'waiting' and c.queue_id in (${queuesWithReadyAgents()}) ${own}
      order by c.priority desc, c.arrived_at, c.seq
      limit 1
      for update of c skip locked`.execute(tx);
    const head = call.rows[0];
    if (!head) return null;
    // The agent's whole row (and groups) comes with the lock: the transition does not read it again.
    // e: the eligible ready agents; ahead: waiting calls before this one that one of them could take.
    const agent = await sql<LockedAgentRow & { extension: string }>`
      with e as (${eligibleAgents(sql`${head.queue_id}::uuid`)}),
      ahead as (
        select count(*) as n from acd_call a join acd_call h on h.call_id = ${head.call_id}
        where a.state = 'waiting' and a.call_id <> h.call_id
          and (a.priority > h.priority or (a.priority = h.priority and (a.arrived_at, a.seq) < (h.arrived_at, h.seq)))
          and a.queue_id in (select qg.queue_id from acd_queue_group qg join group_member gm on gm.group_id = qg.group_id
                             where gm.user_id in (select agent_id from e)))
      select s.*, ${agentGroupIds('s')} as group_ids, u.extension
      from agent_state s join app_user u on u.id = s.agent_id
      where (s.state ->> 'kind') = 'ready' and s.agent_id in (select agent_id from e)
        and (select count(*) from e) > (select n from ahead)
      order by s.since, s.agent_id
      limit 1
      for update of s skip locked`.execute(tx);
    const a = agent.rows[0];
    // Every eligible agent is being changed by someone else right now; their commit drains again.
    if (!a) return null;
    const now = new Date();
    const { extension: _extension, ...locked } = a;
    await this.transition(tx, eff, a.agent_id, { type: 'offer', callId: head.call_id }, locked);
    const ringSeconds = head.ring_timeout_seconds;
    const ringDeadline = new Date(now.getTime() + (ringSeconds + this.options.ringGraceSeconds) * 1000);
    // The call's offer, the offer's record and the call record's first offer time: one statement.
    await tx
      .with('c', (db) => db.updateTable('acd_call').set({ state: 'offered', agent_id: a.agent_id, offered_at: now, ring_seconds: ringSeconds, ring_deadline: ringDeadline })
        .where('call_id', '=', head.call_id))
      .with('o', (db) => db.insertInto('call_offer').values({ call_id: head.call_id, agent_id: a.agent_id, offered_at: now }))
      .updateTable('call_record').set({ offered_at: now }).where('call_id', '=', head.call_id).where('offered_at', 'is', null)
      .execute();
    eff.decisions.push({ kind: 'offer', callId: head.call_id, agentId: a.agent_id, extension: a.extension, ringSeconds });
    eff.offers.push([a.agent_id, {
      callId: head.call_id, caller: head.caller, callerNormalised: head.caller_normalised, queueId: head.queue_id, queueName: head.queue_name,
      waitedSeconds: Math.max(0, (now.getTime() - head.arrived_at.getTime()) / 1000), offeredAt: now.toISOString(), ringSeconds,
    }]);
    eff.queues.add(head.queue_id);
    eff.deadlines.push(ringDeadline);
    return head.call_id;
  }

  // ── Deadlines ─────────────────────────────────────────────────────────────────────────

  /** Overflows calls past their max wait and fails offers past their ring backstop, as of `now`. */
  sweep(now = new Date()): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = (async () => {
      try {
        while (!this.stopped && (await this.expireOne(now))) { /* next */ }
      } finally {
        this.sweeping = null;
      }
      await this.rearm();
    })();
    return this.sweeping;
  }

  private async expireOne(now: Date): Promise<boolean> {
    const eff = new Effects();
    const done = await this.db.transaction().execute(async (tx) => {
      const c = await tx.selectFrom('acd_call').select(['call_id', 'queue_id', 'state', 'agent_id', 'arrived_at', 'wait_deadline'])
        .where((eb) => eb.or([
          eb.and([eb('state', '=', 'waiting'), eb('wait_deadline', '<=', now)]),
          eb.and([eb('state', '=', 'offered'), eb('ring_deadline', '<=', now)]),
        ]))
        .orderBy('arrived_at').limit(1).forUpdate().skipLocked().executeTakeFirst();
      if (!c) return false;
      if (c.state === 'offered' && c.agent_id) {
        this.log.warn({ callId: c.call_id, agentId: c.agent_id }, 'the SIP server never reported the end of this offer: counted as no answer');
        await this.failOffer(tx, eff, c, 'no_answer', now);
      } else {
        await this.overflow(tx, eff, c, now);
        // As for an abandoned call: a call behind it may have been held back.
        eff.drain = true;
      }
      return true;
    });
    await this.commit(eff);
    return done;
  }

  /** Arms this node's one timer for the earliest deadline in the database. */
  private async rearm(): Promise<void> {
    if (this.stopped) return;
    const r = await this.db.selectFrom('acd_call').select((eb) => [
      eb.fn.min('wait_deadline').filterWhere('state', '=', 'waiting').as('wait'),
      eb.fn.min('ring_deadline').filterWhere('state', '=', 'offered').as('ring'),
    ]).executeTakeFirst();
    for (const d of [r?.wait, r?.ring]) if (d) this.armAt(new Date(d as Date | string));
  }

  private armAt(at: Date): void {
    if (this.stopped) return;
    const t = at.getTime();
    if (this.wake && this.wake.at <= t) return;
    if (this.wake) clearTimeout(this.wake.timer);
    const timer = setTimeout(() => {
      this.wake = null;
      this.background(this.sweep());
    }, Math.max(0, t - Date.now()) + 5);
    timer.unref();
    this.wake = { at: t, timer };
  }

  // ── Steps inside a transaction ────────────────────────────────────────────────────────

  private async lockCall(tx: Db, callId: string, skipLocked: boolean): Promise<LockedCall | undefined> {
    const q = tx.selectFrom('acd_call').select(['call_id', 'queue_id', 'state', 'agent_id', 'arrived_at', 'wait_deadline']).where('call_id', '=', callId).forUpdate();
    return (skipLocked ? q.skipLocked() : q).executeTakeFirst();
  }

  /** `locked`: the agent's row, already locked (FOR UPDATE) in this transaction, so it is not read again. */
  private async transition(tx: Db, eff: Effects, agentId: string, event: AgentEvent, locked?: LockedAgentRow): Promise<void> {
    eff.transitions.push(await this.agents.applyIn(tx, agentId, event, { validateReason: false, ...(locked ? { locked } : {}) }));
  }

  /** For facts about agents' own (non-queue) calls: a state that does not fit is logged, never fatal to the record. */
  private async transitionIfAllowed(tx: Db, eff: Effects, agentId: string, event: AgentEvent, locked?: LockedAgentRow): Promise<void> {
    try {
      await this.transition(tx, eff, agentId, event, locked);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'CONFLICT') throw err;
      this.log.warn({ agentId, event: event.type, reason: err.message }, 'call fact does not fit the agent state: state left as is');
    }
  }

  private async endOffer(tx: Db, callId: string, agentId: string, outcome: OfferOutcome, at: Date): Promise<void> {
    await tx.updateTable('call_offer').set({ ended_at: at, outcome }).where('call_id', '=', callId).where('agent_id', '=', agentId).where('ended_at', 'is', null).execute();
  }

  /** The offered agent did not take the call: not ready (未接来电); the call waits again at its place, or overflows when its time is up. */
  private async failOffer(tx: Db, eff: Effects, c: LockedCall, failure: OfferFailure, at: Date): Promise<void> {
    const agentId = c.agent_id!;
    await this.transitionIfAllowed(tx, eff, agentId, { type: 'ring_no_answer', callId: c.call_id });
    await this.endOffer(tx, c.call_id, agentId, failure, at);
    eff.offersEnded.push([agentId, c.call_id, failure]);
    const now = new Date();
    if (c.wait_deadline <= now) {
      await this.overflow(tx, eff, c, now);
      return;
    }
    await tx.updateTable('acd_call').set({ state: 'waiting', agent_id: null, offered_at: null, ring_seconds: null, ring_deadline: null }).where('call_id', '=', c.call_id).execute();
    eff.queues.add(c.queue_id);
    eff.deadlines.push(c.wait_deadline);
    eff.drain = true;
  }

  private async overflow(tx: Db, eff: Effects, c: LockedCall, at: Date): Promise<void> {
    const rec = await tx.selectFrom('call_record').select(['caller', 'caller_normalised']).where('call_id', '=', c.call_id).executeTakeFirstOrThrow();
    await this.finishUnanswered(tx, eff, { callId: c.call_id, queueId: c.queue_id, caller: rec.caller, callerNormalised: rec.caller_normalised }, 'overflowed', 'system', at);
    eff.decisions.push({ kind: 'overflow', callId: c.call_id, reason: 'max_wait' });
  }

  /** A queue call leaves the ACD unanswered: its record ends with the result, and the caller gets a callback task. */
  private async finishUnanswered(
    tx: Db, eff: Effects,
    c: { callId: string; queueId: string; caller: string; callerNormalised: string },
    result: 'abandoned' | 'overflowed', by: 'caller' | 'system', at: Date,
  ): Promise<void> {
    await tx.deleteFrom('acd_call').where('call_id', '=', c.callId).execute();
    await tx.updateTable('call_record').set({ ended_at: at, ended_by: by, result }).where('call_id', '=', c.callId).where('ended_at', 'is', null).execute();
    const task = await recordMissedCall(tx, { caller: c.caller, callerNormalised: c.callerNormalised, queueId: c.queueId, reason: result, callId: c.callId, at });
    if (task) eff.callbacks.push(task);
    eff.queues.add(c.queueId);
  }

  /** A non-queue leg (or an answered queue call, which has left acd_call) was answered. */
  private async legAnswered(tx: Db, eff: Effects, callId: string, at: Date): Promise<void> {
    const rec = await tx.selectFrom('call_record').select(['direction', 'agent_id', 'peer_agent_id', 'answered_at', 'ended_at', 'callback_task_id'])
      .where('call_id', '=', callId).executeTakeFirst();
    if (!rec || rec.direction === 'inbound' || rec.answered_at || rec.ended_at) return; // unknown, or a repeated fact
    const callee = rec.peer_agent_id ?? (rec.direction === 'outbound' ? null : rec.agent_id);
    if (callee) {
      const s = await tx.selectFrom('agent_state').select('state').where('agent_id', '=', callee).forUpdate().executeTakeFirst();
      const reserved = s?.state.kind === 'reserved' && s.state.callId === callId;
      await this.transitionIfAllowed(tx, eff, callee, reserved ? { type: 'answer', callId } : { type: 'dial', callId });
    }
    await tx.updateTable('call_record').set({ answered_at: at }).where('call_id', '=', callId).where('answered_at', 'is', null).execute();
    if (rec.direction === 'outbound' && rec.callback_task_id && rec.agent_id) {
      const r = await tx.updateTable('callback_task')
        .set({ status: 'done', done_at: at, done_by: rec.agent_id, outcome: 'called_back', done_call_id: callId })
        .where('id', '=', rec.callback_task_id).where('status', '<>', 'done').executeTakeFirst();
      if (r.numUpdatedRows) eff.callbacks.push(rec.callback_task_id);
    }
  }

  /** A leg that left the ACD ended (hang-up after answer, or a non-queue leg nobody answered). */
  private async legEnded(tx: Db, eff: Effects, callId: string, by: 'caller' | 'agent' | 'system', at: Date): Promise<void> {
    const rec = await tx.selectFrom('call_record').select(['ended_at']).where('call_id', '=', callId).executeTakeFirst();
    if (!rec || rec.ended_at) return;
    await this.endLeg(tx, eff, callId, by, at, null);
  }

  /** `known`: the record's parties and answer time, when the caller has just read them (not read again). */
  private async endLeg(
    tx: Db, eff: Effects, callId: string, by: 'caller' | 'agent' | 'system', at: Date, result: 'transferred' | null,
    known?: { agent_id: string | null; peer_agent_id: string | null; answered_at: Date | null },
  ): Promise<void> {
    const rec = known ?? await tx.selectFrom('call_record').select(['agent_id', 'peer_agent_id', 'answered_at'])
      .where('call_id', '=', callId).executeTakeFirstOrThrow();
    // Agents first (lock order: agent_state before call_record). The locked row goes to the transition as it is.
    for (const agentId of [rec.agent_id, rec.peer_agent_id]) {
      if (!agentId) continue;
      const s: LockedAgentRow | undefined = await tx.selectFrom('agent_state as s').selectAll('s').select(agentGroupIds('s').as('group_ids'))
        .where('s.agent_id', '=', agentId).forUpdate().executeTakeFirst();
      if (!s || !('callId' in s.state) || s.state.callId !== callId) continue;
      if (s.state.kind === 'reserved') await this.transitionIfAllowed(tx, eff, agentId, { type: 'offer_withdrawn', callId }, s);
      else if (s.state.kind === 'on_call') await this.transitionIfAllowed(tx, eff, agentId, { type: 'call_ended', callId }, s);
    }
    const final = result ?? (rec.answered_at ? 'answered' : 'missed');
    const r = await tx.updateTable('call_record').set({ ended_at: at, ended_by: by, result: final }).where('call_id', '=', callId).where('ended_at', 'is', null).executeTakeFirst();
    if (!r.numUpdatedRows) return;
    await tx.updateTable('call_hold').set({ resumed_at: at }).where('call_id', '=', callId).where('resumed_at', 'is', null).execute();
    // Link the agent's recording of this call (the softphone uploads it during the call).
    if (rec.agent_id) {
      await sql`update call_record set recording_id = (
          select id from call_recording where sip_call_id = ${callId} and agent_id = ${rec.agent_id} order by started_at desc limit 1)
        where call_id = ${callId} and recording_id is null`.execute(tx);
    }
  }

  // ── After commit ──────────────────────────────────────────────────────────────────────

  /**
   * `ring: 'background'` (drain passes): the decisions go out without holding up the next
   * offer of the pass while a console paints; `settled()` still waits for them.
   */
  private async commit(eff: Effects, ring: 'await' | 'background' = 'await'): Promise<void> {
    if (ring === 'background') this.background(this.ring(eff));
    else await this.ring(eff);
    for (const [agentId, callId, reason] of eff.offersEnded) this.pushes.offerEnded(agentId, callId, reason);
    for (const t of eff.transitions) await this.agents.afterCommit(t);
    for (const q of eff.queues) this.pushes.queueChanged(q);
    if (eff.callbacks.length) this.pushes.callbacksChanged([...new Set(eff.callbacks)]);
    for (const d of eff.deadlines) this.armAt(d);
    if (eff.drain) await this.drain();
  }

  /** Offers' pushes, then the routing decisions (the caller is waiting on them). */
  private async ring(eff: Effects): Promise<void> {
    // The agent's console shows an offer before its phone rings: a browser that gets the INVITE
    // first renders the ringing phone (15–30 ms of React work, measured) before the screen pop
    // can paint. The ring waits for the console to say it painted, at most offerLeadMs.
    if (eff.offers.length) {
      const pushed = Promise.all(eff.offers.map(([agentId, offer]) => this.pushes.offered(agentId, offer)));
      const leadMs = this.options.offerLeadMs ?? 100;
      if (leadMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        const lead = new Promise<void>((resolve) => (timer = setTimeout(resolve, leadMs)));
        await Promise.race([pushed, lead]).finally(() => clearTimeout(timer));
      }
    }
    for (const d of eff.decisions) await this.deliver(d);
  }

  private async deliver(d: RoutingDecision): Promise<void> {
    const sink = this.sink;
    if (sink && (!sink.holds || sink.holds(d.callId))) {
      try {
        sink.decide(d);
      } catch (err) {
        this.log.error({ err, callId: d.callId, kind: d.kind }, 'the SIP side refused a routing decision');
      }
      return;
    }
    if (this.relay) {
      await this.relay.publish(d).catch((err: unknown) => this.log.error({ err, callId: d.callId }, 'relaying a routing decision failed'));
      return;
    }
    this.log.warn({ callId: d.callId, kind: d.kind }, 'no SIP side for this routing decision: dropped');
  }

  /** A decision another node made for a call this node's SIP side holds. */
  deliverRelayed(d: RoutingDecision): void {
    const sink = this.sink;
    if (!sink || (sink.holds && !sink.holds(d.callId))) return;
    try {
      sink.decide(d);
    } catch (err) {
      this.log.error({ err, callId: d.callId, kind: d.kind }, 'the SIP side refused a relayed routing decision');
    }
  }
}

/**
 * Agents who may take a call of this queue now: ready, with an extension, enabled, in a group
 * allowed for the queue.
 */
function eligibleAgents(queueId: ReturnType<typeof sql>) {
  return sql`
    select s2.agent_id
    from agent_state s2
    join app_user u2 on u2.id = s2.agent_id
    where (s2.state ->> 'kind') = 'ready' and u2.extension is not null and not u2.disabled
      and exists (select 1 from group_member gm join acd_queue_group qg on qg.group_id = gm.group_id
                  where gm.user_id = s2.agent_id and qg.queue_id = ${queueId})`;
}

/** Queues that have at least one eligible ready agent now (ready, with an extension, enabled, in an allowed group). */
function queuesWithReadyAgents() {
  return sql`
    select qg.queue_id
    from acd_queue_group qg
    join group_member gm on gm.group_id = qg.group_id
    join agent_state s2 on s2.agent_id = gm.user_id
    join app_user u2 on u2.id = s2.agent_id
    where (s2.state ->> 'kind') = 'ready' and u2.extension is not null and not u2.disabled`;
}
