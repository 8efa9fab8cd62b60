/**
 * The code tables an admin edits (诉求类型, 分类, 行政区划): create with validated codes
 * (parent prefix, digits per level, uniqueness), change, disable — never delete — with every
 * change audited and refused to anyone without refdata:manage. A disabled category can no
 * longer be chosen for a new ticket, while tickets filed with it keep it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../src/shared/api/tickets.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

type Inject = ReturnType<TestApp['as']>;

describe('refdata code tables', () => {
  let t: TestApp;
  let admin: Inject;
  let agent: Inject;
  let sup: Inject;

  beforeAll(async () => {
    t = await createTestApp();
    admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    for (const [username, roles] of [['agent1', ['agent']], ['sup1', ['supervisor']]] as const) {
      const res = await admin('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles });
      expect(res.statusCode, res.body).toBe(201);
    }
    agent = t.as((await t.login('agent1', 'Pass-word-1')).accessToken);
    sup = t.as((await t.login('sup1', 'Pass-word-1')).accessToken);
  }, 120_000);
  afterAll(() => t.close());

  const issue = (res: { statusCode: number; json(): unknown }) => {
    expect(res.statusCode).toBe(400);
    return (res.json() as { issues: { path: string; message: string }[] }).issues[0]!;
  };

  it('refuses every change to users without refdata:manage, and stores nothing', async () => {
    const changes: [string, string, unknown][] = [
      ['POST', '/api/refdata/appeal-types', { code: 'petition', name: '信访' }],
      ['PUT', '/api/refdata/appeal-types/consult', { name: '咨询x' }],
      ['POST', '/api/refdata/categories', { code: '0104', name: '燃气' }],
      ['PUT', '/api/refdata/categories/01', { name: '城建', active: false }],
      ['POST', '/api/refdata/regions', { code: '330199', name: '测试区', parentCode: '330100' }],
      ['PUT', '/api/refdata/regions/330106', { name: '西湖', parentCode: '330100', active: false }],
    ];
    for (const who of [agent, sup]) {
      for (const [method, url, body] of changes) {
        const res = await who(method as 'POST' | 'PUT', url, body);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
      }
    }
    const all = (await agent('GET', '/api/refdata')).json();
    expect(all.appealTypes.find((a: { code: string }) => a.code === 'petition')).toBeUndefined();
    expect(all.categories.find((c: { code: string }) => c.code === '01')).toMatchObject({ name: '城乡建设', active: true });
    expect(all.regions.find((r: { code: string }) => r.code === '330106')).toMatchObject({ name: '西湖区', active: true });
  });

  it('appeal types: create, refuse a taken code or name, change, disable; audited', async () => {
    const created = await admin('POST', '/api/refdata/appeal-types', { code: 'petition', name: '信访', sort: 8 });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({ code: 'petition', name: '信访', sort: 8, active: true });
    expect((await admin('POST', '/api/refdata/appeal-types', { code: 'petition', name: '信访2' })).statusCode).toBe(409);
    expect(issue(await admin('POST', '/api/refdata/appeal-types', { code: 'Bad-Code', name: '坏' })).path).toBe('code');
    expect(issue(await admin('POST', '/api/refdata/appeal-types', { code: 'dup', name: '投诉' }))).toMatchObject({ path: 'name' });
    expect((await admin('PUT', '/api/refdata/appeal-types/nosuch', { name: '无' })).statusCode).toBe(404);
    const off = await admin('PUT', '/api/refdata/appeal-types/petition', { name: '信访事项', sort: 8, active: false });
    expect(off.statusCode, off.body).toBe(200);
    expect((await agent('GET', '/api/refdata')).json().appealTypes.find((a: { code: string }) => a.code === 'petition')).toMatchObject({ name: '信访事项', active: false });
    const audit = await t.db.selectFrom('audit_log').select(['action', 'target_id']).where('target_type', '=', 'appeal_type').orderBy('id').execute();
    expect(audit).toEqual([{ action: 'refdata.appeal_type_create', target_id: 'petition' }, { action: 'refdata.appeal_type', target_id: 'petition' }]);
  });

  it('categories: two digits per level under an existing parent, unique codes and sibling names', async () => {
    const ok = await admin('POST', '/api/refdata/categories', { code: '0104', name: '燃气供应', sort: 4 });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toEqual({ code: '0104', parentCode: '01', name: '燃气供应', sort: 4, active: true });
    expect((await admin('POST', '/api/refdata/categories', { code: '010401', name: '燃气管道' })).json()).toMatchObject({ parentCode: '0104' });
    expect((await admin('POST', '/api/refdata/categories', { code: '0104', name: '又一个' })).statusCode).toBe(409);
    expect(issue(await admin('POST', '/api/refdata/categories', { code: '7701', name: '孤儿' }))).toMatchObject({ path: 'code', message: expect.stringContaining('上级分类 77 不存在') });
    expect(issue(await admin('POST', '/api/refdata/categories', { code: '011', name: '奇数位' })).path).toBe('code');
    expect(issue(await admin('POST', '/api/refdata/categories', { code: '0100', name: '零段' }))).toMatchObject({ path: 'code', message: expect.stringContaining('00') });
    expect(issue(await admin('POST', '/api/refdata/categories', { code: '0101010101', name: '五级' })).path).toBe('code');
    expect(issue(await admin('POST', '/api/refdata/categories', { code: '0105', name: '物业管理' })).path).toBe('name');
    // The same name under another parent is fine.
    expect((await admin('POST', '/api/refdata/categories', { code: '0204', name: '燃气供应' })).statusCode).toBe(201);
    expect((await admin('PUT', '/api/refdata/categories/0199', { name: '无' })).statusCode).toBe(404);
    const codes = (await agent('GET', '/api/refdata')).json().categories.map((c: { code: string }) => c.code);
    expect(codes).not.toContain('7701');
    expect(codes).not.toContain('0100');
  });

  it('regions: GB/T 2260 levels, parent of the level above with the code prefix, unique codes', async () => {
    const ok = await admin('POST', '/api/refdata/regions', { code: '330199', name: '测试新区', parentCode: '330100' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toEqual({ code: '330199', parentCode: '330100', name: '测试新区', level: 3, active: true });
    expect((await admin('POST', '/api/refdata/regions', { code: '320000', name: '江苏省' })).json()).toMatchObject({ level: 1, parentCode: null });
    expect((await admin('POST', '/api/refdata/regions', { code: '320100', name: '南京市', parentCode: '320000' })).json()).toMatchObject({ level: 2 });
    expect((await admin('POST', '/api/refdata/regions', { code: '330199', name: '再来', parentCode: '330100' })).statusCode).toBe(409);
    expect(issue(await admin('POST', '/api/refdata/regions', { code: '330198', name: '错上级', parentCode: '330200' }))).toMatchObject({ path: 'code', message: expect.stringContaining('3302') });
    expect(issue(await admin('POST', '/api/refdata/regions', { code: '330197', name: '跳级', parentCode: '330000' }))).toMatchObject({ path: 'parentCode' });
    expect(issue(await admin('POST', '/api/refdata/regions', { code: '330196', name: '无上级' })).path).toBe('parentCode');
    expect(issue(await admin('POST', '/api/refdata/regions', { code: '340000', name: '省有上级', parentCode: '330000' })).path).toBe('parentCode');
    expect(issue(await admin('POST', '/api/refdata/regions', { code: '330195', name: '上级不存在', parentCode: '339900' })).path).toBe('parentCode');
    expect(issue(await admin('POST', '/api/refdata/regions', { code: '33019', name: '五位' })).path).toBe('code');
    expect(issue(await admin('POST', '/api/refdata/regions', { code: '330001', name: '地市位为零', parentCode: '330000' })).path).toBe('code');
    expect(issue(await admin('POST', '/api/refdata/regions', { code: '330194', name: '西湖区', parentCode: '330100' })).path).toBe('name');
  });

  const register = (over: Record<string, unknown>) =>
    agent('POST', '/api/tickets', {
      clientId: randomUUID(), channel: 'phone', callerNumber: '13800138000', citizen: { name: '李四' }, title: '燃气管道漏气',
      content: '小区燃气管道有异味，担心漏气。', appealType: 'help', categoryCode: '010401', regionCode: '330106', ...over,
    });

  it('a disabled category (and its subtree) cannot be chosen for new tickets; tickets filed with it keep it', async () => {
    const before = await register({});
    expect(before.statusCode, before.body).toBe(201);
    const old = before.json<TicketDetail>();

    // Disabling the parent takes the subtree with it, in one audited change.
    const off = await admin('PUT', '/api/refdata/categories/0104', { name: '燃气供应', sort: 4, active: false });
    expect(off.statusCode, off.body).toBe(200);
    const cats = (await agent('GET', '/api/refdata')).json().categories as { code: string; active: boolean }[];
    expect(cats.filter((c) => c.code.startsWith('0104')).map((c) => c.active)).toEqual([false, false]);
    expect((await t.db.selectFrom('audit_log').select('detail').where('action', '=', 'refdata.category').where('target_id', '=', '0104').executeTakeFirstOrThrow()).detail).toMatchObject({ active: false, disabledBelow: 1 });

    for (const code of ['0104', '010401']) {
      expect(issue(await register({ categoryCode: code }))).toMatchObject({ path: 'categoryCode', message: expect.stringContaining('已停用') });
    }
    // Nothing half-stored by the refused registrations.
    expect((await t.db.selectFrom('ticket').select('id').execute()).length).toBe(1);

    // The old ticket keeps its category: shown, filterable, and a reclassification that leaves it alone passes.
    const shown = (await agent('GET', `/api/tickets/${old.id}`)).json<TicketDetail>();
    expect(shown.categoryCode).toBe('010401');
    expect((await agent('GET', '/api/tickets?categoryCode=0104&limit=50')).json().items.map((i: { id: string }) => i.id)).toEqual([old.id]);
    const same = await agent('POST', `/api/tickets/${old.id}/actions`, { version: shown.version, command: { type: 'classify', categoryCode: '010401', urgency: 'urgent' } });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json<TicketDetail>()).toMatchObject({ categoryCode: '010401', urgency: 'urgent' });
    // … but moving a ticket onto a disabled category is refused.
    const other = await register({ categoryCode: '0101' });
    expect(other.statusCode, other.body).toBe(201);
    const moved = await agent('POST', `/api/tickets/${other.json().id}/actions`, { version: other.json().version, command: { type: 'classify', categoryCode: '0104' } });
    expect(issue(moved).path).toBe('categoryCode');

    // A child cannot be turned on under a disabled parent; turning the parent on does not revive its children.
    expect(issue(await admin('PUT', '/api/refdata/categories/010401', { name: '燃气管道', active: true })).path).toBe('active');
    expect((await admin('PUT', '/api/refdata/categories/0104', { name: '燃气供应', sort: 4, active: true })).statusCode).toBe(200);
    expect(issue(await register({ categoryCode: '010401' })).path).toBe('categoryCode');
    expect((await register({ categoryCode: '0104' })).statusCode).toBe(201);
  });

  it('a disabled region cascades to its counties and is refused for new tickets', async () => {
    const off = await admin('PUT', '/api/refdata/regions/320100', { name: '南京市', parentCode: '320000', active: false });
    expect(off.statusCode, off.body).toBe(200);
    expect((await admin('POST', '/api/refdata/regions', { code: '320102', name: '玄武区', parentCode: '320100' })).statusCode).toBe(400);
    expect((await admin('POST', '/api/refdata/regions', { code: '320102', name: '玄武区', parentCode: '320100', active: false })).statusCode).toBe(201);
    expect(issue(await register({ categoryCode: '0101', regionCode: '320102' })).path).toBe('regionCode');
    expect(issue(await register({ categoryCode: '0101', regionCode: '320100' })).path).toBe('regionCode');
    expect((await admin('PUT', '/api/refdata/regions/320000', { name: '江苏省', parentCode: null, active: false })).statusCode).toBe(200);
    // Renaming under a disabled parent is still allowed; only enabling is refused.
    expect((await admin('PUT', '/api/refdata/regions/320100', { name: '南京', parentCode: '320000', active: false })).statusCode).toBe(200);
    expect(issue(await admin('PUT', '/api/refdata/regions/320100', { name: '南京', parentCode: '320000', active: true })).path).toBe('active');
  });
});
