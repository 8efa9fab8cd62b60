import { describe, expect, it } from 'vitest';
import { msUntilNextLocalDay, startOfLocalDay } from './call-kpis.js';

describe('local day boundaries', () => {
  it('today starts at local midnight', () => {
    expect(startOfLocalDay(new Date(2026, 0, 31, 23, 59, 59, 999))).toEqual(new Date(2026, 0, 31));
    expect(startOfLocalDay(new Date(2026, 1, 1, 0, 0, 0, 0))).toEqual(new Date(2026, 1, 1));
  });

  it('the next day is counted to the following local midnight, across month and year ends', () => {
    expect(msUntilNextLocalDay(new Date(2026, 0, 31, 23, 59, 59, 0))).toBe(1000);
    expect(msUntilNextLocalDay(new Date(2026, 11, 31, 12, 0, 0, 0))).toBe(12 * 3600_000);
    // At midnight itself, a whole day remains (the reload for this day already happened).
    expect(msUntilNextLocalDay(new Date(2026, 1, 28, 0, 0, 0, 0))).toBe(24 * 3600_000);
  });
});
