/**
 * Monitoring with the PBX's own spy feature (HOTLINE_MONITOR_MODE=feature-codes): the API
 * hands the rendered code only to a supervisor of the agent's group (403 otherwise, 409 with
 * no call), never a grant; a mode switch returns the new mode's code; start, mode and end are
 * audited. The configuration refuses incomplete or malformed templates at start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config/config.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

describe('monitoring with PBX feature codes', () => {
  let t: TestApp;
  let agent: { accessToken: string; userId: string };
  let agent2: { accessToken: string; userId: string };
  let sup: string;
  let supElsewhere: string;

  beforeAll(async () => {
    t = await createTestApp({ monitorMethod: 'feature-codes', monitorListenCode: '*33{ext}', monitorWhisperCode: '*34{ext}', monitorBargeCode: '*35{ext}#' });
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const mk = async (username: string, roles: string[], extra: object = {}) => {
      const res = await t.as(admin)('POST', '/api/users', { username, displayName: `${username}名`, password: 'Pass-word-1', roles, ...extra });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const s1 = await mk('fc_sup1', ['supervisor'], { extension: '1900' });
    const s2 = await mk('fc_sup2', ['supervisor'], { extension: '1901' });
    const g1 = (await t.as(admin)('POST', '/api/groups', { name: 'fc-g1', supervisorIds: [s1] })).json().id;
    const g2 = (await t.as(admin)('POST', '/api/groups', { name: 'fc-g2', supervisorIds: [s2] })).json().id;
    await mk('fc_agent1', ['agent'], { extension: '1001', groupIds: [g1] });
    await mk('fc_agent2', ['agent'], { extension: '1002', groupIds: [g2] });
    agent = await t.login('fc_agent1', 'Pass-word-1');
    agent2 = await t.login('fc_agent2', 'Pass-word-1');
    sup = (await t.login('fc_sup1', 'Pass-word-1')).accessToken;
    supElsewhere = (await t.login('fc_sup2', 'Pass-word-1')).accessToken;
  });
  afterAll(() => t?.close());

  const start = (token: string, agentId: string, mode = 'listen') => t.as(token)('POST', '/api/monitoring/sessions', { agentId, mode });
  const audit = async (action: string) => t.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

  it('gives the rendered code only to a supervisor of the agent’s group; audits start, mode and end', async () => {
    expect((await start(sup, agent.userId)).statusCode).toBe(409); // no call to listen to
    const live = await t.as(agent.accessToken)('PUT', '/api/agent/live-call', { sipCallId: 'fc-call@test', direction: 'inbound', remoteNumber: '13800138000', answeredAt: new Date().toISOString() });
    expect(live.statusCode).toBe(204);
    for (const [token, who] of [[supElsewhere, 'supervisor of another group'], [agent2.accessToken, 'an agent']] as const) {
      const res = await start(token, agent.userId);
      expect(res.statusCode, who).toBe(403);
      expect(res.body).not.toContain('*33');
    }
    expect(await audit('monitor.start')).toHaveLength(0);

    const res = await start(sup, agent.userId, 'listen');
    expect(res.statusCode, res.body).toBe(201);
    const s = res.json();
    expect(s).toMatchObject({ via: 'feature-code', dial: '*331001', agentExtension: '1001', mode: 'listen' });
    expect(s).not.toHaveProperty('grant');
    const starts = await audit('monitor.start');
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ target_id: agent.userId, detail: { sessionId: s.sessionId, callId: 'fc-call@test', mode: 'listen', via: 'feature-code', dial: '*331001' } });

    // Another group's supervisor cannot switch it; its own supervisor gets the new code.
    expect((await t.as(supElsewhere)('POST', `/api/monitoring/sessions/${s.sessionId}/mode`, { mode: 'barge' })).statusCode).toBe(403);
    const barge = await t.as(sup)('POST', `/api/monitoring/sessions/${s.sessionId}/mode`, { mode: 'barge' });
    expect(barge.statusCode, barge.body).toBe(200);
    expect(barge.json()).toMatchObject({ mode: 'barge', state: 'active', dial: '*351001#' });
    expect((await audit('monitor.mode')).map((r) => r.detail)).toEqual([expect.objectContaining({ sessionId: s.sessionId, from: 'listen', to: 'barge', dial: '*351001#' })]);

    expect((await t.as(sup)('POST', `/api/monitoring/sessions/${s.sessionId}/end`, { reason: 'supervisor_left' })).statusCode).toBe(204);
    const ends = await audit('monitor.end');
    expect(ends).toHaveLength(1);
    expect(ends[0]!.detail).toMatchObject({ sessionId: s.sessionId, mode: 'barge', reason: 'supervisor_left' });
    // The floor shows nobody monitoring any more.
    const floor = (await t.as(sup)('GET', '/api/supervisor/floor')).json();
    expect(floor.agents.find((a: { agentId: string }) => a.agentId === agent.userId).monitor).toBeNull();
  });

  it('refuses incomplete or malformed feature-code configuration at start, naming the variable', () => {
    expect(() => loadConfig({ HOTLINE_MONITOR_MODE: 'feature-codes', HOTLINE_MONITOR_LISTEN_CODE: '*33{ext}' })).toThrow(/HOTLINE_MONITOR_WHISPER_CODE, HOTLINE_MONITOR_BARGE_CODE/);
    expect(() => loadConfig({ HOTLINE_MONITOR_LISTEN_CODE: '*33' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOTLINE_MONITOR_LISTEN_CODE: '*33{ext}; rm' })).toThrow(/HOTLINE_MONITOR_LISTEN_CODE/);
    expect(() => loadConfig({ HOTLINE_MONITOR_MODE: 'chanspy' })).toThrow(/HOTLINE_MONITOR_MODE/);
    expect(loadConfig({}).monitorMethod).toBe('grant');
  });
});
