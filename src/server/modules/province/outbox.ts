/**
 * The province outbox: how ticket code tells the province something, inside its own
 * transaction. `enqueueProvinceEvent(tx, …)` numbers the event in its ticket's stream
 * (1, 2, 3 … — the row lock on the stream serialises concurrent changes of one ticket),
 * stores it with its idempotency key (ticket number, event type, sequence) and marks the
 * ticket 待同步. Nothing is sent here; the dispatcher (dispatcher.ts) does that after commit.
 * Also the admin side of the outbox: dead letters and their re-send.
 */
import { sql, type Kysely } from 'kysely';
import {
  provinceEventDataSchemas, provinceEventKey,
  type DeadLetter, type ProvinceBatchItem, type ProvinceEventData, type ProvinceEventType,
} from '../../../shared/api/province.js';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';

/** A database handle or an open transaction: enqueue joins whatever the caller is in. */
export type DbOrTx = Kysely<Database>;

export interface ProvinceEventInput<T extends ProvinceEventType = ProvinceEventType> {
  /** Our ticket number (the stream and the key are per ticket number). */
  ticketNo: string;
  /** The local ticket row, when there is one: its sync state follows the stream. */
  ticketId?: string | null | undefined;
  /** The province's number for the ticket, when it has one. */
  upstreamNo?: string | null | undefined;
  type: T;
  occurredAt: Date;
  data: ProvinceEventData<T>;
}

export interface EnqueuedEvent {
  key: string;
  seq: number;
}

/**
 * Adds one event to the outbox in the caller's transaction. The data is validated against
 * the province contract now, so a mapping bug fails the ticket change instead of turning
 * into a dead letter later.
 */
export async function enqueueProvinceEvent<T extends ProvinceEventType>(tx: DbOrTx, input: ProvinceEventInput<T>): Promise<EnqueuedEvent> {
  const parsed = provinceEventDataSchemas[input.type].safeParse(input.data);
  if (!parsed.success) {
    throw new Error(`province event ${input.type} for ${input.ticketNo} does not match the contract: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  // An idle stream becomes due now; one in backoff keeps its schedule (order is per ticket).
  const stream = await tx
    .insertInto('province_stream')
    .values({ ticket_no: input.ticketNo, ticket_id: input.ticketId ?? null, last_seq: 1, next_attempt_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .onConflict((oc) =>
      oc.column('ticket_no').doUpdateSet({
        last_seq: sql<number>`province_stream.last_seq + 1`,
        ticket_id: sql<string | null>`coalesce(province_stream.ticket_id, excluded.ticket_id)`,
        next_attempt_at: sql<Date>`case when province_stream.acked_seq = province_stream.last_seq then now() else province_stream.next_attempt_at end`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .returning(['last_seq'])
    .executeTakeFirstOrThrow();
  const seq = stream.last_seq;
  const key = provinceEventKey(input.ticketNo, input.type, seq);
  const item: ProvinceBatchItem = {
    key,
    ticketNo: input.ticketNo,
    ...(input.upstreamNo ? { upstreamNo: input.upstreamNo } : {}),
    seq,
    type: input.type,
    occurredAt: input.occurredAt.toISOString(),
    data: parsed.data as Record<string, unknown>,
  };
  await tx
    .insertInto('province_outbox')
    .values({ ticket_no: input.ticketNo, seq, event_type: input.type, idempotency_key: key, payload: JSON.stringify(item), created_at: sql<Date>`now()` })
    .execute();
  if (input.ticketId) {
    await tx.updateTable('ticket').set({ sync_state: 'pending', sync_error: null }).where('id', '=', input.ticketId).execute();
  }
  return { key, seq };
}

/** Dead letters, newest first, with how many later events of the ticket wait behind each. */
export async function listDeadLetters(db: DbOrTx, limit: number): Promise<DeadLetter[]> {
  const rows = await db
    .selectFrom('province_outbox as o')
    .innerJoin('province_stream as s', 's.ticket_no', 'o.ticket_no')
    .select(['o.id', 'o.idempotency_key', 'o.ticket_no', 'o.seq', 'o.event_type', 'o.payload', 'o.province_code', 'o.province_message', 'o.attempts', 'o.dead_at', 's.last_seq'])
    .where('o.state', '=', 'dead')
    .orderBy('o.dead_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    key: r.idempotency_key,
    ticketNo: r.ticket_no,
    seq: r.seq,
    type: r.event_type,
    payload: r.payload,
    provinceCode: r.province_code,
    provinceMessage: r.province_message,
    attempts: r.attempts,
    deadAt: (r.dead_at ?? new Date(0)).toISOString(),
    heldBack: Math.max(0, r.last_seq - r.seq),
  }));
}

/**
 * Re-queues a dead letter, optionally with corrected data (validated like a new event); its
 * key stays the same, so the province still stores it at most once. Unblocks the ticket.
 */
export async function resendDeadLetter(db: Kysely<Database>, id: number, data?: Record<string, unknown>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('province_outbox').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `没有编号为 ${id} 的上报事件`);
    if (row.state !== 'dead') throw new AppError('CONFLICT', `该事件当前状态为 ${row.state}，只有失败（死信）事件可以重发`);
    let payload = row.payload as ProvinceBatchItem;
    if (data) {
      const parsed = provinceEventDataSchemas[row.event_type].safeParse(data);
      if (!parsed.success) {
        throw new AppError('VALIDATION_FAILED', `data: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
          issues: parsed.error.issues.map((i) => ({ path: ['data', ...i.path].join('.'), message: i.message })),
        });
      }
      payload = { ...payload, data: parsed.data as Record<string, unknown> };
    }
    await tx.updateTable('province_outbox')
      .set({ state: 'pending', payload: JSON.stringify(payload), dead_at: null, province_code: null, province_message: null, last_error: null })
      .where('id', '=', id).execute();
    const stream = await tx.updateTable('province_stream')
      .set({ blocked_seq: null, attempts: 0, next_attempt_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('ticket_no', '=', row.ticket_no).where('blocked_seq', '=', row.seq)
      .returning('ticket_id').executeTakeFirst();
    if (stream?.ticket_id) await tx.updateTable('ticket').set({ sync_state: 'pending', sync_error: null }).where('id', '=', stream.ticket_id).execute();
  });
}
