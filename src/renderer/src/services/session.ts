/**
 * The signed-in session: owns the token storage, the API client instance, the proactive
 * refresh timer and the realtime connection, and mirrors the outcome into
 * stores/session-store.ts. Components call `call(...)`, `signIn`, `signOut`; nothing else
 * touches tokens.
 */
import { api } from '../../../shared/api/index.js';
import type { SessionTokens } from '../../../shared/api/accounts.js';
import type { ConsoleLocation } from '../../../shared/realtime.js';
import { can } from '../../../shared/roles.js';
import { useSessionStore } from '../stores/session-store';
import { useSiteStore } from '../stores/site-store';
import { createApiClient, isApiCallError, type SignOutReason } from './api-client';
import { createLogger } from './log';
import { connectRealtime, disconnectRealtime } from './realtime';
import { knownServerUrl, resolveServerUrl } from './server-url';
import { createTokenStorage, SESSION_STORAGE_KEY, type KeyValueStorage } from './token-storage';

const log = createLogger('session');

/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 60_000;
const REFRESH_RETRY_MS = 15_000;

function browserStorage(): KeyValueStorage {
  try {
    return window.localStorage;
  } catch {
    const memory = new Map<string, string>(); // storage disabled: session lasts until reload
    return {
      getItem: (k) => memory.get(k) ?? null,
      setItem: (k, v) => void memory.set(k, v),
      removeItem: (k) => void memory.delete(k),
    };
  }
}

/** Cross-tab mutual exclusion, so two tabs never spend the same single-use refresh token. */
function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  // lib.dom types the callback's result un-awaited; request() resolves with the awaited value.
  return locks ? (locks.request('hotline.session.refresh', fn) as unknown as Promise<T>) : fn();
}

const tokens = createTokenStorage(browserStorage(), knownServerUrl);
const client = createApiClient({
  fetch: (url, init) => window.fetch(url, init),
  baseUrl: resolveServerUrl,
  tokens,
  withRefreshLock,
  onRefreshed: (t) => {
    scheduleRefresh(t);
    useSessionStore.getState().userChanged(t.user);
  },
  onSignOut: (reason) => endSession(reason),
});

/** Calls a REST route (see services/api-client.ts). */
export const call = client.call;
/** A usable access token, for requests `call` cannot make (binary uploads, audio downloads). */
export const freshAccessToken = client.freshAccessToken;

let refreshTimer: ReturnType<typeof setTimeout> | null = null;

function clearRefreshTimer(): void {
  if (refreshTimer !== null) clearTimeout(refreshTimer);
  refreshTimer = null;
}

function scheduleRefresh(t: SessionTokens, delayMs?: number): void {
  clearRefreshTimer();
  // ~60 s ahead; with very short token lifetimes (test sites) at three quarters of it.
  const left = Date.parse(t.accessTokenExpiresAt) - Date.now();
  const due = left - Math.min(REFRESH_AHEAD_MS, left / 4);
  const delay = Math.min(Math.max(delayMs ?? due, 1_000), 2 ** 31 - 1);
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    client.refresh().catch((err: unknown) => {
      log.warn('proactive refresh failed', err);
      // Transient (server unreachable): try again soon. Fatal: already signed out.
      if (isApiCallError(err) && useSessionStore.getState().view.status === 'signed-in') scheduleRefresh(t, REFRESH_RETRY_MS);
    });
  }, delay);
}

function startSession(t: SessionTokens): void {
  useSessionStore.getState().signedIn(t.user);
  scheduleRefresh(t);
  const base = knownServerUrl();
  if (!base) return;
  connectRealtime({
    baseUrl: base,
    freshAccessToken: client.freshAccessToken,
    refresh: client.refresh,
    onSessionEnded: (reason, replacedBy) => endSession(reason, replacedBy),
    isConsole: () => {
      const view = useSessionStore.getState().view;
      return view.status === 'signed-in' && can(view.user.roles, 'console:use');
    },
    onAuthRejected: (code) => endSession(code === 'SESSION_REVOKED' ? 'revoked' : 'expired'),
    onUserUpdated: (user) => {
      tokens.saveUser(user);
      useSessionStore.getState().userChanged(user);
    },
  });
}

/** Ends the session locally (idempotent) and shows sign-in with the reason. */
export function endSession(reason: SignOutReason, replacedBy: ConsoleLocation | null = null): void {
  if (useSessionStore.getState().view.status === 'signed-out') return;
  log.info('session ended', reason);
  clearRefreshTimer();
  disconnectRealtime();
  tokens.clear();
  useSessionStore.getState().signedOut(reason, false, replacedBy);
}

/** Loads the public site info for the header and sign-in page; failures are not fatal. */
export async function loadSiteInfo(): Promise<void> {
  try {
    useSiteStore.getState().setSite(await call(api.site));
  } catch (err) {
    log.warn('site info unavailable', err);
  }
}

/** Start-up: resume a stored session with its refresh token, or show sign-in. */
export async function restoreSession(): Promise<void> {
  const store = useSessionStore.getState();
  store.restoring();
  try {
    await resolveServerUrl();
  } catch (err) {
    log.warn('cannot read desktop settings', err);
  }
  void loadSiteInfo();
  if (!tokens.stored()) {
    store.signedOut(null);
    return;
  }
  try {
    startSession(await client.refresh());
  } catch (err) {
    // Fatal refusals already ended the session (with reason 'expired' etc.).
    if (useSessionStore.getState().view.status !== 'signed-out') {
      log.warn('cannot resume session', err);
      store.signedOut(null, true);
    }
  }
}

/** Signs in with a password; throws ApiCallError for the sign-in page to explain. */
export async function signIn(username: string, password: string): Promise<void> {
  const t = await call(api.login, { body: { username, password } });
  tokens.save(t);
  startSession(t);
}

export type SignOutOutcome =
  | { kind: 'signed-out' }
  /** The agent is on a call, so the server would not 签出 them (its zh-CN message); nothing changed. */
  | { kind: 'on-call'; message: string };

/**
 * 退出: revokes the session on the server, then returns to sign-in. From the agent console
 * the server 签出s the agent first; on a call it refuses (the session stays) unless
 * `keepAgentSignedIn` (the agent confirmed). Other failures sign out locally anyway.
 */
export async function signOut(opts: { keepAgentSignedIn?: boolean } = {}): Promise<SignOutOutcome> {
  try {
    await call(api.logout, { query: opts.keepAgentSignedIn ? { keepAgentSignedIn: 'true' } : {} });
  } catch (err) {
    if (isApiCallError(err) && err.code === 'CONFLICT') return { kind: 'on-call', message: err.message };
    log.warn('logout request failed', err);
  }
  endSession('logout');
  return { kind: 'signed-out' };
}

/** Browser-level listeners: cross-tab sign-out and catching up after sleep. Call once. */
export function installSessionListeners(): void {
  window.addEventListener('storage', (e) => {
    if (e.key !== SESSION_STORAGE_KEY || useSessionStore.getState().view.status !== 'signed-in') return;
    if (e.newValue === null) endSession('logout');
    else if (!tokens.stored()) endSession('replaced'); // another user signed in in another tab
  });
  const catchUp = (): void => {
    if (document.visibilityState !== 'visible' || useSessionStore.getState().view.status !== 'signed-in') return;
    const expiresAt = tokens.accessTokenExpiresAt();
    if (expiresAt !== null && expiresAt - Date.now() < REFRESH_AHEAD_MS) {
      client.refresh().catch((err: unknown) => log.warn('refresh after wake-up failed', err));
    }
  };
  document.addEventListener('visibilitychange', catchUp);
  window.addEventListener('online', catchUp);
}
