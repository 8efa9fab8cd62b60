/**
 * 班长 for real: our managed Kamailio (no spy feature) and three Chromium processes with
 * their own tones — caller 440 Hz, agent 880 Hz, supervisor 1320 Hz. The supervisor steps
 * into the agent's call from the wallboard (listen → whisper → barge → listen), leaves, and
 * later crashes mid-barge; each party hears exactly what the mode says, and the caller ↔
 * agent call survives. The wallboard follows an agent's state change made in the agent's
 * own browser.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callStatus, expectHears, openAgent, openCaller, openSupervisor, type Party } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { TONES } from '../harness/tones.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';
import { SipUdpUa } from '../harness/sip-udp-ua.js';
import { ephemeralCredentials } from '../../src/server/telephony/sip-credentials.js';

describe('supervisor monitoring over Kamailio with real media', () => {
  let t: TelephonyTestApp;
  let url: string;
  let caller: Party;
  let agent: Party;
  let sup: Party;

  beforeAll(async () => {
    t = await createTelephonyTestApp({ demo: true });
    url = baseUrl(t.app);
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const supRes = await t.as(admin)('POST', '/api/users', { username: 'sup_a', displayName: '李班长', password: 'Super-pass-1', roles: ['supervisor'], extension: '1950' });
    expect(supRes.statusCode).toBe(201);
    const group = await t.as(admin)('POST', '/api/groups', { name: '监控测试组', supervisorIds: [supRes.json().id] });
    const agentRes = await t.as(admin)('POST', '/api/users', { username: 'agent_m', displayName: '张坐席', password: 'Agent-pass-1', roles: ['agent'], extension: '2101', groupIds: [group.json().id] });
    expect(agentRes.statusCode).toBe(201);
    [caller, agent, sup] = await Promise.all([
      openCaller(url, TONES.caller),
      openAgent(url, TONES.agent, 'agent_m', 'Agent-pass-1'),
      openSupervisor(url, TONES.supervisor, 'sup_a', 'Super-pass-1'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([caller?.close(), agent?.close(), sup?.close().catch(() => undefined)]);
    await t?.close();
  });

  const mode = async (m: 'listen' | 'whisper' | 'barge') => {
    await sup.page.getByTestId(`monitor-mode-${m}`).click();
    await sup.page.locator(`[data-testid="floor-monitor-agent_m"][data-mode="${m}"]`).waitFor({ timeout: 5000 });
  };
  const audit = async (action: string) => t.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
  const agentCalls = async () => (await agent.page.evaluate(() => (window as unknown as { __softphone: { state(): { calls: { status: string }[] } } }).__softphone.state().calls)).filter((c) => c.status !== 'ended');

  it('the wallboard shows the agent, and follows a state change made in the agent’s browser', async () => {
    await sup.page.getByTestId('floor-row-agent_m').waitFor();
    await sup.page.locator('[data-testid="floor-state-agent_m"][data-state="not_ready"]').waitFor({ timeout: 10_000 });
    await agent.page.getByTestId('agent-state-ready').click();
    await sup.page.locator('[data-testid="floor-state-agent_m"][data-state="ready"]').waitFor({ timeout: 10_000 });
    // Time in state ticks on the wallboard.
    const first = await sup.page.getByTestId('floor-time-agent_m').innerText();
    await expect.poll(() => sup.page.getByTestId('floor-time-agent_m').innerText(), { timeout: 4000 }).not.toBe(first);
  });

  it('置忙 and a message from the wallboard pop up on the agent’s console', async () => {
    await sup.page.getByTestId('action-not-ready-agent_m').click();
    await sup.page.locator('[data-testid="floor-state-agent_m"][data-state="not_ready"]').waitFor({ timeout: 10_000 });
    await agent.page.locator('[data-testid="supervisor-forced"][data-kind="forced_not_ready"]').waitFor({ timeout: 10_000 });
    await sup.page.getByTestId('action-message-agent_m').click();
    await sup.page.getByTestId('message-text').fill('请注意服务用语');
    await sup.page.getByTestId('message-send').click();
    await expect.poll(() => agent.page.getByTestId('supervisor-message').innerText(), { timeout: 10_000 }).toBe('请注意服务用语');
    expect((await audit('agent.force_not_ready')).length).toBe(1);
    expect((await audit('agent.message')).map((r) => r.detail.text)).toEqual(['请注意服务用语']);
  });

  it('listen: the supervisor hears caller and agent; neither hears the supervisor; the agent sees no call and no indicator', async () => {
    await caller.page.getByTestId('sim-dial-target').fill('2101');
    await caller.page.getByTestId('sim-dial').click();
    await agent.page.getByTestId('incoming-call').waitFor();
    await agent.page.getByTestId('answer-button').click();
    await callStatus(agent.page, 'call-status', 'established');
    await callStatus(caller.page, 'sim-call-status', 'established');
    await sup.page.getByTestId('floor-call-agent_m').waitFor({ timeout: 10_000 });

    await sup.page.getByTestId('action-listen-agent_m').click();
    await sup.page.locator('[data-testid="monitor-status"][data-status="active"]').waitFor({ timeout: 15_000 });
    await expectHears(sup, TONES.caller);
    await expectHears(sup, TONES.agent);
    await expectHears(caller, TONES.supervisor, false);
    await expectHears(agent, TONES.supervisor, false);
    await expectHears(caller, TONES.agent);
    await expectHears(agent, TONES.caller);
    expect(await agentCalls()).toHaveLength(1); // the monitoring leg is not a call
    expect(await agent.page.getByTestId('monitor-indicator').count()).toBe(0); // listen: hidden by default
    await sup.page.locator('[data-testid="floor-monitor-agent_m"][data-mode="listen"]').waitFor();
  });

  it('whisper: the agent hears the supervisor, the caller does not; the agent sees the indicator', async () => {
    await mode('whisper');
    await expectHears(agent, TONES.supervisor);
    await expectHears(caller, TONES.supervisor, false);
    await expectHears(sup, TONES.caller);
    await agent.page.locator('[data-testid="monitor-indicator"][data-mode="whisper"]').waitFor({ timeout: 5000 });
  });

  it('barge: caller and agent hear the supervisor; the supervisor hears both; the caller still hears the agent', async () => {
    await mode('barge');
    await expectHears(caller, TONES.supervisor);
    await expectHears(agent, TONES.supervisor);
    await expectHears(caller, TONES.agent);
    await expectHears(sup, TONES.caller);
    await expectHears(sup, TONES.agent);
  });

  it('back to listen changes exactly that; leaving leaves caller ↔ agent intact; every step is audited', async () => {
    await mode('listen');
    await expectHears(caller, TONES.supervisor, false);
    await expectHears(agent, TONES.supervisor, false);
    await expectHears(caller, TONES.agent);
    await expectHears(sup, TONES.caller);
    await agent.page.getByTestId('monitor-indicator').waitFor({ state: 'detached', timeout: 5000 });

    await sup.page.getByTestId('monitor-leave').click();
    await sup.page.locator('[data-testid="monitor-status"][data-status="ended"]').waitFor({ timeout: 5000 });
    await sup.page.getByTestId('floor-monitor-agent_m').waitFor({ state: 'detached', timeout: 5000 });
    await expectHears(caller, TONES.agent);
    await expectHears(agent, TONES.caller);
    await callStatus(agent.page, 'call-status', 'established');

    const starts = await audit('monitor.start');
    expect(starts).toHaveLength(1);
    const sessionId = starts[0]!.detail.sessionId;
    expect((await audit('monitor.mode')).map((r) => r.detail.to)).toEqual(['whisper', 'barge', 'listen']);
    const ends = (await audit('monitor.end')).filter((r) => r.detail.sessionId === sessionId);
    expect(ends).toHaveLength(1);
    expect(ends[0]!.detail.reason).toBe('supervisor_left');
  });

  it('any other INVITE with the monitoring header is refused (403) without ringing: forged, replayed', async () => {
    const secret = (await t.db.selectFrom('server_secret').select('value').where('name', '=', 'sip').executeTakeFirstOrThrow()).value;
    const rogue = await new SipUdpUa('1999', { host: '127.0.0.1', port: t.sip.port, domain: '127.0.0.1' }, ephemeralCredentials(secret, '1999', Math.floor(Date.now() / 1000) + 600)).open();
    try {
      // A grant that was good once: issued to the supervisor, then used.
      const supToken = (await t.login('sup_a', 'Super-pass-1')).accessToken;
      const agentId = (await t.db.selectFrom('app_user').select('id').where('username', '=', 'agent_m').executeTakeFirstOrThrow()).id;
      const grant = (await t.as(supToken)('POST', '/api/monitoring/sessions', { agentId, mode: 'barge' })).json();
      const sipCallId = (await t.db.selectFrom('agent_live_call').select('sip_call_id').executeTakeFirstOrThrow()).sip_call_id;
      const agentToken = (await t.login('agent_m', 'Agent-pass-1')).accessToken;
      expect((await t.as(agentToken)('POST', '/api/monitoring/redeem', { grant: grant.grant, sipCallId })).statusCode).toBe(200);
      for (const header of ['X-Hotline-Monitor: forged.grant.value', `X-Hotline-Monitor: ${grant.grant}`]) {
        const c = await rogue.call('2101', [header]);
        expect((await c.finalStatus(10_000)).status).toBe(403);
      }
      expect(await agentCalls()).toHaveLength(1);
      expect(await agent.page.getByTestId('incoming-call').count()).toBe(0);
      await expectHears(caller, TONES.agent);
      expect((await audit('monitor.refused')).map((r) => r.detail.why)).toEqual(['invalid', 'already used or ended']);
      await t.as(supToken)('POST', `/api/monitoring/sessions/${grant.sessionId}/end`, { reason: 'supervisor_left' });
    } finally {
      rogue.close();
    }
  });

  it('the supervisor’s page dies mid-barge: caller ↔ agent keep talking, with the agent’s own microphone back', async () => {
    await sup.page.getByTestId('action-barge-agent_m').click();
    await sup.page.locator('[data-testid="monitor-status"][data-status="active"]').waitFor({ timeout: 15_000 });
    await expectHears(caller, TONES.supervisor);
    await sup.page.close({ runBeforeUnload: false });
    await expectHears(caller, TONES.supervisor, false, 20_000);
    await expectHears(caller, TONES.agent);
    await expectHears(agent, TONES.caller);
    await callStatus(agent.page, 'call-status', 'established');
    await callStatus(caller.page, 'sim-call-status', 'established');
    await agent.page.getByTestId('monitor-indicator').waitFor({ state: 'detached', timeout: 15_000 });

  });

  it('the supervisor’s browser is killed mid-whisper (no BYE): the agent drops the leg by itself, the call goes on', async () => {
    await sup.close();
    sup = await openSupervisor(url, TONES.supervisor, 'sup_a', 'Super-pass-1');
    await sup.page.getByTestId('action-whisper-agent_m').click();
    await sup.page.locator('[data-testid="monitor-status"][data-status="active"]').waitFor({ timeout: 15_000 });
    await expectHears(agent, TONES.supervisor);
    // SIGKILL the supervisor's Chromium: our child process playing the 1320 Hz file (its main process has no --type).
    const pids = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'use-file-for-fake-audio-capture=.*sine-1320']).toString().trim().split('\n').map(Number);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=')) process.kill(pid, 'SIGKILL');
    }
    await expectHears(agent, TONES.supervisor, false, 5000);
    await agent.page.getByTestId('monitor-indicator').waitFor({ state: 'detached', timeout: 40_000 });
    await expectHears(caller, TONES.agent);
    await expectHears(agent, TONES.caller);
    await expectHears(caller, TONES.supervisor, false);
    await expect.poll(async () => (await audit('monitor.end')).at(-1)?.detail.reason, { timeout: 5000 }).toBe('failed');

    // The agent hangs up: the call ends normally and the floor forgets it.
    await agent.page.getByTestId('hangup-button').click();
    await callStatus(agent.page, 'call-status', 'idle');
    await expect.poll(async () => (await t.db.selectFrom('agent_live_call').selectAll().execute()).length, { timeout: 5000 }).toBe(0);
    await expect.poll(async () => (await audit('monitor.end')).length, { timeout: 5000 }).toBe(4);
    // Monitoring legs are not calls: the SIP server never reports them to the ACD as call legs.
    expect(await t.db.selectFrom('call_record').select('call_id').where('caller', '=', '1950').execute()).toEqual([]);
  });
});
