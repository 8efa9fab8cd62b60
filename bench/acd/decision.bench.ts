/**
 * ACD decision latency: routing requests arrive open-loop at a fixed rate (default 100/s)
 * for a floor of 20 ready agents; each offer is answered at once, talked for a short while
 * and wrapped up, so agents keep freeing up. Latency is CallRouter.arrived() called → the
 * offer decision delivered to the sink (what Kamailio waits for), on the database the
 * environment selects (PGlite in memory, or a fresh database on DATABASE_URL's server).
 * Before that, a few calls run one at a time with every SQL statement counted per phase
 * (arrival → offer, answer, end, wrap-up); BENCH_ACD_PROFILE=1 lists the statements.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import type { RoutingDecision, RoutingDecisionSink } from '../../src/server/modules/acd/call-router.js';
import { makeFloor, makeReady, nextNumber } from '../../tests/harness/acd-floor.js';
import { createTestApp } from '../../tests/harness/test-app.js';
import type { BenchResult } from '../report.js';

const RATE = Number(process.env.BENCH_ACD_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_ACD_SECONDS ?? 10);
const AGENTS = Number(process.env.BENCH_ACD_AGENTS ?? 20);
const TALK_MS = Number(process.env.BENCH_ACD_TALK_MS ?? 80);
const WARMUP = 50;

/**
 * Every SQL statement the process sends (both drivers, below Kysely so nothing is missed:
 * begin/commit, the services' own reads, after-commit pushes). The profile attributes them
 * to the phases of one call.
 */
const statements: string[] = [];
let recording = false;
function countStatements(): void {
  const wrap = <T extends object>(proto: T, name: keyof T) => {
    const orig = proto[name] as unknown as (...a: unknown[]) => unknown;
    (proto as Record<keyof T, unknown>)[name] = function (this: unknown, ...a: unknown[]) {
      if (recording) {
        const q = a[0] as string | { text?: string };
        statements.push((typeof q === 'string' ? q : q.text ?? '?').replace(/\s+/g, ' ').trim());
      }
      return orig.apply(this, a);
    };
  };
  wrap(pg.Client.prototype, 'query');
  wrap(PGlite.prototype, 'query');
  wrap(PGlite.prototype, 'exec');
}
countStatements();

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
    let lastDecision = 0;
    // Profiling: decisions are only noted (with how many statements preceded them); the script drives the call.
    let profiling: { decided: Map<string, { agentId: string; statementsBefore: number }> } | null = null;
    const sink: RoutingDecisionSink = {
      decide(d: RoutingDecision) {
        if (d.kind !== 'offer') throw new Error(`unexpected ${d.kind}`);
        if (profiling) {
          profiling.decided.set(d.callId, { agentId: d.agentId, statementsBefore: statements.length });
          return;
        }
        const t0 = started.get(d.callId);
        if (t0 !== undefined && !latency.has(d.callId)) {
          lastDecision = performance.now();
          latency.set(d.callId, lastDecision - t0);
        }
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
    // Every warm-up call served and every agent free again before anything is measured.
    const quiesce = async () => {
      for (;;) {
        const n = work.length;
        await Promise.all(work);
        await acd.settled();
        const left = await t.db.selectFrom('acd_call').select('call_id').limit(1).executeTakeFirst();
        if (!left && work.length === n) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await quiesce();

    // Statement profile: a few calls one at a time, each phase's statements counted.
    const phases = ['arrival → offer decided', 'arrival (after commit)', 'answered', 'ended', 'wrap-up done', 'coalesced pushes'] as const;
    const perPhase = new Map<string, Map<string, number>>(phases.map((p) => [p, new Map()]));
    const PROFILED = 5;
    profiling = { decided: new Map() };
    const note = (phase: string, from: number, to = statements.length) => {
      const m = perPhase.get(phase)!;
      for (const q of statements.slice(from, to)) m.set(q, (m.get(q) ?? 0) + 1);
    };
    recording = true;
    for (let i = 0; i < PROFILED; i++) {
      statements.length = 0;
      const callId = `bench-${randomUUID()}`;
      await acd.arrived({ callId, dialled: number, caller: '13800138000', trunk: null, at: new Date() });
      await acd.settled();
      const d = profiling.decided.get(callId);
      if (!d) throw new Error('profiled call was not offered');
      note('arrival → offer decided', 0, d.statementsBefore);
      note('arrival (after commit)', d.statementsBefore);
      let from = statements.length;
      await acd.answered(callId, d.agentId, new Date());
      await acd.settled();
      note('answered', from);
      from = statements.length;
      await acd.ended(callId, 'caller', new Date());
      await acd.settled();
      note('ended', from);
      from = statements.length;
      await t.services.agents.apply(d.agentId, { type: 'wrap_up_done' });
      await acd.settled();
      note('wrap-up done', from);
      from = statements.length;
      await new Promise((r) => setTimeout(r, 300));
      note('coalesced pushes', from);
    }
    recording = false;
    profiling = null;
    const profile: BenchResult[] = [];
    let perCall = 0;
    for (const [phase, m] of perPhase) {
      const n = [...m.values()].reduce((a, b) => a + b, 0) / PROFILED;
      if (phase !== 'coalesced pushes') perCall += n;
      profile.push({ name: `SQL statements per call: ${phase}`, value: n, unit: 'stmts' });
      if (process.env.BENCH_ACD_PROFILE) {
        for (const [q, c] of [...m].sort((a, b) => b[1] - a[1])) process.stdout.write(`    ${(c / PROFILED).toFixed(1).padStart(5)}  ${q.slice(0, 200)}\n`);
      }
    }
    profile.unshift({ name: 'SQL statements per call (arrive → offer → answer → end → wrap-up)', value: perCall, unit: 'stmts', extra: process.env.BENCH_ACD_PROFILE ? undefined : 'BENCH_ACD_PROFILE=1 lists them' });

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
    // CPU this process spends per call under load: on a shared machine it says more than wall time.
    const cpu0 = process.cpuUsage();
    const begin = performance.now();
    const arrivals: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = begin + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      arrivals.push(arrive(true));
    }
    // Offered rate: how fast requests were issued (open loop: never waits for a decision).
    const offeredSeconds = (performance.now() - begin) / 1000;
    await Promise.all(arrivals);
    // Decisions for calls that had to wait come when an agent frees up.
    while (latency.size < total) {
      await Promise.all(work);
      await acd.settled();
      if (latency.size < total && work.length === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(work);
    const cpu = process.cpuUsage(cpu0);
    // Decided rate: decisions over the time from the first arrival to the last decision.
    const decidedSeconds = (lastDecision - begin) / 1000;
    const xs = [...latency.values()];
    const db = t.database.kind === 'postgresql' ? 'PostgreSQL' : 'PGlite';
    const extra = `${db}, ${AGENTS} agents, ${total} calls offered at ${(total / offeredSeconds).toFixed(0)}/s, decided at ${(xs.length / decidedSeconds).toFixed(0)}/s, talk ${TALK_MS} ms, max ${maxBusy} agents busy`;
    return [
      ...profile,
      { name: 'database round trip (select 1) p50', value: pct(rt, 50), unit: 'ms', extra: `${db}; p99 ${pct(rt, 99).toFixed(2)} ms` },
      { name: 'ACD decision latency, one call at a time, p50', value: pct(single, 50), unit: 'ms', extra: `p99 ${pct(single, 99).toFixed(1)} ms` },
      { name: `ACD decision latency p50 (arrival → offer in the sink, ${RATE}/s)`, value: pct(xs, 50), unit: 'ms', extra },
      { name: `ACD decision latency p99 (arrival → offer in the sink, ${RATE}/s)`, value: pct(xs, 99), unit: 'ms' },
      { name: 'ACD decision latency max', value: Math.max(...xs), unit: 'ms' },
      { name: 'ACD routing requests offered / decided', value: total / offeredSeconds, unit: '/s', extra: `decided ${(xs.length / decidedSeconds).toFixed(1)}/s; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}` },
      { name: 'backend CPU per call under load (arrive → wrap-up, pushes)', value: (cpu.user + cpu.system) / 1000 / total, unit: 'ms', extra: `this process; ${((cpu.user + cpu.system) / 1000 / ((performance.now() - begin))).toFixed(2)} cores busy on average` },
      { name: 'ACD calls decided', value: xs.length, unit: 'calls', extra: `of ${total}; ${refused} scripted agent events came too late (overload)` },
    ];
  } finally {
    await t.close();
  }
}
