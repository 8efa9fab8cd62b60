/** Renderer entry (web page and Electron window alike). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import { App } from './app/App';
import { installSessionListeners, restoreSession } from './services/session';

installSessionListeners();
void restoreSession();

const container = document.getElementById('root');
if (!container) throw new Error('#root missing from index.html');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
