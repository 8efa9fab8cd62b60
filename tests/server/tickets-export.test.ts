/**
 * 台账导出: the .xlsx parsed back with exceljs — the rows the list's filter selects, newest
 * first, across several keyset pages; names and phones masked per the reader's rights, 保密
 * tickets withheld or hidden; 403 without tickets:export; the export audited.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../src/shared/api/tickets.js';
import type { Role } from '../../src/shared/roles.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

type Inject = ReturnType<TestApp['as']>;

describe('ticket export', () => {
  let t: TestApp;
  let agent: Inject;
  let sup: Inject;
  let qa: Inject;
  let unitA: Inject;
  let unitAId = '';
  let agentId = '';
  const tk: Record<string, TicketDetail> = {};

  beforeAll(async () => {
    t = await createTestApp();
    const admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const mk = async (username: string, role: Role) => {
      const res = await admin('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles: [role] });
      expect(res.statusCode, res.body).toBe(201);
      return { id: res.json().id as string, inject: t.as((await t.login(username, 'Pass-word-1')).accessToken) };
    };
    const a = await mk('agent1', 'agent');
    agent = a.inject;
    agentId = a.id;
    sup = (await mk('sup1', 'supervisor')).inject;
    qa = (await mk('qa1', 'qa')).inject;
    const u = await mk('unit_a', 'unit');
    unitA = u.inject;
    unitAId = (await admin('POST', '/api/refdata/units', { code: 'a', name: '甲单位', memberIds: [u.id] })).json().id;
    const reg = async (key: string, over: Record<string, unknown>) => {
      const res = await agent('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', appealType: 'complaint', title: key, content: `${key} 的诉求内容`, ...over });
      expect(res.statusCode, res.body).toBe(201);
      tk[key] = res.json<TicketDetail>();
    };
    await reg('普通', { citizen: { name: '王小明', phone: '13900001111' }, regionCode: '330106', categoryCode: '0101' });
    await reg('保密', { citizen: { name: '钱七', phone: '13900002222', confidential: true } });
    for (const key of ['普通', '保密']) {
      let d = tk[key]!;
      for (const command of [{ type: 'classify' }, { type: 'dispatch', leadUnitId: unitAId }]) {
        const res = await sup('POST', `/api/tickets/${d.id}/actions`, { version: d.version, command });
        expect(res.statusCode, res.body).toBe(200);
        d = res.json();
      }
    }
    // Bulk rows so the export spans several keyset pages (2,000 a page).
    await sql`insert into ticket (ticket_no, channel, accepted_at, title, content, appeal_type, status, agent_id, updated_at, contact_phone_masked)
      select 'B-' || lpad(g::text, 5, '0'), 'web', now() - g * interval '1 minute', '批量工单 ' || g, '批量内容', 'help', 'registered', ${agentId}::uuid, now(), '137****' || lpad(g::text, 4, '0')
      from generate_series(1, 4500) g`.execute(t.db);
  }, 180_000); // creates and signs in several accounts (argon2) on a busy machine
  afterAll(() => t.close());

  async function exported(who: Inject, query: string) {
    const res = await who('GET', `/api/tickets/export?${query}`);
    expect(res.statusCode, res.statusCode === 200 ? '' : res.body).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(String(res.headers['content-disposition'])).toContain(encodeURIComponent('工单台账'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('工单台账')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    const rows: Record<string, string>[] = [];
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const v = (row.values as unknown[]).slice(1);
      rows.push(Object.fromEntries(header.map((h, i) => [h, v[i] === undefined || v[i] === null ? '' : String(v[i])])));
    });
    return { count: Number(res.headers['x-ticket-count']), rows };
  }

  it('exports every row of the filter, newest first, with names and codes resolved', async () => {
    const all = await exported(sup, 'view=all');
    expect(all.count).toBe(4502);
    expect(all.rows.length).toBe(4502);
    expect(all.rows.slice(0, 2).map((r) => r['标题']).sort()).toEqual(['保密', '普通']);
    expect(all.rows[2]!['工单编号']).toBe('B-00001');
    expect(all.rows[4501]!['工单编号']).toBe('B-04500');
    const plain = all.rows.find((r) => r['标题'] === '普通')!;
    expect(plain).toMatchObject({ '诉求类型': '投诉', '所属区域': '西湖区', '状态': '待签收', '主办单位': '甲单位', '诉求内容': '普通 的诉求内容' });

    const filtered = await exported(sup, `ticketNo=B-0449&q=${encodeURIComponent('批量')}`);
    expect(filtered.rows.map((r) => r['工单编号'])).toEqual(Array.from({ length: 10 }, (_, i) => `B-0449${i}`));
    expect(filtered.count).toBe(10);
  });

  it('masks per the reader: full for those who may contact citizens, 保密 only with tickets:confidential', async () => {
    const bySup = (await exported(sup, `unitId=${unitAId}`)).rows;
    expect(bySup.length).toBe(2);
    expect(bySup.find((r) => r['标题'] === '普通')).toMatchObject({ '市民': '王小明', '联系电话': '13900001111' });
    expect(bySup.find((r) => r['标题'] === '保密')).toMatchObject({ '市民': '钱七', '联系电话': '13900002222', '保密': '是' });

    // The unit sees its two tickets only: full contact details on the ordinary one (it handles it),
    // none on the 保密 one (no tickets:confidential).
    const byUnit = (await exported(unitA, 'view=all')).rows;
    expect(byUnit.map((r) => r['标题']).sort()).toEqual(['保密', '普通']);
    expect(byUnit.find((r) => r['标题'] === '普通')).toMatchObject({ '市民': '王小明', '联系电话': '13900001111' });
    expect(byUnit.find((r) => r['标题'] === '保密')).toMatchObject({ '市民': '保密', '联系电话': '', '保密': '是' });
  });

  it('answers 403 without tickets:export and audits each export', async () => {
    for (const who of [agent, qa]) {
      const res = await who('GET', '/api/tickets/export?view=all');
      expect(res.statusCode).toBe(403);
    }
    const res = await t.app.inject({ method: 'GET', url: '/api/tickets/export' });
    expect(res.statusCode).toBe(401);
    const audits = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'tickets.export'`.execute(t.db);
    expect(audits.rows[0]!.n).toBeGreaterThanOrEqual(4);
  });

  it('rejects bad filters with a precise message', async () => {
    const res = await sup('GET', '/api/tickets/export?regionCode=33');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('行政区划代码为 6 位数字');
  });
});
