/** HTTP bindings of the ticket and reference-data contracts (src/shared/api/tickets.ts, refdata.ts). */
import type { FastifyInstance } from 'fastify';
import { refdataRoutes as rd } from '../../../shared/api/refdata.js';
import { TICKET_EXPORT_PATH, TicketExportQuerySchema, ticketRoutes as r } from '../../../shared/api/tickets.js';
import { can } from '../../../shared/roles.js';
import { AppError } from '../../http/errors.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import type { Principal } from '../accounts/principal.js';
import type { RefDataService } from './refdata-service.js';
import { ledgerWorkbook } from './ticket-export.js';
import type { TicketsService, TicketUser } from './tickets-service.js';

export const who = (p: Principal): TicketUser => ({ userId: p.userId, displayName: p.displayName, roles: p.roles });

export function registerTicketRoutes(app: FastifyInstance, tickets: TicketsService, refdata: RefDataService, authenticate: Authenticate): void {
  bindRoute(app, r.registerTicket, authenticate, async ({ principal, body }) => (await tickets.register(who(principal), body)).ticket);
  bindRoute(app, r.listTickets, authenticate, ({ principal, query }) => tickets.list(who(principal), query));
  bindRoute(app, r.getTicket, authenticate, ({ principal, params }) => tickets.detail(who(principal), params.id));
  bindRoute(app, r.actOnTicket, authenticate, ({ principal, params, body }) => tickets.act(who(principal), params.id, body.version, body.command));
  bindRoute(app, r.findDuplicateTickets, authenticate, async ({ principal, body }) => ({ items: await tickets.duplicates(who(principal), body) }));
  bindRoute(app, r.ticketsByCaller, authenticate, async ({ principal, params, query }) => ({ items: await tickets.byCaller(who(principal), params.number, query.limit) }));

  // 台账导出: a binary stream, so bound by hand (the contract is TICKET_EXPORT_PATH + TicketExportQuerySchema).
  app.get(TICKET_EXPORT_PATH, { schema: { summary: '台账导出 (.xlsx, streamed; x-ticket-count header)', tags: ['tickets'], querystring: TicketExportQuerySchema, security: [{ bearer: [] }] } }, async (req, reply) => {
    const principal = await authenticate(req);
    if (!can(principal.roles, 'tickets:export')) throw new AppError('FORBIDDEN', 'Requires permission tickets:export');
    const query = req.query as import('zod').output<typeof TicketExportQuerySchema>;
    const { count, pages } = await tickets.exportLedger(who(principal), query, req.ip);
    const stamp = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16).replace(/[-:T]/g, '');
    const body = ledgerWorkbook(pages, await refdata.all(), (err) => req.log.error({ err }, 'ticket export failed'));
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="tickets-${stamp}.xlsx"; filename*=UTF-8''${encodeURIComponent(`工单台账-${stamp}.xlsx`)}`)
      .header('cache-control', 'private, no-store')
      .header('x-ticket-count', String(count))
      // The desktop console is another origin (CORS): let it read the count and the file name.
      .header('access-control-expose-headers', 'x-ticket-count, content-disposition')
      .send(body);
  });

  const actor = (p: Principal) => ({ userId: p.userId, displayName: p.displayName });
  bindRoute(app, rd.getRefData, authenticate, () => refdata.all());
  bindRoute(app, rd.createAppealType, authenticate, ({ principal, body }) => refdata.createAppealType(body, actor(principal)));
  bindRoute(app, rd.createCategory, authenticate, ({ principal, body }) => refdata.createCategory(body, actor(principal)));
  bindRoute(app, rd.createRegion, authenticate, ({ principal, body }) => refdata.createRegion(body, actor(principal)));
  bindRoute(app, rd.putAppealType, authenticate, ({ principal, params, body }) => refdata.putAppealType(params.code, body, actor(principal)));
  bindRoute(app, rd.putCategory, authenticate, ({ principal, params, body }) => refdata.putCategory(params.code, body, actor(principal)));
  bindRoute(app, rd.putRegion, authenticate, ({ principal, params, body }) => refdata.putRegion(params.code, body, actor(principal)));
  bindRoute(app, rd.createUnit, authenticate, ({ principal, body }) => refdata.saveUnit(null, body, actor(principal)));
  bindRoute(app, rd.updateUnit, authenticate, ({ principal, params, body }) => refdata.saveUnit(params.id, body, actor(principal)));
  bindRoute(app, rd.createSlaRule, authenticate, ({ principal, body }) => refdata.saveSlaRule(null, body, actor(principal)));
  bindRoute(app, rd.updateSlaRule, authenticate, ({ principal, params, body }) => refdata.saveSlaRule(params.id, body, actor(principal)));
  bindRoute(app, rd.deleteSlaRule, authenticate, async ({ principal, params }) => {
    await refdata.deleteSlaRule(params.id, actor(principal));
    return null;
  });
  bindRoute(app, rd.createDispatchRule, authenticate, ({ principal, body }) => refdata.saveDispatchRule(null, body, actor(principal)));
  bindRoute(app, rd.updateDispatchRule, authenticate, ({ principal, params, body }) => refdata.saveDispatchRule(params.id, body, actor(principal)));
  bindRoute(app, rd.deleteDispatchRule, authenticate, async ({ principal, params }) => {
    await refdata.deleteDispatchRule(params.id, actor(principal));
    return null;
  });
  bindRoute(app, rd.getCalendarYear, authenticate, ({ params }) => refdata.calendarYear(params.year));
  bindRoute(app, rd.putCalendarYear, authenticate, ({ principal, params, body }) => refdata.putCalendarYear(params.year, body.overrides, actor(principal)));
}
