/**
 * One phone: composes the SIP connection (registration), the calls, devices, ringer and
 * settings, and is the only API the UI uses (besides reading stores/softphone-store).
 * The agent console and the caller simulator each create one (see index.ts).
 */
import { version as sipJsVersion, type Session, type SessionDescriptionHandlerFactory, type Web } from 'sip.js';
import type { MonitorMode } from '../../../../shared/api/supervisor.js';
import type { SipProfile } from '../../../../shared/api/softphone.js';
import { useSoftphoneStore, type DeviceCheckView, type DeviceKind } from '../../stores/softphone-store';
import { createLogger } from '../log';
import { rtpCounters, toneLevels, type RtpCounters } from './analysis';
import { Ringer, testTone } from './audio-output';
import { CallController, type AnsweredCallHook } from './calls';
import { MonitorLegs, type MonitorLegDeps } from './monitor-leg';
import { SipConnection } from './connection';
import { runDeviceCheck } from './device-check';
import { DeviceManager } from './devices';
import { openMicrophone } from './media';
import { sessionDescriptionHandlerFactory } from './sdh';
import { createSettingsStore, type SettingsStore } from './settings';

const log = createLogger('softphone');

export interface SoftphoneOptions {
  /** localStorage prefix for this phone's settings (settings.ts). */
  settingsPrefix: string;
  /** How long an ended call stays visible; null keeps the last one until the next call. */
  endedLingerMs: number | null;
  userAgentString: string;
  /** Per answered call (the console records calls with it); see calls.ts. */
  onAnswered?: AnsweredCallHook;
  /**
   * Supervisors may monitor this phone's calls (agent console): how to check a grant and
   * report a leg's end. Without it every monitoring INVITE is refused (simulator).
   */
  monitoring?: Pick<MonitorLegDeps, 'redeem' | 'ended' | 'setIndicator'>;
}

export class Softphone {
  private readonly settings: SettingsStore;
  private readonly devices: DeviceManager;
  private readonly ringer = new Ringer();
  private readonly connection: SipConnection;
  private readonly calls: CallController;
  private readonly monitorLegs: MonitorLegs | null;
  /** Sessions that send something other than the microphone (monitoring legs). */
  private readonly sendInstead = new WeakMap<Session, Web.MediaStreamFactory>();
  private loadProfile: (() => Promise<SipProfile>) | null = null;
  private toneHz: number | null = null;
  private labelsListed = false;
  /** Page closing or reloading: BYE/CANCEL live calls and unregister while the socket is still open. */
  private readonly onPageHide = (): void => {
    this.monitorLegs?.endAll();
    this.calls.hangupAll();
    void this.connection.stop();
  };
  private networkTimer: ReturnType<typeof setTimeout> | null = null;
  /** Back online or another connection type: calls restart ICE (one burst of events → one restart). */
  private readonly onNetworkChange = (): void => {
    if (this.networkTimer) clearTimeout(this.networkTimer);
    this.networkTimer = setTimeout(() => {
      this.networkTimer = null;
      log.info('network changed');
      this.calls.restartIceAfterNetworkChange();
    }, 300);
  };

  constructor(options: SoftphoneOptions) {
    this.settings = createSettingsStore(options.settingsPrefix);
    useSoftphoneStore.getState().setSettings(this.settings.readSettings());
    this.devices = new DeviceManager(this.settings, (kind, id) => this.onDeviceChanged(kind, id));
    this.connection = new SipConnection({
      loadProfile: () => {
        if (!this.loadProfile) return Promise.reject(new Error('softphone not started'));
        return this.loadProfile();
      },
      sdhFactory: (profile) => this.sdhFactory(profile),
      onInvite: (invitation) => this.calls.handleInvitation(invitation),
      onReconnected: () => this.calls.refreshDialogs(),
      userAgentString: `${options.userAgentString} (sip.js ${sipJsVersion})`,
    });
    this.calls = new CallController({
      userAgent: () => this.connection.userAgent,
      profile: () => this.connection.currentProfile,
      isRegistered: () => this.connection.isRegistered(),
      ringer: this.ringer,
      speaker: () => this.devices.selected('speaker'),
      ringDevice: () => this.devices.selected('ring'),
      autoAnswer: () => useSoftphoneStore.getState().settings.autoAnswer,
      endedLingerMs: options.endedLingerMs,
      onAnswered: options.onAnswered,
      onMonitorInvite: options.monitoring ? (invitation) => this.monitorLegs?.handleInvite(invitation) : undefined,
    });
    this.monitorLegs = options.monitoring
      ? new MonitorLegs({
          ...options.monitoring,
          primary: () => this.calls.primaryMedia(),
          speaker: () => this.devices.selected('speaker'),
          sendInstead: this.sendInstead,
        })
      : null;
  }

  /** The backend pushed a supervisor's mode switch (monitor:mode-changed). */
  applyMonitorMode(sessionId: string, mode: MonitorMode, showIndicator: boolean): void {
    this.monitorLegs?.applyMode(sessionId, mode, showIndicator);
  }

  // ---- lifecycle ----

  get running(): boolean {
    return this.connection.isRunning;
  }

  /** Registers with a profile source (the agent's or the simulator's). */
  async start(loadProfile: () => Promise<SipProfile>): Promise<void> {
    if (this.connection.isRunning) return;
    this.loadProfile = loadProfile;
    this.devices.watch();
    window.addEventListener('pagehide', this.onPageHide);
    window.addEventListener('online', this.onNetworkChange);
    networkInformation()?.addEventListener('change', this.onNetworkChange);
    await this.connection.start();
  }

  /** Hangs up, unregisters and disconnects (sign-out). */
  async stop(): Promise<void> {
    window.removeEventListener('pagehide', this.onPageHide);
    window.removeEventListener('online', this.onNetworkChange);
    networkInformation()?.removeEventListener('change', this.onNetworkChange);
    if (this.networkTimer) clearTimeout(this.networkTimer);
    this.networkTimer = null;
    this.monitorLegs?.endAll();
    this.calls.hangupAll();
    this.ringer.stop();
    this.devices.unwatch();
    await this.connection.stop();
    this.loadProfile = null;
    const s = useSoftphoneStore.getState();
    for (const c of s.calls) s.removeCall(c.id);
    s.setDialError(null);
  }

  // ---- calls ----

  dial(number: string): string | null {
    return this.calls.dial(number);
  }
  answer(callId: string): Promise<void> {
    return this.calls.answer(callId);
  }
  reject(callId: string): void {
    this.calls.reject(callId);
  }
  hangup(callId: string): void {
    this.calls.hangup(callId);
  }
  setHold(callId: string, hold: boolean): Promise<boolean> {
    return this.calls.setHold(callId, hold);
  }
  setMute(callId: string, mute: boolean): void {
    this.calls.setMute(callId, mute);
  }
  sendDtmf(callId: string, digits: string): void {
    this.calls.sendDtmf(callId, digits);
  }
  blindTransfer(callId: string, target: string): boolean {
    return this.calls.blindTransfer(callId, target);
  }
  startConsult(target: string, extraHeaders: string[] = []): Promise<string | null> {
    return this.calls.startConsult(target, extraHeaders);
  }
  completeConsult(): boolean {
    return this.calls.completeConsult();
  }
  cancelConsult(): void {
    this.calls.cancelConsult();
  }
  clearDialError(): void {
    useSoftphoneStore.getState().setDialError(null);
  }

  // ---- settings and devices ----

  setAutoAnswer(on: boolean): void {
    this.settings.writeAutoAnswer(on);
    const s = useSoftphoneStore.getState();
    s.setSettings({ ...s.settings, autoAnswer: on });
  }

  /** Echo cancellation / noise suppression / AGC; applies to the next microphone opened. */
  setAudioProcessing(on: boolean): void {
    this.settings.writeAudioProcessing(on);
    const s = useSoftphoneStore.getState();
    s.setSettings({ ...s.settings, audioProcessing: on });
  }

  chooseDevice(kind: DeviceKind, deviceId: string): void {
    this.devices.choose(kind, deviceId);
  }

  refreshDevices(): Promise<void> {
    return this.devices.refresh(false);
  }

  /** Simulator: send a generated sine tone instead of the microphone (null = microphone). */
  setTone(hz: number | null): void {
    this.toneHz = hz;
  }

  private onDeviceChanged(kind: DeviceKind, deviceId: string): void {
    switch (kind) {
      case 'mic':
        this.calls.replaceMicrophone(() => this.openCallMicrophone()).catch((err: unknown) => log.warn('microphone switch failed', err));
        return;
      case 'speaker':
        this.calls.routeSpeaker(deviceId);
        return;
      case 'ring':
        this.calls.rerouteRinging();
        return;
      default:
        return;
    }
  }

  /** The microphone for a call: chosen device, processing per settings (or the tone). */
  private async openCallMicrophone(): Promise<MediaStream> {
    if (this.toneHz !== null) return toneStream(this.toneHz);
    const { stream, fellBack } = await openMicrophone(this.devices.selected('mic'), useSoftphoneStore.getState().settings.audioProcessing);
    if (fellBack) this.devices.micFellBack();
    if (!this.labelsListed) {
      // Device labels are only visible once the page may use the microphone.
      this.labelsListed = true;
      void this.devices.refresh(false);
    }
    return stream;
  }

  private sdhFactory(profile: SipProfile): SessionDescriptionHandlerFactory {
    return sessionDescriptionHandlerFactory({
      iceServers: profile.iceServers,
      iceGatheringTimeoutMs: profile.iceGatheringTimeoutMs,
      mediaStreamFactory: () => this.openCallMicrophone(),
      streamFor: (session) => this.sendInstead.get(session),
    });
  }

  // ---- device check ----

  async runDeviceCheck(): Promise<DeviceCheckView> {
    return runDeviceCheck({
      openMicrophone: async () => (await openMicrophone(this.devices.selected('mic'), false)).stream,
      testSpeaker: () => testTone(this.devices.selected('speaker')),
      testRing: () => this.ringer.test(this.devices.selected('ring')),
      isRegistered: () => this.connection.isRegistered(),
      iceServers: () => this.connection.currentProfile?.iceServers ?? [],
      iceGatheringTimeoutMs: () => this.connection.currentProfile?.iceGatheringTimeoutMs ?? 1000,
    }).finally(() => void this.devices.refresh(false));
  }

  // ---- measurements (test hook, diagnostics) ----

  /** dB level of each frequency in what we hear (all live calls' remote audio mixed). */
  analyseRemote(freqs: readonly number[], windowMs?: number): Promise<Record<number, number>> {
    return toneLevels([...this.calls.remoteStreams(), ...(this.monitorLegs?.audibleStreams() ?? [])], freqs, windowMs);
  }

  stats(): Promise<RtpCounters> {
    return rtpCounters(this.calls.peerConnections());
  }
}

/** Chromium's NetworkInformation (`navigator.connection`): fires `change` when the connection type changes. */
function networkInformation(): EventTarget | undefined {
  return (navigator as Navigator & { connection?: EventTarget }).connection;
}

/** A steady sine as a MediaStream (simulator "play a tone"). */
function toneStream(hz: number): MediaStream {
  const ctx = new AudioContext();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = hz;
  gain.gain.value = 0.3;
  const dest = ctx.createMediaStreamDestination();
  osc.connect(gain).connect(dest);
  osc.start();
  const [track] = dest.stream.getAudioTracks();
  // Close the context when sip.js stops the track at hang-up.
  track?.addEventListener('ended', () => void ctx.close());
  const origStop = track?.stop.bind(track);
  if (track && origStop) {
    track.stop = () => {
      origStop();
      void ctx.close();
    };
  }
  return dest.stream;
}
