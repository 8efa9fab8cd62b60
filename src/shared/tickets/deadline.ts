/**
 * Ticket deadlines (办理时限): working days on the Chinese official calendar (holidays and
 * make-up working days 调休, from the maintained `chinese-days` data, overridable per date by
 * an admin), or plain hours. Dates are calendar days in China Standard Time (UTC+8, no DST);
 * a working-day deadline ends at 23:59:59.999 of its last day there.
 */
import chineseDays from 'chinese-days';

/** Per-date admin overrides: `true` = working day, `false` = day off. Keys are YYYY-MM-DD. */
export type CalendarOverrides = Readonly<Record<string, boolean>>;

const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The calendar day (YYYY-MM-DD) an instant falls on in China. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The last millisecond of a China calendar day, as an instant. */
export function endOfChinaDay(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - CST_OFFSET_MS + DAY_MS - 1);
}

export function addCalendarDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export class WorkCalendar {
  constructor(readonly overrides: CalendarOverrides = {}) {}

  isWorkday(date: string): boolean {
    const o = this.overrides[date];
    if (o !== undefined) return o;
    return chineseDays.isWorkday(date);
  }

  /** The date `n` ≥ 1 working days after `date` (not counting `date` itself). */
  addWorkingDays(date: string, n: number): string {
    let cursor = date;
    let left = n;
    for (let guard = 0; left > 0; guard++) {
      if (guard > 3660) throw new Error('no working days within ten years: check the calendar overrides');
      cursor = addCalendarDays(cursor, 1);
      if (this.isWorkday(cursor)) left--;
    }
    return cursor;
  }
}

export type SlaUnit = 'working_days' | 'hours';
/** same_day: the day of receipt counts as day 1 when it is a working day; next_day: counting starts the day after. */
export type SlaStartRule = 'same_day' | 'next_day';

export interface SlaTerms {
  unit: SlaUnit;
  amount: number;
  startRule: SlaStartRule;
}

/** When a ticket received (or reopened, dispatched…) at `start` is due under `terms`. */
export function computeDue(start: Date, terms: SlaTerms, cal: WorkCalendar): Date {
  if (!(terms.amount > 0)) throw new Error('SLA amount must be positive');
  if (terms.unit === 'hours') return new Date(start.getTime() + terms.amount * 3600_000);
  const day = chinaDate(start);
  if (terms.startRule === 'same_day' && cal.isWorkday(day)) {
    return endOfChinaDay(terms.amount === 1 ? day : cal.addWorkingDays(day, terms.amount - 1));
  }
  return endOfChinaDay(cal.addWorkingDays(day, terms.amount));
}

/** An approved extension: `workingDays` more working days after the current due day. */
export function extendDue(due: Date, workingDays: number, cal: WorkCalendar): Date {
  return endOfChinaDay(cal.addWorkingDays(chinaDate(due), workingDays));
}

export type SlaState = 'normal' | 'near_due' | 'overdue';

export const slaStateLabel: Record<SlaState, string> = { normal: '正常', near_due: '临期', overdue: '超期' };

/** 正常 / 临期 (within `warnHours` of the due time) / 超期. */
export function slaState(now: Date, due: Date | null, warnHours: number): SlaState {
  if (!due) return 'normal';
  const left = due.getTime() - now.getTime();
  if (left < 0) return 'overdue';
  return left <= warnHours * 3600_000 ? 'near_due' : 'normal';
}
