/**
 * The SIP side of the ACD for our Kamailio: turns the call facts Kamailio pushes over evapi
 * into CallRouter calls, and carries the router's RoutingDecisions back to the suspended
 * transactions (RoutingDecisionSink). It owns the correlation Call-ID → tm transaction
 * (index, label) and which calls are waiting for a decision; a decision for a call that is
 * not waiting is dropped with a log line. It also publishes the queue numbers Kamailio must
 * suspend (htable "queues") and re-arms Kamailio's memory after a restart.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { CallRouter, OfferFailure, RoutingDecision, RoutingDecisionSink } from '../../modules/acd/call-router.js';
import { EvapiClient } from './evapi-client.js';
import type { KamailioEvent } from './evapi-protocol.js';
import type { KamailioRpc } from './kamailio-rpc.js';

interface TrackedCall {
  index: number;
  label: number;
  /** waiting: suspended, a decision is due; offering: an agent rings; answered: until BYE. */
  state: 'waiting' | 'offering' | 'answered';
  agentId: string | null;
  /** The caller's From tag (answered calls): tells who sent the BYE. */
  ftag?: string | undefined;
  since: number;
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
function reasonPhrase(reason: string, fallback: string): string {
  const clean = reason.replace(/[^\x20-\x7e]/g, '').trim().slice(0, 64);
  return clean || fallback;
}

export interface KamailioAcdBridgeOptions {
  evapiPort: number;
  /** The shared secret Kamailio checks in the evapi hello (the SIP secret). */
  secret: string;
  log: FastifyBaseLogger;
}

export class KamailioAcdBridge implements RoutingDecisionSink {
  private readonly client: EvapiClient;
  private readonly calls = new Map<string, TrackedCall>();
  private router: CallRouter | null = null;
  private queueNumbers: string[] = [];
  private rpc: KamailioRpc | null = null;
  private readyOnce = false;
  private readonly sweeper: NodeJS.Timeout;
  private readonly log: FastifyBaseLogger;

  constructor(private readonly o: KamailioAcdBridgeOptions) {
    this.log = o.log.child({ module: 'acd-sip' });
    this.client = new EvapiClient({ port: o.evapiPort, secret: o.secret, log: this.log, onEvent: (e) => this.onEvent(e) });
    // Calls Kamailio never reported the end of (a party vanished without BYE) fade out with
    // Kamailio's own answered-call table (12 h).
    this.sweeper = setInterval(() => {
      const cutoff = Date.now() - 13 * 3600_000;
      for (const [id, c] of this.calls) if (c.since < cutoff) this.calls.delete(id);
    }, 600_000);
    this.sweeper.unref();
  }

  /** The ACD routes calls to these numbers from now on; Kamailio connects them to us. */
  async attach(router: CallRouter, queueNumbers: string[]): Promise<void> {
    this.router = router;
    await this.setQueueNumbers(queueNumbers);
    this.client.start();
  }

  get linkUp(): boolean {
    return this.client.connected;
  }

  waitLinkUp(timeoutMs?: number): Promise<void> {
    return this.client.waitUp(timeoutMs);
  }

  /** Calls waiting for a decision or ringing an agent (health, tests). */
  get pendingCalls(): number {
    let n = 0;
    for (const c of this.calls.values()) if (c.state !== 'answered') n++;
    return n;
  }

  /** Replaces the set of queue numbers Kamailio suspends (dialled numbers the ACD serves). */
  async setQueueNumbers(numbers: string[]): Promise<void> {
    for (const n of numbers) if (!/^[0-9A-Za-z*#+._-]{1,32}$/.test(n)) throw new Error(`not a dialable queue number: ${JSON.stringify(n)}`);
    this.queueNumbers = [...new Set(numbers)];
    if (this.rpc) await this.pushQueueNumbers(this.rpc);
  }

  /** After every Kamailio (re)start: its memory is empty again. */
  async kamailioReady(rpc: KamailioRpc): Promise<void> {
    this.rpc = rpc;
    await this.pushQueueNumbers(rpc);
    if (this.readyOnce) await this.afterRestart(rpc);
    this.readyOnce = true;
  }

  private async pushQueueNumbers(rpc: KamailioRpc): Promise<void> {
    if (!this.router) return;
    await rpc.call('htable.flush', 'queues');
    for (const n of this.queueNumbers) await rpc.call('htable.seti', 'queues', n, 1);
  }

  /** Transactions died with the old Kamailio; answered calls keep going and need their BYE seen. */
  private async afterRestart(rpc: KamailioRpc): Promise<void> {
    const at = new Date();
    for (const [callId, c] of [...this.calls]) {
      if (c.state === 'answered') {
        await rpc.call('htable.sets', 'acdcall', `${callId}::agent`, c.agentId ?? '').catch(() => undefined);
        if (c.ftag) await rpc.call('htable.sets', 'acdcall', `${callId}::ftag`, c.ftag).catch(() => undefined);
        continue;
      }
      this.calls.delete(callId);
      this.log.error({ callId, state: c.state }, 'Kamailio restarted while the call waited; the call is lost');
      this.report('abandoned', () => this.router?.abandoned(callId, at));
    }
  }

  decide(d: RoutingDecision): void {
    const c = this.calls.get(d.callId);
    if (!c || c.state !== 'waiting') {
      this.log.warn({ callId: d.callId, kind: d.kind, state: c?.state ?? 'unknown' }, 'routing decision dropped: the call is not waiting for one');
      return;
    }
    const base = { index: c.index, label: c.label, callId: d.callId };
    switch (d.kind) {
      case 'offer':
        if (!/^[0-9A-Za-z._-]{1,32}$/.test(d.extension)) {
          this.log.error({ callId: d.callId, extension: d.extension }, 'offer to an invalid extension dropped');
          return;
        }
        c.state = 'offering';
        c.agentId = d.agentId;
        this.client.send({ t: 'offer', ...base, agentId: d.agentId, extension: d.extension, ringSeconds: Math.max(1, Math.round(d.ringSeconds)) });
        return;
      case 'overflow': {
        const r = OVERFLOW_REPLY[d.reason];
        this.calls.delete(d.callId);
        this.client.send({ t: 'reply', ...base, status: r.status, reason: r.reason });
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

  private onEvent(e: KamailioEvent): void {
    const at = new Date();
    switch (e.t) {
      case 'arrived':
        this.calls.set(e.callId, { index: e.index, label: e.label, state: 'waiting', agentId: null, since: Date.now() });
        this.report('arrived', () => this.router?.arrived({ callId: e.callId, dialled: e.dialled, caller: e.caller, trunk: null, at }));
        return;
      case 'offer-failed': {
        const c = this.calls.get(e.callId);
        this.calls.set(e.callId, { index: e.index, label: e.label, state: 'waiting', agentId: null, since: c?.since ?? Date.now() });
        this.report('offerFailed', () => this.router?.offerFailed(e.callId, e.agentId, offerFailureOf(e.code), at));
        return;
      }
      case 'answered': {
        const c = this.calls.get(e.callId);
        this.calls.set(e.callId, { index: c?.index ?? 0, label: c?.label ?? 0, state: 'answered', agentId: e.agentId, ftag: e.ftag, since: c?.since ?? Date.now() });
        this.report('answered', () => this.router?.answered(e.callId, e.agentId, at));
        return;
      }
      case 'abandoned':
        this.calls.delete(e.callId);
        this.report('abandoned', () => this.router?.abandoned(e.callId, at));
        return;
      case 'ended':
        this.calls.delete(e.callId);
        this.report('ended', () => this.router?.ended(e.callId, e.by, at));
        return;
      case 'lost':
        // The caller got a 480 from Kamailio; for the ACD the call is gone like an abandon.
        this.calls.delete(e.callId);
        this.log.error({ callId: e.callId, reason: e.reason }, 'Kamailio gave up on a queue call');
        this.report('abandoned', () => this.router?.abandoned(e.callId, at));
        return;
      case 'dropped':
        this.log.warn({ callId: e.callId, decision: e.decision }, 'Kamailio dropped a routing decision: the transaction is gone or not suspended');
        return;
      case 'hello':
        return;
    }
  }

  private report(fact: string, call: () => Promise<void> | undefined): void {
    let p: Promise<void> | undefined;
    try {
      p = call();
    } catch (err) {
      this.log.error({ err, fact }, 'the ACD failed on a call fact');
      return;
    }
    p?.catch((err: unknown) => this.log.error({ err, fact }, 'the ACD failed on a call fact'));
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    await this.client.stop();
  }
}
