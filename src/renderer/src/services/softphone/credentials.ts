/**
 * When to fetch fresh SIP credentials. The backend issues short-lived credentials
 * (auth_ephemeral, minutes); the softphone fetches new ones at half their lifetime, so a
 * REGISTER refresh or a call always finds valid ones even if one fetch fails and is retried.
 */

/** Never poll faster than this, even if the server hands out very short lifetimes. */
export const MIN_REFRESH_DELAY_MS = 5_000;
/** After a failed fetch. */
export const REFRESH_RETRY_MS = 15_000;

/** Delay until the next fetch, or null when the credentials do not expire. */
export function credentialRefreshDelayMs(fetchedAtMs: number, expiresAt: string | null, nowMs: number): number | null {
  if (expiresAt === null) return null;
  const expiresMs = Date.parse(expiresAt);
  if (Number.isNaN(expiresMs)) return null;
  const halfLife = fetchedAtMs + (expiresMs - fetchedAtMs) / 2;
  const left = expiresMs - nowMs;
  if (left <= MIN_REFRESH_DELAY_MS) return 0;
  return Math.max(MIN_REFRESH_DELAY_MS, halfLife - nowMs);
}

/** Delay before retrying a failed fetch: soon, and well before the old ones expire. */
export function credentialRetryDelayMs(expiresAt: string | null, nowMs: number): number {
  if (expiresAt === null) return REFRESH_RETRY_MS;
  const left = Date.parse(expiresAt) - nowMs;
  if (Number.isNaN(left)) return REFRESH_RETRY_MS;
  return Math.max(2_000, Math.min(REFRESH_RETRY_MS, left / 4));
}
