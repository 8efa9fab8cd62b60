/**
 * security/ owns every trust decision main makes about web content: which origin is "ours",
 * the CSP, permissions, navigation and pop-ups. Decisions are pure functions; the `install*`
 * helpers only attach them to Electron objects.
 *
 * This file defines the app's own origin. The bundled renderer is served from
 * `app://desktop/` (see protocol/app-protocol.ts); during `electron-vite dev` the Vite dev
 * server's origin is trusted as well, but only when main is not packaged.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'desktop';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Which URLs and origins main treats as the app itself (IPC senders, permissions, navigation). */
export interface OriginPolicy {
  /** What the main window loads. */
  readonly entryUrl: string;
  isTrustedUrl(url: string): boolean;
  /** Accepts a serialized origin (`app://desktop`) or any URL on it. */
  isTrustedOrigin(origin: string): boolean;
}

/**
 * Serializes an origin ourselves: Node's WHATWG `URL#origin` is the string "null" for
 * non-special schemes such as `app:`, so comparing `.origin` would trust nothing (or, worse,
 * every opaque origin alike).
 */
export function originOf(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.username || u.password || !u.host) return null;
  return `${u.protocol}//${u.host.toLowerCase()}`;
}

export function createOriginPolicy(devServerUrl?: string | null): OriginPolicy {
  const trusted = new Set<string>([APP_ORIGIN]);
  const devOrigin = devServerUrl ? originOf(devServerUrl) : null;
  if (devOrigin && /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(devOrigin)) {
    trusted.add(devOrigin);
  }
  const isTrustedOrigin = (origin: string) => {
    const o = originOf(origin);
    return o !== null && trusted.has(o);
  };
  return {
    entryUrl: devOrigin && trusted.has(devOrigin) && devServerUrl ? devServerUrl : APP_ENTRY_URL,
    isTrustedUrl: isTrustedOrigin,
    isTrustedOrigin,
  };
}
