/**
 * Softphone benchmarks over our managed Kamailio with two real Chromium processes:
 * call set-up (caller invite() → agent offered; answer click → both established) over
 * N calls, and the agent renderer's CPU and memory during a 60 s call.
 */
import { callStatus, openAgent, openCaller, type Party } from '../../tests/harness/parties.js';
import { createTelephonyTestApp } from '../../tests/harness/telephony.js';
import { TONES } from '../../tests/harness/tones.js';
import { ADMIN_PASSWORD, baseUrl } from '../../tests/harness/test-app.js';
import type { BenchResult } from '../report.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 50);
const CALL_SECONDS = Number(process.env.BENCH_CALL_SECONDS ?? 60);

interface CallTimes {
  createdAt: number;
  answeredAt: number | null;
  status: string;
}

async function lastCall(p: Party): Promise<CallTimes | null> {
  return p.page.evaluate(() => {
    const s = (window.__softphone as unknown as { state(): { calls: CallTimes[] | Record<string, CallTimes> } }).state();
    const calls = Array.isArray(s.calls) ? s.calls : Object.values(s.calls);
    return calls.length ? calls[calls.length - 1]! : null;
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function softphoneBench(): Promise<BenchResult[]> {
  const t = await createTelephonyTestApp({ demo: true });
  const url = baseUrl(t.app);
  const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
  await t.as(admin)('POST', '/api/users', { username: 'bench_agent', displayName: '压测坐席', password: 'Agent-pass-1', roles: ['agent'], extension: '2001' });
  const [caller, agent] = await Promise.all([openCaller(url, TONES.caller), openAgent(url, TONES.agent, 'bench_agent', 'Agent-pass-1')]);
  const offer: number[] = [];
  const answer: number[] = [];
  try {
    for (let i = 0; i <= CALLS; i++) {
      await caller.page.getByTestId('sim-dial-target').fill('2001');
      await caller.page.getByTestId('sim-dial').click();
      await agent.page.getByTestId('incoming-call').waitFor();
      const out = await lastCall(caller);
      const inc = await lastCall(agent);
      const clicked = Date.now();
      await agent.page.getByTestId('answer-button').click();
      await callStatus(agent.page, 'call-status', 'established');
      await callStatus(caller.page, 'sim-call-status', 'established');
      const a = await lastCall(agent);
      const c = await lastCall(caller);
      // The first call in a fresh browser is 3–4× slower (telephony-notes.md): warm-up, not counted.
      if (i > 0 && out && inc && a?.answeredAt && c?.answeredAt) {
        offer.push(inc.createdAt - out.createdAt);
        answer.push(Math.max(a.answeredAt, c.answeredAt) - clicked);
      }
      await agent.page.getByTestId('hangup-button').click();
      await callStatus(agent.page, 'call-status', 'idle');
      await caller.page.locator('[data-testid="sim-call-status"]:not([data-status="established"])').waitFor();
    }

    // One long call: the agent renderer's CPU (CDP process info) and JS heap over CALL_SECONDS.
    await caller.page.getByTestId('sim-dial-target').fill('2001');
    await caller.page.getByTestId('sim-dial').click();
    await agent.page.getByTestId('answer-button').click();
    await callStatus(agent.page, 'call-status', 'established');
    const cdp = await agent.browser.newBrowserCDPSession();
    const cpu = async () => {
      const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
      const by = (type: string) => info.processInfo.filter((p) => p.type === type).reduce((n, p) => n + p.cpuTime, 0);
      return { renderer: by('renderer'), all: info.processInfo.reduce((n, p) => n + p.cpuTime, 0) };
    };
    const page = await agent.context.newCDPSession(agent.page);
    await page.send('Performance.enable');
    const before = await cpu();
    await new Promise((r) => setTimeout(r, CALL_SECONDS * 1000));
    const after = await cpu();
    const metrics = (await page.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const heap = metrics.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    await agent.page.getByTestId('hangup-button').click();
    return [
      { name: `caller invite() → agent offered, median of ${offer.length} calls`, value: pct(offer, 50), unit: 'ms', extra: `p95 ${pct(offer, 95)} ms` },
      { name: `answer click → both sides established, median of ${answer.length}`, value: pct(answer, 50), unit: 'ms', extra: `p95 ${pct(answer, 95)} ms` },
      { name: `agent renderer CPU during a ${CALL_SECONDS} s call`, value: (100 * (after.renderer - before.renderer)) / CALL_SECONDS, unit: '% of a core', extra: `whole browser ${((100 * (after.all - before.all)) / CALL_SECONDS).toFixed(1)} %` },
      { name: 'agent renderer JS heap in the call', value: heap / 1048576, unit: 'MiB' },
    ];
  } finally {
    await Promise.all([caller.close(), agent.close()]);
    await t.close();
  }
}
