/**
 * The sweep of unreferenced 附件 uploads, driven by a controllable clock: an upload no event
 * references is removed (row and file) only after the grace period; a referenced one never;
 * a file in the store without a row goes once it is as old; running it again removes nothing;
 * an upload being referenced while the sweep runs is kept (PostgreSQL: concurrent transactions).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAttachment } from '../../src/shared/api/ticket-attachments.js';
import type { TicketDetail } from '../../src/shared/api/tickets.js';
import { AttachmentStore, AttachmentSweep } from '../../src/server/modules/tickets/index.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

type Inject = ReturnType<TestApp['as']>;

describe('unreferenced attachment sweep', () => {
  let t: TestApp;
  let dir: string;
  let agent: Inject;
  let unitA: Inject;
  let unitToken: string;
  let unitId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attachments-sweep-'));
    t = await createTestApp({ attachmentsDir: dir });
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    for (const [username, roles] of [['agent1', ['agent']], ['unit_a', ['unit']]] as const) {
      expect((await admin('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles })).statusCode).toBe(201);
    }
    agent = t.as((await t.login('agent1', 'Pass-word-1')).accessToken);
    const u = await t.login('unit_a', 'Pass-word-1');
    unitToken = u.accessToken;
    unitA = t.as(unitToken);
    const unit = await admin('POST', '/api/refdata/units', { code: 'xihu-cg', name: '西湖区城管局', memberIds: [u.userId] });
    expect(unit.statusCode, unit.body).toBe(201);
    unitId = unit.json().id;
  }, 120_000);
  afterAll(() => t.close());

  const act = async (who: Inject, tk: { id: string; version: number }, command: Record<string, unknown>) => {
    const res = await who('POST', `/api/tickets/${tk.id}/actions`, { version: tk.version, command });
    expect(res.statusCode, `${command.type}: ${res.body}`).toBe(200);
    return res.json<TicketDetail>();
  };
  const upload = async (ticketId: string, name: string): Promise<StoredAttachment> => {
    const res = await t.app.inject({
      method: 'POST', url: `/api/tickets/${ticketId}/attachments?name=${encodeURIComponent(name)}`,
      headers: { authorization: `Bearer ${unitToken}`, 'content-type': 'application/octet-stream' }, payload: randomBytes(500),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<StoredAttachment>();
  };
  const idOf = (a: StoredAttachment) => a.ref.replace(/^attachment:/, '');
  const rows = async () => (await t.db.selectFrom('ticket_attachment').select('id').execute()).map((r) => r.id).sort();

  it('removes only uploads no event references, and only after the grace period', async () => {
    const reg = await agent('POST', '/api/tickets', {
      clientId: randomUUID(), channel: 'phone', title: '占道经营', content: '学院路菜场门口占道经营，影响通行。', appealType: 'complaint', forDispatch: true,
    });
    expect(reg.statusCode, reg.body).toBe(201);
    let tk = await act(agent, reg.json<TicketDetail>(), { type: 'dispatch', leadUnitId: unitId });
    tk = await act(unitA, tk, { type: 'sign' });
    tk = await act(unitA, tk, { type: 'start' });

    const noted = await upload(tk.id, '现场.jpg');
    const replied = await upload(tk.id, '整改后.jpg');
    const abandoned = await upload(tk.id, '取消的.jpg'); // picked in a dialog that was then cancelled
    tk = await act(unitA, tk, { type: 'note', text: '已到现场', attachments: [noted] });
    tk = await act(unitA, tk, { type: 'reply', result: '已清理', attachments: [replied] });

    // Files in the store with no row: one as old as the grace period, one fresh.
    const now = Date.now();
    const strayOld = randomUUID();
    const strayNew = randomUUID();
    writeFileSync(join(dir, `${strayOld}.bin`), 'x');
    writeFileSync(join(dir, `${strayNew}.bin.tmp`), 'x');
    utimesSync(join(dir, `${strayNew}.bin.tmp`), new Date(now + 2 * 3600_000), new Date(now + 2 * 3600_000));

    const store = new AttachmentStore(dir);
    const sweepAt = (ms: number) => new AttachmentSweep(t.db, store, { graceHours: 24, clock: () => new Date(ms) }).sweep();

    // 23 h on: nothing is old enough.
    expect(await sweepAt(now + 23 * 3600_000)).toEqual({ unreferenced: [], strayFiles: [] });
    expect(await rows()).toEqual([idOf(noted), idOf(replied), idOf(abandoned)].sort());

    // 25 h on: the abandoned upload and the old stray file go; referenced files and the fresh stray stay.
    expect(await sweepAt(now + 25 * 3600_000)).toEqual({ unreferenced: [idOf(abandoned)], strayFiles: [strayOld] });
    expect(await rows()).toEqual([idOf(noted), idOf(replied)].sort());
    expect(existsSync(join(dir, `${idOf(abandoned)}.bin`))).toBe(false);
    expect(existsSync(join(dir, `${strayOld}.bin`))).toBe(false);
    expect(existsSync(join(dir, `${strayNew}.bin.tmp`))).toBe(true);
    for (const a of [noted, replied]) expect(existsSync(join(dir, `${idOf(a)}.bin`))).toBe(true);
    const gone = await t.app.inject({ method: 'GET', url: `/api/tickets/${tk.id}/attachments/${idOf(abandoned)}`, headers: { authorization: `Bearer ${unitToken}` } });
    expect(gone.statusCode).toBe(404);
    const kept = await t.app.inject({ method: 'GET', url: `/api/tickets/${tk.id}/attachments/${idOf(noted)}`, headers: { authorization: `Bearer ${unitToken}` } });
    expect(kept.statusCode).toBe(200);

    // Later still, the fresh stray is old too; referenced files stay for good; a rerun removes nothing more.
    expect(await sweepAt(now + 30 * 24 * 3600_000)).toEqual({ unreferenced: [], strayFiles: [strayNew] });
    expect(await sweepAt(now + 30 * 24 * 3600_000)).toEqual({ unreferenced: [], strayFiles: [] });
    expect(await rows()).toEqual([idOf(noted), idOf(replied)].sort());
    // The timeline still shows the referenced files.
    const detail = (await unitA('GET', `/api/tickets/${tk.id}`)).json<TicketDetail>();
    expect(detail.timeline.flatMap((e) => e.attachments.map((a) => a.ref)).sort()).toEqual([noted.ref, replied.ref].sort());
  });

  it.skipIf(process.env.DATABASE_URL === undefined)('keeps an old upload that a change names while the sweep runs', async () => {
    const reg = await agent('POST', '/api/tickets', {
      clientId: randomUUID(), channel: 'phone', title: '噪音扰民', content: '工地夜间施工噪音扰民。', appealType: 'complaint', forDispatch: true,
    });
    let tk = await act(agent, reg.json<TicketDetail>(), { type: 'dispatch', leadUnitId: unitId });
    tk = await act(unitA, tk, { type: 'sign' });
    tk = await act(unitA, tk, { type: 'start' });
    const late = await upload(tk.id, '迟交的.jpg'); // the dialog stayed open past the grace period
    // A change naming it, held open the way the service's transaction holds it (FOR SHARE, then the write).
    const writer = new pg.Client({ connectionString: t.config.databaseUrl! });
    await writer.connect();
    try {
      await writer.query('begin');
      await writer.query('select id from ticket_attachment where id = $1 for share', [idOf(late)]);
      await writer.query(`update ticket set attachments = attachments || jsonb_build_array(jsonb_build_object('ref', $1::text)) where id = $2`, [late.ref, tk.id]);
      const sweep = new AttachmentSweep(t.db, new AttachmentStore(dir), { graceHours: 24, clock: () => new Date(Date.now() + 25 * 3600_000) }).sweep();
      await new Promise((r) => setTimeout(r, 300));
      await writer.query('commit');
      expect((await sweep).unreferenced).not.toContain(idOf(late));
    } finally {
      await writer.end();
    }
    expect(await rows()).toContain(idOf(late));
    expect(existsSync(join(dir, `${idOf(late)}.bin`))).toBe(true);
    // Referenced now: later sweeps keep it too.
    expect((await new AttachmentSweep(t.db, new AttachmentStore(dir), { graceHours: 24, clock: () => new Date(Date.now() + 48 * 3600_000) }).sweep()).unreferenced).not.toContain(idOf(late));
  });
});
