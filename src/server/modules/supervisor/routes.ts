/** HTTP bindings of the supervisor contracts (src/shared/api/supervisor.ts). */
import type { FastifyInstance } from 'fastify';
import { supervisorRoutes as r } from '../../../shared/api/supervisor.js';
import { AppError } from '../../http/errors.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import type { SoftphoneService } from '../softphone/softphone-service.js';
import type { EscalationService } from './escalation-service.js';
import type { FloorService } from './floor-service.js';
import type { MonitoringService } from './monitoring-service.js';

export interface SupervisorRouteDeps {
  floor: FloorService;
  monitoring: MonitoringService;
  escalations: EscalationService;
  softphone: SoftphoneService;
  authenticate: Authenticate;
}

export function registerSupervisorRoutes(app: FastifyInstance, d: SupervisorRouteDeps): void {
  const { floor, monitoring, authenticate } = d;
  bindRoute(app, r.floorSnapshot, authenticate, ({ principal }) => floor.snapshot(principal));
  bindRoute(app, r.forceNotReady, authenticate, ({ principal, params, req }) => floor.forceNotReady(principal, params.id, req.ip));
  bindRoute(app, r.forceSignOut, authenticate, ({ principal, params, body, req }) => floor.forceSignOut(principal, params.id, body.confirmOnCall, req.ip));
  bindRoute(app, r.messageAgent, authenticate, async ({ principal, params, body, req }) => {
    await floor.message(principal, params.id, body.text, req.ip);
    return null;
  });
  // The supervisor's softphone only places monitoring calls: credentials for their extension, no console needed.
  bindRoute(app, r.monitorSipProfile, authenticate, ({ principal }) => {
    if (!principal.extension) throw new AppError('CONFLICT', '请管理员为班长账号分配分机号后再监听');
    return d.softphone.profile(principal);
  });
  bindRoute(app, r.startMonitor, authenticate, ({ principal, body, req }) => monitoring.start(principal, body.agentId, body.mode, req.ip));
  bindRoute(app, r.changeMonitorMode, authenticate, ({ principal, params, body, req }) => monitoring.changeMode(principal, params.id, body.mode, req.ip));
  bindRoute(app, r.endMonitor, authenticate, async ({ principal, params, body, req }) => {
    await monitoring.end(principal, params.id, body.reason, req.ip);
    return null;
  });
  // Generous: each redeem follows a supervisor's click; the limit only blunts a console spraying forged grants.
  bindRoute(app, r.redeemMonitor, authenticate, ({ principal, body, req }) => monitoring.redeem(principal, body.grant, body.sipCallId, req.ip), {
    config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
  });
  bindRoute(app, r.requestEscalation, authenticate, ({ principal, body, req }) => d.escalations.request(principal, body.sipCallId, req.ip));
  bindRoute(app, r.escalationState, authenticate, ({ principal, params, body, req }) => d.escalations.report(principal, params.id, body.state, req.ip));
  bindRoute(app, r.reportLiveCall, authenticate, async ({ principal, body }) => {
    await floor.reportLiveCall(principal, body);
    return null;
  });
  bindRoute(app, r.clearLiveCall, authenticate, async ({ principal, query }) => {
    await floor.clearLiveCall(principal, query.sipCallId);
    return null;
  });
}
