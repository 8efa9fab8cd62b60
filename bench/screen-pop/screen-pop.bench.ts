/**
 * Screen pop (来电弹屏) on a loaded database.
 *
 * Data: call records and tickets generated with generate_series — 5 M call records and 1 M
 * tickets on PostgreSQL (DATABASE_URL), a tenth of that on the embedded PGlite (which is one
 * in-process session; the printed label says which). Bulk tickets carry an MD5 stand-in for
 * the phone hash, so they fill the hash indexes without matching; the numbers the bench asks
 * about get real tickets with the site key's hash, as registration would write them.
 *
 * 1. The history endpoint (GET /api/callers/:number/history, in-process inject): p50/p95/p99
 *    over random numbers — most with calls and tickets, some never seen.
 * 2. End to end over our Kamailio with two Chromium processes: the caller simulator dials
 *    12345, the ACD offers the call to the one ready agent, the console pops. Measured: the
 *    INVITE leaving the caller's WebSocket (a send hook) → the view painted with the history
 *    (the paint stamp of IncomingCallView), median and p95 over BENCH_POP_CALLS (≥ 50) calls;
 *    and separately the caller's invite() → the offer reaching the console. The offer push
 *    carries the history, so "offered → painted" is rendering only (no request after it); the
 *    agent's phone rings once the console acknowledged that frame (HOTLINE_SCREEN_POP_LEAD_MS).
 *
 * Re-runs: BENCH_POP_DB=<name> keeps the loaded database (see KEEP_DB); BENCH_POP_E2E=0 stops
 * after part 1.
 */
import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../tests/harness/browser.js';
import { createTelephonyTestApp, type TelephonyTestApp } from '../../tests/harness/telephony.js';
import { ADMIN_PASSWORD, baseUrl } from '../../tests/harness/test-app.js';
import { toneWav, TONES } from '../../tests/harness/tones.js';
import '../../tests/harness/screen-pop-hooks.js';
import type { BenchResult } from '../report.js';

const onPg = Boolean(process.env.DATABASE_URL);
const CALL_RECORDS = Number(process.env.BENCH_POP_CALL_RECORDS ?? (onPg ? 5_000_000 : 500_000));
const TICKETS = Number(process.env.BENCH_POP_TICKETS ?? (onPg ? 1_000_000 : 100_000));
/** Distinct caller numbers the call records spread over. */
const NUMBERS = Number(process.env.BENCH_POP_NUMBERS ?? Math.max(1000, Math.floor(CALL_RECORDS / 10)));
const REQUESTS = Number(process.env.BENCH_POP_REQUESTS ?? 1000);
const CALLS = Number(process.env.BENCH_POP_CALLS ?? 60);
const SAMPLED = 200;
/** BENCH_POP_E2E=0: the endpoint only (no Kamailio, no Chromium), e.g. while tuning queries. */
const E2E = process.env.BENCH_POP_E2E !== '0';
/**
 * PostgreSQL only: keep the loaded data in this database (on DATABASE_URL's server) between
 * runs. The first run creates and loads it; later runs with the same sizes reuse it (generating
 * 5 M rows costs minutes, the measurement seconds). Without it every run loads a fresh database.
 */
const KEEP_DB = onPg ? process.env.BENCH_POP_DB : undefined;

const numberOf = (i: number) => `138${String(i).padStart(8, '0')}`;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** The kept database's URL, created when missing. */
async function keptDatabase(name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`BENCH_POP_DB: not a plain database name: ${name}`);
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Whether this database already holds exactly the generated rows asked for (by their unique keys). */
async function loaded(t: TelephonyTestApp): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    select (select count(*)::int from call_record where call_id in (${`bench-${CALL_RECORDS}`}, ${`bench-${CALL_RECORDS + 1}`}))
         + (select count(*)::int from ticket where ticket_no in (${`B-${TICKETS}`}, ${`B-${TICKETS + 1}`}, 'S-0-0')) * 10 as n`.execute(t.db);
  // 1 call record + 2 tickets (the last bulk one and a sampled one), none beyond the sizes.
  return rows[0]!.n === 21;
}

/**
 * Bulk inserts run without the tables' secondary indexes (rebuilt once afterwards — far faster
 * than maintaining a trigram GIN and five b-trees row by row); constraint indexes stay.
 */
async function withoutSecondaryIndexes(t: TelephonyTestApp, tables: string[], fn: () => Promise<void>): Promise<void> {
  const { rows } = await sql<{ name: string; def: string }>`
    select i.indexname as name, i.indexdef as def from pg_indexes i
    where i.schemaname = current_schema() and i.tablename in (${sql.join(tables)})
      and not exists (select 1 from pg_constraint c where c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`.execute(t.db);
  for (const r of rows) await sql`drop index ${sql.id(r.name)}`.execute(t.db);
  try {
    await fn();
  } finally {
    await sql`set maintenance_work_mem = '512MB'`.execute(t.db);
    for (const r of rows) await sql.raw(r.def).execute(t.db);
  }
}

async function load(t: TelephonyTestApp, queueId: string, agentId: string): Promise<void> {
  await withoutSecondaryIndexes(t, ['call_record', 'ticket'], () => bulk(t, queueId, agentId));
  await sql`analyze call_record`.execute(t.db);
  await sql`analyze ticket`.execute(t.db);
}

async function bulk(t: TelephonyTestApp, queueId: string, agentId: string): Promise<void> {
  const db = t.db;
  const batch = 1_000_000;
  for (let from = 1; from <= CALL_RECORDS; from += batch) {
    const to = Math.min(CALL_RECORDS, from + batch - 1);
    await sql`
      insert into call_record (call_id, direction, caller, caller_normalised, called, queue_id, agent_id, arrived_at, queued_at, offered_at, answered_at, ended_at, result)
      select 'bench-' || g, 'inbound', n, n, '12345', ${queueId}::uuid, ${agentId}::uuid, at, at, at + interval '20 seconds', at + interval '25 seconds', at + interval '200 seconds', 'answered'
      from (select g, '138' || lpad(((g::bigint * 7919) % ${NUMBERS})::text, 8, '0') as n, now() - random() * interval '120 days' as at
            from generate_series(${from}::int, ${to}::int) g) s`.execute(db);
  }
  const statuses = ['registered', 'dispatched', 'processing', 'replied', 'closed', 'closed', 'closed', 'archived'];
  for (let from = 1; from <= TICKETS; from += batch) {
    const to = Math.min(TICKETS, from + batch - 1);
    await sql`
      insert into ticket (ticket_no, channel, accepted_at, title, content, appeal_type, status, caller_number_hash, contact_phone_hash, contact_phone_masked, confidential, agent_id, updated_at)
      select 'B-' || g, 'phone', now() - random() * interval '365 days', '压测工单 ' || g, '压测诉求内容', 'help',
             (${sql.val(statuses)}::text[])[1 + g % ${statuses.length}], md5('c' || g), md5('p' || g), '138****' || lpad((g % 10000)::text, 4, '0'), g % 50 = 0, ${agentId}::uuid, now()
      from generate_series(${from}::int, ${to}::int) g`.execute(db);
  }
  // The numbers asked about: real tickets (hash with the site's key), 1–4 each, some 保密.
  const key = await db.selectFrom('server_secret').select('value').where('name', '=', 'ticket_data_key').executeTakeFirstOrThrow();
  const mac = Buffer.from(hkdfSync('sha256', Buffer.from(key.value, 'base64'), Buffer.alloc(0), 'hotline tickets: phone lookup v1', 32));
  const rows = [];
  for (let i = 0; i < SAMPLED; i++) {
    const n = numberOf(i);
    const h = createHmac('sha256', mac).update(n).digest('base64url');
    for (let k = 0; k <= i % 4; k++) {
      rows.push({
        ticket_no: `S-${i}-${k}`, channel: 'phone', accepted_at: new Date(Date.now() - (k + 1) * 86_400_000), title: `来电人 ${i} 的工单 ${k}`, content: '诉求', appeal_type: 'help',
        status: k === 0 ? 'processing' : 'closed', caller_number_hash: h, contact_phone_hash: h, contact_phone_masked: `138****${n.slice(-4)}`, confidential: k === 3, agent_id: agentId, updated_at: new Date(), urgency: 'normal', anonymous: false,
      });
    }
  }
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('ticket').values(rows.slice(i, i + 200)).execute();
}

export async function screenPopBench(): Promise<BenchResult[]> {
  const label = `${onPg ? 'PostgreSQL' : 'PGlite (reduced size)'}, ${(CALL_RECORDS / 1e6).toFixed(1)} M call records, ${(TICKETS / 1e6).toFixed(2)} M tickets`;
  const kept = KEEP_DB ? await keptDatabase(KEEP_DB) : undefined;
  const t = await createTelephonyTestApp({ demo: true, ...(kept ? { databaseUrl: kept } : {}) });
  const out: BenchResult[] = [];
  try {
    const url = baseUrl(t.app);
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const group = await t.db.selectFrom('agent_group').select('id').where('name', '=', '综合受理一组').executeTakeFirstOrThrow();
    const existing = await t.db.selectFrom('app_user').select('id').where('username', '=', 'pop_bench').executeTakeFirst();
    let agentId = existing?.id;
    if (!agentId) {
      const res = await admin('POST', '/api/users', { username: 'pop_bench', displayName: '压测坐席', password: 'Agent-pass-1', roles: ['agent'], extension: '2301', groupIds: [group.id] });
      if (res.statusCode !== 201) throw new Error(res.body);
      agentId = res.json().id as string;
    }
    const queue = await t.db.selectFrom('acd_queue').select('id').where('code', '=', '12345').executeTakeFirstOrThrow();
    const q = (await admin('GET', '/api/acd/queues')).json().items.find((x: { code: string }) => x.code === '12345');
    await admin('PUT', `/api/acd/queues/${queue.id}`, { ...q, id: undefined, maxWaitSeconds: 600 });

    if (kept && (await loaded(t))) {
      out.push({ name: `data reused (${label})`, value: 0, unit: 's', extra: `database ${KEEP_DB}` });
    } else {
      if (kept && (await t.db.selectFrom('call_record').select('id').where('call_id', '=', 'bench-1').executeTakeFirst())) {
        // Other sizes, or a load that did not finish: ticket history is append-only, so no truncating.
        throw new Error(`database ${KEEP_DB} holds other bench data: drop it (DROP DATABASE ${KEEP_DB}) or name another`);
      }
      const t0 = performance.now();
      await load(t, queue.id, agentId);
      const loadSeconds = (performance.now() - t0) / 1000;
      out.push({ name: `data generated (${label})`, value: loadSeconds, unit: 's', ...(kept ? { extra: `kept in database ${KEEP_DB}` } : {}) });
    }

    // 1. The endpoint.
    const agentApi = t.as((await t.login('pop_bench', 'Agent-pass-1')).accessToken);
    const lat: number[] = [];
    let withTickets = 0;
    for (let i = 0; i < REQUESTS + 50; i++) {
      const r = Math.random();
      const n = r < 0.5 ? numberOf(Math.floor(Math.random() * SAMPLED)) : r < 0.85 ? numberOf(Math.floor(Math.random() * NUMBERS)) : `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
      const s = performance.now();
      const h = await agentApi('GET', `/api/callers/${n}/history`);
      const ms = performance.now() - s;
      if (h.statusCode !== 200) throw new Error(`history ${h.statusCode} ${h.body}`);
      if (i >= 50) {
        lat.push(ms);
        if (h.json().tickets.length) withTickets++;
      }
    }
    const extra = `${label}; ${REQUESTS} random numbers, ${Math.round((withTickets / REQUESTS) * 100)}% with tickets`;
    out.push({ name: 'caller history endpoint p50', value: pct(lat, 50), unit: 'ms', extra });
    out.push({ name: 'caller history endpoint p95', value: pct(lat, 95), unit: 'ms' });
    out.push({ name: 'caller history endpoint p99', value: pct(lat, 99), unit: 'ms' });

    if (!E2E) return out;
    // 2. INVITE → painted, over Kamailio and the ACD.
    await t.acdBridge!.waitLinkUp(10_000);
    const [agentBrowser, callerBrowser] = await Promise.all([launchChromium({ fakeAudioFile: toneWav(TONES.agent) }), launchChromium({ fakeAudioFile: toneWav(TONES.caller) })]);
    try {
      const agent = await (await agentBrowser.newContext()).newPage();
      await agent.goto(`${url}/`);
      await agent.getByTestId('login-username').fill('pop_bench');
      await agent.getByTestId('login-password').fill('Agent-pass-1');
      await agent.getByTestId('login-submit').click();
      await agent.locator('[data-testid="softphone-registration"][data-status="registered"]').waitFor({ timeout: 60_000 });
      const callerCtx = await callerBrowser.newContext();
      // When the INVITE leaves the caller's WebSocket (after ICE gathering), in epoch ms.
      await callerCtx.addInitScript(() => {
        const w = window as unknown as { __inviteSent: number[] };
        w.__inviteSent = [];
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
          if (typeof data === 'string' && data.startsWith('INVITE ')) w.__inviteSent.push(performance.timeOrigin + performance.now());
          return send.call(this, data);
        };
      });
      const callers: Page[] = [];
      for (let i = 0; i < 5; i++) {
        const p = await callerCtx.newPage();
        await p.goto(`${url}/sim/caller.html?number=${numberOf(i * 7)}`);
        await p.getByTestId('sim-register').click();
        await p.locator('[data-testid="sim-registration-status"][data-status="registered"]').waitFor({ timeout: 15_000 });
        callers.push(p);
      }
      const state = async () => ((await t.db.selectFrom('agent_state').select('state').where('agent_id', '=', agentId).executeTakeFirstOrThrow()).state as { kind: string }).kind;
      const waitState = async (kind: string) => {
        for (let i = 0; i < 200 && (await state()) !== kind; i++) await new Promise((r) => setTimeout(r, 50));
      };
      // A kept database may still have the agent ready from the last run.
      if ((await state()) !== 'ready') await agent.getByTestId('agent-state-ready').click();
      await waitState('ready');
      const invitePaint: number[] = [];
      const inviteOffered: number[] = [];
      const offeredPaint: number[] = [];
      const callerInviteToOffered: number[] = [];
      for (let i = 0; i <= CALLS; i++) {
        const caller = callers[i % callers.length]!;
        const sentBefore = await caller.evaluate(() => (window as unknown as { __inviteSent: number[] }).__inviteSent.length);
        const paintedBefore = await agent.evaluate(() => window.__screenPop?.painted.length ?? 0);
        await caller.getByTestId('sim-dial-target').fill('12345');
        await caller.getByTestId('sim-dial').click();
        await agent.waitForFunction((n) => (window.__screenPop?.painted.length ?? 0) > n, paintedBefore, { timeout: 20_000 });
        const stamp = await agent.evaluate(() => ({ painted: window.__screenPop!.painted.at(-1)!, offered: window.__screenPop!.offered?.at(-1) }));
        const sent = await caller.evaluate((n) => (window as unknown as { __inviteSent: number[] }).__inviteSent[n], sentBefore);
        const created = await caller.evaluate(() => {
          const s = (window.__softphone as unknown as { state(): { calls: { createdAt: number }[] } }).state();
          return s.calls.at(-1)?.createdAt ?? null;
        });
        // The first call in a fresh browser is slow (warm-up), not counted.
        if (i > 0 && sent !== undefined && stamp.offered && stamp.offered.callId === stamp.painted.callId) {
          invitePaint.push(stamp.painted.epochMs - sent);
          inviteOffered.push(stamp.offered.epochMs - sent);
          offeredPaint.push(stamp.painted.epochMs - stamp.offered.epochMs);
          if (created !== null) callerInviteToOffered.push(stamp.offered.epochMs - created);
        }
        // The caller gives up while it rings: the agent is ready again without after-call work.
        await caller.getByTestId('sim-hangup').click();
        await agent.locator('[data-testid="screen-pop"][data-status="ended"]').waitFor({ timeout: 10_000 });
        await waitState('ready');
        if ((await state()) !== 'ready') {
          await agent.getByTestId('agent-state-ready').click();
          await waitState('ready');
        }
      }
      const n = invitePaint.length;
      const e2e = `${label}; ${n} queue calls over Kamailio + ACD, Chromium; goal p95 ≤ 60 ms`;
      out.push({ name: 'INVITE sent → incoming-call view painted with history, median', value: pct(invitePaint, 50), unit: 'ms', extra: e2e });
      out.push({ name: 'INVITE sent → incoming-call view painted with history, p95', value: pct(invitePaint, 95), unit: 'ms' });
      out.push({ name: '  of which INVITE sent → acd:offered at the console, median', value: pct(inviteOffered, 50), unit: 'ms' });
      out.push({ name: '  of which acd:offered → painted with history, median', value: pct(offeredPaint, 50), unit: 'ms' });
      out.push({ name: "caller's invite() → acd:offered at the console, median", value: pct(callerInviteToOffered, 50), unit: 'ms', extra: 'includes ICE gathering' });
      out.push({ name: "caller's invite() → acd:offered at the console, p95", value: pct(callerInviteToOffered, 95), unit: 'ms' });
    } finally {
      await Promise.all([agentBrowser.close(), callerBrowser.close()]);
    }
  } finally {
    await t.close();
  }
  return out;
}
