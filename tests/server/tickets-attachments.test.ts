import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAttachment } from '../../src/shared/api/ticket-attachments.js';
import type { TicketDetail } from '../../src/shared/api/tickets.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

type Inject = ReturnType<TestApp['as']>;

describe('ticket attachments (附件)', () => {
  let t: TestApp;
  let dir: string;
  const tokens: Record<string, string> = {};
  let agent: Inject;
  let agent2: Inject;
  let unitA: Inject;
  let sup: Inject;
  const unit: Record<'A' | 'C', string> = { A: '', C: '' };
  const MAX = 64 * 1024;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attachments-test-'));
    t = await createTestApp({ attachmentsDir: dir, attachmentMaxBytes: MAX });
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const mk = async (username: string, roles: string[]) => {
      const res = await admin('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    await mk('agent1', ['agent']);
    await mk('agent2', ['agent']);
    await mk('sup1', ['supervisor']);
    await mk('qa1', ['qa']);
    const ua = await mk('unit_a', ['unit']);
    const uc = await mk('unit_c', ['unit']);
    for (const u of ['agent1', 'agent2', 'sup1', 'qa1', 'unit_a', 'unit_c']) tokens[u] = (await t.login(u, 'Pass-word-1')).accessToken;
    [agent, agent2, sup, unitA] = ['agent1', 'agent2', 'sup1', 'unit_a'].map((u) => t.as(tokens[u]!)) as [Inject, Inject, Inject, Inject];
    const mkUnit = async (code: string, name: string, member: string) => {
      const res = await admin('POST', '/api/refdata/units', { code, name, memberIds: [member], regionCodes: [], categoryCodes: [] });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    unit.A = await mkUnit('xihu-cg', '西湖区城管局', ua);
    unit.C = await mkUnit('hz-jt', '杭州市交通运输局', uc);
  }, 180_000);
  afterAll(() => t.close());

  const act = async (who: Inject, tk: { id: string; version: number }, command: Record<string, unknown>, status = 200) => {
    const res = await who('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command });
    expect(res.statusCode, `${command.type}: ${res.body}`).toBe(status);
    return res.json<TicketDetail>();
  };
  /** A ticket held by unit A, signed and in processing. */
  const processing = async (over: Record<string, unknown> = {}) => {
    const res = await agent('POST', '/api/tickets', {
      clientId: randomUUID(), channel: 'phone', title: '占道经营', content: '学院路菜场门口占道经营，影响通行。', appealType: 'complaint', forDispatch: true, ...over,
    });
    expect(res.statusCode, res.body).toBe(201);
    let tk = res.json<TicketDetail>();
    tk = await act(agent, tk, { type: 'dispatch', leadUnitId: unit.A });
    tk = await act(unitA, tk, { type: 'sign' });
    return act(unitA, tk, { type: 'start' });
  };
  const upload = (user: string, ticketId: string, name: string, data: Buffer) =>
    t.app.inject({
      method: 'POST', url: `/api/tickets/${ticketId}/attachments?name=${encodeURIComponent(name)}`,
      headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/octet-stream' }, payload: data,
    });
  const download = (user: string, ticketId: string, attachmentId: string) =>
    t.app.inject({ method: 'GET', url: `/api/tickets/${ticketId}/attachments/${attachmentId}`, headers: { authorization: `Bearer ${tokens[user]}` } });
  const idOf = (a: StoredAttachment) => a.ref.replace(/^attachment:/, '');
  const stored = () => readdirSync(dir).length;

  it('stores an upload with its checksum and gives the same bytes back; notes and replies carry it', async () => {
    let tk = await processing();
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(40_000)]);
    const res = await upload('unit_a', tk.id, '现场照片 1.jpg', photo);
    expect(res.statusCode, res.body).toBe(201);
    const a = res.json<StoredAttachment>();
    const sha = createHash('sha256').update(photo).digest('hex');
    expect(a).toMatchObject({ name: '现场照片 1.jpg', mimeType: 'image/jpeg', size: photo.length, sha256: sha });
    expect(a.ref).toMatch(/^attachment:[0-9a-f-]{36}$/);
    const row = await t.db.selectFrom('ticket_attachment').selectAll().where('id', '=', idOf(a)).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ ticket_id: tk.id, name: '现场照片 1.jpg', mime: 'image/jpeg', size: photo.length, sha256: sha });

    const got = await download('unit_a', tk.id, idOf(a));
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(photo)).toBe(true);
    expect(createHash('sha256').update(got.rawPayload).digest('hex')).toBe(sha);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(String(got.headers['content-disposition'])).toContain(encodeURIComponent('现场照片 1.jpg'));
    // The registering agent sees the ticket, so may read its files too.
    expect((await download('agent1', tk.id, idOf(a))).statusCode).toBe(200);

    // A note referencing it: the server's metadata replaces whatever the client claimed; URLs pass.
    tk = await act(unitA, tk, { type: 'note', text: '已到现场拍照', attachments: [{ name: 'x.jpg', ref: a.ref, size: 1 }, { name: '公文', ref: 'https://oa.example.gov.cn/doc/42' }] });
    const note = tk.timeline.find((e) => e.action === 'note')!;
    expect(note.attachments).toEqual([{ name: '现场照片 1.jpg', ref: a.ref, mimeType: 'image/jpeg', size: photo.length, sha256: sha }, { name: '公文', ref: 'https://oa.example.gov.cn/doc/42' }]);
    const doc = await upload('unit_a', tk.id, '处理结果.pdf', Buffer.from('%PDF-1.7\n%test\n'));
    expect(doc.statusCode, doc.body).toBe(201);
    tk = await act(unitA, tk, { type: 'reply', result: '已取缔占道摊点', attachments: [doc.json<StoredAttachment>()] });
    expect(tk.timeline.find((e) => e.action === 'reply')!.attachments[0]!.ref).toBe(doc.json<StoredAttachment>().ref);
  });

  it('refuses oversize files and kinds not accepted with 4xx, storing nothing', async () => {
    const tk = await processing();
    const before = stored();
    const rows = async () => (await t.db.selectFrom('ticket_attachment').select('id').where('ticket_id', '=', tk.id).execute()).length;

    const big = await upload('unit_a', tk.id, 'big.png', randomBytes(MAX + 1));
    expect(big.statusCode, big.body).toBe(413);
    expect(big.json().message).toContain('附件不能超过');
    const exe = await upload('unit_a', tk.id, 'setup.exe', Buffer.from('MZ'));
    expect(exe.statusCode).toBe(400);
    expect(exe.json().message).toContain('不支持的附件类型');
    const noExt = await upload('unit_a', tk.id, 'README', Buffer.from('x'));
    expect(noExt.statusCode).toBe(400);
    const traversal = await upload('unit_a', tk.id, '../../etc/x.png', Buffer.from('x'));
    expect(traversal.statusCode).toBe(400);
    const empty = await upload('unit_a', tk.id, 'empty.png', Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
    const json = await t.app.inject({ method: 'POST', url: `/api/tickets/${tk.id}/attachments?name=a.png`, headers: { authorization: `Bearer ${tokens.unit_a}` }, payload: { a: 1 } });
    expect(json.statusCode).toBe(400); // JSON is not a file (an empty Buffer is not sent either)
    expect(await rows()).toBe(0);
    expect(stored()).toBe(before);
    // Unauthenticated: 401 before the size or the kind is looked at.
    const anon = await t.app.inject({ method: 'POST', url: `/api/tickets/${tk.id}/attachments?name=big.png`, headers: { 'content-type': 'application/octet-stream' }, payload: randomBytes(MAX + 1) });
    expect(anon.statusCode).toBe(401);
  });

  it("keeps another unit's users and 保密 tickets out; who sees but may not act cannot upload", async () => {
    const tk = await processing({ citizen: { name: '李四', confidential: true } });
    const a = (await upload('unit_a', tk.id, 'a.png', Buffer.from('\x89PNG\r\n'))).json<StoredAttachment>();
    const before = stored();
    // Unit C does not hold it: for them the ticket does not exist.
    expect((await upload('unit_c', tk.id, 'c.png', Buffer.from('x'))).statusCode).toBe(404);
    expect((await download('unit_c', tk.id, idOf(a))).statusCode).toBe(404);
    // 保密: another agent (no tickets:confidential, did not register it) gets the detail view's 404; a supervisor may.
    expect((await agent2('GET', `/api/tickets/${tk.id}`)).statusCode).toBe(404);
    expect((await download('agent2', tk.id, idOf(a))).statusCode).toBe(404);
    expect((await upload('agent2', tk.id, 'd.png', Buffer.from('x'))).statusCode).toBe(404);
    expect((await download('sup1', tk.id, idOf(a))).statusCode).toBe(200);
    expect(stored()).toBe(before);

    // QA sees ordinary tickets but writes no notes or replies: reads 200, uploads 403.
    const open = await processing();
    const b = (await upload('unit_a', open.id, 'b.png', Buffer.from('\x89PNG'))).json<StoredAttachment>();
    expect((await download('qa1', open.id, idOf(b))).statusCode).toBe(200);
    const qaUpload = await upload('qa1', open.id, 'q.png', Buffer.from('x'));
    expect(qaUpload.statusCode).toBe(403);
    // Nor may unit C on a ticket it does not hold, nor anyone once the unit can no longer write on it.
    let closed = await act(unitA, open, { type: 'reply', result: '已处理' });
    expect((await upload('unit_a', closed.id, 'late.png', Buffer.from('x'))).statusCode).toBe(403);
    expect((await download('unit_a', closed.id, idOf(b))).statusCode).toBe(200);
    closed = await act(sup, closed, { type: 'audit', pass: true, opinion: '同意办结' });
    expect(closed.status).toBe('closed');
    expect(stored()).toBe(before + 1);
    // Another ticket's id with this attachment, or an unknown one: not found.
    expect((await download('unit_a', open.id, idOf(a))).statusCode).toBe(404);
    expect((await download('unit_a', tk.id, randomUUID())).statusCode).toBe(404);
  });

  it("refuses an event that references another ticket's attachment, and stored refs at registration", async () => {
    const mine = await processing();
    const theirs = await processing();
    const foreign = (await upload('unit_a', theirs.id, 'other.pdf', Buffer.from('%PDF-1.4'))).json<StoredAttachment>();
    const res = await unitA('POST', `/api/tickets/${mine.id}/actions`, { version: mine.version, command: { type: 'note', text: '附上材料', attachments: [foreign] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0]).toMatchObject({ path: 'attachments.0.ref' });
    expect(res.json().message).toContain('不属于本工单');
    const reply = await unitA('POST', `/api/tickets/${mine.id}/actions`, { version: mine.version, command: { type: 'reply', result: '已办结', attachments: [{ name: 'x', ref: `attachment:${randomUUID()}` }] } });
    expect(reply.statusCode).toBe(400);
    const bad = await unitA('POST', `/api/tickets/${mine.id}/actions`, { version: mine.version, command: { type: 'note', text: 'x', attachments: [{ name: 'x', ref: 'attachment:../../x' }] } });
    expect(bad.statusCode).toBe(400);
    // Nothing happened to the ticket.
    const now = (await unitA('GET', `/api/tickets/${mine.id}`)).json<TicketDetail>();
    expect(now.version).toBe(mine.version);
    const reg = await agent('POST', '/api/tickets', {
      clientId: randomUUID(), channel: 'web', title: '噪音', content: '夜间施工噪音扰民。', appealType: 'complaint', attachments: [foreign],
    });
    expect(reg.statusCode).toBe(400);
    expect(reg.json().issues[0]).toMatchObject({ path: 'attachments.0.ref' });
  });
});
