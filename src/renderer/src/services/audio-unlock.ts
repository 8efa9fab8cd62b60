/**
 * Browsers keep audio muted until the page has had a user gesture. Sign-in is the first
 * click every agent makes, so it creates (or resumes) the shared AudioContext that the
 * softphone will use for ringtones. Must be called synchronously inside the click handler.
 */
import { createLogger } from './log';

const log = createLogger('audio');
let context: AudioContext | null = null;

export function unlockAudio(): void {
  try {
    if (!context) {
      const Ctor = window.AudioContext as typeof AudioContext | undefined;
      if (!Ctor) return;
      context = new Ctor();
    }
    if (context.state === 'suspended') {
      context.resume().catch((err: unknown) => log.warn('resume failed', err));
    }
    // A one-sample silent buffer makes iOS/Safari-style policies count this as playback.
    const buffer = context.createBuffer(1, 1, 22050);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    source.start(0);
  } catch (err) {
    log.warn('unlock failed', err);
  }
}

/** The unlocked context, if sign-in has happened in this page. */
export function audioContext(): AudioContext | null {
  return context;
}
