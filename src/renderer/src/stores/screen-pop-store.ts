/**
 * The incoming-call view (来电弹屏) as a snapshot: the call it is about (an ACD offer, or a
 * direct call ringing the softphone), its state, and the caller's history once fetched.
 * Written only by services/screen-pop.ts; the view reads it.
 */
import { create } from 'zustand';
import type { CallerHistory } from '../../../shared/api/callers.js';
import type { AcdOfferEndReason } from '../../../shared/realtime.js';

export interface ScreenPop {
  /** The ACD call id, or `direct:<softphone call id>` for a call that did not come through a queue. */
  key: string;
  source: 'acd' | 'direct';
  /** The ACD's call id (SIP Call-ID of the caller's leg), when offered by the ACD. */
  callId: string | null;
  /** The number as it arrived, for display. */
  caller: string;
  /** Normal form (src/shared/phone-number.ts); '' when withheld. */
  number: string;
  queueName: string | null;
  /** Seconds the caller had waited in the queue when offered. */
  waitedSeconds: number | null;
  /** When the view opened (epoch ms). */
  openedAt: number;
  status: 'ringing' | 'answered' | 'ended';
  endReason: AcdOfferEndReason | 'hangup' | null;
  history: CallerHistory | null;
  loading: boolean;
  /** The history could not be fetched (the view still shows the number). */
  failed: boolean;
}

interface ScreenPopStore {
  pop: ScreenPop | null;
  open(p: ScreenPop): void;
  /** Changes the pop only while it is still the one with this key. */
  patch(key: string, patch: Partial<Omit<ScreenPop, 'key'>>): void;
  /** Re-keys a direct pop that turned out to be an ACD offer (the INVITE arrived first). */
  rekey(from: string, to: string, patch: Partial<Omit<ScreenPop, 'key'>>): void;
  dismiss(key: string): void;
}

export const useScreenPopStore = create<ScreenPopStore>()((set) => ({
  pop: null,
  open: (pop) => set({ pop }),
  patch: (key, patch) => set((s) => (s.pop?.key === key ? { pop: { ...s.pop, ...patch } } : s)),
  rekey: (from, to, patch) => set((s) => (s.pop?.key === from ? { pop: { ...s.pop, ...patch, key: to } } : s)),
  dismiss: (key) => set((s) => (s.pop?.key === key ? { pop: null } : s)),
}));
