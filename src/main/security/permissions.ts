/**
 * Permission policy for the app's session. The console needs exactly one capability from the
 * browser: the microphone (audio only; cameras are never needed on a voice hotline). Output
 * device selection rides along so the ringtone can play on speakers while the call uses the
 * headset. Everything else is refused, and nothing is granted to any origin but our own.
 *
 * Local Network Access: since Chromium 142 (Electron 43+ enforce it), a page whose origin is not
 * itself on the private network needs the `local-network-access` permission (newer builds split
 * it into `local-network` / `loopback-network`) before it may fetch or open a WebSocket to a
 * private address. Our backend lives on the government LAN (10.x / 192.168.x), and `app://`
 * is not a local origin, so without this grant the console cannot reach its own server.
 */
import type { Logger } from '../log.js';
import type { OriginPolicy } from './origin.js';

/** Granted to our origin without further conditions. */
const grantedToApp = new Set<string>([
  'speaker-selection',
  'local-network-access',
  'local-network',
  'loopback-network',
]);

export interface PermissionRequestInput {
  permission: string;
  /** Origin of the requesting frame, when Electron provides it (media requests). */
  securityOrigin?: string | undefined;
  requestingUrl?: string | undefined;
  mediaTypes?: readonly ('video' | 'audio')[] | undefined;
}

export interface PermissionCheckInput {
  permission: string;
  requestingOrigin: string;
  securityOrigin?: string | undefined;
  embeddingOrigin?: string | undefined;
  mediaType?: 'video' | 'audio' | 'unknown' | undefined;
}

/** `navigator.mediaDevices.getUserMedia` and friends: prompts are answered here, never shown. */
export function decidePermissionRequest(input: PermissionRequestInput, policy: OriginPolicy): boolean {
  const origin = input.securityOrigin || input.requestingUrl;
  if (!origin || !policy.isTrustedOrigin(origin)) return false;
  if (input.permission === 'media') {
    const types = input.mediaTypes ?? [];
    return types.length > 0 && types.every((t) => t === 'audio');
  }
  return grantedToApp.has(input.permission);
}

/** Synchronous checks (`permissions.query`, device enumeration labels, setSinkId). */
export function decidePermissionCheck(input: PermissionCheckInput, policy: OriginPolicy): boolean {
  if (!policy.isTrustedOrigin(input.requestingOrigin)) return false;
  if (input.securityOrigin && !policy.isTrustedOrigin(input.securityOrigin)) return false;
  // A cross-origin subframe reports its embedder; we embed nothing, so any embedding is refused.
  if (input.embeddingOrigin && !policy.isTrustedOrigin(input.embeddingOrigin)) return false;
  if (input.permission === 'media') return input.mediaType === 'audio';
  return grantedToApp.has(input.permission);
}

/** The part of Electron's `Session` this module touches; the real session satisfies it. */
export interface PermissionSessionPort {
  setPermissionRequestHandler(
    handler: (
      webContents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
      details: { requestingUrl: string; securityOrigin?: string; mediaTypes?: ('video' | 'audio')[] },
    ) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (
      webContents: unknown,
      permission: string,
      requestingOrigin: string,
      details: { securityOrigin?: string; embeddingOrigin?: string; mediaType?: 'video' | 'audio' | 'unknown' },
    ) => boolean,
  ): void;
}

export function installPermissionHandlers(session: PermissionSessionPort, policy: OriginPolicy, log: Logger): void {
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    const input: PermissionRequestInput = {
      permission,
      requestingUrl: details.requestingUrl,
      securityOrigin: details.securityOrigin,
      mediaTypes: details.mediaTypes,
    };
    const granted = decidePermissionRequest(input, policy);
    if (!granted) log.warn('permission request denied', input);
    callback(granted);
  });
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin, details) =>
    decidePermissionCheck(
      {
        permission,
        requestingOrigin,
        securityOrigin: details.securityOrigin,
        embeddingOrigin: details.embeddingOrigin,
        mediaType: details.mediaType,
      },
      policy,
    ),
  );
}
