import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';
import { openSocket } from '../harness/realtime-client.js';

const open = (url: string, token?: string) => openSocket(url, token ? { token } : {});

describe('Socket.IO sessions', () => {
  let t: TestApp;
  let url: string;
  let admin: string;
  let agentId: string;
  beforeAll(async () => {
    t = await createTestApp({}, { listen: true });
    url = baseUrl(t.app);
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    agentId = (await t.as(admin)('POST', '/api/users', { username: 'live1', displayName: 'x', password: 'Agent-pass-1', roles: ['agent'] })).json().id;
  });
  afterAll(() => t.close());

  it('refuses connections without a valid token, naming why', async () => {
    await expect(open(url)).rejects.toThrow('UNAUTHENTICATED');
    await expect(open(url, 'garbage')).rejects.toThrow('UNAUTHENTICATED');
    const s = await t.login('live1', 'Agent-pass-1');
    await t.as(s.accessToken)('POST', '/api/auth/logout');
    await expect(open(url, s.accessToken)).rejects.toThrow('SESSION_REVOKED');
  });

  it('answers requests through acks and validates their payloads', async () => {
    const s = await t.login('live1', 'Agent-pass-1');
    const socket = await open(url, s.accessToken);
    const ok = await socket.timeout(2000).emitWithAck('presence:ping', { sentAt: Date.now() });
    expect(ok).toMatchObject({ ok: true, data: { serverTime: expect.any(String) } });
    const bad = await socket.timeout(2000).emitWithAck('presence:ping', { sentAt: 'yesterday' } as never);
    expect(bad).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    socket.close();
  });

  it('signs a console out live when an admin revokes its sessions', async () => {
    const s = await t.login('live1', 'Agent-pass-1');
    const socket = await open(url, s.accessToken);
    const ended = new Promise<string>((resolve) => socket.on('session:ended', (p) => resolve(p.reason)));
    const dropped = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
    expect((await t.as(admin)('POST', `/api/users/${agentId}/sessions/revoke`)).statusCode).toBe(204);
    expect(await ended).toBe('revoked');
    expect(await dropped).toBe('io server disconnect');
    expect((await t.as(s.accessToken)('GET', '/api/me')).json().code).toBe('SESSION_REVOKED');
    const audit = (await t.as(admin)('GET', '/api/audit?action=session.revoked')).json().items;
    expect(audit[0]).toMatchObject({ targetId: agentId, actorName: 'admin' });
    expect(audit[0].detail.sessions).toBeGreaterThanOrEqual(1);
  });

  it('a logout in one place ends only that session', async () => {
    const a = await t.login('live1', 'Agent-pass-1');
    const b = await t.login('live1', 'Agent-pass-1');
    const sa = await open(url, a.accessToken);
    const sb = await open(url, b.accessToken);
    const endedA = new Promise<string>((resolve) => sa.on('session:ended', (p) => resolve(p.reason)));
    let bEnded = false;
    sb.on('session:ended', () => (bEnded = true));
    await t.as(a.accessToken)('POST', '/api/auth/logout');
    expect(await endedA).toBe('logout');
    await new Promise((r) => setTimeout(r, 200));
    expect(bEnded).toBe(false);
    expect(sb.connected).toBe(true);
    sb.close();
  });

  it('shuts down promptly with consoles connected, telling them to reconnect elsewhere', async () => {
    const other = await createTestApp({}, { listen: true });
    const s = await other.login('admin', ADMIN_PASSWORD);
    const socket = await open(baseUrl(other.app), s.accessToken);
    const dropped = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await dropped).toMatch(/disconnect|transport close/);
  });
});
