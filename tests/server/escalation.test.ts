/**
 * 升级/求助 on a real database: only a supervisor of the agent's group whose console declared
 * its phone ready is picked (not one of another group, not one already helping, never when
 * nobody is online), the supervisor is told before the agent gets the extension, each side
 * reports only its own steps, and every step is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Escalation } from '../../src/shared/api/supervisor.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';
import { openSocket, type ClientSocket } from '../harness/realtime-client.js';

describe('escalation (升级/求助)', () => {
  let t: TestApp;
  let agent: { accessToken: string; userId: string };
  let supA: { accessToken: string; userId: string };
  let supB: { accessToken: string; userId: string };
  let supOther: { accessToken: string; userId: string };
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    t = await createTestApp({}, { listen: true });
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const mk = async (username: string, roles: string[], extra: object = {}) => {
      const res = await t.as(admin)('POST', '/api/users', { username, displayName: `${username}名`, password: 'Pass-word-1', roles, ...extra });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const a = await mk('esup_a', ['supervisor'], { extension: '1960' });
    const b = await mk('esup_b', ['supervisor'], { extension: '1961' });
    const o = await mk('esup_o', ['supervisor'], { extension: '1962' });
    const g = (await t.as(admin)('POST', '/api/groups', { name: 'eg', supervisorIds: [a, b] })).json().id;
    await t.as(admin)('POST', '/api/groups', { name: 'eg-other', supervisorIds: [o] });
    await mk('eagent', ['agent'], { extension: '1061', groupIds: [g] });
    agent = await t.login('eagent', 'Pass-word-1');
    supA = await t.login('esup_a', 'Pass-word-1');
    supB = await t.login('esup_b', 'Pass-word-1');
    supOther = await t.login('esup_o', 'Pass-word-1');
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  const socketFor = (token: string) => openSocket(baseUrl(t.app), { token }, sockets);
  const ready = async (s: ClientSocket, on = true) => s.timeout(5000).emitWithAck('escalation:ready', { ready: on });
  const ask = () => t.as(agent.accessToken)('POST', '/api/escalations', { sipCallId: 'esc-call@test' });
  const step = (who: { accessToken: string }, id: string, state: string) => t.as(who.accessToken)('POST', `/api/escalations/${id}/state`, { state });
  const audit = async (prefix: string) => (await t.db.selectFrom('audit_log').selectAll().orderBy('id').execute()).filter((r) => r.action.startsWith(prefix));

  it('needs a call and an online supervisor of the agent’s group', async () => {
    expect((await ask()).statusCode).toBe(409); // no live call
    expect((await t.as(agent.accessToken)('PUT', '/api/agent/live-call', { sipCallId: 'esc-call@test', direction: 'inbound', remoteNumber: '13800138000', answeredAt: new Date().toISOString() })).statusCode).toBe(204);
    expect((await ask()).statusCode).toBe(409); // nobody ready
    // A supervisor of another group, ready, is never picked.
    const other = await socketFor(supOther.accessToken);
    expect(await ready(other)).toMatchObject({ ok: true, data: { groups: 1 } });
    expect((await ask()).statusCode).toBe(409);
    // An agent cannot declare itself a 求助 target.
    expect(await ready(await socketFor(agent.accessToken))).toMatchObject({ ok: true, data: { groups: 0 } });
    expect((await ask()).statusCode).toBe(409);
  });

  it('rings a ready supervisor first, then the next one while the first is helping; each side reports its own steps; audited', async () => {
    const a = await socketFor(supA.accessToken);
    const b = await socketFor(supB.accessToken);
    const agentSocket = await socketFor(agent.accessToken);
    await ready(a);
    await ready(b);
    const seen: Record<string, Escalation[]> = { a: [], b: [], agent: [] };
    a.on('escalation:changed', (e) => seen.a!.push(e));
    b.on('escalation:changed', (e) => seen.b!.push(e));
    agentSocket.on('escalation:changed', (e) => seen.agent!.push(e));

    const first = await ask();
    expect(first.statusCode, first.body).toBe(201);
    const e1 = first.json<Escalation>();
    expect(e1).toMatchObject({ state: 'ringing', sipCallId: 'esc-call@test', agent: { name: 'eagent名', extension: '1061' } });
    // Both free and never asked: the name decides (esup_a名 < esup_b名).
    expect(e1.supervisor).toMatchObject({ id: supA.userId, extension: '1960' });
    const toA = () => seen.a!.find((x) => x.id === e1.id);
    for (let i = 0; i < 100 && !toA(); i++) await new Promise((r) => setTimeout(r, 20));
    // Supervisors hold tickets:confidential: they see the number whole (masked for those without the right).
    expect(toA()).toMatchObject({ state: 'ringing', remoteNumber: '13800138000' });

    // Only the supervisor answers; only the agent completes.
    expect((await step(agent, e1.id, 'answered')).statusCode).toBe(403);
    expect((await step(supB, e1.id, 'answered')).statusCode).toBe(404);
    expect((await step(supA, e1.id, 'transferred')).statusCode).toBe(403);
    expect((await step(agent, e1.id, 'transferred')).statusCode).toBe(409); // not answered yet
    expect((await step(supA, e1.id, 'answered')).json()).toMatchObject({ state: 'answered' });

    // While A helps, the next 求助 goes to B.
    const e2 = (await ask()).json<Escalation>();
    expect(e2.supervisor.id).toBe(supB.userId);
    expect((await step(supB, e2.id, 'declined')).json()).toMatchObject({ state: 'declined' });
    // B declined (free again), A still busy: B again; cancelled by the agent.
    const e3 = (await ask()).json<Escalation>();
    expect(e3.supervisor.id).toBe(supB.userId);
    expect((await step(agent, e3.id, 'cancelled')).statusCode).toBe(200);
    expect((await step(supB, e3.id, 'answered')).statusCode).toBe(409); // over

    expect((await step(agent, e1.id, 'transferred')).json()).toMatchObject({ state: 'transferred' });
    expect((await step(agent, e1.id, 'transferred')).statusCode).toBe(200); // repeated: no change
    for (let i = 0; i < 100 && seen.agent!.filter((x) => x.id === e1.id).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen.agent!.filter((x) => x.id === e1.id).map((x) => x.state)).toEqual(['answered', 'transferred']);

    // A supervisor whose console is no longer ready is not picked (B leaves; A is free again).
    await ready(b, false);
    expect((await ask()).json<Escalation>().supervisor.id).toBe(supA.userId);

    const log = await audit('escalation.');
    expect(log.filter((r) => r.detail.escalationId === e1.id).map((r) => r.action)).toEqual(['escalation.request', 'escalation.answered', 'escalation.transferred']);
    expect(log.find((r) => r.action === 'escalation.request' && r.detail.escalationId === e1.id)).toMatchObject({ actor_id: agent.userId, target_id: supA.userId });
    expect(log.filter((r) => r.detail.escalationId === e2.id).map((r) => r.action)).toEqual(['escalation.request', 'escalation.declined']);
    expect(log.filter((r) => r.detail.escalationId === e3.id).map((r) => r.action)).toEqual(['escalation.request', 'escalation.cancelled']);
  });
});
