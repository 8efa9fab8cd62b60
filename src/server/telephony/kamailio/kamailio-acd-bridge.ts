/**
 * The SIP side of the ACD for our Kamailio: turns the call facts Kamailio pushes over evapi
 * into CallRouter calls, and carries the router's RoutingDecisions back to the suspended
 * transactions (RoutingDecisionSink). It owns the correlation Call-ID → tm transaction
 * (index, label), which calls wait for a decision (a decision for a call that is not
 * waiting is dropped with a log line), and which agent is on which side of a live call
 * (for hold and transfers). It publishes the queue numbers Kamailio must suspend (htable
 * "queues") and re-arms Kamailio's memory after a restart. Facts about one call reach the
 * router in the order Kamailio saw them (one promise chain per call).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { CallLegStart, CallRouter, OfferFailure, RoutingDecision, RoutingDecisionSink } from '../../modules/acd/call-router.js';
import { EvapiClient } from './evapi-client.js';
import type { KamailioEvent } from './evapi-protocol.js';
import type { KamailioRpc } from './kamailio-rpc.js';
import type { IvrService } from '../ivr/ivr-service.js';

interface TrackedCall {
  kind: 'queue' | 'leg';
  /** tm transaction of a queue call (0 for legs). */
  index: number;
  label: number;
  /** waiting: suspended, a decision is due; offering/ringing: a phone rings; answered: until BYE. */
  state: 'waiting' | 'offering' | 'ringing' | 'answered';
  /** Agents on either side: queue calls have the offered agent as callee; legs as resolved from extensions. */
  callerAgentId: string | null;
  calleeAgentId: string | null;
  /** User parts of both sides (a transfer finds its parent by them). */
  callerUser: string;
  calleeExtension: string | null;
  /** The caller's From tag (answered calls): Kamailio tells who sent a BYE by it. */
  ftag?: string | undefined;
  /** Sides currently holding the other (an agent's re-INVITE with sendonly/inactive). */
  holding: Set<'caller' | 'callee'>;
  since: number;
  /** Facts of this call, in order. */
  chain: Promise<void>;
}

/** Final SIP status of an agent's branch → why the offer failed. */
export function offerFailureOf(code: number): OfferFailure {
  if (code === 408 || code === 487) return 'no_answer';
  if (code === 486 || code === 600) return 'busy';
  if (code === 404 || code === 410 || code === 480 || code === 484 || (code >= 500 && code < 600)) return 'unavailable';
  return 'rejected';
}

/** The final reply the caller gets for an overflow (the announcement comes in a later issue). */
const OVERFLOW_REPLY: Record<Extract<RoutingDecision, { kind: 'overflow' }>['reason'], { status: number; reason: string }> = {
  max_wait: { status: 480, reason: 'No Agent Available' },
  queue_full: { status: 486, reason: 'Queue Full' },
  closed: { status: 480, reason: 'Queue Closed' },
};

/** A SIP reason phrase we put on the wire: printable ASCII only, bounded. */
export function reasonPhrase(reason: string, fallback: string): string {
  const clean = reason.replace(/[^\x20-\x7e]/g, '').trim().slice(0, 64);
  return clean || fallback;
}

const EXTENSION = /^[0-9A-Za-z._-]{1,32}$/;

export interface KamailioAcdBridgeOptions {
  evapiPort: number;
  /** The shared secret Kamailio checks in the evapi hello (the SIP secret). */
  secret: string;
  log: FastifyBaseLogger;
  /** The agent whose extension this is, if any (legs between extensions and citizens). */
  agentOfExtension?: (extension: string) => Promise<string | null>;
}

export class KamailioAcdBridge implements RoutingDecisionSink {
  private readonly client: EvapiClient;
  private readonly calls = new Map<string, TrackedCall>();
  private router: CallRouter | null = null;
  private numbers: () => Promise<string[]> = async () => [];
  private pushedNumbers: string | null = null;
  private rpc: KamailioRpc | null = null;
  private readyOnce = false;
  private readonly sweeper: NodeJS.Timeout;
  private readonly log: FastifyBaseLogger;
  /** The voice service (announcements, menu, music on hold) for trunk calls with media; null: calls just wait. */
  ivr: IvrService | null = null;
  /** Told of every answered call (2xx to its INVITE) before the ACD is: server-side recording starts there. */
  onCallAnswered: ((callId: string) => void) | null = null;

  constructor(private readonly o: KamailioAcdBridgeOptions) {
    this.log = o.log.child({ module: 'acd-sip' });
    this.client = new EvapiClient({ port: o.evapiPort, secret: o.secret, log: this.log, onEvent: (e) => this.onEvent(e) });
    this.sweeper = setInterval(() => {
      // Calls Kamailio never reported the end of (a party vanished without BYE) fade out
      // with Kamailio's own answered-call table (12 h).
      const cutoff = Date.now() - 13 * 3600_000;
      for (const [id, c] of this.calls) if (c.since < cutoff) this.calls.delete(id);
      // Queues edited on another node reach this node's Kamailio within a minute.
      this.refreshQueueNumbers().catch((err: unknown) => this.log.warn({ err }, 'refreshing queue numbers failed'));
    }, 60_000);
    this.sweeper.unref();
  }

  /**
   * The ACD routes calls to the numbers `numbers` lists (re-read on every Kamailio start and
   * after refreshQueueNumbers); Kamailio connects them to us from now on.
   */
  async attach(router: CallRouter, numbers: () => Promise<string[]>): Promise<void> {
    this.router = router;
    this.numbers = numbers;
    this.pushedNumbers = null;
    await this.refreshQueueNumbers();
    this.client.start();
  }

  get linkUp(): boolean {
    return this.client.connected;
  }

  waitLinkUp(timeoutMs?: number): Promise<void> {
    return this.client.waitUp(timeoutMs);
  }

  /** Queue calls waiting for a decision or ringing an agent (health, tests). */
  get pendingCalls(): number {
    let n = 0;
    for (const c of this.calls.values()) if (c.kind === 'queue' && c.state !== 'answered') n++;
    return n;
  }

  /** RoutingDecisionSink: this node's Kamailio holds the call (decisions for it can be delivered here). */
  holds(callId: string): boolean {
    return this.calls.get(callId)?.kind === 'queue';
  }

  /** Pushes the current queue numbers to Kamailio when they changed (queues edited). */
  async refreshQueueNumbers(): Promise<void> {
    if (!this.rpc || !this.router) return;
    const numbers = [...new Set(await this.numbers())].filter((n) => {
      const ok = /^[0-9A-Za-z*#+._-]{1,32}$/.test(n);
      if (!ok) this.log.error({ number: n }, 'queue number not dialable; not routed');
      return ok;
    });
    const key = numbers.sort().join(',');
    if (key === this.pushedNumbers) return;
    const rpc = this.rpc;
    await rpc.call('htable.flush', 'queues');
    for (const n of numbers) await rpc.call('htable.seti', 'queues', n, 1);
    this.pushedNumbers = key;
    this.log.info({ numbers }, 'queue numbers published to Kamailio');
  }

  /** After every Kamailio (re)start: its memory is empty again. */
  async kamailioReady(rpc: KamailioRpc): Promise<void> {
    this.rpc = rpc;
    this.pushedNumbers = null;
    await this.refreshQueueNumbers();
    this.client.kick();
    if (this.readyOnce) await this.afterRestart(rpc);
    this.readyOnce = true;
  }

  /** Transactions died with the old Kamailio; answered calls keep going and need their BYE seen. */
  private async afterRestart(rpc: KamailioRpc): Promise<void> {
    const at = new Date();
    for (const [callId, c] of [...this.calls]) {
      if (c.state === 'answered') {
        await rpc.call('htable.sets', 'acdcall', `${callId}::agent`, c.calleeAgentId ?? '-').catch(() => undefined);
        if (c.ftag) await rpc.call('htable.sets', 'acdcall', `${callId}::ftag`, c.ftag).catch(() => undefined);
        continue;
      }
      this.calls.delete(callId);
      this.log.error({ callId, state: c.state }, 'Kamailio restarted before the call was answered; the call is lost');
      this.report(c, 'abandoned', (r) => r.abandoned(callId, at));
    }
  }

  decide(d: RoutingDecision): void {
    const c = this.calls.get(d.callId);
    if (!c || c.kind !== 'queue' || c.state !== 'waiting') {
      this.log.warn({ callId: d.callId, kind: d.kind, state: c?.state ?? 'unknown' }, 'routing decision dropped: the call is not waiting for one');
      return;
    }
    const base = { index: c.index, label: c.label, callId: d.callId };
    switch (d.kind) {
      case 'offer':
        if (!EXTENSION.test(d.extension)) {
          this.log.error({ callId: d.callId, extension: d.extension }, 'offer to an invalid extension dropped');
          return;
        }
        c.state = 'offering';
        c.calleeAgentId = d.agentId;
        c.calleeExtension = d.extension;
        this.client.send({ t: 'offer', ...base, agentId: d.agentId, extension: d.extension, ringSeconds: Math.max(1, Math.round(d.ringSeconds)) });
        return;
      case 'overflow': {
        const r = OVERFLOW_REPLY[d.reason];
        this.calls.delete(d.callId);
        const send = () => this.client.send({ t: 'reply', ...base, status: r.status, reason: r.reason });
        // A caller who hears us is told why before the call ends (the ACD opened a callback task).
        if (this.ivr?.has(d.callId)) void this.ivr.farewell(d.callId, d.reason).finally(send);
        else send();
        return;
      }
      case 'reject': {
        const status = d.status >= 400 && d.status <= 699 ? d.status : 480;
        this.calls.delete(d.callId);
        this.client.send({ t: 'reply', ...base, status, reason: reasonPhrase(d.reason, 'Rejected') });
        return;
      }
    }
  }

  private track(callId: string, init: Omit<TrackedCall, 'chain' | 'holding' | 'since'>): TrackedCall {
    const c: TrackedCall = { ...init, holding: new Set(), since: Date.now(), chain: Promise.resolve() };
    this.calls.set(callId, c);
    return c;
  }

  private onEvent(e: KamailioEvent): void {
    const at = new Date();
    const c = 'callId' in e ? this.calls.get(e.callId) : undefined;
    // Answered or gone: the caller no longer hears the voice service (Kamailio stopped its playback on the answer).
    if (e.t === 'answered' || e.t === 'abandoned' || e.t === 'lost' || e.t === 'ended') this.ivr?.end(e.callId);
    switch (e.t) {
      case 'arrived': {
        const call = this.track(e.callId, {
          kind: 'queue', index: e.index, label: e.label, state: 'waiting',
          callerAgentId: null, calleeAgentId: null, callerUser: e.caller, calleeExtension: null,
        });
        const ivr = this.ivr;
        if (ivr && e.sdp && e.ftag) {
          // Early media, welcome and menu first: the menu picks the queue the ACD hears of.
          const greeting = { callId: e.callId, ftag: e.ftag, sdp: e.sdp, dialled: e.dialled, index: e.index, label: e.label };
          this.report(call, 'arrived', async (r) => {
            const queue = await ivr.greet(greeting);
            if (queue !== null && this.calls.get(e.callId) === call) {
              await r.arrived({ callId: e.callId, dialled: queue, caller: e.caller, trunk: e.trunk ?? null, at });
              return;
            }
            // The caller hung up during the welcome or the menu (the abandon fact that follows
            // in this chain finds the record ended): still a call record and a callback task.
            await r.leftBeforeQueue?.({ callId: e.callId, dialled: e.dialled, caller: e.caller, trunk: e.trunk ?? null, at }, queue ?? ivr.queueWithoutInput(e.dialled), new Date());
          });
          return;
        }
        this.report(call, 'arrived', (r) => r.arrived({ callId: e.callId, dialled: e.dialled, caller: e.caller, trunk: e.trunk ?? null, at }));
        return;
      }
      case 'offer-failed': {
        if (!c) return this.unknown(e);
        c.index = e.index;
        c.label = e.label;
        c.state = 'waiting';
        c.calleeAgentId = null;
        c.calleeExtension = null;
        this.report(c, 'offerFailed', (r) => r.offerFailed(e.callId, e.agentId, offerFailureOf(e.code), at));
        return;
      }
      case 'leg':
        this.startLeg(e, at);
        return;
      case 'answered': {
        this.onCallAnswered?.(e.callId);
        if (!c) return this.unknown(e);
        c.state = 'answered';
        c.ftag = e.ftag;
        if (c.kind === 'queue') {
          const agentId = e.agentId ?? c.calleeAgentId;
          if (agentId) this.report(c, 'answered', (r) => r.answered(e.callId, agentId, at));
        } else {
          // The agent who picked up, or the dialling agent when a citizen answered (resolved in the chain).
          this.report(c, 'answered', async (r) => {
            const agentId = c.calleeAgentId ?? c.callerAgentId;
            if (agentId) await r.answered(e.callId, agentId, at);
          });
        }
        return;
      }
      case 'abandoned':
        if (!c) return;
        this.calls.delete(e.callId);
        this.report(c, 'abandoned', (r) => r.abandoned(e.callId, at));
        return;
      case 'ended':
        if (!c) return;
        this.calls.delete(e.callId);
        this.report(c, 'ended', (r) => r.ended(e.callId, e.by, at));
        return;
      case 'media': {
        if (!c) return;
        const side = e.from;
        this.report(c, e.dir === 'hold' ? 'held' : 'resumed', async (r) => {
          const agentId = side === 'caller' ? c.callerAgentId : c.calleeAgentId;
          if (!agentId) return; // a citizen's hold is not an agent's hold
          if (e.dir === 'hold' && !c.holding.has(side)) {
            c.holding.add(side);
            await r.held(e.callId, agentId, at);
          } else if (e.dir === 'active' && c.holding.has(side)) {
            c.holding.delete(side);
            await r.resumed(e.callId, agentId, at);
          }
        });
        return;
      }
      case 'lost':
        // The caller got a 480 from Kamailio; for the ACD the call is gone like an abandon.
        this.calls.delete(e.callId);
        this.log.error({ callId: e.callId, reason: e.reason }, 'Kamailio gave up on a queue call');
        if (c) this.report(c, 'abandoned', (r) => r.abandoned(e.callId, at));
        return;
      case 'dropped':
        this.log.warn({ callId: e.callId, decision: e.decision }, 'Kamailio dropped a routing decision: the transaction is gone or not suspended');
        return;
      case 'hello':
        return;
    }
  }

  private unknown(e: KamailioEvent): void {
    this.log.warn({ event: e.t, callId: 'callId' in e ? e.callId : undefined }, 'Kamailio reported a fact about a call this node does not track');
  }

  /** A non-queue leg: resolve who is an agent, find a transfer's parent, then tell the router. */
  private startLeg(e: Extract<KamailioEvent, { t: 'leg' }>, at: Date): void {
    const leg = this.track(e.callId, {
      kind: 'leg', index: 0, label: 0, state: 'ringing',
      callerAgentId: null, calleeAgentId: null, callerUser: e.caller, calleeExtension: e.called,
    });
    // A transfer's new leg: the caller is the far end of a live call whose agent referred it.
    let parentCallId: string | null = null;
    if (e.referredBy) {
      for (const [id, c] of this.calls) {
        if (id === e.callId || c.state !== 'answered') continue;
        const parties = [c.callerUser, c.calleeExtension];
        if (parties.includes(e.referredBy) && parties.includes(e.caller)) {
          parentCallId = id;
          break;
        }
      }
    }
    this.report(leg, 'legStarted', async (r) => {
      const resolve = this.o.agentOfExtension ?? (async () => null);
      const [callerAgentId, calleeAgentId] = await Promise.all([resolve(e.caller), resolve(e.called)]);
      leg.callerAgentId = callerAgentId;
      leg.calleeAgentId = calleeAgentId;
      if (!callerAgentId && !calleeAgentId) return; // citizen to citizen: not the ACD's business
      const start: CallLegStart = {
        callId: e.callId,
        direction: parentCallId ? 'transfer' : calleeAgentId ? 'internal' : 'outbound',
        caller: e.caller,
        called: e.called,
        fromAgentId: callerAgentId,
        toAgentId: calleeAgentId,
        parentCallId,
        callbackTaskId: null,
        at,
      };
      await r.legStarted(start);
    });
  }

  /** Runs a router call after the call's earlier facts; failures are logged, never thrown. */
  private report(c: TrackedCall, fact: string, fn: (r: CallRouter) => Promise<void>): void {
    const router = this.router;
    if (!router) return;
    c.chain = c.chain.then(() => fn(router)).catch((err: unknown) => this.log.error({ err, fact }, 'the ACD failed on a call fact'));
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    await this.client.stop();
  }
}
