/**
 * Reconnect/re-register schedule: exponential with a cap, and jitter so a whole call centre
 * does not reconnect in the same millisecond after the SIP server restarts.
 * Attempt 0 is the first retry after a loss.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay that is randomised downwards: delay ∈ [d·(1−jitter), d]. */
  jitter: number;
}

export const reconnectBackoff: BackoffPolicy = { baseMs: 500, maxMs: 30_000, jitter: 0.4 };

export function backoffDelayMs(attempt: number, policy: BackoffPolicy = reconnectBackoff, random: () => number = Math.random): number {
  const exp = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exp);
  return Math.round(ceiling * (1 - policy.jitter * random()));
}
