/**
 * Supervisor (班长) contracts: the floor wallboard snapshot, stepping into an agent's call
 * (监听 listen / 业务指导 whisper / 强插 barge) and controlling agents (置忙, 强制签出, 消息).
 *
 * Monitoring works on any SIP server: the supervisor's softphone calls the agent's extension
 * with a short-lived, single-use grant in the `X-Hotline-Monitor` header; the agent's softphone
 * redeems it here before it auto-accepts the leg and sends the supervisor a mix of caller and
 * agent. Mode changes go through this API (authorised, audited) and reach the agent's console
 * as `monitor:mode-changed`. See docs/supervisor.md.
 */
import { z } from 'zod';
import { AgentStatusSchema } from './agent-state.js';
import { SipProfileSchema } from './softphone.js';
import { route } from './route.js';

/** SIP header carrying the monitoring grant on the supervisor's INVITE. */
export const MONITOR_HEADER = 'X-Hotline-Monitor';

export const monitorModes = ['listen', 'whisper', 'barge'] as const;
export const MonitorModeSchema = z.enum(monitorModes);
/** listen 监听: hears both; whisper 业务指导: the agent hears the supervisor; barge 强插: everyone hears everyone. */
export type MonitorMode = z.infer<typeof MonitorModeSchema>;

/** What the agent's softphone reports about its current answered call (the call a supervisor may step into). */
export const LiveCallSchema = z
  .object({
    /** SIP Call-ID of the agent's leg: monitoring grants are bound to it. */
    sipCallId: z.string().min(1).max(256),
    direction: z.enum(['inbound', 'outbound']),
    remoteNumber: z.string().max(64),
    answeredAt: z.iso.datetime(),
  })
  .meta({ id: 'LiveCall' });
export type LiveCall = z.infer<typeof LiveCallSchema>;

/** An agent's figures for today (see shared/call-kpis.ts for the definitions). */
export const AgentDayFiguresSchema = z
  .object({
    answered: z.number().int(),
    missed: z.number().int(),
    handled: z.number().int(),
    /** AHT = (talk + hold + after-call work) ÷ handled, seconds; null before the first handled call. */
    avgHandleSeconds: z.number().nullable(),
  })
  .meta({ id: 'AgentDayFigures' });
export type AgentDayFigures = z.infer<typeof AgentDayFiguresSchema>;

/** One agent on the wallboard. */
export const FloorAgentSchema = z
  .object({
    agentId: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    extension: z.string().nullable(),
    /** The agent's groups among those the viewer watches. */
    groupIds: z.array(z.uuid()),
    status: AgentStatusSchema,
    /** The call the agent's softphone reports; the number is masked unless the viewer may see it. */
    liveCall: LiveCallSchema.nullable(),
    /** An active monitoring session on this agent (any supervisor), for the wallboard's marker. */
    monitor: z.object({ sessionId: z.uuid(), supervisorName: z.string(), mode: MonitorModeSchema }).nullable(),
    /** Since local midnight; kept current by agent:figures-changed after each call and 整理. */
    today: AgentDayFiguresSchema,
  })
  .meta({ id: 'FloorAgent' });
export type FloorAgent = z.infer<typeof FloorAgentSchema>;

export const FloorSnapshotSchema = z
  .object({
    groups: z.array(z.object({ id: z.uuid(), name: z.string() })),
    agents: z.array(FloorAgentSchema),
    /** Server time of the snapshot: deltas older than this are already in it. */
    at: z.iso.datetime(),
  })
  .meta({ id: 'FloorSnapshot' });
export type FloorSnapshot = z.infer<typeof FloorSnapshotSchema>;

export const StartMonitorSchema = z.object({ agentId: z.uuid(), mode: MonitorModeSchema });

export const MonitorGrantSchema = z
  .object({
    /** Our own leg: call the agent's extension with the grant (any SIP server). */
    via: z.literal('grant'),
    sessionId: z.uuid(),
    /** The signed grant to send in the X-Hotline-Monitor header; valid once, until expiresAt. */
    grant: z.string(),
    /** Dial this extension (the agent's). */
    agentExtension: z.string(),
    mode: MonitorModeSchema,
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'MonitorGrant' });
export type MonitorGrant = z.infer<typeof MonitorGrantSchema>;

/**
 * A site whose PBX has its own spy feature (HOTLINE_MONITOR_MODE=feature-codes): the supervisor's
 * phone dials this number (the mode's code rendered for the agent's extension) instead of
 * calling the agent; the session is active from here (nothing for the agent's softphone to redeem).
 */
export const MonitorDialSchema = z
  .object({
    via: z.literal('feature-code'),
    sessionId: z.uuid(),
    /** The rendered feature code, e.g. `*331001`: dial it on the supervisor's own extension. */
    dial: z.string(),
    agentExtension: z.string(),
    mode: MonitorModeSchema,
  })
  .meta({ id: 'MonitorDial' });
export type MonitorDial = z.infer<typeof MonitorDialSchema>;

/** What starting a session returns: a grant, or the feature code to dial (site setting). */
export const MonitorStartSchema = z.discriminatedUnion('via', [MonitorGrantSchema, MonitorDialSchema]);
export type MonitorStart = z.infer<typeof MonitorStartSchema>;

export const RedeemMonitorSchema = z.object({
  grant: z.string().min(1).max(4096),
  /** SIP Call-ID of the call the agent's softphone is on now. */
  sipCallId: z.string().min(1).max(256),
});

/** What the agent's softphone learns when a grant is good. */
export const MonitorRedeemedSchema = z
  .object({
    sessionId: z.uuid(),
    mode: MonitorModeSchema,
    supervisorName: z.string(),
    /** Show "班长监听中" on the agent's screen (site setting for listen; always for whisper and barge). */
    showIndicator: z.boolean(),
  })
  .meta({ id: 'MonitorRedeemed' });
export type MonitorRedeemed = z.infer<typeof MonitorRedeemedSchema>;

export const MonitorSessionSchema = z
  .object({
    sessionId: z.uuid(),
    supervisorId: z.uuid(),
    agentId: z.uuid(),
    callId: z.string(),
    mode: MonitorModeSchema,
    state: z.enum(['requested', 'active', 'ended']),
    showIndicator: z.boolean(),
    /** Feature-code sessions: the new mode's code; the supervisor's phone hangs up and dials it. */
    dial: z.string().optional(),
  })
  .meta({ id: 'MonitorSession' });
export type MonitorSession = z.infer<typeof MonitorSessionSchema>;

/**
 * 升级/求助: the agent's softphone puts the caller on hold and calls the picked supervisor's
 * extension as its consult leg with this header (the escalation id), so the supervisor's
 * console rings it as a 求助 (and refuses other calls). Completing the consult transfers the
 * caller to the supervisor; cancelling returns to the caller.
 */
export const ESCALATION_HEADER = 'X-Hotline-Escalation';

export const escalationStates = ['ringing', 'answered', 'transferred', 'cancelled', 'declined', 'failed'] as const;
export const EscalationStateSchema = z.enum(escalationStates);
export type EscalationState = z.infer<typeof EscalationStateSchema>;

export const EscalationSchema = z
  .object({
    id: z.uuid(),
    agent: z.object({ id: z.uuid(), name: z.string(), extension: z.string().nullable() }),
    supervisor: z.object({ id: z.uuid(), name: z.string(), extension: z.string() }),
    /** The agent's call with the citizen. */
    sipCallId: z.string(),
    /** The citizen's number, masked unless the viewer may see contact details. */
    remoteNumber: z.string(),
    state: EscalationStateSchema,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Escalation' });
export type Escalation = z.infer<typeof EscalationSchema>;

export const monitorEndReasons = ['supervisor_left', 'agent_call_ended', 'failed', 'rejected'] as const;

export const SupervisorMessageSchema = z.object({ text: z.string().trim().min(1).max(500) });
export const ForceSignOutSchema = z.object({
  /** Required when the agent is on a call: the supervisor confirmed ending it. */
  confirmOnCall: z.boolean().default(false),
});

const IdParams = z.object({ id: z.uuid() });

export const supervisorRoutes = {
  floorSnapshot: route({
    method: 'GET', path: '/api/supervisor/floor', summary: 'Wallboard: every agent of the groups one supervises (then follow agent:* pushes)', tags: ['supervisor'],
    access: 'floor:watch', status: 200, response: FloorSnapshotSchema,
  }),
  forceNotReady: route({
    method: 'POST', path: '/api/supervisor/agents/:id/not-ready', summary: '置忙: make an agent not ready (reason 班长置忙)', tags: ['supervisor'],
    access: 'floor:watch', params: IdParams, status: 200, response: AgentStatusSchema,
  }),
  forceSignOut: route({
    method: 'POST', path: '/api/supervisor/agents/:id/sign-out', summary: '强制签出 (on a call only when confirmOnCall)', tags: ['supervisor'],
    access: 'floor:watch', params: IdParams, body: ForceSignOutSchema, status: 200, response: AgentStatusSchema,
  }),
  messageAgent: route({
    method: 'POST', path: '/api/supervisor/agents/:id/message', summary: 'A message that pops on the agent’s console', tags: ['supervisor'],
    access: 'floor:watch', params: IdParams, body: SupervisorMessageSchema, status: 204, response: z.null(),
  }),
  monitorSipProfile: route({
    method: 'GET', path: '/api/monitoring/sip-profile', summary: "SIP credentials for the supervisor's extension (monitoring calls; no registration needed)", tags: ['supervisor'],
    access: 'floor:watch', status: 200, response: SipProfileSchema,
  }),
  startMonitor: route({
    method: 'POST', path: '/api/monitoring/sessions', summary: '监听/业务指导/强插: a single-use grant to call the agent with, or the PBX feature code to dial', tags: ['supervisor'],
    access: 'floor:watch', body: StartMonitorSchema, status: 201, response: MonitorStartSchema,
  }),
  changeMonitorMode: route({
    method: 'POST', path: '/api/monitoring/sessions/:id/mode', summary: 'Switch listen / whisper / barge during a session', tags: ['supervisor'],
    access: 'floor:watch', params: IdParams, body: z.object({ mode: MonitorModeSchema }), status: 200, response: MonitorSessionSchema,
  }),
  endMonitor: route({
    method: 'POST', path: '/api/monitoring/sessions/:id/end', summary: 'The monitoring leg ended (either side reports it; idempotent)', tags: ['supervisor'],
    access: 'authenticated', params: IdParams, body: z.object({ reason: z.enum(monitorEndReasons) }), status: 204, response: z.null(),
  }),
  redeemMonitor: route({
    method: 'POST', path: '/api/monitoring/redeem', summary: "Agent's softphone: check a monitoring INVITE's grant (once) before accepting it", tags: ['supervisor'],
    access: 'console:use', body: RedeemMonitorSchema, status: 200, response: MonitorRedeemedSchema,
  }),
  requestEscalation: route({
    method: 'POST', path: '/api/escalations', summary: '升级/求助: pick an online supervisor of my group for my current call (then call their extension as a consult)', tags: ['supervisor'],
    access: 'console:use', body: z.object({ sipCallId: z.string().min(1).max(256) }), status: 201, response: EscalationSchema,
  }),
  escalationState: route({
    method: 'POST', path: '/api/escalations/:id/state', summary: 'The agent or the supervisor reports a 求助 step (answered, transferred, cancelled, declined, failed)', tags: ['supervisor'],
    access: 'authenticated', params: IdParams, body: z.object({ state: EscalationStateSchema.exclude(['ringing']) }), status: 200, response: EscalationSchema,
  }),
  reportLiveCall: route({
    method: 'PUT', path: '/api/agent/live-call', summary: "Agent's softphone: the call it is on now (for the wallboard and monitoring)", tags: ['agent'],
    access: 'console:use', body: LiveCallSchema, status: 204, response: z.null(),
  }),
  clearLiveCall: route({
    method: 'DELETE', path: '/api/agent/live-call', summary: "Agent's softphone: that call ended", tags: ['agent'],
    access: 'console:use', query: z.object({ sipCallId: z.string().min(1).max(256) }), status: 204, response: z.null(),
  }),
} as const;
