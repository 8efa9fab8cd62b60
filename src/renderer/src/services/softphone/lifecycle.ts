/**
 * Starts the agent's softphone when someone who may use the console (console:use) and has
 * an extension is signed in, and stops it (unregister + disconnect) on sign-out or when the
 * extension is taken away. Call once from main.tsx.
 */
import { api } from '../../../../shared/api/index.js';
import { can } from '../../../../shared/roles.js';
import { useSessionStore, type SessionView } from '../../stores/session-store';
import { createLogger } from '../log';
import { call } from '../session';
import { softphone } from './index';

const log = createLogger('softphone.lifecycle');

function phoneKey(view: SessionView): string | null {
  if (view.status !== 'signed-in') return null;
  const { user } = view;
  return can(user.roles, 'console:use') && user.extension ? `${user.id}:${user.extension}` : null;
}

export function installSoftphoneLifecycle(): void {
  let current: string | null = null;
  let chain: Promise<void> = Promise.resolve();
  const apply = (view: SessionView): void => {
    const key = phoneKey(view);
    if (key === current) return;
    current = key;
    // Serialise: a stop must finish (unregister) before the next start.
    chain = chain
      .then(async () => {
        const phone = softphone();
        if (phone.running) await phone.stop();
        if (key !== null && key === current) await phone.start(() => call(api.sipProfile));
      })
      .catch((err: unknown) => log.warn('softphone start/stop failed', err));
  };
  apply(useSessionStore.getState().view);
  useSessionStore.subscribe((s) => apply(s.view));
}
