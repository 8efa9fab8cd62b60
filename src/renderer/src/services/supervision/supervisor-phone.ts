/**
 * The supervisor's phone: a sip.js UserAgent on the supervisor's extension. It places
 * monitoring calls, and while the wallboard is open it is registered and takes 求助 calls:
 * an agent's consult leg carrying X-Hotline-Escalation rings here (any other call is refused
 * with 486), and when the agent completes the transfer the caller's INVITE with Replaces
 * takes that leg over silently (sip.js ends the old one). Per monitoring session it asks the
 * backend for a grant, calls the agent's extension with it in X-Hotline-Monitor, plays what
 * comes back (caller + agent mixed by the agent's softphone) and sends the microphone only
 * while whispering or barging. Mode switches go through the backend, which tells the agent's
 * console. On a site using its PBX's spy feature (feature codes) the backend answers with the
 * rendered code instead of a grant: the phone dials that, and a mode switch hangs up and dials
 * the new mode's code (same session). `window.__monitor` exposes levels for tests, like
 * `window.__softphone`.
 */
import { Invitation, Inviter, Registerer, RegistererState, SessionState, UserAgent, Web, type Session } from 'sip.js';
import { api } from '../../../../shared/api/index.js';
import type { SipProfile } from '../../../../shared/api/softphone.js';
import { ESCALATION_HEADER, MONITOR_HEADER, type MonitorMode } from '../../../../shared/api/supervisor.js';
import { useConnectionStore } from '../../stores/connection-store';
import { useEscalationStore } from '../../stores/escalation-store';
import { useMonitorStore } from '../../stores/monitor-store';
import { useSessionStore } from '../../stores/session-store';
import { isApiCallError } from '../api-client';
import { createLogger } from '../log';
import { realtimeSocket } from '../realtime';
import { call } from '../session';
import { toneLevels } from '../softphone/analysis';
import { openMicrophone } from '../softphone/media';
import { sessionDescriptionHandlerFactory } from '../softphone/sdh';
import { Ringer } from '../softphone/audio-output';
import { AUDIO_PROCESSING_KEY, createSettingsStore, SOFTPHONE_SETTINGS_PREFIX } from '../softphone/settings';
import { createRegisterer, createUserAgent } from '../softphone/user-agent';

const log = createLogger('supervision.phone');

interface Leg {
  sessionId: string;
  inviter: Inviter;
  audio: HTMLAudioElement | null;
  mode: MonitorMode;
  ended: boolean;
  /** Feature-code leg hung up to dial another mode's code: its end is not the session's. */
  replaced: boolean;
  /** Click → first audio from the agent (ms), for the set-up benchmark. */
  startedAt: number;
}

export interface MonitorDebugHook {
  analyse(freqs: number[], windowMs?: number): Promise<Record<number, number>>;
  levelAt(hz: number, windowMs?: number): Promise<number>;
  /** ms from start() until audio from the agent arrived, for the last session. */
  setupMs(): number | null;
  /** Whether the 求助 ringtone is playing. */
  ringing(): boolean;
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

interface HelpCall {
  id: string;
  session: Session;
  audio: HTMLAudioElement | null;
}

class SupervisorPhone {
  private ua: UserAgent | null = null;
  private profile: SipProfile | null = null;
  private leg: Leg | null = null;
  private lastSetupMs: number | null = null;
  private registerer: Registerer | null = null;
  /** Whether the page wants 求助 calls (wallboard open). */
  private takesHelp = false;
  private help: HelpCall | null = null;
  /** Rings a 求助 on the ring device the softphone settings of this PC chose. */
  readonly ringer = new Ringer();
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private uaSetup: Promise<{ ua: UserAgent; profile: SipProfile }> | null = null;
  /** takeHelpCalls runs one at a time, in order (a page mount/unmount/mount must end registered). */
  private helpChain: Promise<void> = Promise.resolve();
  /** Sockets whose (re)connects re-announce readiness. */
  private readonly followed = new WeakSet<object>();

  /** One phone per page: concurrent callers (monitoring click, wallboard mount) share one set-up. */
  private userAgent(): Promise<{ ua: UserAgent; profile: SipProfile }> {
    this.uaSetup ??= this.setUpUserAgent().finally(() => {
      this.uaSetup = null;
    });
    return this.uaSetup;
  }

  private async setUpUserAgent(): Promise<{ ua: UserAgent; profile: SipProfile }> {
    const fresh = this.profile?.expiresAt ? new Date(this.profile.expiresAt).getTime() - Date.now() > 120_000 : this.profile !== null;
    if (this.ua && this.profile && fresh && this.ua.isConnected()) return { ua: this.ua, profile: this.profile };
    await this.ua?.stop().catch(() => undefined);
    this.registerer = null;
    const profile = await call(api.monitorSipProfile);
    const processing = localStorage.getItem(AUDIO_PROCESSING_KEY) !== 'off';
    const ua = createUserAgent(profile, {
      reconnectionAttempts: 3,
      sessionDescriptionHandlerFactory: sessionDescriptionHandlerFactory({
        iceServers: profile.iceServers,
        iceGatheringTimeoutMs: profile.iceGatheringTimeoutMs,
        mediaStreamFactory: async () => (await openMicrophone('', processing)).stream,
      }),
      userAgentString: 'HotlineDesk supervisor',
      // A 求助 the agent completes arrives as the caller's INVITE with Replaces, taking over the consult leg.
      delegate: { onInvite: (inv) => this.onInvite(inv) },
    });
    if (!ua) throw new Error('bad SIP profile');
    await ua.start();
    this.ua = ua;
    this.profile = profile;
    if (this.takesHelp) await this.register(ua, profile);
    return { ua, profile };
  }

  // ---- 求助 (escalations) ----

  /** The wallboard is open: register, and tell the backend this console takes 求助 calls. */
  takeHelpCalls(on: boolean): Promise<void> {
    this.takesHelp = on;
    this.helpChain = this.helpChain.then(() => this.applyTakeHelp(on && this.takesHelp));
    return this.helpChain;
  }

  private async applyTakeHelp(on: boolean): Promise<void> {
    if (on) {
      try {
        const { ua, profile } = await this.userAgent();
        if (!this.registerer) await this.register(ua, profile);
      } catch (err) {
        log.warn('the supervisor phone could not register for 求助 calls', err);
      }
      // Credentials are short-lived: renew the phone between calls before they run out.
      this.refreshTimer ??= setInterval(() => {
        const left = this.profile?.expiresAt ? new Date(this.profile.expiresAt).getTime() - Date.now() : Infinity;
        if (left < 300_000 && !this.busy && !this.help) void this.renew();
      }, 60_000);
    } else {
      if (this.refreshTimer) clearInterval(this.refreshTimer);
      this.refreshTimer = null;
      await this.registerer?.unregister().catch(() => undefined);
      this.registerer = null;
    }
    this.announce();
  }

  private async renew(): Promise<void> {
    await this.ua?.stop().catch(() => undefined);
    this.ua = null;
    this.registerer = null;
    await this.userAgent().catch((err: unknown) => log.warn('renewing the supervisor phone failed', err));
    this.announce();
  }

  private async register(ua: UserAgent, profile: SipProfile): Promise<void> {
    const registerer = createRegisterer(ua, profile);
    this.registerer = registerer;
    registerer.stateChange.addListener((state) => {
      if (state === RegistererState.Registered || state === RegistererState.Unregistered) this.announce();
    });
    await registerer.register();
  }

  /** Tells the backend whether 求助 calls can reach this console now (on every (re)connected socket too). */
  announce(): void {
    const ready = this.takesHelp && this.registerer?.state === RegistererState.Registered;
    const s = realtimeSocket();
    if (s && !this.followed.has(s)) {
      this.followed.add(s);
      s.on('connect', () => this.announce());
    }
    if (!s?.connected) return;
    s.timeout(5000).emitWithAck('escalation:ready', { ready }).catch((err: unknown) => log.warn('escalation:ready failed', err));
  }

  private onInvite(inv: Invitation): void {
    const help = this.help;
    // The agent completed the transfer: the caller replaces our leg with the agent.
    if (help && inv.replacee && inv.replacee === help.session) {
      this.adoptHelp(help.id, inv, 'with_caller');
      void inv.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } as Web.SessionDescriptionHandlerOptions }).catch((err: unknown) => log.warn('taking over the transferred caller failed', err));
      return;
    }
    if (inv.request.hasHeader('Replaces')) {
      // Not our call to take over (another device of this extension may hold it).
      void inv.reject({ statusCode: 481 }).catch(() => undefined);
      return;
    }
    const id = inv.request.getHeader(ESCALATION_HEADER);
    if (!id || help || this.busy) {
      void inv.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    this.adoptHelp(id, inv, 'ringing');
  }

  private adoptHelp(id: string, session: Session, status: 'ringing' | 'with_caller'): void {
    const previous = this.help;
    const h: HelpCall = { id, session, audio: previous?.audio ?? null };
    this.help = h;
    if (status === 'ringing') {
      useEscalationStore.getState().setIncoming({ id, escalation: null, status });
      void this.ringer.start(createSettingsStore(SOFTPHONE_SETTINGS_PREFIX).readDevices().ring);
    }
    session.stateChange.addListener((state) => {
      if (state === SessionState.Established || state === SessionState.Terminated) this.ringer.stop();
      if (state === SessionState.Established) {
        const sdh = session.sessionDescriptionHandler;
        if (!(sdh instanceof Web.SessionDescriptionHandler)) return;
        h.audio ??= new Audio();
        h.audio.autoplay = true;
        h.audio.srcObject = sdh.remoteMediaStream;
        h.audio.play().catch(() => undefined);
        if (this.help === h) useEscalationStore.getState().patchIncoming({ status: status === 'ringing' ? 'talking' : 'with_caller' });
      }
      if (state === SessionState.Terminated && this.help === h) {
        this.help = null;
        if (h.audio) {
          h.audio.pause();
          h.audio.srcObject = null;
        }
        useEscalationStore.getState().patchIncoming({ status: 'ended' });
      }
    });
  }

  /** 接听 the ringing 求助. */
  async answerHelp(): Promise<void> {
    const h = this.help;
    if (!h || !(h.session instanceof Invitation) || h.session.state !== SessionState.Initial) return;
    await h.session.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } as Web.SessionDescriptionHandlerOptions });
    call(api.escalationState, { params: { id: h.id }, body: { state: 'answered' } }).catch((err: unknown) => log.warn('reporting 求助 answered failed', err));
  }

  /** 拒绝 the ringing 求助 (the agent goes back to the caller). */
  declineHelp(): void {
    const h = this.help;
    if (!h || !(h.session instanceof Invitation) || h.session.state !== SessionState.Initial) return;
    void h.session.reject({ statusCode: 603 }).catch(() => undefined);
    call(api.escalationState, { params: { id: h.id }, body: { state: 'declined' } }).catch((err: unknown) => log.warn('reporting 求助 declined failed', err));
  }

  /** 挂断 the 求助 call (with the agent, or with the caller after the transfer). */
  hangupHelp(): void {
    const s = this.help?.session;
    if (s?.state === SessionState.Established) void s.bye().catch(() => undefined);
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
    // Our leg calls the agent with the grant; on a PBX with a spy feature we dial its code.
    const number = grant.via === 'grant' ? grant.agentExtension : grant.dial;
    const headers = grant.via === 'grant' ? [`${MONITOR_HEADER}: ${grant.grant}`] : [];
    if (!this.placeLeg(ua, profile, number, headers, grant.sessionId, mode, startedAt)) {
      store.patchSession({ status: 'failed', error: 'bad extension' });
      return;
    }
    store.patchSession({ sessionId: grant.sessionId, status: 'calling' });
  }

  /** Calls `number` for the session; false when it makes no SIP URI. */
  private placeLeg(ua: UserAgent, profile: SipProfile, number: string, headers: string[], sessionId: string, mode: MonitorMode, startedAt: number): boolean {
    // Feature codes may hold `#`, which a SIP URI's user part must escape (`*` it may carry).
    const target = UserAgent.makeURI(`sip:${number.replaceAll('#', '%23')}@${profile.domain}`);
    if (!target) return false;
    const inviter = new Inviter(ua, target, {
      extraHeaders: headers,
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } as Web.SessionDescriptionHandlerOptions,
    });
    const leg: Leg = { sessionId, inviter, audio: null, mode, ended: false, replaced: false, startedAt };
    this.leg = leg;
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
    return true;
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
    if (leg.replaced) return;
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
      const changed = await call(api.changeMonitorMode, { params: { id: leg.sessionId }, body: { mode } });
      if (changed.dial !== undefined) {
        await this.redial(leg, changed.dial, mode);
        return;
      }
      leg.mode = mode;
      this.applyMic(leg);
      useMonitorStore.getState().patchSession({ mode, switching: false });
    } catch (err) {
      useMonitorStore.getState().patchSession({ switching: false, error: errorText(err) });
    }
  }

  /**
   * Feature codes: the PBX runs one mode per call, so a switch hangs up (BYE, or CANCEL while
   * it rings) and dials the new mode's code within the same session.
   */
  private async redial(old: Leg, dial: string, mode: MonitorMode): Promise<void> {
    old.replaced = true;
    const s = old.inviter;
    if (s.state === SessionState.Established) await s.bye().catch(() => undefined);
    else if (s.state === SessionState.Initial || s.state === SessionState.Establishing) await s.cancel().catch(() => undefined);
    this.terminated(old);
    const store = useMonitorStore.getState();
    try {
      const { ua, profile } = await this.userAgent();
      if (!this.placeLeg(ua, profile, dial, [], old.sessionId, mode, performance.now())) throw new Error('bad feature code');
      store.patchSession({ mode, switching: false, status: 'calling' });
    } catch (err) {
      // Nothing runs any more: the session is over for the backend too.
      call(api.endMonitor, { params: { id: old.sessionId }, body: { reason: 'failed' } }).catch(() => undefined);
      store.patchSession({ switching: false, status: 'failed', error: errorText(err) });
    }
  }

  /** Signed out: leave any call and drop the SIP connection (its credentials are revoked anyway). */
  async shutdown(): Promise<void> {
    await this.stop();
    this.hangupHelp();
    await this.takeHelpCalls(false);
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

  /** What this supervisor hears: the monitoring leg and the 求助 call. */
  analyse(freqs: number[], windowMs?: number): Promise<Record<number, number>> {
    const els = [this.leg && !this.leg.ended ? this.leg.audio : null, this.help?.audio ?? null];
    const streams = els.flatMap((el) => (el?.srcObject instanceof MediaStream ? [el.srcObject] : []));
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
  // A new socket (reconnect) must learn again whether 求助 calls can reach this console.
  useConnectionStore.subscribe(() => p.announce());
  // Nobody keeps listening after signing out.
  useSessionStore.subscribe((st) => {
    if (st.view.status !== 'signed-in') void p.shutdown();
  });
  const hook: MonitorDebugHook = {
    analyse: (freqs, windowMs) => p.analyse(freqs, windowMs),
    levelAt: async (hz, windowMs) => (await p.analyse([hz], windowMs))[hz] ?? -200,
    setupMs: () => p.setupMs,
    ringing: () => p.ringer.isRinging,
  };
  Object.defineProperty(window, '__monitor', { value: Object.freeze(hook), configurable: false, writable: false });
  return p;
}
