/**
 * Demo sites only: a few handling units of the sample province (杭州市) with responsibilities
 * and dispatch rules, so tickets can be dispatched and handled out of the box. Real sites load
 * their own org tree through the refdata API.
 */
import type { Db } from '../../db/database.js';

export async function seedDemoUnits(db: Db, unitUserId: string): Promise<void> {
  const units = [
    { code: 'hz-xh-cg', name: '西湖区城市管理局', kind: 'department', regions: ['330106'], categories: ['01', '03'] },
    { code: 'hz-xh-jd', name: '西湖区西溪街道办事处', kind: 'street', regions: ['330106'], categories: [] },
    { code: 'hz-jt', name: '杭州市交通运输局', kind: 'department', regions: ['330100'], categories: ['02'] },
    { code: 'hz-sj', name: '杭州市市场监督管理局', kind: 'department', regions: ['330100'], categories: ['04'] },
    { code: 'hz-rs', name: '杭州市人力资源和社会保障局', kind: 'department', regions: ['330100'], categories: ['05'] },
  ];
  const ids: Record<string, string> = {};
  for (const u of units) {
    const row = await db.insertInto('handling_unit').values({ code: u.code, name: u.name, kind: u.kind }).returning('id').executeTakeFirstOrThrow();
    ids[u.code] = row.id;
    for (const region_code of u.regions) await db.insertInto('handling_unit_region').values({ unit_id: row.id, region_code }).execute();
    for (const category_code of u.categories) await db.insertInto('handling_unit_category').values({ unit_id: row.id, category_code }).execute();
  }
  await db.insertInto('handling_unit_member').values({ unit_id: ids['hz-xh-cg']!, user_id: unitUserId }).execute();
  await db.insertInto('dispatch_rule').values([
    { region_code: '330106', category_code: '01', lead_unit_id: ids['hz-xh-cg']!, co_unit_ids: [ids['hz-xh-jd']!], note: '西湖区城乡建设' },
    { region_code: '330106', category_code: '03', lead_unit_id: ids['hz-xh-cg']!, co_unit_ids: [], note: '西湖区生态环境' },
    { region_code: '330100', category_code: '02', lead_unit_id: ids['hz-jt']!, co_unit_ids: [], note: '杭州市交通' },
    { region_code: '330100', category_code: '04', lead_unit_id: ids['hz-sj']!, co_unit_ids: [], note: '杭州市市场监管' },
    { region_code: '330100', category_code: '05', lead_unit_id: ids['hz-rs']!, co_unit_ids: [], note: '杭州市人社' },
  ]).execute();
}
