import { describe, expect, it } from 'vitest';
import { backoffDelayMs, reconnectBackoff } from './backoff';

describe('backoffDelayMs', () => {
  it('doubles from the base up to the cap without jitter', () => {
    const policy = { baseMs: 500, maxMs: 30_000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n, policy))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });

  it('jitters downwards within the configured fraction', () => {
    expect(backoffDelayMs(3, reconnectBackoff, () => 0)).toBe(4000);
    expect(backoffDelayMs(3, reconnectBackoff, () => 1)).toBe(2400);
    expect(backoffDelayMs(3, reconnectBackoff, () => 0.5)).toBe(3200);
  });

  it('spreads a crowd of clients out', () => {
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4, reconnectBackoff, random)));
    expect(delays.size).toBeGreaterThan(40);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(4800);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });

  it('survives silly attempt numbers', () => {
    expect(backoffDelayMs(-3, { baseMs: 500, maxMs: 30_000, jitter: 0 })).toBe(500);
    expect(backoffDelayMs(10_000, { baseMs: 500, maxMs: 30_000, jitter: 0 })).toBe(30_000);
  });
});
