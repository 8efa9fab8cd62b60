/** Renderer entry (web page and Electron window alike). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import { App } from './app/App';
import { installAgentStateLifecycle } from './services/agent-state';
import { installSessionListeners, restoreSession } from './services/session';
import { installScreenPop } from './services/screen-pop';
import { initSoftphone } from './services/softphone';
import { installDesktopBridge } from './services/softphone/desktop-bridge';
import { installSoftphoneLifecycle } from './services/softphone/lifecycle';
import { recordAnsweredCalls } from './services/softphone/record-calls';
import { SOFTPHONE_SETTINGS_PREFIX } from './services/softphone/settings';
import { agentMonitoring, bothHooks, installSupervisionListeners, reportLiveCalls } from './services/supervision/agent-side';

installSessionListeners();
// 坐席状态: loaded at console sign-in (签入 automatically when 签出), followed live.
installAgentStateLifecycle();
// The agent's phone: registers while an agent with an extension is 签入ed.
installDesktopBridge(
  initSoftphone({
    settingsPrefix: SOFTPHONE_SETTINGS_PREFIX,
    endedLingerMs: 2500,
    userAgentString: 'HotlineDesk console',
    onAnswered: bothHooks(recordAnsweredCalls, reportLiveCalls),
    // Supervisors' monitoring legs (监听/业务指导/强插), accepted only with a grant the backend confirms.
    monitoring: agentMonitoring,
  }),
);
installSupervisionListeners();
// 来电弹屏: ACD offers and ringing direct calls open the caller's history.
installScreenPop();
installSoftphoneLifecycle();
void restoreSession();

const container = document.getElementById('root');
if (!container) throw new Error('#root missing from index.html');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
