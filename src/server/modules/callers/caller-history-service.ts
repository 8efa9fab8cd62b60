/**
 * The screen pop's caller history (来电弹屏): everything the agent sees the moment a call is
 * offered, for one normalised number. Built from two statements that run side by side —
 * one over call_record (index call_record_caller), caller_tag and the ticket hash indexes
 * for counts and tags; the tickets service's own lookup by caller (its visibility and
 * masking rules) for the ticket list — so it stays fast with millions of rows. The ACD's
 * offer push carries it (`forAgent`), so the console paints the pop from that one message.
 */
import { sql } from 'kysely';
import type { CallerHistory, CallerTag, StoredCallerTag, StoredCallerTagKind } from '../../../shared/api/callers.js';
import { callerTagLabel } from '../../../shared/api/callers.js';
import { normaliseCallerNumber } from '../../../shared/phone-number.js';
import { can, type Role } from '../../../shared/roles.js';
import { openStatuses } from '../../../shared/tickets/workflow.js';
import { normalizePhone } from '../../../shared/tickets/contact.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit-log.js';
import type { Principal } from '../accounts/principal.js';
import type { ContactCipher } from '../tickets/contact-cipher.js';
import type { TicketsService, TicketUser } from '../tickets/tickets-service.js';
import type { NumberAttributionTable } from './number-attribution.js';

/** Tickets listed in the pop; the list says when there are more. */
const TICKET_LIMIT = 50;
const DAY_MS = 86_400_000;

export interface RepeatCallerRule {
  /** 重复来电 from this many inbound calls … */
  calls: number;
  /** … within this many days (the current call included). */
  days: number;
}

const iso = (v: string | Date): string => new Date(v).toISOString();

function mayRead(roles: readonly Role[]): boolean {
  return can(roles, 'console:use') || can(roles, 'floor:watch');
}

function badNumber(): AppError {
  return new AppError('VALIDATION_FAILED', 'number: 号码格式不正确', { issues: [{ path: 'number', message: '号码格式不正确' }] });
}

export class CallerHistoryService {
  constructor(
    private readonly db: Db,
    private readonly tickets: TicketsService,
    private readonly cipher: ContactCipher,
    private readonly attribution: NumberAttributionTable,
    private readonly repeat: RepeatCallerRule,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async history(user: Principal, rawNumber: string, callId: string | undefined): Promise<CallerHistory> {
    // Agents at the console and supervisors on the floor; nobody else needs a caller's history.
    if (!mayRead(user.roles)) throw new AppError('FORBIDDEN', 'Requires permission console:use or floor:watch');
    const number = normaliseCallerNumber(rawNumber);
    if (!number) throw badNumber();
    return this.build(Promise.resolve(user), number, callId);
  }

  /**
   * The history as the ACD's offer carries it to the agent it rings (one push paints the view,
   * no request after it): the agent's roles are read alongside the number's facts, so this costs
   * the endpoint's round trips and no more. Null when the number is withheld or the agent may not read it.
   */
  async forAgent(agentId: string, rawNumber: string, callId: string): Promise<CallerHistory | null> {
    const number = normaliseCallerNumber(rawNumber);
    if (!number) return null;
    const who = this.db.selectFrom('app_user').select(['display_name', 'roles']).where('id', '=', agentId).executeTakeFirst()
      .then((u) => (u && mayRead(u.roles as Role[]) ? { userId: agentId, displayName: u.display_name, roles: u.roles as Role[] } : null));
    // Not allowed: no history, and the facts already asked for are dropped.
    const [allowed, history] = await Promise.all([who.then(Boolean), this.build(who, number, callId)]);
    return allowed ? history : null;
  }

  /** Facts and the ticket list side by side; the list waits only for the reader (and its visibility context). */
  private async build(reader: Promise<TicketUser | null>, number: string, callId: string | undefined): Promise<CallerHistory> {
    const now = this.clock();
    const since30 = new Date(now.getTime() - 30 * DAY_MS);
    const sinceRepeat = new Date(now.getTime() - this.repeat.days * DAY_MS);
    const phone = normalizePhone(number);
    const hash = phone ? this.cipher.phoneHash(phone) : null;
    const current = callId ?? '';
    const open = openStatuses as readonly string[];

    const facts = sql<{
      calls30: number;
      calls_repeat: number;
      last_call: { call_id: string; arrived_at: string; result: NonNullable<CallerHistory['calls']['lastCall']>['result']; queue_name: string | null; agent_name: string | null } | null;
      tags: { kind: StoredCallerTagKind; note: string | null; created_at: string; created_by: string | null }[] | null;
      cur: { call_id: string; queue_name: string | null; arrived_at: string; until: string; recording_id: string | null } | null;
      conf_total: number;
      conf_open: number;
    }>`
      select
        (select count(*)::int from call_record where caller_normalised = ${number} and direction = 'inbound' and arrived_at >= ${since30}) as calls30,
        (select count(*)::int from call_record where caller_normalised = ${number} and direction = 'inbound' and arrived_at >= ${sinceRepeat}) as calls_repeat,
        (select row_to_json(x) from (
           select c.call_id, c.arrived_at, c.result, q.name as queue_name, u.display_name as agent_name
           from call_record c left join acd_queue q on q.id = c.queue_id left join app_user u on u.id = c.agent_id
           where c.caller_normalised = ${number} and c.direction = 'inbound' and c.call_id <> ${current}
           order by c.arrived_at desc limit 1) x) as last_call,
        (select json_agg(json_build_object('kind', t.kind, 'note', t.note, 'created_at', t.created_at, 'created_by', u.display_name) order by t.kind)
           from caller_tag t left join app_user u on u.id = t.created_by
           where t.caller_normalised = ${number} and (t.expires_at is null or t.expires_at > ${now})) as tags,
        (select json_build_object('call_id', c.call_id, 'queue_name', q.name, 'arrived_at', c.arrived_at,
                                  'until', coalesce(c.offered_at, c.answered_at, c.ended_at, ${now}::timestamptz), 'recording_id', c.recording_id)
           from call_record c left join acd_queue q on q.id = c.queue_id where c.call_id = ${current}) as cur,
        (select count(*)::int from ticket where confidential and (contact_phone_hash = ${hash} or caller_number_hash = ${hash})) as conf_total,
        (select count(*)::int from ticket where confidential and (contact_phone_hash = ${hash} or caller_number_hash = ${hash})
           and status in (${sql.join(open.map((s) => sql`${s}`))})) as conf_open
    `.execute(this.db);
    const list = reader.then((user) => (user && phone ? this.tickets.byCaller({ userId: user.userId, displayName: user.displayName, roles: user.roles }, phone, TICKET_LIMIT + 1) : []));
    const [{ rows }, found] = await Promise.all([facts, list]);
    const f = rows[0]!;
    const tickets = found.slice(0, TICKET_LIMIT);
    const truncated = found.length > TICKET_LIMIT;

    // What the tickets service withheld: the confidential ones it did not list. (With a truncated
    // list this can count some visible ones beyond the page; the list says it is truncated.)
    const shownConfidential = tickets.filter((t) => t.confidential);
    const hiddenTotal = Math.max(0, f.conf_total - shownConfidential.length);
    const hiddenOpen = Math.max(0, f.conf_open - shownConfidential.filter((t) => open.includes(t.status)).length);

    const tags: CallerTag[] = [];
    for (const t of f.tags ?? []) {
      tags.push({ kind: t.kind, label: callerTagLabel[t.kind], level: 'danger', note: [t.note, t.created_by ? `标记人：${t.created_by}` : null].filter(Boolean).join('；') || null, since: iso(t.created_at) });
    }
    if (f.calls_repeat >= this.repeat.calls) {
      tags.push({ kind: 'repeat', label: callerTagLabel.repeat, level: 'warning', note: `${this.repeat.days} 天内来电 ${f.calls_repeat} 次`, since: null });
    }

    return {
      number,
      attribution: this.attribution.lookup(number),
      calls: {
        last30Days: f.calls30,
        lastCall: f.last_call
          ? { callId: f.last_call.call_id, arrivedAt: iso(f.last_call.arrived_at), result: f.last_call.result, queueName: f.last_call.queue_name, agentName: f.last_call.agent_name }
          : null,
      },
      tickets,
      ticketsTruncated: truncated,
      hiddenConfidential: { total: hiddenTotal, open: hiddenOpen },
      tags,
      current: f.cur
        ? {
            callId: f.cur.call_id,
            queueName: f.cur.queue_name,
            arrivedAt: iso(f.cur.arrived_at),
            waitedSeconds: Math.max(0, (Date.parse(f.cur.until) - Date.parse(f.cur.arrived_at)) / 1000),
            recordingId: f.cur.recording_id,
          }
        : null,
    };
  }

  // ── 黑名单 / 骚扰电话 tags (supervisors and admins) ───────────────────────────

  private static normalised(raw: string): string {
    const n = normaliseCallerNumber(raw);
    if (!n) throw badNumber();
    return n;
  }

  async listTags(kind: StoredCallerTagKind | undefined, limit: number): Promise<StoredCallerTag[]> {
    let q = this.db.selectFrom('caller_tag as t').leftJoin('app_user as u', 'u.id', 't.created_by').selectAll('t').select('u.display_name');
    if (kind) q = q.where('t.kind', '=', kind);
    const rows = await q.orderBy('t.created_at', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      number: r.caller_normalised, kind: r.kind, note: r.note, createdBy: r.display_name, createdAt: r.created_at.toISOString(), expiresAt: r.expires_at?.toISOString() ?? null,
    }));
  }

  async putTag(by: Principal, rawNumber: string, kind: StoredCallerTagKind, v: { note?: string | undefined; expiresAt?: string | undefined }): Promise<StoredCallerTag> {
    const number = CallerHistoryService.normalised(rawNumber);
    const row = await this.db.transaction().execute(async (tx) => {
      const r = await tx
        .insertInto('caller_tag')
        .values({ caller_normalised: number, kind, note: v.note || null, created_by: by.userId, expires_at: v.expiresAt ?? null })
        .onConflict((oc) => oc.columns(['caller_normalised', 'kind']).doUpdateSet({ note: v.note || null, expires_at: v.expiresAt ?? null }))
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, { actorId: by.userId, actorName: by.displayName, action: 'caller_tag.put', targetType: 'caller', targetId: number, detail: { kind, note: v.note ?? null, expiresAt: v.expiresAt ?? null } });
      return r;
    });
    const creator = row.created_by ? await this.db.selectFrom('app_user').select('display_name').where('id', '=', row.created_by).executeTakeFirst() : undefined;
    return { number, kind, note: row.note, createdBy: creator?.display_name ?? null, createdAt: row.created_at.toISOString(), expiresAt: row.expires_at?.toISOString() ?? null };
  }

  async deleteTag(by: Principal, rawNumber: string, kind: StoredCallerTagKind): Promise<void> {
    const number = CallerHistoryService.normalised(rawNumber);
    await this.db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('caller_tag').where('caller_normalised', '=', number).where('kind', '=', kind).executeTakeFirst();
      if (!r.numDeletedRows) throw new AppError('NOT_FOUND', `${number} has no ${kind} tag`);
      await recordAudit(tx, { actorId: by.userId, actorName: by.displayName, action: 'caller_tag.delete', targetType: 'caller', targetId: number, detail: { kind } });
    });
  }
}
