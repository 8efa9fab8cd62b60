/**
 * A citizen on the PSTN trunk reaches an agent: baresip (plain SIP/RTP, PCMU) calls the
 * hotline 12345 from the configured trunk's address; the ACD offers the call to the ready
 * agent, whose console (Chromium, WebRTC) answers. Our rtpengine bridges the media: the
 * agent hears baresip's 440 Hz and baresip records the agent's 880 Hz. After the call
 * rtpengine holds no session. Prints the set-up time (answer click → baresip's 200 OK).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/server/telephony/kamailio/kamailio-server.js';
import { baresipDial, haveBaresip, tonePower } from '../harness/baresip.js';
import { launchChromium } from '../harness/browser.js';
import { freePorts } from '../harness/free-port.js';
import { callStatus, HEARD_DB, signInAgent } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';
import { toneWav, TONES } from '../harness/tones.js';

const ready = haveBaresip() && Boolean(findExecutable('rtpengine'));
if (!ready) console.warn('trunk e2e skipped: needs Debian packages rtpengine-daemon and baresip-core');

describe.skipIf(!ready)('a trunk call reaches a WebRTC agent through rtpengine', () => {
  let t: TelephonyTestApp;
  let browser: Browser;
  let agent: Page;
  let agentId: string;
  let trunkPort: number;

  beforeAll(async () => {
    [trunkPort] = (await freePorts(1)) as [number];
    t = await createTelephonyTestApp({
      demo: true,
      // A SIP domain that is a name: Kamailio's alias has no port, so with the domain
      // 127.0.0.1 a loopback trunk's own address (127.0.0.1:port) would look like ours.
      sipDomain: 'hotline.test',
      trunks: JSON.stringify([{ name: 'pstn', address: `127.0.0.1:${trunkPort}`, sources: [`127.0.0.1:${trunkPort}`], outbound: true }]),
    });
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const group = await t.db.selectFrom('agent_group').select('id').where('name', '=', '综合受理一组').executeTakeFirstOrThrow();
    const res = await t.as(admin)('POST', '/api/users', { username: 'trunk_a', displayName: '坐席T', password: 'Agent-pass-1', roles: ['agent'], extension: '2201', groupIds: [group.id] });
    expect(res.statusCode).toBe(201);
    agentId = res.json().id;
    await t.acdBridge!.waitLinkUp(10_000);

    browser = await launchChromium({ fakeAudioFile: toneWav(TONES.agent) });
    const context = await browser.newContext();
    // Chrome's audio processing attenuates a steady tone: off for tone tests only.
    await context.addInitScript(() => localStorage.setItem('hotline.softphone.audioProcessing', 'off'));
    agent = await context.newPage();
    agent.on('pageerror', (err) => console.error(`[agent] ${err.message}`));
    await agent.goto(`${baseUrl(t.app)}/`);
    await signInAgent(agent, 'trunk_a', 'Agent-pass-1');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('baresip → 12345 → agent: audio both ways, no rtpengine session left', async () => {
    await agent.getByTestId('agent-state-ready').click();
    await expect
      .poll(async () => ((await t.db.selectFrom('agent_state').select('state').where('agent_id', '=', agentId).executeTakeFirstOrThrow()).state as { kind: string }).kind, { timeout: 10_000 })
      .toBe('ready');
    const caller = baresipDial({ sipPort: trunkPort, number: '13912345678', target: `sip:12345@127.0.0.1:${t.sip.port}`, toneHz: TONES.caller, seconds: 40 });
    try {
      await agent.getByTestId('incoming-call').waitFor({ timeout: 20_000 });
      expect(await agent.getByTestId('incoming-caller').innerText()).toContain('13912345678');
      const clicked = performance.now();
      await agent.getByTestId('answer-button').click();
      const established = await caller.waitFor(/Call established|established/i, 15_000);
      await callStatus(agent, 'call-status', 'established');
      console.log(`[trunk e2e] answer click → baresip has the 200 OK through rtpengine: ${Math.round(established - clicked)} ms`);
      expect(await t.rtpengine!.ng.calls()).toHaveLength(1);

      // The agent hears the citizen's 440 Hz (PCMU → rtpengine → DTLS-SRTP → Chromium).
      await expect.poll(() => agent.evaluate(() => window.__softphone!.levelAt(440, 400)), { timeout: 10_000, interval: 500 }).toBeGreaterThan(HEARD_DB);
      await new Promise((r) => setTimeout(r, 3000));

      await agent.getByTestId('hangup-button').click();
      await callStatus(agent, 'call-status', 'idle');
      await caller.waitFor(/terminated/i, 10_000);
      await expect.poll(() => t.rtpengine!.ng.calls(), { timeout: 10_000 }).toEqual([]);

      // baresip's recording of what it heard holds the agent's 880 Hz, well above a tone nobody played.
      caller.kill();
      await caller.exited;
      const heard = caller.received();
      expect(heard.samples.length / heard.sampleRate).toBeGreaterThan(2);
      const agentTone = tonePower(heard.samples, heard.sampleRate, TONES.agent);
      const absent = tonePower(heard.samples, heard.sampleRate, 1320);
      console.log(`[trunk e2e] baresip heard 880 Hz at ${agentTone.toExponential(2)} vs 1320 Hz ${absent.toExponential(2)}`);
      expect(agentTone).toBeGreaterThan(100 * absent);
    } catch (err) {
      console.error(`[trunk e2e] baresip output:\n${caller.output()}`);
      throw err;
    } finally {
      caller.kill();
    }
  }, 120_000);
});
