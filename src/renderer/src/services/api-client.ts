/**
 * Typed REST client driven by the route contracts in shared/api. One `call(route, input)`
 * for every endpoint: path params, query string and body are typed from the RouteSpec,
 * the body is validated with the route's own schema before it leaves, and the response is
 * parsed with the route's response schema.
 *
 * Session handling lives here because every call needs it:
 * - authenticated routes carry `Authorization: Bearer <access token>`;
 * - a 401 TOKEN_EXPIRED triggers one refresh (single-flight: concurrent calls share it)
 *   and one retry;
 * - SESSION_REVOKED, or a refresh the server refuses, clears the tokens and reports a
 *   local sign-out through `onSignOut`.
 *
 * DOM-free: fetch, storage and the cross-tab lock are injected (see services/session.ts).
 */
import type { z } from 'zod';
import { api, type BodyOf, type ParamsOf, type QueryOf, type ResponseOf, type RouteSpec } from '../../../shared/api/index.js';
import type { SessionTokens } from '../../../shared/api/accounts.js';
import type { ApiError, ErrorCode } from '../../../shared/errors.js';
import { ApiErrorSchema } from '../../../shared/errors.js';
import type { SessionEndReason } from '../../../shared/realtime.js';
import type { TokenStorage } from './token-storage';

/** Why the console returned to sign-in: a server-side reason, or a refresh that failed. */
export type SignOutReason = SessionEndReason | 'expired';

/** Every failure of `call`: the server's ApiError, or a synthetic one (UNAVAILABLE etc.). */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  readonly error: ApiError;
  constructor(error: ApiError, options?: { cause?: unknown }) {
    super(error.message, options);
    this.error = error;
  }
  get code(): ErrorCode {
    return this.error.code;
  }
  get statusCode(): number {
    return this.error.statusCode;
  }
}

export function isApiCallError(err: unknown): err is ApiCallError {
  return err instanceof ApiCallError;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ApiClientDeps {
  fetch: FetchLike;
  /** Backend base URL (no trailing slash), or null when none is configured yet. */
  baseUrl: () => Promise<string | null> | string | null;
  tokens: TokenStorage;
  /** Serialises refreshes across tabs (navigator.locks); defaults to running directly. */
  withRefreshLock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** A refresh produced new tokens (already saved). */
  onRefreshed?: (tokens: SessionTokens) => void;
  /** The session is gone; tokens are already cleared. */
  onSignOut: (reason: SignOutReason) => void;
  /** Per-request timeout in milliseconds (default 15 000). */
  timeoutMs?: number;
  /** Current time, for expiry checks (tests pin it). */
  now?: () => number;
}

/** Keys whose value may be undefined become optional (`before: string | undefined`). */
type UndefinedOptional<T> = T extends object
  ? { [K in keyof T as undefined extends T[K] ? K : never]?: T[K] } & {
      [K in keyof T as undefined extends T[K] ? never : K]: T[K];
    }
  : T;
type Slot<K extends string, T> = [T] extends [undefined] ? { [P in K]?: undefined } : { [P in K]: T };

/** What `call` takes for a route: `{ params?, query?, body? }`, each present iff the route declares it. */
export type CallInput<R> = Slot<'params', ParamsOf<R>> &
  Slot<'query', UndefinedOptional<QueryOf<R>>> &
  Slot<'body', BodyOf<R>>;

export interface CallOptions {
  signal?: AbortSignal;
}

type CallArgs<R> = object extends CallInput<R>
  ? [input?: CallInput<R>, options?: CallOptions]
  : [input: CallInput<R>, options?: CallOptions];

export interface ApiClient {
  call<R extends RouteSpec>(route: R, ...args: CallArgs<R>): Promise<ResponseOf<R>>;
  /** Rotates the refresh token; concurrent callers share one request. */
  refresh(): Promise<SessionTokens>;
  /** A usable access token, refreshing first when it is missing or about to expire. */
  freshAccessToken(): Promise<string | null>;
}

/** Refresh on demand when the access token has less than this left. */
const EXPIRY_MARGIN_MS = 10_000;
/** Refresh failures that do not mean the session is gone: try again later. */
const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set(['UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL']);

/** `/api/users/:id` + `{ id }` → `/api/users/<id>` (URI-encoded). */
export function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null || value === '') {
      throw new Error(`Missing path parameter "${name}" for ${path}`);
    }
    return encodeURIComponent(String(value));
  });
}

/** `{ limit: 50, before: undefined, tags: ['a','b'] }` → `?limit=50&tags=a&tags=b`. */
export function buildQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === undefined || v === null) continue;
      search.append(key, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

/** Zod issues in the server's `{ path, message }` shape, so both sources render alike. */
export function zodIssues(error: z.ZodError): NonNullable<ApiError['issues']> {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

function unavailable(message: string, cause?: unknown): ApiCallError {
  return new ApiCallError({ statusCode: 0, code: 'UNAVAILABLE', message }, { cause });
}

/** Turns a non-2xx answer into an ApiError, even when a proxy answered with HTML. */
function errorFromResponse(status: number, text: string): ApiError {
  try {
    const parsed = ApiErrorSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: fall through
  }
  if (status === 502 || status === 503 || status === 504) {
    return { statusCode: status, code: 'UNAVAILABLE', message: `HTTP ${status}` };
  }
  if (status === 429) return { statusCode: status, code: 'RATE_LIMITED', message: 'Too many requests' };
  if (status === 401) return { statusCode: status, code: 'UNAUTHENTICATED', message: 'Unauthenticated' };
  if (status === 403) return { statusCode: status, code: 'FORBIDDEN', message: 'Forbidden' };
  if (status === 404) return { statusCode: status, code: 'NOT_FOUND', message: 'Not found' };
  return { statusCode: status, code: 'INTERNAL', message: `HTTP ${status}` };
}

export function createApiClient(deps: ApiClientDeps): ApiClient {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const withLock = deps.withRefreshLock ?? (<T>(fn: () => Promise<T>) => fn());
  let inflightRefresh: Promise<SessionTokens> | null = null;

  async function send<R extends RouteSpec>(
    route: R,
    input: { params?: unknown; query?: unknown; body?: unknown },
    accessToken: string | null,
    options: CallOptions | undefined,
  ): Promise<ResponseOf<R>> {
    const base = await deps.baseUrl();
    if (!base) throw unavailable('No server URL configured');

    const url =
      base.replace(/\/+$/, '') +
      fillPath(route.path, input.params as Record<string, unknown> | undefined) +
      buildQuery(input.query as Record<string, unknown> | undefined);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (accessToken) headers['authorization'] = `Bearer ${accessToken}`;
    let body: string | undefined;
    if (route.body) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(input.body ?? {});
    }

    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await deps.fetch(url, { method: route.method, headers, body, signal });
    } catch (err) {
      if (options?.signal?.aborted) throw err; // the caller cancelled: not an outage
      throw unavailable(err instanceof Error ? err.message : 'Network error', err);
    }

    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw unavailable('Connection dropped while reading the response', err);
    }
    if (!response.ok) throw new ApiCallError(errorFromResponse(response.status, text));

    if (response.status === 204 || text === '') return route.response.parse(null) as ResponseOf<R>;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new ApiCallError({ statusCode: response.status, code: 'INTERNAL', message: 'Response is not JSON' }, { cause: err });
    }
    const parsed = route.response.safeParse(json);
    if (!parsed.success) {
      throw new ApiCallError(
        { statusCode: response.status, code: 'INTERNAL', message: `Response of ${route.method} ${route.path} breaks its contract`, issues: zodIssues(parsed.error) },
      );
    }
    return parsed.data as ResponseOf<R>;
  }

  function signOut(reason: SignOutReason): void {
    deps.tokens.clear();
    deps.onSignOut(reason);
  }

  async function runRefresh(): Promise<SessionTokens> {
    return withLock(async () => {
      // Read storage inside the lock: another tab may have rotated the token meanwhile.
      const stored = deps.tokens.stored();
      if (!stored) {
        signOut('expired');
        throw new ApiCallError({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'No stored session' });
      }
      try {
        const tokens = await send(api.refresh, { body: { refreshToken: stored.refreshToken } }, null, undefined);
        deps.tokens.save(tokens);
        deps.onRefreshed?.(tokens);
        return tokens;
      } catch (err) {
        if (isApiCallError(err) && !TRANSIENT_CODES.has(err.code)) {
          signOut(err.code === 'SESSION_REVOKED' ? 'revoked' : err.code === 'ACCOUNT_DISABLED' ? 'disabled' : 'expired');
        }
        throw err;
      }
    });
  }

  function refresh(): Promise<SessionTokens> {
    inflightRefresh ??= runRefresh().finally(() => {
      inflightRefresh = null;
    });
    return inflightRefresh;
  }

  async function freshAccessToken(): Promise<string | null> {
    const token = deps.tokens.accessToken();
    const expiresAt = deps.tokens.accessTokenExpiresAt();
    if (token && expiresAt !== null && expiresAt - now() > EXPIRY_MARGIN_MS) return token;
    if (!deps.tokens.stored()) return token;
    return (await refresh()).accessToken;
  }

  async function call<R extends RouteSpec>(route: R, ...args: CallArgs<R>): Promise<ResponseOf<R>> {
    const input = (args[0] ?? {}) as { params?: unknown; query?: unknown; body?: unknown };
    const options = args[1];

    if (route.body) {
      const checked = route.body.safeParse(input.body);
      if (!checked.success) {
        throw new ApiCallError({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'Invalid input', issues: zodIssues(checked.error) });
      }
    }
    if (route.access === 'public') return send(route, input, null, options);

    let token = await freshAccessToken();
    for (let attempt = 0; ; attempt++) {
      try {
        return await send(route, input, token, options);
      } catch (err) {
        if (!isApiCallError(err) || err.statusCode !== 401 || attempt > 0) throw err;
        const current = deps.tokens.accessToken();
        if (current && current !== token) {
          token = current; // someone refreshed (or signed in again) while we were waiting
          continue;
        }
        if (err.code === 'TOKEN_EXPIRED') {
          token = (await refresh()).accessToken;
          continue;
        }
        if (current === token && token !== null) signOut(err.code === 'SESSION_REVOKED' ? 'revoked' : 'expired');
        throw err;
      }
    }
  }

  return { call, refresh, freshAccessToken };
}
