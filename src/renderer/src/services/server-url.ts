/**
 * Where the backend lives. Web mode: the origin that served this page. Desktop mode: the
 * URL the user entered on the sign-in page, remembered by main (window.desktop.settings).
 */
import { desktopApi } from './desktop';

/** Normalises a user-entered server URL: http(s) only, no trailing slash, no query/hash. */
export function normalizeServerUrl(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path}`;
}

let cached: string | null | undefined;

/** The backend base URL, or null when a desktop user has not entered one yet. */
export async function resolveServerUrl(): Promise<string | null> {
  if (cached !== undefined) return cached;
  const desktop = desktopApi();
  if (!desktop) {
    cached = window.location.origin;
    return cached;
  }
  const settings = await desktop.settings.get();
  cached = settings.serverUrl ? normalizeServerUrl(settings.serverUrl) : null;
  return cached;
}

/** The base URL if already known (synchronous), for code that cannot wait. */
export function knownServerUrl(): string | null {
  if (cached !== undefined) return cached;
  return desktopApi() ? null : window.location.origin;
}

/** Desktop only: remembers a new server URL through main. */
export async function changeServerUrl(input: string): Promise<string> {
  const desktop = desktopApi();
  const normalized = normalizeServerUrl(input);
  if (!desktop) throw new Error('changeServerUrl is desktop-only');
  if (!normalized) throw new Error('invalid server URL');
  const settings = await desktop.settings.setServerUrl(normalized);
  cached = settings.serverUrl ? normalizeServerUrl(settings.serverUrl) : normalized;
  return cached ?? normalized;
}
