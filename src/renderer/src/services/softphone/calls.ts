/**
 * Calls: the sip.js sessions (Invitation / Inviter), their media and every in-call control.
 * Each session has a CallHandle here (live objects) and a CallView in the store (data).
 *
 * Transfers:
 * - blind: REFER to the target; once the far end accepts (202) we hang up our leg.
 * - attended (咨询转接): hold the caller, call the target (role `consult`); 完成转接 sends
 *   REFER (target's AOR + Replaces, see replacesTarget) on the caller's leg, and when the caller's NOTIFY reports 2xx we hang
 *   up; the target's UA replaces our consult leg with the caller. 取消咨询 (or the consult
 *   leg ending any other way) hangs up the consult leg and resumes the caller.
 * - as transferee (caller simulator, or an agent being transferred): REFER is accepted and
 *   followed with a new INVITE (with Replaces when given); the new call takes over the role
 *   of the old one, which ends as `replaced`.
 */
import {
  Invitation,
  Inviter,
  SessionState,
  UserAgent,
  Web,
  type Info,
  type Notification,
  type Referral,
  type Session,
  type SessionDescriptionHandlerOptions,
  type URI,
} from 'sip.js';
import { BRIDGED_CALL_HEADER, type SipProfile } from '../../../../shared/api/softphone.js';
import { MONITOR_HEADER } from '../../../../shared/api/supervisor.js';
import {
  useSoftphoneStore,
  type CallEnd,
  type CallRole,
  type CallView,
  type MediaState,
} from '../../stores/softphone-store';
import { createLogger } from '../log';
import { RemoteAudio, type Ringer } from './audio-output';
import type { SoftphoneIssue } from './issues';
import { mediaErrorIssue } from './media';
import { checkDialNumber, displayNumber } from './numbers';
import { dtmfFromInfo, sipfragStatus } from './sip-bodies';
import { HotlineSessionDescriptionHandler } from './sdh';
import { sipStatusIssue } from './sip-status';
import { CallSideAudio } from './call-side-audio';

const log = createLogger('softphone.calls');

export interface CallDeps {
  userAgent(): UserAgent | null;
  profile(): SipProfile | null;
  isRegistered(): boolean;
  ringer: Ringer;
  speaker(): string;
  ringDevice(): string;
  autoAnswer(): boolean;
  /** How long an ended call stays in the store; null keeps the last one until the next call. */
  endedLingerMs: number | null;
  /** Called once per answered call with its media (call recording); the returned function runs at hang-up. */
  onAnswered?: AnsweredCallHook | undefined;
  /**
   * An INVITE carrying the monitoring header (X-Hotline-Monitor): a supervisor's leg, never a
   * call of ours. It is handed over before anything else (no ringing, no busy check, not in
   * the store); without a handler it is refused.
   */
  onMonitorInvite?: ((invitation: Invitation) => void) | undefined;
}

/** The agent's established call with a caller, as the monitoring leg needs it. */
export interface PrimaryCallMedia {
  session: Session;
  sipCallId: string;
  /** The agent's microphone (what the caller hears unless barge replaces the sender's track). */
  local: MediaStream;
  /** The caller (plays in the call's audio element, so WebAudio can read it). */
  remote: MediaStream;
  peerConnection: RTCPeerConnection;
  /** Where the monitoring leg puts a supervisor's voice while the call hears it (the recording mixes it in). */
  sideAudio: CallSideAudio;
}

export interface AnsweredCallInfo {
  sipCallId: string;
  direction: 'inbound' | 'outbound';
  remoteNumber: string;
  /** The server records this call (a trunk call on a site with HOTLINE_RECORDING=server): the softphone must not. */
  serverRecorded: boolean;
}

/**
 * Sees an answered call's local (microphone) and remote streams, and any other audio on the
 * call while it lasts (a supervisor whispering or barging); returns what to do when it ends.
 */
export type AnsweredCallHook = (info: AnsweredCallInfo, local: MediaStream, remote: MediaStream, side: CallSideAudio) => (() => void) | void;

interface CallHandle {
  id: string;
  session: Session;
  role: CallRole;
  held: boolean;
  muted: boolean;
  audio: RemoteAudio | null;
  /** How the call ended, when we decided it before sip.js reports Terminated. */
  endHint: CallEnd | null;
  /** Final response to our INVITE, when it failed. */
  rejectCode: number | null;
  /** Our SIP server bridged our outgoing call to a trunk (header on its answer). */
  bridged: boolean;
  /** Our INVITE's 2xx reached the request delegate; until then the answered-call hook waits in afterAccept. */
  accepted: boolean;
  afterAccept: (() => void) | null;
  answered: boolean;
  /** INFO digits go out one at a time, in order. */
  infoChain: Promise<void>;
  lingerTimer: ReturnType<typeof setTimeout> | null;
  /** Set while an attended transfer of this (caller) leg is being completed. */
  completing: boolean;
  /** For a call that replaced another (REFER followed): the call it replaced. */
  replaces: CallHandle | null;
  mediaWatch: (() => void) | null;
  /** Pending give-up after an ICE restart for failed media. */
  mediaRecovery: ReturnType<typeof setTimeout> | null;
  /** Pending ICE restart after the media path went quiet (connectionState disconnected). */
  mediaQuiet: ReturnType<typeof setTimeout> | null;
  /** The network changed while signalling was down: the dialog refresh must restart ICE. */
  iceRestartDue: boolean;
  /** Returned by the answered-call hook (stops the recording). */
  onEnded: (() => void) | null;
  /** A supervisor's voice while the call hears it (see call-side-audio.ts). */
  sideAudio: CallSideAudio;
}

const DTMF_DIGITS = /^[0-9*#A-D]+$/;
/** How long failed media may take to come back after an ICE restart. */
const MEDIA_RECOVERY_MS = 10_000;
/**
 * How long the media path may stay disconnected before we restart ICE. Chromium reports
 * `failed` only some 10–20 s after consent checks stop; a moved cable or a VPN coming up
 * should not cost the caller that much silence, and a short loss heals within this grace.
 */
const MEDIA_QUIET_MS = 3000;
const sdhOptions = (hold = false): SessionDescriptionHandlerOptions =>
  ({ constraints: { audio: true, video: false }, hold }) as SessionDescriptionHandlerOptions;

function sdhOf(session: Session): Web.SessionDescriptionHandler | null {
  const sdh = session.sessionDescriptionHandler;
  return sdh instanceof Web.SessionDescriptionHandler ? sdh : null;
}

/**
 * Refer-To for an attended transfer: the consult target's address of record with a Replaces
 * header naming our consult dialog. sip.js's own form uses the target's Contact, which a
 * proxy can only route if it resolves contact aliases on initial requests; the AOR routes
 * through the ordinary location lookup on any registrar, and the target's UA still matches
 * the dialog from Replaces.
 */
function replacesTarget(consult: Session): URI | null {
  const dialog = consult.dialog;
  if (!dialog) return null;
  const target = consult.remoteIdentity.uri.clone();
  target.setHeader('Replaces', encodeURIComponent(`${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`));
  // A URI with headers must be in angle brackets in Refer-To; sip.js writes URIs bare.
  const text = `<${target.toString()}>`;
  target.toString = () => text;
  return target;
}

let callSeq = 0;

export class CallController {
  private readonly handles = new Map<string, CallHandle>();

  constructor(private readonly deps: CallDeps) {}

  // ---- queries for the engine / test hook ----

  remoteStreams(): MediaStream[] {
    const out: MediaStream[] = [];
    for (const h of this.handles.values()) {
      const sdh = sdhOf(h.session);
      if (sdh && h.session.state === SessionState.Established) out.push(sdh.remoteMediaStream);
    }
    return out;
  }

  peerConnections(): RTCPeerConnection[] {
    const out: RTCPeerConnection[] = [];
    for (const h of this.handles.values()) {
      const pc = sdhOf(h.session)?.peerConnection;
      if (pc) out.push(pc);
    }
    return out;
  }

  hasLiveCall(): boolean {
    return [...this.handles.values()].some((h) => h.session.state !== SessionState.Terminated);
  }

  private view(id: string): CallView | undefined {
    return useSoftphoneStore.getState().calls.find((c) => c.id === id);
  }

  private patch(id: string, patch: Partial<Omit<CallView, 'id'>>): void {
    useSoftphoneStore.getState().patchCall(id, patch);
  }

  private livePrimary(): CallHandle | null {
    for (const h of this.handles.values()) {
      if (h.role === 'primary' && h.session.state !== SessionState.Terminated) return h;
    }
    return null;
  }

  private liveConsult(): CallHandle | null {
    for (const h of this.handles.values()) {
      if (h.role === 'consult' && h.session.state !== SessionState.Terminated) return h;
    }
    return null;
  }

  // ---- creating calls ----

  private track(session: Session, view: Omit<CallView, 'id' | 'createdAt' | 'answeredAt' | 'endedAt' | 'end' | 'muted' | 'pending' | 'dtmfSent' | 'dtmfReceived' | 'media'>, replaces: CallHandle | null = null): CallHandle {
    const id = `call-${Date.now().toString(36)}-${++callSeq}`;
    const h: CallHandle = {
      id,
      session,
      role: view.role,
      held: false,
      muted: false,
      audio: null,
      endHint: null,
      rejectCode: null,
      bridged: false,
      accepted: false,
      afterAccept: null,
      answered: false,
      infoChain: Promise.resolve(),
      lingerTimer: null,
      completing: false,
      replaces,
      mediaWatch: null,
      mediaRecovery: null,
      mediaQuiet: null,
      iceRestartDue: false,
      onEnded: null,
      sideAudio: new CallSideAudio(),
    };
    this.handles.set(id, h);
    const store = useSoftphoneStore.getState();
    if (this.deps.endedLingerMs === null) {
      // Simulator: only the newest ended call is kept; drop older ended ones.
      for (const c of store.calls) if (c.status === 'ended') store.removeCall(c.id);
    }
    store.upsertCall({
      ...view,
      id,
      createdAt: Date.now(),
      answeredAt: null,
      endedAt: null,
      end: null,
      muted: false,
      pending: null,
      dtmfSent: '',
      dtmfReceived: '',
      media: 'new',
    });
    session.delegate = {
      onInfo: (info) => this.onInfo(h, info),
      onRefer: (referral) => this.onRefer(h, referral),
      onBye: (bye) => {
        h.endHint ??= { reason: 'remote-hangup', sipCode: null, issue: null };
        void bye.accept();
      },
      onCancel: () => {
        h.endHint ??= { reason: 'missed', sipCode: null, issue: null };
      },
      onSessionDescriptionHandler: () => this.attachMedia(h),
    };
    session.stateChange.addListener((state) => this.onState(h, state));
    return h;
  }

  /** The established primary call, for a supervisor's monitoring leg. */
  primaryMedia(): PrimaryCallMedia | null {
    const h = this.livePrimary();
    const sdh = h ? sdhOf(h.session) : null;
    if (!h || !sdh?.peerConnection || h.session.state !== SessionState.Established) return null;
    return { session: h.session, sipCallId: h.session.dialog?.callId ?? h.id, local: sdh.localMediaStream, remote: sdh.remoteMediaStream, peerConnection: sdh.peerConnection, sideAudio: h.sideAudio };
  }

  /** An INVITE arrived. */
  handleInvitation(invitation: Invitation): void {
    if (invitation.request.hasHeader(MONITOR_HEADER)) {
      if (this.deps.onMonitorInvite) this.deps.onMonitorInvite(invitation);
      else void invitation.reject({ statusCode: 403 }).catch(() => undefined);
      return;
    }
    const identity = invitation.remoteIdentity;
    const remoteNumber = displayNumber(identity.uri.user, identity.displayName);
    const replacee = invitation.replacee;
    const replaced = replacee ? [...this.handles.values()].find((h) => h.session === replacee) ?? null : null;
    if (!replaced && this.hasLiveCall()) {
      log.info(`busy: rejecting a call from ${remoteNumber}`);
      void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    const h = this.track(
      invitation,
      {
        direction: 'inbound',
        role: replaced?.role ?? 'primary',
        remoteNumber,
        remoteName: identity.displayName || null,
        status: 'ringing',
        replaces: replaced?.id ?? null,
      },
      replaced,
    );
    if (replaced) {
      // Attended transfer landing here: take over silently; sip.js sends BYE on the old leg.
      replaced.endHint = { reason: 'replaced', sipCode: null, issue: null };
      void this.answer(h.id);
      return;
    }
    if (this.deps.autoAnswer()) {
      void this.answer(h.id);
      return;
    }
    void this.deps.ringer.start(this.deps.ringDevice());
  }

  /** 回拨 / 拨号. Validates the number; the reason for a refusal lands in `dialError`. */
  dial(input: string, role: CallRole = 'primary', extraHeaders: string[] = []): string | null {
    const store = useSoftphoneStore.getState();
    const check = checkDialNumber(input);
    if (!check.ok) {
      store.setDialError({ issue: check.issue, sipCode: null });
      return null;
    }
    const ua = this.deps.userAgent();
    const profile = this.deps.profile();
    if (!ua || !profile || !this.deps.isRegistered()) {
      store.setDialError({ issue: 'notRegistered', sipCode: null });
      return null;
    }
    if (role === 'primary' ? this.livePrimary() !== null || this.ringing() : this.liveConsult() !== null) {
      store.setDialError({ issue: 'callInProgress', sipCode: null });
      return null;
    }
    const target = UserAgent.makeURI(`sip:${check.dial}@${profile.domain}`);
    if (!target) {
      store.setDialError({ issue: 'numberInvalid', sipCode: null });
      return null;
    }
    store.setDialError(null);
    const inviter = new Inviter(ua, target, {
      extraHeaders,
      sessionDescriptionHandlerOptions: sdhOptions(),
      sessionDescriptionHandlerOptionsReInvite: sdhOptions(),
    });
    const h = this.track(inviter, { direction: 'outbound', role, remoteNumber: check.dial, remoteName: null, status: 'calling', replaces: null });
    this.invite(h, inviter);
    return h.id;
  }

  private ringing(): boolean {
    return [...this.handles.values()].some((h) => h.session instanceof Invitation && h.session.state === SessionState.Initial);
  }

  private invite(h: CallHandle, inviter: Inviter): void {
    inviter
      .invite({
        requestDelegate: {
          onAccept: (response) => {
            h.bridged = response.message.hasHeader(BRIDGED_CALL_HEADER);
            h.accepted = true;
            const run = h.afterAccept;
            h.afterAccept = null;
            run?.();
          },
          onReject: (response) => {
            h.rejectCode = response.message.statusCode ?? null;
          },
        },
      })
      .catch((err: unknown) => {
        log.warn('INVITE failed', err);
        h.endHint ??= { reason: 'failed', sipCode: null, issue: mediaErrorIssue(err) };
      });
  }

  // ---- state ----

  private onState(h: CallHandle, state: SessionState): void {
    switch (state) {
      case SessionState.Initial:
      case SessionState.Establishing:
      case SessionState.Terminating:
        return;
      case SessionState.Established:
        this.onEstablished(h);
        return;
      case SessionState.Terminated:
        // sip.js moves to Terminated before it calls our request delegate's onReject; let
        // that run first so the final response code is known.
        void Promise.resolve().then(() => this.onTerminated(h));
        return;
      default:
        return;
    }
  }

  private onEstablished(h: CallHandle): void {
    h.answered = true;
    if (h.session instanceof Invitation && !this.ringing()) this.deps.ringer.stop();
    this.attachMedia(h);
    const view = this.view(h.id);
    this.patch(h.id, { status: 'established', answeredAt: Date.now() });
    const sdh = sdhOf(h.session);
    const onAnswered = this.deps.onAnswered;
    if (onAnswered && sdh && view) {
      const run = () => {
        if (h.session.state !== SessionState.Established) return;
        try {
          // A call our SIP server bridged to a trunk says so in the INVITE (inbound) or its answer (outbound).
          const bridged = h.session instanceof Invitation ? h.session.request.hasHeader(BRIDGED_CALL_HEADER) : h.bridged;
          const serverRecorded = bridged && this.deps.profile()?.trunkRecording === 'server';
          const info = { sipCallId: h.session.dialog?.callId ?? h.id, direction: view.direction, remoteNumber: view.remoteNumber || 'unknown', serverRecorded };
          h.onEnded = onAnswered(info, sdh.localMediaStream, sdh.remoteMediaStream, h.sideAudio) ?? null;
        } catch (err) {
          log.warn('answered-call hook failed', err);
        }
      };
      // sip.js hands our request delegate the 2xx only after Established: wait for it to read its headers.
      if (h.session instanceof Invitation || h.accepted) run();
      else h.afterAccept = run;
    }
    // A call that replaced ours (REFER followed): the old leg is no longer needed.
    const old = h.replaces;
    if (old && old.session.state === SessionState.Established && !(h.session instanceof Invitation)) {
      old.endHint = { reason: 'replaced', sipCode: null, issue: null };
      old.session.bye().catch(() => undefined);
    }
  }

  private attachMedia(h: CallHandle): void {
    const sdh = sdhOf(h.session);
    if (!sdh) return;
    const stream = sdh.remoteMediaStream;
    if (!h.audio) {
      h.audio = new RemoteAudio(stream, this.deps.speaker());
      stream.addEventListener('addtrack', () => h.audio?.resume());
    }
    const pc = sdh.peerConnection;
    if (pc && !h.mediaWatch) {
      const onChange = (): void => this.onMediaState(h, pc.connectionState as MediaState);
      pc.addEventListener('connectionstatechange', onChange);
      h.mediaWatch = () => pc.removeEventListener('connectionstatechange', onChange);
      onChange();
    }
    this.applyTracks(h);
  }

  private onMediaState(h: CallHandle, media: MediaState): void {
    this.patch(h.id, { media });
    const established = h.session.state === SessionState.Established;
    if (media === 'failed' && established) {
      this.restartMedia(h, 'media path failed');
    } else if (media === 'disconnected' && established && !h.mediaRecovery && !h.mediaQuiet) {
      // The side that placed the call restarts first; the other waits longer, so both do not
      // send re-INVITEs at once (491): the first restart normally reconnects it before then.
      const grace = MEDIA_QUIET_MS + (h.session instanceof Inviter ? 0 : 2000 + Math.random() * 1000);
      const check = (): void => {
        h.mediaQuiet = null;
        const pc = sdhOf(h.session)?.peerConnection;
        if (!pc || h.session.state !== SessionState.Established || h.mediaRecovery || pc.connectionState === 'connected') return;
        if (pc.signalingState !== 'stable' || pc.connectionState === 'connecting' || pc.connectionState === 'new') {
          // A renegotiation is under way (usually the far end's own ICE restart): let it finish.
          h.mediaQuiet = setTimeout(check, MEDIA_QUIET_MS);
          return;
        }
        this.restartMedia(h, 'media path lost');
      };
      h.mediaQuiet = setTimeout(check, grace);
    } else if (media === 'connected') {
      if (h.mediaQuiet) clearTimeout(h.mediaQuiet);
      h.mediaQuiet = null;
      if (h.mediaRecovery) clearTimeout(h.mediaRecovery);
      h.mediaRecovery = null;
    }
  }

  /**
   * ICE restart (re-INVITE with new ICE credentials, new candidates) once per outage; if the
   * media does not come back, the call is dead: hang up rather than leave the agent in a
   * silent call.
   */
  private restartMedia(h: CallHandle, reason: string): void {
    if (h.mediaRecovery) return;
    if (h.mediaQuiet) clearTimeout(h.mediaQuiet);
    h.mediaQuiet = null;
    log.warn(`${reason} on ${h.id}: ICE restart`);
    this.reinvite(h, true);
    h.mediaRecovery = setTimeout(() => {
      h.mediaRecovery = null;
      const state = sdhOf(h.session)?.peerConnection?.connectionState;
      if (h.session.state === SessionState.Established && state !== 'connected') {
        log.warn(`media did not recover on ${h.id}: hanging up`);
        h.endHint = { reason: 'failed', sipCode: null, issue: 'mediaLost' };
        h.session.bye().catch(() => undefined);
      }
    }, MEDIA_RECOVERY_MS);
  }

  /**
   * The browser reports a network change (back online, connection type changed): the
   * current candidate pair may be dead without ICE having noticed yet, so restart ICE on
   * every established call now. With signalling down the restart waits for the dialog
   * refresh after reconnecting.
   */
  restartIceAfterNetworkChange(): void {
    const connected = this.deps.userAgent()?.isConnected() ?? false;
    for (const h of this.handles.values()) {
      if (h.session.state !== SessionState.Established) continue;
      if (connected) this.restartMedia(h, 'network changed');
      else h.iceRestartDue = true;
    }
  }

  private onTerminated(h: CallHandle): void {
    if (h.mediaRecovery) clearTimeout(h.mediaRecovery);
    if (h.mediaQuiet) clearTimeout(h.mediaQuiet);
    try {
      h.onEnded?.();
    } catch (err) {
      log.warn('call-ended hook failed', err);
    }
    h.onEnded = null;
    h.mediaWatch?.();
    h.mediaWatch = null;
    h.audio?.close();
    h.audio = null;
    if (!this.ringing()) this.deps.ringer.stop();
    const end = this.endOf(h);
    this.patch(h.id, { status: 'ended', endedAt: Date.now(), end, pending: null });
    if (h.role === 'primary' && h.session instanceof Inviter && end.reason === 'failed' && end.issue) {
      useSoftphoneStore.getState().setDialError({ issue: end.issue, sipCode: end.sipCode });
    }
    this.handles.delete(h.id);
    if (this.deps.endedLingerMs !== null) {
      const linger = end.reason === 'replaced' ? 0 : this.deps.endedLingerMs;
      setTimeout(() => useSoftphoneStore.getState().removeCall(h.id), linger);
    }
    if (h.role === 'consult') this.afterConsultEnded(end);
    else this.afterPrimaryEnded();
  }

  private endOf(h: CallHandle): CallEnd {
    if (h.endHint) return h.endHint;
    if (h.rejectCode !== null) {
      return h.rejectCode === 487
        ? { reason: 'cancelled', sipCode: 487, issue: null }
        : { reason: 'failed', sipCode: h.rejectCode, issue: sipStatusIssue(h.rejectCode) };
    }
    if (h.answered) return { reason: 'remote-hangup', sipCode: null, issue: null };
    if (h.session instanceof Invitation) return { reason: 'missed', sipCode: null, issue: null };
    return { reason: 'failed', sipCode: null, issue: 'callFailed' };
  }

  /** The consult leg is gone: unless it was handed over, go back to the caller. */
  private afterConsultEnded(end: CallEnd): void {
    const primary = this.livePrimary();
    if (!primary) return;
    if (end.reason === 'transferred' || primary.completing) return;
    if (primary.held) void this.setHold(primary.id, false);
  }

  /** The caller hung up while we were consulting: the consult leg becomes the call. */
  private afterPrimaryEnded(): void {
    const consult = this.liveConsult();
    if (!consult || this.livePrimary()) return;
    consult.role = 'primary';
    this.patch(consult.id, { role: 'primary' });
  }

  // ---- controls ----

  async answer(id: string): Promise<void> {
    const h = this.handles.get(id);
    if (!h || !(h.session instanceof Invitation) || h.session.state !== SessionState.Initial) return;
    this.deps.ringer.stop();
    try {
      await h.session.accept({
        sessionDescriptionHandlerOptions: sdhOptions(),
      });
    } catch (err) {
      log.warn('answer failed', err);
      const issue = mediaErrorIssue(err);
      h.endHint ??= { reason: 'failed', sipCode: null, issue };
      useSoftphoneStore.getState().notify(issue, 'error');
    }
  }

  /** 拒接: 486 Busy Here. */
  reject(id: string): void {
    const h = this.handles.get(id);
    if (!h || !(h.session instanceof Invitation) || h.session.state !== SessionState.Initial) return;
    h.endHint = { reason: 'rejected', sipCode: 486, issue: null };
    this.deps.ringer.stop();
    h.session.reject({ statusCode: 486 }).catch((err: unknown) => log.warn('reject failed', err));
  }

  /** 挂断: BYE, CANCEL or reject, whatever the call's state needs. */
  hangup(id: string): void {
    const h = this.handles.get(id);
    if (!h) return;
    const s = h.session;
    switch (s.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (s instanceof Inviter) {
          h.endHint ??= { reason: 'cancelled', sipCode: null, issue: null };
          s.cancel().catch((err: unknown) => log.warn('cancel failed', err));
        } else if (s instanceof Invitation && s.state === SessionState.Initial) {
          this.reject(id);
        }
        return;
      case SessionState.Established:
        h.endHint ??= { reason: 'local-hangup', sipCode: null, issue: null };
        s.bye().catch((err: unknown) => log.warn('bye failed', err));
        return;
      case SessionState.Terminating:
      case SessionState.Terminated:
        return;
      default:
        return;
    }
  }

  hangupAll(): void {
    for (const id of [...this.handles.keys()]) this.hangup(id);
  }

  /** 保持 / 恢复: re-INVITE with sendonly (hold) or sendrecv. Resolves true on success. */
  setHold(id: string, hold: boolean): Promise<boolean> {
    const h = this.handles.get(id);
    if (!h || h.session.state !== SessionState.Established) return Promise.resolve(false);
    if (h.held === hold) return Promise.resolve(true);
    if (this.view(id)?.pending) return Promise.resolve(false);
    this.patch(id, { pending: hold ? 'hold' : 'resume' });
    return new Promise<boolean>((resolve) => {
      const fail = (err?: unknown): void => {
        log.warn(`${hold ? 'hold' : 'resume'} failed`, err);
        h.session.sessionDescriptionHandlerOptionsReInvite = sdhOptions(h.held);
        this.patch(id, { pending: null });
        useSoftphoneStore.getState().notify('holdFailed', 'error');
        resolve(false);
      };
      h.session
        .invite({
          sessionDescriptionHandlerOptions: sdhOptions(hold),
          requestDelegate: {
            onAccept: () => {
              h.held = hold;
              this.applyTracks(h);
              this.patch(id, { pending: null, status: hold ? 'held' : 'established' });
              resolve(true);
            },
            onReject: (response) => fail(response.message.statusCode),
          },
        })
        .catch(fail);
    });
  }

  /** 静音: the microphone track stops sending (enabled = false); no signalling. */
  setMute(id: string, mute: boolean): void {
    const h = this.handles.get(id);
    if (!h) return;
    h.muted = mute;
    this.applyTracks(h);
    this.patch(id, { muted: mute });
  }

  /** Held: neither side's audio; muted: ours does not leave. */
  private applyTracks(h: CallHandle): void {
    const pc = sdhOf(h.session)?.peerConnection;
    if (!pc) return;
    for (const sender of pc.getSenders()) if (sender.track) sender.track.enabled = !h.held && !h.muted;
    for (const receiver of pc.getReceivers()) receiver.track.enabled = !h.held;
  }

  /** DTMF per the profile: RFC 4733 (falls back to INFO if not negotiated) or SIP INFO. */
  sendDtmf(id: string, digits: string): void {
    const h = this.handles.get(id);
    const tones = digits.toUpperCase();
    if (!h || h.session.state !== SessionState.Established || !DTMF_DIGITS.test(tones)) return;
    const mode = this.deps.profile()?.dtmfMode ?? 'rfc4733';
    let sent = false;
    if (mode === 'rfc4733') sent = sdhOf(h.session)?.sendDtmf(tones, { duration: 120, interToneGap: 80 }) ?? false;
    if (!sent) for (const d of tones) h.infoChain = h.infoChain.then(() => this.sendInfoDigit(h, d));
    const view = this.view(id);
    this.patch(id, { dtmfSent: (view?.dtmfSent ?? '') + tones });
  }

  private sendInfoDigit(h: CallHandle, digit: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      if (h.session.state !== SessionState.Established) {
        done();
        return;
      }
      h.session
        .info({
          requestDelegate: {
            onAccept: done,
            onReject: () => {
              useSoftphoneStore.getState().notify('dtmfFailed', 'warning');
              done();
            },
          },
          requestOptions: {
            body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=160` },
          },
        })
        .catch(() => done());
    });
  }

  private onInfo(h: CallHandle, info: Info): void {
    const req = info.request;
    const digit = dtmfFromInfo(req.getHeader('content-type') ?? '', req.body ?? '');
    void info.accept();
    if (!digit) return;
    const view = this.view(h.id);
    this.patch(h.id, { dtmfReceived: (view?.dtmfReceived ?? '') + digit });
  }

  /** 转接 (blind): REFER to the target, then leave the call. */
  blindTransfer(id: string, target: string): boolean {
    const h = this.handles.get(id);
    const profile = this.deps.profile();
    if (!h || !profile || h.session.state !== SessionState.Established) return false;
    const check = checkDialNumber(target);
    if (!check.ok) {
      useSoftphoneStore.getState().notify(check.issue, 'error');
      return false;
    }
    const uri = UserAgent.makeURI(`sip:${check.dial}@${profile.domain}`);
    if (!uri) return false;
    this.patch(id, { pending: 'transfer' });
    const failed = (code?: number): void => {
      this.patch(id, { pending: null });
      useSoftphoneStore.getState().notify('transferFailed', 'error', { code: code ?? '' });
    };
    h.session
      .refer(uri, {
        requestDelegate: {
          onAccept: () => {
            h.endHint = { reason: 'transferred', sipCode: null, issue: null };
            useSoftphoneStore.getState().notify('transferDone', 'info', { target: check.dial });
            h.session.bye().catch(() => undefined);
          },
          onReject: (response) => failed(response.message.statusCode),
        },
        // Progress NOTIFYs after we left are of no interest; accept them while still here.
        onNotify: (n: Notification) => void n.accept(),
      })
      .catch(() => failed());
    return true;
  }

  /** 咨询: hold the caller, then call the target as the consult leg (求助 adds its header, see services/supervision/escalation.ts). */
  async startConsult(target: string, extraHeaders: string[] = []): Promise<string | null> {
    const primary = this.livePrimary();
    if (!primary || primary.session.state !== SessionState.Established || this.liveConsult()) return null;
    const check = checkDialNumber(target);
    if (!check.ok) {
      useSoftphoneStore.getState().notify(check.issue, 'error');
      return null;
    }
    if (!(await this.setHold(primary.id, true))) return null;
    const id = this.dial(check.dial, 'consult', extraHeaders);
    if (!id) {
      const err = useSoftphoneStore.getState().dialError;
      if (err) useSoftphoneStore.getState().notify(err.issue, 'error');
      void this.setHold(primary.id, false);
    }
    return id;
  }

  /** 完成转接: REFER with Replaces on the caller's leg. */
  completeConsult(): boolean {
    const primary = this.livePrimary();
    const consult = this.liveConsult();
    if (!primary || !consult || consult.session.state !== SessionState.Established || primary.session.state !== SessionState.Established) return false;
    primary.completing = true;
    this.patch(primary.id, { pending: 'transfer' });
    this.patch(consult.id, { pending: 'transfer' });
    const failed = (code?: number | null): void => {
      if (!primary.completing) return;
      primary.completing = false;
      this.patch(primary.id, { pending: null });
      this.patch(consult.id, { pending: null });
      useSoftphoneStore.getState().notify('transferFailed', 'error', { code: code ?? '' });
    };
    const done = (): void => {
      primary.endHint = { reason: 'transferred', sipCode: null, issue: null };
      consult.endHint = { reason: 'transferred', sipCode: null, issue: null };
      useSoftphoneStore.getState().notify('transferDone', 'info', { target: this.view(consult.id)?.remoteNumber ?? '' });
      if (primary.session.state === SessionState.Established) primary.session.bye().catch(() => undefined);
      // The target normally ends our consult leg itself (Replaces); make sure it goes.
      setTimeout(() => {
        if (consult.session.state === SessionState.Established) consult.session.bye().catch(() => undefined);
      }, 3000);
    };
    const referTo = replacesTarget(consult.session);
    if (!referTo) return false;
    primary.session
      .refer(referTo, {
        requestDelegate: { onReject: (response) => failed(response.message.statusCode) },
        onNotify: (n: Notification) => {
          void n.accept();
          const code = sipfragStatus(n.request.body ?? '');
          if (code === null || code < 200) return;
          if (code < 300) done();
          else failed(code);
        },
      })
      .catch(() => failed());
    return true;
  }

  /** 取消咨询: hang up the consult leg; the caller is resumed when it ends. */
  cancelConsult(): void {
    const consult = this.liveConsult();
    if (consult) this.hangup(consult.id);
  }

  /** We are being transferred: accept and follow the REFER. */
  private onRefer(h: CallHandle, referral: Referral): void {
    const ua = this.deps.userAgent();
    if (!ua) {
      void referral.reject();
      return;
    }
    void referral.accept().then(() => {
      const inviter = referral.makeInviter({
        sessionDescriptionHandlerOptions: sdhOptions(),
        sessionDescriptionHandlerOptionsReInvite: sdhOptions(),
      });
      const target = referral.referTo.uri;
      const next = this.track(
        inviter,
        {
          direction: 'outbound',
          role: h.role,
          remoteNumber: displayNumber(target.user, referral.referTo.displayName),
          remoteName: null,
          status: 'calling',
          replaces: h.id,
        },
        h,
      );
      h.endHint = { reason: 'replaced', sipCode: null, issue: null };
      this.invite(next, inviter);
    });
  }

  /**
   * Signalling came back after a loss: re-INVITE established calls so the far end learns
   * our new connection (Contact alias), with an ICE restart only if media had failed or the
   * network changed meanwhile.
   */
  refreshDialogs(): void {
    for (const h of this.handles.values()) {
      if (h.session.state !== SessionState.Established) continue;
      // Both ends reconnect at about the same moment after a server restart: the side that
      // placed the call refreshes first, the other a little later, so the re-INVITEs do not
      // collide (491).
      const delay = h.session instanceof Inviter ? 0 : 1500 + Math.random() * 1500;
      setTimeout(() => {
        if (h.session.state !== SessionState.Established) return;
        const pc = sdhOf(h.session)?.peerConnection;
        const iceRestart = h.iceRestartDue || pc?.connectionState === 'failed' || pc?.connectionState === 'disconnected';
        h.iceRestartDue = false;
        this.reinvite(h, iceRestart);
      }, delay);
    }
  }

  /** Target refresh / ICE restart. On 491 (glare) retries once after a random pause (RFC 3261 §14.1). */
  private reinvite(h: CallHandle, iceRestart: boolean, retry = true): void {
    const options = { ...sdhOptions(h.held), offerOptions: iceRestart ? { iceRestart: true } : undefined } as SessionDescriptionHandlerOptions;
    h.session
      .invite({
        sessionDescriptionHandlerOptions: options,
        requestDelegate: {
          onAccept: () => this.applyTracks(h),
          onReject: (response) => {
            if (response.message.statusCode !== 491 || !retry) return;
            const pause = (h.session instanceof Inviter ? 2100 : 0) + Math.random() * 2000;
            setTimeout(() => {
              if (h.session.state === SessionState.Established) this.reinvite(h, iceRestart, false);
            }, pause);
          },
        },
      })
      .catch((err: unknown) => log.warn('re-INVITE failed', err));
    h.session.sessionDescriptionHandlerOptionsReInvite = sdhOptions(h.held);
  }

  // ---- devices during calls ----

  /** Speaker changed: move every call's remote audio. */
  routeSpeaker(sinkId: string): void {
    for (const h of this.handles.values()) void h.audio?.route(sinkId);
  }

  /** Microphone changed: swap the sending track of every live call (no renegotiation). */
  async replaceMicrophone(open: () => Promise<MediaStream>): Promise<void> {
    for (const h of this.handles.values()) {
      const sdh = h.session.sessionDescriptionHandler;
      if (!(sdh instanceof HotlineSessionDescriptionHandler) || !sdh.peerConnection || h.session.state !== SessionState.Established) continue;
      await sdh.replaceMicrophone(await open());
      this.applyTracks(h);
    }
  }

  /** Ringing call to stop ringing for (ring device changed mid-ring): restart on the new device. */
  rerouteRinging(): void {
    if (this.ringing() && this.deps.ringer.isRinging) void this.deps.ringer.start(this.deps.ringDevice());
  }
}
