/**
 * The automatic voice service for trunk callers, end to end: baresip (plain SIP/RTP, PCMU)
 * calls the hotline from the configured trunk; Kamailio suspends the call and the backend
 * answers it with early media through rtpengine (183), plays the welcome and the menu, reads
 * the caller's key from rtpengine's DTMF log, queues the call, plays music on hold, and the
 * ACD rings the agent of the chosen queue (Chromium, WebRTC): the music goes on while it
 * rings, and after the answer the caller hears the agent (880 Hz) as the agent hears the
 * caller. The announcements are tones here (welcome 1000 Hz, menu 1500 Hz, hold 600 Hz) so
 * baresip's recording proves what it heard. A caller who hangs up while the agent rings stops
 * the agent's phone. A caller who hangs up in the welcome still gets a call record and a
 * callback task; a caller waiting in a queue hears its place (tones too: 您前面还有 700 Hz,
 * the number 0 1100 Hz, other numbers 1200 Hz, 位来电 1700 Hz). Agents end 整理 with
 * 整理完成 after each call (not the wrap-up time), and the tests wait for the console to
 * show the server's state before acting on it. Also: a caller from an address that is no trunk is refused, and afterwards
 * rtpengine holds no session and Kamailio no transaction or call state.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/server/telephony/kamailio/kamailio-server.js';
import { baresipDial, haveBaresip, tonePower, type BaresipCall } from '../harness/baresip.js';
import { launchChromium } from '../harness/browser.js';
import { freePorts } from '../harness/free-port.js';
import { callStatus, HEARD_DB, signInAgent } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';
import { toneWav, TONES } from '../harness/tones.js';

const ready = haveBaresip() && Boolean(findExecutable('rtpengine'));
if (!ready) console.warn('voice-service e2e skipped: needs Debian packages rtpengine-daemon and baresip-core');

const WELCOME_HZ = 1000;
const MENU_HZ = 1500;
const HOLD_HZ = 600;
const ABSENT_HZ = 1320;
const POS_AHEAD_HZ = 700;
const POS_ZERO_HZ = 1100;
const POS_OTHER_HZ = 1200;
const POS_CALLERS_HZ = 1700;

/** 8 kHz mono tone file as an announcement. */
function toneFile(dir: string, name: string, hz: number, seconds: number): string {
  const f = join(dir, `${name}.wav`);
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', f, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5']);
  return f;
}

/** Seconds into the recording where `hz` is first clearly present (100 ms windows, from `from` s on), or null. */
function onset(rec: { sampleRate: number; samples: Int16Array }, hz: number, from = 0): number | null {
  const n = Math.round(rec.sampleRate / 10);
  for (let i = Math.ceil((from * rec.sampleRate) / n) * n; i + n <= rec.samples.length; i += n) {
    const w = rec.samples.subarray(i, i + n);
    // Announcements are at half scale; the agent's tone comes through Opus and Chromium quieter.
    const p = tonePower(w, rec.sampleRate, hz);
    if (p > 0.01 && p > 20 * tonePower(w, rec.sampleRate, ABSENT_HZ)) return i / rec.sampleRate;
  }
  return null;
}

/** Seconds of the recording in which `hz` is clearly present (100 ms windows). */
function seconds(rec: { sampleRate: number; samples: Int16Array }, hz: number): number {
  const n = Math.round(rec.sampleRate / 10);
  let windows = 0;
  for (let i = 0; i + n <= rec.samples.length; i += n) {
    const w = rec.samples.subarray(i, i + n);
    const p = tonePower(w, rec.sampleRate, hz);
    if (p > 0.01 && p > 20 * tonePower(w, rec.sampleRate, ABSENT_HZ)) windows++;
  }
  return windows / 10;
}

describe.skipIf(!ready)('trunk callers hear the voice service and the menu picks their queue', () => {
  let t: TelephonyTestApp;
  let browser: Browser;
  let agentA: Page; // 12345 综合
  let agentB: Page; // 12315 消费投诉
  let ids: { a: string; b: string; q12345: string; q12315: string };
  let trunkPort: number;
  const callers: BaresipCall[] = [];

  const stateOf = async (agentId: string) =>
    ((await t.db.selectFrom('agent_state').select('state').where('agent_id', '=', agentId).executeTakeFirstOrThrow()).state as { kind: string }).kind;

  async function login(username: string): Promise<Page> {
    const context = await browser.newContext();
    await context.addInitScript(() => localStorage.setItem('hotline.softphone.audioProcessing', 'off'));
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[${username}] ${err.message}`));
    await page.goto(`${baseUrl(t.app)}/`);
    await signInAgent(page, username, 'Agent-pass-1');
    return page;
  }

  /** The console shows the state the server has (a click on a view the server's push has not reached yet may do nothing). */
  async function consoleShows(page: Page, agentId: string): Promise<string> {
    const kind = await stateOf(agentId);
    await page.locator(`[data-testid="agent-state"][data-kind="${kind}"]`).waitFor({ timeout: 10_000 });
    return kind;
  }

  async function makeReady(page: Page, agentId: string): Promise<void> {
    if ((await consoleShows(page, agentId)) === 'ready') return;
    await page.getByTestId('agent-state-ready').click();
    try {
      await expect.poll(() => stateOf(agentId), { timeout: 10_000 }).toBe('ready');
    } catch (err) {
      // Say why (a 示闲 the console refused shows agent-state-error; the server's state has its reason).
      const row = await t.db.selectFrom('agent_state').select(['state', 'since']).where('agent_id', '=', agentId).executeTakeFirst();
      const refused = page.getByTestId('agent-state-error');
      const why = (await refused.count()) ? `${await refused.getAttribute('data-kind')}/${await refused.getAttribute('data-code')}: ${await refused.innerText()}` : 'no error shown';
      throw new Error(`示闲 did not take: server ${JSON.stringify(row)}; console: ${why}`, { cause: err });
    }
    await consoleShows(page, agentId);
  }

  /** The agent ends 整理 (after-call work) at once with 整理完成 instead of waiting out the wrap-up time. */
  async function endWrapUp(page: Page, agentId: string): Promise<void> {
    await expect.poll(() => stateOf(agentId), { timeout: 10_000 }).toBe('after_call_work');
    await consoleShows(page, agentId);
    await page.getByTestId('agent-state-wrap-up-done').click();
    await expect.poll(() => stateOf(agentId), { timeout: 10_000 }).toBe('ready');
    await consoleShows(page, agentId);
  }

  async function dial(number: string, opts: { fromPort?: number; ctrl?: boolean } = {}): Promise<BaresipCall> {
    const [ctrlPort] = (await freePorts(1)) as [number];
    const c = baresipDial({ sipPort: opts.fromPort ?? trunkPort, number, target: `sip:12345@127.0.0.1:${t.sip.port}`, toneHz: TONES.caller, seconds: 60, ...(opts.ctrl ? { ctrlPort } : {}) });
    callers.push(c);
    return c;
  }

  async function hangUp(agent: Page, agentId: string, caller: BaresipCall): Promise<void> {
    await agent.getByTestId('hangup-button').click();
    await callStatus(agent, 'call-status', 'idle');
    await caller.waitFor(/terminated/i, 10_000);
    caller.kill();
    await caller.exited;
    await endWrapUp(agent, agentId);
  }

  beforeAll(async () => {
    [trunkPort] = (await freePorts(1)) as [number];
    const dir = mkdtempSync(join(tmpdir(), 'hotline-ivr-'));
    const ivrFile = join(dir, 'ivr.json');
    toneFile(dir, 'pos-n', POS_OTHER_HZ, 0.6);
    writeFileSync(
      ivrFile,
      JSON.stringify({
        numbers: ['12345'],
        welcome: toneFile(dir, 'welcome', WELCOME_HZ, 1),
        menu: {
          prompt: toneFile(dir, 'menu', MENU_HZ, 1.5),
          options: [{ digit: '1', queue: '12345', label: '12345 综合' }, { digit: '2', queue: '12315', label: '12315 消费投诉' }],
          timeoutSeconds: 2,
          defaultQueue: '12345',
        },
        hold: toneFile(dir, 'hold', HOLD_HZ, 1),
        position: {
          ahead: toneFile(dir, 'pos-ahead', POS_AHEAD_HZ, 0.5),
          numbers: [toneFile(dir, 'pos-0', POS_ZERO_HZ, 0.6), ...Array.from({ length: 20 }, () => join(dir, 'pos-n.wav'))],
          callers: toneFile(dir, 'pos-callers', POS_CALLERS_HZ, 0.5),
          many: toneFile(dir, 'pos-many', 1900, 0.5),
          everySeconds: 5,
        },
        closed: toneFile(dir, 'closed', 2000, 1),
        busy: toneFile(dir, 'busy', 1800, 1),
      }),
    );
    t = await createTelephonyTestApp({
      demo: true,
      sipDomain: 'hotline.test',
      trunks: JSON.stringify([{ name: 'pstn', address: `127.0.0.1:${trunkPort}`, sources: [`127.0.0.1:${trunkPort}`], outbound: true }]),
      ivr: 'on',
      ivrFile,
    });
    expect(t.ivr).not.toBeNull();
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    // 12345 is answered by 综合受理一组 only, 12315 by its own group.
    const general = await t.db.selectFrom('agent_group').select('id').where('name', '=', '综合受理一组').executeTakeFirstOrThrow();
    const consumer = await t.services.groups.upsert(null, { name: '消费投诉组', supervisorIds: [] }, null);
    const queue = async (code: string) => (await t.db.selectFrom('acd_queue').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
    ids = { a: '', b: '', q12345: await queue('12345'), q12315: await queue('12315') };
    await t.db.deleteFrom('acd_queue_group').where('queue_id', '=', ids.q12315).execute();
    await t.db.insertInto('acd_queue_group').values({ queue_id: ids.q12315, group_id: consumer.id }).execute();
    for (const [key, username, ext, group] of [['a', 'ivr_a', '2301', general.id], ['b', 'ivr_b', '2302', consumer.id]] as const) {
      const res = await t.as(admin)('POST', '/api/users', { username, displayName: username, password: 'Agent-pass-1', roles: ['agent'], extension: ext, groupIds: [group] });
      expect(res.statusCode).toBe(201);
      ids[key] = res.json().id;
    }
    await t.acdBridge!.waitLinkUp(10_000);
    browser = await launchChromium({ fakeAudioFile: toneWav(TONES.agent) });
    agentA = await login('ivr_a');
    agentB = await login('ivr_b');
  }, 180_000);

  afterAll(async () => {
    for (const c of callers) c.kill();
    await browser?.close();
    await t?.close();
  });

  it('hears the welcome and the menu, no key: waits with music in the default queue, then talks to its agent both ways', async () => {
    await makeReady(agentA, ids.a);
    const dialled = performance.now();
    const caller = await dial('13912345678');
    try {
      const progress = await caller.waitFor(/183|Session Progress|progress/i, 10_000);
      console.log(`[ivr e2e] baresip dial → 183 with SDP: ${Math.round(progress - dialled)} ms; backend: ${JSON.stringify(t.ivr!.lastTimings)}`);
      await agentA.getByTestId('incoming-call').waitFor({ timeout: 20_000 });
      const offered = performance.now();
      // Music on hold while the agent's phone rings.
      await new Promise((r) => setTimeout(r, 1500));
      await agentA.getByTestId('answer-button').click();
      await caller.waitFor(/Call established|established/i, 15_000);
      await callStatus(agentA, 'call-status', 'established');
      console.log(`[ivr e2e] dial → agent offered after welcome 1 s + menu 1.5 s + 2 s timeout: ${Math.round(offered - dialled)} ms`);
      expect(await t.rtpengine!.ng.calls()).toHaveLength(1);
      const rec = await t.db.selectFrom('call_record').select(['queue_id', 'trunk']).where('caller', '=', '13912345678').executeTakeFirstOrThrow();
      expect(rec.queue_id).toBe(ids.q12345);
      expect(rec.trunk).toBe('pstn');

      // The agent hears the citizen's 440 Hz; then baresip must hear the agent's 880 Hz.
      await expect.poll(() => agentA.evaluate(() => window.__softphone!.levelAt(440, 400)), { timeout: 10_000, interval: 500 }).toBeGreaterThan(HEARD_DB);
      await new Promise((r) => setTimeout(r, 3000));
      await hangUp(agentA, ids.a, caller);

      const heard = caller.received();
      const at = { welcome: onset(heard, WELCOME_HZ), menu: onset(heard, MENU_HZ), hold: onset(heard, HOLD_HZ), agent: onset(heard, TONES.agent) };
      console.log(`[ivr e2e] baresip heard (s into its recording): ${JSON.stringify(at)}`);
      expect(at.welcome).not.toBeNull();
      expect(at.menu).not.toBeNull();
      expect(at.hold).not.toBeNull();
      // In order: welcome, menu, music on hold.
      expect(at.welcome!).toBeLessThan(at.menu!);
      expect(at.menu!).toBeLessThan(at.hold!);
      // Music on hold went on while the agent's phone rang (≥ 1.5 s before the answer): the agent's
      // 180 is not relayed, which would make baresip stop the early media and ring locally.
      expect(seconds(heard, HOLD_HZ)).toBeGreaterThan(1.2);
      // After the early media the caller hears the agent (the 200 OK's SDP, another To tag and
      // the bridged session's ports: baresip takes it and its new SSRC).
      expect(at.agent).not.toBeNull();
      expect(at.hold!).toBeLessThan(at.agent!);
      expect(seconds(heard, TONES.agent)).toBeGreaterThan(2);
    } catch (err) {
      console.error(`[ivr e2e] baresip output:\n${caller.output()}`);
      throw err;
    } finally {
      caller.kill();
    }
  }, 90_000);

  it('a caller who hangs up while the agent rings stops the agent\'s phone (the agent\'s 180 was not relayed)', async () => {
    await makeReady(agentA, ids.a);
    const caller = await dial('13912345670', { ctrl: true });
    try {
      await caller.waitFor(/183|Session Progress|progress/i, 10_000);
      await caller.sendDigit('1');
      await agentA.getByTestId('incoming-call').waitFor({ timeout: 15_000 });
      await new Promise((r) => setTimeout(r, 1000));
      // baresip cancels its unanswered call when it stops.
      const left = performance.now();
      caller.kill();
      await caller.exited;
      // Well within the ring time: tm cancels the agent's branch although its 180 was dropped.
      await agentA.getByTestId('incoming-call').waitFor({ state: 'detached', timeout: 5_000 });
      console.log(`[ivr e2e] caller left → agent's phone stops ringing: ${Math.round(performance.now() - left)} ms`);
      await expect.poll(() => t.rtpengine!.ng.calls(), { timeout: 10_000 }).toEqual([]);
      await expect.poll(async () => (await t.db.selectFrom('call_record').select('result').where('caller', '=', '13912345670').executeTakeFirstOrThrow()).result, { timeout: 10_000 }).toBe('abandoned');
      // The offer was withdrawn, not missed: the agent is ready again (no 未接来电), also after the ring time.
      await new Promise((r) => setTimeout(r, 2000));
      const state = (await t.db.selectFrom('agent_state').select('state').where('agent_id', '=', ids.a).executeTakeFirstOrThrow()).state;
      expect(state).toMatchObject({ kind: 'ready' });
    } catch (err) {
      console.error(`[ivr e2e] baresip output:\n${caller.output()}`);
      throw err;
    } finally {
      caller.kill();
    }
  }, 60_000);

  it('a caller who hangs up during the welcome gets a call record (abandoned, never queued) and a callback task', async () => {
    await makeReady(agentA, ids.a);
    const caller = await dial('13912345672');
    try {
      await caller.waitFor(/183|Session Progress|progress/i, 10_000);
      await new Promise((r) => setTimeout(r, 400));
      caller.kill();
      await caller.exited;
      await expect.poll(async () => (await t.db.selectFrom('call_record').select('result').where('caller', '=', '13912345672').executeTakeFirst())?.result, { timeout: 10_000 }).toBe('abandoned');
      const rec = await t.db.selectFrom('call_record').selectAll().where('caller', '=', '13912345672').executeTakeFirstOrThrow();
      // The menu's default queue; queued_at null: it never reached the queue. The wait is arrival → hang-up.
      expect(rec).toMatchObject({ queue_id: ids.q12345, queued_at: null, called: '12345', trunk: 'pstn', ended_by: 'caller', agent_id: null });
      const waited = (new Date(rec.ended_at!).getTime() - new Date(rec.arrived_at).getTime()) / 1000;
      expect(waited).toBeGreaterThan(0.2);
      expect(waited).toBeLessThan(5);
      const task = await t.db.selectFrom('callback_task').selectAll().where('last_call_id', '=', rec.call_id).executeTakeFirstOrThrow();
      expect(task).toMatchObject({ status: 'open', reason: 'abandoned', queue_id: ids.q12345 });
      expect(await agentA.getByTestId('incoming-call').count()).toBe(0);
      expect(await stateOf(ids.a)).toBe('ready');
    } catch (err) {
      console.error(`[ivr e2e] baresip output:\n${caller.output()}`);
      throw err;
    } finally {
      caller.kill();
    }
  }, 30_000);

  it('a caller waiting in a queue hears its place after the hold music, then every everySeconds', async () => {
    // Nobody takes 12315 yet: the caller waits there alone (nobody ahead → "您前面还有 | 0 | 位来电").
    expect(await stateOf(ids.b)).not.toBe('ready');
    const caller = await dial('13912345673', { ctrl: true });
    try {
      await caller.waitFor(/183|Session Progress|progress/i, 10_000);
      await new Promise((r) => setTimeout(r, 400));
      await caller.sendDigit('2');
      await expect.poll(async () => (await t.db.selectFrom('call_record').innerJoin('acd_call', 'acd_call.call_id', 'call_record.call_id')
        .select('acd_call.state').where('caller', '=', '13912345673').executeTakeFirst())?.state, { timeout: 10_000 }).toBe('waiting');
      const rec = await t.db.selectFrom('call_record').select(['call_id', 'queue_id']).where('caller', '=', '13912345673').executeTakeFirstOrThrow();
      expect(rec.queue_id).toBe(ids.q12315);
      expect(await t.services.queues.callersAhead(rec.call_id)).toBe(0);
      // Hold 1 s, the place (0.5 + 0.6 + 0.5 s), hold, 5 s later the place again.
      await new Promise((r) => setTimeout(r, 10_000));
      caller.kill();
      await caller.exited;
      const heard = caller.received();
      const at = { hold: onset(heard, HOLD_HZ), ahead: onset(heard, POS_AHEAD_HZ), zero: onset(heard, POS_ZERO_HZ), callers: onset(heard, POS_CALLERS_HZ) };
      const held = { ahead: seconds(heard, POS_AHEAD_HZ), zero: seconds(heard, POS_ZERO_HZ), callers: seconds(heard, POS_CALLERS_HZ), other: seconds(heard, POS_OTHER_HZ) };
      console.log(`[ivr e2e] position announcement heard at (s): ${JSON.stringify(at)}, lengths: ${JSON.stringify(held)}`);
      expect(at.hold).not.toBeNull();
      expect(at.ahead).not.toBeNull();
      expect(at.zero).not.toBeNull();
      expect(at.callers).not.toBeNull();
      // In sequence after the hold music: 您前面还有, the number, 位来电; then the music again.
      expect(at.hold!).toBeLessThan(at.ahead!);
      expect(at.ahead!).toBeLessThan(at.zero!);
      expect(at.zero!).toBeLessThan(at.callers!);
      expect(onset(heard, HOLD_HZ, at.callers! + 0.4)).not.toBeNull();
      // The right number (0, not another), and twice: 2 × 0.5 s of 您前面还有, 2 × 0.6 s of the number.
      expect(held.other).toBe(0);
      expect(held.ahead).toBeGreaterThan(0.6);
      expect(held.zero).toBeGreaterThan(0.8);
      expect(held.zero).toBeLessThan(1.5);
      // The caller left waiting: an abandon in the queue (queued, unlike a hang-up in the menu).
      await expect.poll(async () => (await t.db.selectFrom('call_record').select('result').where('call_id', '=', rec.call_id).executeTakeFirstOrThrow()).result, { timeout: 10_000 }).toBe('abandoned');
    } catch (err) {
      console.error(`[ivr e2e] baresip output:\n${caller.output()}`);
      throw err;
    } finally {
      caller.kill();
    }
  }, 40_000);

  it('key 2 during the welcome lands on the 12315 queue\'s agent', async () => {
    await makeReady(agentA, ids.a);
    await makeReady(agentB, ids.b);
    const caller = await dial('13912345679', { ctrl: true });
    try {
      await caller.waitFor(/183|Session Progress|progress/i, 10_000);
      await new Promise((r) => setTimeout(r, 400));
      const pressed = performance.now();
      await caller.sendDigit('2');
      await agentB.getByTestId('incoming-call').waitFor({ timeout: 15_000 });
      console.log(`[ivr e2e] key 2 → 12315 agent offered: ${Math.round(performance.now() - pressed)} ms`);
      expect(await agentA.getByTestId('incoming-call').count()).toBe(0);
      await agentB.getByTestId('answer-button').click();
      await caller.waitFor(/Call established|established/i, 15_000);
      await callStatus(agentB, 'call-status', 'established');
      const rec = await t.db.selectFrom('call_record').select(['queue_id', 'agent_id']).where('caller', '=', '13912345679').executeTakeFirstOrThrow();
      expect(rec.queue_id).toBe(ids.q12315);
      expect(rec.agent_id).toBe(ids.b);
      await expect.poll(() => agentB.evaluate(() => window.__softphone!.levelAt(440, 400)), { timeout: 10_000, interval: 500 }).toBeGreaterThan(HEARD_DB);
      await hangUp(agentB, ids.b, caller);
      // The menu was cut short by the key: baresip heard the welcome but never the menu prompt.
      const heard = caller.received();
      expect(onset(heard, WELCOME_HZ)).not.toBeNull();
      expect(onset(heard, MENU_HZ)).toBeNull();
    } catch (err) {
      console.error(`[ivr e2e] baresip output:\n${caller.output()}`);
      throw err;
    } finally {
      caller.kill();
    }
  }, 90_000);

  it('a caller from an address that is no configured trunk is refused and never queued', async () => {
    const [strangerPort] = (await freePorts(1)) as [number];
    const before = (await t.db.selectFrom('call_record').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const caller = await dial('13800000000', { fromPort: strangerPort });
    try {
      const out = await Promise.race([caller.waitFor(/407|403|Proxy Authentication|Forbidden|Unauthorized|401/i, 10_000), caller.exited.then(() => 0)]);
      expect(out).toBeGreaterThan(0);
      await caller.waitFor(/terminated|closed|failed/i, 10_000).catch(() => undefined);
      expect(caller.output()).not.toMatch(/183|Call established/i);
      const after = (await t.db.selectFrom('call_record').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
      expect(Number(after)).toBe(Number(before));
      expect(await agentA.getByTestId('incoming-call').count()).toBe(0);
    } catch (err) {
      console.error(`[ivr e2e] stranger baresip output:\n${caller.output()}`);
      throw err;
    } finally {
      caller.kill();
    }
  }, 30_000);

  it('after the run rtpengine holds no session and Kamailio no transaction, queue call or bridged-call state', async () => {
    for (const c of callers) c.kill();
    await expect.poll(() => t.rtpengine!.ng.calls(), { timeout: 10_000 }).toEqual([]);
    // tm keeps a finished transaction a few seconds (wait timer) before freeing it.
    const tm = () => t.kamailio!.rpc.call<{ current: number; waiting: number }>('tm.stats');
    await expect.poll(async () => (await tm()).current, { timeout: 20_000, interval: 500 }).toBe(0);
    // Our per-call state in Kamailio (what a dialog module would count): answered queue calls, waiting ones, bridged media.
    for (const table of ['acdcall', 'acdwait', 'media']) {
      const dump = await t.kamailio!.rpc.call<unknown[]>('htable.dump', table);
      expect(dump, table).toEqual([]);
    }
    expect(t.ivr!.activeSessions).toBe(0);
    expect(t.acdBridge!.pendingCalls).toBe(0);
  }, 40_000);
});
