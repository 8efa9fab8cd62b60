/**
 * Feature detection for the Electron bridge. `window.desktop` is built by preload from the
 * contract in shared/ipc.ts; in web mode it is absent and every caller must cope.
 */
import type { DesktopApi } from '../../../shared/ipc.js';

declare global {
  interface Window {
    /** Present only inside the Electron app. */
    readonly desktop?: DesktopApi;
  }
}

/** The desktop bridge, or null in a browser. */
export function desktopApi(): DesktopApi | null {
  return typeof window !== 'undefined' && window.desktop ? window.desktop : null;
}

export function isDesktop(): boolean {
  return desktopApi() !== null;
}
