import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

describe('sign-in, tokens and lockout', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp({ loginMaxFailures: 3, loginLockout: 600, loginRatePerIp: 1000 });
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    const res = await t.as(admin)('POST', '/api/users', {
      username: 'agent7', displayName: '测试坐席', password: 'Agent-pass-7', roles: ['agent'], extension: '1007',
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it('signs in and returns the current user with permissions', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'Agent7 ', password: 'Agent-pass-7' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ username: 'agent7', roles: ['agent'], extension: '1007' });
    // What an agent may do, and nothing of a supervisor's or an admin's.
    expect(body.user.permissions).toEqual(expect.arrayContaining(['console:use', 'recordings:listen', 'tickets:register']));
    expect(body.user.permissions).not.toEqual(expect.arrayContaining(['floor:watch']));
    expect(body.user.permissions).not.toEqual(expect.arrayContaining(['users:manage']));
    const me = await t.as(body.accessToken)('GET', '/api/me');
    expect(me.json()).toMatchObject({ username: 'agent7' });
  });

  it('rejects a wrong password and an unknown user alike, and audits both', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ghost', password: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().code).toBe('INVALID_CREDENTIALS');
    expect(unknown.json()).toEqual(wrong.json());
    const audit = await t.as(admin)('GET', '/api/audit?action=auth.login_failed');
    const reasons = audit.json().items.map((e: { detail: { reason: string } }) => e.detail.reason);
    expect(reasons).toEqual(expect.arrayContaining(['bad_password', 'unknown_user']));
    // Reset the admin's failure counter for the following tests.
    await t.login('admin', ADMIN_PASSWORD);
  });

  it('locks an account after repeated failures, refuses even the right password, and an admin unlocks it', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'agent7', password: 'bad-pass-0' } });
      expect(r.json().code).toBe('INVALID_CREDENTIALS');
    }
    const locked = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'agent7', password: 'Agent-pass-7' } });
    expect(locked.statusCode).toBe(423);
    expect(locked.json()).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    expect(locked.json().retryAfter).toBeGreaterThan(500);

    const users = (await t.as(admin)('GET', '/api/users')).json().items as { id: string; username: string; lockedUntil: string | null }[];
    const agent = users.find((u) => u.username === 'agent7')!;
    expect(agent.lockedUntil).not.toBeNull();
    const unlocked = await t.as(admin)('PATCH', `/api/users/${agent.id}`, { unlock: true });
    expect(unlocked.json().lockedUntil).toBeNull();
    await t.login('agent7', 'Agent-pass-7');
    const actions = (await t.as(admin)('GET', '/api/audit')).json().items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.locked', 'user.unlocked', 'auth.login']));
  });

  it('rotates refresh tokens and ends the session when a used one comes back', async () => {
    const first = await t.login('agent7', 'Agent-pass-7');
    const r1 = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: first.refreshToken } });
    expect(r1.statusCode).toBe(200);
    const second = r1.json();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await t.as(second.accessToken)('GET', '/api/me')).statusCode).toBe(200);

    const replay = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: first.refreshToken } });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('SESSION_REVOKED');
    // The thief's replay also ended the legitimate holder's session.
    const me = await t.as(second.accessToken)('GET', '/api/me');
    expect(me.json().code).toBe('SESSION_REVOKED');
    const again = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: second.refreshToken } });
    expect(again.json().code).toBe('SESSION_REVOKED');
  });

  it('logout revokes the access token at once', async () => {
    const s = await t.login('agent7', 'Agent-pass-7');
    expect((await t.as(s.accessToken)('POST', '/api/auth/logout')).statusCode).toBe(204);
    const me = await t.as(s.accessToken)('GET', '/api/me');
    expect(me.statusCode).toBe(401);
    expect(me.json().code).toBe('SESSION_REVOKED');
  });

  it('rejects missing, forged and expired tokens with distinct codes', async () => {
    expect((await t.app.inject('/api/me')).json().code).toBe('UNAUTHENTICATED');
    expect((await t.as('abc.def.ghi')('GET', '/api/me')).json().code).toBe('UNAUTHENTICATED');
    const [h, p] = admin.split('.');
    expect((await t.as(`${h}.${p}.AAAA`)('GET', '/api/me')).json().code).toBe('UNAUTHENTICATED');
    const short = await createTestApp({ accessTokenTtl: 1 });
    try {
      const s = await short.login('admin', ADMIN_PASSWORD);
      await new Promise((r) => setTimeout(r, 2100));
      const res = await short.as(s.accessToken)('GET', '/api/me');
      expect(res.json().code).toBe('TOKEN_EXPIRED');
    } finally {
      await short.close();
    }
  });

  it('disabling a user refuses sign-in and ends their sessions', async () => {
    const s = await t.login('agent7', 'Agent-pass-7');
    await t.as(admin)('PATCH', `/api/users/${s.userId}`, { disabled: true });
    expect((await t.as(s.accessToken)('GET', '/api/me')).json().code).toBe('SESSION_REVOKED');
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'agent7', password: 'Agent-pass-7' } });
    expect(res.json().code).toBe('ACCOUNT_DISABLED');
    await t.as(admin)('PATCH', `/api/users/${s.userId}`, { disabled: false });
  });
});

describe('per-IP sign-in throttle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ loginRatePerIp: 3 });
  });
  afterAll(() => t.close());

  it('answers 429 RATE_LIMITED past the per-minute budget', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `nobody${i}`, password: 'x' } });
      codes.push(r.statusCode);
      if (r.statusCode === 429) expect(r.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    }
    expect(codes).toEqual([401, 401, 401, 429, 429]);
  });
});
