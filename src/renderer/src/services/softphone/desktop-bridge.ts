/**
 * Electron only: global hotkeys (接听 / 挂断 / 静音) act on the phone, and an incoming call
 * raises a system notification (clicking it focuses the window). No-op in a browser.
 */
import { i18next } from '../../i18n';
import { currentCall, ringingCall, useSoftphoneStore } from '../../stores/softphone-store';
import { desktopApi } from '../desktop';
import { createLogger } from '../log';
import type { Softphone } from './softphone';

const log = createLogger('softphone.desktop');

export function installDesktopBridge(phone: Softphone): void {
  const desktop = desktopApi();
  if (!desktop) return;
  desktop.onHotkey((key) => {
    const calls = useSoftphoneStore.getState().calls;
    const ringing = ringingCall(calls);
    const call = currentCall(calls);
    const live = call && call.status !== 'ended' ? call : null;
    switch (key) {
      case 'answer':
        if (ringing) void phone.answer(ringing.id);
        return;
      case 'hangup':
        if (live) phone.hangup(live.id);
        return;
      case 'toggle-mute':
        if (live) phone.setMute(live.id, !live.muted);
        return;
      case 'toggle-ready':
        return; // the agent-state machine's
      default:
        return;
    }
  });
  useSoftphoneStore.subscribe((s, prev) => {
    const now = ringingCall(s.calls);
    if (!now || ringingCall(prev.calls)?.id === now.id) return;
    desktop
      .notify({ title: i18next.t('softphone.incoming'), body: now.remoteNumber, focusOnClick: true })
      .catch((err: unknown) => log.warn('notification failed', err));
  });
}
