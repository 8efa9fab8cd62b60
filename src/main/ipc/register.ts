/**
 * ipc/ owns renderer → main requests and main → renderer pushes, typed by src/shared/ipc.ts.
 *
 * This file is the ONLY place that calls `ipcMain.handle`. Every channel of `invokeChannels`
 * gets one handler that, in this order: (1) refuses senders whose frame is not on the app
 * origin, (2) validates the arguments with the channel's schema, (3) calls the typed handler
 * with the parsed values, (4) validates the result before it crosses back. The sender check
 * is deliberately "trusted → continue", with a test per branch: GitHub Desktop once shipped
 * it inverted.
 */
import {
  invokeChannels,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
} from '../../shared/ipc.js';
import type { Logger } from '../log.js';
import type { OriginPolicy } from '../security/origin.js';

/** One implementation per channel; a missing or extra channel is a compile error. */
export type InvokeHandlers = {
  [C in InvokeChannel]: (...args: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>>;
};

/** What the wrapper reads from an invoke event: only the sending frame's URL. */
export interface InvokeEventLike {
  readonly senderFrame: { readonly url: string } | null;
}

/** The part of `ipcMain` used here; the real `ipcMain` satisfies it. */
export interface IpcMainPort {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export class IpcRejectedError extends Error {
  constructor(
    readonly channel: string,
    readonly reason: 'untrusted-sender' | 'invalid-arguments' | 'invalid-result',
  ) {
    super(`IPC ${channel} rejected: ${reason}`);
    this.name = 'IpcRejectedError';
  }
}

export function isTrustedSender(event: InvokeEventLike, policy: OriginPolicy): boolean {
  const url = event.senderFrame?.url;
  return typeof url === 'string' && url !== '' && policy.isTrustedUrl(url);
}

/** Registers every channel; returns a function that removes them again (tests, shutdown). */
export function registerInvokeHandlers(
  ipc: IpcMainPort,
  handlers: InvokeHandlers,
  policy: OriginPolicy,
  log: Logger,
): () => void {
  const channels = Object.keys(invokeChannels) as InvokeChannel[];
  for (const channel of channels) {
    ipc.handle(channel, async (event, ...rawArgs) => {
      if (!isTrustedSender(event, policy)) {
        log.warn('IPC from untrusted sender refused', { channel, url: event.senderFrame?.url ?? null });
        throw new IpcRejectedError(channel, 'untrusted-sender');
      }
      const spec = invokeChannels[channel];
      const args = spec.args.safeParse(rawArgs);
      if (!args.success) {
        log.warn('IPC arguments failed validation', { channel, issues: args.error.issues });
        throw new IpcRejectedError(channel, 'invalid-arguments');
      }
      // The mapped type ties each channel to its handler; TS cannot follow that through the
      // loop variable, so the call is made through a deliberately widened signature.
      const handler = handlers[channel] as (...a: readonly unknown[]) => unknown;
      const result = spec.result.safeParse(await handler(...(args.data as readonly unknown[])));
      if (!result.success) {
        log.error('IPC handler returned an invalid result', { channel, issues: result.error.issues });
        throw new IpcRejectedError(channel, 'invalid-result');
      }
      return result.data;
    });
  }
  return () => {
    for (const channel of channels) ipc.removeHandler(channel);
  };
}
