/**
 * The boundary between the SIP server and the ACD: what the SIP server reports about calls,
 * and the routing decisions the ACD sends back. The Kamailio adapter (telephony/kamailio/)
 * implements the SIP side over evapi; the ACD (this folder) implements `CallRouter`.
 * Neither side knows the other's internals; both are tested against this contract.
 */

/** A call reached a queue number (or a trunk DID mapped to a queue). */
export interface CallArrival {
  /** SIP Call-ID of the caller's INVITE: the call's identity everywhere (records, states, screen pop). */
  callId: string;
  /** The number dialled (e.g. "12345"): the ACD maps it to a queue. */
  dialled: string;
  /** The caller's number as received (normalised by the ACD). */
  caller: string;
  /** Named trunk the call came in on; null for internal/browser callers. */
  trunk: string | null;
  at: Date;
}

export type OfferFailure = 'no_answer' | 'busy' | 'rejected' | 'unavailable';

/** Routing decisions, pushed to the SIP server when the ACD has decided (maybe much later). */
export type RoutingDecision =
  /** Ring this agent's extension for at most `ringSeconds`. */
  | { kind: 'offer'; callId: string; agentId: string; extension: string; ringSeconds: number }
  /** No agent in time / queue full / closed: the caller is told and a callback task exists. */
  | { kind: 'overflow'; callId: string; reason: 'max_wait' | 'queue_full' | 'closed' }
  /** Not a queue we serve, or the ACD refuses the call (SIP status and reason phrase). */
  | { kind: 'reject'; callId: string; status: number; reason: string };

export interface RoutingDecisionSink {
  decide(decision: RoutingDecision): void;
}

/** Implemented by the ACD. Every method is idempotent per (callId, fact). */
export interface CallRouter {
  /** Queue the call; decisions follow through the sink. */
  arrived(call: CallArrival): Promise<void>;
  /** The offered agent did not take it: the ACD offers the next agent (or overflows). */
  offerFailed(callId: string, agentId: string, failure: OfferFailure, at: Date): Promise<void>;
  answered(callId: string, agentId: string, at: Date): Promise<void>;
  /** The caller gave up (CANCEL or hang-up) before an agent answered. */
  abandoned(callId: string, at: Date): Promise<void>;
  /** An answered call ended (BYE from either side). */
  ended(callId: string, by: 'caller' | 'agent' | 'system', at: Date): Promise<void>;
}
