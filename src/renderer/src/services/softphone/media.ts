/**
 * Microphone capture for calls and the device check. Echo cancellation, noise suppression
 * and AGC follow the audio-processing setting (on by default).
 */
import type { SoftphoneIssue } from './issues';

export function microphoneConstraints(deviceId: string, processing: boolean): MediaTrackConstraints {
  const c: MediaTrackConstraints = {
    echoCancellation: processing,
    noiseSuppression: processing,
    autoGainControl: processing,
  };
  if (deviceId) c.deviceId = { exact: deviceId };
  return c;
}

export interface OpenedMicrophone {
  stream: MediaStream;
  /** The chosen device was gone; the system default was used instead. */
  fellBack: boolean;
}

/** Opens the chosen microphone, falling back to the default one if it has vanished. */
export async function openMicrophone(deviceId: string, processing: boolean): Promise<OpenedMicrophone> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: microphoneConstraints(deviceId, processing), video: false });
    return { stream, fellBack: false };
  } catch (err) {
    const name = err instanceof DOMException ? err.name : '';
    if (deviceId && (name === 'OverconstrainedError' || name === 'NotFoundError' || name === 'NotReadableError')) {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: microphoneConstraints('', processing), video: false });
      return { stream, fellBack: true };
    }
    throw err;
  }
}

/** getUserMedia failures → what the agent is told. */
export function mediaErrorIssue(err: unknown): SoftphoneIssue {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'microphoneDenied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'microphoneMissing';
    default:
      return 'mediaFailed';
  }
}
