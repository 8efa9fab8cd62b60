import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

describe('audit log', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is append-only at the database level', async () => {
    await t.login('admin', ADMIN_PASSWORD);
    const n = Number((await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.db)).rows[0]!.n);
    expect(n).toBeGreaterThan(0);
    await expect(sql`update audit_log set action = 'x'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
    const after = Number((await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.db)).rows[0]!.n);
    expect(after).toBe(n);
  });

  it('pages newest first with a keyset cursor', async () => {
    const admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    for (let i = 0; i < 3; i++) await t.login('admin', ADMIN_PASSWORD);
    const page1 = (await t.as(admin)('GET', '/api/audit?limit=2')).json().items;
    expect(page1).toHaveLength(2);
    expect(Number(page1[0].id)).toBeGreaterThan(Number(page1[1].id));
    const page2 = (await t.as(admin)('GET', `/api/audit?limit=2&before=${page1[1].id}`)).json().items;
    expect(Number(page2[0].id)).toBeLessThan(Number(page1[1].id));
    expect((await t.as(admin)('GET', '/api/audit?limit=9999')).statusCode).toBe(400);
  });
});
