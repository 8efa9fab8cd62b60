/**
 * Reconciliation (对账): for a range of China dates, what the province acknowledges versus
 * the events we hold as sent. Differences are acted on and the report is stored:
 * - missing upstream (we hold it as sent, the province does not list it): re-queued when
 *   asked (its stream rewinds to it; events the province has come back `duplicate`), else flagged;
 * - unknown upstream (the province lists it, we do not hold it as sent): an event still
 *   pending here lost its acknowledgement — marked sent; a key we never had is flagged.
 */
import { sql } from 'kysely';
import type { ReconciliationReport, ReconciliationSummary } from '../../../shared/api/province.js';
import type { Db } from '../../db/database.js';
import type { ProvinceClient } from './province-client.js';

const DAY = 86_400_000;
/** Start of a China (UTC+8, no DST) date as an instant. */
function chinaDayStart(date: string): Date {
  return new Date(`${date}T00:00:00+08:00`);
}

export interface ReconcileInput {
  from: string;
  to: string;
  trigger: 'schedule' | 'manual';
  requestedBy?: string | null;
  resendMissing: boolean;
}

type Difference = ReconciliationReport['differences'][number];

export async function reconcile(db: Db, client: ProvinceClient, input: ReconcileInput): Promise<ReconciliationReport | null> {
  const theirs = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page = await client.listAcks(input.from, input.to, cursor);
    for (const a of page.items) theirs.set(a.key, a.receipt);
    cursor = page.nextCursor;
  } while (cursor);

  const start = chinaDayStart(input.from);
  const end = new Date(chinaDayStart(input.to).getTime() + DAY);
  const occurred = sql<Date>`(payload->>'occurredAt')::timestamptz`;
  const ours = await db.selectFrom('province_outbox').select(['id', 'ticket_no', 'seq', 'idempotency_key', 'state'])
    .where(occurred, '>=', start).where(occurred, '<', end).execute();
  const sent = ours.filter((o) => o.state === 'sent');
  const byKey = new Map(ours.map((o) => [o.idempotency_key, o]));
  const differences: Difference[] = [];
  let matched = 0;
  let resent = 0;

  await db.transaction().execute(async (tx) => {
    for (const o of sent) {
      if (theirs.has(o.idempotency_key)) {
        matched++;
        continue;
      }
      if (input.resendMissing) {
        await tx.updateTable('province_outbox').set({ state: 'pending', sent_at: null, last_error: 'reconciliation: not held by the province' }).where('id', '=', o.id).execute();
        await tx.updateTable('province_stream')
          .set({ acked_seq: sql<number>`least(acked_seq, ${o.seq - 1})`, next_attempt_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
          .where('ticket_no', '=', o.ticket_no).execute();
        resent++;
      }
      differences.push({ key: o.idempotency_key, kind: 'missing_upstream', action: input.resendMissing ? 'resent' : 'flagged' });
    }
    for (const [key, receipt] of theirs) {
      const o = byKey.get(key);
      if (o?.state === 'sent') continue;
      if (o?.state === 'pending') {
        // The province has it: our acknowledgement was lost. The stream advances past it when
        // the dispatcher next hears `duplicate`; record the receipt now.
        await tx.updateTable('province_outbox').set({ receipt }).where('id', '=', o.id).execute();
      }
      differences.push({ key, kind: 'unknown_upstream', action: 'flagged' });
    }
  });

  const summary = {
    range_from: input.from,
    range_to: input.to,
    trigger: input.trigger,
    requested_by: input.requestedBy ?? null,
    ours: sent.length,
    theirs: theirs.size,
    matched,
    missing_upstream: differences.filter((d) => d.kind === 'missing_upstream').length,
    unknown_upstream: differences.filter((d) => d.kind === 'unknown_upstream').length,
    resent,
    differences: JSON.stringify(differences.slice(0, 10_000)),
    created_at: sql<Date>`now()`,
  };
  // The daily run is once per day across nodes: the unique index drops a second node's report.
  const row = await db.insertInto('province_reconciliation').values(summary as never)
    .onConflict((oc) => oc.column('range_from').where('trigger', '=', 'schedule').doNothing())
    .returningAll().executeTakeFirst();
  if (!row) return null;
  return { ...toSummary(row), differences };
}

export function toSummary(r: {
  id: string; range_from: string | Date; range_to: string | Date; created_at: Date; trigger: 'schedule' | 'manual';
  ours: number; theirs: number; matched: number; missing_upstream: number; unknown_upstream: number; resent: number;
}): ReconciliationSummary {
  const d = (v: string | Date) => (typeof v === 'string' ? v.slice(0, 10) : new Date(v.getTime() - v.getTimezoneOffset() * 60_000).toISOString().slice(0, 10));
  return {
    id: r.id, from: d(r.range_from), to: d(r.range_to), createdAt: r.created_at.toISOString(), trigger: r.trigger,
    ours: r.ours, theirs: r.theirs, matched: r.matched, missingUpstream: r.missing_upstream, unknownUpstream: r.unknown_upstream, resent: r.resent,
  };
}

/** Yesterday as a China date, and whether China time has passed HH:MM today. */
export function dailyDue(now: Date, at: string): { due: boolean; day: string } {
  const china = new Date(now.getTime() + 8 * 3600_000);
  const [h, m] = at.split(':').map(Number) as [number, number];
  const due = china.getUTCHours() * 60 + china.getUTCMinutes() >= h * 60 + m;
  const day = new Date(china.getTime() - DAY).toISOString().slice(0, 10);
  return { due, day };
}
