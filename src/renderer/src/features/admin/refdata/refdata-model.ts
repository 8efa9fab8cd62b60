/**
 * 基础数据 page logic without React: the unit tree, option labels, form values ↔ the
 * shared contract's bodies (empty selects mean "any" = null), and the calendar override
 * list edits. Pure, so it is unit-tested.
 */
import type { z } from 'zod';
import type {
  AppealTypeSchema, CalendarDaySchema, CategorySchema, DispatchRule, DispatchRuleInputSchema, HandlingUnit, HandlingUnitInputSchema, RefData, RegionSchema, SlaRule,
  SlaRuleInputSchema,
} from '../../../../../shared/api/refdata.js';

export type UnitBody = z.input<typeof HandlingUnitInputSchema>;
export type DispatchRuleBody = z.input<typeof DispatchRuleInputSchema>;
export type SlaRuleBody = z.input<typeof SlaRuleInputSchema>;
export type CalendarOverride = z.output<typeof CalendarDaySchema>;

/** A unit with its sub-units, as antd's tree table wants them (no `children` key on leaves). */
export interface UnitNode extends HandlingUnit {
  children?: UnitNode[];
}

/** Units nested under their parents; units whose parent is unknown (or in a cycle) stay at the top. */
export function unitTree(units: readonly HandlingUnit[]): UnitNode[] {
  const ids = new Set(units.map((u) => u.id));
  const seen = new Set<string>();
  const build = (u: HandlingUnit): UnitNode => {
    seen.add(u.id);
    const children = units.filter((c) => c.parentId === u.id && !seen.has(c.id)).map(build);
    return children.length ? { ...u, children } : { ...u };
  };
  const tree = units.filter((u) => u.parentId === null || !ids.has(u.parentId)).map(build);
  for (const u of units) if (!seen.has(u.id)) tree.push(build(u));
  return tree;
}

/** The unit and everything below it: what may not become its parent. */
export function unitAndDescendants(units: readonly HandlingUnit[], id: string): Set<string> {
  const out = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const u of units) {
      if (u.parentId && out.has(u.parentId) && !out.has(u.id)) {
        out.add(u.id);
        grew = true;
      }
    }
  }
  return out;
}

/** `西湖区（330106）`: names repeat across provinces and categories, codes do not. */
export const codeLabel = (item: { code: string; name: string }): string => `${item.name}（${item.code}）`;

export function nameMaps(data: Pick<RefData, 'regions' | 'categories' | 'units' | 'appealTypes'>) {
  return {
    region: new Map(data.regions.map((r) => [r.code, r.name])),
    category: new Map(data.categories.map((c) => [c.code, c.name])),
    unit: new Map(data.units.map((u) => [u.id, u.name])),
    appealType: new Map(data.appealTypes.map((a) => [a.code, a.name])),
  };
}

const blankToNull = (v: string | null | undefined): string | null => (v && v.trim() !== '' ? v.trim() : null);

export interface UnitFormValues {
  code?: string;
  name?: string;
  parentId?: string | null;
  kind?: UnitBody['kind'];
  phone?: string | null;
  active?: boolean;
  regionCodes?: string[];
  categoryCodes?: string[];
  memberIds?: string[];
}
export const unitFormFields = ['code', 'name', 'parentId', 'kind', 'phone', 'active', 'regionCodes', 'categoryCodes', 'memberIds'] as const;

export function unitFormValues(u: HandlingUnit | null): UnitFormValues {
  if (!u) return { kind: 'department', active: true, regionCodes: [], categoryCodes: [], memberIds: [] };
  return { ...u, regionCodes: [...u.regionCodes], categoryCodes: [...u.categoryCodes], memberIds: [...u.memberIds], phone: u.phone ?? '' };
}

export function toUnitBody(v: UnitFormValues): UnitBody {
  return {
    code: (v.code ?? '').trim(),
    name: v.name ?? '',
    parentId: v.parentId ?? null,
    kind: v.kind ?? 'department',
    phone: blankToNull(v.phone),
    active: v.active ?? true,
    regionCodes: v.regionCodes ?? [],
    categoryCodes: v.categoryCodes ?? [],
    memberIds: v.memberIds ?? [],
  };
}

export interface DispatchRuleFormValues {
  regionCode?: string | null;
  categoryCode?: string | null;
  leadUnitId?: string;
  coUnitIds?: string[];
  priority?: number | null;
  active?: boolean;
  note?: string | null;
}
export const dispatchRuleFormFields = ['regionCode', 'categoryCode', 'leadUnitId', 'coUnitIds', 'priority', 'active', 'note'] as const;

export function dispatchRuleFormValues(r: DispatchRule | null): DispatchRuleFormValues {
  if (!r) return { coUnitIds: [], priority: 0, active: true };
  return { ...r, coUnitIds: [...r.coUnitIds], note: r.note ?? '' };
}

export function toDispatchRuleBody(v: DispatchRuleFormValues): DispatchRuleBody {
  return {
    regionCode: v.regionCode ?? null,
    categoryCode: v.categoryCode ?? null,
    leadUnitId: v.leadUnitId ?? '',
    coUnitIds: v.coUnitIds ?? [],
    priority: v.priority ?? 0,
    active: v.active ?? true,
    note: blankToNull(v.note),
  };
}

export interface SlaRuleFormValues {
  appealType?: string | null;
  urgency?: SlaRule['urgency'];
  channel?: SlaRule['channel'];
  unit?: SlaRule['unit'];
  amount?: number | null;
  startRule?: SlaRule['startRule'];
  signHours?: number | null;
  warnHours?: number | null;
  note?: string | null;
}
export const slaRuleFormFields = ['appealType', 'urgency', 'channel', 'unit', 'amount', 'startRule', 'signHours', 'warnHours', 'note'] as const;

export function slaRuleFormValues(r: SlaRule | null): SlaRuleFormValues {
  if (!r) return { unit: 'working_days', amount: 5, startRule: 'next_day', signHours: 24, warnHours: 24 };
  return { ...r, note: r.note ?? '' };
}

export function toSlaRuleBody(v: SlaRuleFormValues): SlaRuleBody {
  return {
    appealType: v.appealType ?? null,
    urgency: v.urgency ?? null,
    channel: v.channel ?? null,
    unit: v.unit ?? 'working_days',
    // Left empty: 0 fails the schema's "at least 1" on the field instead of a type error.
    amount: v.amount ?? 0,
    startRule: v.startRule ?? 'next_day',
    signHours: v.signHours ?? 24,
    warnHours: v.warnHours ?? 24,
    note: blankToNull(v.note),
  };
}

export type OverrideEdit = { ok: true; overrides: CalendarOverride[] } | { ok: false; reason: 'wrongYear' | 'duplicate' };

/** Adds a date to a year's overrides, kept in date order; refuses other years and repeats. */
export function addOverride(list: readonly CalendarOverride[], year: number, day: CalendarOverride): OverrideEdit {
  if (!day.date.startsWith(`${year}-`)) return { ok: false, reason: 'wrongYear' };
  if (list.some((o) => o.date === day.date)) return { ok: false, reason: 'duplicate' };
  return { ok: true, overrides: [...list, day].sort((a, b) => a.date.localeCompare(b.date)) };
}

export function removeOverride(list: readonly CalendarOverride[], date: string): CalendarOverride[] {
  return list.filter((o) => o.date !== date);
}

/** Whether the draft differs from what the server holds (order-insensitive). */
export function overridesChanged(saved: readonly CalendarOverride[], draft: readonly CalendarOverride[]): boolean {
  const key = (l: readonly CalendarOverride[]) => JSON.stringify([...l].sort((a, b) => a.date.localeCompare(b.date)).map((o) => [o.date, o.isWorkday, o.note ?? null]));
  return key(saved) !== key(draft);
}

// ── code tables (诉求类型 / 分类 / 区划) ─────────────────────────────────────

export type AppealType = z.infer<typeof AppealTypeSchema>;
export type Category = z.infer<typeof CategorySchema>;
export type Region = z.infer<typeof RegionSchema>;
export type CodeKind = 'appealType' | 'category' | 'region';
export type CodeItem = AppealType | Category | Region;

export interface CodeFormValues {
  code?: string;
  name?: string;
  sort?: number | null;
  parentCode?: string | null;
  active?: boolean;
}
export const codeFormFields = ['code', 'name', 'sort', 'parentCode', 'active'] as const;

/** The body a code form sends: the code only when creating (it is the key, never changed). */
export type CodeBody = { code?: string; name: string; sort?: number; parentCode?: string | null; active: boolean };

export function codeFormValues(item: CodeItem | null, preset: { code?: string; parentCode?: string | null } = {}): CodeFormValues {
  if (!item) return { code: preset.code ?? '', name: '', sort: 0, parentCode: preset.parentCode ?? null, active: true };
  return { ...item, sort: 'sort' in item ? item.sort : 0, parentCode: 'parentCode' in item ? item.parentCode : null };
}

export function toCodeBody(kind: CodeKind, v: CodeFormValues, creating: boolean): CodeBody {
  const body: CodeBody = { name: (v.name ?? '').trim(), active: v.active ?? true };
  if (creating) body.code = (v.code ?? '').trim();
  if (kind === 'region') body.parentCode = v.parentCode ?? null;
  else body.sort = v.sort ?? 0;
  return body;
}

/** A category's parent is its code less the last two digits (GB/T 39666 style). */
export function categoryParent(code: string): string | null {
  return code.length > 2 && code.length % 2 === 0 ? code.slice(0, -2) : null;
}

/** GB/T 2260 level by trailing zeros: NN0000 province, NNNN00 city, else county. */
export function regionLevel(code: string): 1 | 2 | 3 {
  return code.endsWith('0000') ? 1 : code.endsWith('00') ? 2 : 3;
}

/** The region a complete code belongs under by its digits (330106 → 330100, 330100 → 330000), if known. */
export function regionParent(regions: readonly Region[], code: string): string | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const level = regionLevel(code);
  if (level === 1) return null;
  const parent = level === 2 ? `${code.slice(0, 2)}0000` : `${code.slice(0, 4)}00`;
  return regions.some((r) => r.code === parent) ? parent : null;
}

/** The smallest free child code below a parent (null parent: top level), or '' when all 99 are taken or the tree is full. */
export function nextChildCode(kind: 'category' | 'region', items: readonly { code: string }[], parent: string | null): string {
  const taken = new Set(items.map((i) => i.code));
  const make = (n: string): string => {
    if (kind === 'category') return `${parent ?? ''}${n}`;
    if (parent === null) return `${n}0000`;
    return regionLevel(parent) === 1 ? `${parent.slice(0, 2)}${n}00` : `${parent.slice(0, 4)}${n}`;
  };
  if (kind === 'category' && parent && parent.length >= 8) return '';
  if (kind === 'region' && parent && regionLevel(parent) === 3) return '';
  for (let i = kind === 'region' && parent === null ? 11 : 1; i <= 99; i++) {
    const code = make(String(i).padStart(2, '0'));
    if (!taken.has(code)) return code;
  }
  return '';
}
