import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterTicketSchema, type TicketDetail } from '../../src/shared/api/tickets.js';
import { endOfChinaDay } from '../../src/shared/tickets/deadline.js';
import { TicketsService } from '../../src/server/modules/tickets/index.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

type Inject = ReturnType<TestApp['as']>;

describe('tickets', () => {
  let t: TestApp;
  let admin: Inject;
  let agent: Inject;
  let agent2: Inject;
  let sup: Inject;
  let qa: Inject;
  let unitA: Inject;
  let unitB: Inject;
  let unitC: Inject;
  let agentId: string;
  const unit: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };

  beforeAll(async () => {
    t = await createTestApp();
    const a = (await t.login('admin', ADMIN_PASSWORD)).accessToken;
    admin = t.as(a);
    const mk = async (username: string, roles: string[]) => {
      const res = await admin('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    agentId = await mk('agent1', ['agent']);
    await mk('agent2', ['agent']);
    await mk('sup1', ['supervisor']);
    await mk('qa1', ['qa']);
    const ua = await mk('unit_a', ['unit']);
    const ub = await mk('unit_b', ['unit']);
    const uc = await mk('unit_c', ['unit']);
    const login = async (u: string) => t.as((await t.login(u, 'Pass-word-1')).accessToken);
    const ls = await Promise.all(['agent1', 'agent2', 'sup1', 'qa1', 'unit_a', 'unit_b', 'unit_c'].map(login));
    [agent, agent2, sup, qa, unitA, unitB, unitC] = ls as [Inject, Inject, Inject, Inject, Inject, Inject, Inject];
    const mkUnit = async (code: string, name: string, member: string, regionCodes: string[], categoryCodes: string[]) => {
      const res = await admin('POST', '/api/refdata/units', { code, name, memberIds: [member], regionCodes, categoryCodes });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    unit.A = await mkUnit('xihu-cg', '西湖区城管局', ua, ['330106'], ['0101']);
    unit.B = await mkUnit('xihu-jd', '西湖区街道办', ub, ['330106'], []);
    unit.C = await mkUnit('hz-jt', '杭州市交通运输局', uc, ['330100'], ['02']);
    const rule = await admin('POST', '/api/refdata/dispatch-rules', { regionCode: '330100', categoryCode: '01', leadUnitId: unit.A, coUnitIds: [unit.B] });
    expect(rule.statusCode, rule.body).toBe(201);
    expect((await admin('POST', '/api/refdata/dispatch-rules', { categoryCode: '02', leadUnitId: unit.C })).statusCode).toBe(201);
  }, 180_000); // creates and signs in several accounts (argon2) on a busy machine
  afterAll(() => t.close());

  const form = (over: Record<string, unknown> = {}) => ({
    clientId: randomUUID(),
    channel: 'phone',
    callId: 'call-abc',
    callerNumber: '+86 138-0013-8000',
    citizen: { name: '张三', idNumber: '11010519491231002X' },
    title: '路灯不亮',
    content: '文三路与学院路口路灯连续三晚不亮，存在安全隐患。',
    appealType: 'help',
    categoryCode: '0101',
    regionCode: '330106',
    location: '文三路学院路口',
    ...over,
  });
  const register = async (over: Record<string, unknown> = {}) => {
    const res = await agent('POST', '/api/tickets', form(over));
    expect(res.statusCode, res.body).toBe(201);
    return res.json<TicketDetail>();
  };
  const act = async (who: Inject, tk: { id: string; version: number }, command: Record<string, unknown>, status = 200) => {
    const res = await who('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command });
    expect(res.statusCode, `${command.type}: ${res.body}`).toBe(status);
    return res.json<TicketDetail>();
  };
  const count = async (table: 'ticket' | 'ticket_event') => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.db)).rows[0]!.n);

  it('walks the full path: call → register → dispatch by rules → sign → process → extension → reply → audit → revisit → archive', async () => {
    let tk = await register({ forDispatch: true });
    expect(tk.ticketNo).toMatch(/^12345-\d{8}-\d{5}$/);
    expect(tk.status).toBe('pending_dispatch');
    expect(tk.citizen).toMatchObject({ name: '张三', phone: '13800138000', revealed: true });
    expect(tk.callerNumber).toBe('13800138000');
    expect(tk.allowedActions).toEqual(expect.arrayContaining(['dispatch', 'merge', 'invalidate']));
    tk = await act(agent, tk, { type: 'dispatch', opinion: '请核实处理' });
    expect(tk).toMatchObject({ status: 'dispatched', leadUnitId: unit.A, leadUnitName: '西湖区城管局', coUnits: [{ id: unit.B, name: '西湖区街道办' }] });
    expect(tk.signDueAt).not.toBeNull();
    // The unit sees it in its inbox, with the citizen's phone (it must call them back).
    const inbox = (await unitA('GET', '/api/tickets?view=unit_inbox')).json();
    expect(inbox.items.map((i: { id: string }) => i.id)).toContain(tk.id);
    expect((await unitA('GET', `/api/tickets/${tk.id}`)).json().allowedActions.sort()).toEqual(['note', 'request_return', 'sign']);
    expect((await unitC('GET', `/api/tickets/${tk.id}`)).statusCode).toBe(404);
    tk = await act(unitA, tk, { type: 'sign' });
    tk = await act(unitA, tk, { type: 'start' });
    tk = await act(unitB, tk, { type: 'note', text: '街道已到现场查看' });
    const dueBefore = tk.dueAt!;
    tk = await act(unitA, tk, { type: 'request_extension', workingDays: 3, reason: '需更换灯杆，等待物资' });
    expect(tk.pendingRequest).toMatchObject({ kind: 'extension', workingDays: 3 });
    tk = await act(sup, tk, { type: 'review_request', approve: true, opinion: '同意延期' });
    expect(tk.pendingRequest).toBeNull();
    expect(tk.extensionCount).toBe(1);
    expect(new Date(tk.dueAt!).getTime()).toBeGreaterThan(new Date(dueBefore).getTime());
    tk = await act(unitA, tk, { type: 'reply', result: '已更换灯杆，路灯恢复正常', handlerName: '李四' });
    expect(tk.status).toBe('replied');
    tk = await act(sup, tk, { type: 'audit', pass: true, opinion: '办理到位' });
    expect(tk.status).toBe('closed');
    tk = await act(agent, tk, { type: 'revisit', satisfaction: 'satisfied', mode: '电话' });
    expect(tk).toMatchObject({ status: 'archived', satisfaction: 'satisfied' });
    expect(tk.timeline.map((e) => e.action)).toEqual([
      'register', 'classify', 'dispatch', 'sign', 'start', 'note', 'request_extension', 'review_request', 'reply', 'audit', 'revisit',
    ]);
    // One event per change, numbered by version; the unit is recorded for unit actions.
    expect(tk.timeline.map((e) => e.seq)).toEqual(tk.timeline.map((_, i) => i + 1));
    expect(tk.version).toBe(tk.timeline.length);
    expect(tk.timeline.find((e) => e.action === 'note')).toMatchObject({ unitId: unit.B, unitName: '西湖区街道办', opinion: '街道已到现场查看' });
    expect(tk.timeline.find((e) => e.action === 'dispatch')!.detail).toMatchObject({ byRule: true, leadUnitId: unit.A });
    const req = await t.db.selectFrom('ticket_request').selectAll().where('ticket_id', '=', tk.id).execute();
    expect(req).toHaveLength(1);
    expect(req[0]).toMatchObject({ kind: 'extension', decision: 'approved', working_days: 3 });
    await expect(sql`update ticket_event set opinion = 'x'`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('answers directly and closes at registration', async () => {
    const tk = await register({ appealType: 'consult', answerDirectly: { result: '已告知办理流程' } });
    expect(tk).toMatchObject({ status: 'closed', directAnswer: true, result: '已告知办理流程' });
    expect(tk.timeline.map((e) => e.action)).toEqual(['register', 'answer_directly']);
  });

  it('return needs review: rejected stays with the unit, approved goes back to dispatch and on to another unit', async () => {
    let tk = await register({ forDispatch: true });
    tk = await act(agent, tk, { type: 'dispatch', leadUnitId: unit.A });
    tk = await act(unitA, tk, { type: 'request_return', reason: '非本单位职责' });
    expect(tk).toMatchObject({ status: 'return_review', returnReason: '非本单位职责' });
    await act(unitA, tk, { type: 'sign' }, 409);
    await act(agent, tk, { type: 'review_return', approve: true, opinion: 'x' }, 403);
    tk = await act(sup, tk, { type: 'review_return', approve: false, opinion: '属于城管职责' });
    expect(tk).toMatchObject({ status: 'dispatched', leadUnitId: unit.A, returnReason: null });
    tk = await act(unitA, tk, { type: 'request_return', reason: '确属交通部门' });
    tk = await act(sup, tk, { type: 'review_return', approve: true, opinion: '同意回退' });
    expect(tk).toMatchObject({ status: 'pending_dispatch', leadUnitId: null, coUnits: [] });
    expect((await unitA('GET', `/api/tickets/${tk.id}`)).statusCode).toBe(404);
    tk = await act(agent, tk, { type: 'dispatch', leadUnitId: unit.C });
    tk = await act(unitC, tk, { type: 'sign' });
    expect(tk.status).toBe('signed');
    const reqs = await t.db.selectFrom('ticket_request').select(['decision']).where('ticket_id', '=', tk.id).orderBy('requested_at').execute();
    expect(reqs.map((r) => r.decision)).toEqual(['rejected', 'approved']);
  });

  it('unsatisfied revisit reopens (重办) with a new time limit; 承诺办理 suspends until resumed', async () => {
    let tk = await register({ forDispatch: true });
    tk = await act(agent, tk, { type: 'dispatch', leadUnitId: unit.A });
    tk = await act(unitA, tk, { type: 'sign' });
    tk = await act(unitA, tk, { type: 'start' });
    await act(unitA, tk, { type: 'request_commitment', until: '2000-01-01', reason: 'x' }, 400);
    tk = await act(unitA, tk, { type: 'request_commitment', until: '2099-12-31', reason: '需纳入年度改造计划' });
    tk = await act(sup, tk, { type: 'review_request', approve: true, opinion: '同意' });
    expect(tk).toMatchObject({ status: 'suspended', commitmentUntil: '2099-12-31', dueAt: endOfChinaDay('2099-12-31').toISOString() });
    tk = await act(unitA, tk, { type: 'resume' });
    tk = await act(unitA, tk, { type: 'reply', result: '已处理' });
    tk = await act(sup, tk, { type: 'audit', pass: false, opinion: '答复不完整' });
    expect(tk.status).toBe('processing');
    tk = await act(unitA, tk, { type: 'reply', result: '已处理并回复市民' });
    tk = await act(sup, tk, { type: 'audit', pass: true, opinion: '通过' });
    await act(agent, tk, { type: 'revisit', satisfaction: 'unsatisfied', reopen: true }, 400); // reason required
    tk = await act(agent, tk, { type: 'revisit', satisfaction: 'unsatisfied', reason: '问题依旧', reopen: true });
    expect(tk).toMatchObject({ status: 'processing', reopenCount: 1, leadUnitId: unit.A, satisfaction: 'unsatisfied', closedAt: null });
    expect(new Date(tk.dueAt!).getTime()).toBeGreaterThan(Date.now());
    expect(tk.allowedActions.sort()).toEqual(['note', 'urge', 'withdraw']);
    expect((await unitA('GET', `/api/tickets/${tk.id}`)).json().allowedActions).toEqual(expect.arrayContaining(['reply', 'request_extension']));
  });

  it.skipIf(process.env.DATABASE_URL === undefined)('并单 takes both tickets in id order: it never deadlocks with a change that holds the lower and then takes the higher', async () => {
    const x = await register({ forDispatch: true });
    const y = await register({ forDispatch: true });
    // Unordered, the merge would change the target first, then its own ticket; here its own has the lower id.
    const [low, high] = [x, y].sort((p, q) => (p.id < q.id ? -1 : 1));
    const other = new pg.Client({ connectionString: t.config.databaseUrl! });
    await other.connect();
    try {
      // Tickets in id order, as the province dispatcher takes them.
      await other.query('begin');
      await other.query('select id from ticket where id = $1 for no key update', [low!.id]);
      const merging = act(agent, low!, { type: 'merge', intoTicketId: high!.id });
      await new Promise((r) => setTimeout(r, 300)); // the merge waits for the lower ticket now
      await other.query('select id from ticket where id = $1 for no key update', [high!.id]);
      await other.query('commit');
      expect(await merging).toMatchObject({ status: 'merged', mergedIntoId: high!.id });
    } finally {
      await other.end();
    }
  });

  it('merges a duplicate into another ticket (并单) and withdraws (收回) from a unit', async () => {
    const a = await register();
    let b = await register({ forDispatch: true });
    b = await act(agent, b, { type: 'merge', intoTicketId: a.id });
    expect(b).toMatchObject({ status: 'merged', mergedIntoId: a.id, relation: 'merged' });
    const a2 = (await agent('GET', `/api/tickets/${a.id}`)).json<TicketDetail>();
    expect(a2.version).toBe(a.version + 1);
    expect(a2.timeline.at(-1)).toMatchObject({ action: 'merged_in', detail: { ticketId: b.id } });
    await act(agent, a2, { type: 'merge', intoTicketId: a2.id }, 400);
    await act(agent, a2, { type: 'merge', intoTicketId: b.id }, 400);

    let c = await register({ forDispatch: true });
    c = await act(agent, c, { type: 'dispatch', leadUnitId: unit.A, coUnitIds: [unit.B] });
    c = await act(unitA, c, { type: 'sign' });
    c = await act(agent, c, { type: 'urge', opinion: '市民再次来电，请加快' });
    c = await act(sup, c, { type: 'supervise', opinion: '列入督办' });
    expect(c).toMatchObject({ urgeCount: 1, supervised: true });
    expect((await agent('GET', '/api/tickets?view=supervised')).json().items.map((i: { id: string }) => i.id)).toContain(c.id);
    c = await act(agent, c, { type: 'withdraw', reason: '派错单位' });
    expect(c).toMatchObject({ status: 'pending_dispatch', leadUnitId: null, signedAt: null });
    expect((await unitA('GET', `/api/tickets/${c.id}`)).statusCode).toBe(404);
    const sv = await t.db.selectFrom('ticket_supervision').select(['kind', 'unit_id']).where('ticket_id', '=', c.id).orderBy('id').execute();
    expect(sv).toEqual([{ kind: 'urge', unit_id: unit.A }, { kind: 'supervise', unit_id: unit.A }]);
  });

  it('concurrent edits: one wins, the other gets 409 with the newer ticket; nothing half-applied', async () => {
    let tk = await register({ forDispatch: true });
    tk = await act(agent, tk, { type: 'dispatch', leadUnitId: unit.A });
    const events = await count('ticket_event');
    const [r1, r2] = await Promise.all([
      unitA('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command: { type: 'sign' } }),
      agent('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command: { type: 'withdraw', reason: '改派' } }),
    ]);
    const codes = [r1.statusCode, r2.statusCode].sort();
    expect(codes).toEqual([200, 409]);
    const loser = r1.statusCode === 409 ? r1 : r2;
    const winner = r1.statusCode === 200 ? r1 : r2;
    expect(loser.json().code).toBe('CONFLICT');
    expect(loser.json().message).toContain('已被他人更新');
    // The loser sees the newer state when it may still see the ticket (a withdrawn unit may not).
    if (loser.json().current) expect(loser.json().current).toMatchObject({ version: tk.version + 1, status: winner.json().status });
    else expect(winner.json().status).toBe('pending_dispatch');
    // Two center users editing the same ticket: the loser always gets the newer ticket.
    const fresh = await register();
    const [u1, u2] = await Promise.all([
      agent('POST', `/api/tickets/${fresh.id}/actions`, { version: fresh.version, command: { type: 'classify', urgency: 'urgent' } }),
      sup('POST', `/api/tickets/${fresh.id}/actions`, { version: fresh.version, command: { type: 'classify', categoryCode: '0102' } }),
    ]);
    expect([u1.statusCode, u2.statusCode].sort()).toEqual([200, 409]);
    expect((u1.statusCode === 409 ? u1 : u2).json().current).toMatchObject({ version: fresh.version + 1, status: 'pending_dispatch' });
    expect(await count('ticket_event')).toBe(events + 3); // the winner, register and one classify
    // A stale version is refused even when the command would be legal now.
    const stale = await agent('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command: { type: 'urge', opinion: 'x' } });
    expect(stale.statusCode).toBe(409);
  });

  it('masks phones in lists, reveals them to those who contact citizens, and hides 保密 tickets from those who may not see them', async () => {
    const open = await register({ citizen: { name: '王小明', phone: '139 0000 1111', idNumber: '11010519491231002X' } });
    const secret = await register({ citizen: { name: '赵六', phone: '13700002222', idNumber: '11010519491231002X', confidential: true }, callerNumber: '13700002222' });
    const row = (list: { items: { id: string }[] }, id: string) => list.items.find((i) => i.id === id) as Record<string, unknown> | undefined;
    const agentList = (await agent('GET', '/api/tickets?view=mine&limit=200')).json();
    expect(row(agentList, open.id)).toMatchObject({ contactPhone: '139****1111', citizenName: '王**' });
    // The registering agent still lists the confidential ticket, without the citizen.
    expect(row(agentList, secret.id)).toMatchObject({ confidential: true, citizenName: '保密', contactPhone: null });
    expect((await agent('GET', `/api/tickets/${secret.id}`)).json().citizen).toMatchObject({ name: '保密', phone: null, revealed: false });
    // Another agent neither lists nor opens it, nor finds it by number.
    expect(row((await agent2('GET', '/api/tickets?limit=200')).json(), secret.id)).toBeUndefined();
    expect((await agent2('GET', `/api/tickets/${secret.id}`)).statusCode).toBe(404);
    expect((await agent2('GET', '/api/tickets/by-caller/13700002222')).json().items).toEqual([]);
    // The supervisor (tickets:confidential) sees everything, ID number included.
    expect((await sup('GET', `/api/tickets/${secret.id}`)).json().citizen).toMatchObject({ name: '赵六', phone: '13700002222', idNumber: '11010519491231002X', revealed: true });
    // QA reads tickets but never sees full contact details.
    const qaView = (await qa('GET', `/api/tickets/${open.id}`)).json();
    expect(qaView.citizen).toMatchObject({ name: '王**', phone: '139****1111', revealed: false });
    expect(qaView.allowedActions).toEqual([]);
    expect((await qa('GET', `/api/tickets/${secret.id}`)).statusCode).toBe(404);
    // Agents see full contact details of ordinary tickets; on 保密 ones only tickets:confidential does.
    expect((await agent2('GET', `/api/tickets/${open.id}`)).json().citizen).toMatchObject({ phone: '13900001111', revealed: true });
    expect((await agent('GET', `/api/tickets/${open.id}`)).json().citizen.idNumber).toBe('11010519491231002X');
    // A unit sees a confidential ticket dispatched to it, but not the citizen.
    let s = (await sup('GET', `/api/tickets/${secret.id}`)).json();
    s = await act(sup, s, { type: 'classify' });
    s = await act(sup, s, { type: 'dispatch', leadUnitId: unit.A });
    expect((await unitA('GET', `/api/tickets/${secret.id}`)).json().citizen).toMatchObject({ name: '保密', phone: null, idNumber: '110105********002X' });
  });

  it('permissions: every role gets 403 for what it may not do', async () => {
    const tk = await register({ forDispatch: true });
    expect((await unitA('POST', '/api/tickets', form())).statusCode).toBe(403);
    expect((await qa('POST', '/api/tickets', form())).statusCode).toBe(403);
    expect((await admin('POST', '/api/tickets', form())).statusCode).toBe(403);
    await act(qa, tk, { type: 'dispatch', leadUnitId: unit.A }, 403);
    await act(admin, tk, { type: 'dispatch', leadUnitId: unit.A }, 403);
    await act(unitA, tk, { type: 'dispatch', leadUnitId: unit.A }, 404); // not its ticket: not even visible
    const d = await act(agent, tk, { type: 'dispatch', leadUnitId: unit.A });
    await act(unitB, d, { type: 'sign' }, 404);
    await act(agent, d, { type: 'sign' }, 403);
    await act(agent, d, { type: 'supervise', opinion: 'x' }, 403);
    await act(sup, d, { type: 'reply', result: 'x' }, 403);
    expect((await agent('PUT', '/api/refdata/appeal-types/petition', { name: '信访' })).statusCode).toBe(403);
    expect((await agent('GET', '/api/refdata')).statusCode).toBe(200);
  });

  it('bad input answers 4xx with a precise message and stores nothing', async () => {
    const before = [await count('ticket'), await count('ticket_event')];
    const cases: [Record<string, unknown>, string][] = [
      [{ title: '' }, 'title'],
      [{ title: undefined }, 'title'],
      [{ content: 'x'.repeat(5001) }, 'content'],
      [{ callerNumber: '12' }, 'callerNumber'],
      [{ citizen: { phone: '1380013800a' } }, 'citizen.phone'],
      [{ citizen: { idNumber: '110105194912310021' } }, 'citizen.idNumber'],
      [{ appealType: 'nope' }, 'appealType'],
      [{ categoryCode: '9999' }, 'categoryCode'],
      [{ regionCode: '999999' }, 'regionCode'],
      [{ channel: 'fax' }, 'channel'],
      [{ clientId: 'not-a-uuid' }, 'clientId'],
      [{ answerDirectly: { result: 'x' }, forDispatch: true }, 'forDispatch'],
    ];
    for (const [over, path] of cases) {
      const res = await agent('POST', '/api/tickets', form(over));
      expect(res.statusCode, `${path}: ${res.body}`).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path), res.body).toContain(path);
    }
    const tk = await register({ forDispatch: true });
    const bad = await agent('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command: { type: 'dispatch', leadUnitId: randomUUID() } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('leadUnitId');
    const noRule = await register({ forDispatch: true, categoryCode: '0601' });
    const r = await agent('POST', `/api/tickets/${noRule.id}/actions`, { version: noRule.version, command: { type: 'dispatch' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toContain('没有匹配的派单规则');
    expect((await agent('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command: { type: 'teleport' } })).statusCode).toBe(400);
    expect((await agent('GET', `/api/tickets/${randomUUID()}`)).statusCode).toBe(404);
    expect([await count('ticket'), await count('ticket_event')]).toEqual([before[0]! + 2, before[1]! + 4]);
  });

  it('idempotent submit: a retried or doubled submission creates one ticket', async () => {
    const body = form();
    const [a, b] = await Promise.all([agent('POST', '/api/tickets', body), agent('POST', '/api/tickets', body)]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json().id).toBe(b.json().id);
    const c = await agent('POST', '/api/tickets', body);
    expect(c.json().ticketNo).toBe(a.json().ticketNo);
    expect((await agent2('POST', '/api/tickets', body)).statusCode).toBe(409);
    expect(await t.db.selectFrom('ticket').select('id').where('client_id', '=', body.clientId).execute()).toHaveLength(1);
  });

  it('registrations arriving together (one batch): each gets its own answer, a bad one fails alone, the answer equals the stored detail', async () => {
    const svc = t.tickets.tickets;
    const me = { userId: agentId, displayName: 'agent1', roles: ['agent' as const] };
    const twice = form();
    const inputs = [
      form(), form({ regionCode: '999999' }), twice, twice, form({ answerDirectly: { result: '已答复' } }),
      form({ citizen: { name: '李四', confidential: true } }), form({ appealType: 'nope' }),
    ].map((f) => RegisterTicketSchema.parse(f));
    // Called in one turn of the event loop, so they share one batch.
    const out = await Promise.allSettled(inputs.map((i) => svc.register(me, i)));
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const ok = out.map((o) => (o.status === 'fulfilled' ? o.value : null));
    expect(((out[1] as PromiseRejectedResult).reason as Error).message).toMatch(/^regionCode: 行政区划 999999/);
    expect(((out[6] as PromiseRejectedResult).reason as Error).message).toMatch(/^appealType: /);
    expect(ok[2]!.ticket.id).toBe(ok[3]!.ticket.id);
    expect([ok[2]!.created, ok[3]!.created].sort()).toEqual([false, true]);
    expect(ok[4]!.ticket.status).toBe('closed');
    const ids = [ok[0], ok[2], ok[4], ok[5]].map((r) => r!.ticket.id);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) {
      const fresh = await agent('GET', `/api/tickets/${id}`);
      const answered = ok.find((r) => r?.ticket.id === id)!.ticket;
      // The batch composes its answer from the rows it wrote; a read gives the same detail.
      expect(JSON.parse(JSON.stringify(answered))).toEqual(fresh.json());
      expect(fresh.json().timeline[0]).toMatchObject({ seq: 1, action: 'register', toStatus: 'registered' });
    }
    const events = await t.db.selectFrom('ticket_event').select(['ticket_id', 'seq']).where('ticket_id', 'in', ids).execute();
    expect(events).toHaveLength(5); // one register event each, plus the direct answer's
    expect(await t.db.selectFrom('ticket').select('id').where('client_id', 'in', inputs.map((i) => i.clientId)).execute()).toHaveLength(4);
  });

  it('numbers tickets uniquely under concurrent registration', async () => {
    const res = await Promise.all(Array.from({ length: 20 }, () => agent('POST', '/api/tickets', form())));
    const nos = res.map((r) => r.json().ticketNo as string);
    expect(new Set(nos).size).toBe(20);
    const seq = nos.map((n) => Number(n.slice(-5))).sort((x, y) => x - y);
    expect(seq.at(-1)! - seq[0]!).toBe(19);
  });

  it('keeps phone and ID numbers encrypted in the database and finds a caller fast by keyed hash (screen pop, open first)', async () => {
    const closed = await register({ callerNumber: '13512345678', appealType: 'consult', answerDirectly: { result: '已答复' } });
    const open = await register({ callerNumber: '135-1234-5678', citizen: { name: '钱七', idNumber: '11010519491231002X' } });
    const other = await register({ callerNumber: '13512345679' });
    const raw = await t.db.selectFrom('ticket').select(['contact_phone_enc', 'contact_phone_hash', 'caller_number_enc', 'id_number_enc', 'contact_phone_masked'])
      .where('id', '=', open.id).executeTakeFirstOrThrow();
    const dump = JSON.stringify(raw);
    expect(dump).not.toContain('13512345678');
    expect(dump).not.toContain('11010519491231002X');
    expect(raw.contact_phone_enc).toMatch(/^v1\./);
    expect(raw.contact_phone_enc).not.toBe(raw.caller_number_enc);
    expect(raw.contact_phone_masked).toBe('135****5678');
    // Whole-table scan for the plain number finds nothing.
    const hits = await sql<{ n: number }>`select count(*)::int as n from ticket t where t::text like '%13512345678%'`.execute(t.db);
    expect(hits.rows[0]!.n).toBe(0);
    const pop = (await agent('GET', '/api/tickets/by-caller/+8613512345678')).json().items as { id: string }[];
    expect(pop.map((i) => i.id)).toEqual([open.id, closed.id]);
    expect(pop.map((i) => i.id)).not.toContain(other.id);
    expect((await agent('GET', '/api/tickets?phone=13512345678')).json().items).toHaveLength(2);
    // The lookup uses the hash index (planner permitting: checked with sequential scans off).
    const plan = await t.db.connection().execute(async (c) => {
      await sql`set enable_seqscan = off`.execute(c);
      const p = await sql<{ 'QUERY PLAN': string }>`explain select id from ticket where contact_phone_hash = ${raw.contact_phone_hash}`.execute(c);
      await sql`set enable_seqscan = on`.execute(c);
      return p.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('ticket_contact_phone');
  });

  it('computes deadlines in working days across National Day 2025 and its 调休 Saturday, extensions too', async () => {
    const at = new Date('2025-09-30T10:00:00+08:00');
    const svc = new TicketsService(t.db, t.tickets.refdata, t.tickets.cipher, () => at);
    const user = { userId: agentId, displayName: 'agent1', roles: ['agent' as const] };
    // 咨询: 2 working days from the next day → 9 Oct (Thu) and 10 Oct (Fri).
    const consult = await svc.register(user, { ...form({ appealType: 'consult' }), channel: 'phone', upstreamPlatform: 'local', urgency: 'normal', attachments: [], forDispatch: false, citizen: { confidential: false, anonymous: false } } as never);
    expect(consult.ticket.dueAt).toBe(endOfChinaDay('2025-10-10').toISOString());
    // 求助: 10 working days → 9, 10, 11 (Sat, 调休), 13–17, 20, 21 Oct.
    const help = await svc.register(user, { ...form({ appealType: 'help' }), upstreamPlatform: 'local', urgency: 'normal', attachments: [], forDispatch: true, citizen: { confidential: false, anonymous: false } } as never);
    expect(help.ticket.dueAt).toBe(endOfChinaDay('2025-10-21').toISOString());
    // 特急: hours, calendar ignored.
    const critical = await svc.register(user, { ...form({ urgency: 'critical' }), upstreamPlatform: 'local', attachments: [], forDispatch: false, citizen: { confidential: false, anonymous: false } } as never);
    expect(critical.ticket.dueAt).toBe(new Date('2025-09-30T12:00:00+08:00').toISOString());
    // An admin makes 11 Oct a day off: new tickets count past it.
    const put = await admin('PUT', '/api/refdata/calendar/2025', { overrides: [{ date: '2025-10-11', isWorkday: false, note: '本地调整' }] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().makeUpWorkdays).toContain('2025-09-28');
    expect(put.json().makeUpWorkdays).not.toContain('2025-10-11');
    expect(put.json().holidays).toContain('2025-10-08');
    const after = await svc.register(user, { ...form({ appealType: 'help' }), upstreamPlatform: 'local', urgency: 'normal', attachments: [], forDispatch: false, citizen: { confidential: false, anonymous: false } } as never);
    expect(after.ticket.dueAt).toBe(endOfChinaDay('2025-10-22').toISOString());
    expect((await admin('PUT', '/api/refdata/calendar/2025', { overrides: [{ date: '2026-01-01', isWorkday: true }] })).statusCode).toBe(400);
    expect((await admin('PUT', '/api/refdata/calendar/2025', { overrides: [] })).statusCode).toBe(200);
    // Extension: 3 working days after the due day 21 Oct → 24 Oct.
    const sv = (u: string) => ({ userId: u, displayName: u, roles: ['supervisor' as const] });
    let d = await svc.act(user, help.ticket.id, help.ticket.version, { type: 'dispatch', leadUnitId: unit.A, coUnitIds: [] });
    const ua = (await t.db.selectFrom('handling_unit_member').select('user_id').where('unit_id', '=', unit.A).executeTakeFirstOrThrow()).user_id;
    const u = { userId: ua, displayName: 'unit_a', roles: ['unit' as const] };
    d = await svc.act(u, d.id, d.version, { type: 'sign' });
    d = await svc.act(u, d.id, d.version, { type: 'start' });
    d = await svc.act(u, d.id, d.version, { type: 'request_extension', workingDays: 3, reason: '需协调' });
    const supId = (await t.db.selectFrom('app_user').select('id').where('username', '=', 'sup1').executeTakeFirstOrThrow()).id;
    d = await svc.act(sv(supId), d.id, d.version, { type: 'review_request', approve: true, opinion: '同意' });
    expect(d.dueAt).toBe(endOfChinaDay('2025-10-24').toISOString());
    // Seen from today (2026), it is long overdue.
    expect((await agent('GET', `/api/tickets/${d.id}`)).json().slaState).toBe('overdue');
    expect((await agent('GET', '/api/tickets?view=overdue&limit=200')).json().items.map((i: { id: string }) => i.id)).toContain(d.id);
  });

  it('reference data: admins edit it, with precise errors', async () => {
    const all = (await agent('GET', '/api/refdata')).json();
    expect(all.regions.find((r: { code: string }) => r.code === '330106')).toMatchObject({ name: '西湖区', parentCode: '330100', level: 3 });
    expect(all.appealTypes.map((a: { name: string }) => a.name)).toContain('投诉');
    expect(all.units).toHaveLength(3);
    expect((await admin('POST', '/api/refdata/categories', { code: '0104', name: '燃气供应' })).json()).toMatchObject({ parentCode: '01' });
    expect((await admin('POST', '/api/refdata/categories', { code: '7701', name: '孤儿' })).statusCode).toBe(400);
    expect((await admin('POST', '/api/refdata/regions', { code: '330199', name: '测试区', parentCode: '330200' })).statusCode).toBe(400);
    const notUnit = await admin('POST', '/api/refdata/units', { code: 'x1', name: 'x', memberIds: [agentId] });
    expect(notUnit.statusCode).toBe(400);
    expect(notUnit.json().issues[0].path).toBe('memberIds');
    expect((await admin('POST', '/api/refdata/units', { code: 'xihu-cg', name: '重复' })).statusCode).toBe(409);
    expect((await admin('POST', '/api/refdata/units', { code: 'x2', name: 'x', regionCodes: ['999999'] })).statusCode).toBe(400);
    const rule = await admin('POST', '/api/refdata/sla-rules', { appealType: 'complaint', channel: 'letter', unit: 'working_days', amount: 20 });
    expect(rule.statusCode, rule.body).toBe(201);
    expect((await admin('POST', '/api/refdata/sla-rules', { appealType: 'complaint', channel: 'letter', unit: 'hours', amount: 2 })).statusCode).toBe(409);
    expect((await admin('DELETE', `/api/refdata/sla-rules/${rule.json().id}`)).statusCode).toBe(204);
    const audit = await t.db.selectFrom('audit_log').select('action').where('action', 'like', 'refdata.%').execute();
    expect(audit.length).toBeGreaterThan(5);
  });
});
