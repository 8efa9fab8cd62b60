/**
 * 班长 for real: our managed Kamailio (no spy feature) and three Chromium processes with
 * their own tones — caller 440 Hz, agent 880 Hz, supervisor 1320 Hz. The supervisor steps
 * into the agent's call from the wallboard (listen → whisper → barge → listen), leaves, and
 * later crashes mid-barge; each party hears exactly what the mode says, and the caller ↔
 * agent call survives. The wallboard follows an agent's state change made in the agent's
 * own browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callStatus, expectHears, openAgent, openCaller, openSupervisor, type Party } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { TONES } from '../harness/tones.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';

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
    await Promise.all([caller?.close(), agent?.close(), sup?.close()]);
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

    // The agent hangs up: the call ends normally and the floor forgets it.
    await agent.page.getByTestId('hangup-button').click();
    await callStatus(agent.page, 'call-status', 'idle');
    await expect.poll(async () => (await t.db.selectFrom('agent_live_call').selectAll().execute()).length, { timeout: 5000 }).toBe(0);
    await expect.poll(async () => (await audit('monitor.end')).length, { timeout: 5000 }).toBe(2);
    // Monitoring legs are not calls: the SIP server never reports them to the ACD as call legs.
    expect(await t.db.selectFrom('call_record').select('call_id').where('caller', '=', '1950').execute()).toEqual([]);
  });
});
