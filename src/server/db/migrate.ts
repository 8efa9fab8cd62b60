/**
 * Forward-only SQL migrations (db/migrations/NNNN_name.sql), applied in order at start
 * under a PostgreSQL advisory lock so several nodes starting together apply each once.
 * An applied file whose content changed stops the start: history is never rewritten.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './database.js';

const MIGRATION_LOCK = 7_412_345; // arbitrary, constant: "12345"
const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    });
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Applies pending migrations; returns how many are applied in total. */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<{ applied: string[]; total: number }> {
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migration (
        version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`.execute(conn);
      const done = await conn.selectFrom('schema_migration').selectAll().execute();
      const byVersion = new Map(done.map((m) => [m.version, m]));
      for (const m of migrations) {
        const prior = byVersion.get(m.version);
        if (prior && prior.checksum !== m.checksum) {
          throw new MigrationError(`migration ${m.name} was changed after it was applied; add a new migration instead`);
        }
      }
      const applied: string[] = [];
      for (const m of migrations) {
        if (byVersion.has(m.version)) continue;
        await conn.transaction().execute(async (tx) => {
          await sql.raw(m.sql).execute(tx);
          await tx.insertInto('schema_migration').values({ version: m.version, name: m.name, checksum: m.checksum }).execute();
        });
        applied.push(m.name);
      }
      return { applied, total: byVersion.size + applied.length };
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}

/** For /readyz: number of applied migrations, and whether all known ones are. */
export async function migrationStatus(db: Db): Promise<{ applied: number; pending: number }> {
  const known = loadMigrations().length;
  const row = await db.selectFrom('schema_migration').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const applied = Number(row.n);
  return { applied, pending: Math.max(0, known - applied) };
}
