/**
 * Socket.IO contract between the console and the server. Pushes are past-tense facts;
 * requests carry an ack with `AckResult`. Inbound payloads are validated against
 * `clientEventSchemas`, from which their types derive.
 */
import { z } from 'zod';
import type { AckResult } from './errors.js';
import type { CurrentUser } from './api/accounts.js';
import type { AgentStatus } from './api/agent-state.js';

export const sessionEndReasons = ['logout', 'revoked', 'password_reset', 'disabled', 'replaced'] as const;
export type SessionEndReason = (typeof sessionEndReasons)[number];

export const clientEventSchemas = {
  'presence:ping': z.object({ sentAt: z.number() }),
} as const;
type Payload<K extends keyof typeof clientEventSchemas> = z.infer<(typeof clientEventSchemas)[K]>;

export interface ServerToClientEvents {
  /** This session was ended by the server; the console must return to sign-in. */
  'session:ended': (p: { reason: SessionEndReason }) => void;
  /** The signed-in user's roles, groups or extension changed. */
  'user:updated': (p: CurrentUser) => void;
  /** An agent's state changed: sent to the agent and to supervisors of the agent's groups. */
  'agent:state-changed': (p: AgentStatus) => void;
}

export interface ClientToServerEvents {
  'presence:ping': (p: Payload<'presence:ping'>, ack: (r: AckResult<{ serverTime: string }>) => void) => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  userId: string;
  sessionId: string;
  roles: CurrentUser['roles'];
}

/** Room names, so server modules never spell them by hand. */
export const rooms = {
  user: (id: string) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  group: (id: string) => `group:${id}`,
  /** Supervisors watching a group's floor. */
  floor: (groupId: string) => `floor:${groupId}`,
} as const;
