/**
 * Province gateway test kit: a fresh migrated database (PGlite or PostgreSQL per DATABASE_URL),
 * a province simulator on a free port, and dispatchers wired to it.
 */
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { openDatabase, type Db } from '../../src/server/db/database.js';
import { migrate } from '../../src/server/db/migrate.js';
import { ProvinceClient } from '../../src/server/modules/province/province-client.js';
import { ProvinceDispatcher, type DispatcherOptions } from '../../src/server/modules/province/dispatcher.js';
import { RequestSigner, type SigningConfig } from '../../src/server/modules/province/signing.js';
import { ProvinceSimulator, type SimOptions } from '../../tools/province-sim/simulator.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const testSigning: SigningConfig = { method: 'HMAC-SHA256', appKey: 'city-test', secret: 'test-province-secret-0123456789' };

export const quietLog = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

export interface ProvinceKit {
  database: TestDatabase;
  db: Db;
  sim: ProvinceSimulator;
  client(timeoutMs?: number): ProvinceClient;
  dispatcher(node: string, opts?: Partial<DispatcherOptions>, timeoutMs?: number): ProvinceDispatcher;
  close(): Promise<void>;
}

export async function createProvinceKit(simOpts: Partial<SimOptions> = {}, poolSize?: number): Promise<ProvinceKit> {
  const database = await createTestDatabase();
  const { db } = await openDatabase({ databaseUrl: database.config.databaseUrl, dataDir: '.', inMemory: true, ...(poolSize ? { poolSize } : {}) });
  await migrate(db);
  const sim = new ProvinceSimulator({ signing: testSigning, ...simOpts });
  await sim.listen();
  const dispatchers: ProvinceDispatcher[] = [];
  const client = (timeoutMs = 2000) => new ProvinceClient({ baseUrl: sim.url, signer: new RequestSigner(simOpts.signing ?? testSigning), timeoutMs });
  return {
    database,
    db,
    sim,
    client,
    dispatcher(node, opts = {}, timeoutMs = 2000) {
      const d = new ProvinceDispatcher(db, client(timeoutMs), {
        node, intervalMs: 20, leaseMs: 4000, backoffInitialMs: 20, backoffMaxMs: 500, breakerThreshold: 5, breakerHalfOpenMs: 300, ...opts,
      }, quietLog);
      dispatchers.push(d);
      return d;
    },
    async close() {
      for (const d of dispatchers) d.abort();
      await sim.close();
      await db.destroy();
      await database.drop();
    },
  };
}

/** Polls until `check` is true or the deadline passes (then throws with `what`). */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000, everyMs = 25): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
