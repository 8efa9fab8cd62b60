/**
 * The Content-Security-Policy main attaches to every response of `app://desktop`. Built here,
 * in one pure function, so the policy is reviewed and tested in one place. `style-src` allows
 * inline styles because antd (CSS-in-JS) injects <style> elements at runtime; scripts stay
 * strictly 'self'. The page may only talk to its own origin and the configured server (HTTP and
 * the Socket.IO/SIP WebSocket on the same origin); a new server URL needs a reload, since a
 * document's CSP is fixed when it loads.
 */

/** `https://h:8443/x` → [`https://h:8443`, `wss://h:8443`]; anything unparsable → []. */
export function serverConnectSources(serverUrl: string | null | undefined): string[] {
  if (!serverUrl) return [];
  let u: URL;
  try {
    u = new URL(serverUrl);
  } catch {
    return [];
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return [];
  if (u.username || u.password) return [];
  // u.host is already punycoded and port-normalized, and cannot hold spaces or ';'.
  const wsScheme = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return [`${u.protocol}//${u.host}`, `${wsScheme}//${u.host}`];
}

/**
 * The SIP-over-WebSocket servers the backend publishes (`/api/site` → sipWebSocketUrls), as
 * connect-src origins: only ws:/wss: URLs without credentials; anything else is dropped.
 */
export function sipConnectSources(wsUrls: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of wsUrls) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      continue;
    }
    if ((u.protocol !== 'ws:' && u.protocol !== 'wss:') || u.username || u.password) continue;
    out.add(`${u.protocol}//${u.host}`);
  }
  return [...out];
}

export function buildCsp(serverUrl: string | null | undefined, sipWebSocketUrls: readonly string[] = []): string {
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['media-src', ["'self'", 'blob:', 'mediastream:']],
    ['connect-src', ["'self'", ...new Set([...serverConnectSources(serverUrl), ...sipConnectSources(sipWebSocketUrls)])]],
    ['font-src', ["'self'", 'data:']],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}
