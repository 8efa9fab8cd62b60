/**
 * Authenticated API read (GET /api/me: token check, session lookup, response validation,
 * logging) against a bare Fastify route, 50 concurrent clients each; and argon2 cost.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { hash, verify } from '@node-rs/argon2';
import type { BenchResult } from '../report.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);

async function load(url: string, headers: Record<string, string> = {}) {
  const r = await autocannon({ url, connections: 50, duration: DURATION, headers });
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

export async function apiReadBench(): Promise<BenchResult[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./bench-server.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const ports = JSON.parse(line) as { app: number; bare: number };
    const base = `http://127.0.0.1:${ports.app}`;
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'Bench-pass-1' }),
    });
    const { accessToken } = (await res.json()) as { accessToken: string };
    // Warm both servers up before measuring.
    await autocannon({ url: `http://127.0.0.1:${ports.bare}/bare`, connections: 10, duration: 1 });
    await autocannon({ url: `${base}/api/me`, connections: 10, duration: 1, headers: { authorization: `Bearer ${accessToken}` } });
    const bare = await load(`http://127.0.0.1:${ports.bare}/bare`);
    const me = await load(`${base}/api/me`, { authorization: `Bearer ${accessToken}` });
    return [
      { name: 'bare Fastify GET /bare (50 clients)', value: bare.rps, unit: 'req/s', extra: `p50 ${bare.p50} ms, p99 ${bare.p99} ms` },
      { name: `authenticated GET /api/me (50 clients, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, value: me.rps, unit: 'req/s', extra: `p50 ${me.p50} ms, p99 ${me.p99} ms` },
      { name: 'authenticated / bare throughput', value: me.rps / bare.rps, unit: 'ratio', extra: 'cost of auth, session lookup, validation, logging' },
    ];
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

export async function argon2Bench(): Promise<BenchResult[]> {
  const times: number[] = [];
  const verifies: number[] = [];
  const h = await hash('warm-up-password-1');
  for (let i = 0; i < 20; i++) {
    let t = performance.now();
    await hash(`password-${i}`);
    times.push(performance.now() - t);
    t = performance.now();
    await verify(h, 'warm-up-password-1');
    verifies.push(performance.now() - t);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return [
    { name: 'argon2id hash (m=19 MiB, t=2, p=1), median of 20', value: median(times), unit: 'ms' },
    { name: 'argon2id verify per sign-in, median of 20', value: median(verifies), unit: 'ms' },
  ];
}
