/**
 * Who is signed in, as a plain snapshot. Side effects (tokens, sockets, timers) live in
 * services/session.ts, which is the only writer.
 */
import { create } from 'zustand';
import type { CurrentUser } from '../../../shared/api/accounts.js';
import type { ConsoleLocation } from '../../../shared/realtime.js';
import type { SignOutReason } from '../services/api-client';

export type SessionView =
  /** Start-up: a stored session is being resumed. */
  | { status: 'restoring' }
  /**
   * The sign-in page. `ended` says why a session just ended (shown once); `resumeFailed`
   * means a stored session exists but the server could not be reached to resume it.
   * `replacedBy`: where the console that took over this account connected from.
   */
  | { status: 'signed-out'; ended: SignOutReason | null; resumeFailed: boolean; replacedBy?: ConsoleLocation | null }
  | { status: 'signed-in'; user: CurrentUser };

interface SessionStore {
  view: SessionView;
  restoring(): void;
  signedIn(user: CurrentUser): void;
  userChanged(user: CurrentUser): void;
  signedOut(ended: SignOutReason | null, resumeFailed?: boolean, replacedBy?: ConsoleLocation | null): void;
  /** The sign-in page acknowledged the notice (user typed or submitted). */
  dismissNotice(): void;
}

export const useSessionStore = create<SessionStore>()((set) => ({
  view: { status: 'restoring' },
  restoring: () => set({ view: { status: 'restoring' } }),
  signedIn: (user) => set({ view: { status: 'signed-in', user } }),
  userChanged: (user) =>
    set((s) => (s.view.status === 'signed-in' && s.view.user.id === user.id ? { view: { status: 'signed-in', user } } : s)),
  signedOut: (ended, resumeFailed = false, replacedBy = null) => set({ view: { status: 'signed-out', ended, resumeFailed, replacedBy } }),
  dismissNotice: () =>
    set((s) => (s.view.status === 'signed-out' ? { view: { status: 'signed-out', ended: null, resumeFailed: false, replacedBy: null } } : s)),
}));

/** The signed-in user; only for components rendered inside the shell. */
export function useCurrentUser(): CurrentUser {
  const view = useSessionStore((s) => s.view);
  if (view.status !== 'signed-in') throw new Error('useCurrentUser outside a signed-in shell');
  return view.user;
}
