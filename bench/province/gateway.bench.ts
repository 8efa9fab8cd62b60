/**
 * Province gateway: drain a backlog of outbox events into the province simulator (events/s,
 * peak RSS of this process, which also hosts the simulator), and forwarding lag at a steady
 * rate of ticket changes (enqueue commit → stored by the province, p50/p95) with the default
 * dispatcher settings. PGlite unless DATABASE_URL names a PostgreSQL server.
 * BENCH_PROVINCE_EVENTS (default 100000), BENCH_PROVINCE_RATE (50/s), BENCH_PROVINCE_SECONDS (20).
 */
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src/server/db/database.js';
import { migrate } from '../../src/server/db/migrate.js';
import { defaultDispatcherOptions, ProvinceDispatcher } from '../../src/server/modules/province/dispatcher.js';
import { enqueueProvinceEvent } from '../../src/server/modules/province/outbox.js';
import { ProvinceClient } from '../../src/server/modules/province/province-client.js';
import { RequestSigner, type SigningConfig } from '../../src/server/modules/province/signing.js';
import { ProvinceSimulator } from '../../tools/province-sim/simulator.js';
import { createTestDatabase } from '../../tests/harness/test-database.js';
import type { BenchResult } from '../report.js';

const EVENTS = Number(process.env.BENCH_PROVINCE_EVENTS ?? 100_000);
const RATE = Number(process.env.BENCH_PROVINCE_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_PROVINCE_SECONDS ?? 20);
const signing: SigningConfig = { method: 'HMAC-SHA256', appKey: 'bench', secret: 'bench-province-secret-0123456789' };
const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

async function setup() {
  const database = await createTestDatabase();
  const { db } = await openDatabase({ databaseUrl: database.config.databaseUrl, dataDir: '.', inMemory: true, poolSize: 10 });
  await migrate(db);
  const sim = new ProvinceSimulator({ signing });
  await sim.listen();
  const client = new ProvinceClient({ baseUrl: sim.url, signer: new RequestSigner(signing), timeoutMs: 10_000 });
  return {
    db, sim, client,
    async close() {
      await sim.close();
      await db.destroy();
      await database.drop();
    },
  };
}

/** A backlog written straight in SQL (5 events per ticket), as the outbox would hold it. */
async function fillBacklog(db: Db, events: number): Promise<void> {
  const tickets = Math.ceil(events / 5);
  const at = new Date().toISOString();
  await sql`INSERT INTO province_stream (ticket_no, last_seq, next_attempt_at) SELECT 'B-' || g, 5, now() FROM generate_series(1, ${tickets}::int) g`.execute(db);
  await sql`
    INSERT INTO province_outbox (ticket_no, seq, event_type, idempotency_key, payload)
    SELECT 'B-' || g, s, CASE WHEN s = 1 THEN 'appeal' ELSE 'status' END, 'B-' || g || ':' || CASE WHEN s = 1 THEN 'appeal' ELSE 'status' END || ':' || s,
      CASE WHEN s = 1 THEN jsonb_build_object('key', 'B-' || g || ':appeal:1', 'ticketNo', 'B-' || g, 'seq', 1, 'type', 'appeal', 'occurredAt', ${at}::text,
        'data', jsonb_build_object('title', '诉求标题', 'content', '诉求内容，压测用', 'appealType', 'help', 'urgency', 'normal', 'channel', 'phone', 'acceptedAt', ${at}::text, 'confidential', false))
      ELSE jsonb_build_object('key', 'B-' || g || ':status:' || s, 'ticketNo', 'B-' || g, 'seq', s, 'type', 'status', 'occurredAt', ${at}::text,
        'data', jsonb_build_object('status', 'processing', 'statusText', '办理中', 'at', ${at}::text)) END
    FROM generate_series(1, ${tickets}::int) g, generate_series(1, 5) s`.execute(db);
}

async function drain(): Promise<BenchResult[]> {
  const env = await setup();
  try {
    await fillBacklog(env.db, EVENTS);
    const total = Number((await env.db.selectFrom('province_outbox').select(env.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
    const d = new ProvinceDispatcher(env.db, env.client, { node: 'bench', batchSize: 500, intervalMs: 50, concurrency: 2, maxPerTicket: 5 }, log);
    const started = performance.now();
    d.start();
    while (env.sim.stats.stored < total) await new Promise((r) => setTimeout(r, 100));
    // Until our side has recorded every acknowledgement too.
    for (;;) {
      const left = Number((await env.db.selectFrom('province_outbox').select(env.db.fn.countAll<number>().as('n')).where('state', '=', 'pending').executeTakeFirstOrThrow()).n);
      if (!left) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    await d.stop();
    clearInterval(sampler);
    return [
      { name: `drain ${total} events (batch 500, 2 in flight, 5/ticket)`, value: total / seconds, unit: 'events/s', extra: `${seconds.toFixed(1)} s; goal ≥ 1000/s` },
      { name: 'drain: peak RSS (backend + simulator in one process)', value: peak / 1_048_576, unit: 'MiB' },
    ];
  } finally {
    await env.close();
  }
}

async function steady(): Promise<BenchResult[]> {
  const env = await setup();
  try {
    const d = new ProvinceDispatcher(env.db, env.client, { node: 'bench', ...defaultDispatcherOptions }, log);
    d.start();
    const committed = new Map<string, number>();
    const tickets = 200;
    const stopAt = performance.now() + SECONDS * 1000;
    let n = 0;
    const at = new Date();
    // One ticket change every 1/RATE s, each in its own transaction, like requests would.
    while (performance.now() < stopAt) {
      const due = n * (1000 / RATE);
      const wait = due - (performance.now() - (stopAt - SECONDS * 1000));
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const ticketNo = `S-${n % tickets}`;
      const e = await env.db.transaction().execute((tx) => enqueueProvinceEvent(tx, { ticketNo, type: 'status', occurredAt: at, data: { status: 'processing', at: at.toISOString() } }));
      committed.set(e.key, Date.now());
      n++;
    }
    while (env.sim.stats.stored < n) await new Promise((r) => setTimeout(r, 50));
    await d.stop();
    const lags = [...committed].map(([key, t]) => Date.parse(env.sim.events.get(key)!.receivedAt) - t).sort((a, b) => a - b);
    const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))]!;
    const achieved = n / SECONDS;
    return [
      { name: `steady ${RATE} changes/s for ${SECONDS} s: forwarding lag p50`, value: pct(50), unit: 'ms', extra: `${achieved.toFixed(0)} changes/s achieved; interval ${defaultDispatcherOptions.intervalMs} ms` },
      { name: `steady ${RATE} changes/s: forwarding lag p95`, value: pct(95), unit: 'ms', extra: 'goal < 2000 ms' },
    ];
  } finally {
    await env.close();
  }
}

export async function provinceBench(): Promise<BenchResult[]> {
  return [...(await drain()), ...(await steady())];
}
