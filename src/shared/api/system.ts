/** System contracts: liveness, readiness and the public site info the sign-in page shows. */
import { z } from 'zod';
import { route } from './route.js';

export const SiteInfoSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    /** Demo sites show the seeded accounts on the sign-in page. */
    demo: z.boolean(),
    serverTime: z.iso.datetime(),
    /** SIP-over-WebSocket servers the softphones use; the desktop app allows them in its CSP. */
    sipWebSocketUrls: z.array(z.string()),
  })
  .meta({ id: 'SiteInfo' });
export type SiteInfo = z.infer<typeof SiteInfoSchema>;

export const systemRoutes = {
  healthz: route({
    method: 'GET', path: '/healthz', summary: 'Process is up', tags: ['system'], access: 'public',
    status: 200, response: z.object({ status: z.literal('ok') }),
  }),
  readyz: route({
    method: 'GET', path: '/readyz', summary: 'Database reachable and migrations applied', tags: ['system'],
    access: 'public', status: 200,
    response: z.object({ status: z.literal('ready'), database: z.string(), migrations: z.number().int() }),
  }),
  site: route({
    method: 'GET', path: '/api/site', summary: 'Site name, version and mode', tags: ['system'], access: 'public',
    status: 200, response: SiteInfoSchema,
  }),
} as const;
