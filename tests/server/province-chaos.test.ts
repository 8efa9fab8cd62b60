/**
 * Chaos: tickets change at random while the province fails 30% of calls, times out after
 * storing on 5%, and has a full outage window, and a dispatcher node is killed mid-batch
 * twice (on PostgreSQL a real child process with SIGKILL, on PGlite — one process — the
 * in-process dispatcher is aborted). Afterwards the province holds every event exactly once,
 * in order per ticket.
 *
 * Scaled for CI (1,000 tickets, 2 s outage); PROVINCE_CHAOS_TICKETS=10000
 * PROVINCE_CHAOS_OUTAGE_SECONDS=120 runs the full-size scenario.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvinceBatchItem, ProvinceEventType } from '../../src/shared/api/province.js';
import type { DispatcherOptions, ProvinceDispatcher } from '../../src/server/modules/province/dispatcher.js';
import { enqueueProvinceEvent } from '../../src/server/modules/province/outbox.js';
import { createProvinceKit, waitFor, type ProvinceKit } from '../harness/province.js';

const TICKETS = Number(process.env.PROVINCE_CHAOS_TICKETS ?? 1000);
const OUTAGE_S = Number(process.env.PROVINCE_CHAOS_OUTAGE_SECONDS ?? 2);
const KILLS = 2;
/** Test budget: 3 min at CI size, more for the full-size run and its outage. */
const BUDGET_MS = 180_000 * Math.max(1, TICKETS / 1000) + OUTAGE_S * 1000;
const nodeScript = fileURLToPath(new URL('../harness/province-node.ts', import.meta.url));
const opts: Partial<DispatcherOptions> = {
  batchSize: 50, intervalMs: 50, concurrency: 2, leaseMs: 3000, maxPerTicket: 5,
  backoffInitialMs: 50, backoffMaxMs: 1000, breakerThreshold: 5, breakerHalfOpenMs: 500,
};
const TIMEOUT_MS = 1000;

/** Seeded randomness so a failure can be replayed. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a * 1_103_515_245 + 12_345) % 2_147_483_648;
    return a / 2_147_483_648;
  };
}

describe('province chaos', () => {
  let kit: ProvinceKit;
  const children = new Map<string, ChildProcess>();
  const local = new Map<string, ProvinceDispatcher>();
  let seq = 0;

  beforeAll(async () => {
    kit = await createProvinceKit({ seed: 7 }, 20);
  });
  afterAll(async () => {
    for (const c of children.values()) c.kill('SIGKILL');
    await kit?.close();
  });

  async function startNode(): Promise<string> {
    const name = `node-${++seq}`;
    if (kit.database.kind === 'postgresql') {
      const child = spawn(process.execPath, ['--import', 'tsx', nodeScript], {
        env: { ...process.env, PROVINCE_NODE_DB: kit.database.config.databaseUrl, PROVINCE_SIM_URL: kit.sim.url, PROVINCE_NODE_NAME: name, PROVINCE_NODE_OPTS: JSON.stringify(opts), PROVINCE_NODE_TIMEOUT_MS: String(TIMEOUT_MS) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.set(name, child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
      });
    } else {
      const d = kit.dispatcher(name, opts, TIMEOUT_MS);
      local.set(name, d);
      d.start();
    }
    return name;
  }

  /** Kills the node holding this ticket's claim — it is the one sending this batch. */
  async function killSender(ticketNo: string): Promise<string | null> {
    const s = await kit.db.selectFrom('province_stream').select('lease_owner').where('ticket_no', '=', ticketNo).executeTakeFirst();
    const name = s?.lease_owner;
    if (!name) return null;
    const child = children.get(name);
    if (child) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      children.delete(name);
      return name;
    }
    const d = local.get(name);
    if (d) {
      d.abort();
      local.delete(name);
      return name;
    }
    return null;
  }

  it(`delivers every event of ${TICKETS} randomly changing tickets exactly once, in order`, async () => {
    const random = rng(42);
    // The plan: each ticket an appeal, then 1–5 further changes; interleaved across tickets.
    const types: ProvinceEventType[] = ['status', 'status', 'status', 'feedback', 'evaluation'];
    const perTicket = Array.from({ length: TICKETS }, () => 2 + Math.floor(random() * 5));
    const queue: string[] = [];
    perTicket.forEach((n, i) => { for (let k = 0; k < n; k++) queue.push(`C-${String(i).padStart(5, '0')}`); });
    for (let i = queue.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [queue[i], queue[j]] = [queue[j]!, queue[i]!];
    }
    const total = queue.length;

    kit.sim.setFaults({ failRate: 0.3, timeoutAfterCommitRate: 0.05, hangMs: TIMEOUT_MS + 500 });
    const killed: string[] = [];
    let batchesSeen = 0;
    kit.sim.onBatch = async (items: ProvinceBatchItem[]) => {
      batchesSeen++;
      // Two kills, a few batches apart, each of the node sending the batch now arriving.
      if (killed.length < KILLS && batchesSeen % 6 === 0) {
        const name = await killSender(items[0]!.ticketNo);
        if (name) {
          killed.push(name);
          await startNode();
        }
      }
    };
    await startNode();
    await startNode();

    // Ticket changes keep coming while the gateway runs; the outage starts a moment in.
    const at = new Date();
    const seen = new Map<string, number>();
    let outageAt = Math.floor(total / 3);
    for (let i = 0; i < total; i += 25) {
      if (i >= outageAt) {
        kit.sim.setFaults({ outageUntil: Date.now() + OUTAGE_S * 1000 });
        outageAt = Infinity;
      }
      await kit.db.transaction().execute(async (tx) => {
        // A change touching several tickets takes them in ticket-number order, like the dispatcher (no deadlock).
        for (const ticketNo of queue.slice(i, i + 25).sort()) {
          const n = (seen.get(ticketNo) ?? 0) + 1;
          seen.set(ticketNo, n);
          const when = at.toISOString();
          if (n === 1) {
            await enqueueProvinceEvent(tx, { ticketNo, type: 'appeal', occurredAt: at, data: { title: '诉求', content: '内容', appealType: 'help', urgency: 'normal', channel: 'phone', acceptedAt: when } });
            continue;
          }
          const type = types[Math.floor(random() * types.length)]!;
          if (type === 'status') await enqueueProvinceEvent(tx, { ticketNo, type, occurredAt: at, data: { status: 'processing', opinion: `第${n}次`, at: when } });
          else if (type === 'feedback') await enqueueProvinceEvent(tx, { ticketNo, type, occurredAt: at, data: { result: `结果${n}`, resolved: true, at: when } });
          else await enqueueProvinceEvent(tx, { ticketNo, type: 'evaluation', occurredAt: at, data: { satisfaction: 'satisfied', at: when } });
        }
      });
    }

    // One embedded database serialises everything: if no request fell into the window, open one now.
    if (kit.sim.stats.outageRefusals === 0) kit.sim.setFaults({ outageUntil: Date.now() + OUTAGE_S * 1000 });
    const pending = async () => Number((await kit.db.selectFrom('province_outbox').select(kit.db.fn.countAll<number>().as('n')).where('state', '!=', 'sent').executeTakeFirstOrThrow()).n);
    await waitFor(async () => (await pending()) === 0 && killed.length === KILLS, 'every event acknowledged after two kills', BUDGET_MS - 10_000, 200);

    expect(killed).toHaveLength(KILLS);
    const received = kit.sim.received();
    expect(Object.keys(received)).toHaveLength(TICKETS);
    for (const [ticketNo, seqs] of Object.entries(received)) {
      expect(seqs, ticketNo).toEqual(Array.from({ length: seen.get(ticketNo)! }, (_, k) => k + 1));
    }
    expect(kit.sim.stats.stored).toBe(total);
    expect(kit.sim.events.size).toBe(total);
    // The faults really happened.
    expect(kit.sim.stats.failedInjected).toBeGreaterThan(0);
    expect(kit.sim.stats.timeoutsAfterCommit).toBeGreaterThan(0);
    expect(kit.sim.stats.outageRefusals).toBeGreaterThan(0);
    expect(kit.sim.stats.duplicates).toBeGreaterThan(0);
    const dead = await kit.db.selectFrom('province_outbox').select('id').where('state', '=', 'dead').execute();
    expect(dead).toHaveLength(0);
  }, BUDGET_MS);
});
