/** The current location hash as React state (hash routing, no router library). */
import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}

export function navigate(path: string, options?: { replace?: boolean }): void {
  if (options?.replace) window.location.replace(`#${path}`);
  else window.location.hash = path;
}
