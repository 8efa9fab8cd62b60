/**
 * The supervisor's monitoring phone: a sip.js UserAgent on the supervisor's extension that
 * only places monitoring calls (no registration: nobody calls it). Per session it asks the
 * backend for a grant, calls the agent's extension with it in X-Hotline-Monitor, plays what
 * comes back (caller + agent mixed by the agent's softphone) and sends the microphone only
 * while whispering or barging. Mode switches go through the backend, which tells the agent's
 * console. `window.__monitor` exposes levels for tests, like `window.__softphone`.
 */
import { Inviter, SessionState, UserAgent, Web } from 'sip.js';
import { api } from '../../../../shared/api/index.js';
import type { SipProfile } from '../../../../shared/api/softphone.js';
import { MONITOR_HEADER, type MonitorMode } from '../../../../shared/api/supervisor.js';
import { useMonitorStore } from '../../stores/monitor-store';
import { useSessionStore } from '../../stores/session-store';
import { isApiCallError } from '../api-client';
import { createLogger } from '../log';
import { call } from '../session';
import { toneLevels } from '../softphone/analysis';
import { openMicrophone } from '../softphone/media';
import { sessionDescriptionHandlerFactory } from '../softphone/sdh';
import { AUDIO_PROCESSING_KEY } from '../softphone/settings';

const log = createLogger('supervision.phone');

interface Leg {
  sessionId: string;
  inviter: Inviter;
  audio: HTMLAudioElement | null;
  mode: MonitorMode;
  ended: boolean;
  /** Click → first audio from the agent (ms), for the set-up benchmark. */
  startedAt: number;
}

export interface MonitorDebugHook {
  analyse(freqs: number[], windowMs?: number): Promise<Record<number, number>>;
  levelAt(hz: number, windowMs?: number): Promise<number>;
  /** ms from start() until audio from the agent arrived, for the last session. */
  setupMs(): number | null;
}

declare global {
  interface Window {
    __monitor?: MonitorDebugHook;
  }
}

function errorText(err: unknown): string {
  if (isApiCallError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}

class SupervisorPhone {
  private ua: UserAgent | null = null;
  private profile: SipProfile | null = null;
  private leg: Leg | null = null;
  private lastSetupMs: number | null = null;

  private async userAgent(): Promise<{ ua: UserAgent; profile: SipProfile }> {
    const fresh = this.profile?.expiresAt ? new Date(this.profile.expiresAt).getTime() - Date.now() > 120_000 : this.profile !== null;
    if (this.ua && this.profile && fresh && this.ua.isConnected()) return { ua: this.ua, profile: this.profile };
    await this.ua?.stop().catch(() => undefined);
    const profile = await call(api.monitorSipProfile);
    const uri = UserAgent.makeURI(`sip:${profile.extension}@${profile.domain}`);
    if (!uri) throw new Error('bad SIP profile');
    const processing = localStorage.getItem(AUDIO_PROCESSING_KEY) !== 'off';
    const ua = new UserAgent({
      uri,
      displayName: profile.displayName,
      authorizationUsername: profile.authorizationUsername,
      authorizationPassword: profile.password,
      transportOptions: { server: profile.wsServers[0], connectionTimeout: 5, keepAliveInterval: 15 },
      reconnectionAttempts: 3,
      sessionDescriptionHandlerFactory: sessionDescriptionHandlerFactory({
        iceServers: profile.iceServers,
        iceGatheringTimeoutMs: profile.iceGatheringTimeoutMs,
        mediaStreamFactory: async () => (await openMicrophone('', processing)).stream,
      }),
      userAgentString: 'HotlineDesk supervisor',
      logBuiltinEnabled: false,
      logLevel: 'warn',
      // Nobody should call a monitoring phone.
      delegate: { onInvite: (inv) => void inv.reject({ statusCode: 486 }).catch(() => undefined) },
    });
    await ua.start();
    this.ua = ua;
    this.profile = profile;
    return { ua, profile };
  }

  get busy(): boolean {
    return this.leg !== null && !this.leg.ended;
  }

  /** 监听 / 业务指导 / 强插 an agent's current call. */
  async start(agentId: string, agentName: string, mode: MonitorMode): Promise<void> {
    if (this.busy) await this.stop();
    const store = useMonitorStore.getState();
    const startedAt = performance.now();
    this.lastSetupMs = null;
    store.setSession({ sessionId: null, agentId, agentName, mode, status: 'requesting', switching: false, error: null });
    let grant;
    let ua: UserAgent;
    let profile: SipProfile;
    try {
      // The phone first (kept between sessions), so a supervisor who cannot place the call never holds a grant.
      ({ ua, profile } = await this.userAgent());
      grant = await call(api.startMonitor, { body: { agentId, mode } });
    } catch (err) {
      log.warn('monitoring could not start', err);
      store.patchSession({ status: 'failed', error: errorText(err) });
      return;
    }
    const target = UserAgent.makeURI(`sip:${grant.agentExtension}@${profile.domain}`);
    if (!target) {
      store.patchSession({ status: 'failed', error: 'bad extension' });
      return;
    }
    const inviter = new Inviter(ua, target, {
      extraHeaders: [`${MONITOR_HEADER}: ${grant.grant}`],
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } as Web.SessionDescriptionHandlerOptions,
    });
    const leg: Leg = { sessionId: grant.sessionId, inviter, audio: null, mode, ended: false, startedAt };
    this.leg = leg;
    store.patchSession({ sessionId: grant.sessionId, status: 'calling' });
    inviter.stateChange.addListener((state) => {
      if (state === SessionState.Established) this.established(leg);
      if (state === SessionState.Terminated) this.terminated(leg);
    });
    inviter
      .invite({
        requestDelegate: {
          onReject: (response) => {
            if (this.leg === leg) useMonitorStore.getState().patchSession({ status: 'failed', error: `SIP ${response.message.statusCode ?? ''} ${response.message.reasonPhrase ?? ''}`.trim() });
          },
        },
      })
      .catch((err: unknown) => {
        log.warn('monitoring INVITE failed', err);
        if (this.leg === leg) useMonitorStore.getState().patchSession({ status: 'failed', error: errorText(err) });
      });
  }

  private established(leg: Leg): void {
    const sdh = leg.inviter.sessionDescriptionHandler;
    if (!(sdh instanceof Web.SessionDescriptionHandler)) return;
    const el = new Audio();
    el.autoplay = true;
    el.srcObject = sdh.remoteMediaStream;
    el.play().catch(() => undefined);
    leg.audio = el;
    this.applyMic(leg);
    useMonitorStore.getState().patchSession({ status: 'active' });
    void this.measureSetup(leg);
  }

  /** Waits for the first RTP from the agent: "the supervisor hears audio". */
  private async measureSetup(leg: Leg): Promise<void> {
    const pc = (leg.inviter.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
    for (let i = 0; i < 200 && pc && !leg.ended; i++) {
      let bytes = 0;
      (await pc.getStats()).forEach((s: { type?: string; bytesReceived?: number }) => {
        if (s.type === 'inbound-rtp') bytes += s.bytesReceived ?? 0;
      });
      if (bytes > 0) {
        this.lastSetupMs = Math.round(performance.now() - leg.startedAt);
        return;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Listen: our microphone does not leave this machine (the agent also ignores it). */
  private applyMic(leg: Leg): void {
    const pc = (leg.inviter.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
    for (const sender of pc?.getSenders() ?? []) if (sender.track) sender.track.enabled = leg.mode !== 'listen';
  }

  private terminated(leg: Leg): void {
    if (leg.ended) return;
    leg.ended = true;
    leg.audio?.pause();
    if (leg.audio) leg.audio.srcObject = null;
    call(api.endMonitor, { params: { id: leg.sessionId }, body: { reason: 'supervisor_left' } }).catch(() => undefined);
    if (this.leg === leg) {
      const s = useMonitorStore.getState().session;
      useMonitorStore.getState().patchSession({ status: s?.status === 'failed' ? 'failed' : 'ended', switching: false });
    }
  }

  /** Switch listen / whisper / barge; the backend checks, audits and tells the agent's console. */
  async setMode(mode: MonitorMode): Promise<void> {
    const leg = this.leg;
    if (!leg || leg.ended) return;
    useMonitorStore.getState().patchSession({ switching: true, error: null });
    try {
      await call(api.changeMonitorMode, { params: { id: leg.sessionId }, body: { mode } });
      leg.mode = mode;
      this.applyMic(leg);
      useMonitorStore.getState().patchSession({ mode, switching: false });
    } catch (err) {
      useMonitorStore.getState().patchSession({ switching: false, error: errorText(err) });
    }
  }

  /** Signed out: leave any call and drop the SIP connection (its credentials are revoked anyway). */
  async shutdown(): Promise<void> {
    await this.stop();
    const ua = this.ua;
    this.ua = null;
    this.profile = null;
    await ua?.stop().catch(() => undefined);
    useMonitorStore.getState().setSession(null);
  }

  /** Leave the call (BYE, or CANCEL while it is being set up). */
  async stop(): Promise<void> {
    const leg = this.leg;
    if (!leg || leg.ended) return;
    const s = leg.inviter;
    if (s.state === SessionState.Established) await s.bye().catch(() => undefined);
    else if (s.state === SessionState.Initial || s.state === SessionState.Establishing) await s.cancel().catch(() => undefined);
    this.terminated(leg);
  }

  analyse(freqs: number[], windowMs?: number): Promise<Record<number, number>> {
    const el = this.leg && !this.leg.ended ? this.leg.audio : null;
    const streams = el?.srcObject instanceof MediaStream ? [el.srcObject] : [];
    return toneLevels(streams, freqs, windowMs);
  }

  get setupMs(): number | null {
    return this.lastSetupMs;
  }
}

let phone: SupervisorPhone | null = null;

/** This page's monitoring phone (created on first use; installs `window.__monitor`). */
export function supervisorPhone(): SupervisorPhone {
  if (phone) return phone;
  const p = new SupervisorPhone();
  phone = p;
  window.addEventListener('pagehide', () => void p.stop());
  // Nobody keeps listening after signing out.
  useSessionStore.subscribe((st) => {
    if (st.view.status !== 'signed-in') void p.shutdown();
  });
  const hook: MonitorDebugHook = {
    analyse: (freqs, windowMs) => p.analyse(freqs, windowMs),
    levelAt: async (hz, windowMs) => (await p.analyse([hz], windowMs))[hz] ?? -200,
    setupMs: () => p.setupMs,
  };
  Object.defineProperty(window, '__monitor', { value: Object.freeze(hook), configurable: false, writable: false });
  return p;
}
