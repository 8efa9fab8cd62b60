/**
 * The SIP side of the ACD against our real Kamailio: queue calls are suspended with
 * ringback and reported over evapi; routing decisions (from a scripted CallRouter here)
 * resume them into an agent's extension, a final reply, or the next offer. UDP user agents
 * play callers and agents.
 */
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallArrival, CallLegStart, CallRouter, OfferFailure } from '../../src/server/modules/acd/call-router.js';
import { encodeNetstring } from '../../src/server/telephony/kamailio/evapi-client.js';
import { ephemeralCredentials } from '../../src/server/telephony/sip-credentials.js';
import { hdr, SipUdpUa } from '../harness/sip-udp-ua.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { ADMIN_PASSWORD } from '../harness/test-app.js';

type Fact =
  | { fact: 'arrived'; callId: string; call: CallArrival }
  | { fact: 'offerFailed'; callId: string; agentId: string; failure: OfferFailure }
  | { fact: 'answered'; callId: string; agentId: string }
  | { fact: 'abandoned'; callId: string }
  | { fact: 'ended'; callId: string; by: string }
  | { fact: 'legStarted'; callId: string; leg: CallLegStart }
  | { fact: 'held'; callId: string; agentId: string }
  | { fact: 'resumed'; callId: string; agentId: string };

/** A CallRouter the test drives: records facts; `onArrived` may decide at once. */
class ScriptedRouter implements CallRouter {
  facts: Fact[] = [];
  private waiters: { pred: (f: Fact) => boolean; resolve: (f: Fact) => void }[] = [];
  onArrived: ((c: CallArrival) => void) | null = null;
  onOfferFailed: ((callId: string, agentId: string, failure: OfferFailure) => void) | null = null;

  private push(f: Fact): void {
    this.facts.push(f);
    for (const w of [...this.waiters]) {
      if (w.pred(f)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(f);
      }
    }
  }
  async arrived(call: CallArrival) {
    this.push({ fact: 'arrived', callId: call.callId, call });
    this.onArrived?.(call);
  }
  async offerFailed(callId: string, agentId: string, failure: OfferFailure) {
    this.push({ fact: 'offerFailed', callId, agentId, failure });
    this.onOfferFailed?.(callId, agentId, failure);
  }
  async answered(callId: string, agentId: string) {
    this.push({ fact: 'answered', callId, agentId });
  }
  async abandoned(callId: string) {
    this.push({ fact: 'abandoned', callId });
  }
  async ended(callId: string, by: 'caller' | 'agent' | 'system') {
    this.push({ fact: 'ended', callId, by });
  }
  async legStarted(leg: CallLegStart) {
    this.push({ fact: 'legStarted', callId: leg.callId, leg });
  }
  async held(callId: string, agentId: string) {
    this.push({ fact: 'held', callId, agentId });
  }
  async resumed(callId: string, agentId: string) {
    this.push({ fact: 'resumed', callId, agentId });
  }
  wait<K extends Fact['fact']>(fact: K, callId: string, timeoutMs = 5000): Promise<Extract<Fact, { fact: K }>> {
    const pred = (f: Fact) => f.fact === fact && f.callId === callId;
    const have = this.facts.find(pred);
    if (have) return Promise.resolve(have as Extract<Fact, { fact: K }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${fact} for ${callId} within ${timeoutMs} ms; facts: ${JSON.stringify(this.facts.filter((f) => f.callId === callId).map((f) => f.fact))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(timer), resolve(f as Extract<Fact, { fact: K }>)) });
    });
  }
  of(callId: string): string[] {
    return this.facts.filter((f) => f.callId === callId).map((f) => f.fact);
  }
}

describe('ACD over Kamailio: suspended queue calls and routing decisions', () => {
  let t: TelephonyTestApp;
  let router: ScriptedRouter;
  let secret: string;
  const uas: SipUdpUa[] = [];

  async function ua(user: string, register = false): Promise<SipUdpUa> {
    const c = ephemeralCredentials(secret, user, Math.floor(Date.now() / 1000) + 600);
    const u = await new SipUdpUa(user, { host: '127.0.0.1', port: t.sip.port, domain: '127.0.0.1' }, c).open();
    uas.push(u);
    if (register) expect(await u.register()).toBe(200);
    return u;
  }

  beforeAll(async () => {
    t = await createTelephonyTestApp();
    secret = (await t.db.selectFrom('server_secret').select('value').where('name', '=', 'sip').executeTakeFirstOrThrow()).value;
    router = new ScriptedRouter();
    await t.acdBridge!.attach(router, async () => ['12345']);
    await t.acdBridge!.waitLinkUp();
  });
  afterAll(async () => {
    for (const u of uas) u.close();
    await t?.close();
  });

  it('suspends a queue call with ringback, rings the offered agent, reports answered and who hung up', async () => {
    const agent = await ua('2001', true);
    agent.policy = { kind: 'answer', afterMs: 50 };
    const caller = await ua('13800138001');
    const call = await caller.call('12345');
    const arrived = await router.wait('arrived', call.callId);
    expect(arrived.call).toMatchObject({ dialled: '12345', caller: '13800138001', trunk: null });
    expect((await call.waitStatus(180)).status).toBe(180);
    // Nothing rings until the ACD decides.
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.received.filter((m) => m.method === 'INVITE')).toHaveLength(0);

    t.acdBridge!.decide({ kind: 'offer', callId: call.callId, agentId: 'agent-1', extension: '2001', ringSeconds: 10 });
    const incoming = await agent.nextIncoming();
    expect(incoming.callId).toBe(call.callId);
    expect(hdr(incoming.invite, 'from')).toContain('13800138001');
    expect(hdrs(incoming.invite, 'record-route').length).toBeGreaterThan(0);
    expect((await call.finalStatus()).status).toBe(200);
    expect(await router.wait('answered', call.callId)).toMatchObject({ agentId: 'agent-1' });
    await call.hangUp();
    expect(await router.wait('ended', call.callId)).toMatchObject({ by: 'caller' });
    expect(router.of(call.callId)).toEqual(['arrived', 'answered', 'ended']);
  });

  it('an agent hang-up ends the call "by agent"', async () => {
    const agent = await ua('2002', true);
    agent.policy = { kind: 'answer' };
    const caller = await ua('13800138002');
    router.onArrived = (c) => t.acdBridge!.decide({ kind: 'offer', callId: c.callId, agentId: 'agent-2', extension: '2002', ringSeconds: 10 });
    try {
      const call = await caller.call('12345');
      const incoming = await agent.nextIncoming();
      expect((await call.finalStatus()).status).toBe(200);
      await router.wait('answered', call.callId);
      await incoming.hangUp();
      expect(await router.wait('ended', call.callId)).toMatchObject({ by: 'agent' });
    } finally {
      router.onArrived = null;
    }
  });

  it("a caller's CANCEL while suspended gets 487 and is reported as abandoned; a late decision is dropped", async () => {
    const caller = await ua('13800138003');
    const call = await caller.call('12345');
    await router.wait('arrived', call.callId);
    await call.waitStatus(180);
    const final = await call.cancel();
    expect(final.status).toBe(487);
    await router.wait('abandoned', call.callId);
    expect(t.acdBridge!.pendingCalls).toBe(0);
    // The ACD decides too late: nothing rings, nothing breaks.
    const agent = await ua('2003', true);
    t.acdBridge!.decide({ kind: 'offer', callId: call.callId, agentId: 'agent-3', extension: '2003', ringSeconds: 5 });
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.received.filter((m) => m.method === 'INVITE')).toHaveLength(0);
  });

  it('a CANCEL while an agent rings cancels the agent too and is reported as abandoned', async () => {
    const agent = await ua('2004', true);
    agent.policy = { kind: 'ring' };
    const caller = await ua('13800138004');
    const call = await caller.call('12345');
    await router.wait('arrived', call.callId);
    t.acdBridge!.decide({ kind: 'offer', callId: call.callId, agentId: 'agent-4', extension: '2004', ringSeconds: 10 });
    await agent.nextIncoming();
    expect((await call.cancel()).status).toBe(487);
    await agent.seen((m) => m.method === 'CANCEL' && hdr(m, 'call-id') === call.callId);
    await router.wait('abandoned', call.callId);
    expect(router.of(call.callId)).toEqual(['arrived', 'abandoned']);
  });

  it('ring timeout → offerFailed(no_answer), and the next decision is honoured', async () => {
    const slow = await ua('2005', true);
    slow.policy = { kind: 'ring' };
    const busy = await ua('2006', true);
    busy.policy = { kind: 'reply', status: 486, reason: 'Busy Here' };
    const good = await ua('2007', true);
    good.policy = { kind: 'answer' };
    const caller = await ua('13800138005');
    const call = await caller.call('12345');
    await router.wait('arrived', call.callId);
    t.acdBridge!.decide({ kind: 'offer', callId: call.callId, agentId: 'slow', extension: '2005', ringSeconds: 1 });
    await slow.nextIncoming();
    expect(await router.wait('offerFailed', call.callId)).toMatchObject({ agentId: 'slow', failure: 'no_answer' });
    await slow.seen((m) => m.method === 'CANCEL' && hdr(m, 'call-id') === call.callId); // the agent stops ringing
    router.onOfferFailed = (callId, agentId) => {
      if (callId === call.callId && agentId === 'busy') t.acdBridge!.decide({ kind: 'offer', callId, agentId: 'good', extension: '2007', ringSeconds: 5 });
    };
    try {
      t.acdBridge!.decide({ kind: 'offer', callId: call.callId, agentId: 'busy', extension: '2006', ringSeconds: 5 });
      await busy.nextIncoming();
      await good.nextIncoming();
      expect((await call.finalStatus()).status).toBe(200);
      expect(router.facts.filter((f) => f.callId === call.callId && f.fact === 'offerFailed').map((f) => (f as { failure: string }).failure)).toEqual(['no_answer', 'busy']);
      expect(await router.wait('answered', call.callId)).toMatchObject({ agentId: 'good' });
      await call.hangUp();
      await router.wait('ended', call.callId);
    } finally {
      router.onOfferFailed = null;
    }
  });

  it('an offer to an extension that is not registered fails as unavailable; rejected offers as rejected', async () => {
    const caller = await ua('13800138006');
    const call = await caller.call('12345');
    await router.wait('arrived', call.callId);
    t.acdBridge!.decide({ kind: 'offer', callId: call.callId, agentId: 'nobody', extension: '2999', ringSeconds: 5 });
    expect(await router.wait('offerFailed', call.callId)).toMatchObject({ agentId: 'nobody', failure: 'unavailable' });
    const declining = await ua('2008', true);
    declining.policy = { kind: 'reply', status: 603, reason: 'Decline' };
    const n = router.facts.length;
    t.acdBridge!.decide({ kind: 'offer', callId: call.callId, agentId: 'declining', extension: '2008', ringSeconds: 5 });
    await expect.poll(() => router.facts.slice(n).find((f) => f.callId === call.callId && f.fact === 'offerFailed')).toMatchObject({ failure: 'rejected' });
    t.acdBridge!.decide({ kind: 'overflow', callId: call.callId, reason: 'max_wait' });
    const final = await call.finalStatus();
    expect(final.status).toBe(480);
    expect(final.reason).toBe('No Agent Available');
  });

  it('a call out of branches (offer after offer) gets 480 and is reported as gone', async () => {
    const caller = await ua('13800138030');
    const call = await caller.call('12345');
    await router.wait('arrived', call.callId);
    let failures = 0;
    router.onOfferFailed = (callId) => {
      if (callId !== call.callId) return;
      failures++;
      t.acdBridge!.decide({ kind: 'offer', callId, agentId: 'nobody', extension: '2998', ringSeconds: 5 });
    };
    try {
      t.acdBridge!.decide({ kind: 'offer', callId: call.callId, agentId: 'nobody', extension: '2998', ringSeconds: 5 });
      const final = await call.finalStatus(10_000);
      expect(final.status).toBe(480);
      await router.wait('abandoned', call.callId);
      expect(failures).toBeGreaterThanOrEqual(14);
      expect(t.acdBridge!.holds(call.callId)).toBe(false);
    } finally {
      router.onOfferFailed = null;
    }
  });

  it('reject decisions give the caller the status and reason', async () => {
    const caller = await ua('13800138007');
    const call = await caller.call('12345');
    await router.wait('arrived', call.callId);
    t.acdBridge!.decide({ kind: 'reject', callId: call.callId, status: 404, reason: 'No Such Queue\r\nX-Evil: 1' });
    const final = await call.finalStatus();
    expect(final.status).toBe(404);
    expect(final.reason).toBe('No Such QueueX-Evil: 1');
    expect(final.raw).not.toMatch(/^X-Evil/m);
  });

  it('calls that are not queue calls are routed as before and reported as legs, with hold and resume', async () => {
    const token = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const ids: Record<string, string> = {};
    for (const ext of ['2030', '2031']) {
      const res = await t.as(token)('POST', '/api/users', { username: `leg_${ext}`, displayName: ext, password: 'Agent-pass-1', roles: ['agent'], extension: ext });
      expect(res.statusCode).toBe(201);
      ids[ext] = res.json().id;
    }
    const a = await ua('2030', true);
    const b = await ua('2031', true);
    b.policy = { kind: 'answer' };
    const call = await a.call('2031');
    expect((await call.finalStatus()).status).toBe(200);
    expect((await router.wait('legStarted', call.callId)).leg).toMatchObject({ direction: 'internal', caller: '2030', called: '2031', fromAgentId: ids['2030'], toAgentId: ids['2031'], parentCallId: null });
    expect(await router.wait('answered', call.callId)).toMatchObject({ agentId: ids['2031'] });
    // The dialling agent puts the other on hold and takes them back (re-INVITEs).
    await call.reinvite('sendonly');
    expect(await router.wait('held', call.callId)).toMatchObject({ agentId: ids['2030'] });
    await call.reinvite('sendrecv');
    expect(await router.wait('resumed', call.callId)).toMatchObject({ agentId: ids['2030'] });
    await call.hangUp();
    expect(await router.wait('ended', call.callId)).toMatchObject({ by: 'caller' });

    // Agent → citizen (outbound), not answered: reported as abandoned (missed).
    const citizen = await ua('13800138011', true);
    citizen.policy = { kind: 'reply', status: 486, reason: 'Busy Here' };
    const out = await a.call('13800138011');
    expect((await out.finalStatus()).status).toBe(486);
    expect((await router.wait('legStarted', out.callId)).leg).toMatchObject({ direction: 'outbound', fromAgentId: ids['2030'], toAgentId: null });
    await router.wait('abandoned', out.callId);

    // A transfer: the citizen in a queue call with 2030 is referred to 2031 (sip.js adds Referred-By).
    router.onArrived = (c) => t.acdBridge!.decide({ kind: 'offer', callId: c.callId, agentId: ids['2030']!, extension: '2030', ringSeconds: 5 });
    a.policy = { kind: 'answer' };
    try {
      const queued = await citizen.call('12345');
      expect((await queued.finalStatus()).status).toBe(200);
      await router.wait('answered', queued.callId);
      const moved = await citizen.call('2031', ['Referred-By: <sip:2030@127.0.0.1>']);
      expect((await moved.finalStatus()).status).toBe(200);
      expect((await router.wait('legStarted', moved.callId)).leg).toMatchObject({ direction: 'transfer', parentCallId: queued.callId, toAgentId: ids['2031'] });
      await queued.hangUp();
      await moved.hangUp();
    } finally {
      router.onArrived = null;
    }

    // Citizen to citizen: nothing for the ACD.
    const c2 = await ua('13800138012');
    const none = await c2.call('13800138011');
    expect((await none.finalStatus()).status).toBe(486);
    await new Promise((r) => setTimeout(r, 200));
    expect(router.of(none.callId).filter((f) => f !== 'abandoned')).toEqual([]);
  });

  it('20 waiting calls block no worker: a REGISTER and a direct call still complete', async () => {
    const callers = await Promise.all(Array.from({ length: 20 }, (_, i) => ua(`1390000${String(i).padStart(4, '0')}`)));
    const calls = await Promise.all(callers.map((c) => c.call('12345')));
    await Promise.all(calls.map((c) => router.wait('arrived', c.callId)));
    expect(t.acdBridge!.pendingCalls).toBeGreaterThanOrEqual(20);
    const started = performance.now();
    const agent = await ua('2011', true); // REGISTER (challenge + 200)
    agent.policy = { kind: 'answer' };
    const other = await ua('13800138009');
    const direct = await other.call('2011');
    expect((await direct.finalStatus(2000)).status).toBe(200);
    console.log(`[acd] REGISTER + direct call with 20 suspended calls: ${(performance.now() - started).toFixed(1)} ms`);
    await direct.hangUp();
    // And every waiting call is still served when the ACD gets to it.
    const agentB = await ua('2012', true);
    agentB.policy = { kind: 'answer' };
    for (const c of calls.slice(0, 3)) {
      t.acdBridge!.decide({ kind: 'offer', callId: c.callId, agentId: 'b', extension: '2012', ringSeconds: 5 });
      expect((await c.finalStatus()).status).toBe(200);
      await c.hangUp();
    }
    await Promise.all(calls.slice(3).map(async (c) => expect((await c.cancel()).status).toBe(487)));
    await Promise.all(calls.slice(3).map((c) => router.wait('abandoned', c.callId)));
  });

  it('latency: INVITE sent → INVITE at the ready agent, with an immediate decision', async () => {
    const agent = await ua('2020', true);
    agent.policy = { kind: 'reply', status: 486, reason: 'Busy Here' };
    const caller = await ua('13800138010');
    router.onArrived = (c) => t.acdBridge!.decide({ kind: 'offer', callId: c.callId, agentId: 'fast', extension: '2020', ringSeconds: 5 });
    router.onOfferFailed = (callId) => t.acdBridge!.decide({ kind: 'reject', callId, status: 486, reason: 'Busy Here' });
    const samples: number[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        const call = await caller.call('12345');
        const incoming = await agent.nextIncoming();
        samples.push(incoming.invite.at - call.sentAt);
        expect((await call.finalStatus()).status).toBe(486);
      }
    } finally {
      router.onArrived = null;
      router.onOfferFailed = null;
    }
    samples.sort((a, b) => a - b);
    const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!.toFixed(2);
    console.log(`[acd] INVITE at Kamailio → INVITE at agent (evapi round trip + decision): median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms over ${samples.length}`);
  });

  it('evapi only takes decisions from a connection that proved the secret', async () => {
    const sock = createConnection(t.sip.evapiPort, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    sock.write(encodeNetstring(JSON.stringify({ t: 'hello', secret: 'wrong-secret-000000' })));
    await closed;
    const sock2 = createConnection(t.sip.evapiPort, '127.0.0.1');
    await new Promise<void>((r) => sock2.once('connect', () => r()));
    const closed2 = new Promise<void>((r) => sock2.once('close', () => r()));
    sock2.write(encodeNetstring(JSON.stringify({ t: 'offer', index: 1, label: 1, callId: 'x', agentId: 'a', extension: '2001', ringSeconds: 5 })));
    await closed2;
    expect(t.acdBridge!.linkUp).toBe(true);
  });

  it('Kamailio killed while a call waits: the call is reported lost, the link and the queue numbers come back', async () => {
    const caller = await ua('13800138020');
    const call = await caller.call('12345');
    await router.wait('arrived', call.callId);
    const pid = t.kamailio!.process.pid;
    t.kamailio!.process.kill();
    await router.wait('abandoned', call.callId, 15_000);
    await expect.poll(() => t.kamailio!.process.state === 'running' && t.kamailio!.process.pid !== pid, { timeout: 15_000 }).toBe(true);
    await t.acdBridge!.waitLinkUp(10_000);
    const agent = await ua('2040', true);
    agent.policy = { kind: 'answer' };
    router.onArrived = (c) => t.acdBridge!.decide({ kind: 'offer', callId: c.callId, agentId: 'after-restart', extension: '2040', ringSeconds: 5 });
    try {
      const again = await (await ua('13800138021')).call('12345');
      expect((await again.finalStatus()).status).toBe(200);
      await router.wait('answered', again.callId);
      await again.hangUp();
      await router.wait('ended', again.callId);
    } finally {
      router.onArrived = null;
    }
  });
});

function hdrs(m: { headers: [string, string][] }, name: string): string[] {
  return m.headers.filter(([k]) => k === name).map(([, v]) => v);
}

describe('ACD over Kamailio with the real ACD service', () => {
  let t: TelephonyTestApp;
  const uas: SipUdpUa[] = [];
  afterAll(async () => {
    for (const u of uas) u.close();
    await t?.close();
  });

  it('a ready agent of the queue rings at once; the call ends in a record; INVITE → INVITE at the agent is measured', async () => {
    t = await createTelephonyTestApp({ demo: true });
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const group = await t.db.selectFrom('agent_group').select('id').where('name', '=', '综合受理一组').executeTakeFirstOrThrow();
    const res = await t.as(admin)('POST', '/api/users', { username: 'acd_real', displayName: '坐席', password: 'Agent-pass-1', roles: ['agent'], extension: '2201', groupIds: [group.id] });
    const agentId = res.json().id as string;
    const secret = (await t.db.selectFrom('server_secret').select('value').where('name', '=', 'sip').executeTakeFirstOrThrow()).value;
    const ua = async (user: string) => {
      const u = await new SipUdpUa(user, { host: '127.0.0.1', port: t.sip.port, domain: '127.0.0.1' }, ephemeralCredentials(secret, user, Math.floor(Date.now() / 1000) + 600)).open();
      uas.push(u);
      return u;
    };
    const agent = await ua('2201');
    expect(await agent.register()).toBe(200);
    agent.policy = { kind: 'answer' };
    const caller = await ua('13900139000');
    await t.acdBridge!.waitLinkUp(10_000);
    await t.services.agents.apply(agentId, { type: 'sign_in' });
    const samples: number[] = [];
    for (let i = 0; i < 12; i++) {
      await t.services.agents.apply(agentId, { type: 'ready' });
      const call = await caller.call('12345');
      const incoming = await agent.nextIncoming(10_000);
      samples.push(incoming.invite.at - call.sentAt);
      expect((await call.finalStatus()).status).toBe(200);
      await expect.poll(async () => (await t.db.selectFrom('call_record').select('answered_at').where('call_id', '=', call.callId).executeTakeFirst())?.answered_at ?? null).not.toBeNull();
      await call.hangUp();
      await expect.poll(async () => (await t.db.selectFrom('call_record').select(['result', 'ended_by', 'agent_id']).where('call_id', '=', call.callId).executeTakeFirst()) ?? null)
        .toMatchObject({ result: 'answered', ended_by: 'caller', agent_id: agentId });
      await expect.poll(async () => (await t.services.agents.status(agentId)).state.kind).toBe('after_call_work');
      await t.services.agents.apply(agentId, { type: 'wrap_up_done' });
    }
    const warm = samples.slice(2).sort((a, b) => a - b); // the first calls warm up the database paths
    console.log(`[acd] real ACD: INVITE at Kamailio → INVITE at the ready agent: median ${warm[Math.floor(warm.length / 2)]!.toFixed(1)} ms, max ${warm[warm.length - 1]!.toFixed(1)} ms over ${warm.length} (first two: ${samples.slice(0, 2).map((s) => s.toFixed(1)).join(', ')} ms)`);
  }, 120_000);
});
