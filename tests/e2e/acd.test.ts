/**
 * The ACD end to end: our Kamailio suspends calls to 12345, the ACD decides, agents'
 * consoles ring. Three agents (one Chromium process, a context each) and five callers
 * (the caller simulator, one more Chromium process): the longest-idle agent rings first,
 * an agent who lets it ring becomes not ready (未接来电), waiting callers are served in
 * arrival order as agents come free, and every call ends in a correct record.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../harness/browser.js';
import { callStatus } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';
import { toneWav, TONES } from '../harness/tones.js';

const CALLERS = ['13800000001', '13800000002', '13800000003', '13800000004', '13800000005'];

describe('ACD with Kamailio and real consoles', () => {
  let t: TelephonyTestApp;
  let url: string;
  let agentsBrowser: Browser;
  let callersBrowser: Browser;
  const agents: Record<'A' | 'B' | 'C', { id: string; page: Page }> = {} as never;
  const callers: Page[] = [];

  const state = async (agentId: string) => (await t.db.selectFrom('agent_state').select('state').where('agent_id', '=', agentId).executeTakeFirstOrThrow()).state as { kind: string; reason?: string };

  async function openAgentPage(username: string): Promise<Page> {
    const page = await (await agentsBrowser.newContext()).newPage();
    page.on('pageerror', (err) => console.error(`[${username}] ${err.message}`));
    await page.goto(`${url}/`);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill('Agent-pass-1');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('agent-console').waitFor({ timeout: 60_000 }).catch(async (err: unknown) => {
      await page.screenshot({ path: `/tmp/acd-e2e-${username}.png` });
      throw err;
    });
    await page.locator('[data-testid="softphone-registration"][data-status="registered"]').waitFor({ timeout: 15_000 });
    return page;
  }

  async function ready(page: Page, agentId: string): Promise<void> {
    await page.getByTestId('agent-state-ready').click();
    await expect.poll(async () => (await state(agentId)).kind, { timeout: 10_000 }).toBe('ready');
  }

  async function openCallerPage(number: string): Promise<Page> {
    const page = await (await callersBrowser.newContext()).newPage();
    page.on('pageerror', (err) => console.error(`[${number}] ${err.message}`));
    await page.goto(`${url}/sim/caller.html?number=${number}`);
    await page.getByTestId('sim-register').click();
    await page.locator('[data-testid="sim-registration-status"][data-status="registered"]').waitFor({ timeout: 15_000 });
    return page;
  }

  const dialHotline = async (caller: Page) => {
    await caller.getByTestId('sim-dial-target').fill('12345');
    await caller.getByTestId('sim-dial').click();
  };

  /** The agent's console rings with this caller; answer it. */
  async function answer(agent: Page, caller: string): Promise<void> {
    console.log(`[acd e2e] ${new Date().toISOString()} waiting for ${caller} to ring`);
    await agent.getByTestId('incoming-call').waitFor({ timeout: 15_000 });
    expect(await agent.getByTestId('incoming-caller').innerText()).toContain(caller);
    await agent.getByTestId('answer-button').click();
    await callStatus(agent, 'call-status', 'established');
  }

  /** The agent hangs up and ends after-call work by the button: ready again. */
  async function finish(agent: Page, agentId: string): Promise<void> {
    await agent.getByTestId('hangup-button').click();
    await callStatus(agent, 'call-status', 'idle');
    await expect.poll(async () => (await state(agentId)).kind, { timeout: 10_000 }).toBe('after_call_work');
    await agent.getByTestId('agent-state-wrap-up-done').click();
  }

  beforeAll(async () => {
    t = await createTelephonyTestApp({ demo: true });
    url = baseUrl(t.app);
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const group = await t.db.selectFrom('agent_group').select('id').where('name', '=', '综合受理一组').executeTakeFirstOrThrow();
    for (const [key, username, extension] of [['A', 'acd_a', '2101'], ['B', 'acd_b', '2102'], ['C', 'acd_c', '2103']] as const) {
      const res = await t.as(admin)('POST', '/api/users', { username, displayName: `坐席${key}`, password: 'Agent-pass-1', roles: ['agent'], extension, groupIds: [group.id] });
      expect(res.statusCode).toBe(201);
      agents[key] = { id: res.json().id, page: undefined as never };
    }
    // Only our three agents serve the queue; ring-no-answer after 10 s (short, yet safe on a loaded 2-core machine).
    const queues = (await t.as(admin)('GET', '/api/acd/queues')).json().items as { id: string; code: string }[];
    const q = queues.find((x) => x.code === '12345')!;
    const put = await t.as(admin)('PUT', `/api/acd/queues/${q.id}`, { ...q, id: undefined, ringTimeoutSeconds: 10, maxWaitSeconds: 600 });
    expect(put.statusCode).toBe(200);
    await t.acdBridge!.waitLinkUp(10_000);

    [agentsBrowser, callersBrowser] = await Promise.all([launchChromium({ fakeAudioFile: toneWav(TONES.agent) }), launchChromium({ fakeAudioFile: toneWav(TONES.caller) })]);
    agents.A.page = await openAgentPage('acd_a');
    agents.B.page = await openAgentPage('acd_b');
    agents.C.page = await openAgentPage('acd_c');
    for (const n of CALLERS) callers.push(await openCallerPage(n));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([agentsBrowser?.close(), callersBrowser?.close()]);
    await t?.close();
  });

  it('longest-idle agent first, ring-no-answer makes not ready, waiting callers served in order, correct records', async () => {
    try {
      await scenario();
    } catch (err) {
      // What the ACD saw, for the failure report.
      console.error('[acd e2e] offers', JSON.stringify(await t.db.selectFrom('call_offer').selectAll().orderBy('offered_at').execute()));
      console.error('[acd e2e] records', JSON.stringify(await t.db.selectFrom('call_record').select(['call_id', 'caller', 'agent_id', 'result', 'arrived_at', 'answered_at', 'ended_at']).orderBy('arrived_at').execute()));
      for (const [k, a] of Object.entries(agents)) await a.page.screenshot({ path: `/tmp/acd-e2e-fail-${k}.png` }).catch(() => undefined);
      throw err;
    }
  }, 300_000);

  async function scenario(): Promise<void> {
    const { A, B, C } = agents;
    // Ready in the order A, B, C: A has been idle longest.
    await ready(A.page, A.id);
    await new Promise((r) => setTimeout(r, 300));
    await ready(B.page, B.id);
    await new Promise((r) => setTimeout(r, 300));
    await ready(C.page, C.id);

    await dialHotline(callers[0]!);
    await answer(A.page, CALLERS[0]!);
    await callStatus(callers[0]!, 'sim-call-status', 'established');

    await dialHotline(callers[1]!);
    await answer(B.page, CALLERS[1]!);

    // C is offered caller 3 and lets it ring: after 10 s C is not ready (未接来电) and the caller waits.
    await dialHotline(callers[2]!);
    await C.page.getByTestId('incoming-call').waitFor({ timeout: 15_000 });
    expect(await C.page.getByTestId('incoming-caller').innerText()).toContain(CALLERS[2]!);
    await expect.poll(async () => state(C.id), { timeout: 30_000 }).toMatchObject({ kind: 'not_ready', reason: 'missed_call' }); // ring time + the ACD's grace, on a slow machine
    await C.page.getByTestId('incoming-call').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await callers[2]!.getByTestId('sim-call-status').getAttribute('data-status')).toMatch(/calling|ringing/);

    // Two more callers wait behind caller 3.
    await dialHotline(callers[3]!);
    await new Promise((r) => setTimeout(r, 300));
    await dialHotline(callers[4]!);
    await expect.poll(async () => (await t.db.selectFrom('acd_call').select('call_id').where('state', '=', 'waiting').execute()).length, { timeout: 10_000 }).toBe(3);

    // Agents come free one by one: the oldest waiting caller goes first each time.
    await finish(A.page, A.id);
    await answer(A.page, CALLERS[2]!);
    await finish(B.page, B.id);
    await answer(B.page, CALLERS[3]!);
    await finish(A.page, A.id);
    await answer(A.page, CALLERS[4]!);
    // The caller hangs up this time.
    await callers[4]!.getByTestId('sim-hangup').click();
    await callStatus(A.page, 'call-status', 'idle');
    await finish(B.page, B.id);

    // Records: every call answered by the agent who took it, ended, with who hung up.
    await expect.poll(async () => (await t.db.selectFrom('call_record').select('ended_at').where('direction', '=', 'inbound').where('ended_at', 'is', null).execute()).length, { timeout: 10_000 }).toBe(0);
    const records = await t.db.selectFrom('call_record').selectAll().where('direction', '=', 'inbound').orderBy('arrived_at').execute();
    expect(records.map((r) => [r.caller, r.agent_id, r.result])).toEqual([
      [CALLERS[0], A.id, 'answered'],
      [CALLERS[1], B.id, 'answered'],
      [CALLERS[2], A.id, 'answered'],
      [CALLERS[3], B.id, 'answered'],
      [CALLERS[4], A.id, 'answered'],
    ]);
    for (const r of records) {
      expect(r.called).toBe('12345');
      expect(r.answered_at!.getTime()).toBeGreaterThanOrEqual(r.arrived_at.getTime());
      expect(r.ended_at!.getTime()).toBeGreaterThanOrEqual(r.answered_at!.getTime());
    }
    expect(records.map((r) => r.ended_by)).toEqual(['agent', 'agent', 'agent', 'agent', 'caller']);
    // Caller 3 was offered to C first (no answer), then answered by A.
    const offers = await t.db.selectFrom('call_offer').select(['agent_id', 'outcome']).where('call_id', '=', records[2]!.call_id).orderBy('offered_at').execute();
    expect(offers).toEqual([{ agent_id: C.id, outcome: 'no_answer' }, { agent_id: A.id, outcome: 'answered' }]);
    expect(t.acdBridge!.pendingCalls).toBe(0);
  }
});
