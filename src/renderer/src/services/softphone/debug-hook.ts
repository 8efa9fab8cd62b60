/**
 * `window.__softphone`: read-only measurements for end-to-end tests and field diagnostics,
 * in every build. It can listen to what this page already receives and read counters; it
 * cannot place, answer or change calls.
 */
import { useSoftphoneStore, type SoftphoneState } from '../../stores/softphone-store';
import type { RtpCounters } from './analysis';
import type { Softphone } from './softphone';

export interface SoftphoneDebugHook {
  /** dB level of `hz` in the remote audio (all live calls mixed), averaged over `windowMs` (500). */
  levelAt(hz: number, windowMs?: number): Promise<number>;
  /** Same for several frequencies at once: { 440: -28.5, 880: -140.2 }. */
  analyseRemote(freqs?: number[], windowMs?: number): Promise<Record<number, number>>;
  /** Audio RTP counters summed over live calls. */
  stats(): Promise<RtpCounters>;
  /** A JSON copy of the softphone store. */
  state(): SoftphoneState;
}

declare global {
  interface Window {
    __softphone?: SoftphoneDebugHook;
  }
}

export function installDebugHook(phone: Softphone): void {
  const hook: SoftphoneDebugHook = {
    levelAt: async (hz, windowMs) => (await phone.analyseRemote([hz], windowMs))[hz] ?? -200,
    analyseRemote: (freqs = [440, 660, 880], windowMs) => phone.analyseRemote(freqs, windowMs),
    stats: () => phone.stats(),
    state: () => {
      const s = useSoftphoneStore.getState();
      const data: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s)) if (typeof v !== 'function') data[k] = v;
      return JSON.parse(JSON.stringify(data)) as SoftphoneState;
    },
  };
  Object.defineProperty(window, '__softphone', { value: Object.freeze(hook), configurable: false, writable: false });
}
