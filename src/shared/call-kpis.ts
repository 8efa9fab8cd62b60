/**
 * Today's call KPIs for the wallboard, per agent and per queue, with the definitions of the
 * domain notes (GB/T 33358 and local practice) — computed here only, from call-record facts,
 * so the wallboard, the agent home and reports cannot disagree on what a figure means.
 *
 * - 接通率 (answer rate) = queue calls answered by an agent ÷ queue calls that reached a
 *   result (answered + abandoned + overflowed). Calls still waiting or ringing are not in it.
 * - 15秒接通率 = answered within ANSWER_TARGET_SECONDS of arrival ÷ answered.
 * - AHT (average handle time) = (talk + hold + after-call work) ÷ handled calls, a handled
 *   call being an answered one whose 整理 has ended (a call joins the average then).
 * Rates are null when their denominator is 0 (no "0 %" on a quiet morning).
 */
import { ANSWER_TARGET_SECONDS, deriveCallTimes, type CallTimestamps } from './call-times.js';

/** Offer outcomes that count as a miss for the agent (rang out or declined; a caller's hang-up while ringing does not). */
export const MISSED_OFFER_OUTCOMES = ['no_answer', 'rejected'] as const;

export interface AgentDayFigures {
  /** Incoming legs (queue calls and transfers to the agent) answered today. */
  answered: number;
  /** Queue offers that rang out or were declined at this agent today. */
  missed: number;
  /** Answered calls whose after-call work has ended (the AHT's denominator). */
  handled: number;
  /** (talk + hold + after-call work) ÷ handled, seconds; null before the first handled call. */
  avgHandleSeconds: number | null;
}

/** One of the agent's answered incoming legs today. */
export type AnsweredLeg = CallTimestamps;

export function agentDayFigures(answeredLegs: AnsweredLeg[], missed: number): AgentDayFigures {
  let handled = 0;
  let total = 0;
  for (const leg of answeredLegs) {
    const t = deriveCallTimes(leg);
    if (t.talkSeconds === null || t.afterCallWorkSeconds === null) continue;
    handled++;
    total += t.talkSeconds + t.holdSeconds + t.afterCallWorkSeconds;
  }
  return { answered: answeredLegs.length, missed, handled, avgHandleSeconds: handled ? total / handled : null };
}

/** Counts of a queue's calls that arrived today, as the database aggregates them. */
export interface QueueDayCounts {
  answered: number;
  /** Answered with a wait (arrival → answer) of at most ANSWER_TARGET_SECONDS. */
  answeredWithinTarget: number;
  abandoned: number;
  overflowed: number;
}

export interface QueueDayFigures extends QueueDayCounts {
  /** 接通率: answered ÷ (answered + abandoned + overflowed); null while 0 ÷ 0. */
  answerRate: number | null;
  /** 15秒接通率: answeredWithinTarget ÷ answered; null while nothing was answered. */
  answerWithinTargetRate: number | null;
  targetSeconds: number;
}

export function queueDayFigures(c: QueueDayCounts): QueueDayFigures {
  const finished = c.answered + c.abandoned + c.overflowed;
  return {
    ...c,
    answerRate: finished ? c.answered / finished : null,
    answerWithinTargetRate: c.answered ? c.answeredWithinTarget / c.answered : null,
    targetSeconds: ANSWER_TARGET_SECONDS,
  };
}

/** Local midnight on this machine (sites run in their own time zone, Asia/Shanghai): where "today" starts. */
export function startOfLocalDay(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

/** Milliseconds from `now` to the next local midnight, when every "today" figure starts again. */
export function msUntilNextLocalDay(now: Date): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime() - now.getTime();
}
