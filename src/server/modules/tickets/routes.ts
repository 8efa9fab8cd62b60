/** HTTP bindings of the ticket and reference-data contracts (src/shared/api/tickets.ts, refdata.ts). */
import type { FastifyInstance } from 'fastify';
import { refdataRoutes as rd } from '../../../shared/api/refdata.js';
import { ticketRoutes as r } from '../../../shared/api/tickets.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import type { Principal } from '../accounts/principal.js';
import type { RefDataService } from './refdata-service.js';
import type { TicketsService, TicketUser } from './tickets-service.js';

const who = (p: Principal): TicketUser => ({ userId: p.userId, displayName: p.displayName, roles: p.roles });

export function registerTicketRoutes(app: FastifyInstance, tickets: TicketsService, refdata: RefDataService, authenticate: Authenticate): void {
  bindRoute(app, r.registerTicket, authenticate, async ({ principal, body }) => (await tickets.register(who(principal), body)).ticket);
  bindRoute(app, r.listTickets, authenticate, ({ principal, query }) => tickets.list(who(principal), query));
  bindRoute(app, r.getTicket, authenticate, ({ principal, params }) => tickets.detail(who(principal), params.id));
  bindRoute(app, r.actOnTicket, authenticate, ({ principal, params, body }) => tickets.act(who(principal), params.id, body.version, body.command));
  bindRoute(app, r.findDuplicateTickets, authenticate, async ({ principal, body }) => ({ items: await tickets.duplicates(who(principal), body) }));
  bindRoute(app, r.ticketsByCaller, authenticate, async ({ principal, params, query }) => ({ items: await tickets.byCaller(who(principal), params.number, query.limit) }));

  const actor = (p: Principal) => ({ userId: p.userId, displayName: p.displayName });
  bindRoute(app, rd.getRefData, authenticate, () => refdata.all());
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
