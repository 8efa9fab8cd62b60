/**
 * Navigation and pop-up policy. The window only ever shows the app origin: in-page navigation
 * elsewhere is cancelled, `window.open` is always denied, and `<webview>` is never attached.
 * Links to allow-listed https hosts (the configured server's host, for help pages and the
 * like) open in the user's browser via `shell.openExternal`, called only from here.
 */
import type { Logger } from '../log.js';
import type { OriginPolicy } from './origin.js';

/** Hosts always allowed to open externally, beyond the configured server. Empty on purpose. */
export const staticExternalHosts: readonly string[] = [];

/** Only https, no credentials, exact host match: `https://evil.com/?x=https://ok.gov.cn` fails. */
export function isAllowedExternalUrl(url: string, allowedHosts: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username || u.password) return false;
  const host = u.hostname.toLowerCase();
  return allowedHosts.some((h) => h.toLowerCase() === host);
}

/** The external allow-list for a given server URL: its host when it is served over https. */
export function externalHostsFor(serverUrl: string | null): string[] {
  const hosts = [...staticExternalHosts];
  if (serverUrl) {
    try {
      const u = new URL(serverUrl);
      if (u.protocol === 'https:') hosts.push(u.hostname.toLowerCase());
    } catch {
      // An unparsable server URL adds nothing.
    }
  }
  return hosts;
}

export type NavigationDecision = { action: 'allow' } | { action: 'deny'; openExternally: boolean };

export function decideNavigation(
  url: string,
  policy: OriginPolicy,
  allowedExternalHosts: readonly string[],
): NavigationDecision {
  if (policy.isTrustedUrl(url)) return { action: 'allow' };
  return { action: 'deny', openExternally: isAllowedExternalUrl(url, allowedExternalHosts) };
}

/** `window.open` never creates a window; at most it hands an allow-listed link to the browser. */
export function decideWindowOpen(url: string, allowedExternalHosts: readonly string[]): { openExternally: boolean } {
  return { openExternally: isAllowedExternalUrl(url, allowedExternalHosts) };
}

/** The part of Electron's `WebContents` the guards touch; real web contents satisfy it. */
export interface GuardedContentsPort {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { url: string; preventDefault(): void }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
}

export interface ShellPort {
  openExternal(url: string): Promise<void>;
}

export interface NavigationGuardDeps {
  policy: OriginPolicy;
  shell: ShellPort;
  allowedExternalHosts: () => readonly string[];
  log: Logger;
}

export function installNavigationGuards(contents: GuardedContentsPort, deps: NavigationGuardDeps): void {
  const openExternal = (url: string) => {
    deps.shell.openExternal(url).catch((err: unknown) => deps.log.warn('openExternal failed', err));
  };
  contents.setWindowOpenHandler(({ url }) => {
    if (decideWindowOpen(url, deps.allowedExternalHosts()).openExternally) openExternal(url);
    else deps.log.warn('window.open denied', { url });
    return { action: 'deny' };
  });
  const guard = (event: { url: string; preventDefault(): void }) => {
    const decision = decideNavigation(event.url, deps.policy, deps.allowedExternalHosts());
    if (decision.action === 'allow') return;
    event.preventDefault();
    if (decision.openExternally) openExternal(event.url);
    else deps.log.warn('navigation denied', { url: event.url });
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    deps.log.warn('webview attachment denied');
  });
}
