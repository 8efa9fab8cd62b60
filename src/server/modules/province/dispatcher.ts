/**
 * The outbox dispatcher: claims ticket streams, sends their next events to the province in
 * batches and records per-item results. One instance per backend node; any number of nodes.
 *
 * - Claiming: `FOR UPDATE SKIP LOCKED` over due streams plus a lease (owner, token, until),
 *   so only one node sends a given ticket's events at a time, and a node that dies mid-batch
 *   leaves only a lease that expires. Results are written under the claim's token; acks are
 *   written regardless (the province holding an event is a fact whoever learns it).
 * - Order: a stream's events go out in seq order; a batch carries at most `maxPerTicket`
 *   consecutive events of one ticket and the province answers `retry` to anything after a gap.
 * - Failures: transport failures (timeout, network, 5xx) back the claimed streams off
 *   exponentially with jitter (cockatiel's decorrelated-jitter backoff) and feed a circuit
 *   breaker (cockatiel) that stops this node sending while the province is down. A per-item
 *   `rejected` or a 4xx for a single event dead-letters it with the province's message and
 *   holds the ticket's later events until an admin re-sends it.
 * - Retries after a timeout reuse the idempotency key, so the province stores the event once.
 */
import { randomUUID } from 'node:crypto';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleType, type CircuitBreakerPolicy } from 'cockatiel';
import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { ProvinceBatchItem, ProvinceItemResult } from '../../../shared/api/province.js';
import type { Db } from '../../db/database.js';
import type { AttemptOutcome } from '../../db/schema-province.js';
import { TransportError, type BatchOutcome, type ProvinceClient } from './province-client.js';
import { VoiceRejected, type VoiceUploader } from './voice.js';

export interface DispatcherOptions {
  /** This node's name in leases and the attempt log. */
  node: string;
  /** Most events per batch. */
  batchSize: number;
  /** Poll interval when the outbox has less than a batch. */
  intervalMs: number;
  /** Batches in flight at once on this node. */
  concurrency: number;
  /** How long a claim holds; must exceed the request timeout comfortably. */
  leaseMs: number;
  /** Consecutive events of one ticket in one batch. */
  maxPerTicket: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Consecutive failed batches that open the circuit, and how long it stays open. */
  breakerThreshold: number;
  breakerHalfOpenMs: number;
}

export const defaultDispatcherOptions: Omit<DispatcherOptions, 'node'> = {
  batchSize: 200,
  intervalMs: 500,
  concurrency: 2,
  leaseMs: 60_000,
  maxPerTicket: 20,
  backoffInitialMs: 1000,
  backoffMaxMs: 5 * 60_000,
  breakerThreshold: 5,
  breakerHalfOpenMs: 30_000,
};

interface ClaimedStream {
  ticket_no: string;
  acked_seq: number;
  attempts: number;
}

interface OutboxItem {
  id: number;
  ticket_no: string;
  seq: number;
  payload: ProvinceBatchItem;
}

/** What one stream's slice of a batch came to. */
interface StreamResult {
  ticketNo: string;
  /** Highest seq now acknowledged by the province (0: none in this batch), and how many events that was. */
  acked: number;
  ackedItems?: number;
  /** Outbox ids of the events acknowledged in this batch, and the province's receipt for each. */
  ackedIds?: number[];
  ackedReceipts?: (string | null)[];
  /** The event that failed (the stream's head after its acked ones). */
  failedId?: number;
  /** A rejected event: dead letter. */
  dead?: { id: number; seq: number; code: string; message: string };
  /** Nothing more from this stream now: back off (attempt count +1). */
  backoff: boolean;
  error?: string;
}

export type DispatcherCircuit = 'closed' | 'open' | 'half_open' | 'isolated' | 'stopped';

export class ProvinceDispatcher {
  readonly opts: DispatcherOptions;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly backoff: ExponentialBackoff<unknown>;
  private running = false;
  private aborted = false;
  private loops: Promise<void>[] = [];
  private readonly inflight = new AbortController();
  private wake: (() => void) | null = null;
  private openUntil = 0;

  constructor(
    private readonly db: Db,
    private readonly client: ProvinceClient,
    opts: Partial<DispatcherOptions> & { node: string },
    private readonly log: FastifyBaseLogger,
    /** Uploads a voice event's audio before the event goes out; without it voice events wait. */
    private readonly voice: VoiceUploader | null = null,
  ) {
    this.opts = { ...defaultDispatcherOptions, ...opts };
    this.backoff = new ExponentialBackoff({ initialDelay: this.opts.backoffInitialMs, maxDelay: this.opts.backoffMaxMs });
    this.breaker = circuitBreaker(handleType(TransportError), {
      halfOpenAfter: this.opts.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(this.opts.breakerThreshold),
    });
    this.breaker.onBreak(() => {
      this.openUntil = Date.now() + this.opts.breakerHalfOpenMs;
      this.log.warn({ halfOpenAfterMs: this.opts.breakerHalfOpenMs }, 'province circuit opened: pausing sends');
    });
    this.breaker.onReset(() => this.log.info('province circuit closed: sending again'));
  }

  get circuit(): DispatcherCircuit {
    if (!this.running) return 'stopped';
    switch (this.breaker.state) {
      case CircuitState.Closed: return 'closed';
      case CircuitState.Open: return 'open';
      case CircuitState.HalfOpen: return 'half_open';
      case CircuitState.Isolated: return 'isolated';
    }
  }

  /** The backoff before attempt n+1 after n consecutive failures (jittered, capped). */
  delayAfter(failures: number): number {
    let b = this.backoff.next();
    for (let i = 1; i < Math.min(failures, 30); i++) b = b.next(undefined);
    return Math.round(b.duration);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < this.opts.concurrency; i++) this.loops.push(this.loop());
  }

  /** Graceful: no new claims, waits for batches in flight to record their results. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  /**
   * Like a crash: stops at once, cancels requests in flight and writes nothing more — claims
   * stay until their lease expires. For tests of what another node does after a kill.
   */
  abort(): void {
    this.aborted = true;
    this.running = false;
    this.inflight.abort();
    this.wake?.();
  }

  /** Asks the loops to look now (e.g. after a commit on this node). */
  nudge(): void {
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const prev = this.wake;
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        prev?.();
        done();
      };
    });
  }

  private async loop(): Promise<void> {
    while (this.running) {
      // cockatiel half-opens on the first call after halfOpenAfter; until then, do not even claim.
      if (this.breaker.state === CircuitState.Open && Date.now() < this.openUntil) {
        await this.sleep(Math.max(10, Math.min(this.openUntil - Date.now(), this.opts.intervalMs)));
        continue;
      }
      let sent = 0;
      try {
        sent = await this.runOnce();
      } catch (err) {
        if (!this.aborted) this.log.error({ err }, 'province dispatcher pass failed');
        await this.sleep(this.opts.intervalMs);
        continue;
      }
      if (sent < this.opts.batchSize && this.running) await this.sleep(this.opts.intervalMs);
    }
  }

  /** Claims due streams with this claim's token; returns them (empty when none are due). */
  private async claim(token: string): Promise<ClaimedStream[]> {
    const r = await sql<ClaimedStream>`
      WITH due AS (
        SELECT ticket_no FROM province_stream
        WHERE acked_seq < last_seq AND blocked_seq IS NULL AND next_attempt_at <= now()
          AND (lease_until IS NULL OR lease_until < now())
        ORDER BY next_attempt_at
        LIMIT ${this.opts.batchSize}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE province_stream s
      SET lease_owner = ${this.opts.node}, lease_token = ${token}::uuid,
          lease_until = now() + make_interval(secs => ${this.opts.leaseMs / 1000})
      WHERE s.ticket_no = ANY(ARRAY(SELECT ticket_no FROM due))
      RETURNING s.ticket_no, s.acked_seq, s.attempts`.execute(this.db);
    return r.rows;
  }

  /** The claimed streams' next events: every stream's head first, then later ones, up to a batch. */
  private async load(token: string, ticketNos: string[]): Promise<OutboxItem[]> {
    const r = await sql<OutboxItem & { rank: number }>`
      SELECT o.id, o.ticket_no, o.seq, o.payload, o.seq - s.acked_seq AS rank
      FROM province_stream s
      JOIN province_outbox o ON o.ticket_no = s.ticket_no AND o.seq > s.acked_seq AND o.seq <= s.acked_seq + ${this.opts.maxPerTicket}
      WHERE s.ticket_no = ANY(${ticketNos}::text[]) AND s.lease_token = ${token}::uuid
      ORDER BY rank, s.ticket_no
      LIMIT ${this.opts.batchSize}`.execute(this.db);
    return r.rows.map((row) => ({ ...row, id: Number(row.id) })).sort((a, b) => (a.ticket_no < b.ticket_no ? -1 : a.ticket_no > b.ticket_no ? 1 : a.seq - b.seq));
  }

  /**
   * One pass: claim, send one batch, record results. Returns the number of events sent.
   * Public so tests and the bench can drive the dispatcher step by step.
   */
  async runOnce(): Promise<number> {
    const token = randomUUID();
    const claimed = await this.claim(token);
    if (!claimed.length) return 0;
    let items = await this.load(token, claimed.map((c) => c.ticket_no));
    const byStream = new Map<string, OutboxItem[]>();
    for (const it of items) {
      const list = byStream.get(it.ticket_no) ?? [];
      list.push(it);
      byStream.set(it.ticket_no, list);
    }
    // Streams without an item in this batch (batch full, or a stream whose head vanished) go back.
    const idle = claimed.filter((c) => !byStream.has(c.ticket_no)).map((c) => c.ticket_no);
    if (idle.length) await this.release(token, idle);
    if (!items.length) return 0;
    let handled = 0;
    if (items.some((i) => i.payload.type === 'voice')) {
      handled = await this.uploadVoices(token, byStream, claimed);
      items = items.filter((i) => byStream.get(i.ticket_no)?.includes(i));
      if (!items.length) return handled;
    }

    const batchId = randomUUID();
    const started = Date.now();
    let outcome: BatchOutcome;
    try {
      outcome = await this.breaker.execute(() => this.client.sendBatch({ batchId, sentAt: new Date().toISOString(), items: items.map((i) => i.payload) }, this.inflight.signal));
    } catch (err) {
      if (this.aborted) return 0;
      const reason: AttemptOutcome = err instanceof BrokenCircuitError ? 'circuit_open' : err instanceof TransportError ? err.reason : 'network';
      const message = err instanceof Error ? err.message : String(err);
      if (reason === 'circuit_open') {
        // Not an attempt: put the streams back untouched, due when the circuit may half-open.
        await this.release(token, [...byStream.keys()], Math.max(0, this.openUntil - Date.now()));
        return 0;
      }
      this.log.warn({ batchId, items: items.length, reason, message }, 'province batch failed; backing off');
      await this.record(token, batchId, started, items.length, reason, message,
        [...byStream.entries()].map(([ticketNo, list]) => ({ ticketNo, acked: 0, backoff: true, failedId: list[0]!.id, error: `${reason}: ${message}` })), claimed);
      return handled + items.length;
    }
    if (this.aborted) return 0;

    if (outcome.kind === 'rejected') {
      if (items.length === 1) {
        const it = items[0]!;
        await this.record(token, batchId, started, 1, 'http_4xx', `${outcome.status} ${outcome.code}`,
          [{ ticketNo: it.ticket_no, acked: 0, backoff: false, dead: { id: it.id, seq: it.seq, code: outcome.code, message: outcome.message } }], claimed);
        return 1;
      }
      // The province refused the whole batch: find the culprit(s) by sending each event alone.
      this.log.warn({ batchId, status: outcome.status, code: outcome.code }, 'province refused a batch; retrying its events one by one');
      await this.logAttempt(batchId, started, items.length, 'http_4xx', 0, 0, 0, `${outcome.status} ${outcome.code}: ${outcome.message}`);
      return this.sendSingly(token, byStream, claimed);
    }

    const results = new Map(outcome.response.results.map((r) => [r.key, r]));
    const streams = [...byStream.entries()].map(([ticketNo, list]) => this.judge(ticketNo, list, results));
    await this.record(token, batchId, started, items.length, 'ok', null, streams, claimed);
    return handled + items.length;
  }

  /**
   * The audio of the voice events about to be sent goes up first. A stream whose voice event is
   * not its first item in this batch sends only what precedes it (the voice event leads its next
   * batch); one whose head is the voice event leaves the batch, backing off or dead-lettered.
   * Returns how many events were settled here.
   */
  private async uploadVoices(token: string, byStream: Map<string, OutboxItem[]>, claimed: ClaimedStream[]): Promise<number> {
    const failures: StreamResult[] = [];
    let reason: AttemptOutcome = 'ok';
    const started = Date.now();
    for (const [ticketNo, list] of byStream) {
      const at = list.findIndex((i) => i.payload.type === 'voice');
      if (at < 0) continue;
      const it = list[at]!;
      let failure: StreamResult | null = null;
      if (!this.voice) {
        failure = { ticketNo, acked: 0, backoff: true, failedId: it.id, error: 'voice upload not configured on this node' };
      } else {
        try {
          await this.breaker.execute(() => this.voice!.upload(it.payload, this.inflight.signal));
        } catch (err) {
          if (this.aborted) return 0;
          const message = err instanceof Error ? err.message : String(err);
          if (err instanceof VoiceRejected) {
            failure = { ticketNo, acked: 0, backoff: false, dead: { id: it.id, seq: it.seq, code: err.code, message } };
            reason = 'http_4xx';
          } else {
            failure = { ticketNo, acked: 0, backoff: true, failedId: it.id, error: `voice upload: ${message}` };
            reason = err instanceof TransportError ? err.reason : err instanceof BrokenCircuitError ? 'circuit_open' : 'network';
          }
        }
      }
      if (!failure) continue;
      if (at > 0) {
        list.length = at; // send what precedes it; the voice event is retried (or refused) as the head
      } else {
        byStream.delete(ticketNo);
        failures.push(failure);
      }
    }
    if (failures.length) {
      this.log.warn({ streams: failures.length, reason }, 'province voice upload failed');
      await this.record(token, randomUUID(), started, failures.length, reason === 'ok' ? 'network' : reason, 'voice upload', failures, claimed);
    }
    return failures.length;
  }

  /** After a whole-batch 4xx: each stream's head alone, so one bad event cannot block the rest. */
  private async sendSingly(token: string, byStream: Map<string, OutboxItem[]>, claimed: ClaimedStream[]): Promise<number> {
    let n = 0;
    for (const [ticketNo, list] of byStream) {
      const it = list[0]!;
      const batchId = randomUUID();
      const started = Date.now();
      let result: StreamResult;
      let outcome: AttemptOutcome = 'ok';
      try {
        const o = await this.breaker.execute(() => this.client.sendBatch({ batchId, sentAt: new Date().toISOString(), items: [it.payload] }, this.inflight.signal));
        if (o.kind === 'rejected') {
          outcome = 'http_4xx';
          result = { ticketNo, acked: 0, backoff: false, dead: { id: it.id, seq: it.seq, code: o.code, message: o.message } };
        } else {
          result = this.judge(ticketNo, [it], new Map(o.response.results.map((r) => [r.key, r])));
        }
      } catch (err) {
        if (this.aborted) return n;
        outcome = err instanceof TransportError ? err.reason : err instanceof BrokenCircuitError ? 'circuit_open' : 'network';
        result = { ticketNo, acked: 0, backoff: true, failedId: it.id, error: err instanceof Error ? err.message : String(err) };
      }
      if (this.aborted) return n;
      await this.record(token, batchId, started, 1, outcome, null, [result], claimed);
      n++;
    }
    return n;
  }

  /** Walks one stream's events in order against the province's per-item results. */
  private judge(ticketNo: string, list: OutboxItem[], results: Map<string, ProvinceItemResult>): StreamResult {
    const out: StreamResult = { ticketNo, acked: 0, backoff: false };
    for (const it of list) {
      const r = results.get(it.payload.key);
      if (r && (r.status === 'accepted' || r.status === 'duplicate')) {
        out.acked = it.seq;
        out.ackedItems = (out.ackedItems ?? 0) + 1;
        (out.ackedIds ??= []).push(it.id);
        (out.ackedReceipts ??= []).push(r.receipt ?? null);
        continue;
      }
      if (r?.status === 'rejected') {
        out.dead = { id: it.id, seq: it.seq, code: r.code ?? 'REJECTED', message: r.message ?? '省平台拒收' };
      } else {
        out.backoff = true;
        out.failedId = it.id;
        out.error = r ? `retry: ${r.code ?? ''} ${r.message ?? ''}`.trim() : 'no result for this event';
      }
      break;
    }
    return out;
  }

  private async release(token: string, ticketNos: string[], delayMs = 0): Promise<void> {
    // Rows locked in ticket-number order first (see record()).
    await sql`
      WITH mine AS (
        SELECT ticket_no FROM province_stream WHERE lease_token = ${token}::uuid AND ticket_no = ANY(${ticketNos}::text[])
        ORDER BY ticket_no FOR NO KEY UPDATE
      )
      UPDATE province_stream SET lease_owner = NULL, lease_token = NULL, lease_until = NULL,
        next_attempt_at = greatest(next_attempt_at, now() + make_interval(secs => ${delayMs / 1000}))
      WHERE ticket_no IN (SELECT ticket_no FROM mine) AND lease_token = ${token}::uuid`.execute(this.db);
  }

  private async logAttempt(batchId: string, started: number, items: number, outcome: AttemptOutcome, accepted: number, rejected: number, retried: number, detail: string | null, db: Db = this.db): Promise<void> {
    await db.insertInto('province_attempt').values({
      node: this.opts.node, batch_id: batchId, items, outcome, accepted, rejected, retried, duration_ms: Date.now() - started, detail: detail?.slice(0, 1000) ?? null,
    }).execute();
  }

  /** Writes a batch's results in one transaction: acks, dead letters, backoffs, lease release, ticket sync state. */
  private async record(token: string, batchId: string, started: number, items: number, outcome: AttemptOutcome, detail: string | null, streams: StreamResult[], claimed: ClaimedStream[]): Promise<void> {
    const attemptsBefore = new Map(claimed.map((c) => [c.ticket_no, c.attempts]));
    const ackedSeqs = streams.filter((s) => s.acked > 0);
    const dead = streams.filter((s) => s.dead);
    const backoff = streams.filter((s) => s.backoff);
    await this.db.transaction().execute(async (tx) => {
      // Lock order: tickets, then streams, each sorted — the order a ticket change takes them (the
      // change, then its outbox event). Updating streams first and tickets after deadlocked
      // against agents changing the same tickets; unsorted rows deadlocked against multi-ticket changes.
      const lockNos = [...new Set(streams.map((s) => s.ticketNo))].sort();
      await sql`
        SELECT t.id FROM ticket t JOIN province_stream s ON s.ticket_id = t.id
        WHERE s.ticket_no = ANY(${lockNos}::text[]) ORDER BY t.id FOR NO KEY UPDATE OF t`.execute(tx);
      await sql`SELECT ticket_no FROM province_stream WHERE ticket_no = ANY(${lockNos}::text[]) ORDER BY ticket_no FOR NO KEY UPDATE`.execute(tx);
      const ackedIds = ackedSeqs.flatMap((s) => s.ackedIds ?? []);
      if (ackedIds.length) {
        // The province's receipt (回执号) is kept per event: it is what its staff quote back to us.
        const receipts = ackedSeqs.flatMap((s) => s.ackedReceipts ?? (s.ackedIds ?? []).map(() => null));
        // `id = ANY(...)` as well as the join: joining against unnest() alone made planners scan the whole table.
        await sql`
          UPDATE province_outbox o SET state = 'sent', sent_at = now(), attempts = o.attempts + 1, last_error = NULL,
                 receipt = coalesce(v.receipt, o.receipt)
          FROM unnest(${ackedIds}::bigint[], ${receipts}::text[]) AS v(id, receipt)
          WHERE o.id = v.id AND o.id = ANY(${ackedIds}::bigint[]) AND o.state = 'pending'`.execute(tx);
      }
      for (const s of dead) {
        await tx.updateTable('province_outbox')
          .set({ state: 'dead', dead_at: sql<Date>`now()`, attempts: sql<number>`attempts + 1`, province_code: s.dead!.code.slice(0, 100), province_message: s.dead!.message.slice(0, 2000), last_error: `rejected: ${s.dead!.code}` })
          .where('id', '=', s.dead!.id).where('state', '=', 'pending').execute();
      }
      if (backoff.length) {
        const errs = backoff.filter((s) => s.error && s.failedId !== undefined);
        if (errs.length) {
          // The head events that failed: count the attempt and keep the reason for admins.
          const ids = errs.map((s) => s.failedId!);
          await sql`
            UPDATE province_outbox o SET attempts = o.attempts + 1, last_error = v.err
            FROM unnest(${ids}::bigint[], ${errs.map((s) => s.error!.slice(0, 500))}::text[]) AS v(id, err)
            WHERE o.id = v.id AND o.id = ANY(${ids}::bigint[]) AND o.state = 'pending'`.execute(tx);
        }
      }
      // Streams: acks are monotonic and unfenced; backoff, blocking and lease only under our claim.
      const nos = streams.map((s) => s.ticketNo);
      const acked = streams.map((s) => s.acked);
      const blocked = streams.map((s) => s.dead?.seq ?? null);
      const delays = streams.map((s) => (s.backoff ? this.delayAfter((attemptsBefore.get(s.ticketNo) ?? 0) + 1) / 1000 : 0));
      const attempts = streams.map((s) => (s.backoff ? (attemptsBefore.get(s.ticketNo) ?? 0) + 1 : 0));
      const updated = await sql<{ ticket_id: string | null; acked_seq: number; last_seq: number; blocked_seq: number | null }>`
        UPDATE province_stream s SET
          acked_seq = greatest(s.acked_seq, v.acked),
          blocked_seq = CASE WHEN s.lease_token = ${token}::uuid THEN coalesce(v.blocked, s.blocked_seq) ELSE s.blocked_seq END,
          attempts = CASE WHEN s.lease_token = ${token}::uuid THEN v.attempts ELSE s.attempts END,
          next_attempt_at = CASE WHEN s.lease_token = ${token}::uuid THEN now() + make_interval(secs => v.delay) ELSE s.next_attempt_at END,
          lease_owner = CASE WHEN s.lease_token = ${token}::uuid THEN NULL ELSE s.lease_owner END,
          lease_until = CASE WHEN s.lease_token = ${token}::uuid THEN NULL ELSE s.lease_until END,
          lease_token = CASE WHEN s.lease_token = ${token}::uuid THEN NULL ELSE s.lease_token END,
          updated_at = now()
        FROM unnest(${nos}::text[], ${acked}::int[], ${blocked}::int[], ${delays}::float8[], ${attempts}::int[]) AS v(ticket_no, acked, blocked, delay, attempts)
        WHERE s.ticket_no = v.ticket_no AND s.ticket_no = ANY(${nos}::text[])
        RETURNING s.ticket_id, s.acked_seq, s.last_seq, s.blocked_seq`.execute(tx);
      // The ticket's 待同步 / 已同步 / 失败 follows its stream.
      const synced = updated.rows.filter((r) => r.ticket_id && r.acked_seq === r.last_seq);
      const failed = updated.rows.filter((r) => r.ticket_id && r.blocked_seq !== null);
      if (synced.length) {
        await sql`
          UPDATE ticket t SET sync_state = 'synced', last_pushed_seq = v.seq, synced_at = now(), sync_error = NULL
          FROM unnest(${synced.map((r) => r.ticket_id)}::uuid[], ${synced.map((r) => r.acked_seq)}::int[]) AS v(id, seq)
          WHERE t.id = v.id AND t.id = ANY(${synced.map((r) => r.ticket_id)}::uuid[])`.execute(tx);
      }
      for (const s of dead) {
        const row = updated.rows.find((r) => r.blocked_seq === s.dead!.seq && r.ticket_id);
        if (row && failed.includes(row)) {
          await tx.updateTable('ticket').set({ sync_state: 'failed', sync_error: `${s.dead!.code}: ${s.dead!.message}`.slice(0, 2000) }).where('id', '=', row.ticket_id!).execute();
        }
      }
      const acceptedCount = streams.reduce((n, s) => n + (s.ackedItems ?? 0), 0);
      await this.logAttempt(batchId, started, items, outcome, outcome === 'ok' ? acceptedCount : 0, dead.length, backoff.length, detail, tx as unknown as Db);
    });
  }
}
