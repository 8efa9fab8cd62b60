/**
 * Socket.IO contract between the console and the server. Pushes are past-tense facts;
 * requests carry an ack with `AckResult`. Inbound payloads are validated against
 * `clientEventSchemas`, from which their types derive.
 */
import { z } from 'zod';
import type { AckResult } from './errors.js';
import type { CurrentUser } from './api/accounts.js';
import type { AgentStatus } from './api/agent-state.js';
import type { CallbackTask, QueueSnapshot } from './api/acd.js';
import type { CallerHistory } from './api/callers.js';
import type { AgentDayFigures, Escalation, FloorAgent, LiveCall, MonitorMode } from './api/supervisor.js';

export const sessionEndReasons = ['logout', 'revoked', 'password_reset', 'disabled', 'replaced'] as const;
export type SessionEndReason = (typeof sessionEndReasons)[number];

/** Where the console that took over an agent's account connected from, for the one it replaced. */
export interface ConsoleLocation {
  /** The seat's name when its console reports one (desktop settings), else null. */
  seat: string | null;
  /** The client address the server saw at sign-in. */
  ip: string | null;
  /** When it took over (ISO). */
  at: string;
}

/**
 * What a client sends in the Socket.IO handshake. `console` marks the agent console of this
 * session: an agent has one live console, so a console connecting from another session
 * takes over (the other session ends with reason 'replaced').
 */
export const HandshakeAuthSchema = z.object({
  token: z.string().min(1),
  console: z.object({ seat: z.string().trim().min(1).max(64).optional() }).optional(),
});
export type HandshakeAuth = z.infer<typeof HandshakeAuthSchema>;

/** An agent has been on 小休 longer than its reason allows: to the agent and the group's supervisors. */
export interface BreakOverrun {
  agentId: string;
  reason: string;
  /** When the break began (ISO). */
  since: string;
  maxSeconds: number;
}

export const clientEventSchemas = {
  'presence:ping': z.object({ sentAt: z.number() }),
  'escalation:ready': z.object({ ready: z.boolean() }),
} as const;
type Payload<K extends keyof typeof clientEventSchemas> = z.infer<(typeof clientEventSchemas)[K]>;

export interface ServerToClientEvents {
  /** This session was ended by the server; the console must return to sign-in. */
  'session:ended': (p: { reason: SessionEndReason; replacedBy?: ConsoleLocation }) => void;
  /** The signed-in user's roles, groups or extension changed. */
  'user:updated': (p: CurrentUser) => void;
  /** An agent's state changed: sent to the agent and to supervisors of the agent's groups. */
  'agent:state-changed': (p: AgentStatus) => void;
  /**
   * The ACD offered this agent a call: what the screen pop shows first. The console calls
   * `painted` once the pop is on screen; the phone rings after that (or after a short bound).
   */
  'acd:offered': (p: AcdOffer, painted: () => void) => void;
  /** The offer to this agent is over: answered, or why not (the caller hung up, it rang out …). */
  'acd:offer-ended': (p: { callId: string; reason: AcdOfferEndReason }) => void;
  /** A queue's waiting/ringing calls changed: to supervisors of the queue's groups (floor rooms). */
  'acd:queue-changed': (p: QueueSnapshot) => void;
  /** A callback task (漏接电话回拨) appeared or changed: to the agents of the queue's groups. */
  'acd:callback-changed': (p: CallbackTask) => void;
  /** An agent's 小休 passed its reason's maximum (once per break). */
  'agent:break-overrun': (p: BreakOverrun) => void;
  /** The call an agent's softphone reports changed (null: none): to the floor rooms of the agent's groups. */
  'agent:call-changed': (p: { agentId: string; liveCall: LiveCall | null }) => void;
  /** A supervisor started, switched or ended monitoring an agent: to the floor rooms of the agent's groups. */
  'agent:monitor-changed': (p: { agentId: string; monitor: FloorAgent['monitor'] }) => void;
  /** An agent's figures for today changed (a call answered, missed, ended or its 整理 done): to the floor rooms of the agent's groups. `at`: server time computed (newer wins). */
  'agent:figures-changed': (p: { agentId: string; today: AgentDayFigures; at: string }) => void;
  /** 求助: to the supervisor picked for it (their console rings when the agent's consult call arrives), and each later step to both. */
  'escalation:changed': (p: Escalation) => void;
  /** To the monitored agent's console: the supervisor switched mode (the softphone changes the mix). */
  'monitor:mode-changed': (p: { sessionId: string; mode: MonitorMode; showIndicator: boolean }) => void;
  /** To the agent: a message from a supervisor, shown as a pop-up on the console. */
  'supervisor:message': (p: { from: { id: string; name: string }; text: string; at: string }) => void;
  /** To the agent: a supervisor forced them 示忙 or 签出 (the state arrives as agent:state-changed). */
  'supervisor:forced': (p: { action: 'not_ready' | 'sign_out'; by: string; at: string }) => void;
  /** A ticket this user works on changed (dispatched to their unit, urged, audited, revisited …): to the
   *  members of the units holding it (and the unit it was taken from) and the agent who registered it, never the actor. */
  'ticket:changed': (p: TicketNotice) => void;
}

/** What a 'ticket:changed' push says; the console re-reads the ticket for the rest. */
export interface TicketNotice {
  ticketId: string;
  ticketNo: string;
  title: string;
  /** The workflow command (src/shared/tickets/workflow.ts) or server event ('merged_in'). */
  action: string;
  status: string;
  by: string;
  at: string;
}

/** What the ACD tells the agent it offers a call to. */
export interface AcdOffer {
  callId: string;
  caller: string;
  /** National digits form (src/shared/phone-number.ts), the key of the caller's history. */
  callerNormalised: string;
  queueId: string;
  queueName: string;
  /** Seconds the caller had waited when this offer was made. */
  waitedSeconds: number;
  offeredAt: string;
  ringSeconds: number;
  /**
   * The caller's history as this agent may see it (GET /api/callers/:number/history), computed
   * by the backend while the agent's phone starts ringing, so the view paints from this push.
   * Absent (or null) when it could not be had in time: the console then fetches it.
   */
  history?: CallerHistory | null;
}
export type AcdOfferEndReason = 'answered' | 'no_answer' | 'busy' | 'rejected' | 'unavailable' | 'abandoned';

export interface ClientToServerEvents {
  'presence:ping': (p: Payload<'presence:ping'>, ack: (r: AckResult<{ serverTime: string }>) => void) => void;
  /** A supervisor's console can (or no longer can) take 求助 calls: its phone is registered. Answers the number of groups it now serves. */
  'escalation:ready': (p: Payload<'escalation:ready'>, ack: (r: AckResult<{ groups: number }>) => void) => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  userId: string;
  sessionId: string;
  roles: CurrentUser['roles'];
  /** Set when this socket is the agent console of its session (see HandshakeAuthSchema). */
  console: { seat: string | null } | null;
}

/** Room names, so server modules never spell them by hand. */
export const rooms = {
  user: (id: string) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  group: (id: string) => `group:${id}`,
  /** Supervisors watching a group's floor. */
  floor: (groupId: string) => `floor:${groupId}`,
  /** Supervisors' consoles that take 求助 calls for a group (phone registered). */
  escalations: (groupId: string) => `escalations:${groupId}`,
} as const;
