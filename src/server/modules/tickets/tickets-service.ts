/**
 * Tickets on the server: registration (idempotent on the console's client id, numbered
 * 12345-YYYYMMDD-NNNNN), visibility and masking per role, lists and the screen pop's lookup
 * by caller number, and every workflow action — decided by the shared workflow, applied with
 * optimistic locking on `version`, and logged as exactly one ticket_event in the same
 * transaction. Nothing changes when a request is refused.
 */
import { sql, type ExpressionBuilder, type Selectable, type Transaction } from 'kysely';
import type { z } from 'zod';
import { ATTACHMENT_REF_PREFIX, attachmentRef, parseAttachmentRef } from '../../../shared/api/ticket-attachments.js';
import { MAX_EXPORT_ROWS } from '../../../shared/api/tickets.js';
import type {
  Attachment,
  DuplicateCandidate, DuplicateQuerySchema, RegisterTicketSchema, TicketCommandSchema, TicketDetail, TicketEvent, TicketListQuerySchema, TicketSummary,
} from '../../../shared/api/tickets.js';
import type { TicketNotice } from '../../../shared/realtime.js';
import type { Role } from '../../../shared/roles.js';
import { permissionsOf } from '../../../shared/roles.js';
import { maskIdNumber, maskPhone, normalizeIdNumber, normalizePhone } from '../../../shared/tickets/contact.js';
import { chinaDate, computeDue, endOfChinaDay, extendDue, slaState, type WorkCalendar } from '../../../shared/tickets/deadline.js';
import { escapeLike, searchTerms } from '../../../shared/tickets/search.js';
import {
  allowedCommands, decide, openStatuses, unitHeldStatuses,
  type Actor as WorkflowActor, type TicketCommand, type TicketStatus, type WorkflowSnapshot,
} from '../../../shared/tickets/workflow.js';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { uniqueViolation } from '../../db/constraint-errors.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/audit-log.js';
import type { ContactCipher } from './contact-cipher.js';
import type { AppliedSla, RefDataService, SlaKey } from './refdata-service.js';
import { RegistrationBatcher, type ItemResult } from './registration-batcher.js';

type Tx = Transaction<Database>;
type TicketRow = Database['ticket'] extends infer T ? { [K in keyof T]: T[K] extends import('kysely').ColumnType<infer S, unknown, unknown> ? S : T[K] } : never;
type RegisterInput = z.output<typeof RegisterTicketSchema>;
type DetailRow = TicketRow & { lead_unit_name: string | null; commitment_until_text: string | null };
type CommandInput = z.output<typeof TicketCommandSchema>;
type ListQuery = z.output<typeof TicketListQuerySchema>;
type DuplicateQuery = z.output<typeof DuplicateQuerySchema>;
type FilterQuery = Omit<ListQuery, 'limit' | 'cursor'>;

/** One ledger (台账) line: the list's summary with the columns an export adds, masked for its reader. */
export interface LedgerRow extends TicketSummary {
  content: string;
  location: string | null;
  result: string | null;
  closedAt: Date | null;
  satisfaction: string | null;
}
const EXPORT_PAGE = 2000;
/** How far back search first looks, walking the newest tickets (see searchPage). */
const SEARCH_RECENT_MS = 7 * 86_400_000;

/** The searchable text: exactly the expression of the trigram index (migration 0022). */
const searchText = sql<string>`(t.title || ' ' || t.content || ' ' || coalesce(t.location, ''))`;
/** pg_trgm similarity of title + content from which a ticket counts as 疑似重复 (rewordings of one matter score ~0.2–0.5). */
const DUPLICATE_SIMILARITY = 0.2;

/** The signed-in user, as tickets need them. */
export interface TicketUser {
  userId: string;
  displayName: string;
  roles: Role[];
}

/** What a user may see and do, resolved once per request. */
interface Ctx {
  user: TicketUser;
  perms: ReadonlySet<import('../../../shared/roles.js').Permission>;
  unitIds: string[];
  /** Unit users see only tickets their units hold (lead or co-unit). */
  unitScoped: boolean;
}

class StaleVersion extends Error {}

function contextOf(user: TicketUser, unitIds: string[]): Ctx {
  const perms = permissionsOf(user.roles);
  const center = perms.has('tickets:register') || perms.has('tickets:dispatch') || perms.has('tickets:audit') || perms.has('tickets:supervise');
  return { user, perms, unitIds, unitScoped: perms.has('tickets:handle') && !center };
}

/** One registration waiting for its batch. */
interface PendingRegistration {
  user: TicketUser;
  input: RegisterInput;
}
interface Registered {
  ticket: TicketDetail;
  created: boolean;
}

function baseQuery(db: Db) {
  return db
    .selectFrom('ticket as t')
    .leftJoin('handling_unit as lu', 'lu.id', 't.lead_unit_id')
    .selectAll('t')
    .select(['lu.name as lead_unit_name', sql<string | null>`t.commitment_until::text`.as('commitment_until_text')]);
}
type BaseQuery = ReturnType<typeof baseQuery>;

const OPEN = openStatuses as TicketStatus[];
const HELD = unitHeldStatuses as TicketStatus[];

function badInput(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path, message }] });
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

function maskName(name: string | null): string | null {
  if (!name) return null;
  return `${[...name][0]}${'*'.repeat(Math.max(1, [...name].length - 1))}`;
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}
function decodeCursor(c: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[0])) && /^[0-9a-f-]{36}$/.test(v[1])) return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw badInput('cursor', '分页游标无效');
}

function snapshotOf(row: TicketRow): WorkflowSnapshot {
  return {
    status: row.status as TicketStatus,
    leadUnitId: row.lead_unit_id,
    coUnitIds: row.co_unit_ids,
    pending: row.pending_request,
    returnReason: row.return_reason,
    reopenCount: row.reopen_count,
    urgeCount: row.urge_count,
    supervised: row.supervised,
    extensionCount: row.extension_count,
  };
}

/**
 * A committed-with-the-change observer: called inside the ticket's transaction after each
 * change's event is written (the province gateway's outbox uses it — issue 6). A throw
 * rolls the change back.
 */
export type TicketChangeHook = (tx: Tx, change: { ticketId: string; seq: number; action: string; fromStatus: string | null; toStatus: string; at: Date; opinion: string | null; detail: Record<string, unknown> }) => Promise<void>;

export class TicketsService {
  /** Observers of every change, in the change's transaction (province gateway, issue 6). */
  readonly changeHooks: TicketChangeHook[] = [];

  constructor(
    private readonly db: Db,
    private readonly refdata: RefDataService,
    private readonly cipher: ContactCipher,
    private readonly clock: () => Date = () => new Date(),
    /** Live pushes after commit (Socket.IO in the app; absent in tests that build the service alone). */
    private readonly notify?: (userIds: string[], notice: TicketNotice) => void,
    private readonly log: { error(o: object, msg: string): void } = { error: () => {} },
  ) {}

  private async context(user: TicketUser): Promise<Ctx> {
    const units = await this.db.selectFrom('handling_unit_member').select('unit_id').where('user_id', '=', user.userId).execute();
    return contextOf(user, units.map((u) => u.unit_id));
  }

  private actorOf(ctx: Ctx): WorkflowActor {
    return { permissions: ctx.perms, unitIds: ctx.unitIds };
  }

  private assigned(row: Pick<TicketRow, 'lead_unit_id' | 'co_unit_ids'>, ctx: Ctx): boolean {
    return (!!row.lead_unit_id && ctx.unitIds.includes(row.lead_unit_id)) || row.co_unit_ids.some((u) => ctx.unitIds.includes(u));
  }

  /** Whether the user may see this ticket at all. */
  private visible(row: TicketRow, ctx: Ctx): boolean {
    if (ctx.unitScoped && !this.assigned(row, ctx)) return false;
    if (row.confidential && !ctx.perms.has('tickets:confidential')) return row.agent_id === ctx.user.userId || this.assigned(row, ctx);
    return true;
  }

  /** Whether the user sees the citizen's name, phone and ID number in full. */
  private revealed(row: Pick<TicketRow, 'confidential'>, ctx: Ctx): boolean {
    if (row.confidential) return ctx.perms.has('tickets:confidential');
    return ['tickets:register', 'tickets:dispatch', 'tickets:handle', 'tickets:audit', 'tickets:revisit'].some((p) => ctx.perms.has(p as never));
  }

  /** The same visibility rule as `visible`, as SQL for lists. */
  private scope(q: BaseQuery, ctx: Ctx): BaseQuery {
    const units = ctx.unitIds.length ? ctx.unitIds : ['00000000-0000-0000-0000-000000000000'];
    const assigned = (eb: ExpressionBuilder<Database & { t: Database['ticket']; lu: Database['handling_unit'] }, 't' | 'lu'>) =>
      eb.or([eb('t.lead_unit_id', 'in', units), sql<boolean>`t.co_unit_ids && ${sql.val(units)}::uuid[]`]);
    let out = q;
    if (ctx.unitScoped) out = out.where((eb) => assigned(eb));
    if (!ctx.perms.has('tickets:confidential')) {
      out = out.where((eb) => eb.or([eb('t.confidential', '=', false), eb('t.agent_id', '=', ctx.user.userId), assigned(eb)]));
    }
    return out;
  }

  /** Whether the user sees citizens' names in full (the `revealed` rule): only then may a name be searched for. */
  private nameSearchable(ctx: Ctx) {
    const reveal = ['tickets:register', 'tickets:dispatch', 'tickets:handle', 'tickets:audit', 'tickets:revisit'].some((p) => ctx.perms.has(p as never));
    const conf = ctx.perms.has('tickets:confidential');
    if (reveal && conf) return sql<boolean>`true`;
    if (reveal) return sql<boolean>`not t.confidential`;
    if (conf) return sql<boolean>`t.confidential`;
    return null;
  }

  /** Full-text condition (src/shared/tickets/search.ts): every term matches, or the query is a visible name's prefix. */
  private searchCondition(query: string, ctx: Ctx) {
    const terms = searchTerms(query);
    if (!terms.length) return sql<boolean>`true`;
    const has = (s: string) => sql<boolean>`${searchText} ilike ${`%${escapeLike(s)}%`}`;
    const termConds = terms.map((t) => {
      if (t.required === 0) return has(t.text);
      if (t.trigrams.length === 1) return has(t.trigrams[0]!);
      // The OR lets the GIN index find candidates; the count keeps those with enough trigrams.
      const any = sql.join(t.trigrams.map(has), sql` or `);
      const count = sql.join(t.trigrams.map((g) => sql`(${has(g)})::int`), sql` + `);
      return sql<boolean>`((${any}) and (${count}) >= ${t.required})`;
    });
    const text = sql<boolean>`(${sql.join(termConds, sql` and `)})`;
    const visibleName = this.nameSearchable(ctx);
    if (terms.length > 1 || !visibleName) return text;
    return sql<boolean>`(${text} or (t.citizen_name like ${`${escapeLike(query.trim())}%`} and not t.anonymous and ${visibleName}))`;
  }

  // ── reads ────────────────────────────────────────────────────────────────

  private baseQuery(): BaseQuery {
    return baseQuery(this.db);
  }

  private summary(row: TicketRow & { lead_unit_name: string | null }, ctx: Ctx, now: Date): TicketSummary {
    const withheld = row.confidential && !ctx.perms.has('tickets:confidential');
    const open = OPEN.includes(row.status as TicketStatus);
    return {
      id: row.id,
      ticketNo: row.ticket_no,
      status: row.status as TicketStatus,
      title: row.title,
      appealType: row.appeal_type,
      categoryCode: row.category_code,
      regionCode: row.region_code,
      urgency: row.urgency as TicketSummary['urgency'],
      channel: row.channel as TicketSummary['channel'],
      acceptedAt: row.accepted_at.toISOString(),
      dueAt: iso(row.due_at),
      slaState: open && row.status !== 'suspended' ? slaState(now, row.due_at, row.warn_hours) : 'normal',
      leadUnitId: row.lead_unit_id,
      leadUnitName: row.lead_unit_name,
      citizenName: withheld ? '保密' : row.anonymous ? '匿名' : maskName(row.citizen_name),
      contactPhone: withheld ? null : row.contact_phone_masked,
      confidential: row.confidential,
      supervised: row.supervised,
      urgeCount: row.urge_count,
      reopenCount: row.reopen_count,
      upstreamPlatform: row.upstream_platform as TicketSummary['upstreamPlatform'],
      version: row.version,
    };
  }

  async list(user: TicketUser, q: ListQuery): Promise<{ items: TicketSummary[]; nextCursor: string | null }> {
    const ctx = await this.context(user);
    const now = this.clock();
    let query = this.filtered(ctx, q, now);
    let anchor = now;
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor);
      anchor = new Date(at);
      query = query.where(sql<boolean>`(t.accepted_at, t.id) < (${at}::timestamptz, ${id}::uuid)`);
    }
    const rows = q.q ? await this.searchPage(query, anchor, q.limit + 1) : await query.orderBy('t.accepted_at', 'desc').orderBy('t.id', 'desc').limit(q.limit + 1).execute();
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.summary(r as never, ctx, now)),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.accepted_at, last.id) : null,
    };
  }

  /**
   * A page of search results, newest first, fast whether the terms are common or rare. The
   * planner cannot tell how many tickets a term matches: walking the accepted_at index and
   * testing each row is instant for a common term and reads the whole table for a rare one
   * (seconds over 1 M tickets), while the trigram index is the opposite. So the newest week
   * before the page's anchor is walked first — bounded work, and a full page there is the
   * answer, since everything older comes after it. Otherwise the whole table is searched
   * through the trigram index: ordering by an expression the accepted_at index does not
   * provide keeps the planner from walking that index with the LIMIT.
   */
  private async searchPage(query: BaseQuery, anchor: Date, n: number) {
    const recent = await query.where('t.accepted_at', '>=', new Date(anchor.getTime() - SEARCH_RECENT_MS))
      .orderBy('t.accepted_at', 'desc').orderBy('t.id', 'desc').limit(n).execute();
    if (recent.length >= n) return recent;
    return query.orderBy(sql`t.accepted_at + interval '0 seconds'`, 'desc').orderBy('t.id', 'desc').limit(n).execute();
  }

  /** The tickets a list view and its filters select for this user (no order, no paging). */
  private filtered(ctx: Ctx, q: FilterQuery, now: Date): BaseQuery {
    let query = this.scope(this.baseQuery(), ctx);
    const units = ctx.unitIds.length ? ctx.unitIds : ['00000000-0000-0000-0000-000000000000'];
    switch (q.view) {
      case 'all':
        break;
      case 'mine':
        query = ctx.unitScoped ? query.where('t.lead_unit_id', 'in', units).where('t.status', 'in', HELD) : query.where('t.agent_id', '=', ctx.user.userId);
        break;
      case 'unit_inbox':
        query = query.where('t.lead_unit_id', 'in', units).where('t.status', 'in', ['dispatched', 'signed', 'processing', 'suspended']);
        break;
      case 'due_soon':
        query = query.where('t.status', 'in', OPEN).where('t.status', '!=', 'suspended').where('t.due_at', '>=', now)
          .where(sql<boolean>`t.due_at <= ${now}::timestamptz + make_interval(hours => t.warn_hours)`);
        break;
      case 'overdue':
        query = query.where('t.status', 'in', OPEN).where('t.status', '!=', 'suspended').where('t.due_at', '<', now);
        break;
      case 'supervised':
        query = query.where('t.supervised', '=', true).where('t.status', 'in', OPEN);
        break;
      case 'review':
        query = query.where((eb) => eb.or([eb('t.status', 'in', ['return_review', 'replied']), eb('t.pending_request', 'is not', null)]));
        break;
      default: {
        const never: never = q.view;
        throw new Error(String(never));
      }
    }
    if (q.status?.length) query = query.where('t.status', 'in', q.status);
    if (q.appealType) query = query.where('t.appeal_type', '=', q.appealType);
    if (q.categoryCode) query = query.where('t.category_code', 'like', `${q.categoryCode}%`);
    if (q.regionCode) query = query.where('t.region_code', 'like', `${q.regionCode.replace(/(00)+$/, '')}%`);
    if (q.unitId) {
      const u = q.unitId;
      query = query.where((eb) => eb.or([eb('t.lead_unit_id', '=', u), sql<boolean>`${u}::uuid = any(t.co_unit_ids)`]));
    }
    if (q.ticketNo) query = query.where('t.ticket_no', 'like', `${q.ticketNo.replace(/[%_\\]/g, '')}%`);
    if (q.q) query = query.where(this.searchCondition(q.q, ctx));
    if (q.phone) {
      const h = this.cipher.phoneHash(normalizePhone(q.phone)!);
      query = query.where((eb) => eb.or([eb('t.contact_phone_hash', '=', h), eb('t.caller_number_hash', '=', h)]));
    }
    if (q.from) query = query.where('t.accepted_at', '>=', new Date(q.from));
    if (q.to) query = query.where('t.accepted_at', '<', new Date(q.to));
    return query;
  }

  /**
   * 台账导出: how many rows the filter selects, then the rows newest first in keyset pages
   * (PGlite cannot stream a cursor), masked for the user like the detail view (full name and
   * phone only where `revealed`, 保密 withheld). The export is audited with its filter.
   */
  async exportLedger(user: TicketUser, q: FilterQuery, ip: string | null): Promise<{ count: number; pages: AsyncGenerator<LedgerRow[]> }> {
    const ctx = await this.context(user);
    const now = this.clock();
    const counted = await this.filtered(ctx, q, now).clearSelect().select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    const count = Number(counted.n);
    if (count > MAX_EXPORT_ROWS) throw badInput('filter', `符合条件的工单有 ${count} 张，超过单次导出上限 ${MAX_EXPORT_ROWS}，请缩小范围`);
    await recordAudit(this.db, { actorId: user.userId, actorName: user.displayName, action: 'tickets.export', targetType: 'ticket', ip, detail: { filter: q, count } });
    const self = this;
    async function* pages(): AsyncGenerator<LedgerRow[]> {
      let cursor: [Date, string] | null = null;
      for (;;) {
        let query = self.filtered(ctx, q, now);
        if (cursor) query = query.where(sql<boolean>`(t.accepted_at, t.id) < (${cursor[0]}::timestamptz, ${cursor[1]}::uuid)`);
        const rows = (await query.orderBy('t.accepted_at', 'desc').orderBy('t.id', 'desc').limit(EXPORT_PAGE).execute()) as unknown as (TicketRow & { lead_unit_name: string | null })[];
        if (!rows.length) return;
        yield rows.map((r) => self.ledgerRow(r, ctx, now));
        if (rows.length < EXPORT_PAGE) return;
        const last = rows[rows.length - 1]!;
        cursor = [last.accepted_at, last.id];
      }
    }
    return { count, pages: pages() };
  }

  private ledgerRow(row: TicketRow & { lead_unit_name: string | null }, ctx: Ctx, now: Date): LedgerRow {
    const s = this.summary(row, ctx, now);
    const withheld = row.confidential && !ctx.perms.has('tickets:confidential');
    const revealed = !withheld && this.revealed(row, ctx);
    return {
      ...s,
      citizenName: withheld ? '保密' : row.anonymous ? '匿名' : revealed ? row.citizen_name : s.citizenName,
      contactPhone: withheld ? null : revealed && row.contact_phone_enc ? this.cipher.decrypt('contact_phone', row.contact_phone_enc) : row.contact_phone_masked,
      content: row.content,
      location: row.location,
      result: row.result,
      closedAt: row.closed_at,
      satisfaction: row.satisfaction,
    };
  }

  /** Screen pop: the caller's tickets (as contact or as the calling number), open ones first. */
  async byCaller(user: TicketUser, number: string, limit: number): Promise<TicketSummary[]> {
    const ctx = await this.context(user);
    const n = normalizePhone(number);
    if (!n) throw badInput('number', '电话号码格式不正确');
    const h = this.cipher.phoneHash(n);
    const rows = await this.scope(this.baseQuery(), ctx)
      .where((eb) => eb.or([eb('t.contact_phone_hash', '=', h), eb('t.caller_number_hash', '=', h)]))
      .orderBy(sql`t.status in ('registered','pending_dispatch','dispatched','return_review','signed','processing','suspended','replied')`, 'desc')
      .orderBy('t.accepted_at', 'desc')
      .limit(limit)
      .execute();
    const now = this.clock();
    return rows.map((r) => this.summary(r as never, ctx, now));
  }

  /**
   * 疑似重复 while registering: open tickets accepted in the last `days` from the same caller
   * (calling number or contact phone, by their lookup hash) or with similar title + content
   * (pg_trgm similarity, GIN-indexed), most similar first. Visibility rules apply.
   */
  async duplicates(user: TicketUser, input: DuplicateQuery): Promise<DuplicateCandidate[]> {
    const ctx = await this.context(user);
    const now = this.clock();
    const since = new Date(now.getTime() - input.days * 86_400_000);
    const hashes = [...new Set([input.callerNumber, input.phone].map((p) => (p ? normalizePhone(p) : null)).filter((p): p is string => !!p).map((p) => this.cipher.phoneHash(p)))];
    const text = [input.title, input.content].filter(Boolean).join(' ');
    const limit = 10;
    const open = (db: Db) => {
      let q = this.scope(baseQuery(db), ctx).where('t.status', 'in', OPEN).where('t.accepted_at', '>=', since);
      if (input.excludeId) q = q.where('t.id', '!=', input.excludeId);
      return q;
    };
    const sim = text ? sql<number>`similarity(${searchText}, ${text})` : sql<number>`0`;
    const byCaller = hashes.length
      ? await open(this.db).select(sim.as('sim'))
        .where((eb) => eb.or([eb('t.caller_number_hash', 'in', hashes), eb('t.contact_phone_hash', 'in', hashes)]))
        .orderBy('t.accepted_at', 'desc').limit(limit).execute()
      : [];
    // Short texts are similar to everything; ask only once the form says something.
    const similar = [...text].length >= 6
      ? await this.db.transaction().execute(async (tx) => {
        // The % operator (index-backed) uses this threshold; local to the transaction.
        await sql`select set_config('pg_trgm.similarity_threshold', ${String(DUPLICATE_SIMILARITY)}, true)`.execute(tx);
        return open(tx).select(sim.as('sim')).where(sql<boolean>`${searchText} % ${text}`).orderBy('sim', 'desc').limit(limit).execute();
      })
      : [];
    const callerIds = new Set(byCaller.map((r) => r.id));
    const out = new Map<string, DuplicateCandidate>();
    for (const r of [...byCaller, ...similar]) {
      const prior = out.get(r.id);
      const reasons = new Set(prior?.reasons ?? []);
      if (callerIds.has(r.id)) reasons.add('same_caller');
      if (Number(r.sim) >= DUPLICATE_SIMILARITY) reasons.add('similar_content');
      out.set(r.id, { ticket: this.summary(r as never, ctx, now), reasons: [...reasons], similarity: Math.round(Number(r.sim) * 1000) / 1000 });
    }
    return [...out.values()].sort((a, b) => b.similarity - a.similarity || b.ticket.acceptedAt.localeCompare(a.ticket.acceptedAt));
  }

  async detail(user: TicketUser, id: string): Promise<TicketDetail> {
    return this.detailFor(await this.context(user), id);
  }

  private async detailFor(ctx: Ctx, id: string): Promise<TicketDetail> {
    const row = (await this.baseQuery().where('t.id', '=', id).executeTakeFirst()) as DetailRow | undefined;
    if (!row || !this.visible(row, ctx)) throw new AppError('NOT_FOUND', `No ticket ${id}`);
    const [events, coUnits, ext] = await Promise.all([
      this.db.selectFrom('ticket_event as e').leftJoin('handling_unit as u', 'u.id', 'e.unit_id').selectAll('e').select('u.name as unit_name')
        .where('e.ticket_id', '=', id).orderBy('e.seq').execute(),
      row.co_unit_ids.length ? this.db.selectFrom('handling_unit').select(['id', 'name']).where('id', 'in', row.co_unit_ids).execute() : Promise.resolve([]),
      this.db.selectFrom('ticket_12315').selectAll().where('ticket_id', '=', id).executeTakeFirst(),
    ]);
    return this.composeDetail(ctx, row, events, coUnits, ext);
  }

  /** The detail view from rows already read (or just written). */
  private composeDetail(
    ctx: Ctx, row: DetailRow, events: (Selectable<Database['ticket_event']> & { unit_name: string | null })[],
    coUnits: { id: string; name: string }[], ext: Selectable<Database['ticket_12315']> | undefined,
  ): TicketDetail {
    const revealed = this.revealed(row, ctx);
    const withheld = row.confidential && !ctx.perms.has('tickets:confidential');
    const dec = (col: 'contact_phone' | 'caller_number' | 'id_number', v: string | null) => (v ? this.cipher.decrypt(col, v) : null);
    const phone = dec('contact_phone', row.contact_phone_enc);
    const idNumber = dec('id_number', row.id_number_enc);
    const caller = dec('caller_number', row.caller_number_enc);
    const timeline: TicketEvent[] = events.map((e) => ({
      seq: e.seq,
      at: e.at.toISOString(),
      action: e.action,
      actorId: e.actor_id,
      actorName: e.actor_name,
      unitId: e.unit_id,
      unitName: e.unit_name,
      fromStatus: e.from_status as TicketStatus | null,
      toStatus: e.to_status as TicketStatus,
      opinion: e.opinion,
      attachments: e.attachments as TicketEvent['attachments'],
      detail: e.detail,
    }));
    return {
      ...this.summary(row, ctx, this.clock()),
      content: row.content,
      location: row.location,
      citizen: {
        name: withheld ? '保密' : revealed ? row.citizen_name : maskName(row.citizen_name),
        phone: withheld ? null : revealed ? phone : maskPhone(phone),
        idNumber: ctx.perms.has('tickets:confidential') || (revealed && !row.confidential && ctx.perms.has('tickets:register')) ? idNumber : maskIdNumber(idNumber),
        anonymous: row.anonymous,
        revealed,
      },
      callerNumber: withheld ? null : revealed ? caller : maskPhone(caller),
      callId: row.call_id,
      recordingId: row.recording_id,
      agentId: row.agent_id,
      attachments: row.attachments as TicketDetail['attachments'],
      coUnits: row.co_unit_ids.map((cid) => ({ id: cid, name: coUnits.find((u) => u.id === cid)?.name ?? cid })),
      dispatchedAt: iso(row.dispatched_at),
      signDueAt: iso(row.sign_due_at),
      signedAt: iso(row.signed_at),
      pendingRequest: row.pending_request,
      returnReason: row.return_reason,
      extensionCount: row.extension_count,
      commitmentUntil: row.commitment_until_text,
      result: row.result,
      resolved: row.resolved,
      directAnswer: row.direct_answer,
      closedAt: iso(row.closed_at),
      handlerName: row.handler_name,
      revisitAt: iso(row.revisit_at),
      satisfaction: row.satisfaction as TicketDetail['satisfaction'],
      unsatisfiedReason: row.unsatisfied_reason,
      upstreamNo: row.upstream_no,
      relatedTicketId: row.related_ticket_id,
      relation: row.relation as TicketDetail['relation'],
      mergedIntoId: row.merged_into_id,
      syncState: row.sync_state,
      ext12315: ext
        ? {
            businessType: ext.business_type as '01' | '02' | '03',
            provider: ext.provider as never,
            business: ext.business as never,
            product: ext.product as never,
            issueCategory: ext.issue_category ?? undefined,
            violationCodes: ext.violation_codes,
            mediation: (ext.mediation ?? undefined) as never,
            caseNo: ext.case_no ?? undefined,
          }
        : null,
      timeline,
      allowedActions: allowedCommands(snapshotOf(row), this.actorOf(ctx)),
    };
  }

  // ── registration ─────────────────────────────────────────────────────────

  private async checkRefs(db: Db | Tx, v: { appealType?: string | undefined; categoryCode?: string | undefined; regionCode?: string | undefined }): Promise<void> {
    if (v.appealType && !(await db.selectFrom('appeal_type').select('code').where('code', '=', v.appealType).where('active', '=', true).executeTakeFirst())) {
      throw badInput('appealType', `诉求类型 ${v.appealType} 不存在或已停用`);
    }
    if (v.categoryCode && !(await db.selectFrom('ticket_category').select('code').where('code', '=', v.categoryCode).where('active', '=', true).executeTakeFirst())) {
      throw badInput('categoryCode', `分类 ${v.categoryCode} 不存在或已停用`);
    }
    if (v.regionCode && !(await db.selectFrom('region').select('code').where('code', '=', v.regionCode).where('active', '=', true).executeTakeFirst())) {
      throw badInput('regionCode', `行政区划 ${v.regionCode} 不存在或已停用`);
    }
  }

  /**
   * The next `n` numbers of the (China) day. The upsert's row lock serialises concurrent
   * allocations, so it runs as its own statement before the registration's transaction
   * (the lock lasts one statement, not the whole write), once per batch. A registration that
   * then fails leaves a gap in the day's numbers, never a duplicate.
   */
  private async nextTicketNos(db: Db, now: Date, n: number): Promise<string[]> {
    const day = chinaDate(now);
    const row = await db
      .insertInto('ticket_number_seq')
      .values({ day, last: n })
      .onConflict((oc) => oc.column('day').doUpdateSet({ last: sql`ticket_number_seq.last + ${n}` }))
      .returning('last')
      .executeTakeFirstOrThrow();
    const first = row.last - n + 1;
    return Array.from({ length: n }, (_, k) => `12345-${day.replaceAll('-', '')}-${String(first + k).padStart(5, '0')}`);
  }

  private readonly registrations = new RegistrationBatcher<PendingRegistration, Registered>((items) => this.registerBatch(items));

  /**
   * Registers a ticket, idempotent on the client id. Concurrent registrations are written
   * together (registration-batcher.ts): one validation read and one multi-row write per batch.
   */
  register(user: TicketUser, input: RegisterInput): Promise<Registered> {
    return this.registrations.submit({ user, input });
  }

  /**
   * A batch of registrations: the same checks, in the same order, and the same rows as
   * `registerOne`, in a handful of statements for the whole batch. Anything unexpected (a
   * code deactivated between the check and the write, a change hook's refusal, a failed
   * 直接答复) fails the whole write; then each registration is retried alone, so only the
   * registration at fault gets the error.
   */
  private async registerBatch(items: PendingRegistration[]): Promise<ItemResult<Registered>[]> {
    try {
      return await this.registerMany(items);
    } catch (err) {
      if (items.length > 1) this.log.error({ err, batch: items.length }, 'ticket registration batch failed; registering one at a time');
      return Promise.all(items.map(async ({ user, input }): Promise<ItemResult<Registered>> => {
        try {
          return { ok: true, value: await this.registerOne(user, input) };
        } catch (error) {
          return { ok: false, error };
        }
      }));
    }
  }

  private async registerMany(items: PendingRegistration[]): Promise<ItemResult<Registered>[]> {
    const arr = (xs: (string | null | undefined)[], type: 'uuid' | 'text') => sql`${sql.val(xs.map((x) => x ?? null))}::${sql.raw(type)}[]`;
    // Per item: the user's units, a ticket already holding the client id, and whether its codes exist.
    const checked = sql<{ i: number; unit_ids: string[]; existing_id: string | null; existing_agent: string | null; appeal_ok: boolean; category_ok: boolean; region_ok: boolean; related_ok: boolean }>`
      select x.i::int as i,
             coalesce((select array_agg(m.unit_id) from handling_unit_member m where m.user_id = x.user_id), '{}') as unit_ids,
             e.id as existing_id, e.agent_id as existing_agent,
             (x.appeal is null or exists (select 1 from appeal_type a where a.code = x.appeal and a.active)) as appeal_ok,
             (x.category is null or exists (select 1 from ticket_category c where c.code = x.category and c.active)) as category_ok,
             (x.region is null or exists (select 1 from region r where r.code = x.region and r.active)) as region_ok,
             (x.related is null or exists (select 1 from ticket rt where rt.id = x.related)) as related_ok
      from unnest(${arr(items.map((it) => it.user.userId), 'uuid')}, ${arr(items.map((it) => it.input.clientId), 'uuid')},
                  ${arr(items.map((it) => it.input.appealType || null), 'text')}, ${arr(items.map((it) => it.input.categoryCode || null), 'text')},
                  ${arr(items.map((it) => it.input.regionCode || null), 'text')}, ${arr(items.map((it) => it.input.relatedTicketId || null), 'uuid')})
             with ordinality as x(user_id, client_id, appeal, category, region, related, i)
      left join ticket e on e.client_id = x.client_id`;
    const [checks, chooseSla, cal] = await Promise.all([checked.execute(this.db), this.refdata.slaChooser(this.db), this.refdata.calendar(this.db)]);
    const byIndex = new Map(checks.rows.map((r) => [Number(r.i) - 1, r]));
    const now = this.clock();

    type Outcome = { kind: 'error'; error: unknown } | { kind: 'replay'; ctx: Ctx; existing: { id: string; agent_id: string | null } } | { kind: 'insert'; ctx: Ctx } | { kind: 'same_batch'; ctx: Ctx };
    const firstOfClient = new Map<string, number>();
    const outcomes: Outcome[] = items.map(({ user, input }, i): Outcome => {
      const c = byIndex.get(i);
      if (!c) return { kind: 'error', error: new Error('registration check returned no row') };
      const ctx = contextOf(user, c.unit_ids);
      if (c.existing_id) return { kind: 'replay', ctx, existing: { id: c.existing_id, agent_id: c.existing_agent } };
      if (!c.appeal_ok) return { kind: 'error', error: badInput('appealType', `诉求类型 ${input.appealType} 不存在或已停用`) };
      if (!c.category_ok) return { kind: 'error', error: badInput('categoryCode', `分类 ${input.categoryCode} 不存在或已停用`) };
      if (!c.region_ok) return { kind: 'error', error: badInput('regionCode', `行政区划 ${input.regionCode} 不存在或已停用`) };
      const stored = input.attachments.findIndex((a) => a.ref.startsWith(ATTACHMENT_REF_PREFIX));
      // Stored files are uploaded to a ticket, so none can belong to one not registered yet.
      if (stored >= 0) return { kind: 'error', error: badInput(`attachments.${stored}.ref`, '附件须在工单登记后上传（办理进展或答复中添加）') };
      if (!c.related_ok) return { kind: 'error', error: badInput('relatedTicketId', '关联工单不存在') };
      // A double submit inside one batch: the first registers, the second replays it.
      if (firstOfClient.has(input.clientId)) return { kind: 'same_batch', ctx };
      firstOfClient.set(input.clientId, i);
      return { kind: 'insert', ctx };
    });

    const toInsert = outcomes.flatMap((o, i) => (o.kind === 'insert' ? [i] : []));
    const inserted = new Map<number, { row: TicketRow; event: Selectable<Database['ticket_event']>; ext: Selectable<Database['ticket_12315']> | undefined; applied: boolean }>();
    if (toInsert.length) {
      const numbers = await this.nextTicketNos(this.db, now, toInsert.length);
      const values = toInsert.map((i, k) => this.ticketValues(items[i]!.user, items[i]!.input, numbers[k]!, now, chooseSla, cal));
      await this.db.transaction().execute(async (tx) => {
        // A submission committed by another batch since the check: skipped here, replayed below.
        const rows = (await tx.insertInto('ticket').values(values).onConflict((oc) => oc.column('client_id').doNothing()).returningAll().execute()) as TicketRow[];
        const rowOf = new Map(rows.map((r) => [r.client_id, r]));
        const exts = toInsert.flatMap((i) => {
          const e = items[i]!.input.ext12315;
          const row = rowOf.get(items[i]!.input.clientId);
          return e && row ? [{
            ticket_id: row.id, business_type: e.businessType, provider: JSON.stringify(e.provider), business: JSON.stringify(e.business),
            product: JSON.stringify(e.product), issue_category: e.issueCategory ?? null, violation_codes: e.violationCodes,
            mediation: e.mediation ? JSON.stringify(e.mediation) : null, case_no: e.caseNo ?? null,
          }] : [];
        });
        const extRows = exts.length ? await tx.insertInto('ticket_12315').values(exts).returningAll().execute() : [];
        const registered = toInsert.flatMap((i) => {
          const row = rowOf.get(items[i]!.input.clientId);
          return row ? [{ i, row }] : [];
        });
        if (!registered.length) return;
        const events = await tx.insertInto('ticket_event').values(registered.map(({ i, row }) => {
          const input = items[i]!.input;
          const ctx = (outcomes[i] as { ctx: Ctx }).ctx;
          return {
            ticket_id: row.id, seq: 1, at: now, actor_id: ctx.user.userId, actor_name: ctx.user.displayName, unit_id: null, action: 'register',
            from_status: null, to_status: 'registered', opinion: null, attachments: JSON.stringify(input.attachments),
            detail: JSON.stringify(this.registerDetail(input, row)),
          };
        })).returningAll().execute();
        for (const { i, row } of registered) {
          const input = items[i]!.input;
          const ctx = (outcomes[i] as { ctx: Ctx }).ctx;
          const event = events.find((e) => e.ticket_id === row.id)!;
          // Province gateway (issue 6): the outbox entry commits with the registration.
          for (const hook of this.changeHooks) {
            await hook(tx, { ticketId: row.id, seq: 1, action: 'register', fromStatus: null, toStatus: 'registered', at: now, opinion: null, detail: event.detail as Record<string, unknown> });
          }
          if (input.answerDirectly) await this.apply(tx, row, { type: 'answer_directly', result: input.answerDirectly.result }, ctx, now);
          else if (input.forDispatch) await this.apply(tx, row, { type: 'classify' }, ctx, now);
          inserted.set(i, { row, event, ext: extRows.find((x) => x.ticket_id === row.id), applied: !!input.answerDirectly || input.forDispatch || this.changeHooks.length > 0 });
        }
      });
    }

    // After commit: answers, each on its own (a failed read fails one registration only).
    return Promise.all(outcomes.map(async (o, i): Promise<ItemResult<Registered>> => {
      try {
        if (o.kind === 'error') return { ok: false, error: o.error };
        if (o.kind === 'replay') return { ok: true, value: await this.replayed(o.ctx, o.existing) };
        const done = inserted.get(i);
        if (!done) {
          // Another registration took the client id (this batch's first, or one committed meanwhile).
          const again = await this.db.selectFrom('ticket').select(['id', 'agent_id']).where('client_id', '=', items[i]!.input.clientId).executeTakeFirstOrThrow();
          return { ok: true, value: await this.replayed(o.ctx, again) };
        }
        // 直接答复/转派单 and change hooks (the province outbox marks the ticket 待同步) changed the row written: read it again.
        if (done.applied) return { ok: true, value: { ticket: await this.detailFor(o.ctx, done.row.id), created: true } };
        const row: DetailRow = { ...done.row, lead_unit_name: null, commitment_until_text: null };
        if (!this.visible(row, o.ctx)) throw new AppError('NOT_FOUND', `No ticket ${row.id}`);
        return { ok: true, value: { ticket: this.composeDetail(o.ctx, row, [{ ...done.event, unit_name: null }], [], done.ext), created: true } };
      } catch (error) {
        return { ok: false, error };
      }
    }));
  }

  /** The register event's detail. */
  private registerDetail(input: RegisterInput, row: { due_at: Date | null }): Record<string, unknown> {
    return { channel: input.channel, ...(input.callId ? { callId: input.callId } : {}), dueAt: row.due_at?.toISOString() };
  }

  /** The new ticket's row, as registration stores it. */
  private ticketValues(user: TicketUser, input: RegisterInput, ticketNo: string, now: Date, chooseSla: (k: SlaKey) => AppliedSla, cal: WorkCalendar) {
    const phone = input.citizen.phone ? normalizePhone(input.citizen.phone) : input.callerNumber ? normalizePhone(input.callerNumber) : null;
    const caller = input.callerNumber ? normalizePhone(input.callerNumber) : null;
    const idNumber = input.citizen.idNumber ? normalizeIdNumber(input.citizen.idNumber) : null;
    const sla = chooseSla({ appealType: input.appealType, urgency: input.urgency, channel: input.channel });
    return {
      ticket_no: ticketNo,
      client_id: input.clientId,
      upstream_no: input.upstreamNo ?? null,
      upstream_platform: input.upstreamPlatform,
      related_ticket_id: input.relatedTicketId ?? null,
      relation: input.relation ?? null,
      channel: input.channel,
      accepted_at: now,
      agent_id: user.userId,
      caller_number_enc: caller ? this.cipher.encrypt('caller_number', caller) : null,
      caller_number_hash: caller ? this.cipher.phoneHash(caller) : null,
      call_id: input.callId ?? null,
      recording_id: input.recordingId ?? null,
      citizen_name: input.citizen.name || null,
      contact_phone_enc: phone ? this.cipher.encrypt('contact_phone', phone) : null,
      contact_phone_hash: phone ? this.cipher.phoneHash(phone) : null,
      contact_phone_masked: maskPhone(phone),
      id_number_enc: idNumber ? this.cipher.encrypt('id_number', idNumber) : null,
      confidential: input.citizen.confidential,
      anonymous: input.citizen.anonymous,
      title: input.title,
      content: input.content,
      appeal_type: input.appealType,
      category_code: input.categoryCode ?? null,
      region_code: input.regionCode ?? null,
      location: input.location ?? null,
      urgency: input.urgency,
      attachments: JSON.stringify(input.attachments),
      status: 'registered',
      sla_rule_id: sla.ruleId,
      sla_terms: JSON.stringify(sla.terms),
      due_at: computeDue(now, sla.terms, cal),
      warn_hours: sla.terms.warnHours,
      sync_state: input.upstreamPlatform === 'local' ? 'not_required' as const : 'pending' as const,
      updated_at: now,
    };
  }

  /** One registration on its own (a batch that failed is retried this way, item by item). */
  private async registerOne(user: TicketUser, input: RegisterInput): Promise<Registered> {
    const ctx = await this.context(user);
    const existing = await this.db.selectFrom('ticket').select(['id', 'agent_id']).where('client_id', '=', input.clientId).executeTakeFirst();
    if (existing) return this.replayed(ctx, existing);
    await this.checkRefs(this.db, input);
    // Stored files are uploaded to a ticket, so none can belong to one not registered yet.
    input.attachments.forEach((a, i) => {
      if (a.ref.startsWith(ATTACHMENT_REF_PREFIX)) throw badInput(`attachments.${i}.ref`, '附件须在工单登记后上传（办理进展或答复中添加）');
    });
    if (input.relatedTicketId && !(await this.db.selectFrom('ticket').select('id').where('id', '=', input.relatedTicketId).executeTakeFirst())) {
      throw badInput('relatedTicketId', '关联工单不存在');
    }
    const now = this.clock();
    let id: string;
    const [ticketNo] = await this.nextTicketNos(this.db, now, 1);
    try {
      id = await this.db.transaction().execute(async (tx) => {
        const [chooseSla, cal] = await Promise.all([this.refdata.slaChooser(tx), this.refdata.calendar(tx)]);
        const row = await tx
          .insertInto('ticket')
          .values(this.ticketValues(user, input, ticketNo!, now, chooseSla, cal))
          .returningAll()
          .executeTakeFirstOrThrow();
        if (input.ext12315) {
          const e = input.ext12315;
          await tx.insertInto('ticket_12315').values({
            ticket_id: row.id, business_type: e.businessType, provider: JSON.stringify(e.provider), business: JSON.stringify(e.business),
            product: JSON.stringify(e.product), issue_category: e.issueCategory ?? null, violation_codes: e.violationCodes,
            mediation: e.mediation ? JSON.stringify(e.mediation) : null, case_no: e.caseNo ?? null,
          }).execute();
        }
        await this.insertEvent(tx, row.id, 1, now, ctx, null, 'register', null, 'registered', null, input.attachments, this.registerDetail(input, row));
        if (input.answerDirectly) await this.apply(tx, row as TicketRow, { type: 'answer_directly', result: input.answerDirectly.result }, ctx, now);
        else if (input.forDispatch) await this.apply(tx, row as TicketRow, { type: 'classify' }, ctx, now);
        return row.id;
      });
    } catch (err) {
      // The same submission raced itself (double click, retry while the first was in flight).
      if (uniqueViolation(err)?.includes('client_id')) {
        const again = await this.db.selectFrom('ticket').select(['id', 'agent_id']).where('client_id', '=', input.clientId).executeTakeFirstOrThrow();
        return this.replayed(ctx, again);
      }
      throw err;
    }
    return { ticket: await this.detailFor(ctx, id), created: true };
  }

  private async replayed(ctx: Ctx, existing: { id: string; agent_id: string | null }) {
    if (existing.agent_id !== ctx.user.userId) throw new AppError('CONFLICT', 'clientId 已被其他用户的工单使用');
    return { ticket: await this.detailFor(ctx, existing.id), created: false };
  }

  // ── workflow ─────────────────────────────────────────────────────────────

  async act(user: TicketUser, id: string, version: number, command: CommandInput): Promise<TicketDetail> {
    const ctx = await this.context(user);
    let before: TicketRow;
    try {
      before = await this.db.transaction().execute(async (tx) => {
        // 并单 changes two tickets: their locks are taken in id order, the order the province
        // dispatcher takes tickets in, so the two never wait for each other in a cycle.
        if (command.type === 'merge' && command.intoTicketId !== id) {
          await sql`select id from ticket where id = any(${[id, command.intoTicketId]}::uuid[]) order by id for no key update`.execute(tx);
        }
        const row = (await tx.selectFrom('ticket').selectAll().where('id', '=', id).executeTakeFirst()) as TicketRow | undefined;
        if (!row) throw new AppError('NOT_FOUND', `No ticket ${id}`);
        // Stale first: a unit whose ticket was just withdrawn learns it lost a race, not "no such ticket".
        if (row.version !== version) throw new StaleVersion();
        if (!this.visible(row, ctx)) throw new AppError('NOT_FOUND', `No ticket ${id}`);
        await this.apply(tx, row, command, ctx, this.clock());
        return row;
      });
    } catch (err) {
      if (err instanceof StaleVersion) {
        const current = await this.detailFor(ctx, id).catch((e: unknown) => {
          if (e instanceof AppError && e.code === 'NOT_FOUND') return null;
          throw e;
        });
        if (!current) throw new AppError('CONFLICT', '工单已被他人更新，您已不再经办此工单');
        throw new AppError('CONFLICT', `工单已被他人更新（当前版本 ${current.version}，您提交的版本 ${version}），请查看最新内容后重试`, { current });
      }
      throw err;
    }
    const after = await this.detailFor(ctx, id);
    await this.announce(before, after, command.type, ctx).catch((err: unknown) => this.log.error({ err, ticketId: id }, 'ticket push failed'));
    return after;
  }

  /** After commit: tell the units holding the ticket (and the one it left) and its agent. */
  private async announce(before: TicketRow, after: TicketDetail, action: string, ctx: Ctx): Promise<void> {
    if (!this.notify) return;
    const unitIds = [...new Set([before.lead_unit_id, ...before.co_unit_ids, after.leadUnitId, ...after.coUnits.map((u) => u.id)].filter((u): u is string => !!u))];
    const members = unitIds.length ? await this.db.selectFrom('handling_unit_member').select('user_id').where('unit_id', 'in', unitIds).execute() : [];
    const to = [...new Set([...members.map((m) => m.user_id), ...(before.agent_id ? [before.agent_id] : [])])].filter((u) => u !== ctx.user.userId);
    if (to.length) {
      this.notify(to, { ticketId: after.id, ticketNo: after.ticketNo, title: after.title, action, status: after.status, by: ctx.user.displayName, at: this.clock().toISOString() });
    }
  }

  /** Validates a command's references and turns it into a workflow command. */
  private async resolve(tx: Tx, row: TicketRow, c: CommandInput, now: Date): Promise<TicketCommand> {
    switch (c.type) {
      case 'classify': {
        // A ticket keeps a code disabled after it was filed: only a changed code must be active.
        const same = (v: string | undefined, current: string | null) => (v === current ? undefined : v);
        await this.checkRefs(tx, { appealType: same(c.appealType, row.appeal_type), categoryCode: same(c.categoryCode, row.category_code), regionCode: same(c.regionCode, row.region_code) });
        return { type: 'classify' };
      }
      case 'dispatch': {
        let lead = c.leadUnitId;
        let co = c.coUnitIds;
        if (!lead) {
          const byRule = await this.refdata.dispatchFor(tx, { regionCode: row.region_code, categoryCode: row.category_code });
          if (!byRule) throw badInput('leadUnitId', '没有匹配的派单规则，请选择主办单位');
          lead = byRule.leadUnitId;
          co = [...new Set([...byRule.coUnitIds, ...co])].filter((u) => u !== lead);
        }
        const ids = [lead, ...co];
        const found = await tx.selectFrom('handling_unit').select('id').where('id', 'in', ids).where('active', '=', true).execute();
        const missing = ids.find((u) => !found.some((f) => f.id === u));
        if (missing) throw badInput(missing === lead ? 'leadUnitId' : 'coUnitIds', `单位 ${missing} 不存在或已停用`);
        if (co.includes(lead)) throw badInput('coUnitIds', '主办单位不能同时是协办单位');
        return { type: 'dispatch', leadUnitId: lead, coUnitIds: co, opinion: c.opinion };
      }
      case 'merge': {
        if (c.intoTicketId === row.id) throw badInput('intoTicketId', '不能并入自己');
        const target = await tx.selectFrom('ticket').select(['status']).where('id', '=', c.intoTicketId).executeTakeFirst();
        if (!target) throw badInput('intoTicketId', '目标工单不存在');
        if (['merged', 'invalid'].includes(target.status)) throw badInput('intoTicketId', '目标工单已并单或无效');
        return c;
      }
      case 'request_commitment':
        if (c.until < chinaDate(now)) throw badInput('until', '承诺办结日期不能早于今天');
        return c;
      case 'revisit':
        if (c.satisfaction === 'unsatisfied' && !c.reason) throw badInput('reason', '不满意须填写原因');
        return { type: 'revisit', satisfaction: c.satisfaction, reason: c.reason, reopen: c.reopen };
      case 'note':
        return { type: 'note', text: c.text };
      case 'reply':
        return { type: 'reply', result: c.result };
      default:
        return c;
    }
  }

  /** Applies one command to a locked-by-version row: the update, side records and one event. */
  private async apply(tx: Tx, row: TicketRow, input: CommandInput, ctx: Ctx, now: Date): Promise<void> {
    const command = await this.resolve(tx, row, input, now);
    const r = decide(snapshotOf(row), command, this.actorOf(ctx));
    if (!r.ok) throw new AppError(r.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'CONFLICT', r.message);
    const next = r.next;
    const patch: Partial<Record<keyof Database['ticket'], unknown>> = {};
    const detail: Record<string, unknown> = {};
    let opinion: string | null = null;
    let attachments: unknown[] = [];
    // The unit an actor speaks for: the lead unit if theirs, else one of their co-units.
    const unitId = row.lead_unit_id && ctx.unitIds.includes(row.lead_unit_id) ? row.lead_unit_id : row.co_unit_ids.find((u) => ctx.unitIds.includes(u)) ?? null;
    const cal = async () => this.refdata.calendar(tx);
    const terms = row.sla_terms ?? (await this.refdata.slaFor(tx, { appealType: row.appeal_type, urgency: row.urgency, channel: row.channel })).terms;
    const signHours = (terms as { signHours?: number }).signHours ?? 24;

    switch (input.type) {
      case 'answer_directly':
        Object.assign(patch, { result: input.result, direct_answer: true, resolved: true, closed_at: now });
        opinion = input.result;
        break;
      case 'classify': {
        const changed = { appeal_type: input.appealType, category_code: input.categoryCode, region_code: input.regionCode, urgency: input.urgency };
        for (const [k, v] of Object.entries(changed)) if (v !== undefined) (patch as Record<string, unknown>)[k] = v;
        if (input.appealType || input.urgency) {
          // The time limit follows the classification; it still counts from receipt.
          const sla = await this.refdata.slaFor(tx, { appealType: input.appealType ?? row.appeal_type, urgency: input.urgency ?? row.urgency, channel: row.channel });
          Object.assign(patch, { sla_rule_id: sla.ruleId, sla_terms: JSON.stringify(sla.terms), warn_hours: sla.terms.warnHours, due_at: computeDue(row.accepted_at, sla.terms, await cal()) });
          detail.dueAt = (patch.due_at as Date).toISOString();
        }
        Object.assign(detail, Object.fromEntries(Object.entries(changed).filter(([, v]) => v !== undefined)));
        break;
      }
      case 'invalidate':
        Object.assign(patch, { closed_at: now });
        opinion = input.reason;
        break;
      case 'merge':
        Object.assign(patch, { merged_into_id: input.intoTicketId, related_ticket_id: input.intoTicketId, relation: 'merged', closed_at: now });
        detail.intoTicketId = input.intoTicketId;
        await this.touchRelated(tx, input.intoTicketId, now, ctx, 'merged_in', { ticketId: row.id, ticketNo: row.ticket_no });
        break;
      case 'dispatch':
        Object.assign(patch, { dispatched_at: now, signed_at: null, sign_due_at: new Date(now.getTime() + signHours * 3600_000) });
        Object.assign(detail, { leadUnitId: next.leadUnitId, coUnitIds: next.coUnitIds, byRule: !input.leadUnitId });
        opinion = input.opinion ?? null;
        break;
      case 'sign':
        patch.signed_at = now;
        break;
      case 'request_return':
        await tx.insertInto('ticket_request').values({ ticket_id: row.id, kind: 'return', unit_id: unitId, requested_by: ctx.user.userId, requested_at: now, reason: input.reason }).execute();
        opinion = input.reason;
        break;
      case 'review_return':
        await this.decideRequest(tx, row.id, input.approve, input.opinion, ctx, now);
        if (input.approve) Object.assign(patch, { dispatched_at: null, sign_due_at: null, signed_at: null });
        detail.approve = input.approve;
        opinion = input.opinion;
        break;
      case 'start':
        break;
      case 'note':
        opinion = input.text;
        attachments = await this.storedAttachments(tx, row.id, input.attachments);
        break;
      case 'request_extension':
        await tx.insertInto('ticket_request').values({ ticket_id: row.id, kind: 'extension', unit_id: unitId, requested_by: ctx.user.userId, requested_at: now, reason: input.reason, working_days: input.workingDays }).execute();
        detail.workingDays = input.workingDays;
        opinion = input.reason;
        break;
      case 'request_commitment':
        await tx.insertInto('ticket_request').values({ ticket_id: row.id, kind: 'commitment', unit_id: unitId, requested_by: ctx.user.userId, requested_at: now, reason: input.reason, until: input.until }).execute();
        detail.until = input.until;
        opinion = input.reason;
        break;
      case 'review_request': {
        const pending = row.pending_request!;
        await this.decideRequest(tx, row.id, input.approve, input.opinion, ctx, now);
        if (input.approve && pending.kind === 'extension') {
          const due = extendDue(row.due_at ?? now, pending.workingDays, await cal());
          patch.due_at = due;
          Object.assign(detail, { dueAt: due.toISOString(), workingDays: pending.workingDays });
        }
        if (input.approve && pending.kind === 'commitment') {
          const due = endOfChinaDay(pending.until);
          Object.assign(patch, { commitment_until: pending.until, due_at: due });
          Object.assign(detail, { dueAt: due.toISOString(), until: pending.until });
        }
        Object.assign(detail, { approve: input.approve, kind: pending.kind });
        opinion = input.opinion;
        break;
      }
      case 'resume':
        break;
      case 'reply':
        if (row.pending_request) await this.cancelRequests(tx, row.id, now);
        Object.assign(patch, {
          result: input.result, resolved: input.resolved, reply_mode: input.replyMode ?? null, handler_name: input.handlerName ?? ctx.user.displayName,
          handler_phone: input.handlerPhone ? normalizePhone(input.handlerPhone) : null,
        });
        opinion = input.result;
        attachments = await this.storedAttachments(tx, row.id, input.attachments);
        break;
      case 'audit':
        if (input.pass) patch.closed_at = now;
        detail.pass = input.pass;
        opinion = input.opinion;
        break;
      case 'revisit':
        Object.assign(patch, { revisit_at: now, revisit_mode: input.mode ?? null, satisfaction: input.satisfaction, unsatisfied_reason: input.reason ?? null });
        if (input.reopen) {
          // 重办: a fresh time limit from now under the ticket's terms.
          Object.assign(patch, { closed_at: null, due_at: computeDue(now, terms, await cal()), commitment_until: null, signed_at: next.leadUnitId ? row.signed_at : null });
          detail.dueAt = (patch.due_at as Date).toISOString();
        }
        Object.assign(detail, { satisfaction: input.satisfaction, reopen: input.reopen });
        opinion = input.reason ?? null;
        break;
      case 'withdraw':
        await this.cancelRequests(tx, row.id, now);
        Object.assign(patch, { dispatched_at: null, sign_due_at: null, signed_at: null });
        detail.fromUnitId = row.lead_unit_id;
        opinion = input.reason;
        break;
      case 'urge':
      case 'supervise': {
        const overdue = !!row.due_at && row.due_at < now;
        await tx.insertInto('ticket_supervision').values({
          ticket_id: row.id, kind: input.type, at: now, actor_id: ctx.user.userId, actor_name: ctx.user.displayName, unit_id: row.lead_unit_id, opinion: input.opinion, overdue,
        }).execute();
        Object.assign(detail, { unitId: row.lead_unit_id, overdue });
        opinion = input.opinion;
        break;
      }
      default: {
        const never: never = input;
        throw new Error(`unhandled ${JSON.stringify(never)}`);
      }
    }

    const version = row.version + 1;
    const updated = await tx
      .updateTable('ticket')
      .set({
        ...(patch as object),
        status: next.status,
        lead_unit_id: next.leadUnitId,
        co_unit_ids: next.coUnitIds,
        pending_request: next.pending ? JSON.stringify(next.pending) : null,
        return_reason: next.returnReason,
        reopen_count: next.reopenCount,
        urge_count: next.urgeCount,
        supervised: next.supervised,
        extension_count: next.extensionCount,
        ...(row.upstream_platform !== 'local' ? { sync_state: 'pending' as const } : {}),
        version,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('version', '=', row.version)
      .executeTakeFirst();
    if (!updated.numUpdatedRows) throw new StaleVersion();
    await this.insertEvent(tx, row.id, version, now, ctx, unitId, input.type, row.status, next.status, opinion, attachments, detail);
  }

  /** A change caused on another ticket (merge target): its own version bump and event. */
  private async touchRelated(tx: Tx, id: string, now: Date, ctx: Ctx, action: string, detail: Record<string, unknown>): Promise<void> {
    const t = await tx.updateTable('ticket').set({ version: sql`version + 1`, updated_at: now }).where('id', '=', id).returning(['version', 'status']).executeTakeFirstOrThrow();
    await this.insertEvent(tx, id, t.version, now, ctx, null, action, t.status, t.status, null, [], detail);
  }

  private async decideRequest(tx: Tx, ticketId: string, approve: boolean, opinion: string, ctx: Ctx, now: Date): Promise<void> {
    await tx.updateTable('ticket_request')
      .set({ decision: approve ? 'approved' : 'rejected', reviewed_by: ctx.user.userId, reviewed_at: now, opinion })
      .where('ticket_id', '=', ticketId).where('decision', '=', 'pending').execute();
  }

  private async cancelRequests(tx: Tx, ticketId: string, now: Date): Promise<void> {
    await tx.updateTable('ticket_request').set({ decision: 'cancelled', reviewed_at: now }).where('ticket_id', '=', ticketId).where('decision', '=', 'pending').execute();
  }

  /**
   * An event's attachments as stored: refs to files this server keeps (attachment:<id>) must
   * be files of this ticket, and their name, type, size and checksum are taken from the row,
   * not from the request; other refs (a document system's URLs) pass as given.
   */
  private async storedAttachments(tx: Tx, ticketId: string, list: Attachment[]): Promise<Attachment[]> {
    const ids = list.map((a, i) => {
      const ref = parseAttachmentRef(a.ref);
      if (ref.id === null && ref.malformed) throw badInput(`attachments.${i}.ref`, '附件引用格式不正确');
      return ref.id;
    });
    const wanted = ids.filter((id): id is string => id !== null);
    if (!wanted.length) return list;
    // FOR SHARE: the sweep of unreferenced uploads skips (or has already removed) these rows until this event commits.
    const rows = await tx.selectFrom('ticket_attachment').select(['id', 'name', 'mime', 'size', 'sha256'])
      .where('id', 'in', wanted).where('ticket_id', '=', ticketId).forShare().execute();
    return list.map((a, i) => {
      const id = ids[i];
      if (!id) return a;
      const row = rows.find((r) => r.id === id);
      if (!row) throw badInput(`attachments.${i}.ref`, `附件 ${a.name} 不属于本工单`);
      return { name: row.name, ref: attachmentRef(row.id), mimeType: row.mime, size: row.size, sha256: row.sha256 };
    });
  }

  /**
   * For attachments: throws 404 unless the user sees the ticket (the detail view's rule) and,
   * to add a file, 403 unless they may now write a progress note or a reply on it.
   */
  async assertAttachmentAccess(user: TicketUser, id: string, contribute: boolean): Promise<void> {
    const ctx = await this.context(user);
    const row = (await this.db.selectFrom('ticket').selectAll().where('id', '=', id).executeTakeFirst()) as TicketRow | undefined;
    if (!row || !this.visible(row, ctx)) throw new AppError('NOT_FOUND', `No ticket ${id}`);
    if (!contribute) return;
    const may = allowedCommands(snapshotOf(row), this.actorOf(ctx));
    if (!may.includes('note') && !may.includes('reply')) throw new AppError('FORBIDDEN', '您当前不能为此工单添加附件（需可填写办理进展或答复）');
  }

  private async insertEvent(
    tx: Tx, ticketId: string, seq: number, at: Date, ctx: Ctx, unitId: string | null, action: string,
    from: string | null, to: string, opinion: string | null, attachments: unknown[], detail: Record<string, unknown>,
  ): Promise<void> {
    await tx.insertInto('ticket_event').values({
      ticket_id: ticketId, seq, at, actor_id: ctx.user.userId, actor_name: ctx.user.displayName, unit_id: unitId, action,
      from_status: from, to_status: to, opinion, attachments: JSON.stringify(attachments), detail: JSON.stringify(detail),
    }).execute();
    // Province gateway (issue 6): the outbox entry commits with the change.
    for (const hook of this.changeHooks) await hook(tx, { ticketId, seq, action, fromStatus: from, toStatus: to, at, opinion, detail });
  }
}
