/**
 * protocol/ owns `app://desktop/`, the privileged scheme that serves the bundled renderer
 * (`out/renderer/`). Serving it ourselves, rather than `file://`, gives the page a real,
 * stable origin (needed for permissions, IPC sender checks and storage) and lets main set
 * the response headers, above all the CSP, which must name the configured server.
 */
import path from 'node:path';
import type { CustomScheme } from 'electron';
import type { Logger } from '../log.js';
import { APP_HOST, APP_SCHEME } from '../security/origin.js';

/**
 * Registered before `app` is ready. `standard` gives the scheme real origins and relative URL
 * resolution; `secure` makes it a secure context (getUserMedia needs one); `supportFetchAPI`
 * lets the page fetch its own assets; `stream` lets <audio> play the ringtone from it;
 * `codeCache` keeps V8's cache for our scripts. No `bypassCSP`, no `corsEnabled`.
 */
export const appScheme: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
};

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.webm': 'audio/webm',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeFor(filePath: string): string {
  return contentTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

export type ResolvedAppPath =
  | { ok: true; filePath: string; spaFallback: boolean }
  | { ok: false; status: 400 | 403 | 404 };

/**
 * Maps `app://desktop/<path>` to a file under `rendererDir`, refusing anything that could leave
 * it. The URL parser already folds plain `../`, but percent-encoded separators (`..%2f`,
 * `%5c`) only turn into path syntax after decoding, so the decoded path is checked segment by
 * segment and the resolved result is checked for containment as well.
 */
export function resolveAppPath(rendererDir: string, requestUrl: string): ResolvedAppPath {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400 };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host.toLowerCase() !== APP_HOST) return { ok: false, status: 404 };
  let decoded: string;
  try {
    decoded = decodeURIComponent(u.pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 403 };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..' || /^[a-zA-Z]:$/.test(s))) return { ok: false, status: 403 };

  const root = path.resolve(rendererDir);
  const relative = segments.length === 0 ? 'index.html' : segments.join('/');
  const filePath = path.resolve(root, relative);
  const rel = path.relative(root, filePath);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return { ok: false, status: 403 };
  // Client-side routes (`/tickets/42`) have no file extension; they get index.html if absent.
  const spaFallback = segments.length > 0 && path.extname(relative) === '';
  return { ok: true, filePath, spaFallback };
}

export interface AppProtocolDeps {
  rendererDir: string;
  /** Called per response so a changed server URL shows up in the CSP after a reload. */
  csp: () => string;
  readFile: (filePath: string) => Promise<Uint8Array>;
  log: Logger;
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}

export function createAppProtocolHandler(deps: AppProtocolDeps): (request: Request) => Promise<Response> {
  const headersFor = (contentType: string): Headers =>
    new Headers({
      'Content-Type': contentType,
      'Content-Security-Policy': deps.csp(),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    });
  const plain = (status: number, text: string) =>
    new Response(text, { status, headers: headersFor('text/plain; charset=utf-8') });

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method Not Allowed');
    const resolved = resolveAppPath(deps.rendererDir, request.url);
    if (!resolved.ok) {
      if (resolved.status === 403) deps.log.warn('refused path outside the renderer', { url: request.url });
      return plain(resolved.status, resolved.status === 403 ? 'Forbidden' : resolved.status === 400 ? 'Bad Request' : 'Not Found');
    }
    let filePath = resolved.filePath;
    let body: Uint8Array;
    try {
      body = await deps.readFile(filePath);
    } catch (err) {
      if (!isMissing(err)) {
        deps.log.error('failed to read renderer file', err);
        return plain(500, 'Internal Server Error');
      }
      if (!resolved.spaFallback) return plain(404, 'Not Found');
      filePath = path.join(path.resolve(deps.rendererDir), 'index.html');
      try {
        body = await deps.readFile(filePath);
      } catch {
        return plain(404, 'Not Found');
      }
    }
    const headers = headersFor(contentTypeFor(filePath));
    headers.set('Content-Length', String(body.byteLength));
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers });
  };
}
