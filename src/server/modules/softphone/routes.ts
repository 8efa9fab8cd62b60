/** HTTP bindings of the softphone contracts (src/shared/api/softphone.ts). */
import type { FastifyInstance } from 'fastify';
import { softphoneRoutes as r } from '../../../shared/api/softphone.js';
import { bindRoute, type Authenticate } from '../../http/route.js';
import type { SoftphoneService } from './softphone-service.js';

export function registerSoftphoneRoutes(app: FastifyInstance, softphone: SoftphoneService, authenticate: Authenticate): void {
  bindRoute(app, r.sipProfile, authenticate, ({ principal }) => softphone.profile(principal));
  bindRoute(app, r.simulatorProfile, authenticate, ({ body }) => softphone.simulatorProfile(body.number), {
    config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
  });
}
