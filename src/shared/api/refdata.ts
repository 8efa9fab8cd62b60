/**
 * Reference data contracts (基础数据): appeal types, the category tree (GB/T 39666 style),
 * regions (GB/T 2260), handling units with their responsibilities and members, SLA rules,
 * dispatch rules and the working-calendar overrides. Everyone signed in reads them (forms);
 * admins with refdata:manage change them. Codes are never deleted (tickets keep the codes
 * they were filed with): an admin disables one, and new tickets can no longer choose it.
 */
import { z } from 'zod';
import { isIsoDate } from '../tickets/deadline.js';
import { route } from './route.js';
import { channels, urgencies } from './tickets.js';

const Id = z.uuid();
const Name = z.string().trim().min(1, '名称不能为空').max(100, '名称最多 100 个字符');
export const AppealTypeCode = z.string().regex(/^[a-z0-9_]{1,32}$/, '代码为 1–32 位小写字母、数字或 _');
export const CategoryCode = z.string().regex(/^([0-9]{2}){1,4}$/, '分类代码为 2–8 位数字');
export const RegionCode = z.string().regex(/^[0-9]{6}$/, '行政区划代码为 6 位数字');
const NoContent = z.null();

/**
 * A new category's code: two digits per level (01–99, never 00), up to four levels; the
 * parent is the code less its last two digits and must exist.
 */
export const NewCategoryCode = CategoryCode.refine((c) => !/^(?:[0-9]{2})*00/.test(c), '分类代码每级为 01–99，不能为 00');
/**
 * A new region's code (GB/T 2260): province NN0000, city NNNN00, county NNNNNN; the province
 * part is never 00, and a county's city part is never 00.
 */
export const NewRegionCode = RegionCode.refine((c) => !c.startsWith('00') && (c.endsWith('00') || c.slice(2, 4) !== '00'), '行政区划代码不合 GB/T 2260：省级为 NN0000，地市级 NNNN00，区县级的地市位不能为 00');

export const AppealTypeSchema = z.object({ code: AppealTypeCode, name: Name, sort: z.number().int(), active: z.boolean() }).meta({ id: 'AppealType' });
export const CategorySchema = z.object({ code: CategoryCode, parentCode: CategoryCode.nullable(), name: Name, sort: z.number().int(), active: z.boolean() }).meta({ id: 'TicketCategory' });
export const RegionSchema = z.object({ code: RegionCode, parentCode: RegionCode.nullable(), name: Name, level: z.number().int().min(1).max(3), active: z.boolean() }).meta({ id: 'Region' });

export const AppealTypeBodySchema = z.object({ name: Name, sort: z.number().int().min(-10_000).max(10_000).default(0), active: z.boolean().default(true) });
export const AppealTypeInputSchema = AppealTypeBodySchema.extend({ code: AppealTypeCode });
export const CategoryBodySchema = z.object({ name: Name, sort: z.number().int().min(-10_000).max(10_000).default(0), active: z.boolean().default(true) });
export const CategoryInputSchema = CategoryBodySchema.extend({ code: NewCategoryCode });
export const RegionBodySchema = z.object({ name: Name, parentCode: RegionCode.nullable().default(null), active: z.boolean().default(true) });
export const RegionInputSchema = RegionBodySchema.extend({ code: NewRegionCode });

export const unitKinds = ['department', 'district', 'street', 'enterprise', 'other'] as const;
export const HandlingUnitSchema = z
  .object({
    id: Id,
    code: z.string(),
    name: z.string(),
    parentId: Id.nullable(),
    kind: z.enum(unitKinds),
    phone: z.string().nullable(),
    active: z.boolean(),
    regionCodes: z.array(RegionCode),
    categoryCodes: z.array(CategoryCode),
    memberIds: z.array(Id),
  })
  .meta({ id: 'HandlingUnit' });
export type HandlingUnit = z.infer<typeof HandlingUnitSchema>;

export const HandlingUnitInputSchema = z.object({
  code: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, '单位编码为 1–32 位字母、数字或 _ . -'),
  name: Name,
  parentId: Id.nullable().default(null),
  kind: z.enum(unitKinds).default('department'),
  phone: z.string().max(32).nullable().default(null),
  active: z.boolean().default(true),
  regionCodes: z.array(RegionCode).max(500).default([]),
  categoryCodes: z.array(CategoryCode).max(500).default([]),
  /** Users (role 'unit') who work this unit's tickets. */
  memberIds: z.array(Id).max(500).default([]),
});

/** The longest 临期 warning an SLA rule may set (lists of near-due tickets are bounded by it). */
export const MAX_WARN_HOURS = 1000;

export const SlaRuleInputSchema = z.object({
  appealType: AppealTypeCode.nullable().default(null),
  urgency: z.enum(urgencies).nullable().default(null),
  channel: z.enum(channels).nullable().default(null),
  unit: z.enum(['working_days', 'hours']),
  amount: z.number().int().min(1, '时限至少为 1').max(1000),
  startRule: z.enum(['same_day', 'next_day']).default('next_day'),
  signHours: z.number().int().min(1).max(1000).default(24),
  warnHours: z.number().int().min(0).max(MAX_WARN_HOURS).default(24),
  note: z.string().max(200).nullable().default(null),
});
export const SlaRuleSchema = SlaRuleInputSchema.extend({ id: Id }).meta({ id: 'SlaRule' });
export type SlaRule = z.infer<typeof SlaRuleSchema>;

export const DispatchRuleInputSchema = z.object({
  regionCode: RegionCode.nullable().default(null),
  categoryCode: CategoryCode.nullable().default(null),
  leadUnitId: Id,
  coUnitIds: z.array(Id).max(20).default([]),
  priority: z.number().int().min(-1000).max(1000).default(0),
  active: z.boolean().default(true),
  note: z.string().max(200).nullable().default(null),
});
export const DispatchRuleSchema = DispatchRuleInputSchema.extend({ id: Id }).meta({ id: 'DispatchRule' });
export type DispatchRule = z.infer<typeof DispatchRuleSchema>;

export const CalendarDaySchema = z.object({
  date: z.string().refine(isIsoDate, '日期格式为 YYYY-MM-DD'),
  isWorkday: z.boolean(),
  note: z.string().max(100).nullable().default(null),
});
export const CalendarYearSchema = z.object({
  year: z.number().int(),
  /** The admin's overrides for this year (they win over the official calendar). */
  overrides: z.array(CalendarDaySchema),
  /** Every non-working weekday and working weekend day of the year after overrides. */
  holidays: z.array(z.string()),
  makeUpWorkdays: z.array(z.string()),
});

export const RefDataSchema = z
  .object({
    appealTypes: z.array(AppealTypeSchema),
    categories: z.array(CategorySchema),
    regions: z.array(RegionSchema),
    units: z.array(HandlingUnitSchema),
    slaRules: z.array(SlaRuleSchema),
    dispatchRules: z.array(DispatchRuleSchema),
  })
  .meta({ id: 'RefData' });
export type RefData = z.infer<typeof RefDataSchema>;

const M = 'refdata:manage' as const;
const T = ['refdata'];
export const refdataRoutes = {
  getRefData: route({ method: 'GET', path: '/api/refdata', summary: 'All reference data (forms, filters)', tags: T, access: 'authenticated', status: 200, response: RefDataSchema }),
  createAppealType: route({
    method: 'POST', path: '/api/refdata/appeal-types', summary: 'Create an appeal type (CONFLICT if the code is taken)', tags: T, access: M,
    body: AppealTypeInputSchema, status: 201, response: AppealTypeSchema,
  }),
  putAppealType: route({
    method: 'PUT', path: '/api/refdata/appeal-types/:code', summary: 'Change an appeal type (name, order, 启用/停用)', tags: T, access: M,
    params: z.object({ code: AppealTypeCode }), body: AppealTypeBodySchema, status: 200, response: AppealTypeSchema,
  }),
  createCategory: route({
    method: 'POST', path: '/api/refdata/categories', summary: 'Create a category (its parent is the code less two digits; CONFLICT if the code is taken)', tags: T, access: M,
    body: CategoryInputSchema, status: 201, response: CategorySchema,
  }),
  putCategory: route({
    method: 'PUT', path: '/api/refdata/categories/:code', summary: 'Change a category (name, order, 启用/停用; a disabled category and its subtree cannot be chosen for new tickets)', tags: T, access: M,
    params: z.object({ code: CategoryCode }), body: CategoryBodySchema, status: 200, response: CategorySchema,
  }),
  createRegion: route({
    method: 'POST', path: '/api/refdata/regions', summary: 'Create an administrative region (CONFLICT if the code is taken)', tags: T, access: M,
    body: RegionInputSchema, status: 201, response: RegionSchema,
  }),
  putRegion: route({
    method: 'PUT', path: '/api/refdata/regions/:code', summary: 'Change an administrative region (name, parent, 启用/停用)', tags: T, access: M,
    params: z.object({ code: RegionCode }), body: RegionBodySchema, status: 200, response: RegionSchema,
  }),
  createUnit: route({ method: 'POST', path: '/api/refdata/units', summary: 'Create a handling unit', tags: T, access: M, body: HandlingUnitInputSchema, status: 201, response: HandlingUnitSchema }),
  updateUnit: route({
    method: 'PUT', path: '/api/refdata/units/:id', summary: 'Replace a handling unit', tags: T, access: M,
    params: z.object({ id: Id }), body: HandlingUnitInputSchema, status: 200, response: HandlingUnitSchema,
  }),
  createSlaRule: route({ method: 'POST', path: '/api/refdata/sla-rules', summary: 'Create an SLA rule', tags: T, access: M, body: SlaRuleInputSchema, status: 201, response: SlaRuleSchema }),
  updateSlaRule: route({
    method: 'PUT', path: '/api/refdata/sla-rules/:id', summary: 'Replace an SLA rule', tags: T, access: M,
    params: z.object({ id: Id }), body: SlaRuleInputSchema, status: 200, response: SlaRuleSchema,
  }),
  deleteSlaRule: route({ method: 'DELETE', path: '/api/refdata/sla-rules/:id', summary: 'Delete an SLA rule', tags: T, access: M, params: z.object({ id: Id }), status: 204, response: NoContent }),
  createDispatchRule: route({ method: 'POST', path: '/api/refdata/dispatch-rules', summary: 'Create a dispatch rule', tags: T, access: M, body: DispatchRuleInputSchema, status: 201, response: DispatchRuleSchema }),
  updateDispatchRule: route({
    method: 'PUT', path: '/api/refdata/dispatch-rules/:id', summary: 'Replace a dispatch rule', tags: T, access: M,
    params: z.object({ id: Id }), body: DispatchRuleInputSchema, status: 200, response: DispatchRuleSchema,
  }),
  deleteDispatchRule: route({ method: 'DELETE', path: '/api/refdata/dispatch-rules/:id', summary: 'Delete a dispatch rule', tags: T, access: M, params: z.object({ id: Id }), status: 204, response: NoContent }),
  getCalendarYear: route({
    method: 'GET', path: '/api/refdata/calendar/:year', summary: 'The working calendar of a year (official + overrides)', tags: T, access: 'authenticated',
    params: z.object({ year: z.coerce.number().int().min(2000).max(2100) }), status: 200, response: CalendarYearSchema,
  }),
  putCalendarYear: route({
    method: 'PUT', path: '/api/refdata/calendar/:year', summary: "Replace a year's overrides of the official calendar", tags: T, access: M,
    params: z.object({ year: z.coerce.number().int().min(2000).max(2100) }), body: z.object({ overrides: z.array(CalendarDaySchema).max(366) }), status: 200, response: CalendarYearSchema,
  }),
} as const;
