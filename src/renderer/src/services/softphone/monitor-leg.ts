/**
 * The agent's side of a supervisor's monitoring leg (监听 / 业务指导 / 强插), on any SIP
 * server: the supervisor calls our extension with a grant in X-Hotline-Monitor; we redeem it
 * with the backend (bound to this agent and the call we are on) and only then accept, never
 * ringing and never showing the leg as a call. Anything else with the header is refused.
 *
 * Audio (WebAudio, one AudioContext per leg):
 * - to the supervisor: caller + agent microphone, sent on the leg (custom mediaStreamFactory);
 * - whisper/barge: the supervisor plays to the agent (own audio element, muted in listen);
 * - barge: the caller leg's sender track is replaced by agent microphone + supervisor, and
 *   put back when leaving barge or when the leg ends for any reason, so the supervisor
 *   leaving or failing never disturbs the caller ↔ agent call;
 * - whisper/barge: the supervisor's stream is also on the call's side audio, which the call's
 *   recording mixes in (the recording holds what the agent heard); taken off in listen and
 *   when the leg ends.
 * The caller's stream already plays in the call's audio element and the supervisor's in ours:
 * Chromium only feeds remote WebRTC tracks to WebAudio when they also play in an element.
 */
import { Invitation, SessionState, Web, type Session } from 'sip.js';
import { MONITOR_HEADER, type MonitorMode, type MonitorRedeemed } from '../../../../shared/api/supervisor.js';
import { createLogger } from '../log';
import { routeTo } from './audio-output';
import type { PrimaryCallMedia } from './calls';

const log = createLogger('softphone.monitor');

export interface MonitorLegDeps {
  primary(): PrimaryCallMedia | null;
  /** Backend check of the grant (throws when refused). */
  redeem(grant: string, sipCallId: string): Promise<MonitorRedeemed>;
  /** Tell the backend the leg ended (best effort). */
  ended(sessionId: string, reason: 'supervisor_left' | 'agent_call_ended' | 'failed'): void;
  speaker(): string;
  /** What the agent's screen shows ("班长监听中"), or null. */
  setIndicator(v: { mode: MonitorMode; supervisorName: string } | null): void;
  /** Registers what a session sends instead of the microphone (see sdh.ts `streamFor`). */
  sendInstead: WeakMap<Session, Web.MediaStreamFactory>;
}

interface ActiveLeg {
  sessionId: string;
  supervisorName: string;
  invitation: Invitation;
  primary: PrimaryCallMedia;
  mode: MonitorMode;
  showIndicator: boolean;
  ctx: AudioContext;
  /** Replaced when the agent switches microphone mid-call. */
  agentSource: MediaStreamAudioSourceNode;
  callerSource: MediaStreamAudioSourceNode;
  toSupervisor: MediaStreamAudioDestinationNode;
  /** Supervisor's audio to the agent (whisper, barge). */
  supervisorEl: HTMLAudioElement | null;
  supervisorSource: MediaStreamAudioSourceNode | null;
  /** Barge: agent + supervisor, sent to the caller instead of the microphone track. */
  toCaller: MediaStreamAudioDestinationNode | null;
  originalTrack: MediaStreamTrack | null;
  cleanups: (() => void)[];
  done: boolean;
}

const DISCONNECTED_GRACE_MS = 8000;

export class MonitorLegs {
  private leg: ActiveLeg | null = null;

  constructor(private readonly deps: MonitorLegDeps) {}

  /** The supervisor's audio when the agent is meant to hear it (analysis of "what the agent hears"). */
  audibleStreams(): MediaStream[] {
    const el = this.leg?.supervisorEl;
    return el && !el.muted && el.srcObject instanceof MediaStream ? [el.srcObject] : [];
  }

  get active(): boolean {
    return this.leg !== null;
  }

  /** An INVITE with the monitoring header. */
  handleInvite(invitation: Invitation): void {
    const refuse = (code: number, why: string): void => {
      log.warn(`monitoring INVITE refused (${code}): ${why}`);
      void invitation.reject({ statusCode: code }).catch(() => undefined);
    };
    const grant = invitation.request.getHeader(MONITOR_HEADER);
    if (!grant) return refuse(403, 'no grant');
    if (this.leg) return refuse(486, 'already monitored');
    const primary = this.deps.primary();
    if (!primary) return refuse(480, 'no call to monitor');
    void this.deps.redeem(grant, primary.sipCallId).then(
      (redeemed) => this.accept(invitation, primary, redeemed),
      (err: unknown) => refuse(403, err instanceof Error ? err.message : 'grant refused'),
    );
  }

  private async accept(invitation: Invitation, primary: PrimaryCallMedia, r: MonitorRedeemed): Promise<void> {
    if (this.leg || primary.session.state !== SessionState.Established || invitation.state !== SessionState.Initial) {
      void invitation.reject({ statusCode: 480 }).catch(() => undefined);
      this.deps.ended(r.sessionId, 'failed');
      return;
    }
    const ctx = new AudioContext();
    void ctx.resume().catch(() => undefined);
    const toSupervisor = ctx.createMediaStreamDestination();
    const agentSource = ctx.createMediaStreamSource(primary.local);
    const callerSource = ctx.createMediaStreamSource(primary.remote);
    agentSource.connect(toSupervisor);
    callerSource.connect(toSupervisor);
    const leg: ActiveLeg = {
      sessionId: r.sessionId, supervisorName: r.supervisorName, invitation, primary, mode: r.mode, showIndicator: r.showIndicator,
      ctx, agentSource, callerSource, toSupervisor, supervisorEl: null, supervisorSource: null, toCaller: null, originalTrack: null, cleanups: [], done: false,
    };
    this.leg = leg;
    this.deps.sendInstead.set(invitation, () => Promise.resolve(toSupervisor.stream));

    invitation.delegate = {
      onBye: (bye) => {
        void bye.accept();
        this.finish(leg, 'supervisor_left');
      },
      // In-dialog INFO/re-INVITE need nothing from us; mode changes come from the backend.
      onInfo: (info) => void info.accept(),
    };
    const onState = (state: SessionState): void => {
      if (state === SessionState.Terminated) this.finish(leg, 'supervisor_left');
    };
    invitation.stateChange.addListener(onState);
    leg.cleanups.push(() => invitation.stateChange.removeListener(onState));
    // The monitored call ends: the leg goes with it.
    const onPrimary = (state: SessionState): void => {
      if (state === SessionState.Terminated) this.hangUp(leg, 'agent_call_ended');
    };
    primary.session.stateChange.addListener(onPrimary);
    leg.cleanups.push(() => primary.session.stateChange.removeListener(onPrimary));
    // A microphone switch puts a new track into the call's local stream (and on the caller leg).
    const onMicTrack = (): void => this.microphoneChanged(leg);
    primary.local.addEventListener('addtrack', onMicTrack);
    leg.cleanups.push(() => primary.local.removeEventListener('addtrack', onMicTrack));

    try {
      await invitation.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } as Web.SessionDescriptionHandlerOptions });
    } catch (err) {
      log.warn('accepting the monitoring leg failed', err);
      this.finish(leg, 'failed');
      return;
    }
    if (leg.done) return;
    const sdh = invitation.sessionDescriptionHandler;
    if (!(sdh instanceof Web.SessionDescriptionHandler)) {
      this.finish(leg, 'failed');
      return;
    }
    const el = new Audio();
    el.autoplay = true;
    el.srcObject = sdh.remoteMediaStream;
    el.muted = true;
    leg.supervisorEl = el;
    void routeTo(el, this.deps.speaker());
    el.play().catch(() => undefined);
    this.watchMedia(leg, sdh.peerConnection);
    this.apply(leg);
    log.info(`monitoring leg ${leg.sessionId} up (${leg.mode})`);
  }

  /** A crashed supervisor sends no BYE: give up on the leg when its media dies. */
  private watchMedia(leg: ActiveLeg, pc: RTCPeerConnection | undefined): void {
    if (!pc) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const onChange = (): void => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.hangUp(leg, 'failed');
      else if (pc.connectionState === 'disconnected') timer ??= setTimeout(() => this.hangUp(leg, 'failed'), DISCONNECTED_GRACE_MS);
      else if (timer) {
        clearTimeout(timer);
        timer = null;
      }
    };
    pc.addEventListener('connectionstatechange', onChange);
    leg.cleanups.push(() => {
      pc.removeEventListener('connectionstatechange', onChange);
      if (timer) clearTimeout(timer);
    });
  }

  /** The backend says the supervisor switched mode. */
  applyMode(sessionId: string, mode: MonitorMode, showIndicator: boolean): void {
    const leg = this.leg;
    if (!leg || leg.sessionId !== sessionId) return;
    leg.mode = mode;
    leg.showIndicator = showIndicator;
    this.apply(leg);
  }

  private apply(leg: ActiveLeg): void {
    if (leg.done) return;
    if (leg.supervisorEl) leg.supervisorEl.muted = leg.mode === 'listen';
    const supervisor = leg.supervisorEl?.srcObject;
    if (supervisor instanceof MediaStream) {
      if (leg.mode === 'listen') leg.primary.sideAudio.remove(supervisor);
      else leg.primary.sideAudio.add(supervisor);
    }
    if (leg.mode === 'barge') this.startBarge(leg);
    else this.stopBarge(leg);
    this.deps.setIndicator(leg.showIndicator ? { mode: leg.mode, supervisorName: leg.supervisorName } : null);
  }

  /** The agent switched microphone: feed the new one into the mixes; in barge, swap the mix back in. */
  private microphoneChanged(leg: ActiveLeg): void {
    if (leg.done) return;
    leg.agentSource.disconnect();
    leg.agentSource = leg.ctx.createMediaStreamSource(leg.primary.local);
    leg.agentSource.connect(leg.toSupervisor);
    if (leg.toCaller) leg.agentSource.connect(leg.toCaller);
    if (leg.originalTrack) {
      // sip.js replaced the sender's track with the new microphone: that is now the one to restore.
      leg.originalTrack = null;
      this.startBarge(leg);
    }
  }

  private callerSender(leg: ActiveLeg): RTCRtpSender | null {
    return leg.primary.peerConnection.getSenders().find((s) => s.track?.kind === 'audio') ?? null;
  }

  private startBarge(leg: ActiveLeg): void {
    if (leg.originalTrack || !leg.supervisorEl) return;
    const sender = this.callerSender(leg);
    const original = sender?.track ?? null;
    if (!sender || !original) return;
    if (!leg.toCaller) {
      leg.toCaller = leg.ctx.createMediaStreamDestination();
      leg.agentSource.connect(leg.toCaller);
      const supervisorStream = leg.supervisorEl.srcObject as MediaStream;
      leg.supervisorSource = leg.ctx.createMediaStreamSource(supervisorStream);
      leg.supervisorSource.connect(leg.toCaller);
    }
    const mixed = leg.toCaller.stream.getAudioTracks()[0];
    if (!mixed) return;
    // Mute and hold act on whatever track is sending; keep their effect across the swap.
    mixed.enabled = original.enabled;
    leg.originalTrack = original;
    sender.replaceTrack(mixed).catch((err: unknown) => {
      log.warn('barge: replacing the caller track failed', err);
      leg.originalTrack = null;
    });
  }

  /** Puts the agent's own microphone track back on the caller leg. */
  private stopBarge(leg: ActiveLeg): void {
    const original = leg.originalTrack;
    if (!original) return;
    leg.originalTrack = null;
    const pc = leg.primary.peerConnection;
    if (pc.connectionState === 'closed') return;
    const sender = this.callerSender(leg);
    if (!sender) return;
    if (sender.track) original.enabled = sender.track.enabled;
    sender.replaceTrack(original).catch((err: unknown) => log.warn('restoring the caller track failed', err));
  }

  /** We end the leg: wind it down first (so its own state change does not name the reason), then BYE. */
  private hangUp(leg: ActiveLeg, reason: 'failed' | 'agent_call_ended'): void {
    if (leg.done) return;
    this.finish(leg, reason);
    const s = leg.invitation;
    if (s.state === SessionState.Established) s.bye().catch(() => undefined);
    else if (s.state === SessionState.Initial) void s.reject({ statusCode: 480 }).catch(() => undefined);
  }

  /** Ends the leg however it ended: the caller leg gets its own track back first. */
  private finish(leg: ActiveLeg, reason: 'supervisor_left' | 'agent_call_ended' | 'failed'): void {
    if (leg.done) return;
    leg.done = true;
    if (this.leg === leg) this.leg = null;
    this.stopBarge(leg);
    for (const c of leg.cleanups) c();
    const supervisor = leg.supervisorEl?.srcObject;
    if (supervisor instanceof MediaStream) leg.primary.sideAudio.remove(supervisor);
    if (leg.supervisorEl) {
      leg.supervisorEl.pause();
      leg.supervisorEl.srcObject = null;
    }
    for (const n of [leg.agentSource, leg.callerSource, leg.supervisorSource]) n?.disconnect();
    void leg.ctx.close().catch(() => undefined);
    this.deps.setIndicator(null);
    this.deps.ended(leg.sessionId, reason);
    log.info(`monitoring leg ${leg.sessionId} ended (${reason})`);
  }

  /** Page going away or phone stopping: end the leg (BYE) and restore the call. */
  endAll(): void {
    if (this.leg) this.hangUp(this.leg, 'agent_call_ended');
  }
}
