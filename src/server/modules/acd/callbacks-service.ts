/**
 * Callback tasks (漏接电话回拨): a caller we failed to answer (abandoned, overflowed, a missed
 * leg) gets one open task per number until an agent calls back or the caller gets through.
 * Agents see the tasks of the queues their groups answer; one agent works a task at a time.
 */
import { sql, type Selectable } from 'kysely';
import type { CallbackTask } from '../../../shared/api/acd.js';
import type { Db } from '../../db/database.js';
import type { CallbackOutcome, CallbackTaskTable } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import type { Principal } from '../accounts/principal.js';

type Row = Selectable<CallbackTaskTable> & { queue_name: string | null };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toCallbackTask(r: Row): CallbackTask {
  return {
    id: r.id,
    caller: r.caller,
    callerNormalised: r.caller_normalised,
    queueId: r.queue_id,
    queueName: r.queue_name,
    reason: r.reason,
    missedCount: r.missed_count,
    lastCallId: r.last_call_id,
    createdAt: r.created_at.toISOString(),
    lastMissedAt: r.last_missed_at.toISOString(),
    status: r.status,
    claimedBy: r.claimed_by,
    claimedAt: iso(r.claimed_at),
    doneBy: r.done_by,
    doneAt: iso(r.done_at),
    outcome: r.outcome,
    note: r.note,
  };
}

/**
 * Inside the caller's transaction: adds a missed call to the number's open task, or opens
 * one. Returns the task id, or null when there is nobody to call back (withheld number).
 */
export async function recordMissedCall(
  tx: Db,
  m: { caller: string; callerNormalised: string; queueId: string | null; reason: 'abandoned' | 'overflowed' | 'missed'; callId: string; at: Date },
): Promise<string | null> {
  // Only real phone numbers can be called back (not extensions or withheld callers).
  if (!/^(1\d{10}|0\d{9,11}|\+\d{6,15})$/.test(m.callerNormalised)) return null;
  const r = await sql<{ id: string }>`
    insert into callback_task (caller, caller_normalised, queue_id, reason, first_call_id, last_call_id, created_at, last_missed_at)
    values (${m.caller}, ${m.callerNormalised}, ${m.queueId}, ${m.reason}, ${m.callId}, ${m.callId}, ${m.at}, ${m.at})
    on conflict (caller_normalised) where status <> 'done'
    do update set missed_count = callback_task.missed_count + 1, last_call_id = excluded.last_call_id,
      last_missed_at = greatest(callback_task.last_missed_at, excluded.last_missed_at)
    returning id`.execute(tx);
  return r.rows[0]!.id;
}

/** Inside the caller's transaction: the number got through (answered) — its open task is done. */
export async function closeTasksOfNumber(tx: Db, callerNormalised: string, agentId: string, callId: string, at: Date): Promise<string[]> {
  if (!callerNormalised) return [];
  const rows = await tx
    .updateTable('callback_task')
    .set({ status: 'done', done_at: at, done_by: agentId, outcome: 'caller_called_again', done_call_id: callId })
    .where('caller_normalised', '=', callerNormalised)
    .where('status', '<>', 'done')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export class CallbacksService {
  constructor(
    private readonly db: Db,
    /** After a change: tell the agents of the task's queue. */
    private readonly changed: (taskIds: string[]) => void,
  ) {}

  private select(db: Db = this.db) {
    return db.selectFrom('callback_task as t').leftJoin('acd_queue as q', 'q.id', 't.queue_id').selectAll('t').select('q.name as queue_name');
  }

  async get(id: string, db: Db = this.db): Promise<CallbackTask> {
    const r = await this.select(db).where('t.id', '=', id).executeTakeFirst();
    if (!r) throw new AppError('NOT_FOUND', 'No such callback task');
    return toCallbackTask(r);
  }

  /** Agent groups that get a push about these tasks (the groups allowed for each task's queue). */
  async audience(taskIds: string[]): Promise<{ task: CallbackTask; groupIds: string[] }[]> {
    if (!taskIds.length) return [];
    const rows = await this.select()
      .select(sql<string[] | null>`(select array_agg(g.group_id::text) from acd_queue_group g where g.queue_id = t.queue_id)`.as('group_ids'))
      .where('t.id', 'in', taskIds)
      .execute();
    return rows.map((r) => ({ task: toCallbackTask(r), groupIds: r.group_ids ?? [] }));
  }

  /** Tasks of the queues the agent's groups answer (and tasks of no queue, e.g. missed internal legs). */
  async list(p: Principal, status: 'active' | 'open' | 'claimed' | 'done', limit: number): Promise<CallbackTask[]> {
    let q = this.select().where((eb) =>
      eb.or([
        eb('t.queue_id', 'is', null),
        eb.exists(eb.selectFrom('acd_queue_group as g').select('g.queue_id').whereRef('g.queue_id', '=', 't.queue_id').where('g.group_id', 'in', p.groupIds.length ? p.groupIds : ['00000000-0000-0000-0000-000000000000'])),
      ]),
    );
    q = status === 'active' ? q.where('t.status', '<>', 'done') : q.where('t.status', '=', status);
    const rows = await q.orderBy(status === 'done' ? 't.done_at' : 't.last_missed_at', status === 'done' ? 'desc' : 'asc').limit(limit).execute();
    return rows.map(toCallbackTask);
  }

  private async assertVisible(p: Principal, id: string, db: Db): Promise<void> {
    const ok = await db
      .selectFrom('callback_task as t')
      .select('t.id')
      .where('t.id', '=', id)
      .where((eb) =>
        eb.or([
          eb('t.queue_id', 'is', null),
          eb.exists(eb.selectFrom('acd_queue_group as g').select('g.queue_id').whereRef('g.queue_id', '=', 't.queue_id').where('g.group_id', 'in', p.groupIds.length ? p.groupIds : ['00000000-0000-0000-0000-000000000000'])),
        ]),
      )
      .executeTakeFirst();
    if (!ok) throw new AppError('NOT_FOUND', 'No such callback task');
  }

  async claim(p: Principal, id: string): Promise<CallbackTask> {
    const task = await this.db.transaction().execute(async (tx) => {
      await this.assertVisible(p, id, tx);
      const r = await tx.updateTable('callback_task').set({ status: 'claimed', claimed_by: p.userId, claimed_at: new Date() })
        .where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
      const now = await this.get(id, tx);
      if (!r.numUpdatedRows && !(now.status === 'claimed' && now.claimedBy === p.userId)) {
        throw new AppError('CONFLICT', now.status === 'done' ? '该回拨任务已完成' : '该回拨任务已被其他坐席认领');
      }
      return now;
    });
    this.changed([id]);
    return task;
  }

  async release(p: Principal, id: string): Promise<CallbackTask> {
    const task = await this.db.transaction().execute(async (tx) => {
      await this.assertVisible(p, id, tx);
      const r = await tx.updateTable('callback_task').set({ status: 'open', claimed_by: null, claimed_at: null })
        .where('id', '=', id).where('status', '=', 'claimed').where('claimed_by', '=', p.userId).executeTakeFirst();
      if (!r.numUpdatedRows) throw new AppError('CONFLICT', '只能退回自己认领的回拨任务');
      return this.get(id, tx);
    });
    this.changed([id]);
    return task;
  }

  async complete(p: Principal, id: string, body: { outcome: CallbackOutcome; note?: string | undefined; callId?: string | undefined }): Promise<CallbackTask> {
    const task = await this.db.transaction().execute(async (tx) => {
      await this.assertVisible(p, id, tx);
      const r = await tx.updateTable('callback_task')
        .set({ status: 'done', done_at: new Date(), done_by: p.userId, outcome: body.outcome, note: body.note ?? null, done_call_id: body.callId ?? null })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('status', '=', 'open'), eb.and([eb('status', '=', 'claimed'), eb('claimed_by', '=', p.userId)])]))
        .executeTakeFirst();
      if (!r.numUpdatedRows) {
        const now = await this.get(id, tx);
        throw new AppError('CONFLICT', now.status === 'done' ? '该回拨任务已完成' : '该回拨任务已被其他坐席认领');
      }
      return this.get(id, tx);
    });
    this.changed([id]);
    return task;
  }
}
