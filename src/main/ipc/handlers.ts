/**
 * The implementation behind each invoke channel. Handlers receive already-validated arguments
 * (see register.ts) and delegate to services; they hold no state of their own.
 */
import type { DesktopSettings } from '../../shared/ipc.js';
import type { InvokeHandlers } from './register.js';
import type { NotificationRequest } from '../services/notifications.js';

export interface HandlerDeps {
  settings: {
    get(): DesktopSettings;
    setServerUrl(url: string): Promise<DesktopSettings>;
  };
  notify(n: NotificationRequest): void;
  focusWindow(): void;
  /** Called after the saved server's origin changed (main reloads so the CSP follows). */
  onServerOriginChanged(): void;
}

function originOrNull(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function createInvokeHandlers(deps: HandlerDeps): InvokeHandlers {
  return {
    'settings:get': () => deps.settings.get(),
    'settings:set-server-url': async (url) => {
      const before = originOrNull(deps.settings.get().serverUrl);
      const next = await deps.settings.setServerUrl(url);
      if (originOrNull(next.serverUrl) !== before) deps.onServerOriginChanged();
      return next;
    },
    'notification:show': (n) => {
      deps.notify(n);
    },
    'window:focus': () => {
      deps.focusWindow();
    },
  };
}
