/**
 * Audio devices: lists microphones and outputs into the store, remembers the agent's choice
 * (settings.ts), and handles hot-plug: when a chosen device disappears (headset unplugged),
 * the choice falls back to the system default, the agent is told, and the engine is asked
 * to move live calls (`onEffectiveChange`).
 */
import { useSoftphoneStore, type DeviceKind, type DeviceOption } from '../../stores/softphone-store';
import { canSelectOutput } from './audio-output';
import type { SoftphoneIssue } from './issues';
import type { SettingsStore } from './settings';
import { createLogger } from '../log';

const log = createLogger('softphone.devices');

const fallbackIssue: Record<DeviceKind, SoftphoneIssue> = {
  mic: 'deviceFallbackMic',
  speaker: 'deviceFallbackSpeaker',
  ring: 'deviceFallbackRing',
};

function options(list: MediaDeviceInfo[], kind: MediaDeviceKind): DeviceOption[] {
  return list
    .filter((d) => d.kind === kind && d.deviceId !== 'default' && d.deviceId !== 'communications' && d.deviceId !== '')
    .map((d, i) => ({ id: d.deviceId, label: d.label || `${kind === 'audioinput' ? 'Microphone' : 'Speaker'} ${i + 1}` }));
}

export class DeviceManager {
  private listening = false;
  private readonly onDeviceChange = (): void => void this.refresh(true);

  constructor(
    private readonly settings: SettingsStore,
    private readonly onEffectiveChange: (kind: DeviceKind, deviceId: string) => void,
  ) {
    const selected = settings.readDevices();
    const s = useSoftphoneStore.getState();
    s.setDevices({ ...s.devices, selected, canSelectOutput: canSelectOutput() });
  }

  selected(kind: DeviceKind): string {
    return useSoftphoneStore.getState().devices.selected[kind];
  }

  /** Starts watching for hot-plug and lists devices once. */
  watch(): void {
    if (!this.listening && navigator.mediaDevices) {
      navigator.mediaDevices.addEventListener('devicechange', this.onDeviceChange);
      this.listening = true;
    }
    void this.refresh(false);
  }

  unwatch(): void {
    if (this.listening) navigator.mediaDevices.removeEventListener('devicechange', this.onDeviceChange);
    this.listening = false;
  }

  /** Re-lists devices (after permission is granted, labels appear). */
  async refresh(hotPlug: boolean): Promise<void> {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    let list: MediaDeviceInfo[];
    try {
      list = await navigator.mediaDevices.enumerateDevices();
    } catch (err) {
      log.warn('enumerateDevices failed', err);
      return;
    }
    const microphones = options(list, 'audioinput');
    const speakers = options(list, 'audiooutput');
    const state = useSoftphoneStore.getState();
    const selected = { ...state.devices.selected };
    // Before permission, ids are empty strings: nothing to compare against yet.
    const known = list.some((d) => d.deviceId !== '');
    const vanished: DeviceKind[] = [];
    if (known) {
      if (selected.mic && !microphones.some((d) => d.id === selected.mic)) vanished.push('mic');
      if (speakers.length > 0) {
        if (selected.speaker && !speakers.some((d) => d.id === selected.speaker)) vanished.push('speaker');
        if (selected.ring && !speakers.some((d) => d.id === selected.ring)) vanished.push('ring');
      }
    }
    for (const kind of vanished) selected[kind] = '';
    state.setDevices({ microphones, speakers, selected, canSelectOutput: canSelectOutput() });
    if (vanished.length > 0) {
      this.settings.writeDevices(selected);
      for (const kind of vanished) {
        if (hotPlug) state.notify(fallbackIssue[kind], 'warning');
        this.onEffectiveChange(kind, '');
      }
    }
  }

  /** The agent picked a device. */
  choose(kind: DeviceKind, deviceId: string): void {
    const state = useSoftphoneStore.getState();
    if (state.devices.selected[kind] === deviceId) return;
    const selected = { ...state.devices.selected, [kind]: deviceId };
    state.setDevices({ ...state.devices, selected });
    this.settings.writeDevices(selected);
    this.onEffectiveChange(kind, deviceId);
  }

  /** The chosen microphone could not be opened and the default was used: forget it. */
  micFellBack(): void {
    const state = useSoftphoneStore.getState();
    if (!state.devices.selected.mic) return;
    const selected = { ...state.devices.selected, mic: '' };
    state.setDevices({ ...state.devices, selected });
    this.settings.writeDevices(selected);
    state.notify('deviceFallbackMic', 'warning');
  }
}
