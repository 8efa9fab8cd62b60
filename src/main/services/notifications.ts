/**
 * Desktop notifications (incoming call while the window is hidden, supervisor messages).
 * Shown by main rather than the page's Notification API, so the page needs no `notifications`
 * permission and a click can focus the window. Live notifications are kept referenced until
 * closed: Electron drops the click handler of a notification that was garbage-collected.
 */
import type { z } from 'zod';
import type { NotificationSchema } from '../../shared/ipc.js';
import type { Logger } from '../log.js';

export type NotificationRequest = z.output<typeof NotificationSchema>;

/** The part of an Electron `Notification` instance used here. */
export interface NotificationPort {
  show(): void;
  on(event: 'click' | 'close' | 'failed', listener: () => void): unknown;
}

export interface NotificationPorts {
  isSupported(): boolean;
  create(options: { title: string; body: string; silent: boolean }): NotificationPort;
}

export interface Notifier {
  show(request: NotificationRequest): boolean;
  /** How many notifications are still referenced (tests, leak checks). */
  live(): number;
}

export function createNotifier(ports: NotificationPorts, focusWindow: () => void, log: Logger): Notifier {
  const live = new Set<NotificationPort>();
  return {
    show(request) {
      if (!ports.isSupported()) {
        log.warn('notifications are not supported on this desktop');
        return false;
      }
      // Silent: the renderer plays its own ringtone; a second OS sound would talk over it.
      const n = ports.create({ title: request.title, body: request.body, silent: true });
      live.add(n);
      n.on('click', () => {
        if (request.focusOnClick) focusWindow();
        live.delete(n);
      });
      n.on('close', () => live.delete(n));
      n.on('failed', () => live.delete(n));
      n.show();
      return true;
    },
    live: () => live.size,
  };
}
