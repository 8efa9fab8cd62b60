/**
 * Reference data for tickets: reads for forms, admin changes (each audited), and the two
 * rule lookups the workflow needs — which SLA rule applies to a ticket, and which units a
 * ticket goes to by region and category — plus the working calendar with admin overrides.
 */
import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import type {
  CalendarYearSchema, DispatchRule, DispatchRuleInputSchema, HandlingUnit, HandlingUnitInputSchema, RefData, SlaRule, SlaRuleInputSchema,
} from '../../../shared/api/refdata.js';
import { addCalendarDays, WorkCalendar, type SlaTerms } from '../../../shared/tickets/deadline.js';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { foreignKeyViolation, uniqueViolation } from '../../db/constraint-errors.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit-log.js';

type Tx = Db;
export interface Actor {
  userId: string;
  displayName: string;
}

/** The SLA terms a ticket is held to, with the rule they came from. */
export interface AppliedSla {
  ruleId: string | null;
  terms: SlaTerms & { signHours: number; warnHours: number };
}

/** Without any rule (an admin deleted them all): five working days. */
const FALLBACK_SLA: AppliedSla = { ruleId: null, terms: { unit: 'working_days', amount: 5, startRule: 'next_day', signHours: 24, warnHours: 24 } };

export interface SlaKey {
  appealType: string;
  urgency: string;
  channel: string;
}

/** The most specific matching rule (urgency 4, appeal type 2, channel 1), or the fallback. */
function pickSla(rows: Selectable<Database['sla_rule']>[], key: SlaKey): AppliedSla {
  const matching = rows.filter((r) => (r.appeal_type === null || r.appeal_type === key.appealType) && (r.urgency === null || r.urgency === key.urgency)
    && (r.channel === null || r.channel === key.channel));
  const weight = (r: (typeof rows)[number]) => (r.urgency ? 4 : 0) + (r.appeal_type ? 2 : 0) + (r.channel ? 1 : 0);
  const best = matching.sort((a, b) => weight(b) - weight(a))[0];
  if (!best) return FALLBACK_SLA;
  return { ruleId: best.id, terms: { unit: best.unit, amount: best.amount, startRule: best.start_rule, signHours: best.sign_hours, warnHours: best.warn_hours } };
}

/** Significant prefix of a GB/T 2260 code: 330000 → 33, 330100 → 3301, 330106 → 330106. */
export function regionPrefix(code: string): string {
  return code.replace(/(00)+$/, '') || code;
}

/** GB/T 2260 level by the code's trailing zeros: NN0000 province, NNNN00 city, else county. */
export function regionLevel(code: string): 1 | 2 | 3 {
  return code.endsWith('0000') ? 1 : code.endsWith('00') ? 2 : 3;
}

function badInput(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path, message }] });
}

/** Turns constraint violations into precise 4xx answers. */
async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const unique = uniqueViolation(err);
    if (unique) throw new AppError('CONFLICT', `${what}已存在 (${unique})`);
    if (foreignKeyViolation(err)) {
      const detail = (err as { detail?: string }).detail ?? '';
      throw new AppError('VALIDATION_FAILED', `${what}引用了不存在的数据 ${detail}`.trim());
    }
    throw err;
  }
}

export class RefDataService {
  constructor(private readonly db: Db) {}

  async all(): Promise<RefData> {
    const [appealTypes, categories, regions, units, slaRules, dispatchRules] = await Promise.all([
      this.db.selectFrom('appeal_type').selectAll().orderBy('sort').orderBy('code').execute(),
      this.db.selectFrom('ticket_category').selectAll().orderBy('code').execute(),
      this.db.selectFrom('region').selectAll().orderBy('code').execute(),
      this.units(),
      this.slaRules(),
      this.dispatchRules(),
    ]);
    return {
      appealTypes,
      categories: categories.map((c) => ({ code: c.code, parentCode: c.parent_code, name: c.name, sort: c.sort, active: c.active })),
      regions: regions.map((r) => ({ code: r.code, parentCode: r.parent_code, name: r.name, level: r.level, active: r.active })),
      units,
      slaRules,
      dispatchRules,
    };
  }

  async units(db: Tx = this.db): Promise<HandlingUnit[]> {
    const rows = await db
      .selectFrom('handling_unit as u')
      .selectAll('u')
      .select([
        sql<string[] | null>`(select array_agg(r.region_code order by r.region_code) from handling_unit_region r where r.unit_id = u.id)`.as('region_codes'),
        sql<string[] | null>`(select array_agg(c.category_code order by c.category_code) from handling_unit_category c where c.unit_id = u.id)`.as('category_codes'),
        sql<string[] | null>`(select array_agg(m.user_id::text) from handling_unit_member m where m.unit_id = u.id)`.as('member_ids'),
      ])
      .orderBy('u.code')
      .execute();
    return rows.map((u) => ({
      id: u.id,
      code: u.code,
      name: u.name,
      parentId: u.parent_id,
      kind: u.kind as HandlingUnit['kind'],
      phone: u.phone,
      active: u.active,
      regionCodes: u.region_codes ?? [],
      categoryCodes: u.category_codes ?? [],
      memberIds: u.member_ids ?? [],
    }));
  }

  private async unit(id: string, db: Tx = this.db): Promise<HandlingUnit> {
    const u = (await this.units(db)).find((x) => x.id === id);
    if (!u) throw new AppError('NOT_FOUND', `No handling unit ${id}`);
    return u;
  }

  async slaRules(): Promise<SlaRule[]> {
    const rows = await this.db.selectFrom('sla_rule').selectAll().orderBy('appeal_type').orderBy('urgency').orderBy('channel').execute();
    return rows.map((r) => ({
      id: r.id, appealType: r.appeal_type, urgency: r.urgency as SlaRule['urgency'], channel: r.channel as SlaRule['channel'], unit: r.unit,
      amount: r.amount, startRule: r.start_rule, signHours: r.sign_hours, warnHours: r.warn_hours, note: r.note,
    }));
  }

  async dispatchRules(): Promise<DispatchRule[]> {
    const rows = await this.db.selectFrom('dispatch_rule').selectAll().orderBy('priority', 'desc').orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id, regionCode: r.region_code, categoryCode: r.category_code, leadUnitId: r.lead_unit_id, coUnitIds: r.co_unit_ids,
      priority: r.priority, active: r.active, note: r.note,
    }));
  }

  /** The most specific SLA rule for a ticket: urgency outweighs appeal type, which outweighs channel. */
  async slaFor(db: Tx, key: SlaKey): Promise<AppliedSla> {
    const rows = await db
      .selectFrom('sla_rule')
      .selectAll()
      .where((eb) => eb.and([
        eb.or([eb('appeal_type', 'is', null), eb('appeal_type', '=', key.appealType)]),
        eb.or([eb('urgency', 'is', null), eb('urgency', '=', key.urgency)]),
        eb.or([eb('channel', 'is', null), eb('channel', '=', key.channel)]),
      ]))
      .execute();
    return pickSla(rows, key);
  }

  /** Every SLA rule at once, for many tickets: one read, then `slaFor`'s choice per ticket in memory. */
  async slaChooser(db: Tx): Promise<(key: SlaKey) => AppliedSla> {
    const rows = await db.selectFrom('sla_rule').selectAll().execute();
    return (key) => pickSla(rows, key);
  }

  /** Units for a ticket by the dispatch rules: longest region and category match, then priority. */
  async dispatchFor(db: Tx, key: { regionCode: string | null; categoryCode: string | null }): Promise<{ leadUnitId: string; coUnitIds: string[]; ruleId: string } | null> {
    const rules = await db.selectFrom('dispatch_rule').selectAll().where('active', '=', true).execute();
    const score = (r: (typeof rules)[number]): number | null => {
      let s = 0;
      if (r.region_code) {
        const p = regionPrefix(r.region_code);
        if (!key.regionCode?.startsWith(p)) return null;
        s += p.length * 100;
      }
      if (r.category_code) {
        if (!key.categoryCode?.startsWith(r.category_code)) return null;
        s += r.category_code.length * 100;
      }
      return s * 10_000 + r.priority;
    };
    const ranked = rules.map((r) => ({ r, s: score(r) })).filter((x): x is { r: (typeof rules)[number]; s: number } => x.s !== null).sort((a, b) => b.s - a.s);
    const top = ranked[0]?.r;
    return top ? { leadUnitId: top.lead_unit_id, coUnitIds: top.co_unit_ids.filter((u) => u !== top.lead_unit_id), ruleId: top.id } : null;
  }

  /** The working calendar: the official one (chinese-days) with the admin's overrides. */
  async calendar(db: Tx = this.db): Promise<WorkCalendar> {
    const rows = await db.selectFrom('work_calendar_day').select([sql<string>`day::text`.as('day'), 'is_workday']).execute();
    return new WorkCalendar(Object.fromEntries(rows.map((r) => [r.day, r.is_workday])));
  }

  async calendarYear(year: number): Promise<z.infer<typeof CalendarYearSchema>> {
    const rows = await this.db
      .selectFrom('work_calendar_day')
      .select([sql<string>`day::text`.as('date'), 'is_workday', 'note'])
      .where(sql<boolean>`extract(year from day) = ${year}`)
      .orderBy('day')
      .execute();
    const cal = await this.calendar();
    const holidays: string[] = [];
    const makeUpWorkdays: string[] = [];
    for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addCalendarDays(d, 1)) {
      const weekend = [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());
      const work = cal.isWorkday(d);
      if (!weekend && !work) holidays.push(d);
      if (weekend && work) makeUpWorkdays.push(d);
    }
    return { year, overrides: rows.map((r) => ({ date: r.date, isWorkday: r.is_workday, note: r.note })), holidays, makeUpWorkdays };
  }

  async putCalendarYear(year: number, overrides: { date: string; isWorkday: boolean; note: string | null }[], actor: Actor) {
    const wrong = overrides.find((o) => !o.date.startsWith(`${year}-`));
    if (wrong) throw badInput('overrides', `${wrong.date} 不在 ${year} 年`);
    if (new Set(overrides.map((o) => o.date)).size !== overrides.length) throw badInput('overrides', '日期重复');
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('work_calendar_day').where(sql<boolean>`extract(year from day) = ${year}`).execute();
      if (overrides.length) {
        await tx.insertInto('work_calendar_day').values(overrides.map((o) => ({ day: o.date, is_workday: o.isWorkday, note: o.note, updated_by: actor.userId }))).execute();
      }
      await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.calendar', targetType: 'calendar', targetId: String(year), detail: { overrides: overrides.length } });
    });
    return this.calendarYear(year);
  }

  // ── code tables: appeal types, categories, regions ────────────────────────
  // Codes are created and changed, never deleted: tickets keep the codes they were filed
  // with. Disabling a category or region disables its subtree too, and nothing is enabled
  // under a disabled parent, so "active" alone tells a form what it may offer (and
  // TicketsService.checkRefs refuses inactive codes for new tickets and reclassification).

  async createAppealType(v: { code: string; name: string; sort: number; active: boolean }, actor: Actor) {
    await this.uniqueName('appeal_type', v.name, null);
    return guarded(`诉求类型代码 ${v.code} `, () =>
      this.db.transaction().execute(async (tx) => {
        await tx.insertInto('appeal_type').values(v).execute();
        await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.appeal_type_create', targetType: 'appeal_type', targetId: v.code, detail: v });
        return v;
      }),
    );
  }

  async putAppealType(code: string, v: { name: string; sort: number; active: boolean }, actor: Actor) {
    await this.uniqueName('appeal_type', v.name, null, code);
    await this.db.transaction().execute(async (tx) => {
      const r = await tx.updateTable('appeal_type').set(v).where('code', '=', code).executeTakeFirst();
      if (!r.numUpdatedRows) throw new AppError('NOT_FOUND', `诉求类型 ${code} 不存在`);
      await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.appeal_type', targetType: 'appeal_type', targetId: code, detail: v });
    });
    return { code, ...v };
  }

  async createCategory(v: { code: string; name: string; sort: number; active: boolean }, actor: Actor) {
    const parentCode = v.code.length > 2 ? v.code.slice(0, -2) : null;
    if (parentCode) {
      const parent = await this.db.selectFrom('ticket_category').select(['code', 'active']).where('code', '=', parentCode).executeTakeFirst();
      if (!parent) throw badInput('code', `上级分类 ${parentCode} 不存在（每级两位数字，先建上级）`);
      if (!parent.active && v.active) throw badInput('code', `上级分类 ${parentCode} 已停用，不能在其下新增启用的分类`);
    }
    await this.uniqueName('ticket_category', v.name, parentCode);
    const row = { code: v.code, parent_code: parentCode, name: v.name, sort: v.sort, active: v.active };
    await guarded(`分类代码 ${v.code} `, () =>
      this.db.transaction().execute(async (tx) => {
        await tx.insertInto('ticket_category').values(row).execute();
        await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.category_create', targetType: 'category', targetId: v.code, detail: v });
      }),
    );
    return { code: v.code, parentCode, name: v.name, sort: v.sort, active: v.active };
  }

  async putCategory(code: string, v: { name: string; sort: number; active: boolean }, actor: Actor) {
    const row = await this.db.selectFrom('ticket_category').selectAll().where('code', '=', code).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `分类 ${code} 不存在`);
    if (v.active && !row.active && row.parent_code) {
      const parent = await this.db.selectFrom('ticket_category').select('active').where('code', '=', row.parent_code).executeTakeFirstOrThrow();
      if (!parent.active) throw badInput('active', `上级分类 ${row.parent_code} 已停用，请先启用上级`);
    }
    await this.uniqueName('ticket_category', v.name, row.parent_code, code);
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('ticket_category').set(v).where('code', '=', code).execute();
      // The subtree goes with its root (code prefix = the tree, by the table's CHECK).
      const cascaded = v.active ? 0 : Number((await tx.updateTable('ticket_category').set({ active: false }).where('code', 'like', `${code}_%`).where('active', '=', true).executeTakeFirst()).numUpdatedRows);
      await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.category', targetType: 'category', targetId: code, detail: { ...v, ...(cascaded ? { disabledBelow: cascaded } : {}) } });
    });
    return { code, parentCode: row.parent_code, ...v };
  }

  async createRegion(v: { code: string; name: string; parentCode: string | null; active: boolean }, actor: Actor) {
    const level = regionLevel(v.code);
    await this.checkRegionParent(v.code, level, v.parentCode, v.active);
    await this.uniqueName('region', v.name, v.parentCode);
    const row = { code: v.code, parent_code: v.parentCode, name: v.name, level, active: v.active };
    await guarded(`行政区划代码 ${v.code} `, () =>
      this.db.transaction().execute(async (tx) => {
        await tx.insertInto('region').values(row).execute();
        await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.region_create', targetType: 'region', targetId: v.code, detail: v });
      }),
    );
    return { code: v.code, parentCode: v.parentCode, name: v.name, level, active: v.active };
  }

  async putRegion(code: string, v: { name: string; parentCode: string | null; active: boolean }, actor: Actor) {
    const row = await this.db.selectFrom('region').selectAll().where('code', '=', code).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `行政区划 ${code} 不存在`);
    // A parent that stays disabled only blocks turning this one on, not renaming it.
    await this.checkRegionParent(code, row.level, v.parentCode, v.active && !row.active);
    await this.uniqueName('region', v.name, v.parentCode, code);
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('region').set({ name: v.name, parent_code: v.parentCode, active: v.active }).where('code', '=', code).execute();
      const cascaded = v.active || row.level === 3 ? 0 : Number((await tx.updateTable('region').set({ active: false }).where('code', 'like', `${regionPrefix(code)}%`).where('code', '!=', code).where('active', '=', true).executeTakeFirst()).numUpdatedRows);
      await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.region', targetType: 'region', targetId: code, detail: { ...v, ...(cascaded ? { disabledBelow: cascaded } : {}) } });
    });
    return { code, parentCode: v.parentCode, name: v.name, level: row.level, active: v.active };
  }

  /** GB/T 2260: a city's parent is its province, a county's its city, the code starting with the parent's significant digits. */
  private async checkRegionParent(code: string, level: number, parentCode: string | null, enabling: boolean): Promise<void> {
    if (level === 1) {
      if (parentCode) throw badInput('parentCode', '省级行政区划没有上级');
      return;
    }
    if (!parentCode) throw badInput('parentCode', level === 2 ? '地市级行政区划须选择所属省份' : '区县级行政区划须选择所属地市');
    const parent = await this.db.selectFrom('region').select(['code', 'level', 'active']).where('code', '=', parentCode).executeTakeFirst();
    if (!parent) throw badInput('parentCode', `上级行政区划 ${parentCode} 不存在`);
    if (parent.level !== level - 1) throw badInput('parentCode', `${code} 的上级应为${level === 2 ? '省级' : '地市级'}行政区划，${parentCode} 不是`);
    if (!code.startsWith(regionPrefix(parentCode))) throw badInput('code', `${code} 不属于 ${parentCode}（代码须以 ${regionPrefix(parentCode)} 开头）`);
    if (enabling && !parent.active) throw badInput('active', `上级行政区划 ${parentCode} 已停用，请先启用上级`);
  }

  /** Names are unique among siblings (appeal types: among all), so a form's list never shows two alike. */
  private async uniqueName(table: 'appeal_type' | 'ticket_category' | 'region', name: string, parentCode: string | null, except?: string): Promise<void> {
    let q = this.db.selectFrom(table).select('code').where('name', '=', name);
    if (table !== 'appeal_type') q = parentCode ? q.where('parent_code', '=', parentCode) : q.where('parent_code', 'is', null);
    if (except) q = q.where('code', '!=', except);
    const other = await q.executeTakeFirst();
    if (other) throw badInput('name', `「${name}」已被 ${other.code} 使用${table === 'appeal_type' ? '' : '（同一上级下名称不能重复）'}`);
  }

  async saveUnit(id: string | null, v: z.output<typeof HandlingUnitInputSchema>, actor: Actor): Promise<HandlingUnit> {
    if (id && v.parentId === id) throw badInput('parentId', '上级单位不能是自己');
    if (v.memberIds.length) {
      const users = await this.db.selectFrom('app_user').select(['id', 'roles']).where('id', 'in', v.memberIds).execute();
      const missing = v.memberIds.find((m) => !users.some((u) => u.id === m));
      if (missing) throw badInput('memberIds', `用户 ${missing} 不存在`);
      const notUnit = users.find((u) => !u.roles.includes('unit'));
      if (notUnit) throw badInput('memberIds', `用户 ${notUnit.id} 没有「承办单位」角色`);
    }
    const unitId = await guarded('单位', () =>
      this.db.transaction().execute(async (tx) => {
        const row = { code: v.code, name: v.name, parent_id: v.parentId, kind: v.kind, phone: v.phone, active: v.active };
        let uid = id;
        if (uid) {
          const r = await tx.updateTable('handling_unit').set({ ...row, updated_at: new Date() }).where('id', '=', uid).executeTakeFirst();
          if (!r.numUpdatedRows) throw new AppError('NOT_FOUND', `No handling unit ${uid}`);
          await tx.deleteFrom('handling_unit_region').where('unit_id', '=', uid).execute();
          await tx.deleteFrom('handling_unit_category').where('unit_id', '=', uid).execute();
          await tx.deleteFrom('handling_unit_member').where('unit_id', '=', uid).execute();
        } else {
          uid = (await tx.insertInto('handling_unit').values(row).returning('id').executeTakeFirstOrThrow()).id;
        }
        const u = uid;
        if (v.regionCodes.length) await tx.insertInto('handling_unit_region').values([...new Set(v.regionCodes)].map((region_code) => ({ unit_id: u, region_code }))).execute();
        if (v.categoryCodes.length) await tx.insertInto('handling_unit_category').values([...new Set(v.categoryCodes)].map((category_code) => ({ unit_id: u, category_code }))).execute();
        if (v.memberIds.length) await tx.insertInto('handling_unit_member').values([...new Set(v.memberIds)].map((user_id) => ({ unit_id: u, user_id }))).execute();
        await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: id ? 'refdata.unit_update' : 'refdata.unit_create', targetType: 'unit', targetId: u, detail: { code: v.code, name: v.name, members: v.memberIds.length } });
        return u;
      }),
    );
    return this.unit(unitId);
  }

  async saveSlaRule(id: string | null, v: z.output<typeof SlaRuleInputSchema>, actor: Actor): Promise<SlaRule> {
    const row = {
      appeal_type: v.appealType, urgency: v.urgency, channel: v.channel, unit: v.unit, amount: v.amount, start_rule: v.startRule,
      sign_hours: v.signHours, warn_hours: v.warnHours, note: v.note,
    };
    const ruleId = await guarded('相同条件的时限规则', () =>
      this.db.transaction().execute(async (tx) => {
        let rid = id;
        if (rid) {
          const r = await tx.updateTable('sla_rule').set({ ...row, updated_at: new Date() }).where('id', '=', rid).executeTakeFirst();
          if (!r.numUpdatedRows) throw new AppError('NOT_FOUND', `No SLA rule ${rid}`);
        } else {
          rid = (await tx.insertInto('sla_rule').values(row).returning('id').executeTakeFirstOrThrow()).id;
        }
        await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.sla_rule', targetType: 'sla_rule', targetId: rid, detail: v });
        return rid;
      }),
    );
    return { id: ruleId, ...v };
  }

  async deleteSlaRule(id: string, actor: Actor): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('sla_rule').where('id', '=', id).executeTakeFirst();
      if (!r.numDeletedRows) throw new AppError('NOT_FOUND', `No SLA rule ${id}`);
      await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.sla_rule_delete', targetType: 'sla_rule', targetId: id });
    });
  }

  async saveDispatchRule(id: string | null, v: z.output<typeof DispatchRuleInputSchema>, actor: Actor): Promise<DispatchRule> {
    if (v.coUnitIds.includes(v.leadUnitId)) throw badInput('coUnitIds', '主办单位不能同时是协办单位');
    const units = await this.db.selectFrom('handling_unit').select('id').where('id', 'in', [v.leadUnitId, ...v.coUnitIds]).execute();
    const missing = [v.leadUnitId, ...v.coUnitIds].find((u) => !units.some((x) => x.id === u));
    if (missing) throw badInput(missing === v.leadUnitId ? 'leadUnitId' : 'coUnitIds', `单位 ${missing} 不存在`);
    const row = {
      region_code: v.regionCode, category_code: v.categoryCode, lead_unit_id: v.leadUnitId, co_unit_ids: v.coUnitIds, priority: v.priority, active: v.active, note: v.note,
    };
    const ruleId = await guarded('派单规则', () =>
      this.db.transaction().execute(async (tx) => {
        let rid = id;
        if (rid) {
          const r = await tx.updateTable('dispatch_rule').set({ ...row, updated_at: new Date() }).where('id', '=', rid).executeTakeFirst();
          if (!r.numUpdatedRows) throw new AppError('NOT_FOUND', `No dispatch rule ${rid}`);
        } else {
          rid = (await tx.insertInto('dispatch_rule').values(row).returning('id').executeTakeFirstOrThrow()).id;
        }
        await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.dispatch_rule', targetType: 'dispatch_rule', targetId: rid, detail: v });
        return rid;
      }),
    );
    return { id: ruleId, ...v };
  }

  async deleteDispatchRule(id: string, actor: Actor): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('dispatch_rule').where('id', '=', id).executeTakeFirst();
      if (!r.numDeletedRows) throw new AppError('NOT_FOUND', `No dispatch rule ${id}`);
      await recordAudit(tx, { actorId: actor.userId, actorName: actor.displayName, action: 'refdata.dispatch_rule_delete', targetType: 'dispatch_rule', targetId: id });
    });
  }
}
