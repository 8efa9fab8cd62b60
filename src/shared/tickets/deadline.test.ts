import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCalendarDays, chinaDate, computeDue, endOfChinaDay, extendDue, slaState, WorkCalendar, type SlaTerms } from './deadline.js';

const cal = new WorkCalendar();
const at = (s: string) => new Date(s);
const wd = (amount: number, startRule: SlaTerms['startRule'] = 'next_day'): SlaTerms => ({ unit: 'working_days', amount, startRule });

describe('deadlines on the Chinese working calendar', () => {
  it('knows National Day 2025 and its make-up working days (Sun 28 Sep, Sat 11 Oct)', () => {
    expect(cal.isWorkday('2025-09-28')).toBe(true); // Sunday, 调休上班
    expect(cal.isWorkday('2025-10-01')).toBe(false);
    expect(cal.isWorkday('2025-10-08')).toBe(false);
    expect(cal.isWorkday('2025-10-09')).toBe(true);
    expect(cal.isWorkday('2025-10-11')).toBe(true); // Saturday, 调休上班
    expect(cal.isWorkday('2025-10-12')).toBe(false);
  });

  it('counts across National Day 2025: received Tue 30 Sep, 3 working days from the next day → Sat 11 Oct (调休)', () => {
    // 1 Oct–8 Oct off; 9 Oct (Thu) = 1, 10 Oct (Fri) = 2, 11 Oct (Sat, make-up day) = 3.
    expect(computeDue(at('2025-09-30T10:00:00+08:00'), wd(3), cal).toISOString()).toBe(endOfChinaDay('2025-10-11').toISOString());
    expect(computeDue(at('2025-09-30T10:00:00+08:00'), wd(4), cal)).toEqual(endOfChinaDay('2025-10-13'));
    // Same-day start: 30 Sep counts as day 1.
    expect(computeDue(at('2025-09-30T10:00:00+08:00'), wd(3, 'same_day'), cal)).toEqual(endOfChinaDay('2025-10-10'));
    // Received late on 27 Sep (Sat, off) UTC+8 — the next day (Sun 28, make-up) is day 1.
    expect(computeDue(at('2025-09-27T23:30:00+08:00'), wd(1, 'same_day'), cal)).toEqual(endOfChinaDay('2025-09-28'));
  });

  it('counts across Spring Festival 2026 (15–23 Feb off, Sat 14 Feb and Sat 28 Feb worked)', () => {
    expect(cal.isWorkday('2026-02-14')).toBe(true);
    expect(cal.isWorkday('2026-02-28')).toBe(true);
    // Received Fri 13 Feb: 14 Feb (Sat, 调休) = 1, then 24, 25, 26, 27 Feb = 2..5, 28 Feb (Sat, 调休) = 6.
    expect(computeDue(at('2026-02-13T09:00:00+08:00'), wd(6), cal)).toEqual(endOfChinaDay('2026-02-28'));
    expect(computeDue(at('2026-02-13T09:00:00+08:00'), wd(7), cal)).toEqual(endOfChinaDay('2026-03-02'));
  });

  it('uses China time for the day of receipt (UTC evening is the next day in China)', () => {
    expect(chinaDate(at('2025-09-29T17:00:00Z'))).toBe('2025-09-30');
    expect(computeDue(at('2025-09-29T17:00:00Z'), wd(3), cal)).toEqual(endOfChinaDay('2025-10-11'));
  });

  it('hour-based limits ignore the calendar; extensions add working days after the due day', () => {
    expect(computeDue(at('2025-10-01T10:00:00+08:00'), { unit: 'hours', amount: 2, startRule: 'same_day' }, cal)).toEqual(at('2025-10-01T12:00:00+08:00'));
    expect(extendDue(endOfChinaDay('2025-09-30'), 2, cal)).toEqual(endOfChinaDay('2025-10-10'));
  });

  it('an admin override wins over the package for that date', () => {
    const o = new WorkCalendar({ '2025-10-11': false, '2025-10-03': true });
    expect(o.isWorkday('2025-10-11')).toBe(false);
    expect(computeDue(at('2025-09-30T10:00:00+08:00'), wd(3), o)).toEqual(endOfChinaDay('2025-10-10'));
  });

  it('working-day deadlines never fall on a non-working day, and are never earlier than the limit allows', () => {
    const start = fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2026-11-30T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 20 }), fc.constantFrom('same_day' as const, 'next_day' as const), (s, n, rule) => {
        const due = computeDue(s, wd(n, rule), cal);
        const day = chinaDate(due);
        expect(cal.isWorkday(day)).toBe(true);
        expect(due).toEqual(endOfChinaDay(day));
        // Exactly n working days in (receipt, due], plus the receipt day when it counts.
        let count = rule === 'same_day' && cal.isWorkday(chinaDate(s)) ? 1 : 0;
        for (let d = addCalendarDays(chinaDate(s), 1); d <= day; d = addCalendarDays(d, 1)) if (cal.isWorkday(d)) count++;
        expect(count).toBe(n);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('SLA state: normal, near due within the warning window, overdue after', () => {
    const due = at('2025-10-10T23:59:59.999+08:00');
    expect(slaState(at('2025-10-09T00:00:00+08:00'), due, 24)).toBe('normal');
    expect(slaState(at('2025-10-10T08:00:00+08:00'), due, 24)).toBe('near_due');
    expect(slaState(at('2025-10-11T00:00:00+08:00'), due, 24)).toBe('overdue');
    expect(slaState(at('2025-10-11T00:00:00+08:00'), null, 24)).toBe('normal');
  });
});
