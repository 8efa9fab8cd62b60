/**
 * Wait, talk, hold and after-call-work times of a call leg, derived from its timestamps and
 * nowhere else (issue 4 "Call records"): reports, the agent's home page and the screen pop
 * all call this, so a KPI can never disagree with the record it came from.
 */
export interface CallTimestamps {
  arrivedAt: Date | string;
  answeredAt: Date | string | null;
  endedAt: Date | string | null;
  wrapUpEndedAt: Date | string | null;
  holds: { heldAt: Date | string; resumedAt: Date | string | null }[];
}

/** Seconds (millisecond precision); null while the period has not happened or not ended. */
export interface CallTimes {
  /** Arrival → answer, or → end for a call nobody answered (abandoned, overflowed, missed). */
  waitSeconds: number | null;
  /** Answer → end, minus hold. */
  talkSeconds: number | null;
  holdSeconds: number;
  /** End → the agent finished 整理 (after-call work). */
  afterCallWorkSeconds: number | null;
}

const ms = (d: Date | string) => (typeof d === 'string' ? Date.parse(d) : d.getTime());
const secs = (n: number) => Math.max(0, n) / 1000;

export function deriveCallTimes(t: CallTimestamps): CallTimes {
  const arrived = ms(t.arrivedAt);
  const answered = t.answeredAt === null ? null : ms(t.answeredAt);
  const ended = t.endedAt === null ? null : ms(t.endedAt);
  let holdMs = 0;
  for (const h of t.holds) {
    // A hold still open when the call ended lasted until the end.
    const until = h.resumedAt !== null ? ms(h.resumedAt) : ended;
    if (until !== null) holdMs += Math.max(0, until - ms(h.heldAt));
  }
  const waitEnd = answered ?? ended;
  return {
    waitSeconds: waitEnd === null ? null : secs(waitEnd - arrived),
    talkSeconds: answered === null || ended === null ? null : secs(ended - answered - holdMs),
    holdSeconds: secs(holdMs),
    afterCallWorkSeconds: ended === null || t.wrapUpEndedAt === null ? null : secs(ms(t.wrapUpEndedAt) - ended),
  };
}

/** 15秒接通率 counts answered calls whose wait was at most this (GB/T 33358). */
export const ANSWER_TARGET_SECONDS = 15;
