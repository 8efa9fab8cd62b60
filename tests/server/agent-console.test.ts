/**
 * The agent console as a live thing: one console per agent (a second one takes over),
 * the disconnect grace, 签出 at logout, and 小休 maximums. Real sockets, real database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakOverrun, ServerToClientEvents } from '../../src/shared/realtime.js';
import { BreakLimits } from '../../src/server/modules/agents/break-limits.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';
import { openSocket, type ClientSocket } from '../harness/realtime-client.js';

type C = ClientSocket;
const GRACE = 0.4;

describe('agent console', () => {
  let t: TestApp;
  let admin: string;
  let supervisor: string;
  let n = 0;
  beforeAll(async () => {
    t = await createTestApp(
      { disconnectGraceSeconds: GRACE, breakReasons: JSON.stringify([{ code: 'rest', label: '休息', maxSeconds: 1 }, { code: 'restroom', label: '如厕' }]) },
      { listen: true },
    );
    admin = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    await t.as(admin)('POST', '/api/users', { username: 'sup1', displayName: '班长', password: 'Pass-word-1', roles: ['supervisor'] });
    supervisor = (await t.login('sup1', 'Pass-word-1')).accessToken;
  });
  afterAll(() => t.close());

  /** A fresh agent in a group the supervisor watches, so tests do not share state. */
  async function newAgent(): Promise<string> {
    const username = `agent${++n}`;
    const supId = (await t.as(supervisor)('GET', '/api/me')).json().id;
    const g = (await t.as(admin)('POST', '/api/groups', { name: `g${n}`, supervisorIds: [supId] })).json().id;
    await t.as(admin)('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles: ['agent'], extension: `10${10 + n}`, groupIds: [g] });
    return username;
  }
  const login = (username: string) => t.login(username, 'Pass-word-1');
  const open = (token: string, consoleSeat?: string | null) =>
    openSocket(baseUrl(t.app), consoleSeat === undefined ? { token } : { token, console: consoleSeat ? { seat: consoleSeat } : {} });
  /** Resolves once this session holds the agent's console (the claim runs after connect). */
  const holdsConsole = (session: { userId: string }) =>
    expect.poll(async () => {
      const rows = await t.db.selectFrom('auth_session').select('id')
        .where('user_id', '=', session.userId).where('revoked_at', 'is', null).where('console_at', 'is not', null).execute();
      return rows.length;
    }).toBe(1);
  const state = async (token: string) => (await t.as(token)('GET', '/api/agent/state')).json().state;
  const send = (token: string, body: object) => t.as(token)('POST', '/api/agent/state', body);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('a console connecting from another session takes over: the first is told where from, signed out and audited', async () => {
    const username = await newAgent();
    const a = await login(username);
    const b = await login(username);
    const other = await login(username); // e.g. a report page: not a console, not affected
    const plain = await open(other.accessToken);
    await send(a.accessToken, { type: 'sign_in' });
    await send(a.accessToken, { type: 'ready' });
    const first = await open(a.accessToken, 'A-01');
    await holdsConsole(a);
    const ended = new Promise<Parameters<ServerToClientEvents['session:ended']>[0]>((resolve) => first.on('session:ended', resolve));
    const dropped = new Promise<string>((resolve) => first.on('disconnect', resolve));
    const second = await open(b.accessToken, 'B-07');

    const push = await ended;
    expect(push.reason).toBe('replaced');
    expect(push.replacedBy).toMatchObject({ seat: 'B-07', at: expect.any(String) });
    expect(await dropped).toBe('io server disconnect');
    expect((await t.as(a.accessToken)('GET', '/api/me')).json().code).toBe('SESSION_REVOKED');
    // The agent's account, state and the new console carry on.
    expect(second.connected).toBe(true);
    expect(plain.connected).toBe(true);
    expect((await t.as(other.accessToken)('GET', '/api/me')).statusCode).toBe(200);
    expect(await state(b.accessToken)).toEqual({ kind: 'ready' });
    const audit = (await t.as(admin)('GET', '/api/audit?action=session.replaced')).json().items;
    expect(audit[0]).toMatchObject({ actorName: username, detail: { sessions: 1, seat: 'B-07' } });
    for (const s of [second, plain]) s.close();
  });

  it('two consoles of one agent connecting at once leave exactly one', async () => {
    const username = await newAgent();
    const sessions = await Promise.all([login(username), login(username), login(username)]);
    const sockets = await Promise.all(sessions.map((s, i) => open(s.accessToken, `S-${i}`)));
    await expect
      .poll(async () => {
        const live = await t.db.selectFrom('auth_session as s').innerJoin('app_user as u', 'u.id', 's.user_id')
          .select('s.id').where('u.username', '=', username).where('s.revoked_at', 'is', null).execute();
        return live.length;
      })
      .toBe(1);
    await expect.poll(() => sockets.filter((s) => s.connected).length).toBe(1);
    for (const s of sockets) s.close();
  });

  it('a console gone past the grace makes a ready agent not ready (掉线); the supervisor sees it', async () => {
    const username = await newAgent();
    const s = await login(username);
    await send(s.accessToken, { type: 'sign_in' });
    await send(s.accessToken, { type: 'ready' });
    const floor = await open(supervisor);
    const seen = new Promise<unknown>((resolve) => floor.on('agent:state-changed', (st) => st.agentId === s.userId && resolve(st.state)));
    const consoleSocket = await open(s.accessToken, null);
    await holdsConsole(s);
    // A non-console socket of the same agent does not keep the seat alive.
    const plain = await open(s.accessToken);
    consoleSocket.close();
    expect(await seen).toEqual({ kind: 'not_ready', reason: 'disconnected' });
    const last = await t.db.selectFrom('agent_state_log').select(['event', 'actor_id']).where('agent_id', '=', s.userId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(last).toEqual({ event: 'disconnected', actor_id: null });
    // Signing in again later is the agent's choice; the session itself is untouched.
    expect((await t.as(s.accessToken)('GET', '/api/me')).statusCode).toBe(200);
    for (const x of [plain, floor]) x.close();
  });

  it('a console that reconnects within the grace keeps its state', async () => {
    const username = await newAgent();
    const s = await login(username);
    await send(s.accessToken, { type: 'sign_in' });
    await send(s.accessToken, { type: 'ready' });
    const c1 = await open(s.accessToken, null);
    await holdsConsole(s);
    c1.close();
    const c2 = await open(s.accessToken, null); // network blip: same session back
    await sleep(GRACE * 1000 * 3);
    expect(await state(s.accessToken)).toEqual({ kind: 'ready' });
    expect(c2.connected).toBe(true);
    c2.close();
    // …and once it is really gone, the grace applies.
    await expect.poll(() => state(s.accessToken), { timeout: 3000 }).toEqual({ kind: 'not_ready', reason: 'disconnected' });
  });

  it('logging out of the console 签出s the agent; on a call it is refused unless they stay signed in', async () => {
    const username = await newAgent();
    const s = await login(username);
    const elsewhere = await login(username); // not a console session
    await send(s.accessToken, { type: 'sign_in' });
    await send(s.accessToken, { type: 'ready' });
    const c = await open(s.accessToken, null);
    await holdsConsole(s);
    // Logging out of a page that is not the console leaves the agent 签入ed.
    expect((await t.as(elsewhere.accessToken)('POST', '/api/auth/logout')).statusCode).toBe(204);
    expect(await state(s.accessToken)).toEqual({ kind: 'ready' });

    await t.services.agents.apply(s.userId, { type: 'dial', callId: `call-${username}` });
    const refused = await t.as(s.accessToken)('POST', '/api/auth/logout');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toBe('通话中不能签出，请先结束通话');
    expect((await t.as(s.accessToken)('GET', '/api/me')).statusCode).toBe(200); // session kept
    await t.services.agents.apply(s.userId, { type: 'call_ended', callId: `call-${username}` });

    expect((await t.as(s.accessToken)('POST', '/api/auth/logout')).statusCode).toBe(204);
    expect((await t.db.selectFrom('agent_state').select('state').where('agent_id', '=', s.userId).executeTakeFirstOrThrow()).state).toEqual({ kind: 'signed_out' });
    const last = await t.db.selectFrom('agent_state_log').select(['event', 'actor_id']).where('agent_id', '=', s.userId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(last).toEqual({ event: 'sign_out', actor_id: s.userId });
    c.close();

    // Confirmed on a call: the session ends, the agent stays 签入ed on the call.
    const s2 = await login(username);
    await send(s2.accessToken, { type: 'sign_in' });
    const c2 = await open(s2.accessToken, null);
    await holdsConsole(s2);
    await t.services.agents.apply(s2.userId, { type: 'dial', callId: `call2-${username}` });
    expect((await t.as(s2.accessToken)('POST', '/api/auth/logout?keepAgentSignedIn=true')).statusCode).toBe(204);
    expect((await t.as(s2.accessToken)('GET', '/api/me')).json().code).toBe('SESSION_REVOKED');
    expect((await t.db.selectFrom('agent_state').select('state').where('agent_id', '=', s2.userId).executeTakeFirstOrThrow()).state.kind).toBe('on_call');
    c2.close();
  });

  it('a 小休 past its maximum warns the agent and the group’s supervisors once', async () => {
    const username = await newAgent();
    const s = await login(username);
    await send(s.accessToken, { type: 'sign_in' });
    const own = await open(s.accessToken, null);
    const floor = await open(supervisor);
    const toFloor: BreakOverrun[] = [];
    floor.on('agent:break-overrun', (o) => o.agentId === s.userId && toFloor.push(o));
    const toAgent = new Promise<BreakOverrun>((resolve) => own.on('agent:break-overrun', resolve));

    // No maximum for 如厕 here: nothing is announced for it.
    await send(s.accessToken, { type: 'break', reason: 'restroom' });
    const onBreak = (await send(s.accessToken, { type: 'break', reason: 'rest' })).json();
    expect(await toAgent).toEqual({ agentId: s.userId, reason: 'rest', since: onBreak.since, maxSeconds: 1 });
    await expect.poll(() => toFloor.length).toBe(1);
    // Another node (or this one after a restart) does not announce the same break again.
    const announced: BreakOverrun[] = [];
    const otherNode = new BreakLimits({ db: t.db, reasons: [{ code: 'rest', maxSeconds: 1 }], announce: (o) => announced.push(o), log: console });
    await otherNode.rearm();
    await sleep(300);
    expect(announced).toEqual([]);
    expect(toFloor).toHaveLength(1);
    otherNode.stop();
    // The 409 for an illegal step is plain zh-CN.
    const refused = await send(s.accessToken, { type: 'wrap_up_done' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toBe('当前为小休状态，不能整理完成');
    for (const x of [own, floor]) x.close();
  });
});
