/**
 * Runs the agent's softphone while they are 签入ed (see lifecycle-key.ts): starts it when an
 * agent with an extension is signed in to the console and their agent state is not 签出
 * (services/agent-state 签入s automatically at console sign-in), and stops it (unregister +
 * disconnect) at 签出, at sign-out, or when the extension is taken away. Call once from
 * main.tsx.
 */
import { api } from '../../../../shared/api/index.js';
import { useAgentStateStore } from '../../stores/agent-state-store';
import { useSessionStore } from '../../stores/session-store';
import { createLogger } from '../log';
import { call } from '../session';
import { softphone } from './index';
import { phoneKey } from './lifecycle-key';

const log = createLogger('softphone.lifecycle');

export function installSoftphoneLifecycle(): void {
  let current: string | null = null;
  let chain: Promise<void> = Promise.resolve();
  const apply = (): void => {
    const key = phoneKey(useSessionStore.getState().view, useAgentStateStore.getState().status);
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
  apply();
  useSessionStore.subscribe(apply);
  useAgentStateStore.subscribe(apply);
}
