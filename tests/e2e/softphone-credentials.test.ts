/**
 * Scenario 9 in a browser: with credentials living 20 s, the softphone and the caller
 * simulator keep working past their first credentials' expiry (refreshed in time), and an
 * agent signed out by an admin is dropped from the SIP server and cannot register again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callStatus, expectHears, openAgent, openCaller, type Party } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { TONES } from '../harness/tones.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';

describe('short-lived SIP credentials in the browser', () => {
  let t: TelephonyTestApp;
  let url: string;
  let admin: string;
  let agentId: string;
  let caller: Party;
  let agent: Party;

  beforeAll(async () => {
    t = await createTelephonyTestApp({ demo: true, sipCredentialTtl: 20 });
    url = baseUrl(t.app);
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    agentId = (await t.as(admin)('POST', '/api/users', { username: 'agent_c', displayName: 'agent_c', password: 'Agent-pass-1', roles: ['agent'], extension: '2003' })).json().id;
    [caller, agent] = await Promise.all([openCaller(url, TONES.caller), openAgent(url, TONES.agent, 'agent_c', 'Agent-pass-1')]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([caller?.close(), agent?.close()]);
    await t?.close();
  });

  it('refreshes credentials before they expire: calls still authenticate after the first ones lapsed', async () => {
    // Past the first credentials' 20 s: the simulator's INVITE must authenticate with refreshed ones.
    await new Promise((r) => setTimeout(r, 25_000));
    await caller.page.getByTestId('sim-dial-target').fill('2003');
    await caller.page.getByTestId('sim-dial').click();
    await agent.page.getByTestId('incoming-call').waitFor();
    await agent.page.getByTestId('answer-button').click();
    await callStatus(agent.page, 'call-status', 'established');
    await expectHears(agent, TONES.caller);
    await agent.page.getByTestId('hangup-button').click();
    await callStatus(agent.page, 'call-status', 'idle');
    await agent.page.locator('[data-testid="softphone-registration"][data-status="registered"]').waitFor();
  }, 60_000);

  it('an agent signed out by an admin is dropped from the SIP server', async () => {
    expect((await t.as(admin)('POST', `/api/users/${agentId}/sessions/revoke`)).statusCode).toBe(204);
    await agent.page.getByTestId('login-username').waitFor({ timeout: 10_000 });
    // The registration is gone at once (revoked at the SIP server, not left to expire).
    await expect.poll(async () => JSON.stringify(await t.kamailio!.rpc.call('ul.lookup', 'location', '2003').catch((e: Error) => e.message)), { timeout: 5000 }).toMatch(/not found|404/i);
    await caller.page.getByTestId('sim-dial-target').fill('2003');
    await caller.page.getByTestId('sim-dial').click();
    await expect.poll(async () => caller.page.getByTestId('sim-call-status').innerText(), { timeout: 8000 }).toMatch(/不存在|404|未找到|not found/i);
  });
});
