import { describe, expect, it, vi } from 'vitest';
import { api } from '../../../shared/api/index.js';
import type { CurrentUser, SessionTokens } from '../../../shared/api/accounts.js';
import { ApiCallError, buildQuery, createApiClient, fillPath, type FetchLike, type SignOutReason } from './api-client';
import { createTokenStorage, SESSION_STORAGE_KEY, type KeyValueStorage } from './token-storage';

const BASE = 'https://hotline.example.gov.cn';
const USER_ID = '6f1c1f0e-4b6b-4c1e-9a55-0d6c2b1e7a01';
const user: CurrentUser = {
  id: USER_ID,
  username: 'agent1',
  displayName: '坐席一',
  roles: ['agent'],
  permissions: ['console:use'],
  groupIds: [],
  extension: '8001',
};

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

function tokens(n: number, expiresInMs = 15 * 60_000): SessionTokens {
  return {
    accessToken: `access-${n}`,
    accessTokenExpiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    refreshToken: `refresh-token-number-${n}-padding`,
    user,
  };
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const apiError = (statusCode: number, code: string, extra: object = {}): Response =>
  json(statusCode, { statusCode, code, message: code, ...extra });

interface Recorded {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
}

/** A fake server: records requests and answers with `handler`. */
function fakeFetch(handler: (req: Recorded) => Response | Promise<Response>) {
  const requests: Recorded[] = [];
  const fetch: FetchLike = async (url, init) => {
    const headers = init.headers as Record<string, string>;
    const req: Recorded = {
      method: init.method ?? 'GET',
      url,
      auth: headers['authorization'],
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(req);
    return handler(req);
  };
  return { fetch, requests };
}

function setup(handler: (req: Recorded) => Response | Promise<Response>, initial: SessionTokens | null = tokens(1)) {
  const storage = memoryStorage();
  const store = createTokenStorage(storage, () => BASE);
  if (initial) store.save(initial);
  const server = fakeFetch(handler);
  const signOuts: SignOutReason[] = [];
  const onRefreshed = vi.fn();
  const client = createApiClient({
    fetch: server.fetch,
    baseUrl: () => BASE + '/',
    tokens: store,
    onRefreshed,
    onSignOut: (r) => signOuts.push(r),
  });
  return { client, store, storage, requests: server.requests, signOuts, onRefreshed };
}

describe('fillPath / buildQuery', () => {
  it('fills and encodes path parameters', () => {
    expect(fillPath('/api/users/:id/sessions/revoke', { id: 'a b/c' })).toBe('/api/users/a%20b%2Fc/sessions/revoke');
  });
  it('refuses a missing parameter', () => {
    expect(() => fillPath('/api/users/:id', {})).toThrow(/id/);
  });
  it('builds a query string, skipping undefined and null, repeating arrays', () => {
    expect(buildQuery({ limit: 50, before: undefined, action: null, tag: ['a', 'b'], q: '登 录' })).toBe(
      '?limit=50&tag=a&tag=b&q=%E7%99%BB+%E5%BD%95',
    );
    expect(buildQuery({ before: undefined })).toBe('');
    expect(buildQuery(undefined)).toBe('');
  });
});

describe('call', () => {
  it('sends method, URL with params and query, bearer token and JSON body', async () => {
    const t = setup((req) =>
      req.url.includes('/api/audit')
        ? json(200, { items: [] })
        : json(200, { id: USER_ID, username: 'agent1', displayName: '新名字', roles: ['agent'], groupIds: [], extension: null, disabled: false, lockedUntil: null, lastLoginAt: null, createdAt: new Date().toISOString() }),
    );
    const updated = await t.client.call(api.updateUser, { params: { id: USER_ID }, body: { displayName: '新名字' } });
    expect(updated.displayName).toBe('新名字');
    await t.client.call(api.listAudit, { query: { limit: 20, before: '42' } });

    expect(t.requests).toEqual([
      { method: 'PATCH', url: `${BASE}/api/users/${USER_ID}`, auth: 'Bearer access-1', body: { displayName: '新名字' } },
      { method: 'GET', url: `${BASE}/api/audit?limit=20&before=42`, auth: 'Bearer access-1', body: undefined },
    ]);
  });

  it('sends no token to public routes', async () => {
    const t = setup(() => json(200, { name: '12345', version: '1', demo: true, serverTime: new Date().toISOString(), sipWebSocketUrls: [] }));
    const site = await t.client.call(api.site);
    expect(site.demo).toBe(true);
    expect(t.requests[0]?.auth).toBeUndefined();
  });

  it('answers 204 routes with null', async () => {
    const t = setup(() => new Response(null, { status: 204 }));
    await expect(t.client.call(api.revokeSessions, { params: { id: USER_ID } })).resolves.toBeNull();
  });

  it('validates the body with the route schema before sending', async () => {
    const t = setup(() => json(500, {}));
    const err = await t.client
      .call(api.createUser, { body: { username: 'X!', displayName: '', password: 'short', roles: [] } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    const e = err as ApiCallError;
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['username', 'displayName', 'password', 'roles']));
    expect(t.requests).toHaveLength(0);
  });

  it('surfaces server errors as ApiCallError with the ApiError', async () => {
    const t = setup(() => apiError(423, 'ACCOUNT_LOCKED', { retryAfter: 600 }));
    const err = (await t.client.call(api.login, { body: { username: 'agent1', password: 'x' } }).catch((e: unknown) => e)) as ApiCallError;
    expect(err.code).toBe('ACCOUNT_LOCKED');
    expect(err.error.retryAfter).toBe(600);
    expect(t.signOuts).toEqual([]);
  });

  it('maps an unreachable server to UNAVAILABLE', async () => {
    const t = setup(() => Promise.reject(new TypeError('fetch failed')));
    await expect(t.client.call(api.site)).rejects.toMatchObject({ code: 'UNAVAILABLE', statusCode: 0 });
  });

  it('maps a proxy error page to UNAVAILABLE', async () => {
    const t = setup(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(t.client.call(api.site)).rejects.toMatchObject({ code: 'UNAVAILABLE', statusCode: 502 });
  });

  it('rejects a response that breaks its contract', async () => {
    const t = setup(() => json(200, { name: 1 }));
    await expect(t.client.call(api.site)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('refuses to send without a server URL', async () => {
    const store = createTokenStorage(memoryStorage(), () => null);
    const client = createApiClient({ fetch: () => Promise.reject(new Error('no')), baseUrl: () => null, tokens: store, onSignOut: () => undefined });
    await expect(client.call(api.site)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('token refresh', () => {
  it('refreshes once for concurrent TOKEN_EXPIRED answers and retries each call', async () => {
    let refreshes = 0;
    const t = setup(async (req) => {
      if (req.url.endsWith('/api/auth/refresh')) {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10)); // let all three calls queue on it
        return json(200, tokens(2));
      }
      if (req.auth === 'Bearer access-1') return apiError(401, 'TOKEN_EXPIRED');
      return json(200, user);
    });

    const results = await Promise.all([t.client.call(api.me), t.client.call(api.me), t.client.call(api.me)]);
    expect(results.map((u) => u.username)).toEqual(['agent1', 'agent1', 'agent1']);
    expect(refreshes).toBe(1);
    const refreshReq = t.requests.find((r) => r.url.endsWith('/api/auth/refresh'));
    expect(refreshReq?.body).toEqual({ refreshToken: tokens(1).refreshToken });
    expect(refreshReq?.auth).toBeUndefined();
    expect(t.requests.filter((r) => r.auth === 'Bearer access-2')).toHaveLength(3);
    expect(t.store.accessToken()).toBe('access-2');
    expect(JSON.parse(t.storage.data.get(SESSION_STORAGE_KEY) ?? '{}')).toMatchObject({ refreshToken: tokens(2).refreshToken });
    expect(t.onRefreshed).toHaveBeenCalledTimes(1);
    expect(t.signOuts).toEqual([]);
  });

  it('refreshes before sending when the access token is about to expire', async () => {
    const t = setup((req) => (req.url.endsWith('/api/auth/refresh') ? json(200, tokens(2)) : json(200, user)), tokens(1, 5_000));
    await t.client.call(api.me);
    expect(t.requests.map((r) => r.url.replace(BASE, ''))).toEqual(['/api/auth/refresh', '/api/me']);
    expect(t.requests[1]?.auth).toBe('Bearer access-2');
  });

  it('retries at most once', async () => {
    const t = setup((req) => (req.url.endsWith('/api/auth/refresh') ? json(200, tokens(2)) : apiError(401, 'TOKEN_EXPIRED')));
    await expect(t.client.call(api.me)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(t.requests).toHaveLength(3); // call, refresh, retry
  });

  it('signs out when the server refuses the refresh token', async () => {
    const t = setup((req) => (req.url.endsWith('/api/auth/refresh') ? apiError(401, 'SESSION_REVOKED') : apiError(401, 'TOKEN_EXPIRED')));
    await expect(t.client.call(api.me)).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
    expect(t.signOuts).toEqual(['revoked']);
    expect(t.store.accessToken()).toBeNull();
    expect(t.storage.data.has(SESSION_STORAGE_KEY)).toBe(false);
  });

  it('keeps the session when the refresh fails because the server is unreachable', async () => {
    const t = setup((req) => (req.url.endsWith('/api/auth/refresh') ? Promise.reject(new TypeError('offline')) : apiError(401, 'TOKEN_EXPIRED')));
    await expect(t.client.call(api.me)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(t.signOuts).toEqual([]);
    expect(t.storage.data.has(SESSION_STORAGE_KEY)).toBe(true);
  });

  it('signs out on SESSION_REVOKED without trying to refresh', async () => {
    const t = setup(() => apiError(401, 'SESSION_REVOKED'));
    await expect(t.client.call(api.listUsers)).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
    expect(t.signOuts).toEqual(['revoked']);
    expect(t.requests).toHaveLength(1);
  });

  it('does not sign out for a wrong password', async () => {
    const t = setup(() => apiError(401, 'INVALID_CREDENTIALS'));
    await expect(t.client.call(api.login, { body: { username: 'agent1', password: 'nope' } })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(t.signOuts).toEqual([]);
  });

  it('serialises refreshes through the injected lock', async () => {
    const order: string[] = [];
    const storage = memoryStorage();
    const store = createTokenStorage(storage, () => BASE);
    store.save(tokens(1));
    let n = 1;
    const client = createApiClient({
      fetch: fakeFetch(() => json(200, tokens(++n))).fetch,
      baseUrl: () => BASE,
      tokens: store,
      withRefreshLock: async (fn) => {
        order.push('lock');
        const result = await fn();
        order.push('unlock');
        return result;
      },
      onSignOut: () => undefined,
    });
    await client.refresh();
    expect(order).toEqual(['lock', 'unlock']);
    expect(store.accessToken()).toBe('access-2');
  });
});
