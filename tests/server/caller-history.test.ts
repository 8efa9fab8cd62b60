/**
 * Screen-pop caller history (GET /api/callers/:number/history) and caller tags on a real
 * database (PGlite, or PostgreSQL with DATABASE_URL): attribution from the prefix table,
 * calls in 30 days and the previous call, tickets open first with 保密 ones withheld or
 * shown per the tickets rules, 重复来电 from the call records, 黑名单/骚扰 tags (admin API),
 * the offered call's queue and wait, and who may ask. Also the agent home's summary.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHome, CallerHistory } from '../../src/shared/api/callers.js';
import type { TicketDetail } from '../../src/shared/api/tickets.js';
import { NumberAttributionTable } from '../../src/server/modules/callers/number-attribution.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

type Inject = ReturnType<TestApp['as']>;
const DAY = 86_400_000;
const CALLER = '13805710001'; // 1380571: 杭州 in the sample table
const OTHER = '13905740002'; // 1390574: 宁波

describe('caller history (screen pop)', () => {
  let t: TestApp;
  let admin: Inject;
  let agent: Inject;
  let agent2: Inject;
  let sup: Inject;
  let qa: Inject;
  let agentId: string;
  let queueId: string;
  const tickets: Record<string, TicketDetail> = {};

  const record = async (callId: string, caller: string, daysAgo: number, over: Record<string, unknown> = {}) => {
    const at = new Date(Date.now() - daysAgo * DAY);
    await t.db.insertInto('call_record').values({
      call_id: callId, direction: 'inbound', caller, caller_normalised: caller, called: '12345', queue_id: queueId,
      arrived_at: at, queued_at: at, offered_at: new Date(at.getTime() + 20_000), answered_at: new Date(at.getTime() + 25_000),
      ended_at: new Date(at.getTime() + 125_000), result: 'answered', agent_id: agentId, ...over,
    }).execute();
  };

  beforeAll(async () => {
    t = await createTestApp({ repeatCallerCalls: 3, repeatCallerDays: 7 });
    admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const mk = async (username: string, roles: string[], extension?: string) => {
      const res = await admin('POST', '/api/users', { username, displayName: `用户${username}`, password: 'Pass-word-1', roles, ...(extension ? { extension } : {}) });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    agentId = await mk('agent1', ['agent'], '3001');
    await mk('agent2', ['agent'], '3002');
    await mk('sup1', ['supervisor']);
    await mk('qa1', ['qa']);
    const login = async (u: string) => t.as((await t.login(u, 'Pass-word-1')).accessToken);
    [agent, agent2, sup, qa] = await Promise.all(['agent1', 'agent2', 'sup1', 'qa1'].map(login)) as [Inject, Inject, Inject, Inject];
    const q = await admin('POST', '/api/acd/queues', { code: 'pop', name: '综合受理', numbers: ['12399'] });
    expect(q.statusCode, q.body).toBe(201);
    queueId = q.json().id;

    // Calls: 4 within 7 days (one of them the call being offered now), one 20 days ago, one 40 days ago;
    // a callback leg dialled out to the number is not one of "their calls"; another number's calls never count.
    await record('old-40', CALLER, 40);
    await record('old-20', CALLER, 20);
    await record('recent-5', CALLER, 5);
    await record('recent-2', CALLER, 2, { result: 'abandoned', answered_at: null, offered_at: null, agent_id: null });
    await record('recent-1', CALLER, 1);
    await t.db.insertInto('call_record').values({
      call_id: 'now-1', direction: 'inbound', caller: `sip:${CALLER}@pstn`, caller_normalised: CALLER, called: '12345', queue_id: queueId,
      arrived_at: new Date(Date.now() - 42_000), queued_at: new Date(Date.now() - 42_000), offered_at: new Date(Date.now() - 2_000),
    }).execute();
    await record('out-1', '3001', 1, { direction: 'outbound', called: CALLER, caller_normalised: '3001' });
    await record('other-1', OTHER, 1);

    const form = (over: Record<string, unknown>) => ({
      clientId: randomUUID(), channel: 'phone', callerNumber: CALLER, title: '路灯不亮', content: '路灯连续三晚不亮。', appealType: 'help', ...over,
    });
    const register = async (who: Inject, key: string, over: Record<string, unknown>) => {
      const res = await who('POST', '/api/tickets', form({ title: key, ...over }));
      expect(res.statusCode, res.body).toBe(201);
      tickets[key] = res.json<TicketDetail>();
    };
    // Oldest first: a closed one, then two open ones, then a 保密 one filed by another agent.
    await register(agent, 'closed', { answerDirectly: { result: '已答复' } });
    await register(agent, 'open-a', {});
    await register(agent2, 'open-b', { callerNumber: undefined, citizen: { phone: `+86 ${CALLER}` } });
    await register(agent2, 'secret', { citizen: { confidential: true, name: '李四' } });
    await register(agent, 'mine-secret', { citizen: { confidential: true, name: '王五' } });
    await register(agent, 'other-number', { callerNumber: OTHER });
  });
  afterAll(() => t.close());

  const history = async (who: Inject, number: string, callId?: string) => {
    const res = await who('GET', `/api/callers/${encodeURIComponent(number)}/history${callId ? `?callId=${callId}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<CallerHistory>();
  };

  it('attributes the number, counts 30 days of calls and finds the previous call', async () => {
    const h = await history(agent, CALLER, 'now-1');
    expect(h.number).toBe(CALLER);
    expect(h.attribution).toEqual({ kind: 'mobile', province: '浙江省', city: '杭州市', carrier: '中国移动' });
    // now-1, recent-1, recent-2, recent-5, old-20 (old-40 is outside; the outbound leg and another number never count).
    expect(h.calls.last30Days).toBe(5);
    expect(h.calls.lastCall).toMatchObject({ callId: 'recent-1', result: 'answered', queueName: '综合受理', agentName: '用户agent1' });
    expect(h.current).toMatchObject({ callId: 'now-1', queueName: '综合受理' });
    expect(h.current!.waitedSeconds).toBeGreaterThan(39);
    expect(h.current!.waitedSeconds).toBeLessThan(41);
    // Without the call id, the newest call is the "last call" and there is no current call.
    const plain = await history(agent, `+86 ${CALLER.slice(0, 3)}-${CALLER.slice(3)}`);
    expect(plain.number).toBe(CALLER);
    expect(plain.calls.lastCall?.callId).toBe('now-1');
    expect(plain.current).toBeNull();
  });

  it('lists tickets open first, newest first, and withholds 保密 tickets the user may not see', async () => {
    const h = await history(agent, CALLER, 'now-1');
    // agent1 sees its own confidential ticket (masked contact), not agent2's.
    expect(h.tickets.map((x) => x.title)).toEqual(['mine-secret', 'open-b', 'open-a', 'closed']);
    expect(h.tickets.find((x) => x.title === 'mine-secret')).toMatchObject({ confidential: true, citizenName: '保密', contactPhone: null });
    expect(h.tickets.find((x) => x.title === 'open-a')!.contactPhone).toBe('138****0001');
    expect(h.hiddenConfidential).toEqual({ total: 1, open: 1 });
    expect(h.ticketsTruncated).toBe(false);
    // A supervisor (tickets:confidential) sees both 保密 tickets and nothing is withheld.
    const s = await history(sup, CALLER);
    expect(s.tickets.map((x) => x.title)).toEqual(['mine-secret', 'secret', 'open-b', 'open-a', 'closed']);
    expect(s.hiddenConfidential).toEqual({ total: 0, open: 0 });
    // Closed ones come after every open one.
    const statuses = s.tickets.map((x) => x.status);
    expect(statuses.at(-1)).toBe('closed');
  });

  it('tags a repeat caller from the call records and shows blacklist/harassment tags with a warning', async () => {
    let h = await history(agent, CALLER, 'now-1');
    // 4 calls within 7 days ≥ 3.
    expect(h.tags).toEqual([{ kind: 'repeat', label: '重复来电', level: 'warning', note: '7 天内来电 4 次', since: null }]);
    expect((await history(agent, OTHER)).tags).toEqual([]);

    // Tags are kept by supervisors and admins; agents may not set them.
    expect((await agent('PUT', `/api/caller-tags/${CALLER}/blacklist`, { note: 'x' })).statusCode).toBe(403);
    const put = await sup('PUT', `/api/caller-tags/${encodeURIComponent(`+86${CALLER}`)}/harassment`, { note: '多次辱骂坐席' });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ number: CALLER, kind: 'harassment', note: '多次辱骂坐席', createdBy: '用户sup1' });
    expect((await admin('PUT', `/api/caller-tags/${CALLER}/blacklist`, { expiresAt: new Date(Date.now() - 1000).toISOString() })).statusCode).toBe(200);
    h = await history(agent, CALLER);
    // The expired blacklist entry does not apply.
    expect(h.tags.map((x) => [x.kind, x.level])).toEqual([['harassment', 'danger'], ['repeat', 'warning']]);
    expect(h.tags[0]!.note).toContain('多次辱骂坐席');
    const list = await sup('GET', '/api/caller-tags');
    expect(list.json().items).toHaveLength(2);
    expect((await sup('DELETE', `/api/caller-tags/${CALLER}/harassment`)).statusCode).toBe(204);
    expect((await sup('DELETE', `/api/caller-tags/${CALLER}/harassment`)).statusCode).toBe(404);
    expect((await history(agent, CALLER)).tags.map((x) => x.kind)).toEqual(['repeat']);
    const audit = await t.db.selectFrom('audit_log').select('action').where('action', 'like', 'caller_tag.%').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['caller_tag.delete', 'caller_tag.put', 'caller_tag.put']);
  });

  it('answers only agents and supervisors, and refuses numbers it cannot normalise', async () => {
    expect((await qa('GET', `/api/callers/${CALLER}/history`)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/api/callers/${CALLER}/history` })).statusCode).toBe(401);
    expect((await agent('GET', '/api/callers/abc/history')).statusCode).toBe(400);
    // Landlines by area code; a service number has no place.
    expect((await history(agent, '057187654321')).attribution).toMatchObject({ kind: 'landline', province: '浙江省', city: '杭州市' });
    expect((await history(agent, '01012345678')).attribution).toMatchObject({ kind: 'landline', province: '北京市', city: '北京市' });
    expect((await history(agent, '12345')).attribution.kind).toBe('service');
  });

  it('the agent home sums today from the call records and tickets', async () => {
    const res = await agent('GET', '/api/agent/home');
    expect(res.statusCode, res.body).toBe(200);
    const home = res.json<AgentHome>();
    expect(home.agent).toMatchObject({ username: 'agent1', extension: '3001' });
    // Today: nothing answered (the seeded calls are days old), 4 tickets filed by agent1 (other-number included).
    expect(home.today.ticketsFiled).toBe(4);
    const before = home.today.answered;
    const start = new Date(Date.now() - 60_000);
    await t.db.insertInto('call_record').values({
      call_id: 'today-1', direction: 'inbound', caller: OTHER, caller_normalised: OTHER, called: '12345', agent_id: agentId,
      arrived_at: start, answered_at: new Date(start.getTime() + 10_000), ended_at: new Date(start.getTime() + 40_000), result: 'answered',
      wrap_up_ended_at: new Date(start.getTime() + 50_000),
    }).execute();
    await t.db.insertInto('call_offer').values({ call_id: 'today-1', agent_id: agentId, offered_at: start, ended_at: start, outcome: 'no_answer' }).execute();
    const after = (await agent('GET', '/api/agent/home')).json<AgentHome>();
    expect(after.today.answered).toBe(before + 1);
    expect(after.today.missed).toBe(1);
    expect(after.today.avgTalkSeconds).toBeCloseTo(30, 3);
    expect(after.today.avgAfterCallWorkSeconds).toBeCloseTo(10, 3);
    expect((await sup('GET', '/api/agent/home')).statusCode).toBe(403);

    // Pending: my open tickets overdue or within their warning time, soonest first; not closed or far ones.
    const mine = await t.db.selectFrom('ticket').select('id').where('agent_id', '=', agentId).orderBy('accepted_at').execute();
    expect(mine.length).toBeGreaterThanOrEqual(4);
    const [overdue, near, far, closed] = mine.map((r) => r.id);
    const set = (id: string | undefined, status: string, dueInHours: number) =>
      t.db.updateTable('ticket').set({ status, due_at: new Date(Date.now() + dueInHours * 3600_000), warn_hours: 24 }).where('id', '=', id!).execute();
    await set(overdue, 'processing', -24);
    await set(near, 'signed', 2);
    await set(far, 'processing', 24 * 30);
    await set(closed, 'closed', -48);
    const due = (await agent('GET', '/api/agent/home')).json<AgentHome>().dueTickets;
    expect(due.map((d) => [d.id, d.slaState])).toEqual([[overdue, 'overdue'], [near, 'near_due']]);
  });
});

describe('number attribution table', () => {
  const table = NumberAttributionTable.load();
  it('finds mobile segments by range and leaves unknown segments unplaced', () => {
    expect(table.lookup('13805710000')).toMatchObject({ city: '杭州市', carrier: '中国移动' });
    expect(table.lookup('18905775555')).toMatchObject({ city: '温州市', carrier: '中国电信' });
    expect(table.lookup('13057000000')).toMatchObject({ city: '杭州市', carrier: '中国联通' }); // 1305700: first block
    expect(table.lookup('13057159999')).toMatchObject({ city: '杭州市' }); // 1305715: last of the first block
    expect(table.lookup('13057160000')).toMatchObject({ city: '宁波市' }); // 1305716: second block
    expect(table.lookup('13600000000')).toEqual({ kind: 'mobile', province: null, city: null, carrier: '中国移动' });
    expect(table.lookup('87654321')).toEqual({ kind: 'landline', province: null, city: null, carrier: null });
    expect(table.lookup('07551234567')).toMatchObject({ province: '广东省', city: '深圳市' });
  });
});
