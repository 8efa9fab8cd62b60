/**
 * Caller simulator entry (sim/caller.html): a citizen's phone for demos and tests. Uses the
 * same softphone engine as the console, with its own settings prefix (`hotline.sim`).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../i18n';
import { initSoftphone } from '../services/softphone';
import { CallerSimulator } from './CallerSimulator';

// Keep the last call (and why it ended) on screen until the next one.
initSoftphone({ settingsPrefix: 'hotline.sim', endedLingerMs: null, userAgentString: 'HotlineDesk caller-simulator' });

const container = document.getElementById('root');
if (!container) throw new Error('#root missing from caller.html');
createRoot(container).render(
  <StrictMode>
    <CallerSimulator />
  </StrictMode>,
);
