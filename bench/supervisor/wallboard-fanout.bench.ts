/**
 * Wallboard fan-out: 500 agents (Socket.IO clients, each changing state over REST like a
 * console) and 5 supervisors watching their floor. Measured per state change: REST request
 * sent → `agent:state-changed` received by every supervisor (p50/p95 of each delivery, and of
 * the slowest of the five), at a steady rate of changes. Goal from the issue: p95 < 100 ms on
 * 2 cores. Runs on PGlite unless DATABASE_URL names a PostgreSQL (scripts/pg-test-server.sh).
 */
import { createSecretKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/shared/realtime.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp } from '../../tests/harness/test-app.js';
import type { BenchResult } from '../report.js';

const AGENTS = Number(process.env.BENCH_FLOOR_AGENTS ?? 500);
const SUPERVISORS = 5;
const CHANGES = Number(process.env.BENCH_FLOOR_CHANGES ?? 600);
/**
 * State changes started per second, open loop. A busy floor of 500 agents changes state a few
 * times per second (each agent every couple of minutes); 10/s is well above that.
 */
const RATE = Number(process.env.BENCH_FLOOR_RATE ?? 10);

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

export async function wallboardFanoutBench(): Promise<BenchResult[]> {
  const t = await createTestApp({ logLevel: 'silent' }, { listen: true });
  const url = baseUrl(t.app);
  const sockets: ClientSocket[] = [];
  try {
    const admin = await t.login('admin', ADMIN_PASSWORD);
    // Users straight into the database (argon2 for 505 users would measure hashing, not the floor).
    const hash = (await t.db.selectFrom('app_user').select('password_hash').where('id', '=', admin.userId).executeTakeFirstOrThrow()).password_hash;
    const group = await t.db.insertInto('agent_group').values({ name: '压测大组' }).returning('id').executeTakeFirstOrThrow();
    const mkUsers = async (prefix: string, n: number, role: 'agent' | 'supervisor') => {
      const rows = Array.from({ length: n }, (_, i) => ({ username: `${prefix}${i}`, display_name: `${prefix}${i}`, password_hash: hash, roles: [role], extension: role === 'agent' ? String(30000 + i) : null }));
      return (await t.db.insertInto('app_user').values(rows).returning('id').execute()).map((r) => r.id);
    };
    const agentIds = await mkUsers('fa', AGENTS, 'agent');
    const supIds = await mkUsers('fs', SUPERVISORS, 'supervisor');
    await t.db.insertInto('group_member').values(agentIds.map((id) => ({ group_id: group.id, user_id: id }))).execute();
    await t.db.insertInto('group_supervisor').values(supIds.map((id) => ({ group_id: group.id, user_id: id }))).execute();
    // Sessions and access tokens minted as the server does (same key, same claims).
    const secret = (await t.db.selectFrom('server_secret').select('value').where('name', '=', 'jwt').executeTakeFirstOrThrow()).value;
    const key = createSecretKey(Buffer.from(secret, 'utf8'));
    const tokenFor = async (userId: string): Promise<string> => {
      const s = await t.db.insertInto('auth_session').values({ user_id: userId, last_seen_at: new Date(), expires_at: new Date(Date.now() + 3_600_000) }).returning('id').executeTakeFirstOrThrow();
      return new SignJWT({ sid: s.id }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId).setIssuedAt().setExpirationTime('1h').setIssuer('hotline-desk').sign(key);
    };
    const agentTokens = await Promise.all(agentIds.map(tokenFor));
    const supTokens = await Promise.all(supIds.map(tokenFor));
    const open = async (token: string): Promise<ClientSocket> => {
      const s: ClientSocket = connect(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
      sockets.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', resolve);
        s.once('connect_error', reject);
      });
      return s;
    };
    for (let i = 0; i < agentTokens.length; i += 50) await Promise.all(agentTokens.slice(i, i + 50).map(open));
    const supSockets = await Promise.all(supTokens.map(open));

    const post = (token: string, body: object) =>
      fetch(`${url}/api/agent/state`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
        if (!r.ok) throw new Error(`state change: HTTP ${r.status} ${await r.text()}`);
      });
    for (let i = 0; i < agentTokens.length; i += 25) await Promise.all(agentTokens.slice(i, i + 25).map((tk) => post(tk, { type: 'sign_in' })));

    // Each change: agent i toggles ready ↔ not_ready; waiters keyed by agent and the state sent.
    const pending = new Map<string, { sentAt: number; got: number[]; done: () => void }>();
    supSockets.forEach((s) =>
      s.on('agent:state-changed', (st) => {
        const p = pending.get(`${st.agentId}:${st.state.kind}`);
        if (!p) return;
        p.got.push(performance.now() - p.sentAt);
        if (p.got.length === SUPERVISORS) p.done();
      }),
    );
    const each: number[] = [];
    const all: number[] = [];
    const rest: number[] = [];
    const ready = new Array<boolean>(AGENTS).fill(false);
    const change = async (n: number): Promise<void> => {
      const i = n % AGENTS;
      const kind = ready[i] ? 'not_ready' : 'ready';
      ready[i] = !ready[i];
      const k = `${agentIds[i]}:${kind}`;
      const sentAt = performance.now();
      const delivered = new Promise<number[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no fan-out for ${k}`)), 20_000);
        pending.set(k, { sentAt, got: [], done: () => { clearTimeout(timer); resolve(pending.get(k)!.got); } });
      });
      await post(agentTokens[i]!, kind === 'ready' ? { type: 'ready' } : { type: 'not_ready', reason: 'meeting' });
      rest.push(performance.now() - sentAt);
      const got = await delivered;
      pending.delete(k);
      each.push(...got);
      all.push(Math.max(...got));
    };
    // Open loop: changes start on schedule whether or not earlier ones finished.
    const started = performance.now();
    const runs: Promise<void>[] = [];
    for (let n = 0; n < CHANGES; n++) {
      const due = started + (n * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      runs.push(change(n));
    }
    await Promise.all(runs);
    const seconds = (performance.now() - started) / 1000;
    const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
    return [
      { name: `state change → each supervisor (${AGENTS} agents, ${SUPERVISORS} sup., ${RATE}/s, ${db}), p50`, value: pct(each, 50), unit: 'ms', extra: `p95 ${pct(each, 95).toFixed(1)} ms, ${each.length} deliveries` },
      { name: `state change → all ${SUPERVISORS} supervisors, p50`, value: pct(all, 50), unit: 'ms', extra: `p95 ${pct(all, 95).toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms` },
      { name: 'of which the REST state change itself (request → response), p50', value: pct(rest, 50), unit: 'ms', extra: `p95 ${pct(rest, 95).toFixed(1)} ms; ${(CHANGES / seconds).toFixed(1)} changes/s sustained` },
    ];
  } finally {
    for (const s of sockets) s.close();
    await t.close();
  }
}
