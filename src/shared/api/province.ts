/**
 * The provincial 12345 exchange (省级12345平台对接): the wire contract between our gateway and
 * the province (outbound batch reports, inbound dispatches/urges/revisits by push or pull, the
 * acknowledgement list used for reconciliation) and the admin REST contracts of the gateway.
 *
 * No province publishes its interface, so this is our canonical form; a site whose province
 * speaks another dialect gets an adapter at the HTTP edge, never a second model. The province
 * simulator (tools/province-sim) validates against exactly these schemas, strictly.
 */
import { z } from 'zod';
import { route } from './route.js';

// ── outbound: city → province ──────────────────────────────────────────────

/**
 * What the province must know about a ticket: 诉求 (new appeal), 承办情况 (handling status),
 * 反馈内容 (feedback / result), 评价信息 (evaluation), 转派 (transfer-up to the province),
 * 语音信息 (a call recording of the ticket; its audio is uploaded before the event is sent).
 */
export const provinceEventTypes = ['appeal', 'status', 'feedback', 'evaluation', 'transfer_up', 'voice'] as const;
export const ProvinceEventTypeSchema = z.enum(provinceEventTypes);
export type ProvinceEventType = z.infer<typeof ProvinceEventTypeSchema>;

/** zh-CN labels for admin screens. */
export const provinceEventTypeLabels: Record<ProvinceEventType, string> = {
  appeal: '诉求',
  status: '承办情况',
  feedback: '反馈内容',
  evaluation: '评价信息',
  transfer_up: '转派',
  voice: '语音信息',
};

const text = (max: number) => z.string().min(1).max(max);
const at = z.iso.datetime({ offset: true });

export const AppealDataSchema = z
  .object({
    title: text(200),
    content: text(8000),
    appealType: text(32),
    urgency: z.enum(['normal', 'urgent', 'critical']),
    channel: text(32),
    acceptedAt: at,
    regionCode: z.string().regex(/^\d{6,12}$/).optional(),
    categoryCode: z.string().max(32).optional(),
    location: z.string().max(500).optional(),
    citizenName: z.string().max(100).optional(),
    /** Full contact number; the province needs it to revisit. Never in our logs. */
    contactPhone: z.string().regex(/^\+?\d{5,20}$/).optional(),
    confidential: z.boolean().default(false),
  })
  .strict();

export const StatusDataSchema = z
  .object({
    status: text(32),
    /** zh-CN status label as shown to the citizen (已派单, 办理中 …). */
    statusText: z.string().max(32).optional(),
    unitName: z.string().max(200).optional(),
    opinion: z.string().max(4000).optional(),
    dueAt: at.optional(),
    at,
  })
  .strict();

export const FeedbackDataSchema = z
  .object({
    result: text(8000),
    resolved: z.boolean(),
    replyMode: z.string().max(32).optional(),
    handlerName: z.string().max(100).optional(),
    handlerPhone: z.string().max(32).optional(),
    closedAt: at.optional(),
    at,
  })
  .strict();

export const EvaluationDataSchema = z
  .object({
    satisfaction: z.enum(['satisfied', 'basically_satisfied', 'unsatisfied', 'unrated']),
    reason: z.string().max(2000).optional(),
    mode: z.string().max(32).optional(),
    at,
  })
  .strict();

export const TransferUpDataSchema = z
  .object({
    /** Why the province must handle it: 省级事项 or 跨辖区. */
    scope: z.enum(['province_level', 'cross_jurisdiction']),
    reason: text(2000),
    at,
  })
  .strict();

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * 语音信息批量上报: one recording of the ticket's call. The audio itself travels first, in
 * chunks under the event's key (voice upload below); the province accepts this event only
 * when it holds all `bytes` of it with this `sha256`, so metadata never points at no audio.
 */
export const VoiceDataSchema = z
  .object({
    recordingId: z.uuid(),
    /** The SIP Call-ID of the call the recording belongs to. */
    callId: z.string().min(1).max(256),
    direction: z.enum(['inbound', 'outbound']),
    startedAt: at,
    durationMs: z.number().int().min(0),
    mimeType: text(100),
    bytes: z.number().int().min(1),
    sha256: sha256Hex,
    at,
  })
  .strict();

export const provinceEventDataSchemas = {
  appeal: AppealDataSchema,
  status: StatusDataSchema,
  feedback: FeedbackDataSchema,
  evaluation: EvaluationDataSchema,
  transfer_up: TransferUpDataSchema,
  voice: VoiceDataSchema,
} as const satisfies Record<ProvinceEventType, z.ZodType>;
export type ProvinceEventData<T extends ProvinceEventType> = z.input<(typeof provinceEventDataSchemas)[T]>;

/** The idempotency key: stable across every retry of the same event. */
export function provinceEventKey(ticketNo: string, type: ProvinceEventType, seq: number): string {
  return `${ticketNo}:${type}:${seq}`;
}

/**
 * One event in a batch report. `seq` is the ticket's event sequence (1, 2, 3 … with no gaps):
 * the province applies a ticket's events in that order and answers `retry` to a gap.
 */
export const ProvinceBatchItemSchema = z
  .object({
    key: z.string().min(5).max(200),
    ticketNo: text(64),
    /** The province's number when the ticket came from (or was transferred to) the province. */
    upstreamNo: z.string().max(64).optional(),
    seq: z.number().int().min(1),
    type: ProvinceEventTypeSchema,
    occurredAt: at,
    data: z.record(z.string(), z.unknown()),
  })
  .strict();
export type ProvinceBatchItem = z.infer<typeof ProvinceBatchItemSchema>;

/** POST {province}/api/v1/reports/batch (批量上报). */
export const ProvinceBatchRequestSchema = z
  .object({
    batchId: z.uuid(),
    sentAt: at,
    items: z.array(ProvinceBatchItemSchema).min(1).max(1000),
  })
  .strict();
export type ProvinceBatchRequest = z.infer<typeof ProvinceBatchRequestSchema>;

/**
 * Per-item outcome: accepted (now stored), duplicate (stored earlier under the same key —
 * success for us), rejected (the province will never take it as sent: dead letter with its
 * message), retry (not now, e.g. an earlier event of the ticket is missing).
 */
export const ProvinceItemResultSchema = z
  .object({
    key: z.string(),
    status: z.enum(['accepted', 'duplicate', 'rejected', 'retry']),
    /** The province's acknowledgement number for accepted/duplicate. */
    receipt: z.string().optional(),
    code: z.string().optional(),
    message: z.string().optional(),
  })
  .strict();
export type ProvinceItemResult = z.infer<typeof ProvinceItemResultSchema>;

export const ProvinceBatchResponseSchema = z
  .object({
    batchId: z.uuid(),
    results: z.array(ProvinceItemResultSchema),
  })
  .strict();
export type ProvinceBatchResponse = z.infer<typeof ProvinceBatchResponseSchema>;

/**
 * Voice upload (语音文件分片上传), keyed by the voice event's idempotency key.
 * GET {province}/api/v1/voices/{key} → how much the province holds, so an upload interrupted
 * by an outage or a restart resumes where it stopped; POST …/{key}/chunks appends one chunk at
 * exactly `offset` (anything else is refused with the province's current count).
 */
export const ProvinceVoiceStatusSchema = z
  .object({ key: z.string(), received: z.number().int().min(0), complete: z.boolean() })
  .strict();
export type ProvinceVoiceStatus = z.infer<typeof ProvinceVoiceStatusSchema>;

export const ProvinceVoiceChunkSchema = z
  .object({
    offset: z.number().int().min(0),
    /** The whole file: its size and checksum, checked by the province on the last chunk. */
    total: z.number().int().min(1),
    sha256: sha256Hex,
    /** This chunk's checksum: a corrupted chunk is refused instead of spoiling the file. */
    chunkSha256: sha256Hex,
    /** base64; chunks stay small enough for the signed JSON envelope (and SM4). */
    data: z.base64().min(1).max(1_500_000),
  })
  .strict();
export type ProvinceVoiceChunk = z.infer<typeof ProvinceVoiceChunkSchema>;

/** A whole request refused (bad signature, malformed envelope): the province's error body. */
export const ProvinceErrorSchema = z.object({ code: z.string(), message: z.string() });

/** GET {province}/api/v1/reports/acks?from&to&cursor: what the province holds, for reconciliation. */
export const ProvinceAckListSchema = z
  .object({
    items: z.array(z.object({ key: z.string(), ticketNo: z.string(), seq: z.number().int(), type: ProvinceEventTypeSchema, receipt: z.string(), receivedAt: at }).strict()),
    nextCursor: z.string().nullable(),
  })
  .strict();
export type ProvinceAckList = z.infer<typeof ProvinceAckListSchema>;

// ── inbound: province → city ───────────────────────────────────────────────

export const InboundDispatchDataSchema = z
  .object({
    title: text(200),
    content: text(8000),
    appealType: text(32),
    urgency: z.enum(['normal', 'urgent', 'critical']).default('normal'),
    regionCode: z.string().regex(/^\d{6,12}$/).optional(),
    categoryCode: z.string().max(32).optional(),
    location: z.string().max(500).optional(),
    citizenName: z.string().max(100).optional(),
    contactPhone: z.string().regex(/^\+?\d{5,20}$/).optional(),
    confidential: z.boolean().default(false),
    acceptedAt: at,
    /** The province's deadline for the city, when it sets one. */
    dueAt: at.optional(),
  })
  .strict();
export const InboundOpinionDataSchema = z.object({ opinion: text(4000), at }).strict();
export const InboundRevisitDataSchema = z
  .object({
    satisfaction: z.enum(['satisfied', 'basically_satisfied', 'unsatisfied', 'unrated']),
    reason: z.string().max(2000).optional(),
    /** The province asks the city to handle it again (重办). */
    reopen: z.boolean().default(false),
    at,
  })
  .strict();

const inboundBase = {
  /** Unique per message: a repeated delivery of the same message changes nothing. */
  messageId: z.string().min(1).max(128),
  upstreamNo: z.string().min(1).max(64),
  /** The province's version of its ticket: later messages carry higher numbers. */
  seq: z.number().int().min(1),
  sentAt: at,
};
/** 派单 (dispatch to the city), 催办 (urge), 督办 (supervise), 回访结果 (revisit result). */
export const InboundMessageSchema = z.discriminatedUnion('kind', [
  z.object({ ...inboundBase, kind: z.literal('dispatch'), data: InboundDispatchDataSchema }).strict(),
  z.object({ ...inboundBase, kind: z.literal('urge'), data: InboundOpinionDataSchema }).strict(),
  z.object({ ...inboundBase, kind: z.literal('supervise'), data: InboundOpinionDataSchema }).strict(),
  z.object({ ...inboundBase, kind: z.literal('revisit'), data: InboundRevisitDataSchema }).strict(),
]);
export type InboundMessage = z.infer<typeof InboundMessageSchema>;
export type InboundKind = InboundMessage['kind'];

/** POST /api/province/inbound (push, signed by the province). */
export const InboundPushSchema = z.object({ messages: z.array(InboundMessageSchema).min(1).max(500) }).strict();
export type InboundPush = z.infer<typeof InboundPushSchema>;

/** Our answer to a push: per message, whether it was new or a repeat. */
export const InboundPushResultSchema = z.object({
  results: z.array(z.object({ messageId: z.string(), status: z.enum(['accepted', 'duplicate']), ticketNo: z.string().nullable() })),
});
export type InboundPushResult = z.infer<typeof InboundPushResultSchema>;

/** GET {province}/api/v1/dispatches?cursor=&limit= (pull feed). */
export const InboundFeedSchema = z.object({ messages: z.array(InboundMessageSchema), nextCursor: z.string() }).strict();
export type InboundFeed = z.infer<typeof InboundFeedSchema>;

// ── signing headers (both directions) ──────────────────────────────────────

export const signatureHeaders = {
  appKey: 'x-app-key',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  signature: 'x-signature',
  method: 'x-sign-method',
  /** 'SM4' when the body is an SM4-encrypted envelope. */
  encryption: 'x-encrypt',
} as const;
export const signMethods = ['HMAC-SHA256', 'SM3-HMAC'] as const;
export type SignMethod = (typeof signMethods)[number];

// ── admin REST ─────────────────────────────────────────────────────────────

export const syncStates = ['not_required', 'pending', 'synced', 'failed'] as const;
/** 待同步 / 已同步 / 失败 as users see them. */
export const syncStateLabels: Record<(typeof syncStates)[number], string> = {
  not_required: '无需同步',
  pending: '待同步',
  synced: '已同步',
  failed: '失败',
};

export const GatewayHealthSchema = z
  .object({
    enabled: z.boolean(),
    circuit: z.enum(['closed', 'open', 'half_open', 'isolated', 'stopped']),
    /** Events not yet accepted by the province (pending, incl. blocked behind a dead letter). */
    outboxDepth: z.number().int(),
    oldestPendingAgeSeconds: z.number().nullable(),
    deadLetters: z.number().int(),
    /** Events accepted in the last minute / hour. */
    sentLastMinute: z.number().int(),
    sentLastHour: z.number().int(),
    /** Failed attempts in the last hour by reason (timeout, http_5xx, network, rejected, circuit_open …). */
    failuresByReason: z.record(z.string(), z.number().int()),
    lastSuccessAt: z.iso.datetime().nullable(),
    lastReconciliation: z.lazy(() => ReconciliationSummarySchema).nullable(),
  })
  .meta({ id: 'ProvinceGatewayHealth' });
export type GatewayHealth = z.infer<typeof GatewayHealthSchema>;

export const DeadLetterSchema = z
  .object({
    id: z.number().int(),
    key: z.string(),
    ticketNo: z.string(),
    seq: z.number().int(),
    type: ProvinceEventTypeSchema,
    payload: z.record(z.string(), z.unknown()),
    provinceCode: z.string().nullable(),
    provinceMessage: z.string().nullable(),
    attempts: z.number().int(),
    deadAt: z.iso.datetime(),
    /** Later events of the same ticket held back until this one is re-sent. */
    heldBack: z.number().int(),
  })
  .meta({ id: 'ProvinceDeadLetter' });
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

export const ResendBodySchema = z
  .object({
    /** The corrected event data (replaces the stored payload's data); omit to send as is. */
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const ReconcileBodySchema = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    /** Re-queue events we hold as sent but the province does not list. */
    resendMissing: z.boolean().default(false),
  })
  .strict()
  .refine((b) => b.from <= b.to, { message: 'from must not be after to', path: ['to'] });

export const ReconciliationSummarySchema = z
  .object({
    id: z.uuid(),
    from: z.string(),
    to: z.string(),
    createdAt: z.iso.datetime(),
    trigger: z.enum(['schedule', 'manual']),
    ours: z.number().int(),
    theirs: z.number().int(),
    matched: z.number().int(),
    /** We hold as sent, the province does not list. */
    missingUpstream: z.number().int(),
    /** The province lists, we do not hold as sent (lost acknowledgement or unknown key). */
    unknownUpstream: z.number().int(),
    resent: z.number().int(),
  })
  .meta({ id: 'ProvinceReconciliationSummary' });
export type ReconciliationSummary = z.infer<typeof ReconciliationSummarySchema>;

export const ReconciliationReportSchema = ReconciliationSummarySchema.extend({
  differences: z.array(z.object({ key: z.string(), kind: z.enum(['missing_upstream', 'unknown_upstream']), action: z.enum(['resent', 'marked_sent', 'flagged']) })),
}).meta({ id: 'ProvinceReconciliationReport' });
export type ReconciliationReport = z.infer<typeof ReconciliationReportSchema>;

/** 转派至省平台: an agent hands a ticket to the province (省级事项 / 跨辖区). */
export const TransferUpBodySchema = z
  .object({
    version: z.number().int().min(1),
    scope: z.enum(['province_level', 'cross_jurisdiction']),
    reason: z.string().trim().min(1, '请填写转派原因').max(2000),
  })
  .strict();

const IdParams = z.object({ id: z.coerce.number().int().positive() });

export const provinceRoutes = {
  provinceHealth: route({
    method: 'GET', path: '/api/province/health', summary: 'Gateway health: outbox depth, failures, circuit, dead letters',
    tags: ['province'], access: 'province:manage', status: 200, response: GatewayHealthSchema,
  }),
  provinceDeadLetters: route({
    method: 'GET', path: '/api/province/dead-letters', summary: 'Events the province rejected (4xx), newest first',
    tags: ['province'], access: 'province:manage', query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    status: 200, response: z.object({ items: z.array(DeadLetterSchema) }),
  }),
  provinceResend: route({
    method: 'POST', path: '/api/province/dead-letters/:id/resend', summary: 'Re-send a dead letter (optionally with corrected data)',
    tags: ['province'], access: 'province:manage', params: IdParams, body: ResendBodySchema, status: 200, response: z.object({ requeued: z.literal(true) }),
  }),
  provinceReconcile: route({
    method: 'POST', path: '/api/province/reconciliations', summary: 'Compare the province\'s acknowledgements with ours for a date range',
    tags: ['province'], access: 'province:manage', body: ReconcileBodySchema, status: 201, response: ReconciliationReportSchema,
  }),
  provinceReconciliations: route({
    method: 'GET', path: '/api/province/reconciliations', summary: 'Stored reconciliation reports, newest first',
    tags: ['province'], access: 'province:manage', status: 200, response: z.object({ items: z.array(ReconciliationSummarySchema) }),
  }),
  transferUp: route({
    method: 'POST', path: '/api/tickets/:id/transfer-up', summary: '转派至省平台: hand a ticket to the province (省级事项 / 跨辖区)',
    tags: ['province'], access: 'tickets:dispatch', params: z.object({ id: z.uuid() }), body: TransferUpBodySchema,
    status: 200, response: z.object({ ticketNo: z.string(), key: z.string(), version: z.number().int() }),
  }),
  provinceReconciliation: route({
    method: 'GET', path: '/api/province/reconciliations/:id', summary: 'One reconciliation report with its differences',
    tags: ['province'], access: 'province:manage', params: z.object({ id: z.uuid() }), status: 200, response: ReconciliationReportSchema,
  }),
} as const;
