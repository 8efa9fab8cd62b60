/** HTTP bindings of the ACD contracts (src/shared/api/acd.ts). */
import type { FastifyInstance } from 'fastify';
import { acdRoutes as r, type CallRecordView } from '../../../shared/api/acd.js';
import { deriveCallTimes } from '../../../shared/call-times.js';
import type { Db } from '../../db/database.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import type { CallbacksService } from './callbacks-service.js';
import type { QueuesService } from './queues-service.js';

export function registerAcdRoutes(app: FastifyInstance, deps: { db: Db; queues: QueuesService; callbacks: CallbacksService; authenticate: Authenticate }): void {
  const { queues, callbacks, authenticate } = deps;
  bindRoute(app, r.listQueues, authenticate, async () => ({ items: await queues.list() }));
  bindRoute(app, r.createQueue, authenticate, ({ body, principal }) => queues.upsert(null, body, principal));
  bindRoute(app, r.updateQueue, authenticate, ({ params, body, principal }) => queues.upsert(params.id, body, principal));
  bindRoute(app, r.deleteQueue, authenticate, async ({ params, principal }) => {
    await queues.remove(params.id, principal);
    return null;
  });
  bindRoute(app, r.liveQueues, authenticate, async ({ principal }) => ({ queues: await queues.snapshots(await queues.watchedQueueIds(principal)) }));
  bindRoute(app, r.listCallbacks, authenticate, async ({ principal, query }) => ({ items: await callbacks.list(principal, query.status, query.limit) }));
  bindRoute(app, r.claimCallback, authenticate, ({ principal, params }) => callbacks.claim(principal, params.id));
  bindRoute(app, r.releaseCallback, authenticate, ({ principal, params }) => callbacks.release(principal, params.id));
  bindRoute(app, r.completeCallback, authenticate, ({ principal, params, body }) => callbacks.complete(principal, params.id, body));
  bindRoute(app, r.myCallsToday, authenticate, async ({ principal }) => ({ items: await callsOf(deps.db, principal.userId, startOfToday()) }));
}

/** Local midnight on this server (sites run in their own time zone, Asia/Shanghai). */
function startOfToday(now = new Date()): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

/** An agent's call legs since `since`, newest first, with times derived from their timestamps. */
export async function callsOf(db: Db, agentId: string, since: Date, limit = 500): Promise<CallRecordView[]> {
  const rows = await db
    .selectFrom('call_record as c')
    .leftJoin('acd_queue as q', 'q.id', 'c.queue_id')
    .selectAll('c')
    .select('q.name as queue_name')
    .where((eb) => eb.or([eb('c.agent_id', '=', agentId), eb('c.peer_agent_id', '=', agentId)]))
    .where('c.arrived_at', '>=', since)
    .orderBy('c.arrived_at', 'desc')
    .limit(limit)
    .execute();
  const holds = rows.length
    ? await db.selectFrom('call_hold').select(['call_id', 'held_at', 'resumed_at']).where('call_id', 'in', rows.map((r) => r.call_id)).execute()
    : [];
  return rows.map((c) => {
    const times = deriveCallTimes({
      arrivedAt: c.arrived_at, answeredAt: c.answered_at, endedAt: c.ended_at, wrapUpEndedAt: c.wrap_up_ended_at,
      holds: holds.filter((h) => h.call_id === c.call_id).map((h) => ({ heldAt: h.held_at, resumedAt: h.resumed_at })),
    });
    return {
      id: c.id, callId: c.call_id, direction: c.direction, caller: c.caller, called: c.called, queueName: c.queue_name, agentId: c.agent_id,
      arrivedAt: c.arrived_at.toISOString(), answeredAt: c.answered_at?.toISOString() ?? null, endedAt: c.ended_at?.toISOString() ?? null,
      result: c.result, ...times, recordingId: c.recording_id, ticketIds: c.ticket_ids,
    };
  });
}
