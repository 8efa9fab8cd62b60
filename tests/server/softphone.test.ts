import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

describe('softphone profile (no SIP server needed)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    await t.as(admin)('POST', '/api/users', { username: 'agent1', displayName: '坐席一', password: 'Agent-pass-1', roles: ['agent'], extension: '1001' });
    await t.as(admin)('POST', '/api/users', { username: 'noext', displayName: '无分机', password: 'Agent-pass-1', roles: ['agent'] });
  });
  afterAll(() => t.close());

  it('issues short-lived auth_ephemeral credentials for the agent extension', async () => {
    const s = await t.login('agent1', 'Agent-pass-1');
    const res = await t.as(s.accessToken)('GET', '/api/softphone/profile');
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ extension: '1001', domain: '127.0.0.1', wsServers: ['ws://127.0.0.1:5066'], iceServers: [], iceGatheringTimeoutMs: 500, dtmfMode: 'rfc4733', hotlineNumber: '12345' });
    const [expiry, ext] = p.authorizationUsername.split(':');
    expect(ext).toBe('1001');
    const ttl = Number(expiry) - Date.now() / 1000;
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(601);
    expect(p.password).toBe(createHmac('sha1', 'test-sip-secret-0123456789').update(p.authorizationUsername).digest('base64'));
    expect(new Date(p.expiresAt).getTime()).toBe(Number(expiry) * 1000);
  });

  it('refuses users without an extension and without the console permission', async () => {
    const noext = await t.login('noext', 'Agent-pass-1');
    expect((await t.as(noext.accessToken)('GET', '/api/softphone/profile')).json().code).toBe('CONFLICT');
    expect((await t.as(admin)('GET', '/api/softphone/profile')).statusCode).toBe(403);
    expect((await t.app.inject('/api/softphone/profile')).statusCode).toBe(401);
  });

  it('after sign-out, new credentials expire later than every revoked one', async () => {
    const s = await t.login('agent1', 'Agent-pass-1');
    const before = (await t.as(s.accessToken)('GET', '/api/softphone/profile')).json();
    // End every session of the agent (one sign-out of several sessions keeps the phone registered).
    await t.as(admin)('POST', `/api/users/${s.userId}/sessions/revoke`);
    // Revocation runs right after the sign-out commits.
    await new Promise((r) => setTimeout(r, 100));
    const row = await t.db.selectFrom('sip_credential').selectAll().where('extension', '=', '1001').executeTakeFirstOrThrow();
    expect(Number(row.revoked_through)).toBe(Number(before.authorizationUsername.split(':')[0]));
    const again = await t.login('agent1', 'Agent-pass-1');
    const after = (await t.as(again.accessToken)('GET', '/api/softphone/profile')).json();
    expect(Number(after.authorizationUsername.split(':')[0])).toBeGreaterThan(Number(row.revoked_through));
  });

  it('serves the caller simulator profile only on demo sites', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/sim/profile', payload: { number: '13800138000' } });
    expect(res.statusCode).toBe(404);
    const bad = await t.app.inject({ method: 'POST', url: '/api/sim/profile', payload: { number: '12' } });
    expect(bad.statusCode).toBe(400);
    const demo = await createTestApp({ demo: true });
    try {
      const ok = await demo.app.inject({ method: 'POST', url: '/api/sim/profile', payload: { number: '13800138000' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().extension).toBe('13800138000');
    } finally {
      await demo.close();
    }
  });
});
