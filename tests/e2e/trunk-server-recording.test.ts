/**
 * Trunk calls on a site that records them on the server (HOTLINE_RECORDING=server), with
 * baresip as the citizen on the PSTN trunk and two WebRTC agents in Chromium:
 * - a queue call is recorded by rtpengine, stored with its checksum, linked to the call record,
 *   playable, holding both parties' tones, and the agent's softphone did not record it too;
 * - the agent calls a citizen back through the trunk (baresip answers): audio both ways;
 * - a blind transfer of a trunk call from agent A to agent B keeps audio both ways;
 * and rtpengine holds no session afterwards.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/server/telephony/kamailio/kamailio-server.js';
import { baresipAnswer, baresipDial, haveBaresip, readPcmWav, tonePower, type BaresipCall } from '../harness/baresip.js';
import { launchChromium } from '../harness/browser.js';
import { freePorts } from '../harness/free-port.js';
import { callStatus, HEARD_DB, signInAgent } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';
import { toneWav, TONES } from '../harness/tones.js';

const ready = haveBaresip() && Boolean(findExecutable('rtpengine'));
if (!ready) console.warn('trunk e2e skipped: needs Debian packages rtpengine-daemon and baresip-core');

const CITIZEN = '13912345678';

describe.skipIf(!ready)('trunk calls with server-side recording, callbacks and transfers', () => {
  let t: TelephonyTestApp;
  const browsers: Browser[] = [];
  let agentA: Page;
  let agentB: Page;
  let agentAId: string;
  let tokenA: string;
  let trunkPort: number;

  async function openAgent(username: string, extension: string, toneHz: number, groupId: string, admin: string): Promise<{ page: Page; id: string }> {
    const res = await t.as(admin)('POST', '/api/users', { username, displayName: username, password: 'Agent-pass-1', roles: ['agent'], extension, groupIds: [groupId] });
    expect(res.statusCode).toBe(201);
    const browser = await launchChromium({ fakeAudioFile: toneWav(toneHz) });
    browsers.push(browser);
    const context = await browser.newContext();
    await context.addInitScript(() => localStorage.setItem('hotline.softphone.audioProcessing', 'off'));
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[${username}] ${err.message}`));
    await page.goto(`${baseUrl(t.app)}/`);
    // The first page load of a cold machine can take long: wait for the form before signing in.
    await page.getByTestId('login-username').waitFor({ timeout: 90_000 });
    await signInAgent(page, username, 'Agent-pass-1');
    return { page, id: res.json().id };
  }

  const hears = (page: Page, hz: number) =>
    expect.poll(() => page.evaluate((f) => window.__softphone!.levelAt(f, 400), hz), { timeout: 10_000, interval: 500 }).toBeGreaterThan(HEARD_DB);

  async function makeReady(page: Page, agentId: string): Promise<void> {
    const state = async () => ((await t.db.selectFrom('agent_state').select('state').where('agent_id', '=', agentId).executeTakeFirstOrThrow()).state as { kind: string }).kind;
    await expect.poll(async () => {
      if ((await state()) !== 'ready') await page.getByTestId('agent-state-ready').click().catch(() => undefined);
      return state();
    }, { timeout: 15_000, interval: 1000 }).toBe('ready');
  }

  /** The agent's 880 Hz (or `hz`) well above a tone nobody played, in what baresip received. */
  function expectReceived(heard: { sampleRate: number; samples: Int16Array }, hz: number): void {
    expect(heard.samples.length / heard.sampleRate).toBeGreaterThan(2);
    const tone = tonePower(heard.samples, heard.sampleRate, hz);
    const absent = tonePower(heard.samples, heard.sampleRate, 1320);
    expect(tone).toBeGreaterThan(100 * absent);
  }

  async function withCaller<T>(caller: BaresipCall, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      console.error(`[trunk e2e] baresip output:\n${caller.output()}`);
      throw err;
    } finally {
      caller.kill();
    }
  }

  beforeAll(async () => {
    [trunkPort] = (await freePorts(1)) as [number];
    t = await createTelephonyTestApp({
      demo: true,
      sipDomain: 'hotline.test',
      recording: 'server',
      wrapUpSeconds: 0,
      trunks: JSON.stringify([{ name: 'pstn', address: `127.0.0.1:${trunkPort}`, sources: [`127.0.0.1:${trunkPort}`], outbound: true }]),
    });
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const group = await t.db.selectFrom('agent_group').select('id').where('name', '=', '综合受理一组').executeTakeFirstOrThrow();
    await t.acdBridge!.waitLinkUp(10_000);
    const a = await openAgent('rec_a', '2301', TONES.agent, group.id, admin);
    const b = await openAgent('rec_b', '2302', TONES.agent2, group.id, admin);
    agentA = a.page;
    agentAId = a.id;
    agentB = b.page;
    tokenA = (await t.login('rec_a', 'Agent-pass-1')).accessToken;
  }, 300_000);

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await t?.close();
  });

  it('the profile tells the softphone the server records trunk calls', async () => {
    const res = await t.as(tokenA)('GET', '/api/softphone/profile');
    expect(res.json().trunkRecording).toBe('server');
  });

  it('a trunk call is recorded on the server: stored with its checksum, linked, playable, both tones, no agent-side copy', async () => {
    await makeReady(agentA, agentAId);
    const caller = baresipDial({ sipPort: trunkPort, number: CITIZEN, target: `sip:12345@127.0.0.1:${t.sip.port}`, toneHz: TONES.caller, seconds: 40 });
    await withCaller(caller, async () => {
      await agentA.getByTestId('incoming-call').waitFor({ timeout: 20_000 });
      await agentA.getByTestId('answer-button').click();
      await caller.waitFor(/Call established/i, 15_000);
      await callStatus(agentA, 'call-status', 'established');
      await hears(agentA, TONES.caller);
      await new Promise((r) => setTimeout(r, 4000));
      await agentA.getByTestId('hangup-button').click();
      await callStatus(agentA, 'call-status', 'idle');
      await caller.waitFor(/terminated/i, 10_000);
    });
    const record = await t.db.selectFrom('call_record').select(['call_id', 'recording_id']).where('caller', '=', CITIZEN).where('agent_id', '=', agentAId).orderBy('arrived_at', 'desc').executeTakeFirstOrThrow();
    await expect.poll(async () => (await t.db.selectFrom('call_record').select('recording_id').where('call_id', '=', record.call_id).executeTakeFirstOrThrow()).recording_id, { timeout: 15_000 }).not.toBeNull();
    const linked = (await t.db.selectFrom('call_record').select('recording_id').where('call_id', '=', record.call_id).executeTakeFirstOrThrow()).recording_id!;
    const rec = (await t.as(tokenA)('GET', `/api/recordings/${linked}`)).json();
    expect(rec).toMatchObject({ sipCallId: record.call_id, agentId: agentAId, source: 'server', state: 'complete', mimeType: 'audio/wav', remoteNumber: CITIZEN, direction: 'inbound' });
    expect(rec.durationMs).toBeGreaterThan(3000);
    // The softphone left it to the server: one recording of this call.
    const all = (await t.as(tokenA)('GET', `/api/recordings?sipCallId=${encodeURIComponent(record.call_id)}`)).json().items;
    expect(all).toHaveLength(1);
    const audio = await t.as(tokenA)('GET', `/api/recordings/${linked}/audio`);
    expect(audio.statusCode).toBe(200);
    expect(createHash('sha256').update(audio.rawPayload).digest('hex')).toBe(rec.sha256);
    const file = join(mkdtempSync(join(tmpdir(), 'hotline-rec-')), 'server.wav');
    writeFileSync(file, audio.rawPayload);
    const wav = readPcmWav(file);
    const caller440 = tonePower(wav.samples, wav.sampleRate, TONES.caller);
    const agent880 = tonePower(wav.samples, wav.sampleRate, TONES.agent);
    const absent = tonePower(wav.samples, wav.sampleRate, 1320);
    console.log(`[trunk e2e] server recording ${rec.durationMs} ms: 440 Hz ${caller440.toExponential(2)}, 880 Hz ${agent880.toExponential(2)}, 1320 Hz ${absent.toExponential(2)}`);
    expect(caller440).toBeGreaterThan(100 * absent);
    expect(agent880).toBeGreaterThan(100 * absent);
    // Playable from 通话录音 in the console.
    await agentA.evaluate(() => { location.hash = '#/recordings'; });
    await agentA.getByTestId(`recording-play-${linked}`).click();
    const playable = await agentA.getByTestId(`recording-audio-${linked}`).evaluate((el: HTMLAudioElement) =>
      new Promise<string>((resolve) => {
        if (el.readyState >= 2) resolve('ready');
        el.addEventListener('loadeddata', () => resolve('ready'));
        el.addEventListener('error', () => resolve(`error ${el.error?.code ?? ''}`));
      }));
    expect(playable).toBe('ready');
    await agentA.evaluate(() => { location.hash = '#/agent'; });
    await agentA.locator('[data-testid="softphone-registration"][data-status="registered"]').waitFor();
  }, 120_000);

  it('3. the agent calls a citizen back through the trunk (baresip answers): audio both ways', async () => {
    const citizen = baresipAnswer({ sipPort: trunkPort, number: CITIZEN, toneHz: TONES.caller, seconds: 40 });
    await withCaller(citizen, async () => {
      await citizen.waitFor(/baresip is ready|ready/i, 10_000).catch(() => undefined);
      await agentA.getByTestId('dial-input').fill(CITIZEN);
      await agentA.getByTestId('dial-button').click();
      await callStatus(agentA, 'call-status', 'established', 20_000);
      await citizen.waitFor(/Call established|established/i, 10_000);
      await hears(agentA, TONES.caller);
      await new Promise((r) => setTimeout(r, 3000));
      await agentA.getByTestId('hangup-button').click();
      await callStatus(agentA, 'call-status', 'idle');
      await citizen.waitFor(/terminated/i, 10_000);
      citizen.kill();
      await citizen.exited;
      expectReceived(citizen.received(), TONES.agent);
    });
    // The callback is recorded on the server too, as the agent's outbound call.
    const leg = await t.db.selectFrom('call_record').select(['call_id', 'direction']).where('called', '=', CITIZEN).where('agent_id', '=', agentAId).orderBy('arrived_at', 'desc').executeTakeFirstOrThrow();
    expect(leg.direction).toBe('outbound');
    await expect.poll(async () => (await t.db.selectFrom('call_recording').select(['source', 'direction']).where('sip_call_id', '=', leg.call_id).execute()), { timeout: 15_000 })
      .toEqual([{ source: 'server', direction: 'outbound' }]);
    await expect.poll(() => t.rtpengine!.ng.calls(), { timeout: 10_000 }).toEqual([]);
  }, 120_000);

  it('4. a blind transfer of a trunk call from agent A to agent B keeps audio both ways', async () => {
    await makeReady(agentA, agentAId);
    const caller = baresipDial({ sipPort: trunkPort, number: CITIZEN, target: `sip:12345@127.0.0.1:${t.sip.port}`, toneHz: TONES.caller, seconds: 50, proxy: `sip:127.0.0.1:${t.sip.port}` });
    await withCaller(caller, async () => {
      await agentA.getByTestId('incoming-call').waitFor({ timeout: 20_000 });
      await agentA.getByTestId('answer-button').click();
      await caller.waitFor(/Call established/i, 15_000);
      await hears(agentA, TONES.caller);
      // Different seconds in baresip's dump file names for the two calls.
      await new Promise((r) => setTimeout(r, 1500));
      await agentA.getByTestId('transfer-target').fill('2302');
      await agentA.getByTestId('blind-transfer-button').click();
      await agentB.getByTestId('incoming-call').waitFor({ timeout: 15_000 });
      await agentB.getByTestId('answer-button').click();
      await callStatus(agentB, 'call-status', 'established');
      await callStatus(agentA, 'call-status', 'idle');
      await hears(agentB, TONES.caller);
      await new Promise((r) => setTimeout(r, 3000));
      await agentB.getByTestId('hangup-button').click();
      await callStatus(agentB, 'call-status', 'idle');
      await expect.poll(() => t.rtpengine!.ng.calls(), { timeout: 10_000 }).toEqual([]);
      caller.kill();
      await caller.exited;
      const calls = caller.receivedAll();
      expect(calls.length).toBeGreaterThanOrEqual(2);
      // After the transfer the citizen hears agent B (660 Hz), not A.
      const afterTransfer = calls[calls.length - 1]!;
      expectReceived(afterTransfer, TONES.agent2);
      expect(tonePower(afterTransfer.samples, afterTransfer.sampleRate, TONES.agent2)).toBeGreaterThan(10 * tonePower(afterTransfer.samples, afterTransfer.sampleRate, TONES.agent));
    });
  }, 120_000);
});
