/**
 * ACD decision latency: routing requests arrive open-loop at a fixed rate (default 100/s)
 * for a floor of 20 ready agents; each offer is answered at once, talked for a short while
 * and wrapped up, so agents keep freeing up. Latency is CallRouter.arrived() called → the
 * offer decision delivered to the sink (what Kamailio waits for), on the database the
 * environment selects (PGlite in memory, or a fresh database on DATABASE_URL's server).
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { RoutingDecision, RoutingDecisionSink } from '../../src/server/modules/acd/call-router.js';
import { makeFloor, makeReady, nextNumber } from '../../tests/harness/acd-floor.js';
import { createTestApp } from '../../tests/harness/test-app.js';
import type { BenchResult } from '../report.js';

const RATE = Number(process.env.BENCH_ACD_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_ACD_SECONDS ?? 10);
const AGENTS = Number(process.env.BENCH_ACD_AGENTS ?? 20);
const TALK_MS = Number(process.env.BENCH_ACD_TALK_MS ?? 80);
const WARMUP = 50;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

export async function acdBench(): Promise<BenchResult[]> {
  const t = await createTestApp();
  try {
    const acd = t.services.acd;
    const floor = await makeFloor(t.db, AGENTS);
    const number = nextNumber('9');
    await t.services.queues.upsert(null, { code: 'bench', name: '压测队列', numbers: [number], groupIds: [floor.groupId], maxQueueLength: 10_000, maxWaitSeconds: 600 }, null);
    await makeReady(t.services.agents, floor.agents);

    const started = new Map<string, number>();
    const latency = new Map<string, number>();
    const work: Promise<unknown>[] = [];
    let busy = 0;
    let refused = 0;
    let maxBusy = 0;
    const sink: RoutingDecisionSink = {
      decide(d: RoutingDecision) {
        if (d.kind !== 'offer') throw new Error(`unexpected ${d.kind}`);
        const t0 = started.get(d.callId);
        if (t0 !== undefined && !latency.has(d.callId)) latency.set(d.callId, performance.now() - t0);
        busy += 1;
        maxBusy = Math.max(maxBusy, busy);
        // The agent answers, talks briefly, hangs up and finishes wrap-up: free for the next call.
        work.push((async () => {
          await new Promise((r) => setImmediate(r));
          await acd.answered(d.callId, d.agentId, new Date());
          await new Promise((r) => setTimeout(r, TALK_MS));
          await acd.ended(d.callId, 'caller', new Date());
          busy -= 1;
          // On an overloaded machine a fact may come after the ACD's own timers (ring backstop,
          // wrap-up timeout) acted: the agent is then no longer where the script expects.
          await t.services.agents.apply(d.agentId, { type: 'wrap_up_done' }).catch(() => (refused += 1));
        })());
      },
    };
    acd.setSink(sink);

    const arrive = (measured: boolean) => {
      const callId = `bench-${randomUUID()}`;
      if (measured) started.set(callId, performance.now());
      return acd.arrived({ callId, dialled: number, caller: '13800138000', trunk: null, at: new Date() });
    };
    // Warm-up: JIT, query plans, pool connections.
    for (let i = 0; i < WARMUP; i++) await arrive(false);
    await Promise.all(work);

    // Context for the figures: one database round trip, and a decision with nothing else running.
    const rt: number[] = [];
    for (let i = 0; i < 200; i++) {
      const s = performance.now();
      await sql`select 1`.execute(t.db);
      rt.push(performance.now() - s);
    }
    const single: number[] = [];
    for (let i = 0; i < 100; i++) {
      await arrive(true);
      await Promise.all(work);
      await acd.settled();
    }
    single.push(...latency.values());
    latency.clear();
    started.clear();

    const total = RATE * SECONDS;
    const begin = performance.now();
    const arrivals: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = begin + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      arrivals.push(arrive(true));
    }
    await Promise.all(arrivals);
    const sendSeconds = (performance.now() - begin) / 1000;
    // Decisions for calls that had to wait come when an agent frees up.
    while (latency.size < total) {
      await Promise.all(work);
      await acd.settled();
      if (latency.size < total && work.length === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(work);
    const xs = [...latency.values()];
    const db = t.database.kind === 'postgresql' ? 'PostgreSQL' : 'PGlite';
    const extra = `${db}, ${AGENTS} agents, ${total} calls at ${(total / sendSeconds).toFixed(0)}/s, talk ${TALK_MS} ms, max ${maxBusy} agents busy`;
    return [
      { name: 'database round trip (select 1) p50', value: pct(rt, 50), unit: 'ms', extra: `${db}; p99 ${pct(rt, 99).toFixed(2)} ms` },
      { name: 'ACD decision latency, one call at a time, p50', value: pct(single, 50), unit: 'ms', extra: `p99 ${pct(single, 99).toFixed(1)} ms` },
      { name: `ACD decision latency p50 (arrival → offer in the sink, ${RATE}/s)`, value: pct(xs, 50), unit: 'ms', extra },
      { name: `ACD decision latency p99 (arrival → offer in the sink, ${RATE}/s)`, value: pct(xs, 99), unit: 'ms' },
      { name: 'ACD decision latency max', value: Math.max(...xs), unit: 'ms' },
      { name: 'ACD calls decided', value: xs.length, unit: 'calls', extra: `of ${total}; ${refused} scripted agent events came too late (overload)` },
    ];
  } finally {
    await t.close();
  }
}
