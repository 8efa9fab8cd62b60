/**
 * Softphone settings remembered in localStorage, per "phone" (the agent console uses the
 * `hotline.softphone` prefix, the caller simulator `hotline.sim`, so the two can share a
 * browser without sharing choices):
 * - `<prefix>.devices`     JSON { mic, speaker, ring } device ids ('' = system default)
 * - `<prefix>.autoAnswer`  '1' | '0'
 * - `hotline.softphone.audioProcessing` 'off' turns echo cancellation, noise suppression and
 *   AGC off for every phone in this browser (tone tests: Chrome's processing attenuates a
 *   steady tone by ~20 dB). Anything else, or absent: on.
 */
import type { DeviceKind, SoftphoneSettings } from '../../stores/softphone-store';

/** The agent console's phone; the supervisor's phone reads its device choices too. */
export const SOFTPHONE_SETTINGS_PREFIX = 'hotline.softphone';
export const AUDIO_PROCESSING_KEY = `${SOFTPHONE_SETTINGS_PREFIX}.audioProcessing`;

export interface SettingsStore {
  readSettings(): SoftphoneSettings;
  writeAutoAnswer(on: boolean): void;
  writeAudioProcessing(on: boolean): void;
  readDevices(): Record<DeviceKind, string>;
  writeDevices(devices: Record<DeviceKind, string>): void;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function get(key: string): string | null {
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function put(key: string, value: string): void {
  try {
    storage()?.setItem(key, value);
  } catch {
    // not remembered: fine
  }
}

export function createSettingsStore(prefix: string): SettingsStore {
  return {
    readSettings: () => ({
      autoAnswer: get(`${prefix}.autoAnswer`) === '1',
      audioProcessing: get(AUDIO_PROCESSING_KEY) !== 'off',
    }),
    writeAutoAnswer: (on) => put(`${prefix}.autoAnswer`, on ? '1' : '0'),
    writeAudioProcessing: (on) => put(AUDIO_PROCESSING_KEY, on ? 'on' : 'off'),
    readDevices: () => {
      const fallback = { mic: '', speaker: '', ring: '' };
      const raw = get(`${prefix}.devices`);
      if (!raw) return fallback;
      try {
        const v = JSON.parse(raw) as Partial<Record<DeviceKind, unknown>>;
        const pick = (x: unknown): string => (typeof x === 'string' ? x : '');
        return { mic: pick(v.mic), speaker: pick(v.speaker), ring: pick(v.ring) };
      } catch {
        return fallback;
      }
    },
    writeDevices: (devices) => put(`${prefix}.devices`, JSON.stringify(devices)),
  };
}
