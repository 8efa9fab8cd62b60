import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/shared/api/agent-state.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';
import { openSocket, type ClientSocket } from '../harness/realtime-client.js';

describe('agent states', () => {
  let t: TestApp;
  let admin: string;
  let agent: { accessToken: string; userId: string };
  let supInGroup: string;
  let supElsewhere: string;
  beforeAll(async () => {
    t = await createTestApp({ wrapUpSeconds: 1 }, { listen: true });
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const mk = async (username: string, roles: string[], extra: object = {}) =>
      (await t.as(admin)('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles, ...extra })).json().id as string;
    const s1 = await mk('sup1', ['supervisor']);
    const s2 = await mk('sup2', ['supervisor']);
    const g1 = (await t.as(admin)('POST', '/api/groups', { name: 'g1', supervisorIds: [s1] })).json().id;
    await t.as(admin)('POST', '/api/groups', { name: 'g2', supervisorIds: [s2] });
    await mk('agent1', ['agent'], { extension: '1001', groupIds: [g1] });
    agent = await t.login('agent1', 'Pass-word-1');
    supInGroup = (await t.login('sup1', 'Pass-word-1')).accessToken;
    supElsewhere = (await t.login('sup2', 'Pass-word-1')).accessToken;
  });
  afterAll(() => t.close());

  const send = (body: object) => t.as(agent.accessToken)('POST', '/api/agent/state', body);
  const logCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from agent_state_log`.execute(t.db)).rows[0]!.n);

  it('walks sign-in, ready, not-ready, break and sign-out with one log row per change', async () => {
    expect((await t.as(agent.accessToken)('GET', '/api/agent/state')).json().state).toEqual({ kind: 'signed_out' });
    const kinds = [];
    for (const body of [{ type: 'sign_in' }, { type: 'ready' }, { type: 'not_ready', reason: 'meeting' }, { type: 'break', reason: 'rest' }, { type: 'ready' }, { type: 'sign_out' }]) {
      const res = await send(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(200);
      kinds.push(res.json().state.kind);
    }
    expect(kinds).toEqual(['not_ready', 'ready', 'not_ready', 'break', 'ready', 'signed_out']);
    const log = await t.db.selectFrom('agent_state_log').selectAll().where('agent_id', '=', agent.userId).orderBy('id').execute();
    expect(log.map((l) => l.event)).toEqual(['sign_in', 'ready', 'not_ready', 'break', 'ready', 'sign_out']);
    expect(log[2]).toMatchObject({ kind: 'not_ready', reason: 'meeting' });
    // The log accounts for every moment: each row starts where the previous one ends.
    for (let i = 1; i < log.length; i++) expect(log[i]!.at.getTime()).toBeGreaterThanOrEqual(log[i - 1]!.at.getTime());
  });

  it('refuses illegal transitions and unknown reasons, changing nothing', async () => {
    const before = await logCount();
    const r = await send({ type: 'ready' });
    expect(r.statusCode).toBe(409);
    expect(r.json().message).toContain('签出');
    expect((await send({ type: 'sign_in' })).statusCode).toBe(200);
    const bad = await send({ type: 'not_ready', reason: 'napping' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('reason');
    expect((await send({ type: 'teleport' })).statusCode).toBe(400);
    // Repeating the current state is harmless and logs nothing.
    const again = await send({ type: 'not_ready', reason: 'meeting' });
    const twice = await send({ type: 'not_ready', reason: 'meeting' });
    expect(twice.json().since).toBe(again.json().since);
    expect(await logCount()).toBe(before + 2); // sign_in + one not_ready
    await expect(sql`update agent_state_log set kind = 'x'`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('after-call work follows every call and ends by itself when its time is up', async () => {
    await send({ type: 'ready' });
    const agents = t.services.agents;
    await agents.apply(agent.userId, { type: 'offer', callId: 'call-1' });
    await agents.apply(agent.userId, { type: 'answer', callId: 'call-1' });
    // Signing out in a call is refused with a clear message.
    expect((await send({ type: 'sign_out' })).json().message).toContain('通话中不能签出');
    const acw = await agents.apply(agent.userId, { type: 'call_ended', callId: 'call-1' });
    expect(acw.state.kind).toBe('after_call_work');
    expect(new Date(acw.wrapUpDeadline!).getTime() - new Date(acw.since).getTime()).toBe(1000);
    await expect.poll(async () => (await t.as(agent.accessToken)('GET', '/api/agent/state')).json().state.kind, { timeout: 3000 }).toBe('ready');
    const last = await t.db.selectFrom('agent_state_log').select('event').where('agent_id', '=', agent.userId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(last.event).toBe('wrap_up_timeout');
    // Or by the agent's 整理完成.
    await agents.apply(agent.userId, { type: 'dial', callId: 'call-2' });
    await agents.apply(agent.userId, { type: 'call_ended', callId: 'call-2' });
    expect((await send({ type: 'wrap_up_done' })).json().state.kind).toBe('ready');
  });

  it('pushes changes to the agent and to supervisors of the agent’s group only', async () => {
    type C = ClientSocket;
    const open = (token: string) => openSocket(baseUrl(t.app), { token });
    const [own, sup, other] = await Promise.all([open(agent.accessToken), open(supInGroup), open(supElsewhere)]);
    const got = (s: C) => new Promise<AgentStatus>((resolve) => s.once('agent:state-changed', resolve));
    let otherGot = false;
    other.on('agent:state-changed', () => (otherGot = true));
    const [a, b] = [got(own), got(sup)];
    await send({ type: 'break', reason: 'restroom' });
    expect((await a).state).toEqual({ kind: 'break', reason: 'restroom' });
    expect((await b).agentId).toBe(agent.userId);
    await new Promise((r) => setTimeout(r, 200));
    expect(otherGot).toBe(false);
    for (const s of [own, sup, other]) s.close();
  });

  it('signing out revokes the agent’s SIP credentials', async () => {
    const profile = (await t.as(agent.accessToken)('GET', '/api/softphone/profile')).json();
    await send({ type: 'sign_out' });
    await expect.poll(async () => Number((await t.db.selectFrom('sip_credential').select('revoked_through').where('extension', '=', '1001').executeTakeFirstOrThrow()).revoked_through))
      .toBeGreaterThanOrEqual(Number(profile.authorizationUsername.split(':')[0]));
  });
});
