/**
 * Monitoring set-up over our managed Kamailio with three Chromium processes (caller 440 Hz,
 * agent 880 Hz, supervisor 1320 Hz): the supervisor clicks 监听 on the wallboard while the
 * caller and agent talk; measured until the supervisor's leg receives the agent's mix
 * (first audio RTP, timed in the supervisor's page) and until the caller's tone is audible
 * there (polled, ±0.3 s). One warm-up session (new UserAgent, first getUserMedia) is not counted.
 */
import { callStatus, expectHears, openAgent, openCaller, openSupervisor } from '../../tests/harness/parties.js';
import { createTelephonyTestApp } from '../../tests/harness/telephony.js';
import { TONES } from '../../tests/harness/tones.js';
import { ADMIN_PASSWORD, baseUrl } from '../../tests/harness/test-app.js';
import type { BenchResult } from '../report.js';

const RUNS = Number(process.env.BENCH_MONITOR_RUNS ?? 20);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

export async function monitorSetupBench(): Promise<BenchResult[]> {
  const t = await createTelephonyTestApp({ demo: true });
  const url = baseUrl(t.app);
  const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
  const sup = await t.as(admin)('POST', '/api/users', { username: 'bench_sup', displayName: '压测班长', password: 'Super-pass-1', roles: ['supervisor'], extension: '1960' });
  const group = await t.as(admin)('POST', '/api/groups', { name: '压测组', supervisorIds: [sup.json().id] });
  await t.as(admin)('POST', '/api/users', { username: 'bench_agent', displayName: '压测坐席', password: 'Agent-pass-1', roles: ['agent'], extension: '2201', groupIds: [group.json().id] });
  const [caller, agent, supervisor] = await Promise.all([
    openCaller(url, TONES.caller),
    openAgent(url, TONES.agent, 'bench_agent', 'Agent-pass-1'),
    openSupervisor(url, TONES.supervisor, 'bench_sup', 'Super-pass-1'),
  ]);
  const rtp: number[] = [];
  const audible: number[] = [];
  let warmRtp = NaN;
  try {
    await caller.page.getByTestId('sim-dial-target').fill('2201');
    await caller.page.getByTestId('sim-dial').click();
    await agent.page.getByTestId('answer-button').click();
    await callStatus(agent.page, 'call-status', 'established');
    await supervisor.page.getByTestId('floor-call-bench_agent').waitFor({ timeout: 10_000 });
    for (let i = 0; i <= RUNS; i++) {
      const clicked = Date.now();
      await supervisor.page.getByTestId('action-listen-bench_agent').click();
      await expectHears(supervisor, TONES.caller, true, 15_000);
      const heardAt = Date.now();
      const setup = await supervisor.page.evaluate(async () => {
        const hook = (window as unknown as { __monitor: { setupMs(): number | null } }).__monitor;
        for (let k = 0; k < 200 && hook.setupMs() === null; k++) await new Promise((r) => setTimeout(r, 10));
        return hook.setupMs();
      });
      if (i === 0) warmRtp = setup ?? NaN;
      else {
        if (setup !== null) rtp.push(setup);
        audible.push(heardAt - clicked);
      }
      await supervisor.page.getByTestId('monitor-leave').click();
      await supervisor.page.locator('[data-testid="monitor-status"][data-status="ended"]').waitFor();
      await supervisor.page.getByTestId('floor-monitor-bench_agent').waitFor({ state: 'detached' });
    }
    return [
      { name: `click 监听 → supervisor receives the mix (first RTP), median of ${rtp.length}`, value: pct(rtp, 50), unit: 'ms', extra: `p95 ${pct(rtp, 95)} ms; first session ${warmRtp} ms` },
      { name: `click 监听 → caller's tone audible to the supervisor (polled), median of ${audible.length}`, value: pct(audible, 50), unit: 'ms', extra: `p95 ${pct(audible, 95)} ms` },
    ];
  } finally {
    await Promise.all([caller.close(), agent.close(), supervisor.close()]);
    await t.close();
  }
}
