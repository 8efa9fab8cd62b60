/** Every REST route of the product, by name. */
import { accountRoutes } from './accounts.js';
import { acdRoutes } from './acd.js';
import { agentStateRoutes } from './agent-state.js';
import { callerRoutes } from './callers.js';
import { provinceRoutes } from './province.js';
import { recordingRoutes } from './recordings.js';
import { refdataRoutes } from './refdata.js';
import { softphoneRoutes } from './softphone.js';
import { supervisorRoutes } from './supervisor.js';
import { systemRoutes } from './system.js';
import { ticketAttachmentRoutes } from './ticket-attachments.js';
import { ticketRoutes } from './tickets.js';

export const api = { ...systemRoutes, ...accountRoutes, ...softphoneRoutes, ...recordingRoutes, ...agentStateRoutes, ...acdRoutes, ...supervisorRoutes, ...ticketRoutes, ...ticketAttachmentRoutes, ...refdataRoutes, ...callerRoutes, ...provinceRoutes } as const;
export type Api = typeof api;
export type RouteName = keyof Api;
export * from './route.js';
