/**
 * The callers module: the screen pop's caller history, 黑名单/骚扰电话 tags, the number
 * attribution table, and the agent home's summary route. Depends on the tickets module
 * (its lookup by caller and its phone hash) and on the ACD's call records.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/database.js';
import type { Authenticate } from '../../http/route.js';
import { AgentHomeService } from '../agent-home/agent-home-service.js';
import type { ContactCipher } from '../tickets/contact-cipher.js';
import type { TicketsService } from '../tickets/tickets-service.js';
import { CallerHistoryService, type RepeatCallerRule } from './caller-history-service.js';
import { NumberAttributionTable } from './number-attribution.js';
import { registerCallerRoutes } from './routes.js';

export { CallerHistoryService, NumberAttributionTable };

export function createCallers(
  app: FastifyInstance,
  db: Db,
  opts: { tickets: TicketsService; cipher: ContactCipher; repeat: RepeatCallerRule; attributionFile: string | undefined; authenticate: Authenticate },
) {
  const history = new CallerHistoryService(db, opts.tickets, opts.cipher, NumberAttributionTable.load(opts.attributionFile), opts.repeat);
  const home = new AgentHomeService(db);
  registerCallerRoutes(app, { history, home, authenticate: opts.authenticate });
  return { history, home };
}
