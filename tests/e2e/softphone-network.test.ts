/**
 * The softphone on a site's network: SIP over secure WebSocket (our managed Kamailio with a
 * configured certificate; here a throwaway self-signed one that Chromium trusts by its key
 * hash) and, in the same calls, recovery of the media path when the network under a call
 * changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callStatus, expectHears, openAgent, openCaller, type Party } from '../harness/parties.js';
import { freePort } from '../harness/free-port.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { createTestCertificate, type TestCertificate } from '../harness/test-certificate.js';
import { TONES } from '../harness/tones.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';

describe('softphone over WSS, and the media path after a network change', () => {
  let t: TelephonyTestApp;
  let cert: TestCertificate;
  let tlsPort: number;
  let caller: Party;
  let agent: Party;

  beforeAll(async () => {
    cert = createTestCertificate('127.0.0.1');
    tlsPort = await freePort();
    t = await createTelephonyTestApp({ demo: true, sipTlsPort: tlsPort, sipTlsCert: cert.certificate, sipTlsKey: cert.privateKey });
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const res = await t.as(admin)('POST', '/api/users', { username: 'agent_wss', displayName: 'agent_wss', password: 'Agent-pass-1', roles: ['agent'], extension: '2101' });
    expect(res.statusCode).toBe(201);
    const url = baseUrl(t.app);
    const launch = { extraArgs: cert.chromiumArgs };
    [caller, agent] = await Promise.all([
      openCaller(url, TONES.caller, '13800138000', launch),
      openAgent(url, TONES.agent, 'agent_wss', 'Agent-pass-1', launch),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([caller?.close(), agent?.close()]);
    await t?.close();
    cert?.remove();
  });

  async function connectCaller(): Promise<void> {
    await caller.page.getByTestId('sim-dial-target').fill('2101');
    await caller.page.getByTestId('sim-dial').click();
    await agent.page.getByTestId('incoming-call').waitFor();
    await agent.page.getByTestId('answer-button').click();
    await callStatus(agent.page, 'call-status', 'established');
    await callStatus(caller.page, 'sim-call-status', 'established');
  }

  it('registers over wss:// with the configured certificate and carries a call with media both ways', async () => {
    const token = (await t.login('agent_wss', 'Agent-pass-1')).accessToken;
    const profile = (await t.as(token)('GET', '/api/softphone/profile')).json<{ wsServers: string[] }>();
    expect(profile.wsServers).toEqual([`wss://127.0.0.1:${tlsPort}`]);
    // Kamailio holds the agent's registration on its TLS socket (the WebSocket inside TLS).
    const contact = JSON.stringify(await t.kamailio!.rpc.call('ul.lookup', 'location', '2101'));
    expect(contact).toContain(`"Socket":"tls:127.0.0.1:${tlsPort}"`);

    await connectCaller();
    await expectHears(agent, TONES.caller);
    await expectHears(caller, TONES.agent);
  });
});
