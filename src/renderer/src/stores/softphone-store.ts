/**
 * The softphone as plain, serialisable snapshots: registration, calls as data, devices,
 * settings, the device check and notices. The only writer is services/softphone (which owns
 * the sip.js UserAgent, sessions and media streams); components read this store and call
 * the service's actions.
 *
 * Messages are stored as `SoftphoneIssue` codes and translated at render time
 * (`softphone.issues.<code>`).
 */
import { create } from 'zustand';
import type { SipProfile } from '../../../shared/api/softphone.js';
import type { SoftphoneIssue } from '../services/softphone/issues';

export type RegistrationStatus = 'unregistered' | 'registering' | 'registered' | 'reconnecting' | 'failed';

export interface RegistrationView {
  status: RegistrationStatus;
  /** Why the last attempt failed (failed / reconnecting), else null. */
  issue: SoftphoneIssue | null;
  /** SIP status of a refused REGISTER, when that was the reason. */
  sipCode: number | null;
  /** When the next automatic attempt is due (epoch ms), while one is scheduled. */
  retryAt: number | null;
}

/** The SIP-over-WebSocket connection, apart from registration. */
export type SignallingStatus = 'disconnected' | 'connecting' | 'connected';

export type CallStatus = 'ringing' | 'calling' | 'established' | 'held' | 'ended';
export type CallDirection = 'inbound' | 'outbound';
/** `consult` is the second leg of an attended transfer; everything else is `primary`. */
export type CallRole = 'primary' | 'consult';

export type CallEndReason =
  | 'local-hangup'
  | 'remote-hangup'
  /** We declined a ringing call (486). */
  | 'rejected'
  /** The far end refused or failed (see sipCode / issue). */
  | 'failed'
  /** We gave up on our outgoing call before it was answered. */
  | 'cancelled'
  /** The caller gave up before we answered. */
  | 'missed'
  /** Handed to someone else by REFER (we were the transferor). */
  | 'transferred'
  /** Superseded by another call of ours (Replaces, or a REFER we followed). */
  | 'replaced';

export interface CallEnd {
  reason: CallEndReason;
  sipCode: number | null;
  issue: SoftphoneIssue | null;
}

export type MediaState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

export interface CallView {
  id: string;
  direction: CallDirection;
  role: CallRole;
  /** Phone number or extension of the far end (From/To URI user, else display name). */
  remoteNumber: string;
  remoteName: string | null;
  status: CallStatus;
  muted: boolean;
  /** A hold/resume re-INVITE or a transfer is in flight. */
  pending: 'hold' | 'resume' | 'transfer' | null;
  createdAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  end: CallEnd | null;
  /** DTMF digits sent by us, in order. */
  dtmfSent: string;
  /** DTMF digits received as SIP INFO (application/dtmf-relay or dtmf), in order. */
  dtmfReceived: string;
  /** The call this one took over from (REFER followed, or INVITE with Replaces). */
  replaces: string | null;
  /** RTCPeerConnection connectionState. */
  media: MediaState;
}

export type DeviceKind = 'mic' | 'speaker' | 'ring';

export interface DeviceOption {
  id: string;
  label: string;
}

export interface DevicesView {
  microphones: DeviceOption[];
  speakers: DeviceOption[];
  /** Chosen device ids; '' is the system default. */
  selected: Record<DeviceKind, string>;
  /** HTMLMediaElement.setSinkId is available (speaker/ring selection). */
  canSelectOutput: boolean;
}

export interface SoftphoneSettings {
  autoAnswer: boolean;
  /** Echo cancellation, noise suppression and AGC on the microphone. */
  audioProcessing: boolean;
}

export type DeviceCheckItem = 'microphone' | 'speaker' | 'ring' | 'registration' | 'mediaPath';
export type DeviceCheckItemState = 'pending' | 'ok' | 'failed';

export interface DeviceCheckView {
  status: 'idle' | 'running' | 'passed' | 'failed';
  checkedAt: number | null;
  items: Record<DeviceCheckItem, DeviceCheckItemState>;
  /** Loudest microphone level seen during the check (dBFS). */
  micPeakDb: number | null;
  /** What failed, for the agent (示闲 is gated on `items.microphone`). */
  failures: SoftphoneIssue[];
}

export interface SoftphoneIdentity {
  extension: string;
  displayName: string;
  domain: string;
  hotlineNumber: string;
  dtmfMode: SipProfile['dtmfMode'];
}

export interface SoftphoneNotice {
  /** Increments for every notice, so the same code twice is still two notices. */
  seq: number;
  issue: SoftphoneIssue;
  level: 'info' | 'warning' | 'error';
  params: Record<string, string | number>;
}

export interface SoftphoneState {
  identity: SoftphoneIdentity | null;
  registration: RegistrationView;
  signalling: SignallingStatus;
  /** Live calls plus recently ended ones (removed after a short linger). Oldest first. */
  calls: CallView[];
  devices: DevicesView;
  settings: SoftphoneSettings;
  deviceCheck: DeviceCheckView;
  /** Live microphone level while the device check runs (dBFS), else null. */
  micLevelDb: number | null;
  /** Why the last dial attempt was refused or failed (shown under the dial box). */
  dialError: { issue: SoftphoneIssue; sipCode: number | null } | null;
  /** The latest notices, oldest first (a few at most); the UI shows each once, by `seq`. */
  notices: SoftphoneNotice[];
}

interface SoftphoneActions {
  reset(): void;
  setIdentity(identity: SoftphoneIdentity | null): void;
  setRegistration(registration: RegistrationView): void;
  setSignalling(signalling: SignallingStatus): void;
  upsertCall(call: CallView): void;
  patchCall(id: string, patch: Partial<Omit<CallView, 'id'>>): void;
  removeCall(id: string): void;
  setDevices(devices: DevicesView): void;
  setSettings(settings: SoftphoneSettings): void;
  setDeviceCheck(check: DeviceCheckView): void;
  setMicLevel(db: number | null): void;
  setDialError(error: SoftphoneState['dialError']): void;
  notify(issue: SoftphoneIssue, level?: SoftphoneNotice['level'], params?: SoftphoneNotice['params']): void;
}

export type SoftphoneStore = SoftphoneState & SoftphoneActions;

export const idleDeviceCheck: DeviceCheckView = {
  status: 'idle',
  checkedAt: null,
  items: { microphone: 'pending', speaker: 'pending', ring: 'pending', registration: 'pending', mediaPath: 'pending' },
  micPeakDb: null,
  failures: [],
};

export function initialSoftphoneState(): SoftphoneState {
  return {
    identity: null,
    registration: { status: 'unregistered', issue: null, sipCode: null, retryAt: null },
    signalling: 'disconnected',
    calls: [],
    devices: { microphones: [], speakers: [], selected: { mic: '', speaker: '', ring: '' }, canSelectOutput: false },
    settings: { autoAnswer: false, audioProcessing: true },
    deviceCheck: idleDeviceCheck,
    micLevelDb: null,
    dialError: null,
    notices: [],
  };
}

// ---- reducers (pure; exported for tests) ----

export function upsertCallIn(calls: readonly CallView[], call: CallView): CallView[] {
  const i = calls.findIndex((c) => c.id === call.id);
  if (i < 0) return [...calls, call];
  const next = calls.slice();
  next[i] = call;
  return next;
}

export function patchCallIn(calls: readonly CallView[], id: string, patch: Partial<Omit<CallView, 'id'>>): CallView[] {
  const i = calls.findIndex((c) => c.id === id);
  const current = calls[i];
  if (!current) return calls as CallView[];
  // An ended call stays ended: late events (a BYE after CANCEL, a stray NOTIFY) do not revive it.
  if (current.status === 'ended' && patch.status !== undefined && patch.status !== 'ended') return calls as CallView[];
  const next = calls.slice();
  next[i] = { ...current, ...patch };
  return next;
}

export function isLive(call: CallView): boolean {
  return call.status !== 'ended';
}

/**
 * The call the agent is dealing with: the live primary call, else the most recently ended
 * primary call that has not been superseded (while it lingers), else null.
 */
export function currentCall(calls: readonly CallView[]): CallView | null {
  const primaries = calls.filter((c) => c.role === 'primary');
  const live = primaries.filter(isLive);
  if (live.length > 0) return live[live.length - 1] ?? null;
  const ended = primaries.filter((c) => c.end?.reason !== 'replaced');
  return ended[ended.length - 1] ?? null;
}

/** The live consult leg of an attended transfer, if any. */
export function consultCall(calls: readonly CallView[]): CallView | null {
  return calls.find((c) => c.role === 'consult' && isLive(c)) ?? null;
}

/** The ringing inbound call, if any. */
export function ringingCall(calls: readonly CallView[]): CallView | null {
  return calls.find((c) => c.direction === 'inbound' && c.status === 'ringing') ?? null;
}

/** `call-status` as shown to the agent and to tests. */
export type CallStatusView = 'idle' | CallStatus;

export function callStatusView(call: CallView | null): CallStatusView {
  return call ? call.status : 'idle';
}

/** Any live call (ringing, calling, established or held)? */
export function hasLiveCall(calls: readonly CallView[]): boolean {
  return calls.some(isLive);
}

let noticeSeq = 0;
const MAX_NOTICES = 5;

export const useSoftphoneStore = create<SoftphoneStore>()((set) => ({
  ...initialSoftphoneState(),
  reset: () => set((s) => ({ ...initialSoftphoneState(), devices: s.devices, settings: s.settings })),
  setIdentity: (identity) => set({ identity }),
  setRegistration: (registration) => set({ registration }),
  setSignalling: (signalling) => set({ signalling }),
  upsertCall: (call) => set((s) => ({ calls: upsertCallIn(s.calls, call) })),
  patchCall: (id, patch) => set((s) => ({ calls: patchCallIn(s.calls, id, patch) })),
  removeCall: (id) => set((s) => ({ calls: s.calls.filter((c) => c.id !== id) })),
  setDevices: (devices) => set({ devices }),
  setSettings: (settings) => set({ settings }),
  setDeviceCheck: (deviceCheck) => set({ deviceCheck }),
  setMicLevel: (micLevelDb) => set({ micLevelDb }),
  setDialError: (dialError) => set({ dialError }),
  notify: (issue, level = 'info', params = {}) =>
    set((s) => ({ notices: [...s.notices, { seq: ++noticeSeq, issue, level, params }].slice(-MAX_NOTICES) })),
}));

/** Every item of the device check passed (示闲 itself needs only the microphone: services/agent-state/ready-gate.ts). */
export function deviceCheckPassed(state: SoftphoneState): boolean {
  return state.deviceCheck.status === 'passed';
}
