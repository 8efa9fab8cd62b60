/** Agent state contracts: reading one's state and the events an agent may send themself. */
import { z } from 'zod';
import { route } from './route.js';

export const AgentStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('signed_out') }),
  z.object({ kind: z.literal('ready') }),
  z.object({ kind: z.literal('not_ready'), reason: z.string() }),
  z.object({ kind: z.literal('break'), reason: z.string() }),
  z.object({ kind: z.literal('reserved'), callId: z.string() }),
  z.object({ kind: z.literal('on_call'), callId: z.string(), held: z.boolean() }),
  z.object({ kind: z.literal('after_call_work'), callId: z.string() }),
]);

export const AgentStatusSchema = z
  .object({
    agentId: z.uuid(),
    state: AgentStateSchema,
    /** When the current state began (time in state ticks from here). */
    since: z.iso.datetime(),
    /** After-call work ends by itself at this time. */
    wrapUpDeadline: z.iso.datetime().nullable(),
  })
  .meta({ id: 'AgentStatus' });
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

/** Events an agent sends about themself; call events come from the ACD and the SIP server. */
export const AgentCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sign_in') }),
  z.object({ type: z.literal('sign_out') }),
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('not_ready'), reason: z.string().min(1).max(32) }),
  z.object({ type: z.literal('break'), reason: z.string().min(1).max(32) }),
  z.object({ type: z.literal('wrap_up_done') }),
]);
export type AgentCommand = z.infer<typeof AgentCommandSchema>;

export const ReasonSchema = z.object({ code: z.string(), label: z.string() });
/** A 小休 reason; past `maxSeconds` the break is overrun (console warns, supervisors are told). */
export const BreakReasonSchema = ReasonSchema.extend({ maxSeconds: z.number().int().positive().optional() });
export const AgentReasonsSchema = z.object({
  notReady: z.array(ReasonSchema),
  break: z.array(BreakReasonSchema),
  /** Seconds of 整理 before the agent is made ready again. */
  wrapUpSeconds: z.number().int(),
});

export const agentStateRoutes = {
  myAgentState: route({
    method: 'GET', path: '/api/agent/state', summary: "The signed-in agent's state", tags: ['agent'], access: 'console:use',
    status: 200, response: AgentStatusSchema,
  }),
  changeMyAgentState: route({
    method: 'POST', path: '/api/agent/state', summary: '签入/签出/示闲/示忙/小休/整理完成', tags: ['agent'], access: 'console:use',
    body: AgentCommandSchema, status: 200, response: AgentStatusSchema,
  }),
  agentReasons: route({
    method: 'GET', path: '/api/agent/reasons', summary: 'Not-ready and break reasons of this site', tags: ['agent'], access: 'authenticated',
    status: 200, response: AgentReasonsSchema,
  }),
} as const;
