/** HTTP bindings of the caller contracts (src/shared/api/callers.ts): screen-pop history, caller tags, agent home. */
import type { FastifyInstance } from 'fastify';
import { callerRoutes as r } from '../../../shared/api/callers.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import type { AgentHomeService } from '../agent-home/agent-home-service.js';
import type { CallerHistoryService } from './caller-history-service.js';

export function registerCallerRoutes(app: FastifyInstance, deps: { history: CallerHistoryService; home: AgentHomeService; authenticate: Authenticate }): void {
  const { history, home, authenticate } = deps;
  bindRoute(app, r.callerHistory, authenticate, ({ principal, params, query }) => history.history(principal, params.number, query.callId));
  bindRoute(app, r.listCallerTags, authenticate, async ({ query }) => ({ items: await history.listTags(query.kind, query.limit) }));
  bindRoute(app, r.putCallerTag, authenticate, ({ principal, params, body }) => history.putTag(principal, params.number, params.kind, body));
  bindRoute(app, r.deleteCallerTag, authenticate, async ({ principal, params }) => {
    await history.deleteTag(principal, params.number, params.kind);
    return null;
  });
  bindRoute(app, r.agentHome, authenticate, ({ principal }) => home.home(principal));
}
