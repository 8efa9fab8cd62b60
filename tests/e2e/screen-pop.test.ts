/**
 * 来电弹屏 end to end: a citizen with earlier tickets (one open, one closed) and a 骚扰电话
 * tag calls 12345 through our Kamailio; the ACD offers the call to the only ready agent and
 * the agent's console shows at once who calls — attribution, the warning tag, the queue, and
 * those tickets with the open one first — stamped as painted. After the call the agent home
 * counts it without a reload.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../harness/browser.js';
import { callStatus } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';
import '../harness/screen-pop-hooks.js';
import { toneWav, TONES } from '../harness/tones.js';

const CALLER = '13805710001'; // 杭州 in the sample attribution table

describe('screen pop with Kamailio and a real console', () => {
  let t: TelephonyTestApp;
  let url: string;
  let agentBrowser: Browser;
  let callerBrowser: Browser;
  let agent: Page;
  let caller: Page;
  let agentId: string;
  const ticketNos: { open: string; closed: string } = { open: '', closed: '' };

  beforeAll(async () => {
    t = await createTelephonyTestApp({ demo: true });
    url = baseUrl(t.app);
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const group = await t.db.selectFrom('agent_group').select('id').where('name', '=', '综合受理一组').executeTakeFirstOrThrow();
    const res = await admin('POST', '/api/users', { username: 'pop_a', displayName: '坐席甲', password: 'Agent-pass-1', roles: ['agent'], extension: '2201', groupIds: [group.id] });
    expect(res.statusCode, res.body).toBe(201);
    agentId = res.json().id;
    // The caller's history: a closed ticket first, then an open one; and a 骚扰电话 tag.
    const agentApi = t.as((await t.login('pop_a', 'Agent-pass-1')).accessToken);
    const file = async (title: string, over: Record<string, unknown>) => {
      const r = await agentApi('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', callerNumber: CALLER, title, content: `${title}的诉求内容`, appealType: 'help', ...over });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().ticketNo as string;
    };
    ticketNos.closed = await file('噪音扰民已答复', { answerDirectly: { result: '已告知处理渠道' } });
    ticketNos.open = await file('路灯不亮', {});
    expect((await admin('PUT', `/api/caller-tags/${CALLER}/harassment`, { note: '多次辱骂坐席' })).statusCode).toBe(200);
    await t.acdBridge!.waitLinkUp(10_000);

    [agentBrowser, callerBrowser] = await Promise.all([launchChromium({ fakeAudioFile: toneWav(TONES.agent) }), launchChromium({ fakeAudioFile: toneWav(TONES.caller) })]);
    agent = await (await agentBrowser.newContext()).newPage();
    agent.on('pageerror', (err) => console.error(`[agent] ${err.message}`));
    await agent.goto(`${url}/`);
    await agent.getByTestId('login-username').fill('pop_a');
    await agent.getByTestId('login-password').fill('Agent-pass-1');
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('agent-console').waitFor({ timeout: 60_000 });
    await agent.locator('[data-testid="softphone-registration"][data-status="registered"]').waitFor({ timeout: 15_000 });
    await agent.locator('[data-testid="agent-home"][data-loaded="true"]').waitFor({ timeout: 15_000 });

    caller = await (await callerBrowser.newContext()).newPage();
    await caller.goto(`${url}/sim/caller.html?number=${CALLER}`);
    await caller.getByTestId('sim-register').click();
    await caller.locator('[data-testid="sim-registration-status"][data-status="registered"]').waitFor({ timeout: 15_000 });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([agentBrowser?.close(), callerBrowser?.close()]);
    await t?.close();
  });

  it('shows the caller, their tags and earlier tickets (open first) the moment the queue call is offered', async () => {
    const state = async () => ((await t.db.selectFrom('agent_state').select('state').where('agent_id', '=', agentId).executeTakeFirstOrThrow()).state as { kind: string }).kind;
    await agent.getByTestId('agent-state-ready').click();
    await expect.poll(state, { timeout: 10_000 }).toBe('ready');
    const answeredBefore = Number(await agent.getByTestId('agent-home-answered').innerText());

    await caller.getByTestId('sim-dial-target').fill('12345');
    await caller.getByTestId('sim-dial').click();

    const pop = agent.locator('[data-testid="screen-pop"][data-loaded="true"]');
    await pop.waitFor({ timeout: 15_000 });
    const record = await t.db.selectFrom('call_record').select(['call_id']).where('caller_normalised', '=', CALLER).executeTakeFirstOrThrow();
    expect(await pop.getAttribute('data-call-id')).toBe(record.call_id);
    expect(await pop.getAttribute('data-number')).toBe(CALLER);
    expect(await agent.getByTestId('screen-pop-attribution').innerText()).toContain('浙江省 杭州市');
    expect(await agent.getByTestId('screen-pop-tag-harassment').innerText()).toContain('多次辱骂坐席');
    await agent.getByTestId('screen-pop-warning').waitFor();
    expect(await agent.getByTestId('screen-pop-queue').innerText()).toBe('12345 综合');
    expect(Number(await agent.getByTestId('screen-pop-calls30').innerText())).toBe(1);
    const rows = agent.getByTestId('screen-pop-ticket');
    expect(await rows.evaluateAll((els) => els.map((e) => [e.getAttribute('data-ticket-no'), e.getAttribute('data-status')]))).toEqual([
      [ticketNos.open, 'registered'],
      [ticketNos.closed, 'closed'],
    ]);
    // Painted with history, stamped for the bench.
    await expect.poll(async () => pop.getAttribute('data-painted-at')).not.toBeNull();
    const stamps = await agent.evaluate(() => window.__screenPop?.painted ?? []);
    expect(stamps).toHaveLength(1);
    expect(stamps[0]).toMatchObject({ callId: record.call_id, number: CALLER });
    // The softphone rings the same call: no second pop.
    await agent.getByTestId('incoming-call').waitFor({ timeout: 15_000 });
    await agent.getByTestId('answer-button').click();
    await callStatus(agent, 'call-status', 'established');
    await agent.locator('[data-testid="screen-pop"][data-status="answered"]').waitFor({ timeout: 10_000 });
    expect(await agent.evaluate(() => window.__screenPop?.painted.length)).toBe(1);

    // 新建工单 opens the registration form prefilled from the call.
    await agent.getByTestId('screen-pop-new-ticket').click();
    await agent.locator('.ant-drawer-open').waitFor({ timeout: 10_000 });
    await expect.poll(async () => agent.locator('.ant-drawer-open input[value="13805710001"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await agent.locator('.ant-drawer-open .ant-drawer-close').click();

    await agent.getByTestId('hangup-button').click();
    await callStatus(agent, 'call-status', 'idle');
    await agent.locator('[data-testid="screen-pop"][data-status="ended"]').waitFor({ timeout: 10_000 });
    await expect.poll(state, { timeout: 10_000 }).toBe('after_call_work');
    await agent.getByTestId('agent-state-wrap-up-done').click();
    // The agent home counts the answered call, live.
    await expect.poll(async () => Number(await agent.getByTestId('agent-home-answered').innerText()), { timeout: 15_000 }).toBe(answeredBefore + 1);
  }, 180_000);
});
