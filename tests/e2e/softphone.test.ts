/**
 * The softphone for real: our managed Kamailio, the agent console and the caller
 * simulator in separate Chromium processes with their own tones (caller 440 Hz, agent A
 * 880 Hz, agent B 660 Hz), each side listening to what it receives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callStatus, expectHears, openAgent, openCaller, type Party } from '../harness/parties.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { TONES } from '../harness/tones.js';
import { ADMIN_PASSWORD, baseUrl } from '../harness/test-app.js';

describe('softphone over Kamailio with real media', () => {
  let t: TelephonyTestApp;
  let url: string;
  let caller: Party;
  let agentA: Party;
  let agentB: Party;

  beforeAll(async () => {
    t = await createTelephonyTestApp({ demo: true, dtmfMode: 'info' });
    url = baseUrl(t.app);
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    for (const [username, extension] of [['agent_a', '2001'], ['agent_b', '2002']] as const) {
      const res = await t.as(admin)('POST', '/api/users', { username, displayName: username, password: 'Agent-pass-1', roles: ['agent'], extension });
      expect(res.statusCode).toBe(201);
    }
    [caller, agentA, agentB] = await Promise.all([
      openCaller(url, TONES.caller),
      openAgent(url, TONES.agent, 'agent_a', 'Agent-pass-1'),
      openAgent(url, TONES.agent2, 'agent_b', 'Agent-pass-1'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([caller?.close(), agentA?.close(), agentB?.close()]);
    await t?.close();
  });

  async function dial(target: string): Promise<void> {
    await caller.page.getByTestId('sim-dial-target').fill(target);
    await caller.page.getByTestId('sim-dial').click();
  }

  async function connectCallerTo(agent: Party, ext: string): Promise<void> {
    await dial(ext);
    await agent.page.getByTestId('incoming-call').waitFor();
    expect(await agent.page.getByTestId('incoming-caller').innerText()).toContain('13800138000');
    await agent.page.getByTestId('answer-button').click();
    await callStatus(agent.page, 'call-status', 'established');
    await callStatus(caller.page, 'sim-call-status', 'established');
  }

  async function callerHangsUp(): Promise<void> {
    await caller.page.getByTestId('sim-hangup').click();
    await callStatus(caller.page, 'sim-call-status', 'ended').catch(() => callStatus(caller.page, 'sim-call-status', 'idle'));
  }

  it('1. caller → agent: the agent rings, answers, and each side hears the other', async () => {
    await connectCallerTo(agentA, '2001');
    await expectHears(agentA, TONES.caller);
    await expectHears(caller, TONES.agent);
    // And nobody hears a tone that is not in the call.
    await expectHears(caller, TONES.agent2, false);
  });

  it('2. hold silences the held side and resume restores it; mute silences the agent', async () => {
    await agentA.page.getByTestId('hold-button').click();
    await callStatus(agentA.page, 'call-status', 'held');
    await expectHears(caller, TONES.agent, false);
    await agentA.page.getByTestId('hold-button').click();
    await callStatus(agentA.page, 'call-status', 'established');
    await expectHears(caller, TONES.agent);
    await agentA.page.getByTestId('mute-button').click();
    await expectHears(caller, TONES.agent, false);
    await expectHears(agentA, TONES.caller); // muting is one-way
    await agentA.page.getByTestId('mute-button').click();
    await expectHears(caller, TONES.agent);
  });

  it('3. DTMF digits sent by the agent arrive at the far end in order', async () => {
    for (const d of ['1', '2', '3', '#']) await agentA.page.getByTestId(`dtmf-${d}`).click();
    await expect.poll(async () => (await caller.page.getByTestId('sim-dtmf-received').innerText()).replace(/\s|,/g, ''), { timeout: 5000 }).toBe('123#');
  });

  it('4. blind transfer A → B: the caller ends up hearing B, and A is free', async () => {
    await agentA.page.getByTestId('transfer-target').fill('2002');
    await agentA.page.getByTestId('blind-transfer-button').click();
    await agentB.page.getByTestId('incoming-call').waitFor();
    await agentB.page.getByTestId('answer-button').click();
    await callStatus(agentB.page, 'call-status', 'established');
    await callStatus(agentA.page, 'call-status', 'idle');
    await expectHears(caller, TONES.agent2);
    await expectHears(agentB, TONES.caller);
    await expectHears(caller, TONES.agent, false);
  });

  it('8. the caller hangs up: the agent returns to idle', async () => {
    await callerHangsUp();
    await callStatus(agentB.page, 'call-status', 'idle');
  });

  it('5. consult transfer: cancel returns A to the caller; complete hands the caller to B', async () => {
    await connectCallerTo(agentA, '2001');
    await agentA.page.getByTestId('transfer-target').fill('2002');
    await agentA.page.getByTestId('consult-button').click();
    await agentB.page.getByTestId('incoming-call').waitFor();
    await agentB.page.getByTestId('answer-button').click();
    await callStatus(agentB.page, 'call-status', 'established');
    await expectHears(agentB, TONES.agent);
    await expectHears(agentA, TONES.agent2);
    await expectHears(caller, TONES.agent, false); // the caller is on hold during the consultation
    await agentA.page.getByTestId('consult-cancel-button').click();
    await callStatus(agentB.page, 'call-status', 'idle');
    await expectHears(caller, TONES.agent);

    await agentA.page.getByTestId('consult-button').click();
    await agentB.page.getByTestId('incoming-call').waitFor();
    await agentB.page.getByTestId('answer-button').click();
    await callStatus(agentB.page, 'call-status', 'established');
    await agentA.page.getByTestId('consult-complete-button').click();
    await callStatus(agentA.page, 'call-status', 'idle');
    await expectHears(caller, TONES.agent2);
    await expectHears(agentB, TONES.caller);
    await agentB.page.getByTestId('hangup-button').click();
    await callStatus(caller.page, 'sim-call-status', 'ended').catch(() => callStatus(caller.page, 'sim-call-status', 'idle'));
    await callStatus(agentB.page, 'call-status', 'idle');
  });

  it('8. reject gives the caller busy; an agent hang-up sends the caller a BYE', async () => {
    await dial('2001');
    await agentA.page.getByTestId('incoming-call').waitFor();
    await agentA.page.getByTestId('reject-button').click();
    await expect.poll(async () => caller.page.getByTestId('sim-call-status').innerText(), { timeout: 5000 }).toMatch(/忙|486|busy/i);
    await callStatus(agentA.page, 'call-status', 'idle');

    await connectCallerTo(agentA, '2001');
    await agentA.page.getByTestId('hangup-button').click();
    await callStatus(caller.page, 'sim-call-status', 'ended').catch(() => callStatus(caller.page, 'sim-call-status', 'idle'));
    await callStatus(agentA.page, 'call-status', 'idle');
  });

  it('6. outbound callback from the agent: the simulator answers, media flows both ways', async () => {
    await caller.page.getByTestId('sim-auto-answer').check();
    await agentA.page.getByTestId('dial-input').fill('13800138000');
    await agentA.page.getByTestId('dial-button').click();
    await callStatus(agentA.page, 'call-status', 'established');
    await expectHears(caller, TONES.agent);
    await expectHears(agentA, TONES.caller);
    await agentA.page.getByTestId('hangup-button').click();
    await callStatus(agentA.page, 'call-status', 'idle');
    // An invalid number is refused before dialling, in plain Chinese.
    await agentA.page.getByTestId('dial-input').fill('12');
    await agentA.page.getByTestId('dial-button').click();
    await agentA.page.getByTestId('dial-error').waitFor();
  });

  it('10. the call is recorded on the agent side: stored complete with a checksum, playable, holding both tones', async () => {
    const started = Date.now();
    await connectCallerTo(agentA, '2001');
    await expectHears(agentA, TONES.caller);
    await new Promise((r) => setTimeout(r, 4500)); // a few 2 s chunks
    await agentA.page.getByTestId('hangup-button').click();
    await callStatus(agentA.page, 'call-status', 'idle');
    const token = (await t.login('agent_a', 'Agent-pass-1')).accessToken;
    let rec: { id: string; state: string; bytes: number; sha256: string | null; startedAt: string; durationMs: number | null } | undefined;
    await expect.poll(async () => {
      const items = (await t.as(token)('GET', '/api/recordings?limit=5')).json().items as NonNullable<typeof rec>[];
      rec = items.find((r) => new Date(r.startedAt).getTime() >= started - 1000);
      return rec?.state;
    }, { timeout: 15_000 }).toBe('complete');
    expect(rec!.bytes).toBeGreaterThan(5000);
    expect(rec!.durationMs).toBeGreaterThan(4000);
    const audio = await t.as(token)('GET', `/api/recordings/${rec!.id}/audio`);
    expect(audio.statusCode).toBe(200);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(audio.rawPayload).digest('hex')).toBe(rec!.sha256);
    // Decode it in a browser and measure the tones (Goertzel), against a tone nobody played.
    const power = await agentA.page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const ctx = new OfflineAudioContext(1, 48000, 48000);
      const buf = await ctx.decodeAudioData(bytes.buffer);
      const data = buf.getChannelData(0);
      const goertzel = (f: number) => {
        const w = (2 * Math.PI * f) / buf.sampleRate;
        const c = 2 * Math.cos(w);
        let s1 = 0, s2 = 0;
        for (let i = 0; i < data.length; i++) { const s0 = data[i]! + c * s1 - s2; s2 = s1; s1 = s0; }
        return (s1 * s1 + s2 * s2 - c * s1 * s2) / data.length;
      };
      return { seconds: buf.duration, caller: goertzel(440), agent: goertzel(880), absent: goertzel(1320) };
    }, audio.rawPayload.toString('base64'));
    expect(power.seconds).toBeGreaterThan(3);
    expect(power.caller).toBeGreaterThan(100 * power.absent);
    expect(power.agent).toBeGreaterThan(100 * power.absent);

    // The agent plays it back from 通话录音; the softphone stays registered meanwhile.
    await agentA.page.evaluate(() => { location.hash = '#/recordings'; });
    await agentA.page.getByTestId(`recording-play-${rec!.id}`).click();
    const playable = await agentA.page.getByTestId(`recording-audio-${rec!.id}`).evaluate((el: HTMLAudioElement) =>
      new Promise<string>((resolve) => {
        if (el.readyState >= 2) resolve('ready');
        el.addEventListener('loadeddata', () => resolve('ready'));
        el.addEventListener('error', () => resolve(`error ${el.error?.code ?? ''}`));
      }));
    expect(playable).toBe('ready');
    await agentA.page.evaluate(() => { location.hash = '#/agent'; });
    await agentA.page.locator('[data-testid="softphone-registration"][data-status="registered"]').waitFor();
  });

  it('7. Kamailio is killed and restarted: the softphone re-registers without a reload and takes a call', async () => {
    t.kamailio!.process.kill();
    await agentA.page.locator('[data-testid="softphone-registration"]:not([data-status="registered"])').waitFor({ timeout: 10_000 });
    await agentA.page.locator('[data-testid="softphone-registration"][data-status="registered"]').waitFor({ timeout: 30_000 });
    await caller.page.locator('[data-testid="sim-registration-status"][data-status="registered"]').waitFor({ timeout: 30_000 });
    await connectCallerTo(agentA, '2001');
    await expectHears(agentA, TONES.caller);
    await callerHangsUp();
    await callStatus(agentA.page, 'call-status', 'idle');
  });
});
