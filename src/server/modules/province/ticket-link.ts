/**
 * Where tickets and the province gateway meet, in both directions:
 * - outbound: a TicketsService change hook maps each ticket change to province events
 *   (诉求 on registration, 承办情况 on status changes and progress notes, 反馈内容 when a
 *   result is final, 评价信息 on revisits) and enqueues them in the change's transaction;
 * - transfer-up (转派至省): an agent hands a ticket to the province (省级事项 / 跨辖区); it is
 *   logged on the ticket, forwarded through the outbox, and the province's later messages
 *   about it (naming our ticket number) come back inbound;
 * - inbound: the InboundTicketSink that turns the province's dispatches into local tickets
 *   (origin 省12345) and applies its urges, supervision and revisit results through the
 *   tickets service, acting as a system account.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { provinceRoutes, type TransferUpBodySchema } from '../../../shared/api/province.js';
import type { Role } from '../../../shared/roles.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import type { ContactCipher } from '../tickets/contact-cipher.js';
import type { TicketChangeHook, TicketsService, TicketUser } from '../tickets/tickets-service.js';
import type { InboundTicketSink } from './inbound.js';
import { enqueueProvinceEvent } from './outbox.js';

/** zh-CN status labels the province shows the citizen. */
const statusText: Record<string, string> = {
  registered: '已登记', pending_dispatch: '待派单', dispatched: '已派单', return_review: '回退审核中', signed: '已签收',
  processing: '办理中', suspended: '承诺办理中', replied: '已答复待审核', closed: '已办结', archived: '已归档', invalid: '无效', merged: '已并单',
};

/** Actions that tell the province something even without a status change. */
const statusWorthy = new Set(['note', 'dispatch', 'review_request', 'withdraw', 'reopen']);

function iso(d: Date | string | null | undefined): string | undefined {
  return d ? new Date(d).toISOString() : undefined;
}

/** The change hook: ticket changes → province events, in the same transaction. */
export function provinceChangeHook(opts: { scope: 'all' | 'province'; cipher: ContactCipher }): TicketChangeHook {
  return async (tx, change) => {
    const t = await tx.selectFrom('ticket as t').leftJoin('handling_unit as u', 'u.id', 't.lead_unit_id')
      .selectAll('t').select('u.name as unit_name').where('t.id', '=', change.ticketId).executeTakeFirstOrThrow();
    const fromProvince = t.upstream_platform === 'province_12345';
    if (opts.scope === 'province' && !fromProvince) {
      // Only tickets the province already knows (transferred up) keep reporting.
      const known = await tx.selectFrom('province_stream').select('ticket_no').where('ticket_no', '=', t.ticket_no).executeTakeFirst();
      if (!known) return;
    }
    if (t.upstream_platform === 'national_12315') return; // 12315 complaints report to their own platform
    const base = { ticketNo: t.ticket_no, ticketId: t.id, upstreamNo: t.upstream_no, occurredAt: change.at };
    const at = change.at.toISOString();
    if (change.action === 'register') {
      // The province dispatched it: it has the appeal already.
      if (fromProvince) return;
      const phone = t.contact_phone_enc && !t.confidential ? opts.cipher.decrypt('contact_phone', t.contact_phone_enc) : undefined;
      await enqueueProvinceEvent(tx, {
        ...base, type: 'appeal',
        data: {
          title: t.title, content: t.content, appealType: t.appeal_type, urgency: t.urgency as 'normal', channel: t.channel, acceptedAt: t.accepted_at.toISOString(),
          ...(t.region_code ? { regionCode: t.region_code } : {}), ...(t.category_code ? { categoryCode: t.category_code } : {}),
          ...(t.location ? { location: t.location } : {}), ...(t.citizen_name && !t.anonymous ? { citizenName: t.citizen_name } : {}),
          ...(phone && /^\+?\d{5,20}$/.test(phone) ? { contactPhone: phone } : {}), confidential: t.confidential,
        },
      });
      return;
    }
    if (change.action === 'transfer_up') return; // enqueued by transferUp itself
    if (change.fromStatus !== change.toStatus || statusWorthy.has(change.action)) {
      await enqueueProvinceEvent(tx, {
        ...base, type: 'status',
        data: {
          status: change.toStatus, statusText: statusText[change.toStatus] ?? change.toStatus, at,
          ...(t.unit_name ? { unitName: t.unit_name } : {}), ...(change.opinion ? { opinion: change.opinion.slice(0, 4000) } : {}),
          ...(t.due_at ? { dueAt: iso(t.due_at)! } : {}),
        },
      });
    }
    // 反馈内容: the result once the center accepts it (or a direct answer).
    if ((change.action === 'audit' && change.toStatus === 'closed') || change.action === 'answer_directly') {
      await enqueueProvinceEvent(tx, {
        ...base, type: 'feedback',
        data: {
          result: (t.result ?? change.opinion ?? '已办结').slice(0, 8000), resolved: t.resolved ?? true, at,
          ...(t.reply_mode ? { replyMode: t.reply_mode } : {}), ...(t.handler_name ? { handlerName: t.handler_name } : {}),
          ...(t.handler_phone ? { handlerPhone: t.handler_phone } : {}), ...(t.closed_at ? { closedAt: iso(t.closed_at)! } : {}),
        },
      });
    }
    if (change.action === 'revisit' && t.satisfaction) {
      await enqueueProvinceEvent(tx, {
        ...base, type: 'evaluation',
        data: { satisfaction: t.satisfaction as 'satisfied', at, ...(t.unsatisfied_reason ? { reason: t.unsatisfied_reason } : {}), ...(t.revisit_mode ? { mode: t.revisit_mode } : {}) },
      });
    }
  };
}

/**
 * Transfer-up in one transaction: version check, a `transfer_up` entry in the ticket's own
 * event log, the outbox event, and a province ticket row under our number so the province's
 * later messages about it (which name our ticket number) apply to it.
 */
export async function transferUp(db: Db, user: { userId: string; displayName: string }, id: string, body: z.output<typeof TransferUpBodySchema>) {
  return db.transaction().execute(async (tx) => {
    const t = await tx.selectFrom('ticket').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!t) throw new AppError('NOT_FOUND', `No ticket ${id}`);
    if (t.version !== body.version) throw new AppError('CONFLICT', `工单已被他人更新（当前版本 ${t.version}，您提交的版本 ${body.version}），请刷新后重试`);
    if (t.upstream_platform !== 'local') throw new AppError('CONFLICT', '该工单来自上级平台，无需转派');
    if (['closed', 'archived', 'invalid', 'merged'].includes(t.status)) throw new AppError('CONFLICT', '已办结或已作废的工单不能转派');
    const already = await tx.selectFrom('province_outbox').select('id').where('ticket_no', '=', t.ticket_no).where('event_type', '=', 'transfer_up').executeTakeFirst();
    if (already) throw new AppError('CONFLICT', '该工单已转派至省平台');
    const now = new Date();
    const version = t.version + 1;
    await tx.updateTable('ticket').set({ version, updated_at: now }).where('id', '=', id).execute();
    await tx.insertInto('ticket_event').values({
      ticket_id: id, seq: version, at: now, actor_id: user.userId, actor_name: user.displayName, unit_id: null, action: 'transfer_up',
      from_status: t.status, to_status: t.status, opinion: body.reason, attachments: '[]', detail: JSON.stringify({ scope: body.scope }),
    }).execute();
    // The province must have the appeal before the transfer (a site reporting only province tickets).
    const stream = await tx.selectFrom('province_stream').select('last_seq').where('ticket_no', '=', t.ticket_no).executeTakeFirst();
    if (!stream) {
      await enqueueProvinceEvent(tx, {
        ticketNo: t.ticket_no, ticketId: id, type: 'appeal', occurredAt: now,
        data: { title: t.title, content: t.content, appealType: t.appeal_type, urgency: t.urgency as 'normal', channel: t.channel, acceptedAt: t.accepted_at.toISOString(), ...(t.region_code ? { regionCode: t.region_code } : {}), confidential: t.confidential },
      });
    }
    const e = await enqueueProvinceEvent(tx, { ticketNo: t.ticket_no, ticketId: id, type: 'transfer_up', occurredAt: now, data: { scope: body.scope, reason: body.reason, at: now.toISOString() } });
    await tx.insertInto('province_inbound_ticket').values({ upstream_no: t.ticket_no, ticket_id: id, ticket_no: t.ticket_no, updated_at: now })
      .onConflict((oc) => oc.column('upstream_no').doNothing()).execute();
    return { ticketNo: t.ticket_no, key: e.key, version };
  });
}

export function registerTransferUpRoute(app: import('fastify').FastifyInstance, db: Db, authenticate: Authenticate): void {
  bindRoute(app, provinceRoutes.transferUp, authenticate, ({ principal, params, body }) => transferUp(db, principal, params.id, body));
}

/** Stable UUID from the upstream number: the registration's clientId, so re-creating is a no-op. */
function clientIdFor(upstreamNo: string): string {
  const h = createHash('sha256').update(`province_12345:${upstreamNo}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

const SYSTEM_USERNAME = 'province-12345';

/** The account province actions are recorded under (disabled: nobody signs in as it). */
async function systemUser(db: Db): Promise<TicketUser> {
  await db.insertInto('app_user').values({ username: SYSTEM_USERNAME, display_name: '省12345平台', password_hash: '!', roles: ['agent', 'supervisor'], disabled: true } as never)
    .onConflict((oc) => oc.column('username').doNothing()).execute();
  const u = await db.selectFrom('app_user').select(['id', 'display_name']).where('username', '=', SYSTEM_USERNAME).executeTakeFirstOrThrow();
  return { userId: u.id, displayName: u.display_name, roles: ['agent', 'supervisor'] as Role[] };
}

/** The tickets-backed sink for inbound province messages. */
export function ticketsSink(db: Db, tickets: TicketsService): InboundTicketSink {
  let user: Promise<TicketUser> | null = null;
  const who = () => (user ??= systemUser(db));
  const current = async (ticketId: string) => db.selectFrom('ticket').select(['version']).where('id', '=', ticketId).executeTakeFirstOrThrow();
  return {
    async create(upstreamNo, d) {
      const r = await tickets.register(await who(), {
        clientId: clientIdFor(upstreamNo), channel: 'province', upstreamNo, upstreamPlatform: 'province_12345',
        citizen: { ...(d.citizenName ? { name: d.citizenName } : {}), ...(d.contactPhone ? { phone: d.contactPhone } : {}), confidential: d.confidential, anonymous: false },
        title: d.title, content: d.content.slice(0, 5000), appealType: d.appealType, urgency: d.urgency,
        ...(d.categoryCode ? { categoryCode: d.categoryCode } : {}), ...(d.regionCode ? { regionCode: d.regionCode } : {}), ...(d.location ? { location: d.location.slice(0, 300) } : {}),
        attachments: [], forDispatch: true,
      } as never);
      return { ticketId: r.ticket.id, ticketNo: r.ticket.ticketNo };
    },
    async supervise(ticketId, kind, d) {
      const t = await current(ticketId);
      await tickets.act(await who(), ticketId, t.version, { type: kind, opinion: `【省12345】${d.opinion}`.slice(0, 2000) } as never);
    },
    async revisit(ticketId, d) {
      const t = await current(ticketId);
      await tickets.act(await who(), ticketId, t.version, { type: 'revisit', satisfaction: d.satisfaction, reopen: d.reopen, mode: '省平台回访', ...(d.reason ? { reason: d.reason } : {}) } as never);
    },
  };
}

/** The province ticket row for a local ticket (admin screens, tests). */
export async function inboundOf(db: Db, ticketId: string) {
  return db.selectFrom('province_inbound_ticket').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
}

