/**
 * Our managed Kamailio with real SIP traffic: ephemeral credentials register, forged,
 * expired and revoked ones are refused, and the supervisor restarts a killed Kamailio
 * and re-arms revocations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralCredentials } from '../../src/server/telephony/sip-credentials.js';
import { sipRegister } from '../harness/sip-udp-client.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../harness/telephony.js';
import { ADMIN_PASSWORD } from '../harness/test-app.js';

describe('managed Kamailio and ephemeral SIP credentials', () => {
  let t: TelephonyTestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTelephonyTestApp();
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    await t.as(admin)('POST', '/api/users', { username: 'agent1', displayName: '坐席一', password: 'Agent-pass-1', roles: ['agent'], extension: '1001' });
  });
  afterAll(() => t?.close());

  const register = (username: string, password: string, extension = '1001') =>
    sipRegister({ host: '127.0.0.1', port: t.sip.port, domain: '127.0.0.1', extension, username, password });

  it('runs Kamailio as a supervised child answering JSON-RPC', async () => {
    expect(t.kamailio?.process.state).toBe('running');
    const version = await t.kamailio!.rpc.call<string>('core.version');
    expect(String(version)).toMatch(/kamailio 5\./);
  });

  it('accepts the credentials the backend issues and refuses forged or expired ones', async () => {
    const s = await t.login('agent1', 'Agent-pass-1');
    const p = (await t.as(s.accessToken)('GET', '/api/softphone/profile')).json();
    expect(await register(p.authorizationUsername, p.password)).toMatchObject({ status: 200 });
    expect((await register(p.authorizationUsername, 'forged-password')).status).toBe(401);
    // Another extension's credentials cannot register 1001.
    const other = (await t.as(s.accessToken)('GET', '/api/softphone/profile')).json();
    expect((await register(other.authorizationUsername, other.password, '1002')).status).toBe(403);
    const secret = (await t.db.selectFrom('server_secret').select('value').where('name', '=', 'sip').executeTakeFirstOrThrow()).value;
    const expired = ephemeralCredentials(secret, '1001', Math.floor(Date.now() / 1000) - 5);
    expect((await register(expired.username, expired.password)).status).toBe(401);
  });

  it('refuses a signed-out agent whose credentials have not expired yet, and drops the registration', async () => {
    const s = await t.login('agent1', 'Agent-pass-1');
    const p = (await t.as(s.accessToken)('GET', '/api/softphone/profile')).json();
    expect((await register(p.authorizationUsername, p.password)).status).toBe(200);
    await t.as(admin)('POST', `/api/users/${s.userId}/sessions/revoke`);
    await expect.poll(async () => (await register(p.authorizationUsername, p.password)).status, { timeout: 3000 }).toBe(403);
    // The revocation reaches Kamailio after the HTTP reply (sign-out hook): htable first, then ul.rm.
    await expect.poll(async () => JSON.stringify(await t.kamailio!.rpc.call('ul.lookup', 'location', '1001').catch((e: Error) => e.message)), { timeout: 3000 })
      .toMatch(/not found|404/i);
    // Signing in again gives credentials that work.
    const again = await t.login('agent1', 'Agent-pass-1');
    const fresh = (await t.as(again.accessToken)('GET', '/api/softphone/profile')).json();
    expect((await register(fresh.authorizationUsername, fresh.password)).status).toBe(200);
  });

  it('restarts a crashed Kamailio and re-arms revocations', async () => {
    const s = await t.login('agent1', 'Agent-pass-1');
    const p = (await t.as(s.accessToken)('GET', '/api/softphone/profile')).json();
    await t.as(admin)('POST', `/api/users/${s.userId}/sessions/revoke`);
    await expect.poll(async () => (await register(p.authorizationUsername, p.password)).status, { timeout: 3000 }).toBe(403);
    const pid = t.kamailio!.process.pid;
    t.kamailio!.process.kill();
    await expect.poll(() => t.kamailio!.process.state === 'running' && t.kamailio!.process.pid !== pid, { timeout: 10_000 }).toBe(true);
    expect(t.kamailio!.process.crashes).toBe(1);
    // Still refused after the restart emptied Kamailio's memory.
    expect((await register(p.authorizationUsername, p.password)).status).toBe(403);
  });
});
