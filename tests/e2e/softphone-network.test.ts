/**
 * The softphone on a site's network: SIP over secure WebSocket (our managed Kamailio with a
 * configured certificate; here a throwaway self-signed one that Chromium trusts by its key
 * hash), a configured STUN server that never answers (a firewalled LAN) which must not hold
 * up call set-up beyond the ICE-gathering bound, and, in the same calls, recovery of the
 * media path when the network under a call changes.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callStatus, expectHears, openAgent, openCaller, type Party } from '../harness/parties.js';
import { freePort } from '../harness/free-port.js';
import { iceRestarts, iceView, observePeerConnections } from '../harness/ice-observer.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { createTestCertificate, type TestCertificate } from '../harness/test-certificate.js';
import { TONES } from '../harness/tones.js';
import { blockUdpPorts, restoreAllUdpPorts } from '../harness/udp-blackhole.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';

describe('softphone over WSS, and the media path after a network change', () => {
  let t: TelephonyTestApp;
  let cert: TestCertificate;
  let tlsPort: number;
  let caller: Party;
  let agent: Party;
  /** A "STUN server" that swallows every request. */
  let deadStun: Socket;
  const GATHERING_BOUND_MS = 800;

  beforeAll(async () => {
    cert = createTestCertificate('127.0.0.1');
    tlsPort = await freePort();
    deadStun = createSocket('udp4');
    await new Promise<void>((resolve) => deadStun.bind(0, '127.0.0.1', resolve));
    t = await createTelephonyTestApp({
      demo: true,
      sipTlsPort: tlsPort,
      sipTlsCert: cert.certificate,
      sipTlsKey: cert.privateKey,
      iceServers: JSON.stringify([{ urls: `stun:127.0.0.1:${deadStun.address().port}` }]),
      iceGatheringTimeoutMs: GATHERING_BOUND_MS,
    });
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const res = await t.as(admin)('POST', '/api/users', { username: 'agent_wss', displayName: 'agent_wss', password: 'Agent-pass-1', roles: ['agent'], extension: '2101' });
    expect(res.statusCode).toBe(201);
    const url = baseUrl(t.app);
    const launch = { extraArgs: cert.chromiumArgs };
    [caller, agent] = await Promise.all([
      openCaller(url, TONES.caller, '13800138000', launch),
      openAgent(url, TONES.agent, 'agent_wss', 'Agent-pass-1', launch),
    ]);
    await Promise.all([observePeerConnections(caller.page), observePeerConnections(agent.page)]);
  }, 120_000);

  afterAll(async () => {
    restoreAllUdpPorts();
    await Promise.all([caller?.close(), agent?.close()]);
    await t?.close();
    cert?.remove();
    deadStun?.close();
  });

  async function connectCaller(): Promise<void> {
    await caller.page.getByTestId('sim-dial-target').fill('2101');
    await caller.page.getByTestId('sim-dial').click();
    await agent.page.getByTestId('incoming-call').waitFor();
    await agent.page.getByTestId('answer-button').click();
    await callStatus(agent.page, 'call-status', 'established');
    await callStatus(caller.page, 'sim-call-status', 'established');
  }

  it('an unreachable STUN server does not hold up set-up: the INVITE leaves at the gathering bound, gathering still running', async () => {
    const token = (await t.login('agent_wss', 'Agent-pass-1')).accessToken;
    const profile = (await t.as(token)('GET', '/api/softphone/profile')).json<{ iceGatheringTimeoutMs: number; iceServers: unknown[] }>();
    expect(profile.iceGatheringTimeoutMs).toBe(GATHERING_BOUND_MS);
    expect(profile.iceServers).toHaveLength(1);
    await caller.page.getByTestId('sim-dial-target').fill('2101');
    const dialled = Date.now();
    await caller.page.getByTestId('sim-dial').click();
    await agent.page.getByTestId('incoming-call').waitFor();
    const setUpMs = Date.now() - dialled;
    // The offer went out while Chromium was still waiting for the STUN server: sip.js stopped
    // waiting at our bound, not because gathering completed (it would wait for its own 5 s default).
    expect((await iceView(caller.page)).iceGatheringState).toBe('gathering');
    expect(setUpMs).toBeGreaterThanOrEqual(GATHERING_BOUND_MS);
    expect(setUpMs).toBeLessThan(5000);
    await agent.page.getByTestId('reject-button').click();
    await callStatus(agent.page, 'call-status', 'idle');
    await caller.page.locator('[data-testid="sim-call-status"]:not([data-status="calling"])').waitFor();
  });

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

  /** Drops every UDP packet to the candidates both browsers have gathered so far: the current media path is dead. */
  async function killMediaPath() {
    const [a, c] = await Promise.all([iceView(agent.page), iceView(caller.page)]);
    return { before: { agent: a, caller: c }, hole: blockUdpPorts([...a.localPorts, ...c.localPorts]) };
  }

  async function expectNewIceSession(before: { agent: { remoteUfrag: string | null }; caller: { remoteUfrag: string | null } }): Promise<void> {
    // Each side got the other's new ICE credentials: the re-INVITE's offer and its answer
    // travelled through Kamailio (the only signalling path between the browsers).
    await expect.poll(async () => {
      const [a, c] = await Promise.all([iceView(agent.page), iceView(caller.page)]);
      return { agentGotNew: a.remoteUfrag !== before.agent.remoteUfrag, callerGotNew: c.remoteUfrag !== before.caller.remoteUfrag, media: [a.connectionState, c.connectionState] };
    }, { timeout: 20_000 }).toEqual({ agentGotNew: true, callerGotNew: true, media: ['connected', 'connected'] });
    await expectHears(agent, TONES.caller);
    await expectHears(caller, TONES.agent);
    await callStatus(agent.page, 'call-status', 'established');
  }

  it('the browser reports a network change mid-call: ICE restarts at once, before the dead path is noticed', async () => {
    const { before, hole } = await killMediaPath();
    try {
      await expectHears(agent, TONES.caller, false);
      const earlier = (await iceRestarts(agent.page)).length;
      // The agent's machine changes networks (offline → online, as a moved cable or a VPN reports it).
      await agent.context.setOffline(true);
      await agent.context.setOffline(false);
      await expect.poll(async () => (await iceRestarts(agent.page)).length, { timeout: 15_000 }).toBeGreaterThan(earlier);
      // Restarted while ICE still believed the old path worked: the network event did it.
      expect((await iceRestarts(agent.page))[earlier]).toBe('connected');
      await expectNewIceSession(before);
    } finally {
      hole.restore();
    }
  }, 60_000);

  it('the media path dies with no network event: ICE notices, the softphone restarts it and the tones come back', async () => {
    const { before, hole } = await killMediaPath();
    const earlier = { agent: (await iceRestarts(agent.page)).length, caller: (await iceRestarts(caller.page)).length };
    try {
      await expectHears(agent, TONES.caller, false);
      await expectHears(caller, TONES.agent, false);
      // Chromium reports disconnected some seconds after consent checks stop; a few seconds later the restart goes out.
      await expectHears(agent, TONES.caller, true, 45_000);
      const restarts = [...(await iceRestarts(caller.page)).slice(earlier.caller), ...(await iceRestarts(agent.page)).slice(earlier.agent)];
      expect(restarts.length).toBeGreaterThanOrEqual(1);
      for (const state of restarts) expect(['disconnected', 'failed']).toContain(state);
      await expectNewIceSession(before);
    } finally {
      hole.restore();
    }
    await caller.page.getByTestId('sim-hangup').click();
    await callStatus(agent.page, 'call-status', 'idle');
  }, 90_000);
});
