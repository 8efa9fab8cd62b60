/** HTTP bindings of the agent state contracts (src/shared/api/agent-state.ts). */
import type { FastifyInstance } from 'fastify';
import { agentStateRoutes as r } from '../../../shared/api/agent-state.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import type { AgentStateService } from './agent-state-service.js';

export function registerAgentStateRoutes(app: FastifyInstance, agents: AgentStateService, authenticate: Authenticate): void {
  bindRoute(app, r.myAgentState, authenticate, ({ principal }) => agents.status(principal.userId));
  bindRoute(app, r.changeMyAgentState, authenticate, ({ principal, body }) => agents.apply(principal.userId, body, { actorId: principal.userId }));
  bindRoute(app, r.agentReasons, authenticate, () => ({
    notReady: agents.settings.notReadyReasons,
    break: agents.settings.breakReasons,
    wrapUpSeconds: agents.settings.wrapUpSeconds,
  }));
}
