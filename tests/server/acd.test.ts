/**
 * The ACD driven through its CallRouter interface with a recording sink standing in for the
 * SIP server, on a real database (PGlite, or PostgreSQL when DATABASE_URL is set).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallRouter } from '../../src/server/modules/acd/call-router.js';
import { deriveCallTimes } from '../../src/shared/call-times.js';
import { assertReservationsSound, makeFloor, makeReady, nextNumber, RecordingSink, type Floor } from '../harness/acd-floor.js';
import { createTestApp, type TestApp } from '../harness/test-app.js';

describe('ACD routing', () => {
  let t: TestApp;
  let router: CallRouter;
  let sink: RecordingSink;
  beforeAll(async () => {
    t = await createTestApp(process.env.ACD_TEST_LOG ? { logLevel: 'warn' } : {}, { logger: !!process.env.ACD_TEST_LOG });
    router = t.services.acd;
  });
  afterAll(() => t.close());
  beforeEach(() => {
    sink = new RecordingSink();
    t.services.acd.setSink(sink);
  });

  const queue = async (floor: Floor, opts: { priority?: number; maxWaitSeconds?: number; maxQueueLength?: number; ringTimeoutSeconds?: number } = {}) => {
    const number = nextNumber('9');
    const q = await t.services.queues.upsert(null, { code: `q${number}`, name: `队列${number}`, numbers: [number], groupIds: [floor.groupId], ...opts }, null);
    return { ...q, number };
  };
  const arrive = (number: string, caller = '13800138000', at = new Date()) => {
    const callId = `call-${randomUUID()}`;
    return router.arrived({ callId, dialled: number, caller, trunk: null, at }).then(() => callId);
  };
  const state = async (agentId: string) => (await t.services.agents.status(agentId)).state;
  const record = (callId: string) => t.db.selectFrom('call_record').selectAll().where('call_id', '=', callId).executeTakeFirstOrThrow();
  /** Answer, hang up and finish wrap-up: the agent is ready again (and may be offered the next call). */
  const serve = async (callId: string, agentId: string) => {
    await router.answered(callId, agentId, new Date());
    await router.ended(callId, 'caller', new Date());
    await t.services.agents.apply(agentId, { type: 'wrap_up_done' });
    await t.services.acd.settled();
  };

  it('50 simultaneous arrivals, 10 ready agents: each agent holds at most one offer; every call is offered or waiting, then all are served', async () => {
    const floor = await makeFloor(t.db, 10);
    const q = await queue(floor, { maxQueueLength: 100 });
    await makeReady(t.services.agents, floor.agents);
    const calls = await Promise.all(Array.from({ length: 50 }, (_, i) => arrive(q.number, `1390000${String(i).padStart(4, '0')}`)));
    await t.services.acd.settled();

    expect(sink.offers).toHaveLength(10);
    expect(new Set(sink.offers.map((o) => o.agentId))).toEqual(new Set(floor.agents));
    expect(sink.decisions.filter((d) => d.kind !== 'offer')).toEqual([]);
    const live = await t.db.selectFrom('acd_call').select(['call_id', 'state']).where('queue_id', '=', q.id).execute();
    expect(live).toHaveLength(50);
    expect(live.filter((c) => c.state === 'offered')).toHaveLength(10);
    expect(new Set(live.map((c) => c.call_id))).toEqual(new Set(calls));
    await assertReservationsSound(t.db);

    // Serve everything, agents finishing concurrently: each freed agent takes the next call.
    const served = new Set<string>();
    while (served.size < 50) {
      const round = sink.offers.filter((o) => !served.has(o.callId));
      expect(round.length).toBeGreaterThan(0);
      await Promise.all(round.map(async (o) => {
        served.add(o.callId);
        await serve(o.callId, o.agentId);
      }));
      await assertReservationsSound(t.db);
    }
    expect(sink.offers).toHaveLength(50);
    const records = await t.db.selectFrom('call_record').select(['result', 'agent_id']).where('queue_id', '=', q.id).execute();
    expect(records.every((r) => r.result === 'answered' && floor.agents.includes(r.agent_id!))).toBe(true);
    expect(await t.db.selectFrom('acd_call').select('call_id').where('queue_id', '=', q.id).execute()).toEqual([]);
  });

  it('offers the longest-idle ready agent of an allowed group', async () => {
    const floor = await makeFloor(t.db, 3);
    const other = await makeFloor(t.db, 1);
    const q = await queue(floor);
    // The other group's agent is ready longest but may not answer this queue.
    await makeReady(t.services.agents, [other.agents[0]!, floor.agents[1]!, floor.agents[2]!, floor.agents[0]!]);
    const c1 = await arrive(q.number);
    const c2 = await arrive(q.number);
    expect(sink.lastOffer(c1)!.agentId).toBe(floor.agents[1]);
    expect(sink.lastOffer(c2)!.agentId).toBe(floor.agents[2]);
    expect(sink.lastOffer(c1)!.ringSeconds).toBe(15);
    await serve(c1, floor.agents[1]!);
    // agent 0 has been ready longer than agent 1, who just finished.
    const c3 = await arrive(q.number);
    expect(sink.lastOffer(c3)!.agentId).toBe(floor.agents[0]);
    await serve(c2, floor.agents[2]!);
    await serve(c3, floor.agents[0]!);
    await t.services.agents.apply(other.agents[0]!, { type: 'not_ready', reason: 'meeting' });
  });

  it('serves waiting calls by queue priority, then arrival', async () => {
    const floor = await makeFloor(t.db, 1);
    const low = await queue(floor, { priority: 0 });
    const high = await queue(floor, { priority: 5 });
    const t0 = Date.now() - 60_000;
    const a1 = await arrive(low.number, '13800000001', new Date(t0));
    const a2 = await arrive(low.number, '13800000002', new Date(t0 + 1000));
    const b1 = await arrive(high.number, '13800000003', new Date(t0 + 2000));
    const a3 = await arrive(low.number, '13800000004', new Date(t0 + 3000));
    const b2 = await arrive(high.number, '13800000005', new Date(t0 + 4000));
    expect(sink.offers).toEqual([]);
    const [snapLow] = await t.services.queues.snapshots([low.id]);
    expect(snapLow!.calls.map((c) => [c.callId, c.position])).toEqual([[a1, 1], [a2, 2], [a3, 3]]);
    expect(snapLow!.longestWaitSeconds).toBeGreaterThanOrEqual(60);

    const agent = floor.agents[0]!;
    await makeReady(t.services.agents, [agent]);
    await t.services.acd.settled();
    const order: string[] = [];
    while (order.length < 5) {
      const o = sink.offers[order.length];
      expect(o, `offer #${order.length + 1}`).toBeDefined();
      order.push(o!.callId);
      await serve(o!.callId, agent);
    }
    expect(order).toEqual([b1, b2, a1, a2, a3]);
  });

  it('ring-no-answer: the agent becomes not ready (未接来电) and the call goes to the next agent at its place', async () => {
    const floor = await makeFloor(t.db, 2);
    const q = await queue(floor);
    const [x, y] = floor.agents as [string, string];
    await makeReady(t.services.agents, [x]);
    const c = await arrive(q.number);
    expect(sink.lastOffer(c)!.agentId).toBe(x);
    await router.offerFailed(c, x, 'no_answer', new Date());
    expect(await state(x)).toEqual({ kind: 'not_ready', reason: 'missed_call' });
    expect((await t.db.selectFrom('acd_call').select('state').where('call_id', '=', c).executeTakeFirstOrThrow()).state).toBe('waiting');
    // A repeated or stale report changes nothing.
    await router.offerFailed(c, x, 'no_answer', new Date());
    await makeReady(t.services.agents, [y]);
    await t.services.acd.settled();
    expect(sink.lastOffer(c)!.agentId).toBe(y);
    // busy counts the same way.
    await router.offerFailed(c, y, 'busy', new Date());
    expect(await state(y)).toEqual({ kind: 'not_ready', reason: 'missed_call' });
    await makeReady(t.services.agents, [x]);
    await t.services.acd.settled();
    expect(sink.lastOffer(c)!.agentId).toBe(x);
    await serve(c, x);
    const offers = await t.db.selectFrom('call_offer').select(['agent_id', 'outcome']).where('call_id', '=', c).orderBy('id').execute();
    expect(offers).toEqual([{ agent_id: x, outcome: 'no_answer' }, { agent_id: y, outcome: 'busy' }, { agent_id: x, outcome: 'answered' }]);
    const log = await t.db.selectFrom('agent_state_log').select(['event', 'reason']).where('agent_id', '=', x).where('call_id', 'is', null).where('event', '=', 'ring_no_answer').execute();
    expect(log).toEqual([{ event: 'ring_no_answer', reason: 'missed_call' }]);
    await assertReservationsSound(t.db);
  });

  it('the ACD counts an offer unanswered by itself when the SIP server never reports it', async () => {
    const floor = await makeFloor(t.db, 1);
    const q = await queue(floor);
    await makeReady(t.services.agents, floor.agents);
    const c = await arrive(q.number);
    await t.services.acd.sweep(new Date(Date.now() + 21_000)); // 15 s ring + 5 s grace
    expect(await state(floor.agents[0]!)).toEqual({ kind: 'not_ready', reason: 'missed_call' });
    await router.abandoned(c, new Date());
  });

  it('abandon while waiting: recorded with its wait time, and a callback task gathers the number’s missed calls', async () => {
    const floor = await makeFloor(t.db, 1);
    const q = await queue(floor);
    const caller = '+86 137-0000-1111';
    const arrivedAt = new Date(Date.now() - 42_000);
    const callId = `call-${randomUUID()}`;
    await router.arrived({ callId, dialled: q.number, caller, trunk: 'pstn', at: arrivedAt });
    expect(sink.of(callId)).toEqual([]);
    const endedAt = new Date(arrivedAt.getTime() + 42_000);
    await router.abandoned(callId, endedAt);
    await router.abandoned(callId, new Date()); // repeated: nothing changes
    const r = await record(callId);
    expect(r).toMatchObject({ result: 'abandoned', ended_by: 'caller', caller_normalised: '13700001111', answered_at: null, agent_id: null });
    expect(deriveCallTimes({ arrivedAt: r.arrived_at, answeredAt: r.answered_at, endedAt: r.ended_at, wrapUpEndedAt: null, holds: [] }).waitSeconds).toBe(42);
    const tasks = await t.db.selectFrom('callback_task').selectAll().where('caller_normalised', '=', '13700001111').execute();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ status: 'open', reason: 'abandoned', missed_count: 1, queue_id: q.id, first_call_id: callId });
    const again = await arrive(q.number, '13700001111');
    await router.abandoned(again, new Date());
    const task = await t.db.selectFrom('callback_task').selectAll().where('caller_normalised', '=', '13700001111').executeTakeFirstOrThrow();
    expect(task).toMatchObject({ missed_count: 2, last_call_id: again, status: 'open' });
    expect(await t.db.selectFrom('acd_call').select('call_id').where('queue_id', '=', q.id).execute()).toEqual([]);
  });

  it('abandon while ringing: the reservation is released and the agent takes the next waiting call', async () => {
    const floor = await makeFloor(t.db, 1);
    const q = await queue(floor);
    const x = floor.agents[0]!;
    const c1 = await arrive(q.number, '13600000001');
    const c2 = await arrive(q.number, '13600000002');
    await makeReady(t.services.agents, [x]);
    await t.services.acd.settled();
    expect(sink.lastOffer(c1)!.agentId).toBe(x);
    await router.abandoned(c1, new Date());
    await t.services.acd.settled();
    expect((await record(c1)).result).toBe('abandoned');
    const events = await t.db.selectFrom('agent_state_log').select('event').where('agent_id', '=', x).where('call_id', 'is', null).orderBy('id').execute();
    expect(events.at(-1)).toEqual({ event: 'offer_withdrawn' });
    expect(sink.lastOffer(c2)!.agentId).toBe(x);
    expect(await state(x)).toEqual({ kind: 'reserved', callId: c2 });
    expect((await t.db.selectFrom('call_offer').select('outcome').where('call_id', '=', c1).executeTakeFirstOrThrow()).outcome).toBe('withdrawn');
    await serve(c2, x);
  });

  it('overflows after the maximum wait (callback task), when the queue is full, and refuses unknown numbers', async () => {
    const floor = await makeFloor(t.db, 1);
    const q = await queue(floor, { maxWaitSeconds: 30, maxQueueLength: 2 });
    const c1 = await arrive(q.number, '13500000001');
    const c2 = await arrive(q.number, '13500000002');
    const c3 = await arrive(q.number, '13500000003');
    expect(sink.of(c3)).toEqual([{ kind: 'overflow', callId: c3, reason: 'queue_full' }]);
    expect((await record(c3)).result).toBe('overflowed');
    await t.services.acd.sweep(new Date(Date.now() + 10_000));
    expect(sink.of(c1)).toEqual([]);
    await t.services.acd.sweep(new Date(Date.now() + 31_000));
    expect(sink.of(c1)).toEqual([{ kind: 'overflow', callId: c1, reason: 'max_wait' }]);
    expect(sink.of(c2)).toEqual([{ kind: 'overflow', callId: c2, reason: 'max_wait' }]);
    const r1 = await record(c1);
    expect(r1).toMatchObject({ result: 'overflowed', ended_by: 'system' });
    const task = await t.db.selectFrom('callback_task').selectAll().where('caller_normalised', '=', '13500000001').executeTakeFirstOrThrow();
    expect(task).toMatchObject({ reason: 'overflowed', status: 'open', first_call_id: c1 });
    // The caller hanging up afterwards changes nothing.
    await router.abandoned(c1, new Date());
    expect((await record(c1)).result).toBe('overflowed');

    const unknown = `call-${randomUUID()}`;
    await router.arrived({ callId: unknown, dialled: '99999999', caller: '13500000009', trunk: null, at: new Date() });
    expect(sink.of(unknown)).toEqual([{ kind: 'reject', callId: unknown, status: 404, reason: 'Not a queue number' }]);

    // A call whose offer fails after its maximum wait overflows instead of waiting again.
    await makeReady(t.services.agents, floor.agents);
    await router.arrived({ callId: `call-${randomUUID()}`, dialled: q.number, caller: '13500000010', trunk: null, at: new Date(Date.now() - 29_800) });
    const offer = sink.offers.at(-1)!;
    // Let the maximum wait pass while the agent's phone rings.
    await new Promise((r) => setTimeout(r, 300));
    await router.offerFailed(offer.callId, offer.agentId, 'no_answer', new Date());
    expect(sink.of(offer.callId).at(-1)).toEqual({ kind: 'overflow', callId: offer.callId, reason: 'max_wait' });
  });

  it('every call ends in a correct record; wait, talk, hold and after-call work come from its timestamps', async () => {
    const floor = await makeFloor(t.db, 1);
    const q = await queue(floor);
    const x = floor.agents[0]!;
    await makeReady(t.services.agents, [x]);
    const t0 = Date.now() - 100_000;
    const at = (s: number) => new Date(t0 + s * 1000);
    const callId = `call-${randomUUID()}`;
    await router.arrived({ callId, dialled: q.number, caller: '010-12345678', trunk: 'pstn', at: at(0) });
    expect(sink.lastOffer(callId)!.agentId).toBe(x);
    await router.answered(callId, x, at(7));
    await router.answered(callId, x, at(8)); // repeated
    await router.held(callId, x, at(20));
    expect(await state(x)).toEqual({ kind: 'on_call', callId, held: true });
    await router.resumed(callId, x, at(32));
    await router.held(callId, x, at(90));
    // The softphone recorded the call.
    const rec = await t.db.insertInto('call_recording').values({ sip_call_id: callId, agent_id: x, direction: 'inbound', remote_number: '01012345678', mime_type: 'audio/webm', started_at: at(7) }).returning('id').executeTakeFirstOrThrow();
    await router.ended(callId, 'agent', at(100));
    await router.ended(callId, 'agent', at(101)); // repeated
    expect((await state(x)).kind).toBe('after_call_work');
    await t.services.agents.apply(x, { type: 'wrap_up_done' });

    const r = await record(callId);
    expect(r).toMatchObject({ direction: 'inbound', result: 'answered', agent_id: x, queue_id: q.id, ended_by: 'agent', caller_normalised: '01012345678', recording_id: rec.id, trunk: 'pstn' });
    expect(r.answered_at).toEqual(at(7));
    expect(r.ended_at).toEqual(at(100));
    const holds = await t.db.selectFrom('call_hold').selectAll().where('call_id', '=', callId).orderBy('id').execute();
    expect(holds.map((h) => [h.held_at, h.resumed_at])).toEqual([[at(20), at(32)], [at(90), at(100)]]);
    const wrapUpEnd = await t.db.selectFrom('agent_state_log').select('at').where('agent_id', '=', x).where('event', '=', 'wrap_up_done').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(r.wrap_up_ended_at).toEqual(wrapUpEnd.at);

    const times = deriveCallTimes({ arrivedAt: r.arrived_at, answeredAt: r.answered_at, endedAt: r.ended_at, wrapUpEndedAt: r.wrap_up_ended_at, holds: holds.map((h) => ({ heldAt: h.held_at, resumedAt: h.resumed_at })) });
    expect(times).toMatchObject({ waitSeconds: 7, holdSeconds: 22, talkSeconds: 71 });
    expect(times.afterCallWorkSeconds).toBe((wrapUpEnd.at.getTime() - at(100).getTime()) / 1000);
  });

  it('non-queue legs: internal calls, an outbound callback that closes its task, and a transfer', async () => {
    const floor = await makeFloor(t.db, 2);
    const q = await queue(floor);
    const [x, y] = floor.agents as [string, string];
    await makeReady(t.services.agents, [x, y]);
    // Internal: x calls y, y is reserved while it rings (no queue call meanwhile), then both talk.
    const internal = `call-${randomUUID()}`;
    await router.legStarted({ callId: internal, direction: 'internal', caller: '7001', called: '7002', fromAgentId: x, toAgentId: y, parentCallId: null, callbackTaskId: null, at: new Date() });
    expect(await state(x)).toEqual({ kind: 'on_call', callId: internal, held: false });
    expect(await state(y)).toEqual({ kind: 'reserved', callId: internal });
    await router.answered(internal, y, new Date());
    expect(await state(y)).toEqual({ kind: 'on_call', callId: internal, held: false });
    await router.ended(internal, 'agent', new Date());
    expect((await state(x)).kind).toBe('after_call_work');
    expect((await state(y)).kind).toBe('after_call_work');
    expect(await record(internal)).toMatchObject({ direction: 'internal', agent_id: x, peer_agent_id: y, result: 'answered' });
    for (const a of [x, y]) await t.services.agents.apply(a, { type: 'wrap_up_done' });

    // An abandoned caller gets called back from the task; answering closes the task.
    const missed = await arrive(q.number, '13912345678');
    await router.abandoned(missed, new Date());
    const task = await t.db.selectFrom('callback_task').select('id').where('caller_normalised', '=', '13912345678').where('status', '=', 'open').executeTakeFirstOrThrow();
    const back = `call-${randomUUID()}`;
    await router.legStarted({ callId: back, direction: 'outbound', caller: '7001', called: '13912345678', fromAgentId: x, toAgentId: null, parentCallId: null, callbackTaskId: task.id, at: new Date() });
    expect((await t.db.selectFrom('callback_task').select(['status', 'claimed_by']).where('id', '=', task.id).executeTakeFirstOrThrow())).toEqual({ status: 'claimed', claimed_by: x });
    await router.answered(back, x, new Date());
    await router.ended(back, 'caller', new Date());
    expect(await t.db.selectFrom('callback_task').select(['status', 'outcome', 'done_by', 'done_call_id']).where('id', '=', task.id).executeTakeFirstOrThrow())
      .toEqual({ status: 'done', outcome: 'called_back', done_by: x, done_call_id: back });
    expect(await record(back)).toMatchObject({ direction: 'outbound', result: 'answered', caller_normalised: '13912345678', callback_task_id: task.id });
    await t.services.agents.apply(x, { type: 'wrap_up_done' });

    // An outbound call nobody answers is 'missed'.
    const noAnswer = `call-${randomUUID()}`;
    await router.legStarted({ callId: noAnswer, direction: 'outbound', caller: '7001', called: '13900000000', fromAgentId: x, toAgentId: null, parentCallId: null, callbackTaskId: null, at: new Date() });
    await router.abandoned(noAnswer, new Date());
    expect((await record(noAnswer)).result).toBe('missed');
    await t.services.agents.apply(x, { type: 'wrap_up_done' });

    // Transfer: x answers a queue call and transfers it to y.
    await t.services.agents.apply(y, { type: 'not_ready', reason: 'meeting' });
    const inbound = await arrive(q.number, '13711112222');
    expect(sink.lastOffer(inbound)!.agentId).toBe(x);
    await router.answered(inbound, x, new Date());
    await t.services.agents.apply(y, { type: 'ready' });
    const leg = `call-${randomUUID()}`;
    await router.legStarted({ callId: leg, direction: 'transfer', caller: '13711112222', called: '7002', fromAgentId: x, toAgentId: y, parentCallId: inbound, callbackTaskId: null, at: new Date() });
    expect(await record(inbound)).toMatchObject({ result: 'transferred', agent_id: x });
    expect((await state(x)).kind).toBe('after_call_work');
    expect(await state(y)).toEqual({ kind: 'reserved', callId: leg });
    await router.answered(leg, y, new Date());
    await router.ended(leg, 'caller', new Date());
    expect(await record(leg)).toMatchObject({ direction: 'transfer', agent_id: y, parent_call_id: inbound, queue_id: q.id, result: 'answered', caller_normalised: '13711112222' });
    for (const a of [x, y]) await t.services.agents.apply(a, { type: 'not_ready', reason: 'meeting' });
  });
});
