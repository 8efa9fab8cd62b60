/**
 * Filing profile (helper for the tickets bench): the real app in this process on DATABASE_URL,
 * every SQL statement of a few sequential registrations counted at the driver, then N
 * concurrent clients for a few seconds (run with `node --cpu-prof` to see where time goes).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config/config.js';

const require = createRequire(import.meta.url);
const statements: string[] = [];
let recording = false;
const orig = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: unknown }).query = function (this: unknown, ...a: unknown[]) {
  if (recording) {
    const q = a[0] as string | { text?: string };
    statements.push((typeof q === 'string' ? q : q.text ?? '?').replace(/\s+/g, ' ').trim());
  }
  return orig.apply(this, a);
};

const config = loadConfig(process.env, { host: '127.0.0.1', port: 0, logLevel: 'warn', adminPassword: 'Bench-pass-1', demo: false, inMemoryDatabase: !process.env.DATABASE_URL });
const { app } = await buildApp(config, { logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const post = async (path: string, body: unknown, token?: string) => {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
};
const admin = (await post('/api/auth/login', { username: 'admin', password: 'Bench-pass-1' })).accessToken as string;
const u = `a${randomUUID().slice(0, 8)}`;
await post('/api/users', { username: u, displayName: '压测坐席', password: 'Bench-pass-1', roles: ['agent'] }, admin);
const agent = (await post('/api/auth/login', { username: u, password: 'Bench-pass-1' })).accessToken as string;
let n = 0;
const form = () => ({
  clientId: randomUUID(), channel: 'phone', callerNumber: `139${String(n++ % 1e8).padStart(8, '0')}`, citizen: { name: '张三' },
  title: '路灯不亮', content: '文三路与学院路口路灯连续三晚不亮，存在安全隐患。', appealType: 'help', regionCode: '330106', location: '文三路学院路口',
});
for (let i = 0; i < 20; i++) await post('/api/tickets', form(), agent);
const seq: number[] = [];
recording = true;
const K = 10;
for (let i = 0; i < K; i++) {
  const t0 = performance.now();
  await post('/api/tickets', form(), agent);
  seq.push(performance.now() - t0);
}
recording = false;
const m = new Map<string, number>();
for (const s of statements) m.set(s, (m.get(s) ?? 0) + 1);
process.stdout.write(`statements per registration: ${(statements.length / K).toFixed(1)}; sequential ms: ${seq.map((x) => x.toFixed(1)).join(' ')}\n`);
for (const [q, c] of [...m].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${(c / K).toFixed(1).padStart(5)}  ${q.slice(0, 220)}\n`);
const dur = Number(process.env.PROFILE_SECONDS ?? 8);
/** CPU seconds of the PostgreSQL cluster (postmaster and its children) named by PROFILE_PG_PIDFILE. */
const pgCpu = (): number => {
  const fs = require('node:fs') as typeof import('node:fs');
  const pidFile = process.env.PROFILE_PG_PIDFILE;
  if (!pidFile) return NaN;
  const root = fs.readFileSync(pidFile, 'utf8').split('\n')[0];
  let ticks = 0;
  for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8').slice(fs.readFileSync(`/proc/${p}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
      if (p === root || f[1] === root) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
};
if (dur > 0) {
  const { Session } = await import('node:inspector/promises');
  const session = process.env.PROFILE_OUT ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  statements.length = 0;
  recording = true;
  const cpu0 = process.cpuUsage();
  const pg0 = pgCpu();
  const r = await autocannon({
    url: `${base}/api/tickets`, connections: Number(process.env.PROFILE_CLIENTS ?? 50), duration: dur,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` }, setupRequest: (req) => ({ ...req, body: JSON.stringify(form()) }) }],
  });
  const cpu = process.cpuUsage(cpu0);
  recording = false;
  process.stdout.write(`under load: ${(statements.length / r.requests.total).toFixed(2)} statements per registration (${statements.filter((q) => q.startsWith('insert into "ticket" ')).length} batches)\n`);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    require('node:fs').writeFileSync(process.env.PROFILE_OUT!, JSON.stringify(profile));
  }
  const pgSec = pgCpu() - pg0;
  process.stdout.write(`CPU per ticket: node ${((cpu.user + cpu.system) / 1000 / r.requests.total).toFixed(2)} ms (incl. autocannon), postgres ${(pgSec * 1000 / r.requests.total).toFixed(2)} ms (ps times, 1 s resolution)\n`);
  process.stdout.write(`concurrent: ${(r.requests.total / dur).toFixed(1)}/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non2xx ${r.non2xx}, errors ${r.errors}\n`);
}
await app.close();
process.exit(0);
