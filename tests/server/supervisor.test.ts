/**
 * Supervisor API on a real database: monitoring grants (forged, expired, replayed and
 * mismatched ones are refused), who may monitor and control whom, mode switches pushed to
 * the agent's console, the wallboard snapshot, and the audit trail of every step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerToClientEvents } from '../../src/shared/realtime.js';
import { MonitorGrants } from '../../src/server/modules/supervisor/monitor-grants.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';
import { openSocket, type ClientSocket } from '../harness/realtime-client.js';

describe('supervisor: monitoring grants, control and wallboard', () => {
  let t: TestApp;
  let admin: string;
  let agent: { accessToken: string; userId: string };
  let agent2: { accessToken: string; userId: string };
  let sup: { accessToken: string; userId: string };
  let supElsewhere: string;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    t = await createTestApp({}, { listen: true });
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const mk = async (username: string, roles: string[], extra: object = {}) => {
      const res = await t.as(admin)('POST', '/api/users', { username, displayName: `${username}名`, password: 'Pass-word-1', roles, ...extra });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const s1 = await mk('sup1', ['supervisor'], { extension: '1900' });
    const s2 = await mk('sup2', ['supervisor'], { extension: '1901' });
    const g1 = (await t.as(admin)('POST', '/api/groups', { name: 'g1', supervisorIds: [s1] })).json().id;
    const g2 = (await t.as(admin)('POST', '/api/groups', { name: 'g2', supervisorIds: [s2] })).json().id;
    await mk('agent1', ['agent'], { extension: '1001', groupIds: [g1] });
    await mk('agent2', ['agent'], { extension: '1002', groupIds: [g2] });
    agent = await t.login('agent1', 'Pass-word-1');
    agent2 = await t.login('agent2', 'Pass-word-1');
    sup = await t.login('sup1', 'Pass-word-1');
    supElsewhere = (await t.login('sup2', 'Pass-word-1')).accessToken;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t.close();
  });

  const socketFor = (token: string) => openSocket(baseUrl(t.app), { token }, sockets);
  const next = <E extends keyof ServerToClientEvents>(s: ClientSocket, event: E) =>
    new Promise<Parameters<ServerToClientEvents[E]>[0]>((resolve) => s.once(event as never, ((p: never) => resolve(p)) as never));

  const report = (who: { accessToken: string }, sipCallId: string) =>
    t.as(who.accessToken)('PUT', '/api/agent/live-call', { sipCallId, direction: 'inbound', remoteNumber: '13800138000', answeredAt: new Date().toISOString() });
  const start = (token: string, agentId: string, mode = 'listen') => t.as(token)('POST', '/api/monitoring/sessions', { agentId, mode });
  const redeem = (who: { accessToken: string }, grant: string, sipCallId: string) => t.as(who.accessToken)('POST', '/api/monitoring/redeem', { grant, sipCallId });
  const audit = async (action: string) => t.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

  it('refuses monitoring an agent who is not on a call (409), and anyone not supervising the agent (403)', async () => {
    expect((await start(sup.accessToken, agent.userId)).statusCode).toBe(409);
    expect((await report(agent, 'call-A@test')).statusCode).toBe(204);
    expect((await start(supElsewhere, agent.userId)).statusCode).toBe(403);
    expect((await start(agent2.accessToken, agent.userId)).statusCode).toBe(403); // an agent (no floor:watch)
    expect((await start(sup.accessToken, agent2.userId)).statusCode).toBe(403);
    expect((await t.as(supElsewhere)('POST', `/api/supervisor/agents/${agent.userId}/not-ready`)).statusCode).toBe(403);
    expect((await t.as(supElsewhere)('POST', `/api/supervisor/agents/${agent.userId}/message`, { text: 'hi' })).statusCode).toBe(403);
    expect((await t.as(supElsewhere)('POST', `/api/supervisor/agents/${agent.userId}/sign-out`, {})).statusCode).toBe(403);
  });

  it('a grant works once, only for its agent and call; forged and expired grants are refused; all audited', async () => {
    const res = await start(sup.accessToken, agent.userId, 'listen');
    expect(res.statusCode, res.body).toBe(201);
    const g = res.json();
    expect(g.agentExtension).toBe('1001');
    // Mismatched: another agent, another call.
    expect((await redeem(agent2, g.grant, 'call-A@test')).statusCode).toBe(403);
    expect((await redeem(agent, g.grant, 'call-B@test')).statusCode).toBe(403);
    // Forged: signed with another key; tampered: payload edited.
    const forged = await new MonitorGrants('not-the-server-secret-0123456789abcdef', 30).issue({ jti: g.sessionId, supervisorId: sup.userId, agentId: agent.userId, callId: 'call-A@test', mode: 'barge' });
    expect((await redeem(agent, forged.grant, 'call-A@test')).statusCode).toBe(403);
    const [h, , s] = g.grant.split('.');
    const body = Buffer.from(JSON.stringify({ sub: agent.userId, sup: sup.userId, call: 'call-A@test', mode: 'barge', jti: g.sessionId, aud: 'hotline-monitor', iss: 'hotline-desk', exp: 9999999999 })).toString('base64url');
    expect((await redeem(agent, `${h}.${body}.${s}`, 'call-A@test')).statusCode).toBe(403);
    // Expired: the server's own key, but issued a minute ago with a 30 s life.
    const secret = (await t.db.selectFrom('server_secret').select('value').where('name', '=', 'jwt').executeTakeFirstOrThrow()).value;
    const expired = await new MonitorGrants(secret, 30).issue({ jti: g.sessionId, supervisorId: sup.userId, agentId: agent.userId, callId: 'call-A@test', mode: 'listen' }, Date.now() - 60_000);
    expect((await redeem(agent, expired.grant, 'call-A@test')).statusCode).toBe(403);
    // An access token is not a grant.
    expect((await redeem(agent, sup.accessToken, 'call-A@test')).statusCode).toBe(403);

    const ok = await redeem(agent, g.grant, 'call-A@test');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ sessionId: g.sessionId, mode: 'listen', supervisorName: 'sup1名', showIndicator: false });
    // Replayed.
    expect((await redeem(agent, g.grant, 'call-A@test')).statusCode).toBe(403);

    const refused = await audit('monitor.refused');
    expect(refused.map((r) => r.detail.why)).toEqual(['wrong agent', 'wrong call', 'invalid', 'invalid', 'expired', 'invalid', 'already used or ended']);
    expect((await audit('monitor.request')).at(-1)).toMatchObject({ actor_id: sup.userId, target_id: agent.userId });
    expect((await audit('monitor.start')).at(-1)).toMatchObject({ actor_id: sup.userId, target_id: agent.userId });
    expect((await audit('monitor.start')).at(-1)!.detail).toMatchObject({ sessionId: g.sessionId, callId: 'call-A@test', mode: 'listen' });
  });

  it('mode switches reach the agent console live and are audited; ending is idempotent and ends with the call', async () => {
    const agentSocket = await socketFor(agent.accessToken);
    const supSocket = await socketFor(sup.accessToken);
    const g = (await start(sup.accessToken, agent.userId, 'listen')).json();
    const onFloor = next(supSocket, 'agent:monitor-changed');
    expect((await redeem(agent, g.grant, 'call-A@test')).statusCode).toBe(200);
    expect(await onFloor).toMatchObject({ agentId: agent.userId, monitor: { sessionId: g.sessionId, mode: 'listen' } });

    const pushed = next(agentSocket, 'monitor:mode-changed');
    const sw = await t.as(sup.accessToken)('POST', `/api/monitoring/sessions/${g.sessionId}/mode`, { mode: 'whisper' });
    expect(sw.statusCode, sw.body).toBe(200);
    expect(await pushed).toEqual({ sessionId: g.sessionId, mode: 'whisper', showIndicator: true });
    // Only the supervisor who runs it may switch; the other group's supervisor may not even see it.
    expect((await t.as(agent.accessToken)('POST', `/api/monitoring/sessions/${g.sessionId}/mode`, { mode: 'barge' })).statusCode).toBe(403);
    expect((await t.as(supElsewhere)('POST', `/api/monitoring/sessions/${g.sessionId}/mode`, { mode: 'barge' })).statusCode).toBe(403);
    expect((await t.as(sup.accessToken)('POST', `/api/monitoring/sessions/${g.sessionId}/mode`, { mode: 'barge' })).statusCode).toBe(200);

    const snap = (await t.as(sup.accessToken)('GET', '/api/supervisor/floor')).json();
    const row = snap.agents.find((a: { agentId: string }) => a.agentId === agent.userId);
    expect(row.monitor).toMatchObject({ sessionId: g.sessionId, mode: 'barge', supervisorName: 'sup1名' });
    expect(row.liveCall).toMatchObject({ sipCallId: 'call-A@test', remoteNumber: '13800138000' });

    expect((await t.as(sup.accessToken)('POST', `/api/monitoring/sessions/${g.sessionId}/end`, { reason: 'supervisor_left' })).statusCode).toBe(204);
    expect((await t.as(agent.accessToken)('POST', `/api/monitoring/sessions/${g.sessionId}/end`, { reason: 'failed' })).statusCode).toBe(204);
    expect((await t.as(sup.accessToken)('POST', `/api/monitoring/sessions/${g.sessionId}/mode`, { mode: 'listen' })).statusCode).toBe(409);
    const ends = (await audit('monitor.end')).filter((r) => r.detail.sessionId === g.sessionId);
    expect(ends).toHaveLength(1);
    expect(ends[0]!.detail).toMatchObject({ reason: 'supervisor_left', mode: 'barge' });
    const modes = (await audit('monitor.mode')).filter((r) => r.detail.sessionId === g.sessionId).map((r) => r.detail.to);
    expect(modes).toEqual(['whisper', 'barge']);

    // The agent's call ends: an active session on it ends too (audited once, reason agent_call_ended).
    const g2 = (await start(sup.accessToken, agent.userId, 'listen')).json();
    expect((await redeem(agent, g2.grant, 'call-A@test')).statusCode).toBe(200);
    expect((await t.as(agent.accessToken)('DELETE', '/api/agent/live-call?sipCallId=call-A%40test')).statusCode).toBe(204);
    expect((await audit('monitor.end')).find((r) => r.detail.sessionId === g2.sessionId)!.detail.reason).toBe('agent_call_ended');
    expect((await start(sup.accessToken, agent.userId)).statusCode).toBe(409);
  });

  it('置忙, messages and 强制签出 (refused on a call unless confirmed) are checked, pushed and audited', async () => {
    const agentSocket = await socketFor(agent.accessToken);
    expect((await t.as(agent.accessToken)('POST', '/api/agent/state', { type: 'sign_in' })).statusCode).toBe(200);
    expect((await t.as(agent.accessToken)('POST', '/api/agent/state', { type: 'ready' })).statusCode).toBe(200);
    const forced = next(agentSocket, 'supervisor:forced');
    const nr = await t.as(sup.accessToken)('POST', `/api/supervisor/agents/${agent.userId}/not-ready`);
    expect(nr.statusCode, nr.body).toBe(200);
    expect(nr.json().state).toEqual({ kind: 'not_ready', reason: 'supervisor' });
    expect(await forced).toMatchObject({ action: 'not_ready', by: 'sup1名' });

    const msg = next(agentSocket, 'supervisor:message');
    expect((await t.as(sup.accessToken)('POST', `/api/supervisor/agents/${agent.userId}/message`, { text: '请注意服务用语' })).statusCode).toBe(204);
    expect(await msg).toMatchObject({ from: { id: sup.userId, name: 'sup1名' }, text: '请注意服务用语' });

    await report(agent, 'call-C@test');
    const refused = await t.as(sup.accessToken)('POST', `/api/supervisor/agents/${agent.userId}/sign-out`, {});
    expect(refused.statusCode).toBe(409);
    expect((await t.as(agent.accessToken)('GET', '/api/agent/state')).json().state.kind).toBe('not_ready');
    const out = await t.as(sup.accessToken)('POST', `/api/supervisor/agents/${agent.userId}/sign-out`, { confirmOnCall: true });
    expect(out.statusCode, out.body).toBe(200);
    expect(out.json().state).toEqual({ kind: 'signed_out' });
    // Admins may act on any agent.
    expect((await t.as(admin)('POST', `/api/supervisor/agents/${agent2.userId}/message`, { text: '管理员通知' })).statusCode).toBe(204);

    expect((await audit('agent.force_not_ready')).at(-1)).toMatchObject({ actor_id: sup.userId, target_id: agent.userId });
    expect((await audit('agent.message')).map((r) => r.detail.text)).toEqual(['请注意服务用语', '管理员通知']);
    expect((await audit('agent.force_sign_out')).at(-1)!.detail).toMatchObject({ onCall: true, callId: 'call-C@test' });
  });

  it('the wallboard shows the supervisor only their groups’ agents; numbers are masked for those without the right', async () => {
    const snap = (await t.as(sup.accessToken)('GET', '/api/supervisor/floor')).json();
    expect(snap.groups.map((g: { name: string }) => g.name)).toEqual(['g1']);
    expect(snap.agents.map((a: { username: string }) => a.username)).toEqual(['agent1']);
    const all = (await t.as(admin)('GET', '/api/supervisor/floor')).json();
    expect(all.agents.map((a: { username: string }) => a.username).sort()).toEqual(['agent1', 'agent2']);
    // Admins lack tickets:confidential: the caller's number is masked for them.
    expect(all.agents.find((a: { username: string }) => a.username === 'agent1').liveCall.remoteNumber).toBe('138****8000');
    expect((await t.as(agent.accessToken)('GET', '/api/supervisor/floor')).statusCode).toBe(403);
  });
});
