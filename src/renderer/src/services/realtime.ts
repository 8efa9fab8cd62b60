/**
 * The Socket.IO connection to the backend, typed by shared/realtime.ts. The socket is a live
 * object and lives here only; the header reads its state from stores/connection-store.ts.
 *
 * Authentication: `auth` is a callback, so every (re)connect sends the newest access token,
 * refreshing it first when it is about to expire. The server's connection middleware
 * rejects with an Error whose message is an ErrorCode:
 * - TOKEN_EXPIRED → refresh, then connect again;
 * - SESSION_REVOKED / UNAUTHENTICATED → the session is over (sign out).
 * Other failures (server down, network) are retried by Socket.IO itself; the header shows
 * 重连中 meanwhile.
 *
 * Pushes that only update a snapshot go straight to their store: `agent:state-changed` and
 * `agent:break-overrun` → stores/agent-state-store (which keeps the signed-in agent's own, newest status; missed
 * pushes are caught up by services/agent-state re-fetching after a reconnect).
 */
import { io, type Socket } from 'socket.io-client';
import type { CurrentUser } from '../../../shared/api/accounts.js';
import type { ClientToServerEvents, ConsoleLocation, HandshakeAuth, ServerToClientEvents, SessionEndReason } from '../../../shared/realtime.js';
import { useAgentStateStore } from '../stores/agent-state-store';
import { useConnectionStore, type ConnectionStatus } from '../stores/connection-store';
import { createLogger } from './log';

const log = createLogger('realtime');

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RealtimeDeps {
  /** Backend base URL (origin plus optional path prefix). */
  baseUrl: string;
  /** A usable access token, refreshed if needed. */
  freshAccessToken: () => Promise<string | null>;
  /** Forces a refresh (after the server said TOKEN_EXPIRED). */
  refresh: () => Promise<unknown>;
  /** The server ended this session (pushed `session:ended`); `replacedBy` when another console took over. */
  onSessionEnded: (reason: SessionEndReason, replacedBy: ConsoleLocation | null) => void;
  /**
   * This is the agent console of the session (the user may use it): the server then keeps
   * one live console per agent (a console signing in elsewhere takes over) and starts the
   * disconnect grace when it goes away. Read at every (re)connect.
   */
  isConsole: () => boolean;
  /** The server refused our credentials outright. */
  onAuthRejected: (code: 'SESSION_REVOKED' | 'UNAUTHENTICATED') => void;
  onUserUpdated: (user: CurrentUser) => void;
}

/** Consecutive TOKEN_EXPIRED rejections tolerated right after refreshing (clock skew guard). */
const MAX_EXPIRED_RETRIES = 3;
const MANUAL_RETRY_MS = 5_000;

let socket: RealtimeSocket | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;

const setStatus = (status: ConnectionStatus): void => useConnectionStore.getState().setStatus(status);

function clearRetry(): void {
  if (retryTimer !== null) clearTimeout(retryTimer);
  retryTimer = null;
}

/** Opens (or reopens) the connection for the signed-in session. */
export function connectRealtime(deps: RealtimeDeps): void {
  disconnectRealtime();

  const base = new URL(deps.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const s: RealtimeSocket = io(base.origin, {
    path: `${prefix}/socket.io`,
    transports: ['websocket'],
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 10_000,
    auth: (cb) => {
      deps.freshAccessToken().then(
        (token) => {
          const auth: HandshakeAuth = deps.isConsole() ? { token: token ?? '', console: {} } : { token: token ?? '' };
          cb(auth);
        },
        (err: unknown) => {
          log.warn('no token for connect', err);
          cb({ token: '' });
        },
      );
    },
  });
  socket = s;
  let expiredStreak = 0;

  /** Connect again later, unless this socket has been replaced or closed meanwhile. */
  const retryLater = (ms: number): void => {
    clearRetry();
    setStatus('reconnecting');
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (socket === s && !s.connected) s.connect();
    }, ms);
  };

  s.on('connect', () => {
    expiredStreak = 0;
    setStatus('connected');
  });
  s.on('disconnect', (reason) => {
    if (socket !== s) return;
    log.info('disconnected', reason);
    // 'io server disconnect' does not auto-reconnect; if the session really ended,
    // `session:ended` arrives first and sign-out closes this socket.
    if (reason === 'io server disconnect') retryLater(MANUAL_RETRY_MS);
    else setStatus('reconnecting');
  });
  s.io.on('reconnect_attempt', () => {
    if (socket === s) setStatus('reconnecting');
  });
  s.on('connect_error', (err) => {
    if (socket !== s) return;
    if (s.active) {
      // Transport-level failure: Socket.IO retries with backoff on its own.
      setStatus('reconnecting');
      return;
    }
    // Rejected by the server's middleware: we decide what happens next.
    switch (err.message) {
      case 'TOKEN_EXPIRED':
        if (++expiredStreak > MAX_EXPIRED_RETRIES) {
          retryLater(MANUAL_RETRY_MS * 6);
          return;
        }
        setStatus('reconnecting');
        deps.refresh().then(
          () => {
            if (socket === s) s.connect();
          },
          (refreshErr: unknown) => {
            // A fatal refresh failure signs out (and closes us) inside the API client.
            log.warn('refresh for reconnect failed', refreshErr);
            if (socket === s) retryLater(MANUAL_RETRY_MS);
          },
        );
        return;
      case 'SESSION_REVOKED':
      case 'UNAUTHENTICATED':
        deps.onAuthRejected(err.message);
        return;
      default:
        log.warn('connection rejected', err.message);
        retryLater(MANUAL_RETRY_MS);
    }
  });

  s.on('session:ended', ({ reason, replacedBy }) => deps.onSessionEnded(reason, replacedBy ?? null));
  s.on('user:updated', (user) => deps.onUserUpdated(user));
  s.on('agent:state-changed', (status) => useAgentStateStore.getState().received(status));
  s.on('agent:break-overrun', (overrun) => useAgentStateStore.getState().breakOverrun(overrun));

  setStatus('connecting');
}

/** Closes the connection (sign-out). Safe to call when not connected. */
export function disconnectRealtime(): void {
  clearRetry();
  const s = socket;
  socket = null;
  if (s) {
    s.removeAllListeners();
    s.io.removeAllListeners();
    s.disconnect();
  }
  setStatus('offline');
}

/** The live socket for feature services (softphone, wallboard); null when signed out. */
export function realtimeSocket(): RealtimeSocket | null {
  return socket;
}
