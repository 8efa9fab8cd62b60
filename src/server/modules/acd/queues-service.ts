/**
 * ACD queues (队列) as data: numbers that reach them, groups allowed to answer, priority,
 * waits and ring timeout; and the live picture of each queue for supervisors.
 */
import { sql } from 'kysely';
import { QueueInputSchema, type Queue, type QueueInput, type QueueSnapshot } from '../../../shared/api/acd.js';
import { ANSWER_TARGET_SECONDS } from '../../../shared/call-times.js';
import { queueDayFigures, startOfLocalDay, type QueueDayCounts } from '../../../shared/call-kpis.js';
import type { Db } from '../../db/database.js';
import { foreignKeyViolation, uniqueViolation } from '../../db/constraint-errors.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit-log.js';
import type { Principal } from '../accounts/principal.js';

export class QueuesService {
  private readonly numbersListeners: (() => void)[] = [];

  constructor(private readonly db: Db) {}

  /** After any queue change: the SIP side must learn which numbers to hand to the ACD (see `routedNumbers`). */
  onNumbersChanged(listener: () => void): void {
    this.numbersListeners.push(listener);
  }

  private numbersChanged(): void {
    for (const l of this.numbersListeners) l();
  }

  private select(db: Db) {
    return db.selectFrom('acd_queue as q').selectAll('q').select([
      sql<string[] | null>`(select array_agg(n.number order by n.number) from acd_queue_number n where n.queue_id = q.id)`.as('numbers'),
      sql<string[] | null>`(select array_agg(g.group_id::text order by g.group_id) from acd_queue_group g where g.queue_id = q.id)`.as('group_ids'),
    ]);
  }

  private static view(r: {
    id: string; code: string; name: string; priority: number; max_wait_seconds: number; max_queue_length: number;
    ring_timeout_seconds: number; overflow: 'callback'; enabled: boolean; numbers: string[] | null; group_ids: string[] | null;
  }): Queue {
    return {
      id: r.id, code: r.code, name: r.name, numbers: r.numbers ?? [], groupIds: r.group_ids ?? [], priority: r.priority,
      maxWaitSeconds: r.max_wait_seconds, maxQueueLength: r.max_queue_length, ringTimeoutSeconds: r.ring_timeout_seconds,
      overflow: r.overflow, enabled: r.enabled,
    };
  }

  async list(): Promise<Queue[]> {
    return (await this.select(this.db).orderBy('q.code').execute()).map(QueuesService.view);
  }

  async get(id: string, db: Db = this.db): Promise<Queue> {
    const r = await this.select(db).where('q.id', '=', id).executeTakeFirst();
    if (!r) throw new AppError('NOT_FOUND', 'No such queue');
    return QueuesService.view(r);
  }

  /** Every number some enabled queue answers (what the SIP server must hand to the ACD). */
  async routedNumbers(): Promise<string[]> {
    const rows = await this.db.selectFrom('acd_queue_number as n').innerJoin('acd_queue as q', 'q.id', 'n.queue_id').select('n.number').where('q.enabled', '=', true).orderBy('n.number').execute();
    return rows.map((r) => r.number);
  }

  async upsert(id: string | null, raw: QueueInput, actor: Principal | null): Promise<Queue> {
    const input = QueueInputSchema.parse(raw);
    const values = {
      code: input.code, name: input.name, priority: input.priority, max_wait_seconds: input.maxWaitSeconds,
      max_queue_length: input.maxQueueLength, ring_timeout_seconds: input.ringTimeoutSeconds, overflow: input.overflow, enabled: input.enabled,
    };
    try {
      const queue = await this.db.transaction().execute(async (tx) => {
        let queueId = id;
        if (queueId) {
          const r = await tx.updateTable('acd_queue').set({ ...values, updated_at: new Date() }).where('id', '=', queueId).executeTakeFirst();
          if (!r.numUpdatedRows) throw new AppError('NOT_FOUND', 'No such queue');
          await tx.deleteFrom('acd_queue_number').where('queue_id', '=', queueId).execute();
          await tx.deleteFrom('acd_queue_group').where('queue_id', '=', queueId).execute();
        } else {
          queueId = (await tx.insertInto('acd_queue').values(values).returning('id').executeTakeFirstOrThrow()).id;
        }
        const numbers = [...new Set(input.numbers)];
        if (numbers.length) await tx.insertInto('acd_queue_number').values(numbers.map((number) => ({ number, queue_id: queueId }))).execute();
        const groups = [...new Set(input.groupIds)];
        if (groups.length) await tx.insertInto('acd_queue_group').values(groups.map((group_id) => ({ group_id, queue_id: queueId }))).execute();
        await recordAudit(tx, {
          actorId: actor?.userId ?? null, actorName: actor?.username ?? 'system', action: id ? 'queue.updated' : 'queue.created', ip: null,
          targetType: 'queue', targetId: queueId, detail: { ...input },
        });
        return this.get(queueId, tx);
      });
      this.numbersChanged();
      return queue;
    } catch (err) {
      const unique = uniqueViolation(err);
      if (unique) {
        const which = unique.includes('number') ? { path: 'numbers', message: '号码已属于其他队列' } : { path: 'code', message: '队列编码已存在' };
        throw new AppError('CONFLICT', `Queue ${which.path} already in use`, { issues: [which] });
      }
      if (foreignKeyViolation(err)) throw new AppError('VALIDATION_FAILED', 'Unknown group', { issues: [{ path: 'groupIds', message: '坐席组不存在' }] });
      throw err;
    }
  }

  async remove(id: string, actor: Principal): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const q = await tx.selectFrom('acd_queue').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!q) throw new AppError('NOT_FOUND', 'No such queue');
      const live = await tx.selectFrom('acd_call').select('call_id').where('queue_id', '=', id).limit(1).executeTakeFirst();
      if (live) throw new AppError('CONFLICT', '队列中还有来电，不能删除（可先停用）');
      await tx.deleteFrom('acd_queue').where('id', '=', id).execute();
      await recordAudit(tx, { actorId: actor.userId, actorName: actor.username, action: 'queue.deleted', ip: null, targetType: 'queue', targetId: id, detail: {} });
    });
    this.numbersChanged();
  }

  /** Queues a supervisor watches: those answered by a group they supervise (admins: all). */
  async watchedQueueIds(p: Principal): Promise<string[]> {
    if (p.roles.includes('admin')) return (await this.db.selectFrom('acd_queue').select('id').execute()).map((r) => r.id);
    const rows = await this.db
      .selectFrom('acd_queue_group as g')
      .innerJoin('group_supervisor as s', 's.group_id', 'g.group_id')
      .select('g.queue_id')
      .distinct()
      .where('s.user_id', '=', p.userId)
      .execute();
    return rows.map((r) => r.queue_id);
  }

  /** Floor rooms to tell about a queue: the groups allowed to answer it. */
  async groupsOf(queueId: string): Promise<string[]> {
    return (await this.db.selectFrom('acd_queue_group').select('group_id').where('queue_id', '=', queueId).execute()).map((r) => r.group_id);
  }

  /**
   * Today's counts per queue (calls that arrived since local midnight; inbound legs only: a
   * transfer leg carries its parent's queue). The wait is arrival → answer, as
   * shared/call-times.ts derives it; aggregated here because a busy queue has thousands of
   * calls a day and its picture is pushed after every change.
   */
  async dayCounts(queueIds: string[], now = new Date()): Promise<Map<string, QueueDayCounts>> {
    const rows = await this.db
      .selectFrom('call_record')
      .select((eb) => [
        'queue_id',
        eb.fn.countAll<string | number>().filterWhere('answered_at', 'is not', null).as('answered'),
        eb.fn.countAll<string | number>().filterWhere(sql<boolean>`answered_at <= arrived_at + make_interval(secs => ${ANSWER_TARGET_SECONDS})`).as('within'),
        eb.fn.countAll<string | number>().filterWhere('result', '=', 'abandoned').as('abandoned'),
        eb.fn.countAll<string | number>().filterWhere('result', '=', 'overflowed').as('overflowed'),
      ])
      .where('queue_id', 'in', queueIds)
      .where('direction', '=', 'inbound')
      .where('arrived_at', '>=', startOfLocalDay(now))
      .groupBy('queue_id')
      .execute();
    return new Map(rows.map((r) => [r.queue_id!, { answered: Number(r.answered), answeredWithinTarget: Number(r.within), abandoned: Number(r.abandoned), overflowed: Number(r.overflowed) }]));
  }

  /**
   * Callers ahead of this call among its queue's waiting calls, in the service order the
   * snapshot's `position` uses (so position − 1); null when the call is not waiting (ringing
   * an agent, answered, gone, or never queued). What the voice service tells the caller.
   */
  async callersAhead(callId: string): Promise<number | null> {
    const r = await sql<{ ahead: string | number }>`
      select (select count(*) from acd_call o
              where o.queue_id = c.queue_id and o.state = 'waiting'
                and (o.priority > c.priority
                     or (o.priority = c.priority and (o.arrived_at < c.arrived_at or (o.arrived_at = c.arrived_at and o.seq < c.seq))))) as ahead
      from acd_call c where c.call_id = ${callId} and c.state = 'waiting'`.execute(this.db);
    const row = r.rows[0];
    return row === undefined ? null : Number(row.ahead);
  }

  /** Calls waiting and ringing in these queues, in service order, and today's figures. */
  async snapshots(queueIds: string[], now = new Date()): Promise<QueueSnapshot[]> {
    if (!queueIds.length) return [];
    const queues = await this.db.selectFrom('acd_queue').select(['id', 'code', 'name']).where('id', 'in', queueIds).orderBy('code').execute();
    const counts = await this.dayCounts(queueIds, now);
    const calls = await this.db
      .selectFrom('acd_call as c')
      .innerJoin('call_record as r', 'r.call_id', 'c.call_id')
      .select(['c.call_id', 'c.queue_id', 'c.state', 'c.agent_id', 'c.arrived_at', 'r.caller'])
      .where('c.queue_id', 'in', queueIds)
      .orderBy('c.priority', 'desc')
      .orderBy('c.arrived_at')
      .orderBy('c.seq')
      .execute();
    return queues.map((q) => {
      let position = 0;
      const mine = calls.filter((c) => c.queue_id === q.id).map((c) => ({
        callId: c.call_id,
        caller: c.caller,
        state: c.state,
        position: c.state === 'waiting' ? ++position : null,
        arrivedAt: c.arrived_at.toISOString(),
        waitedSeconds: Math.max(0, (now.getTime() - c.arrived_at.getTime()) / 1000),
        agentId: c.agent_id,
      }));
      return {
        queueId: q.id,
        code: q.code,
        name: q.name,
        waiting: mine.filter((c) => c.state === 'waiting').length,
        ringing: mine.filter((c) => c.state === 'offered').length,
        longestWaitSeconds: mine.reduce((m, c) => Math.max(m, c.waitedSeconds), 0),
        calls: mine,
        today: queueDayFigures(counts.get(q.id) ?? { answered: 0, answeredWithinTarget: 0, abandoned: 0, overflowed: 0 }),
        at: now.toISOString(),
      };
    });
  }
}
