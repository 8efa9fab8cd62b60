/**
 * The wallboard's figures for today, on a real database: known call records give exact
 * numbers per agent (answered, missed, AHT = talk + hold + 整理 over handled calls) and per
 * queue (answered, abandoned, 接通率, 15秒接通率), in the snapshots; and a call driven
 * through the ACD pushes the agent's new figures and the queue's after each step.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentDayFigures, queueDayFigures, startOfLocalDay } from '../../src/shared/call-kpis.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/shared/realtime.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('KPI definitions (shared/call-kpis.ts)', () => {
  it('AHT counts talk + hold + 整理 of handled calls only; rates are null over nothing', () => {
    const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 2, 0, s));
    const f = agentDayFigures(
      [
        { arrivedAt: at(0), answeredAt: at(10), endedAt: at(70), wrapUpEndedAt: at(100), holds: [{ heldAt: at(30), resumedAt: at(50) }] },
        // Still in 整理: answered, not handled yet.
        { arrivedAt: at(0), answeredAt: at(5), endedAt: at(20), wrapUpEndedAt: null, holds: [] },
      ],
      2,
    );
    expect(f).toEqual({ answered: 2, missed: 2, handled: 1, avgHandleSeconds: 90 });
    expect(agentDayFigures([], 0).avgHandleSeconds).toBeNull();
    expect(queueDayFigures({ answered: 0, answeredWithinTarget: 0, abandoned: 0, overflowed: 0 })).toMatchObject({ answerRate: null, answerWithinTargetRate: null, targetSeconds: 15 });
    expect(queueDayFigures({ answered: 3, answeredWithinTarget: 2, abandoned: 1, overflowed: 1 })).toMatchObject({ answerRate: 0.6, answerWithinTargetRate: 2 / 3 });
  });
});

describe('wallboard figures for today: snapshots and live pushes', () => {
  let t: TestApp;
  let admin: string;
  let sup: string;
  let agent: { accessToken: string; userId: string };
  let agentB: { accessToken: string; userId: string };
  let queueId: string;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    t = await createTestApp({ wrapUpSeconds: 600 }, { listen: true });
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const mk = async (username: string, roles: string[], extra: object = {}) => {
      const res = await t.as(admin)('POST', '/api/users', { username, displayName: `${username}名`, password: 'Pass-word-1', roles, ...extra });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const s1 = await mk('fsup', ['supervisor'], { extension: '1950' });
    const g1 = (await t.as(admin)('POST', '/api/groups', { name: 'fg1', supervisorIds: [s1] })).json().id;
    await mk('fagent', ['agent'], { extension: '1051', groupIds: [g1] });
    await mk('fagentb', ['agent'], { extension: '1052', groupIds: [g1] });
    const q = await t.as(admin)('POST', '/api/acd/queues', { code: 'KPI', name: 'KPI 测试', numbers: ['12399'], groupIds: [g1] });
    expect(q.statusCode, q.body).toBe(201);
    queueId = q.json().id;
    sup = (await t.login('fsup', 'Pass-word-1')).accessToken;
    agent = await t.login('fagent', 'Pass-word-1');
    agentB = await t.login('fagentb', 'Pass-word-1');
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  it('known call records give exact figures per agent and per queue', async () => {
    // Minutes after local midnight, so every record is "today" whenever the test runs.
    const base = startOfLocalDay(new Date()).getTime() + 60_000;
    const at = (s: number) => new Date(base + s * 1000);
    const rec = (callId: string, o: Partial<{ direction: 'inbound' | 'transfer' | 'outbound'; arrived: number; answered: number | null; ended: number | null; wrap: number | null; result: 'answered' | 'abandoned' | 'overflowed' | 'missed' | 'transferred' | null; agent: string | null; when: (s: number) => Date }>) => {
      const w = o.when ?? at;
      return {
        call_id: callId, direction: o.direction ?? 'inbound', caller: '13800138000', caller_normalised: '13800138000', called: '12399', queue_id: queueId,
        agent_id: o.agent === undefined ? agentB.userId : o.agent, arrived_at: w(o.arrived ?? 0),
        answered_at: o.answered == null ? null : w(o.answered), ended_at: o.ended == null ? null : w(o.ended),
        wrap_up_ended_at: o.wrap == null ? null : w(o.wrap), result: o.result ?? null,
      };
    };
    const yesterday = (s: number) => new Date(base - 86_400_000 + s * 1000);
    await t.db.insertInto('call_record').values([
      // Answered after 10 s; talk 40 + hold 20 + 整理 30 = 90.
      rec('k1', { arrived: 0, answered: 10, ended: 70, wrap: 100, result: 'answered' }),
      // Answered after exactly 15 s (counts as within 15 s); talk 120 + 整理 30 = 150.
      rec('k2', { arrived: 200, answered: 215, ended: 335, wrap: 365, result: 'answered' }),
      // Answered after 20 s; still in 整理 (answered, not handled).
      rec('k3', { arrived: 400, answered: 420, ended: 480, result: 'answered' }),
      rec('k4', { arrived: 500, ended: 530, result: 'abandoned', agent: null }),
      rec('k5', { arrived: 600, ended: 720, result: 'overflowed', agent: null }),
      // A transfer to the agent: the agent answered it (talk 50 + 整理 10 = 60); not a queue arrival.
      rec('k6', { direction: 'transfer', arrived: 800, answered: 805, ended: 855, wrap: 865, result: 'answered' }),
      // An outbound call: not "answered" by the agent.
      rec('k7', { direction: 'outbound', arrived: 900, answered: 905, ended: 960, wrap: 970, result: 'answered' }),
      // Yesterday: in neither figure.
      rec('k8', { arrived: 0, answered: 5, ended: 60, wrap: 90, result: 'answered', when: yesterday }),
      rec('k9', { arrived: 0, ended: 60, result: 'abandoned', agent: null, when: yesterday }),
    ]).execute();
    await t.db.insertInto('call_hold').values({ call_id: 'k1', agent_id: agentB.userId, held_at: at(30), resumed_at: at(50) }).execute();
    const offer = (callId: string, outcome: 'no_answer' | 'rejected' | 'busy' | 'withdrawn' | 'answered', when = at(0)) =>
      ({ call_id: callId, agent_id: agentB.userId, offered_at: when, ended_at: when, outcome });
    await t.db.insertInto('call_offer').values([
      offer('k1', 'answered'), offer('k2', 'no_answer'), offer('k3', 'no_answer'), offer('k4', 'rejected'),
      offer('k5', 'busy'), offer('k4', 'withdrawn'), offer('k8', 'no_answer', yesterday(0)),
    ]).execute();

    const floor = (await t.as(sup)('GET', '/api/supervisor/floor')).json();
    const b = floor.agents.find((a: { username: string }) => a.username === 'fagentb');
    // answered: k1, k2, k3, k6; handled: k1, k2, k6 → (90 + 150 + 60) / 3; missed: 2 no answer + 1 declined.
    expect(b.today).toEqual({ answered: 4, missed: 3, handled: 3, avgHandleSeconds: 100 });
    const a = floor.agents.find((x: { username: string }) => x.username === 'fagent');
    expect(a.today).toEqual({ answered: 0, missed: 0, handled: 0, avgHandleSeconds: null });

    const live = (await t.as(sup)('GET', '/api/acd/live')).json();
    const q = live.queues.find((x: { queueId: string }) => x.queueId === queueId);
    // Arrivals today: k1–k5; answered k1, k2, k3 (k1 and k2 within 15 s).
    expect(q.today).toEqual({ answered: 3, answeredWithinTarget: 2, abandoned: 1, overflowed: 1, answerRate: 0.6, answerWithinTargetRate: 2 / 3, targetSeconds: 15 });
  });

  it('a call through the ACD pushes the agent’s figures (answer, end, 整理 done, a miss) and the queue’s', async () => {
    const s: ClientSocket = connect(baseUrl(t.app), { transports: ['websocket'], auth: { token: sup }, reconnection: false });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.on('connect', resolve);
      s.on('connect_error', reject);
    });
    const figures: { agentId: string; today: { answered: number; missed: number; handled: number; avgHandleSeconds: number | null }; at: string }[] = [];
    const queues: { queueId: string; today: { answered: number; abandoned: number } }[] = [];
    s.on('agent:figures-changed', (p) => figures.push(p));
    s.on('acd:queue-changed', (p) => queues.push(p));
    const until = async (what: () => boolean, label: string) => {
      for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(what(), label).toBe(true);
    };
    const mine = () => figures.filter((f) => f.agentId === agent.userId).map((f) => f.today);
    const queueBefore = (await t.as(sup)('GET', '/api/acd/live')).json().queues.find((x: { queueId: string }) => x.queueId === queueId).today;

    for (const type of ['sign_in', 'ready']) expect((await t.as(agent.accessToken)('POST', '/api/agent/state', { type })).statusCode).toBe(200);
    const acd = t.services.acd;
    // A miss first: offered, rang out (the agent goes 示忙 · 未接).
    await acd.arrived({ callId: 'live-1', dialled: '12399', caller: '13900139000', trunk: null, at: new Date() });
    await acd.offerFailed('live-1', agent.userId, 'no_answer', new Date());
    await until(() => mine().some((f) => f.missed === 1), 'missed pushed');
    expect(mine().at(-1)).toEqual({ answered: 0, missed: 1, handled: 0, avgHandleSeconds: null });
    // Ready again: the waiting call is offered again and answered.
    expect((await t.as(agent.accessToken)('POST', '/api/agent/state', { type: 'ready' })).statusCode).toBe(200);
    await acd.settled();
    const answeredAt = new Date();
    await acd.answered('live-1', agent.userId, answeredAt);
    await until(() => mine().some((f) => f.answered === 1), 'answered pushed');
    expect(mine().at(-1)).toEqual({ answered: 1, missed: 1, handled: 0, avgHandleSeconds: null });
    await until(() => queues.some((q) => q.queueId === queueId && q.today.answered === queueBefore.answered + 1), 'queue answered pushed');
    await acd.ended('live-1', 'caller', new Date(answeredAt.getTime() + 1000));
    // Ended, in 整理: still not handled.
    await until(() => mine().length >= 3, 'call end pushed');
    expect(mine().at(-1)!.handled).toBe(0);
    expect((await t.as(agent.accessToken)('POST', '/api/agent/state', { type: 'wrap_up_done' })).statusCode).toBe(200);
    await until(() => mine().some((f) => f.handled === 1), '整理 done pushed');
    const last = mine().at(-1)!;
    expect(last.answered).toBe(1);
    expect(last.avgHandleSeconds).toBeGreaterThanOrEqual(1);
    // The snapshot agrees with the last push.
    const snap = (await t.as(sup)('GET', '/api/supervisor/floor')).json();
    expect(snap.agents.find((x: { agentId: string }) => x.agentId === agent.userId).today).toEqual(last);
    // Pushes carry the server time they were computed at (the console keeps the newest).
    expect(figures.every((f) => !Number.isNaN(Date.parse(f.at)))).toBe(true);
  });
});
