/**
 * 升级/求助 for real: our managed Kamailio and three Chromium processes with their own tones —
 * caller 440 Hz, agent 880 Hz, supervisor 1320 Hz. The agent on a call presses 求助; the
 * backend picks the supervisor whose wallboard (registered phone) is open; the supervisor's
 * browser rings with the 求助, answers, agent and supervisor hear each other while the caller
 * is held; the agent completes the transfer and the caller hears the supervisor. Audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callStatus, expectHears, openAgent, openCaller, openSupervisor, type Party } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { TONES } from '../harness/tones.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';

describe('agent 求助 rings the supervisor as a consult, over Kamailio with real media', () => {
  let t: TelephonyTestApp;
  let caller: Party;
  let agent: Party;
  let sup: Party;

  beforeAll(async () => {
    t = await createTelephonyTestApp({ demo: true }); // demo sites serve the caller simulator
    const url = baseUrl(t.app);
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const supRes = await t.as(admin)('POST', '/api/users', { username: 'sup_e', displayName: '王班长', password: 'Super-pass-1', roles: ['supervisor'], extension: '1970' });
    expect(supRes.statusCode, supRes.body).toBe(201);
    const group = await t.as(admin)('POST', '/api/groups', { name: '求助测试组', supervisorIds: [supRes.json().id] });
    const agentRes = await t.as(admin)('POST', '/api/users', { username: 'agent_e', displayName: '赵坐席', password: 'Agent-pass-1', roles: ['agent'], extension: '2170', groupIds: [group.json().id] });
    expect(agentRes.statusCode, agentRes.body).toBe(201);
    [caller, agent, sup] = await Promise.all([
      openCaller(url, TONES.caller),
      openAgent(url, TONES.agent, 'agent_e', 'Agent-pass-1'),
      openSupervisor(url, TONES.supervisor, 'sup_e', 'Super-pass-1'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([caller?.close(), agent?.close(), sup?.close()]);
    await t?.close();
  });

  const audit = async () => (await t.db.selectFrom('audit_log').selectAll().orderBy('id').execute()).filter((r) => r.action.startsWith('escalation.'));

  it('求助 → the supervisor’s browser rings, answers; agent and supervisor hear each other; complete → the caller hears the supervisor', async () => {
    await caller.page.getByTestId('sim-dial-target').fill('2170');
    await caller.page.getByTestId('sim-dial').click();
    await agent.page.getByTestId('incoming-call').waitFor();
    await agent.page.getByTestId('answer-button').click();
    await callStatus(agent.page, 'call-status', 'established');
    await callStatus(caller.page, 'sim-call-status', 'established');
    await expectHears(caller, TONES.agent);

    // The wallboard registers the supervisor's phone and declares it ready; until then 求助 says nobody is online.
    const deadline = Date.now() + 20_000;
    for (;;) {
      await agent.page.getByTestId('escalate-button').click();
      const status = agent.page.getByTestId('escalate-status');
      await status.waitFor({ timeout: 10_000 });
      await expect.poll(() => status.getAttribute('data-status'), { timeout: 10_000 }).not.toBe('asking');
      if ((await status.getAttribute('data-status')) === 'calling') break;
      if (Date.now() > deadline) throw new Error(`求助 kept failing: ${await status.innerText()}`);
      await new Promise((r) => setTimeout(r, 1000));
    }

    const card = sup.page.getByTestId('escalation-card');
    await sup.page.locator('[data-testid="escalation-card"][data-status="ringing"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => sup.page.getByTestId('escalation-from').innerText(), { timeout: 5000 }).toContain('赵坐席');
    expect(await sup.page.getByTestId('escalation-from').innerText()).toContain('13800138000');
    const ringing = () => sup.page.evaluate(() => (window as unknown as { __monitor?: { ringing(): boolean } }).__monitor?.ringing() ?? false);
    await expect.poll(ringing, { timeout: 5000 }).toBe(true);
    await sup.page.getByTestId('escalation-answer').click();
    await sup.page.locator('[data-testid="escalation-card"][data-status="talking"]').waitFor({ timeout: 10_000 });
    expect(await ringing()).toBe(false);
    await agent.page.locator('[data-testid="consult-status"][data-status="established"]').waitFor({ timeout: 10_000 });

    await expectHears(agent, TONES.supervisor);
    await expectHears(sup, TONES.agent);
    // The caller is held meanwhile.
    await expectHears(caller, TONES.supervisor, false);
    await expectHears(sup, TONES.caller, false);

    await agent.page.getByTestId('consult-complete-button').click();
    await sup.page.locator('[data-testid="escalation-card"][data-status="with_caller"]').waitFor({ timeout: 15_000 });
    await expectHears(caller, TONES.supervisor, true, 12_000);
    await expectHears(sup, TONES.caller);
    await expectHears(caller, TONES.agent, false);
    expect(await card.getAttribute('data-status')).toBe('with_caller');

    await expect.poll(async () => (await audit()).map((r) => r.action), { timeout: 10_000 }).toEqual(['escalation.request', 'escalation.answered', 'escalation.transferred']);
    const row = await t.db.selectFrom('escalation').selectAll().executeTakeFirstOrThrow();
    expect(row.state).toBe('transferred');

    await sup.page.getByTestId('escalation-hangup').click();
    await callStatus(caller.page, 'sim-call-status', 'ended');
  }, 120_000);
});
