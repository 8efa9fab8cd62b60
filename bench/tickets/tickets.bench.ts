/**
 * Tickets (工单) on a loaded database, against the real app in a child process
 * (bench/accounts/bench-server.ts) on a fresh database of the PostgreSQL server named by
 * DATABASE_URL (PGlite in memory otherwise, with a tenth of the data; labels say which).
 *
 * 1. Filing: POST /api/tickets from 50 concurrent clients (autocannon, a new clientId per
 *    request) — throughput and p99 — beside pgbench's single-row INSERT rate with 50 clients
 *    on the same server in the same run (PostgreSQL only).
 * 2. 1 M generated tickets (one generate_series INSERT with the secondary indexes dropped and
 *    rebuilt after, FK triggers off; Chinese titles and contents from place × issue × detail
 *    phrases plus 4 pseudo-random CJK characters each, for a long tail of trigrams; the last
 *    two weeks in every state, older ones closed but a 1 % backlog). BENCH_TICKETS_DB=<name>
 *    keeps that database and reuses its tickets on the next run (filing then goes into it),
 *    then GET /api/tickets?q=… p50/p95 for 3+ character terms (common, reworded, rare,
 *    two-term, with filters) and separately for 1–2 character terms, and list queries
 *    (views, filters, later pages) p50/p95, as a supervisor (sees everything).
 * 3. 台账导出 of 100 k tickets: time to the last byte and the server's peak RSS (VmHWM,
 *    reset before the export through /proc/<pid>/clear_refs).
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import type { BenchResult } from '../report.js';

const adminUrl = process.env.DATABASE_URL;
const onPg = Boolean(adminUrl);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const TICKETS = Number(process.env.BENCH_TICKETS ?? (onPg ? 1_000_000 : 100_000));
const EXPORT_ROWS = Math.min(100_000, TICKETS);
const QUERIES = Number(process.env.BENCH_TICKET_QUERIES ?? 200);
const SPACING_S = 30; // generated tickets are accepted 30 s apart, newest first

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const ms = (n: number) => Math.round(n * 10) / 10;

const places = ['文三路', '学院路', '天目山路', '莫干山路', '延安路', '解放路', '庆春路', '凤起路', '中河路', '环城北路', '西溪路', '古墩路', '余杭塘路', '丰潭路', '紫金港路', '教工路', '保俶路', '曙光路', '南山路', '北山街'];
const issues = ['路灯不亮', '噪音扰民', '垃圾清运不及时', '占道经营', '违章停车', '井盖破损', '自来水停水', '燃气异味', '物业服务差', '公交站牌损坏', '绿化带缺损', '道路积水', '施工扰民', '油烟污染', '共享单车乱停', '电梯故障', '小区停车难', '违章搭建', '树木倒伏', '下水道堵塞'];
const details = ['已持续三天', '影响居民出行', '存在安全隐患', '多次反映未解决', '夜间尤为严重', '希望尽快处理', '老人孩子出行不便', '周边商户意见很大'];

async function generate(db: pg.Client, agentId: string, unitId: string): Promise<{ seconds: number; indexSeconds: number }> {
  const t0 = performance.now();
  // Bulk load as a site importing history would: the secondary indexes dropped and rebuilt
  // once after the load (each is one sort instead of a million inserts into it), the rows'
  // foreign keys not checked one by one (the generator only uses codes that exist).
  const indexes = (await db.query<{ indexname: string; indexdef: string }>(`
    select i.indexname, i.indexdef from pg_indexes i
    where i.tablename = 'ticket' and i.schemaname = current_schema()
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`)).rows;
  for (const i of indexes) await db.query(`drop index ${i.indexname}`);
  const statuses = ['registered', 'dispatched', 'processing', 'replied', 'closed', 'closed', 'closed', 'archived'];
  const regions = ['330102', '330105', '330106', '330108', '330109', '330110'];
  await db.query('begin');
  await db.query(`set local session_replication_role = replica`); // no per-row FK triggers (bench superuser)
  await db.query(`
    insert into ticket (ticket_no, channel, accepted_at, title, content, location, appeal_type, status, region_code, lead_unit_id, due_at, warn_hours,
                        citizen_name, contact_phone_masked, confidential, agent_id, updated_at)
    select 'G-' || lpad(g::text, 8, '0'), 'phone', at,
           ($5::text[])[1 + (g * 7) % 20] || '（' || ($4::text[])[1 + (g * 13) % 20] || '）',
           ($4::text[])[1 + (g * 13) % 20] || '附近' || ($5::text[])[1 + (g * 7) % 20] || '，' || ($6::text[])[1 + (g * 3) % 8] || '，门牌 ' || (g % 500) || ' 号'
             || chr((19968 + (g::bigint * 7919) % 20902)::int) || chr((19968 + (g::bigint * 104729) % 20902)::int) || chr((19968 + (g::bigint * 1299709) % 20902)::int) || chr((19968 + (g::bigint * 15485863) % 20902)::int)
             || '。' || ($6::text[])[1 + (g * 5) % 8] || '。',
           ($4::text[])[1 + (g * 13) % 20] || (g % 500) || '号',
           'help',
           -- Like a site's history: the last two weeks' tickets in every state, older ones closed
           -- or archived but for a 1 % backlog (overdue), so the reminder sweep has a realistic load.
           case when g <= 40000 or g % 100 = 0 then ($7::text[])[1 + g % 8] when g % 2 = 0 then 'closed' else 'archived' end,
           ($8::text[])[1 + g % 6],
           case when g % 3 = 0 then $9::uuid end, at + interval '10 days', 24,
           '市民' || (g % 1000), '138****' || lpad((g % 10000)::text, 4, '0'), g % 50 = 0, $3::uuid, now()
    from (select g, now() - g * interval '${SPACING_S} seconds' as at from generate_series($1::int, $2::int) g) s`,
  [1, TICKETS, agentId, places, issues, details, statuses, regions, unitId]);
  await db.query('commit');
  const seconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await db.query(`set maintenance_work_mem = '512MB'`);
  await db.query('set max_parallel_maintenance_workers = 2');
  for (const i of indexes) await db.query(i.indexdef);
  await db.query('vacuum analyze ticket');
  await db.query(`create table if not exists bench_generated (tickets int not null, agent_id uuid not null, unit_id uuid not null)`);
  await db.query('insert into bench_generated values ($1, $2, $3)', [TICKETS, agentId, unitId]);
  return { seconds, indexSeconds: (performance.now() - t1) / 1000 };
}

async function timed(urls: string[], token: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const url = urls[i % urls.length]!;
    const t0 = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    out.push(performance.now() - t0);
  }
  return out;
}

async function pgbenchInsertRate(url: string): Promise<{ tps: number; version: string } | null> {
  // Debian: /usr/bin/pgbench (postgresql-client wrapper) or the server's own binary directory.
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  const bin = ['/usr/bin/pgbench', ...versions.map((v) => `/usr/lib/postgresql/${v}/bin/pgbench`)].find((p) => existsSync(p));
  if (!bin) {
    process.stderr.write('pgbench not found (apt-get install postgresql-contrib or postgresql)\n');
    return null;
  }
  const script = join(tmpdir(), `hotline-pgbench-${process.pid}.sql`);
  writeFileSync(script, "\\set a random(1, 1000000)\ninsert into bench_insert (a, b) values (:a, 'single row');\n");
  try {
    const { stdout } = await promisify(execFile)(bin, ['-n', '-c', '50', '-j', '2', '-T', String(DURATION), '-f', script, url], { maxBuffer: 1 << 20 });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
    const version = (await promisify(execFile)(bin, ['--version'])).stdout.trim();
    return tps ? { tps: Number(tps), version } : null;
  } catch (err) {
    process.stderr.write(`pgbench failed: ${String(err)}\n`);
    return null;
  }
}

export async function ticketsBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  // BENCH_TICKETS_DB=<name> keeps that database (and its generated tickets) for the next run.
  const keep = process.env.BENCH_TICKETS_DB;
  if (keep && !/^[a-z_][a-z0-9_]*$/.test(keep)) throw new Error('BENCH_TICKETS_DB: a plain lower-case database name');
  const dbName = keep ?? `hd_bench_tickets_${randomBytes(4).toString('hex')}`;
  const run = randomBytes(3).toString('hex'); // names of this run's users and unit (a kept database has the last run's)
  let dbUrl: string | undefined;
  if (adminUrl) {
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    const exists = (await a.query('select 1 from pg_database where datname = $1', [dbName])).rowCount;
    if (!exists) await a.query(`create database ${dbName}`);
    await a.end();
    const u = new URL(adminUrl);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
  }
  const env = { ...process.env, ...(dbUrl ? { DATABASE_URL: dbUrl } : {}) };
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../accounts/bench-server.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const label = onPg ? 'PostgreSQL' : 'PGlite';
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const base = `http://127.0.0.1:${(JSON.parse(line) as { app: number }).app}`;
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };
    const admin = (await post('/api/auth/login', { username: 'admin', password: 'Bench-pass-1' })).accessToken as string;
    let agentId = (await post('/api/users', { username: `bench_agent_${run}`, displayName: '压测坐席', password: 'Bench-pass-1', roles: ['agent'] }, admin)).id as string;
    await post('/api/users', { username: `bench_sup_${run}`, displayName: '压测班长', password: 'Bench-pass-1', roles: ['supervisor'] }, admin);
    let unitId = (await post('/api/refdata/units', { code: `bench${run}`, name: `压测单位${run}`, memberIds: [] }, admin)).id as string;
    const agent = (await post('/api/auth/login', { username: `bench_agent_${run}`, password: 'Bench-pass-1' })).accessToken as string;
    const sup = (await post('/api/auth/login', { username: `bench_sup_${run}`, password: 'Bench-pass-1' })).accessToken as string;

    // ── 1. filing ───────────────────────────────────────────────────────────
    let n = 0;
    const form = () => JSON.stringify({
      clientId: randomUUID(), channel: 'phone', callerNumber: `139${String(n++ % 1e8).padStart(8, '0')}`, citizen: { name: '张三' },
      title: '路灯不亮', content: '文三路与学院路口路灯连续三晚不亮，存在安全隐患。', appealType: 'help', regionCode: '330106', location: '文三路学院路口',
    });
    const fileLoad = (duration: number) => autocannon({
      url: `${base}/api/tickets`, connections: 50, duration,
      requests: [{ method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` }, setupRequest: (req) => ({ ...req, body: form() }) }],
    });
    await fileLoad(2); // warm-up
    const filed = await fileLoad(DURATION);
    if (filed.non2xx || filed.errors || !filed.requests.total) throw new Error(`filing: ${filed.requests.total} done, ${filed.non2xx} non-2xx, ${filed.errors} errors (${filed.timeouts} timeouts)`);
    results.push({ name: `ticket filing POST /api/tickets (50 clients, ${label})`, value: filed.requests.total / DURATION, unit: 'tickets/s', extra: `${filed.requests.total} in ${DURATION} s; p50 ${filed.latency.p50} ms, p99 ${filed.latency.p99} ms` });
    if (dbUrl) {
      const c = new pg.Client({ connectionString: dbUrl });
      await c.connect();
      await c.query('create table if not exists bench_insert (id bigserial primary key, a int not null, b text not null, at timestamptz not null default now())');
      await c.end();
      const pb = await pgbenchInsertRate(dbUrl);
      if (pb) {
        results.push({ name: 'pgbench single-row INSERT (50 clients, same server)', value: pb.tps, unit: 'rows/s', extra: pb.version });
        results.push({ name: 'ticket filing / pgbench single-row insert', value: filed.requests.total / DURATION / pb.tps, unit: 'ratio', extra: 'goal ≥ 0.5 and ≥ 3,000 tickets/s' });
      }
    }

    // ── 2. 1 M tickets: search and lists ────────────────────────────────────
    const db = onPg ? new pg.Client({ connectionString: dbUrl }) : null;
    if (!db) {
      results.push({ name: 'search/list/export on 1 M tickets', value: NaN, unit: '', extra: 'skipped: needs DATABASE_URL (PostgreSQL)' });
      return results;
    }
    db.on('error', () => undefined); // the final drop database ends it if a step fails
    await db.connect();
    const prior = (await db.query<{ agent_id: string; unit_id: string }>(`select agent_id, unit_id from bench_generated where tickets = $1`, [TICKETS]).catch(() => ({ rows: [] }))).rows[0];
    if (prior) {
      ({ agent_id: agentId, unit_id: unitId } = prior);
      await db.query('analyze ticket');
      results.push({ name: `${TICKETS.toLocaleString('en')} generated tickets`, value: NaN, unit: '', extra: `reused from the kept database ${dbName}` });
    } else {
      const gen = await generate(db, agentId, unitId);
      results.push({ name: `generate ${TICKETS.toLocaleString('en')} tickets (generate_series, one statement)`, value: gen.seconds, unit: 's' });
      results.push({ name: 'rebuild the ticket indexes (trigram GIN included) + vacuum analyze', value: gen.indexSeconds, unit: 's' });
    }
    const rare = (await db.query<{ content: string }>(`select content from ticket where ticket_no like 'G-%' order by ticket_no offset 1234 limit 40`)).rows
      .map((r) => /号(.{4})。/u.exec(r.content)?.[1]).filter((s): s is string => !!s);
    await db.end();

    const q = (s: string, extra = '') => `${base}/api/tickets?limit=50&q=${encodeURIComponent(s)}${extra}`;
    const long = [
      q('路灯不亮'), q('噪音扰民'), q('违章停车 文三路'), q('垃圾清运'), q('路灯坏了不亮'), q('夜间噪音严重'), q('小区停车很难'),
      q('电梯故障', '&status=processing'), q('道路积水', '&regionCode=330106'), q('燃气异味 凤起路'),
      ...rare.slice(0, 20).map((r) => q(r.slice(0, 3))), ...rare.slice(20).map((r) => q(r)),
    ];
    const short = [q('路灯'), q('噪音'), q('停车'), q('积水'), q('路灯', '&status=processing'), q('漏'), q('电梯 凤起路')];
    await timed(long, sup, 20); // warm-up
    const longMs = await timed(long, sup, QUERIES);
    results.push({ name: `fuzzy full-text search, 3+ character terms (${(TICKETS / 1e6).toFixed(1)} M tickets)`, value: pct(longMs, 95), unit: 'ms p95', extra: `p50 ${ms(pct(longMs, 50))} ms, max ${ms(Math.max(...longMs))} ms, ${longMs.length} queries; goal < 300 ms` });
    const shortMs = await timed(short, sup, Math.max(35, QUERIES / 4));
    results.push({ name: 'search with 1–2 character terms only (no trigram)', value: pct(shortMs, 95), unit: 'ms p95', extra: `p50 ${ms(pct(shortMs, 50))} ms, max ${ms(Math.max(...shortMs))} ms` });

    const list = (extra: string) => `${base}/api/tickets?limit=50${extra}`;
    const first = await (await fetch(list('&view=all'), { headers: { authorization: `Bearer ${sup}` } })).json() as { nextCursor: string };
    const lists = [
      list('&view=all'), list('&view=overdue'), list('&view=due_soon'), list('&view=supervised'), list('&status=processing'), list('&regionCode=330106'),
      list(`&unitId=${unitId}`), list('&status=replied&regionCode=330108'), list(`&cursor=${encodeURIComponent(first.nextCursor)}`), list('&view=review'),
      list(`&from=${new Date(Date.now() - 90 * 86_400_000).toISOString()}&to=${new Date(Date.now() - 60 * 86_400_000).toISOString()}`), list('&phone=13800138000'),
    ];
    await timed(lists, sup, 12);
    const listMs = await timed(lists, sup, QUERIES);
    results.push({ name: 'list queries (views, filters, next page)', value: pct(listMs, 95), unit: 'ms p95', extra: `p50 ${ms(pct(listMs, 50))} ms, max ${ms(Math.max(...listMs))} ms; goal < 100 ms` });

    // ── 3. 台账导出 of 100 k ─────────────────────────────────────────────────
    const from = new Date(Date.now() - (EXPORT_ROWS + 0.5) * SPACING_S * 1000).toISOString();
    const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status())?.[1] ?? NaN);
    writeFileSync(`/proc/${child.pid}/clear_refs`, '5'); // resets the peak RSS (VmHWM) to the current RSS
    const rssBefore = kb('VmRSS');
    const t0 = performance.now();
    const res = await fetch(`${base}/api/tickets/export?from=${encodeURIComponent(from)}`, { headers: { authorization: `Bearer ${sup}` } });
    if (!res.ok) throw new Error(`export: HTTP ${res.status} ${await res.text()}`);
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
    const seconds = (performance.now() - t0) / 1000;
    const rows = Number(res.headers.get('x-ticket-count'));
    results.push({ name: `台账导出 ${rows.toLocaleString('en')} tickets to .xlsx (streamed)`, value: seconds, unit: 's', extra: `${(bytes / 1048576).toFixed(1)} MB, ${Math.round(rows / seconds)} rows/s` });
    results.push({ name: 'server peak RSS during the export', value: kb('VmHWM') / 1024, unit: 'MB', extra: `RSS before ${Math.round(rssBefore / 1024)} MB` });
    return results;
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit').catch(() => undefined);
    if (adminUrl && !keep) {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${dbName} with (force)`);
      await a.end();
    }
  }
}
