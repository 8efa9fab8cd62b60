/**
 * Ticket search (全文检索) and 疑似重复 on the real database (PGlite, or PostgreSQL with
 * DATABASE_URL): fuzzy Chinese terms, 1–2 character terms, names only for those who see
 * them, visibility of 保密 and other units' tickets, the trigram index being usable, and
 * duplicate suggestions by caller and by similar content within the window.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuplicateCandidate, TicketDetail, TicketSummary } from '../../src/shared/api/tickets.js';
import type { Role } from '../../src/shared/roles.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../harness/test-app.js';

type Inject = ReturnType<TestApp['as']>;

describe('ticket search and duplicates', () => {
  let t: TestApp;
  let admin: Inject;
  let agent: Inject;
  let agent2: Inject;
  let sup: Inject;
  let qa: Inject;
  let unitA: Inject;
  let unitAId = '';
  const tk: Record<string, TicketDetail> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = t.as((await t.login('admin', ADMIN_PASSWORD)).accessToken);
    const mk = async (username: string, role: Role) => {
      const res = await admin('POST', '/api/users', { username, displayName: username, password: 'Pass-word-1', roles: [role] });
      expect(res.statusCode, res.body).toBe(201);
      return { id: res.json().id as string, inject: t.as((await t.login(username, 'Pass-word-1')).accessToken) };
    };
    agent = (await mk('agent1', 'agent')).inject;
    agent2 = (await mk('agent2', 'agent')).inject;
    sup = (await mk('sup1', 'supervisor')).inject;
    qa = (await mk('qa1', 'qa')).inject;
    const u = await mk('unit_a', 'unit');
    unitA = u.inject;
    unitAId = (await admin('POST', '/api/refdata/units', { code: 'a', name: '甲单位', memberIds: [u.id] })).json().id;

    const reg = async (key: string, who: Inject, over: Record<string, unknown>) => {
      const res = await who('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', appealType: 'complaint', ...over });
      expect(res.statusCode, res.body).toBe(201);
      tk[key] = res.json<TicketDetail>();
    };
    await reg('bbq', agent, { title: '烧烤店噪音', content: '小区楼下烧烤店夜间噪音很大，影响休息。', location: '文一西路 88 号', citizen: { name: '王小明', phone: '13900001111' } });
    await reg('lamp', agent, { title: '路灯不亮', content: '文三路与学院路口路灯连续三晚不亮，存在安全隐患。', citizen: { name: '李四' } });
    await reg('wifi', agent, { title: '公交车 WiFi 无法连接', content: '10 路公交车上的免费 WiFi 一直连不上。', citizen: { name: '赵六' } });
    await reg('pct', agent, { title: '物业费上涨 50%', content: '物业费一次上涨 50%，未经业主大会。' });
    await reg('secret', agent2, { title: '举报违建', content: '隔壁在楼顶搭建违章建筑，要求保密。', citizen: { name: '钱七', confidential: true } });
    // The lamp ticket goes to unit A, so the unit user sees that one only.
    let lamp = tk.lamp!;
    for (const command of [{ type: 'classify' }, { type: 'dispatch', leadUnitId: unitAId }]) {
      const res = await sup('POST', `/api/tickets/${lamp.id}/actions`, { version: lamp.version, command });
      expect(res.statusCode, res.body).toBe(200);
      lamp = res.json();
    }
    tk.lamp = lamp;
  }, 180_000); // creates and signs in several accounts (argon2) on a busy machine
  afterAll(() => t.close());

  const search = async (who: Inject, q: string, extra = ''): Promise<string[]> => {
    const res = await who('GET', `/api/tickets?q=${encodeURIComponent(q)}${extra}`);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json<{ items: TicketSummary[] }>().items;
    return items.map((i) => Object.entries(tk).find(([, v]) => v.id === i.id)?.[0] ?? i.ticketNo).sort();
  };

  it('finds verbatim and reworded Chinese terms, and nothing unrelated', async () => {
    expect(await search(agent, '烧烤店')).toEqual(['bbq']);
    expect(await search(agent, '夜间噪音大')).toEqual(['bbq']); // 夜间噪音很大
    expect(await search(agent, '路口路灯不亮')).toEqual(['lamp']); // 路口路灯连续三晚不亮
    expect(await search(agent, '文一西路')).toEqual(['bbq']); // location
    expect(await search(agent, '垃圾清运不及时')).toEqual([]);
  });

  it('1–2 character terms match as substrings; several terms must all match; ASCII is case-insensitive', async () => {
    expect(await search(agent, '噪音')).toEqual(['bbq']);
    expect(await search(agent, '路')).toEqual(['bbq', 'lamp', 'wifi']);
    expect(await search(agent, '路 灯')).toEqual(['lamp']);
    expect(await search(agent, '烧烤 路灯')).toEqual([]);
    expect(await search(agent, 'wifi')).toEqual(['wifi']);
  });

  it('pages through matches newest first across the recent week and older tickets', async () => {
    // 9 matching tickets: 4 this week, 5 accepted 3–40 days ago (the search looks at the last week first).
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await agent('POST', '/api/tickets', { clientId: randomUUID(), channel: 'phone', appealType: 'complaint', title: `井盖松动 ${i}`, content: '人行道井盖松动，踩上去会响。' });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json<TicketDetail>().id);
    }
    const daysAgo = [0.1, 1, 2, 6, 8, 10, 20, 30, 40];
    for (const [i, id] of ids.entries()) {
      await t.db.updateTable('ticket').set({ accepted_at: new Date(Date.now() - daysAgo[i]! * 86_400_000) }).where('id', '=', id).execute();
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const res = await sup('GET', `/api/tickets?limit=2&q=${encodeURIComponent('井盖松动')}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ items: TicketSummary[]; nextCursor: string | null }>();
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(ids); // newest first, each once, the old ones too
  });

  it('treats LIKE wildcards literally', async () => {
    expect(await search(agent, '50%')).toEqual(['pct']);
    expect(await search(agent, '%')).toEqual(['pct']);
    expect(await search(agent, '_')).toEqual([]);
  });

  it('combines with the other filters', async () => {
    expect(await search(agent, '路', `&view=all&unitId=${unitAId}`)).toEqual(['lamp']);
    expect(await search(agent, '路', '&status=registered')).toEqual(['bbq', 'wifi']);
  });

  it('searches names only for those who see them in full, and never leaks 保密 tickets', async () => {
    expect(await search(agent, '王小明')).toEqual(['bbq']);
    expect(await search(agent, '王')).toEqual(['bbq']);
    expect(await search(qa, '王小明')).toEqual([]); // qa sees 王** only
    expect(await search(qa, '烧烤店')).toEqual(['bbq']);
    // The confidential ticket: not for another agent, by content or name; its registering agent finds
    // it by content but not by name (they see 保密 there); the supervisor (tickets:confidential) by both.
    expect(await search(agent, '违章建筑')).toEqual([]);
    expect(await search(agent, '钱七')).toEqual([]);
    expect(await search(agent2, '违章建筑')).toEqual(['secret']);
    expect(await search(agent2, '钱七')).toEqual([]);
    expect(await search(sup, '钱七')).toEqual(['secret']);
    expect(await search(sup, '违章建筑')).toEqual(['secret']);
  });

  it("a unit user searches its units' tickets only", async () => {
    expect(await search(unitA, '路')).toEqual(['lamp']);
    expect(await search(unitA, '烧烤店')).toEqual([]);
  });

  it('rejects an oversized query with a precise message', async () => {
    const res = await agent('GET', `/api/tickets?q=${encodeURIComponent('长'.repeat(101))}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('检索词最多 100 个字符');
  });

  it('the trigram index answers 3+ character terms', async () => {
    await sql`analyze ticket`.execute(t.db);
    const plan = await t.db.connection().execute(async (c) => {
      await sql`set enable_seqscan = off`.execute(c);
      try {
        const rows = await sql<{ 'QUERY PLAN': string }>`explain select id from ticket t
          where (t.title || ' ' || t.content || ' ' || coalesce(t.location, '')) ilike ${'%夜间噪%'}`.execute(c);
        return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await sql`reset enable_seqscan`.execute(c);
      }
    });
    expect(plan).toContain('ticket_search_trgm');
  });

  describe('疑似重复', () => {
    const dup = async (who: Inject, body: Record<string, unknown>, status = 200) => {
      const res = await who('POST', '/api/tickets/duplicates', body);
      expect(res.statusCode, res.body).toBe(status);
      return status === 200 ? res.json<{ items: DuplicateCandidate[] }>().items : [];
    };
    const keyOf = (c: DuplicateCandidate) => Object.entries(tk).find(([, v]) => v.id === c.ticket.id)?.[0];

    it('suggests open tickets of the same caller and with similar content', async () => {
      const byCaller = await dup(agent, { callerNumber: '+86 139-0000-1111' });
      expect(byCaller.map(keyOf)).toEqual(['bbq']);
      expect(byCaller[0]!.reasons).toEqual(['same_caller']);
      expect(byCaller[0]!.ticket.contactPhone).toBe('139****1111');

      const similar = await dup(agent, { title: '烧烤噪音扰民', content: '小区烧烤店晚上噪音大，影响休息' });
      expect(similar.map(keyOf)).toEqual(['bbq']);
      expect(similar[0]!.reasons).toEqual(['similar_content']);
      expect(similar[0]!.similarity).toBeGreaterThanOrEqual(0.2);

      const both = await dup(agent, { callerNumber: '13900001111', content: '小区楼下烧烤店夜间噪音很大' });
      expect(both[0]!.reasons.sort()).toEqual(['same_caller', 'similar_content']);
      expect(await dup(agent, { title: '医保报销咨询', content: '异地就医如何办理医保报销手续' })).toEqual([]);
      expect(await dup(agent, { callerNumber: '13900001111', excludeId: tk.bbq!.id })).toEqual([]);
    });

    it('only open tickets within the window, only visible ones, only for registering roles', async () => {
      expect((await dup(agent, { content: '隔壁在楼顶搭建违章建筑' })).map(keyOf)).toEqual([]);
      expect((await dup(sup, { content: '隔壁在楼顶搭建违章建筑' })).map(keyOf)).toEqual(['secret']);
      await dup(qa, { content: '小区楼下烧烤店夜间噪音很大' }, 403);
      await dup(unitA, { content: '小区楼下烧烤店夜间噪音很大' }, 403);

      await sql`update ticket set accepted_at = now() - interval '40 days' where id = ${tk.bbq!.id}`.execute(t.db);
      expect(await dup(agent, { callerNumber: '13900001111' })).toEqual([]);
      expect((await dup(agent, { callerNumber: '13900001111', days: 60 })).map(keyOf)).toEqual(['bbq']);
      await sql`update ticket set accepted_at = now() where id = ${tk.bbq!.id}`.execute(t.db);

      const wifi = tk.wifi!;
      const closed = await agent('POST', `/api/tickets/${wifi.id}/actions`, { version: wifi.version, command: { type: 'answer_directly', result: '已告知报修电话' } });
      expect(closed.statusCode, closed.body).toBe(200);
      tk.wifi = closed.json();
      expect(await dup(agent, { content: '10 路公交车上的免费 WiFi 一直连不上' })).toEqual([]);
    });
  });
});
