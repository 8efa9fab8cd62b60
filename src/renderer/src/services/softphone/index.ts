/**
 * The softphone: the one module that owns SIP and WebRTC in the renderer (sip.js UserAgent,
 * sessions, media streams, audio elements). UI reads `stores/softphone-store` and calls the
 * phone returned by `softphone()`. See README.md in this folder.
 */
import { installDebugHook } from './debug-hook';
import { Softphone, type SoftphoneOptions } from './softphone';

let instance: Softphone | null = null;

/** Creates this page's phone (once) and installs `window.__softphone`. */
export function initSoftphone(options: SoftphoneOptions): Softphone {
  if (instance) return instance;
  instance = new Softphone(options);
  installDebugHook(instance);
  return instance;
}

/** This page's phone; `initSoftphone` must have run (main.tsx / sim main). */
export function softphone(): Softphone {
  if (!instance) throw new Error('softphone not initialised');
  return instance;
}

export type { Softphone, SoftphoneOptions };
export { checkDialNumber } from './numbers';
export type { SoftphoneIssue } from './issues';
