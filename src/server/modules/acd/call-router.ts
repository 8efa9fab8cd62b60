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
  /**
   * (Added with the ACD service.) Whether this node's SIP side holds the call, i.e. can
   * deliver a decision for it. Any backend node may make a decision (e.g. the one where an
   * agent became ready); when the local sink does not hold the call, the ACD passes the
   * decision to the other nodes through the database. Omitted: the sink holds every call.
   */
  holds?(callId: string): boolean;
}

/**
 * (Added with the ACD service.) A leg that does not go through a queue: an agent's outbound
 * call or callback (回拨), an internal call between extensions, or the new leg a transfer
 * creates. The ACD records it and moves the agents' states (dial / offer / answer / end).
 * Its answer, end and hold are reported with the same `answered`, `ended`, `abandoned`,
 * `held`, `resumed` facts as queue calls, keyed by this leg's `callId`.
 */
export interface CallLegStart {
  /** SIP Call-ID of this leg. */
  callId: string;
  direction: 'outbound' | 'internal' | 'transfer';
  caller: string;
  called: string;
  /** The agent who dialled (outbound, internal from an agent's extension), else null. Ignored for transfers: the transferring agent's part ends with the parent leg. */
  fromAgentId: string | null;
  /** The agent whose extension rings (internal call or transfer to an agent), else null. */
  toAgentId: string | null;
  /** transfer: Call-ID of the leg this one continues; that leg ends with result 'transferred'. */
  parentCallId: string | null;
  /** outbound: the 漏接电话回拨 task this call works (answered → the task is done). */
  callbackTaskId: string | null;
  at: Date;
}

/**
 * Implemented by the ACD. Every method is idempotent per (callId, fact). Facts about calls
 * the ACD does not know (or no longer considers live) are ignored, never errors.
 */
export interface CallRouter {
  /** Queue the call; decisions follow through the sink. */
  arrived(call: CallArrival): Promise<void>;
  /** The offered agent did not take it: the ACD offers the next agent (or overflows). */
  offerFailed(callId: string, agentId: string, failure: OfferFailure, at: Date): Promise<void>;
  /**
   * The call was answered. Queue calls: by the offered agent. Non-queue legs (added): the
   * agent who picked up (internal/transfer), or the dialling agent when the citizen answered.
   */
  answered(callId: string, agentId: string, at: Date): Promise<void>;
  /** The caller gave up (CANCEL or hang-up) before an agent answered. Non-queue legs (added): unanswered → result 'missed'. */
  abandoned(callId: string, at: Date): Promise<void>;
  /**
   * (Added with the voice service.) The caller hung up during the welcome or the menu, before
   * the call reached a queue: it still gets a call record (abandoned, never queued) and, as a
   * missed call, a callback task. `call.dialled` is the number the caller dialled; `queueNumber`
   * the queue the call is counted against (the one it would have gone to without input).
   * Optional: SIP sides without a voice service never report it.
   */
  leftBeforeQueue?(call: CallArrival, queueNumber: string, at: Date): Promise<void>;
  /** An answered call ended (BYE from either side). */
  ended(callId: string, by: 'caller' | 'agent' | 'system', at: Date): Promise<void>;
  /** (Added.) A non-queue leg started ringing (see CallLegStart). */
  legStarted(leg: CallLegStart): Promise<void>;
  /** (Added.) The agent put the far end on hold (re-INVITE sendonly/inactive, or the console said so). */
  held(callId: string, agentId: string, at: Date): Promise<void>;
  /** (Added.) The agent took the far end off hold. */
  resumed(callId: string, agentId: string, at: Date): Promise<void>;
}
