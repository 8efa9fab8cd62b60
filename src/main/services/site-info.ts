/**
 * Asks the configured server which SIP WebSocket servers the softphones use, so the CSP can
 * allow exactly those. Failure (server down at start) keeps the last known list: the page's
 * SIP connection is then refused until the next successful fetch and reload.
 */
import { SiteInfoSchema } from '../../shared/api/system.js';
import type { Logger } from '../log.js';

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export async function fetchSipWebSocketUrls(serverUrl: string | null, fetchFn: FetchLike, log: Logger, timeoutMs = 5000): Promise<string[] | null> {
  if (!serverUrl) return null;
  try {
    const res = await fetchFn(`${serverUrl.replace(/\/$/, '')}/api/site`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const parsed = SiteInfoSchema.safeParse(await res.json());
    if (!parsed.success) throw new Error('unexpected /api/site response');
    return parsed.data.sipWebSocketUrls;
  } catch (err) {
    log.warn('could not read the SIP servers from /api/site', err);
    return null;
  }
}
