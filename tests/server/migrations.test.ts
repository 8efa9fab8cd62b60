import { mkdtempSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/server/db/database.js';
import { loadMigrations, migrate, MigrationError } from '../../src/server/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../harness/test-database.js';

const shipped = fileURLToPath(new URL('../../src/server/db/migrations/', import.meta.url));

describe('migrations', () => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = (await openDatabase({ databaseUrl: database.config.databaseUrl, dataDir: '.', inMemory: true })).db;
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('applies every migration once, even when started concurrently', async () => {
    const results = await Promise.all([migrate(db), migrate(db)]);
    const applied = results.flatMap((r) => r.applied);
    expect(applied).toEqual(loadMigrations().map((m) => m.name));
    expect((await migrate(db)).applied).toEqual([]);
  });

  it('refuses to start when an applied migration was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-'));
    for (const f of readdirSync(shipped)) copyFileSync(join(shipped, f), join(dir, f));
    const first = readdirSync(dir).sort()[0]!;
    writeFileSync(join(dir, first), '-- edited\n', { flag: 'a' });
    await expect(migrate(db, loadMigrations(dir))).rejects.toThrow(MigrationError);
  });
});
