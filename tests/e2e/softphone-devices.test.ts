/**
 * Switching the microphone during a call (Chromium's fake devices all play the agent's
 * 880 Hz file): the caller keeps hearing the agent, and the call recording keeps the agent's
 * side after the switch (WebAudio sources stay bound to the track they were made from).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callStatus, expectHears, openAgent, openCaller, type Party } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { TONES } from '../harness/tones.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';

describe('microphone switch mid-call', () => {
  let t: TelephonyTestApp;
  let caller: Party;
  let agent: Party;

  beforeAll(async () => {
    t = await createTelephonyTestApp({ demo: true });
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const res = await t.as(admin)('POST', '/api/users', { username: 'agent_mic', displayName: 'agent_mic', password: 'Agent-pass-1', roles: ['agent'], extension: '2201' });
    expect(res.statusCode).toBe(201);
    const url = baseUrl(t.app);
    [caller, agent] = await Promise.all([openCaller(url, TONES.caller), openAgent(url, TONES.agent, 'agent_mic', 'Agent-pass-1')]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([caller?.close(), agent?.close()]);
    await t?.close();
  });

  it('the caller still hears the agent and the recording keeps the agent after the switch', async () => {
    await caller.page.getByTestId('sim-dial-target').fill('2201');
    await caller.page.getByTestId('sim-dial').click();
    await agent.page.getByTestId('incoming-call').waitFor();
    await agent.page.getByTestId('answer-button').click();
    await callStatus(agent.page, 'call-status', 'established');
    await expectHears(caller, TONES.agent);
    await new Promise((r) => setTimeout(r, 1500));

    await agent.page.getByTestId('device-mic').click();
    await agent.page.getByTestId('device-mic-option-1').click();
    const switchedAt = Date.now();
    // The choice is remembered (and applied to the live call: a new getUserMedia track, the old one stopped).
    await expect.poll(() => agent.page.evaluate(() => (JSON.parse(localStorage.getItem('hotline.softphone.devices') ?? '{}') as { mic?: string }).mic ?? ''), { timeout: 5000 }).not.toBe('');
    await expectHears(caller, TONES.agent);
    await new Promise((r) => setTimeout(r, 4500));
    await agent.page.getByTestId('hangup-button').click();
    await callStatus(agent.page, 'call-status', 'idle');

    const token = (await t.login('agent_mic', 'Agent-pass-1')).accessToken;
    let rec: { id: string; state: string; sha256: string | null; startedAt: string } | undefined;
    await expect.poll(async () => {
      rec = ((await t.as(token)('GET', '/api/recordings?limit=5')).json().items as NonNullable<typeof rec>[])[0];
      return rec?.state;
    }, { timeout: 15_000 }).toBe('complete');
    const audio = await t.as(token)('GET', `/api/recordings/${rec!.id}/audio`);
    expect(createHash('sha256').update(audio.rawPayload).digest('hex')).toBe(rec!.sha256);
    // Tone powers in the part recorded well after the switch (Goertzel), against a tone nobody played.
    const fromSec = (switchedAt - new Date(rec!.startedAt).getTime()) / 1000 + 1;
    const power = await agent.page.evaluate(async ({ b64, fromSec }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const buf = await new OfflineAudioContext(1, 48000, 48000).decodeAudioData(bytes.buffer);
      const data = buf.getChannelData(0).subarray(Math.floor(fromSec * buf.sampleRate));
      const goertzel = (f: number) => {
        const c = 2 * Math.cos((2 * Math.PI * f) / buf.sampleRate);
        let s1 = 0, s2 = 0;
        for (let i = 0; i < data.length; i++) { const s0 = data[i]! + c * s1 - s2; s2 = s1; s1 = s0; }
        return (s1 * s1 + s2 * s2 - c * s1 * s2) / Math.max(1, data.length);
      };
      return { seconds: data.length / buf.sampleRate, caller: goertzel(440), agent: goertzel(880), absent: goertzel(1320) };
    }, { b64: audio.rawPayload.toString('base64'), fromSec });
    expect(power.seconds).toBeGreaterThan(2);
    expect(power.caller).toBeGreaterThan(100 * power.absent);
    expect(power.agent).toBeGreaterThan(100 * power.absent);
  }, 60_000);
});
