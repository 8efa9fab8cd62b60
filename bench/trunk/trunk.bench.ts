/**
 * Trunk benchmarks over our managed Kamailio and rtpengine, with a Node trunk far end
 * (trunk-caller.ts: plain SIP/UDP + PCMU 440 Hz from the trunk's source port) and
 * auto-answering WebRTC phones (the caller simulator's sip.js softphone, in Chromium, 880 Hz):
 * - call set-up: INVITE sent to Kamailio → 200 OK back, through rtpengine, over ≥ 20 calls;
 * - concurrent bridged calls: ramps the number of simultaneous calls and stops at the first
 *   level where audio degrades. Degraded: on any call, the trunk side loses > 2 % of the
 *   agent's packets or sees > 30 ms interarrival jitter (RFC 3550) over the window, a call
 *   drops (rtpengine holds fewer sessions than calls), or an agent's softphone no longer hears
 *   the 440 Hz tone. rtpengine's own CPU over the window is reported per call. Everything (Chromium agents included,
 *   which on a site run on the seats' PCs) shares this machine's cores.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../tests/harness/browser.js';
import { freePorts } from '../../tests/harness/free-port.js';
import { HEARD_DB } from '../../tests/harness/parties.js';
import { createTelephonyTestApp } from '../../tests/harness/telephony.js';
import { baseUrl } from '../../tests/harness/test-app.js';
import { toneWav, TONES } from '../../tests/harness/tones.js';
import type { BenchResult } from '../report.js';
import { TrunkCaller, type TrunkCall } from './trunk-caller.js';

const SETUP_CALLS = Number(process.env.BENCH_TRUNK_SETUP_CALLS ?? 20);
const LEVELS = (process.env.BENCH_TRUNK_LEVELS ?? '2,4,6,8,12,16,24').split(',').map(Number);
const WINDOW_MS = Number(process.env.BENCH_TRUNK_WINDOW_MS ?? 5000);
const MAX_LOSS = 0.02;
const MAX_JITTER_MS = 30;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds a process has used (utime + stime from /proc). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

export async function trunkBench(): Promise<BenchResult[]> {
  const [trunkPort] = (await freePorts(1)) as [number];
  const t = await createTelephonyTestApp({
    demo: true,
    sipDomain: 'hotline.test',
    trunks: JSON.stringify([{ name: 'pstn', address: `127.0.0.1:${trunkPort}`, sources: [`127.0.0.1:${trunkPort}`] }]),
  });
  const browser = await launchChromium({ fakeAudioFile: toneWav(TONES.agent) });
  const trunk = await new TrunkCaller(trunkPort, { host: '127.0.0.1', port: t.sip.port, domain: 'hotline.test' }).open();
  const phones: { number: string; page: Page }[] = [];
  const addPhone = async () => {
    const number = `1390000${String(1000 + phones.length).padStart(4, '0')}`;
    const context = await browser.newContext();
    await context.addInitScript(() => localStorage.setItem('hotline.softphone.audioProcessing', 'off'));
    const page = await context.newPage();
    await page.goto(`${baseUrl(t.app)}/sim/caller.html?number=${number}&autoAnswer=1&register=1`);
    await page.locator('[data-testid="sim-registration-status"][data-status="registered"]').waitFor({ timeout: 30_000 });
    phones.push({ number, page });
  };
  const results: BenchResult[] = [];
  try {
    // ── Set-up time ──
    await addPhone();
    const setup: number[] = [];
    for (let i = 0; i <= SETUP_CALLS; i++) {
      const c = await trunk.call('13800000001', phones[0]!.number);
      if (c.status !== 200) throw new Error(`set-up call ${i} failed with ${c.status}`);
      // The first call in a fresh browser is slower: warm-up, not counted.
      if (i > 0) setup.push(c.answeredAt - c.invitedAt);
      await sleep(300);
      trunk.hangUp(c);
      await phones[0]!.page.locator('[data-testid="sim-call-status"]:not([data-status="established"])').waitFor();
      await sleep(200);
    }
    results.push({ name: `trunk INVITE at Kamailio → 200 OK from the WebRTC phone, median of ${setup.length}`, value: pct(setup, 50), unit: 'ms', extra: `p95 ${Math.round(pct(setup, 95))} ms, max ${Math.round(Math.max(...setup))} ms` });

    // ── Concurrent bridged calls ──
    let good = 0;
    const rtpCpuAt = new Map<number, number>();
    let verdict = `no degradation up to ${LEVELS[LEVELS.length - 1]} calls`;
    const started = Date.now();
    for (const n of LEVELS) {
      while (phones.length < n) await addPhone();
      const calls: TrunkCall[] = [];
      await Promise.all(phones.slice(0, n).map(async (p, i) => {
        await sleep(i * 100);
        calls.push(await trunk.call(`1380000${String(i).padStart(4, '0')}`, p.number));
      }));
      const failed = calls.filter((c) => c.status !== 200).length;
      await sleep(2000); // ICE/DTLS settle
      for (const c of calls) c.resetStats();
      const rtpPid = t.rtpengine!.process.pid;
      const cpu0 = cpuSeconds(rtpPid);
      await sleep(WINDOW_MS);
      const rtpCpu = (100 * (cpuSeconds(rtpPid) - cpu0)) / (WINDOW_MS / 1000);
      rtpCpuAt.set(n, rtpCpu);
      const stats = calls.filter((c) => c.status === 200).map((c) => c.stats());
      // What each agent hears of the citizen's 440 Hz (best of two 400 ms looks, so one late analyser frame does not count).
      const level = (p: { page: Page }) => p.page.evaluate(() => window.__softphone!.levelAt(440, 400)).catch(() => -200);
      const heard = await Promise.all(phones.slice(0, n).map(async (p) => Math.max(await level(p), await level(p))));
      const sessions = (await t.rtpengine!.ng.calls()).length;
      for (const c of calls) trunk.hangUp(c);
      const worstLoss = Math.max(0, ...stats.map((s) => s.lossRatio));
      const worstJitter = Math.max(0, ...stats.map((s) => s.jitterMs));
      const deaf = heard.filter((db) => db <= HEARD_DB).length;
      // A call the agent's side gave up on (ICE/DTLS starved) is gone from rtpengine before we hang up.
      const dropped = n - failed - sessions;
      const line = `${n} calls: ${sessions} rtpengine sessions (rtpengine CPU ${rtpCpu.toFixed(1)} % of a core), failed ${failed}, dropped ${dropped}, worst loss ${(100 * worstLoss).toFixed(1)} %, worst jitter ${worstJitter.toFixed(1)} ms, agents not hearing 440 Hz ${deaf} (quietest ${Math.min(...heard).toFixed(0)} dB)`;
      process.stdout.write(`  [trunk bench] ${line}\n`);
      await sleep(1500);
      if (failed || dropped > 0 || worstLoss > MAX_LOSS || worstJitter > MAX_JITTER_MS || deaf) {
        verdict = `degraded at ${n}: ${line}`;
        break;
      }
      good = n;
      if (Date.now() - started > 150_000) {
        verdict = `stopped ramping at ${n} (time budget); not degraded yet`;
        break;
      }
    }
    results.push({ name: 'concurrent trunk calls bridged with clean audio (2 cores, agents on the same machine)', value: good, unit: 'calls', extra: verdict });
    if (good) results.push({ name: `rtpengine CPU per bridged call (userspace, PCMU ↔ DTLS-SRTP, at ${good} calls)`, value: rtpCpuAt.get(good)! / good, unit: '% of a core' });
    return results;
  } finally {
    trunk.close();
    await browser.close();
    await t.close();
  }
}
