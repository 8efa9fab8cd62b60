/**
 * The ACD over REST and Socket.IO: queue administration and its permission, the live queue
 * picture for supervisors of the queue's groups only, the screen-pop offer to the agent,
 * callback tasks (one agent at a time), the agent's calls today, and the demo queues.
 */
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTask, QueueSnapshot } from '../../src/shared/api/acd.js';
import type { AcdOffer, ClientToServerEvents, ServerToClientEvents } from '../../src/shared/realtime.js';
import { RecordingSink } from '../harness/acd-floor.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';

type C = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('ACD API', () => {
  let t: TestApp;
  let admin: string;
  let sup1: string;
  let sup2: string;
  let ag1: { accessToken: string; userId: string };
  let ag2: { accessToken: string; userId: string };
  let ag3: { accessToken: string; userId: string };
  let g1: string;
  let g2: string;
  const sink = new RecordingSink();
  const sockets: C[] = [];
  const open = (token: string) =>
    new Promise<C>((resolve, reject) => {
      const s: C = connect(baseUrl(t.app), { transports: ['websocket'], auth: { token }, forceNew: true, reconnection: false });
      sockets.push(s);
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });

  beforeAll(async () => {
    // The phone rings once the console painted the offer, or after 1.5 s (long, so a test can tell the two apart).
    t = await createTestApp({ screenPopLeadMs: 1500 }, { listen: true });
    t.services.acd.setSink(sink);
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const mk = async (username: string, roles: string[], extra: object = {}) =>
      (await t.as(admin)('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles, ...extra })).json().id as string;
    const s1 = await mk('qsup1', ['supervisor']);
    const s2 = await mk('qsup2', ['supervisor']);
    g1 = (await t.as(admin)('POST', '/api/groups', { name: 'qg1', supervisorIds: [s1] })).json().id;
    g2 = (await t.as(admin)('POST', '/api/groups', { name: 'qg2', supervisorIds: [s2] })).json().id;
    await mk('qagent1', ['agent'], { extension: '2001', groupIds: [g1] });
    await mk('qagent2', ['agent'], { extension: '2002', groupIds: [g1] });
    await mk('qagent3', ['agent'], { extension: '2003', groupIds: [g2] });
    sup1 = (await t.login('qsup1', 'Pass-word-1')).accessToken;
    sup2 = (await t.login('qsup2', 'Pass-word-1')).accessToken;
    ag1 = await t.login('qagent1', 'Pass-word-1');
    ag2 = await t.login('qagent2', 'Pass-word-1');
    ag3 = await t.login('qagent3', 'Pass-word-1');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t.close();
  });

  let queueId: string;

  it('admins manage queues; numbers belong to one queue; others may not', async () => {
    expect((await t.as(ag1.accessToken)('GET', '/api/acd/queues')).statusCode).toBe(403);
    expect((await t.as(sup1)('POST', '/api/acd/queues', { code: 'x', name: 'x' })).statusCode).toBe(403);
    const created = await t.as(admin)('POST', '/api/acd/queues', { code: '12345', name: '12345 综合', numbers: ['12345'], groupIds: [g1] });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ code: '12345', numbers: ['12345'], groupIds: [g1], priority: 0, ringTimeoutSeconds: 15, maxWaitSeconds: 120, overflow: 'callback', enabled: true });
    queueId = created.json().id;
    const dup = await t.as(admin)('POST', '/api/acd/queues', { code: '12315', name: '12315 消费投诉', numbers: ['12345'] });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().issues[0].path).toBe('numbers');
    expect((await t.as(admin)('POST', '/api/acd/queues', { code: '12315', name: 'x', groupIds: [randomUUID()] })).statusCode).toBe(400);
    const other = await t.as(admin)('POST', '/api/acd/queues', { code: '12315', name: '12315 消费投诉', numbers: ['12315'], groupIds: [g2], priority: 2 });
    expect(other.statusCode).toBe(201);
    const upd = await t.as(admin)('PUT', `/api/acd/queues/${queueId}`, { code: '12345', name: '12345 综合受理', numbers: ['12345', '96345'], groupIds: [g1], ringTimeoutSeconds: 20 });
    expect(upd.json()).toMatchObject({ name: '12345 综合受理', numbers: ['12345', '96345'], ringTimeoutSeconds: 20 });
    expect((await t.as(admin)('GET', '/api/acd/queues')).json().items.map((q: { code: string }) => q.code)).toEqual(['12315', '12345']);
    expect(await t.services.queues.routedNumbers()).toEqual(['12315', '12345', '96345']);
    expect((await t.as(admin)('DELETE', `/api/acd/queues/${other.json().id}`)).statusCode).toBe(204);
    const audit = await t.db.selectFrom('audit_log').select('action').where('action', 'like', 'queue.%').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['queue.created', 'queue.created', 'queue.updated', 'queue.deleted']);
  });

  it('an offer reaches the agent’s console at once; the queue picture reaches only the queue’s supervisors', async () => {
    const [a1, s1, s2] = await Promise.all([open(ag1.accessToken), open(sup1), open(sup2)]);
    let sup2Got = false;
    s2.on('acd:queue-changed', () => (sup2Got = true));
    await t.as(ag1.accessToken)('POST', '/api/agent/state', { type: 'sign_in' });
    // The console says when it has painted the pop (the phone rings then).
    const offered = new Promise<AcdOffer>((resolve) => a1.once('acd:offered', (o, painted) => {
      resolve(o);
      painted();
    }));
    const pictures: QueueSnapshot[] = [];
    s1.on('acd:queue-changed', (p) => pictures.push(p));
    const callId = `call-${randomUUID()}`;
    await t.services.acd.arrived({ callId, dialled: '96345', caller: '13800001234', trunk: null, at: new Date(Date.now() - 3000) });
    // Waiting: the supervisors see it.
    await expect.poll(() => pictures.at(-1)?.waiting).toBe(1);
    expect(pictures.at(-1)).toMatchObject({ queueId, name: '12345 综合受理', calls: [{ callId, caller: '13800001234', state: 'waiting', position: 1 }] });
    const live = await t.as(sup1)('GET', '/api/acd/live');
    expect(live.json().queues).toHaveLength(1);
    expect(live.json().queues[0]).toMatchObject({ queueId, waiting: 1, ringing: 0 });
    expect(live.json().queues[0].longestWaitSeconds).toBeGreaterThanOrEqual(3);
    expect((await t.as(sup2)('GET', '/api/acd/live')).json().queues.map((q: QueueSnapshot) => q.queueId)).not.toContain(queueId);
    expect((await t.as(ag1.accessToken)('GET', '/api/acd/live')).statusCode).toBe(403);

    await t.as(ag1.accessToken)('POST', '/api/agent/state', { type: 'ready' });
    const offer = await offered;
    expect(offer).toMatchObject({ callId, caller: '13800001234', callerNormalised: '13800001234', queueId, queueName: '12345 综合受理', ringSeconds: 20 });
    expect(offer.waitedSeconds).toBeGreaterThanOrEqual(3);
    // The caller's history comes with the offer, as this agent would fetch it: the pop paints from the push.
    const fetched = await t.as(ag1.accessToken)('GET', `/api/callers/13800001234/history?callId=${encodeURIComponent(callId)}`);
    expect(offer.history).toEqual(fetched.json());
    expect(offer.history).toMatchObject({ number: '13800001234', current: { callId, queueName: '12345 综合受理' } });
    await expect.poll(() => sink.offers.at(-1)).toEqual({ kind: 'offer', callId, agentId: ag1.userId, extension: '2001', ringSeconds: 20 });
    await expect.poll(() => pictures.at(-1)?.ringing).toBe(1);

    const ended = new Promise<{ callId: string; reason: string }>((resolve) => a1.once('acd:offer-ended', resolve));
    await t.services.acd.answered(callId, ag1.userId, new Date());
    expect(await ended).toEqual({ callId, reason: 'answered' });
    await t.services.acd.ended(callId, 'caller', new Date());
    await expect.poll(() => pictures.at(-1)?.ringing).toBe(0);
    expect(sup2Got).toBe(false);

    const mine = (await t.as(ag1.accessToken)('GET', '/api/acd/my-calls')).json().items;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ callId, direction: 'inbound', result: 'answered', queueName: '12345 综合受理', agentId: ag1.userId, holdSeconds: 0 });
    expect(mine[0].waitSeconds).toBeGreaterThanOrEqual(3);
    expect((await t.as(ag2.accessToken)('GET', '/api/acd/my-calls')).json().items).toEqual([]);
    await t.as(ag1.accessToken)('POST', '/api/agent/state', { type: 'wrap_up_done' });
    await t.as(ag1.accessToken)('POST', '/api/agent/state', { type: 'not_ready', reason: 'meeting' });
    await t.services.acd.settled();
  });

  it('the phone rings once the console has painted the offer; a console or history that does not answer holds the ring only briefly', async () => {
    const pushes = t.services.acdPushes;
    const real = pushes.historyOf!;
    const order: string[] = [];
    let decidedAt = 0;
    let paintedAt = 0;
    const decide = sink.decide;
    sink.decide = function (d) {
      order.push(`decision ${d.callId}`);
      decidedAt = performance.now();
      decide.call(this, d);
    };
    const arrive = async () => {
      const callId = `call-${randomUUID()}`;
      await t.services.acd.arrived({ callId, dialled: '96345', caller: '13800005678', trunk: null, at: new Date() });
      return callId;
    };
    // Served (not missed: a missed call would leave a callback task for the next test).
    const serve = async (callId: string) => {
      await t.services.acd.answered(callId, ag1.userId, new Date());
      await t.services.acd.ended(callId, 'caller', new Date());
      await t.as(ag1.accessToken)('POST', '/api/agent/state', { type: 'wrap_up_done' });
      await t.services.acd.settled();
    };
    for (const s of sockets.splice(0)) s.close(); // earlier tests' consoles never say they painted
    const console1 = await open(ag1.accessToken);
    let paints = 0;
    let painting = true;
    let release: (() => void) | undefined;
    try {
      await t.as(ag1.accessToken)('POST', '/api/agent/state', { type: 'ready' });
      // The console takes 40 ms to paint: the INVITE waits for it.
      console1.on('acd:offered', (o, painted) => {
        paints += 1;
        if (!painting) return;
        setTimeout(() => {
          order.push(`painted ${o.callId}`);
          paintedAt = performance.now();
          painted();
        }, 40);
      });
      const first = await arrive();
      expect(order).toEqual([`painted ${first}`, `decision ${first}`]);
      expect(decidedAt - paintedAt).toBeLessThan(700); // rung because the console said so, not after the 1.5 s bound
      await serve(first);

      // The console never says it painted, and the history never comes (the push waits for it): the phone rings anyway.
      painting = false;
      pushes.historyWaitMs = 60_000;
      pushes.historyOf = () => new Promise((resolve) => (release = () => resolve(null)));
      const second = await arrive();
      expect(order.at(-1)).toBe(`decision ${second}`);
      expect(sink.lastOffer(second)).toMatchObject({ agentId: ag1.userId });
      release!();
      await expect.poll(() => paints).toBe(2); // the offer still reaches the console, without history
      await serve(second);
    } finally {
      release?.();
      console1.close();
      pushes.historyOf = real;
      pushes.historyWaitMs = 250;
      sink.decide = decide;
      await t.as(ag1.accessToken)('POST', '/api/agent/state', { type: 'not_ready', reason: 'meeting' });
    }
  });

  it('callback tasks: visible to the queue’s agents, worked by one agent at a time', async () => {
    const a2 = await open(ag2.accessToken);
    const pushed: CallbackTask[] = [];
    a2.on('acd:callback-changed', (p) => pushed.push(p));
    const callId = `call-${randomUUID()}`;
    await t.services.acd.arrived({ callId, dialled: '12345', caller: '0086 139 1234 0000', trunk: null, at: new Date() });
    await t.services.acd.abandoned(callId, new Date());
    const list = (await t.as(ag1.accessToken)('GET', '/api/acd/callbacks')).json().items as CallbackTask[];
    expect(list).toHaveLength(1);
    const task = list[0]!;
    expect(task).toMatchObject({ callerNormalised: '13912340000', reason: 'abandoned', status: 'open', queueId, queueName: '12345 综合受理', missedCount: 1, lastCallId: callId });
    expect((await t.as(ag3.accessToken)('GET', '/api/acd/callbacks')).json().items).toEqual([]);
    expect((await t.as(ag3.accessToken)('POST', `/api/acd/callbacks/${task.id}/claim`)).statusCode).toBe(404);
    await expect.poll(() => pushed.length).toBeGreaterThan(0);

    expect((await t.as(ag1.accessToken)('POST', `/api/acd/callbacks/${task.id}/claim`)).json()).toMatchObject({ status: 'claimed', claimedBy: ag1.userId });
    const taken = await t.as(ag2.accessToken)('POST', `/api/acd/callbacks/${task.id}/claim`);
    expect(taken.statusCode).toBe(409);
    expect(taken.json().message).toContain('已被其他坐席认领');
    expect((await t.as(ag2.accessToken)('POST', `/api/acd/callbacks/${task.id}/complete`, { outcome: 'called_back' })).statusCode).toBe(409);
    expect((await t.as(ag2.accessToken)('POST', `/api/acd/callbacks/${task.id}/release`)).statusCode).toBe(409);
    expect((await t.as(ag1.accessToken)('POST', `/api/acd/callbacks/${task.id}/release`)).json().status).toBe('open');
    expect((await t.as(ag2.accessToken)('POST', `/api/acd/callbacks/${task.id}/claim`)).statusCode).toBe(200);
    const done = await t.as(ag2.accessToken)('POST', `/api/acd/callbacks/${task.id}/complete`, { outcome: 'unreachable', note: '关机' });
    expect(done.json()).toMatchObject({ status: 'done', outcome: 'unreachable', doneBy: ag2.userId, note: '关机' });
    expect((await t.as(ag1.accessToken)('GET', '/api/acd/callbacks')).json().items).toEqual([]);
    expect((await t.as(ag1.accessToken)('GET', '/api/acd/callbacks?status=done')).json().items.map((x: CallbackTask) => x.id)).toEqual([task.id]);
    await expect.poll(() => pushed.at(-1)?.status).toBe('done');
    // A new missed call from the same number opens a new task.
    const again = `call-${randomUUID()}`;
    await t.services.acd.arrived({ callId: again, dialled: '12345', caller: '13912340000', trunk: null, at: new Date() });
    await t.services.acd.abandoned(again, new Date());
    const next = (await t.as(ag1.accessToken)('GET', '/api/acd/callbacks')).json().items as CallbackTask[];
    expect(next.map((x) => [x.id === task.id, x.status, x.missedCount])).toEqual([[false, 'open', 1]]);
  });

  it('a queue with calls in it cannot be deleted', async () => {
    const callId = `call-${randomUUID()}`;
    await t.services.acd.arrived({ callId, dialled: '12345', caller: '13800009999', trunk: null, at: new Date() });
    expect((await t.as(admin)('DELETE', `/api/acd/queues/${queueId}`)).statusCode).toBe(409);
    await t.services.acd.abandoned(callId, new Date());
    expect((await t.as(admin)('DELETE', `/api/acd/queues/${queueId}`)).statusCode).toBe(204);
  });
});

describe('demo seed', () => {
  it('creates the 12345 综合 and 12315 消费投诉 queues for the demo group', async () => {
    const t = await createTestApp({ demo: true });
    try {
      const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
      const queues = (await t.as(admin)('GET', '/api/acd/queues')).json().items;
      const group = await t.db.selectFrom('agent_group').select('id').where('name', '=', '综合受理一组').executeTakeFirstOrThrow();
      expect(queues.map((q: { code: string; name: string; numbers: string[]; groupIds: string[] }) => [q.code, q.name, q.numbers, q.groupIds])).toEqual([
        ['12315', '12315 消费投诉', ['12315'], [group.id]],
        ['12345', '12345 综合', ['12345'], [group.id]],
      ]);
    } finally {
      await t.close();
    }
  }, 120_000); // a whole app with the demo floor (argon2 hashes) on a busy 2-core machine
});
