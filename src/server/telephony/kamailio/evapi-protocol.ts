/**
 * The messages between our Kamailio and the backend on the evapi socket (JSON in
 * netstrings), matching deploy/kamailio/kamailio.cfg.tpl. Kamailio → backend: call facts,
 * each with the Call-ID, and for a suspended transaction its tm index and label. Backend →
 * Kamailio: "hello" (authenticates the connection) and decisions that resume a suspended
 * transaction. Only this file and the config template know these shapes.
 */
import { z } from 'zod';

/** tm identifies a transaction by hash index and label; both are needed to resume it. */
const suspended = { callId: z.string().min(1), index: z.number().int().nonnegative(), label: z.number().int().nonnegative() };

export const kamailioEventSchema = z.discriminatedUnion('t', [
  /** Kamailio accepted our hello: decisions are accepted from now on. */
  z.object({ t: z.literal('hello') }),
  /** A call reached a queue number; the caller hears ringback, the transaction is suspended. */
  /** With trunk, ftag and sdp when the call came from a trunk through our media bridge (the voice service can answer it with early media). */
  z.object({ t: z.literal('arrived'), ...suspended, dialled: z.string(), caller: z.string(), trunk: z.string().optional(), ftag: z.string().optional(), sdp: z.string().optional() }),
  /** The offered agent did not take the call (final SIP status of the branch); suspended again. */
  z.object({ t: z.literal('offer-failed'), ...suspended, agentId: z.string(), code: z.number().int() }),
  /** 2xx to the INVITE; agentId is the offered agent (queue calls), absent for other legs. */
  z.object({ t: z.literal('answered'), callId: z.string().min(1), agentId: z.string().optional(), ftag: z.string().optional() }),
  /** Queue call: the caller cancelled while waiting or while an agent rang. Other legs: unanswered for any reason. */
  z.object({ t: z.literal('abandoned'), callId: z.string().min(1) }),
  /** An INVITE that is not a queue call reached a registered extension (user parts of From and R-URI). */
  z.object({ t: z.literal('leg'), callId: z.string().min(1), caller: z.string(), called: z.string(), referredBy: z.string().optional() }),
  /** A re-INVITE of an answered call from one side: "hold" (sendonly/inactive) or "active". */
  z.object({ t: z.literal('media'), callId: z.string().min(1), from: z.enum(['caller', 'callee']), dir: z.enum(['hold', 'active']) }),
  z.object({ t: z.literal('ended'), callId: z.string().min(1), by: z.enum(['caller', 'agent']) }),
  /** Kamailio gave up on the call (no decision within its wait cap, or no branch left). */
  z.object({ t: z.literal('lost'), callId: z.string().min(1), reason: z.string() }),
  /** A decision arrived for a transaction that is gone or no longer suspended. */
  z.object({ t: z.literal('dropped'), callId: z.string(), decision: z.string() }),
]);
export type KamailioEvent = z.infer<typeof kamailioEventSchema>;

export type BackendMessage =
  | { t: 'hello'; secret: string }
  | { t: 'offer'; index: number; label: number; callId: string; agentId: string; extension: string; ringSeconds: number }
  | { t: 'reply'; index: number; label: number; callId: string; status: number; reason: string };
