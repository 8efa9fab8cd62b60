/**
 * Main → renderer pushes, typed by `MainEvents`. Nothing else calls `webContents.send`.
 */
import type { MainEvents } from '../../shared/ipc.js';

export interface EventTargetPort {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export function sendToRenderer<E extends keyof MainEvents>(
  target: EventTargetPort | null | undefined,
  channel: E,
  payload: MainEvents[E],
): boolean {
  if (!target || target.isDestroyed()) return false;
  target.send(channel, payload);
  return true;
}
