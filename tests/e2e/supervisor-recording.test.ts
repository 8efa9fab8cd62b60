/**
 * The agent-side recording of a monitored call, for real (Kamailio, three Chromium: caller
 * 440 Hz, agent 880 Hz, supervisor 1320 Hz): a barged call's recording holds all three
 * voices, a call the supervisor only listened to holds caller and agent but not the
 * supervisor. Measured by decoding the stored recording and Goertzel power against a tone
 * nobody plays (1000 Hz).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callStatus, expectHears, openAgent, openCaller, openSupervisor, type Party } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';
import { TONES } from '../harness/tones.js';

const SILENT_HZ = 1000;

describe('recordings of monitored calls', () => {
  let t: TelephonyTestApp;
  let caller: Party;
  let agent: Party;
  let sup: Party;

  beforeAll(async () => {
    t = await createTelephonyTestApp({ demo: true });
    const url = baseUrl(t.app);
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const supRes = await t.as(admin)('POST', '/api/users', { username: 'sup_rec', displayName: '周班长', password: 'Super-pass-1', roles: ['supervisor'], extension: '1960' });
    const group = await t.as(admin)('POST', '/api/groups', { name: '录音监控组', supervisorIds: [supRes.json().id] });
    const agentRes = await t.as(admin)('POST', '/api/users', { username: 'agent_rec', displayName: '孙坐席', password: 'Agent-pass-1', roles: ['agent'], extension: '2201', groupIds: [group.json().id] });
    expect(agentRes.statusCode).toBe(201);
    [caller, agent, sup] = await Promise.all([
      openCaller(url, TONES.caller),
      openAgent(url, TONES.agent, 'agent_rec', 'Agent-pass-1'),
      openSupervisor(url, TONES.supervisor, 'sup_rec', 'Super-pass-1'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([caller?.close(), agent?.close(), sup?.close()]);
    await t?.close();
  });

  /** One call the supervisor steps into with `mode` for a few seconds; returns the tone powers of its recording. */
  const monitoredCall = async (mode: 'listen' | 'barge') => {
    const started = Date.now();
    await caller.page.getByTestId('sim-dial-target').fill('2201');
    await caller.page.getByTestId('sim-dial').click();
    await agent.page.getByTestId('incoming-call').waitFor();
    await agent.page.getByTestId('answer-button').click();
    await callStatus(agent.page, 'call-status', 'established');
    await sup.page.getByTestId('floor-call-agent_rec').waitFor({ timeout: 10_000 });
    await sup.page.getByTestId(`action-${mode}-agent_rec`).click();
    await sup.page.locator('[data-testid="monitor-status"][data-status="active"]').waitFor({ timeout: 15_000 });
    await expectHears(agent, TONES.supervisor, mode !== 'listen');
    await new Promise((r) => setTimeout(r, 4500)); // a few 2 s chunks with the supervisor on
    await agent.page.getByTestId('hangup-button').click();
    await callStatus(agent.page, 'call-status', 'idle');
    await sup.page.locator('[data-testid="monitor-status"][data-status="ended"]').waitFor({ timeout: 10_000 });

    const token = (await t.login('agent_rec', 'Agent-pass-1')).accessToken;
    let rec: { id: string; state: string; startedAt: string } | undefined;
    await expect.poll(async () => {
      const items = (await t.as(token)('GET', '/api/recordings?limit=5')).json().items as NonNullable<typeof rec>[];
      rec = items.find((r) => new Date(r.startedAt).getTime() >= started - 1000);
      return rec?.state;
    }, { timeout: 15_000 }).toBe('complete');
    const audio = await t.as(token)('GET', `/api/recordings/${rec!.id}/audio`);
    expect(audio.statusCode).toBe(200);
    return agent.page.evaluate(async ({ b64, freqs }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const buf = await new OfflineAudioContext(1, 48000, 48000).decodeAudioData(bytes.buffer);
      const data = buf.getChannelData(0);
      const goertzel = (f: number) => {
        const c = 2 * Math.cos((2 * Math.PI * f) / buf.sampleRate);
        let s1 = 0, s2 = 0;
        for (let i = 0; i < data.length; i++) { const s0 = data[i]! + c * s1 - s2; s2 = s1; s1 = s0; }
        return (s1 * s1 + s2 * s2 - c * s1 * s2) / Math.max(1, data.length);
      };
      return { seconds: buf.duration, power: Object.fromEntries(freqs.map((f) => [f, goertzel(f)])) as Record<number, number> };
    }, { b64: audio.rawPayload.toString('base64'), freqs: [TONES.caller, TONES.agent, TONES.supervisor, SILENT_HZ] });
  };

  it('a barged call’s recording holds caller, agent and supervisor', async () => {
    const { seconds, power } = await monitoredCall('barge');
    expect(seconds).toBeGreaterThan(4);
    const silent = power[SILENT_HZ]!;
    expect(power[TONES.caller]!).toBeGreaterThan(100 * silent);
    expect(power[TONES.agent]!).toBeGreaterThan(100 * silent);
    expect(power[TONES.supervisor]!).toBeGreaterThan(100 * silent);
  });

  it('a call the supervisor only listened to: caller and agent, no supervisor', async () => {
    const { seconds, power } = await monitoredCall('listen');
    expect(seconds).toBeGreaterThan(4);
    expect(power[TONES.caller]!).toBeGreaterThan(100 * power[SILENT_HZ]!);
    expect(power[TONES.agent]!).toBeGreaterThan(100 * power[SILENT_HZ]!);
    // Against the caller's tone, as the softphone tests measure a tone nobody played.
    expect(power[TONES.caller]!).toBeGreaterThan(100 * power[TONES.supervisor]!);
  });
});
