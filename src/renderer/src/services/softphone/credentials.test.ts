import { describe, expect, it } from 'vitest';
import { credentialRefreshDelayMs, credentialRetryDelayMs, MIN_REFRESH_DELAY_MS } from './credentials';

const t0 = Date.parse('2025-01-01T08:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

describe('credentialRefreshDelayMs', () => {
  it('refreshes at half the lifetime', () => {
    expect(credentialRefreshDelayMs(t0, iso(t0 + 600_000), t0)).toBe(300_000);
    // computed later (timer set after a slow start): still aims at the half-life
    expect(credentialRefreshDelayMs(t0, iso(t0 + 600_000), t0 + 100_000)).toBe(200_000);
  });

  it('never polls faster than the minimum, unless expiry is imminent', () => {
    expect(credentialRefreshDelayMs(t0, iso(t0 + 600_000), t0 + 400_000)).toBe(MIN_REFRESH_DELAY_MS);
    expect(credentialRefreshDelayMs(t0, iso(t0 + 8_000), t0)).toBe(MIN_REFRESH_DELAY_MS);
    expect(credentialRefreshDelayMs(t0, iso(t0 + 4_000), t0)).toBe(0);
    expect(credentialRefreshDelayMs(t0, iso(t0 - 1_000), t0)).toBe(0);
  });

  it('does not refresh credentials that never expire', () => {
    expect(credentialRefreshDelayMs(t0, null, t0)).toBeNull();
    expect(credentialRefreshDelayMs(t0, 'not a date', t0)).toBeNull();
  });
});

describe('credentialRetryDelayMs', () => {
  it('retries soon, and sooner when expiry is close', () => {
    expect(credentialRetryDelayMs(iso(t0 + 600_000), t0)).toBe(15_000);
    expect(credentialRetryDelayMs(iso(t0 + 20_000), t0)).toBe(5_000);
    expect(credentialRetryDelayMs(iso(t0 + 1_000), t0)).toBe(2_000);
    expect(credentialRetryDelayMs(null, t0)).toBe(15_000);
  });
});
