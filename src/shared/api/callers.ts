/**
 * Caller contracts: the screen pop's caller history (来电弹屏: attribution, calls, tickets,
 * tags, the live call's queue and wait), caller tags kept by supervisors and admins
 * (黑名单 / 骚扰电话), and the agent home's summary (today's performance, due tickets).
 */
import { z } from 'zod';
import { TicketSummarySchema } from './tickets.js';
import { route } from './route.js';

const Iso = z.iso.datetime();

/** Tags a person keeps on a number; 重复来电 is derived from the calls, never stored. */
export const storedCallerTagKinds = ['blacklist', 'harassment'] as const;
export type StoredCallerTagKind = (typeof storedCallerTagKinds)[number];
export const callerTagKinds = ['repeat', ...storedCallerTagKinds] as const;
export type CallerTagKind = (typeof callerTagKinds)[number];
export const callerTagLabel: Record<CallerTagKind, string> = { repeat: '重复来电', blacklist: '黑名单', harassment: '骚扰电话' };

export const CallerTagSchema = z.object({
  kind: z.enum(callerTagKinds),
  label: z.string(),
  /** How loudly the console shows it: warning (orange) for repeat callers, danger (red) for 黑名单/骚扰. */
  level: z.enum(['info', 'warning', 'danger']),
  /** Why (who tagged it and their note, or "7 天内来电 4 次"). */
  note: z.string().nullable(),
  since: Iso.nullable(),
});
export type CallerTag = z.infer<typeof CallerTagSchema>;

export const NumberAttributionSchema = z.object({
  kind: z.enum(['mobile', 'landline', 'service', 'unknown']),
  province: z.string().nullable(),
  city: z.string().nullable(),
  /** Mobile operator by the number's first three digits (中国移动/联通/电信/广电). */
  carrier: z.string().nullable(),
});
export type NumberAttribution = z.infer<typeof NumberAttributionSchema>;

export const CallerHistorySchema = z
  .object({
    /** The normalised number everything below was matched on. */
    number: z.string(),
    attribution: NumberAttributionSchema,
    calls: z.object({
      /** Inbound calls from this number in the last 30 days, the current one included. */
      last30Days: z.number().int(),
      /** The caller's previous call (the current one excluded), however old. */
      lastCall: z
        .object({
          callId: z.string(),
          arrivedAt: Iso,
          result: z.enum(['answered', 'abandoned', 'missed', 'overflowed', 'transferred']).nullable(),
          queueName: z.string().nullable(),
          agentName: z.string().nullable(),
        })
        .nullable(),
    }),
    /** Their tickets the user may see, open ones first, then newest first (masked per the tickets rules). */
    tickets: z.array(TicketSummarySchema),
    /** More tickets exist than listed. */
    ticketsTruncated: z.boolean(),
    /** 保密 tickets of this number the user may not see: counted, never shown. */
    hiddenConfidential: z.object({ total: z.number().int(), open: z.number().int() }),
    tags: z.array(CallerTagSchema),
    /** The call being offered, when `callId` was given: its queue and how long the caller waited. */
    current: z
      .object({ callId: z.string(), queueName: z.string().nullable(), arrivedAt: Iso, waitedSeconds: z.number(), recordingId: z.uuid().nullable() })
      .nullable(),
  })
  .meta({ id: 'CallerHistory' });
export type CallerHistory = z.infer<typeof CallerHistorySchema>;

const CallerNumber = z.string().trim().min(1).max(64);

export const StoredCallerTagSchema = z
  .object({
    number: z.string(),
    kind: z.enum(storedCallerTagKinds),
    note: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: Iso,
    /** The tag stops applying after this (null: until removed). */
    expiresAt: Iso.nullable(),
  })
  .meta({ id: 'CallerTagEntry' });
export type StoredCallerTag = z.infer<typeof StoredCallerTagSchema>;

const TicketDueSchema = TicketSummarySchema.pick({ id: true, ticketNo: true, title: true, status: true, dueAt: true, slaState: true, leadUnitName: true });
export type TicketDue = z.infer<typeof TicketDueSchema>;

export const AgentHomeSchema = z
  .object({
    agent: z.object({
      id: z.uuid(),
      username: z.string(),
      displayName: z.string(),
      extension: z.string().nullable(),
      groups: z.array(z.object({ id: z.uuid(), name: z.string() })),
      /** Where this session signed in from (the seat's address). */
      signedInFrom: z.string().nullable(),
    }),
    /** Since local midnight, from the call records (times derived by shared/call-times.ts). */
    today: z.object({
      answered: z.number().int(),
      /** Offers that rang out or were declined at this agent. */
      missed: z.number().int(),
      avgTalkSeconds: z.number().nullable(),
      avgAfterCallWorkSeconds: z.number().nullable(),
      ticketsFiled: z.number().int(),
      /** Revisits recorded today of tickets this agent filed: share satisfied or basically satisfied. */
      satisfaction: z.object({ rated: z.number().int(), satisfied: z.number().int(), rate: z.number().nullable() }),
    }),
    /** Open tickets this agent filed that are near their deadline or past it (most urgent first). */
    dueTickets: z.array(TicketDueSchema),
  })
  .meta({ id: 'AgentHome' });
export type AgentHome = z.infer<typeof AgentHomeSchema>;

export const callerRoutes = {
  callerHistory: route({
    method: 'GET', path: '/api/callers/:number/history', summary: "Screen pop: a caller's attribution, calls, tickets and tags (agents and supervisors)", tags: ['callers'],
    // console:use or floor:watch, checked in the handler (a route names one permission).
    access: 'authenticated',
    params: z.object({ number: CallerNumber }),
    query: z.object({ callId: z.string().max(256).optional() }),
    status: 200, response: CallerHistorySchema,
  }),
  listCallerTags: route({
    method: 'GET', path: '/api/caller-tags', summary: '黑名单 / 骚扰电话 numbers', tags: ['callers'], access: 'floor:watch',
    query: z.object({ kind: z.enum(storedCallerTagKinds).optional(), limit: z.coerce.number().int().min(1).max(500).default(200) }),
    status: 200, response: z.object({ items: z.array(StoredCallerTagSchema) }),
  }),
  putCallerTag: route({
    method: 'PUT', path: '/api/caller-tags/:number/:kind', summary: 'Tag a number (黑名单 / 骚扰电话), or change its note', tags: ['callers'], access: 'floor:watch',
    params: z.object({ number: CallerNumber, kind: z.enum(storedCallerTagKinds) }),
    body: z.object({ note: z.string().trim().max(200).optional(), expiresAt: Iso.optional() }),
    status: 200, response: StoredCallerTagSchema,
  }),
  deleteCallerTag: route({
    method: 'DELETE', path: '/api/caller-tags/:number/:kind', summary: 'Remove a tag from a number', tags: ['callers'], access: 'floor:watch',
    params: z.object({ number: CallerNumber, kind: z.enum(storedCallerTagKinds) }),
    status: 204, response: z.null(),
  }),
  agentHome: route({
    method: 'GET', path: '/api/agent/home', summary: "The signed-in agent's home: who and where, today's performance, tickets due", tags: ['acd'], access: 'console:use',
    status: 200, response: AgentHomeSchema,
  }),
} as const;
