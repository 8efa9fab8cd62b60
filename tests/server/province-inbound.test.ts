/**
 * The gateway inside the app, against the province simulator: the province's dispatches,
 * urges and supervision by push (duplicated, out of order) and pull become one local ticket
 * with the right final state; bad pushes are refused and store nothing; local tickets are
 * reported (诉求, 承办情况) and can be transferred up; admin health, dead letters and
 * reconciliation over the API.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/shared/api/province.js';
import { RequestSigner } from '../../src/server/modules/province/signing.js';
import { ProvinceSimulator, simMessageId } from '../../tools/province-sim/simulator.js';
import { testSigning, waitFor } from '../harness/province.js';
import { ADMIN_PASSWORD, baseUrl, createTestApp, type TestApp } from '../harness/test-app.js';

type Inject = ReturnType<TestApp['as']>;
const now = () => new Date().toISOString();

function messages(upstreamNo: string): InboundMessage[] {
  return [
    { messageId: simMessageId(), upstreamNo, seq: 1, sentAt: now(), kind: 'dispatch', data: { title: '噪音扰民', content: '夜间施工噪音', appealType: 'complaint', urgency: 'normal', regionCode: '330106', contactPhone: '13800138000', confidential: false, acceptedAt: now() } },
    { messageId: simMessageId(), upstreamNo, seq: 2, sentAt: now(), kind: 'urge', data: { opinion: '请尽快处理', at: now() } },
    { messageId: simMessageId(), upstreamNo, seq: 3, sentAt: now(), kind: 'urge', data: { opinion: '再次催办', at: now() } },
    { messageId: simMessageId(), upstreamNo, seq: 4, sentAt: now(), kind: 'supervise', data: { opinion: '列入督办', at: now() } },
  ];
}

describe('province gateway in the app', () => {
  let t: TestApp;
  let sim: ProvinceSimulator;
  let admin: Inject;
  let agent: Inject;
  let unitId: string;
  let inboundUrl: string;

  beforeAll(async () => {
    sim = new ProvinceSimulator({ signing: testSigning, provinceCode: '33' });
    await sim.listen();
    t = await createTestApp({
      provinceUrl: sim.url, provinceAppKey: testSigning.appKey, provinceAppSecret: testSigning.secret, provinceInbound: 'both',
      provinceBatchIntervalMs: 50, provinceTimeoutMs: 3000, provincePullIntervalMs: 3_600_000, provinceReconcileAt: '',
    }, { listen: true });
    inboundUrl = `${baseUrl(t.app)}/api/province/inbound`;
    sim.cityInboundUrl = inboundUrl;
    admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const mk = async (username: string, roles: string[]) => {
      const res = await admin('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    await mk('agent1', ['agent']);
    const member = await mk('unit_a', ['unit']);
    agent = t.as((await t.login('agent1', 'Pass-word-1')).accessToken);
    const u = await admin('POST', '/api/refdata/units', { code: 'xihu-cg', name: '西湖区城管局', memberIds: [member], regionCodes: ['330106'], categoryCodes: [] });
    expect(u.statusCode, u.body).toBe(201);
    unitId = u.json().id;
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('turns duplicated, shuffled pushes into one local ticket with the province\'s final state', async () => {
    const upstreamNo = `SZ-${randomUUID().slice(0, 8)}`;
    const statuses = await sim.push(messages(upstreamNo), { duplicate: true, shuffle: true });
    expect(statuses.every((s) => s === 200)).toBe(true);
    const local = await t.db.selectFrom('ticket').selectAll().where('upstream_no', '=', upstreamNo).execute();
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({ upstream_platform: 'province_12345', channel: 'province', title: '噪音扰民', status: 'pending_dispatch' });
    const row = await t.db.selectFrom('province_inbound_ticket').selectAll().where('upstream_no', '=', upstreamNo).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ ticket_id: local[0]!.id, urge_count: 2, supervise_count: 1, dispatch_seq: 1 });
    expect(await t.db.selectFrom('province_inbound_message').select('message_id').where('upstream_no', '=', upstreamNo).execute()).toHaveLength(4);
    // Urges wait until the ticket reaches a unit (the workflow refuses them before), then apply once.
    const waiting = await t.db.selectFrom('province_inbound_message').select(['kind', 'apply_error']).where('upstream_no', '=', upstreamNo).where('applied_at', 'is', null).execute();
    expect(waiting.map((w) => w.kind).sort()).toEqual(['supervise', 'urge', 'urge']);
    const detail = (await agent('GET', `/api/tickets/${local[0]!.id}`)).json();
    const d = await agent('POST', `/api/tickets/${local[0]!.id}/actions`, { version: detail.version, command: { type: 'dispatch', leadUnitId: unitId } });
    expect(d.statusCode, d.body).toBe(200);
    await t.province.inbound!.retryWaiting();
    await t.province.inbound!.retryWaiting();
    const after = await t.db.selectFrom('ticket').select(['urge_count', 'supervised', 'status']).where('id', '=', local[0]!.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ urge_count: 2, supervised: true, status: 'dispatched' });
    // Our handling flows back: 承办情况 for the province ticket, no 诉求 (the province has it).
    await waitFor(() => [...sim.events.values()].some((e) => e.item.upstreamNo === upstreamNo), 'status reported to the province');
    const sent = [...sim.events.values()].filter((e) => e.item.upstreamNo === upstreamNo).map((e) => e.item.type);
    expect(sent).not.toContain('appeal');
    expect(sent[0]).toBe('status');
  });

  it('refuses bad signatures, stale timestamps, replayed nonces and malformed payloads, storing nothing', async () => {
    const count = async () => (await t.db.selectFrom('province_inbound_message').select('message_id').execute()).length;
    const before = await count();
    const signer = new RequestSigner(testSigning);
    const path = '/api/province/inbound';
    const body = { messages: messages(`SZ-${randomUUID().slice(0, 8)}`).slice(0, 1) };
    const post = async (headers: Record<string, string>, payload: string) => {
      const r = await fetch(inboundUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
      return { status: r.status, body: (await r.json()) as { code: string; message: string } };
    };
    const forged = new RequestSigner({ ...testSigning, secret: 'not-the-province-secret-000' }).seal('POST', path, body);
    expect(await post(forged.headers, forged.body)).toMatchObject({ status: 401, body: { code: 'BAD_SIGNATURE' } });
    const stale = signer.seal('POST', path, body, Date.now() - 6 * 60_000);
    expect(await post(stale.headers, stale.body)).toMatchObject({ status: 401, body: { code: 'STALE_TIMESTAMP' } });
    const bad = signer.seal('POST', path, { messages: [{ ...body.messages[0], kind: 'dispatch', data: { title: '' } }] });
    const malformed = await post(bad.headers, bad.body);
    expect(malformed).toMatchObject({ status: 400, body: { code: 'MALFORMED_PAYLOAD' } });
    expect(malformed.body.message).toContain('报文格式错误');
    expect(await count()).toBe(before);
    const good = signer.seal('POST', path, body);
    expect((await post(good.headers, good.body)).status).toBe(200);
    expect(await count()).toBe(before + 1);
    const replay = await post(good.headers, good.body);
    expect(replay).toMatchObject({ status: 401, body: { code: 'REPLAYED_NONCE' } });
    expect(await count()).toBe(before + 1);
  });

  it('pulls the province\'s feed with a stored cursor; a re-read changes nothing', async () => {
    const upstreamNo = `SZ-${randomUUID().slice(0, 8)}`;
    const ms = messages(upstreamNo);
    sim.dispatch([ms[1]!, ms[0]!, ms[1]!]); // urge before its dispatch, and a repeat
    expect(await t.province.inbound!.pullOnce(t.province.client!)).toBe(3);
    expect(await t.province.inbound!.pullOnce(t.province.client!)).toBe(0);
    const cursor = await t.db.selectFrom('province_pull_cursor').select('cursor').executeTakeFirstOrThrow();
    expect(Number(cursor.cursor)).toBe(sim.feed.length);
    expect(await t.db.selectFrom('ticket').select('id').where('upstream_no', '=', upstreamNo).execute()).toHaveLength(1);
    expect(await t.db.selectFrom('province_inbound_ticket').select('urge_count').where('upstream_no', '=', upstreamNo).executeTakeFirstOrThrow()).toEqual({ urge_count: 1 });
  });

  it('reports local tickets (诉求, 承办情况), shows 待同步 → 已同步, and transfers up', async () => {
    const reg = await agent('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', title: '道路坑洼', content: '文三路有大坑', appealType: 'help', regionCode: '330106', citizen: { name: '张三', phone: '13900139000' } });
    expect(reg.statusCode, reg.body).toBe(201);
    const tk = reg.json();
    expect(tk.syncState).toBe('pending');
    await waitFor(async () => (await agent('GET', `/api/tickets/${tk.id}`)).json().syncState === 'synced', 'synced');
    expect(sim.events.get(`${tk.ticketNo}:appeal:1`)!.item.data).toMatchObject({ title: '道路坑洼', contactPhone: '13900139000', regionCode: '330106' });
    const cur = (await agent('GET', `/api/tickets/${tk.id}`)).json();
    const up = await agent('POST', `/api/tickets/${tk.id}/transfer-up`, { version: cur.version, scope: 'cross_jurisdiction', reason: '涉及两市交界' });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json().key).toBe(`${tk.ticketNo}:transfer_up:2`);
    expect((await agent('POST', `/api/tickets/${tk.id}/transfer-up`, { version: up.json().version, scope: 'cross_jurisdiction', reason: '再来' })).statusCode).toBe(409);
    await waitFor(() => sim.events.has(`${tk.ticketNo}:transfer_up:2`), 'transfer-up reported');
    const timeline = (await agent('GET', `/api/tickets/${tk.id}`)).json().timeline as { action: string }[];
    expect(timeline.map((e) => e.action)).toContain('transfer_up');
    // The province's later urge about it names our number and lands on our ticket.
    await sim.push([{ messageId: simMessageId(), upstreamNo: tk.ticketNo, seq: 1, sentAt: now(), kind: 'urge', data: { opinion: '省里催办', at: now() } }]);
    expect(await t.db.selectFrom('province_inbound_ticket').select(['ticket_id', 'urge_count']).where('upstream_no', '=', tk.ticketNo).executeTakeFirstOrThrow()).toEqual({ ticket_id: tk.id, urge_count: 1 });
  });

  it('shows gateway health, dead letters with re-send, and reconciliation reports to admins', async () => {
    // An appeal outside the province is rejected upstream: a dead letter, the ticket 失败.
    const reg = await agent('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', title: '外省诉求', content: '内容', appealType: 'consult' });
    const tk = reg.json();
    await waitFor(async () => (await agent('GET', `/api/tickets/${tk.id}`)).json().syncState === 'failed', 'failed');
    const h = await admin('GET', '/api/province/health');
    expect(h.statusCode, h.body).toBe(200);
    expect(h.json()).toMatchObject({ enabled: true, circuit: 'closed', deadLetters: 1 });
    expect(h.json().failuresByReason.rejected).toBeGreaterThanOrEqual(1);
    expect((await agent('GET', '/api/province/health')).statusCode).toBe(403);
    const dl = (await admin('GET', '/api/province/dead-letters')).json().items;
    expect(dl[0]).toMatchObject({ ticketNo: tk.ticketNo, provinceCode: 'REGION_OUT_OF_PROVINCE' });
    const fix = { ...dl[0].payload.data, regionCode: '330106' };
    expect((await admin('POST', `/api/province/dead-letters/${dl[0].id}/resend`, { data: { ...fix, regionCode: 'x' } })).statusCode).toBe(400);
    expect((await admin('POST', `/api/province/dead-letters/${dl[0].id}/resend`, { data: fix })).statusCode).toBe(200);
    await waitFor(async () => (await agent('GET', `/api/tickets/${tk.id}`)).json().syncState === 'synced', 'synced after re-send');

    // Reconciliation: drop one event from the province's records, then compare and re-send.
    const lost = [...sim.events.keys()].find((k) => k.startsWith(tk.ticketNo))!;
    sim.events.delete(lost);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const r = await admin('POST', '/api/province/reconciliations', { from: today, to: today, resendMissing: true });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ missingUpstream: 1, resent: 1, unknownUpstream: 0 });
    expect(r.json().differences).toEqual([{ key: lost, kind: 'missing_upstream', action: 'resent' }]);
    await waitFor(() => sim.events.has(lost), 're-sent');
    const again = await admin('POST', '/api/province/reconciliations', { from: today, to: today, resendMissing: false });
    expect(again.json()).toMatchObject({ missingUpstream: 0, unknownUpstream: 0 });
    expect(again.json().matched).toBe(again.json().ours);
    const list = (await admin('GET', '/api/province/reconciliations')).json().items;
    expect(list).toHaveLength(2);
    expect((await admin('GET', `/api/province/reconciliations/${list[1].id}`)).json().differences).toHaveLength(1);
    expect((await admin('GET', '/api/province/health')).json().lastReconciliation.id).toBe(list[0].id);
  });
});
