/**
 * Auto-update placeholder. Deliberately a no-op: electron-updater is not a dependency yet.
 *
 * TODO(updates): updates will be served by our own backend, not GitHub: electron-builder's
 * `generic` provider at `<serverUrl>/updates/` (latest.yml / latest-linux*.yml plus the
 * installers), which also works on isolated government networks. Wiring it means adding
 * electron-updater, calling `autoUpdater.setFeedURL({ provider: 'generic', url })` with the
 * configured server, checking on start and every few hours, and installing only when the agent
 * is not on a call (ask the renderer). Per-machine NSIS installs need elevation to update, so
 * sites whose agents are not administrators should push new versions with `/S` instead.
 */
import type { Logger } from '../log.js';

export interface Updater {
  start(): void;
  stop(): void;
}

/** Where the generic provider would look for a given server (kept here so the URL is decided once). */
export function updateFeedUrl(serverUrl: string | null): string | null {
  if (!serverUrl) return null;
  try {
    return new URL('/updates/', serverUrl).toString();
  } catch {
    return null;
  }
}

export function createUpdater(getServerUrl: () => string | null, log: Logger): Updater {
  return {
    start() {
      log.debug('auto-update not implemented yet', { feed: updateFeedUrl(getServerUrl()) });
    },
    stop() {},
  };
}
