/**
 * 设备检测 before going ready: microphone (opens and hears something), speaker and ring
 * device (a test sound plays on them), registration, and the media path (ICE gathers at
 * least one candidate with the site's ICE servers). The result goes to the store; 示闲 is
 * gated on its microphone item (services/agent-state/ready-gate.ts), running a check first
 * when none ran in this console session.
 */
import { idleDeviceCheck, useSoftphoneStore, type DeviceCheckItem, type DeviceCheckView } from '../../stores/softphone-store';
import { createLogger } from '../log';
import { meterStream, SILENCE_DB } from './analysis';
import type { SoftphoneIssue } from './issues';
import { mediaErrorIssue } from './media';

const log = createLogger('softphone.check');

/** A working microphone is never this quiet; a dead or muted one reads digital silence. */
export const MIC_ALIVE_DB = -85;

export interface DeviceCheckDeps {
  /** Raw microphone (no processing), the chosen device. */
  openMicrophone(): Promise<MediaStream>;
  testSpeaker(): Promise<boolean>;
  testRing(): Promise<boolean>;
  isRegistered(): boolean;
  iceServers(): RTCIceServer[];
  iceGatheringTimeoutMs(): number;
  /** How long to listen to the microphone. */
  listenMs?: number;
}

/** Gathers ICE candidates on a throwaway connection: none means no call could carry media. */
export async function gatherCandidates(iceServers: RTCIceServer[], timeoutMs: number): Promise<number> {
  const pc = new RTCPeerConnection({ iceServers });
  let count = 0;
  try {
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      pc.addEventListener('icecandidate', (e) => {
        if (e.candidate) count++;
        else {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await pc.setLocalDescription(await pc.createOffer());
    await done;
    return count;
  } finally {
    pc.close();
  }
}

export async function runDeviceCheck(deps: DeviceCheckDeps): Promise<DeviceCheckView> {
  const store = useSoftphoneStore.getState();
  const items: DeviceCheckView['items'] = { ...idleDeviceCheck.items };
  const failures: SoftphoneIssue[] = [];
  let micPeakDb: number | null = null;
  const publish = (status: DeviceCheckView['status']): DeviceCheckView => {
    const view: DeviceCheckView = { status, checkedAt: status === 'running' ? null : Date.now(), items: { ...items }, micPeakDb, failures: [...failures] };
    useSoftphoneStore.getState().setDeviceCheck(view);
    return view;
  };
  const settle = (item: DeviceCheckItem, ok: boolean, issue: SoftphoneIssue): void => {
    items[item] = ok ? 'ok' : 'failed';
    if (!ok) failures.push(issue);
    publish('running');
  };
  publish('running');

  // Microphone: open it and listen.
  try {
    const stream = await deps.openMicrophone();
    let peak = SILENCE_DB;
    const stop = meterStream(stream, (db) => {
      peak = Math.max(peak, db);
      store.setMicLevel(db);
    });
    await new Promise((r) => setTimeout(r, deps.listenMs ?? 2000));
    stop();
    for (const t of stream.getTracks()) t.stop();
    store.setMicLevel(null);
    micPeakDb = peak;
    settle('microphone', peak > MIC_ALIVE_DB, 'micSilent');
  } catch (err) {
    log.warn('microphone check failed', err);
    store.setMicLevel(null);
    settle('microphone', false, mediaErrorIssue(err));
  }

  settle('speaker', await deps.testSpeaker().catch(() => false), 'speakerFailed');
  settle('ring', await deps.testRing().catch(() => false), 'ringFailed');
  settle('registration', deps.isRegistered(), 'notRegistered');
  try {
    const n = await gatherCandidates(deps.iceServers(), Math.max(1000, deps.iceGatheringTimeoutMs()));
    settle('mediaPath', n > 0, 'mediaPathFailed');
  } catch (err) {
    log.warn('media path check failed', err);
    settle('mediaPath', false, 'mediaPathFailed');
  }
  return publish(failures.length === 0 ? 'passed' : 'failed');
}
