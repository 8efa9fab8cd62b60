import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness/test-app.js';

describe('system routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness and readiness with the database kind and applied migrations', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', database: t.database.kind });
    expect(ready.json().migrations).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(process.env.DATABASE_URL === undefined)('survives PostgreSQL dropping its idle connections (restart, failover) and serves again', async () => {
    expect((await t.app.inject('/readyz')).statusCode).toBe(200); // the pool holds idle connections now
    const dbName = new URL(t.config.databaseUrl!).pathname.slice(1);
    const killer = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await killer.connect();
    const killed = await killer.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
    await killer.end();
    expect(killed.rowCount).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200)); // the idle clients hear of it
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
  });

  it('serves an OpenAPI document generated from the shared route schemas', async () => {
    const res = await t.app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown }>> }>();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/users', '/api/users/{id}', '/readyz']));
    expect(doc.paths['/api/users']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/api/users']?.get?.security).toEqual([{ bearer: [] }]);
  });

  it('answers unknown routes and malformed JSON with an ApiError body', async () => {
    const nf = await t.app.inject('/api/nope');
    expect(nf.statusCode).toBe(404);
    expect(nf.json()).toMatchObject({ code: 'NOT_FOUND' });
    const bad = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('reports the site for the sign-in page', async () => {
    const res = await t.app.inject('/api/site');
    expect(res.json()).toMatchObject({ demo: false, name: expect.any(String), version: expect.any(String) });
  });

  it('lets the desktop console (app://desktop) call the API cross-origin, and no other origin', async () => {
    const pre = (origin: string) =>
      t.app.inject({ method: 'OPTIONS', url: '/api/me', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    const ok = await pre('app://desktop');
    expect(ok.headers['access-control-allow-origin']).toBe('app://desktop');
    expect(String(ok.headers['access-control-allow-headers'])).toContain('authorization');
    const evil = await pre('https://evil.example');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });
});
