/**
 * Opens the database: PostgreSQL when a URL is configured, otherwise the embedded PGlite
 * (a directory on disk, or memory for tests). Both speak the same SQL and migrations.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { PGliteDialect } from './pglite-dialect.js';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  inMemory: boolean;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** Told when PostgreSQL drops an idle pooled connection (restart, failover, admin kill). */
  onIdleError?: (err: Error) => void;
}

export interface OpenDatabase {
  db: Db;
  /** 'postgresql' or 'pglite', for /readyz and logs. */
  kind: 'postgresql' | 'pglite';
}

// timestamptz/int8 parsing must match PGlite's (Date and number) so code sees one shape.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export async function openDatabase(opts: DatabaseOptions): Promise<OpenDatabase> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // pg re-emits an idle client's error on the pool; unheard, it is an uncaught exception that
    // ends the process. The pool discards that client and opens a new one on the next query.
    pool.on('error', (err) => opts.onIdleError?.(err));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgresql' };
  }
  let pglite: PGlite;
  // Contrib extensions the migrations CREATE must be loaded into the WASM build here
  // (on PostgreSQL they come with postgresql-contrib): pg_trgm backs ticket search (0022).
  const extensions = { pg_trgm };
  if (opts.inMemory) {
    pglite = await PGlite.create({ extensions });
  } else {
    const dir = `${opts.dataDir.replace(/\/$/, '')}/pglite`;
    mkdirSync(dir, { recursive: true });
    pglite = await PGlite.create(dir, { extensions });
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, kind: 'pglite' };
}
