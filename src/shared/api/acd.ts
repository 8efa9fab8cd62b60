/**
 * ACD contracts: queues (admin), the live queue picture (supervisors), callback tasks
 * (漏接电话回拨, agents) and the agent's own calls. Realtime pushes reuse these shapes.
 */
import { z } from 'zod';
import { route } from './route.js';

const digits = z.string().regex(/^[0-9]{3,20}$/, '号码只能是 3–20 位数字');

export const QueueInputSchema = z.object({
  /** Short stable code used in reports (e.g. "12345"). */
  code: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  name: z.string().trim().min(1).max(64),
  /** Numbers that reach this queue (dialled / trunk DID); each number reaches one queue. */
  numbers: z.array(digits).max(20).default([]),
  /** Agent groups allowed to answer this queue. */
  groupIds: z.array(z.uuid()).max(100).default([]),
  /** Higher first: waiting calls of a higher-priority queue go before older ones. */
  priority: z.number().int().min(-100).max(100).default(0),
  /** After this, the caller is offered a callback (overflow). */
  maxWaitSeconds: z.number().int().min(1).max(3600).default(120),
  /** Arrivals beyond this many waiting calls overflow at once. */
  maxQueueLength: z.number().int().min(1).max(10000).default(50),
  /** Ring-no-answer timeout per agent (default 15 s). */
  ringTimeoutSeconds: z.number().int().min(5).max(120).default(15),
  overflow: z.enum(['callback']).default('callback'),
  enabled: z.boolean().default(true),
});
export type QueueInput = z.input<typeof QueueInputSchema>;

export const QueueSchema = QueueInputSchema.extend({ id: z.uuid() }).required().meta({ id: 'AcdQueue' });
export type Queue = z.infer<typeof QueueSchema>;

export const LiveQueueCallSchema = z.object({
  callId: z.string(),
  caller: z.string(),
  state: z.enum(['waiting', 'offered']),
  /** 1-based place among this queue's waiting calls; null while ringing an agent. */
  position: z.number().int().nullable(),
  arrivedAt: z.iso.datetime(),
  waitedSeconds: z.number(),
  agentId: z.uuid().nullable(),
});

/** A queue's figures for today (see shared/call-kpis.ts for the definitions). */
export const QueueDayFiguresSchema = z
  .object({
    answered: z.number().int(),
    answeredWithinTarget: z.number().int(),
    abandoned: z.number().int(),
    overflowed: z.number().int(),
    /** 接通率 (0–1), null before any call reached a result. */
    answerRate: z.number().nullable(),
    /** 15秒接通率 (0–1), null before any call was answered. */
    answerWithinTargetRate: z.number().nullable(),
    targetSeconds: z.number().int(),
  })
  .meta({ id: 'QueueDayFigures' });

export const QueueSnapshotSchema = z
  .object({
    queueId: z.uuid(),
    code: z.string(),
    name: z.string(),
    waiting: z.number().int(),
    ringing: z.number().int(),
    /** Seconds the oldest call still in the queue (waiting or ringing) has waited. */
    longestWaitSeconds: z.number(),
    calls: z.array(LiveQueueCallSchema),
    /** Since local midnight (calls that arrived today), definitions in shared/call-kpis.ts. */
    today: QueueDayFiguresSchema,
    at: z.iso.datetime(),
  })
  .meta({ id: 'AcdQueueSnapshot' });
export type QueueSnapshot = z.infer<typeof QueueSnapshotSchema>;

export const callbackOutcomes = ['called_back', 'unreachable', 'caller_called_again', 'other'] as const;

export const CallbackTaskSchema = z
  .object({
    id: z.uuid(),
    caller: z.string(),
    callerNormalised: z.string(),
    queueId: z.uuid().nullable(),
    queueName: z.string().nullable(),
    /** Why the first missed call became a task. */
    reason: z.enum(['abandoned', 'overflowed', 'missed']),
    /** Missed calls from this number gathered in this task. */
    missedCount: z.number().int(),
    lastCallId: z.string(),
    createdAt: z.iso.datetime(),
    lastMissedAt: z.iso.datetime(),
    status: z.enum(['open', 'claimed', 'done']),
    claimedBy: z.uuid().nullable(),
    claimedAt: z.iso.datetime().nullable(),
    doneBy: z.uuid().nullable(),
    doneAt: z.iso.datetime().nullable(),
    outcome: z.enum(callbackOutcomes).nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'CallbackTask' });
export type CallbackTask = z.infer<typeof CallbackTaskSchema>;

export const CallRecordViewSchema = z
  .object({
    id: z.uuid(),
    callId: z.string(),
    direction: z.enum(['inbound', 'outbound', 'internal', 'transfer']),
    caller: z.string(),
    called: z.string(),
    queueName: z.string().nullable(),
    agentId: z.uuid().nullable(),
    arrivedAt: z.iso.datetime(),
    answeredAt: z.iso.datetime().nullable(),
    endedAt: z.iso.datetime().nullable(),
    result: z.enum(['answered', 'abandoned', 'missed', 'overflowed', 'transferred']).nullable(),
    waitSeconds: z.number().nullable(),
    talkSeconds: z.number().nullable(),
    holdSeconds: z.number(),
    afterCallWorkSeconds: z.number().nullable(),
    recordingId: z.uuid().nullable(),
    ticketIds: z.array(z.uuid()),
  })
  .meta({ id: 'CallRecordView' });
export type CallRecordView = z.infer<typeof CallRecordViewSchema>;

const IdParams = z.object({ id: z.uuid() });

export const acdRoutes = {
  listQueues: route({
    method: 'GET', path: '/api/acd/queues', summary: 'ACD queues (队列)', tags: ['acd'], access: 'queues:manage',
    status: 200, response: z.object({ items: z.array(QueueSchema) }),
  }),
  createQueue: route({
    method: 'POST', path: '/api/acd/queues', summary: 'Create a queue', tags: ['acd'], access: 'queues:manage',
    body: QueueInputSchema, status: 201, response: QueueSchema,
  }),
  updateQueue: route({
    method: 'PUT', path: '/api/acd/queues/:id', summary: 'Replace a queue’s settings (waiting calls keep their place)', tags: ['acd'], access: 'queues:manage',
    params: IdParams, body: QueueInputSchema, status: 200, response: QueueSchema,
  }),
  deleteQueue: route({
    method: 'DELETE', path: '/api/acd/queues/:id', summary: 'Delete a queue with no calls in it (disable it instead to keep its history named)', tags: ['acd'], access: 'queues:manage',
    params: IdParams, status: 204, response: z.null(),
  }),
  liveQueues: route({
    method: 'GET', path: '/api/acd/live', summary: 'Calls waiting and ringing per queue, for the queues of the floors one watches', tags: ['acd'], access: 'floor:watch',
    status: 200, response: z.object({ queues: z.array(QueueSnapshotSchema) }),
  }),
  listCallbacks: route({
    method: 'GET', path: '/api/acd/callbacks', summary: '漏接电话回拨 tasks of the queues one answers', tags: ['acd'], access: 'console:use',
    query: z.object({ status: z.enum(['active', 'open', 'claimed', 'done']).default('active'), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    status: 200, response: z.object({ items: z.array(CallbackTaskSchema) }),
  }),
  claimCallback: route({
    method: 'POST', path: '/api/acd/callbacks/:id/claim', summary: 'Take a callback task (one agent at a time)', tags: ['acd'], access: 'console:use',
    params: IdParams, status: 200, response: CallbackTaskSchema,
  }),
  releaseCallback: route({
    method: 'POST', path: '/api/acd/callbacks/:id/release', summary: 'Give a claimed callback task back', tags: ['acd'], access: 'console:use',
    params: IdParams, status: 200, response: CallbackTaskSchema,
  }),
  completeCallback: route({
    method: 'POST', path: '/api/acd/callbacks/:id/complete', summary: 'Close a callback task with its outcome', tags: ['acd'], access: 'console:use',
    params: IdParams,
    body: z.object({ outcome: z.enum(callbackOutcomes), note: z.string().trim().max(500).optional(), callId: z.string().max(256).optional() }),
    status: 200, response: CallbackTaskSchema,
  }),
  myCallsToday: route({
    method: 'GET', path: '/api/acd/my-calls', summary: 'The signed-in agent’s calls since local midnight, newest first', tags: ['acd'], access: 'console:use',
    status: 200, response: z.object({ items: z.array(CallRecordViewSchema) }),
  }),
} as const;
