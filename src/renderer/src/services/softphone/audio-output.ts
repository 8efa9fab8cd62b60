/**
 * Audio the softphone plays: the ringtone (on the ring device) and each call's remote audio
 * (on the speaker). The elements are owned here, never by React, so a re-render cannot cut
 * a call's audio. An element playing a remote WebRTC stream is also what makes that stream
 * audible to WebAudio (see analysis.ts).
 */
import ringtoneUrl from '../../../../../resources/ringtone.wav';
import { createLogger } from '../log';

const log = createLogger('softphone.audio');

export function canSelectOutput(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** Routes an element to an output device ('' = default). False if the device refused. */
export async function routeTo(el: HTMLMediaElement, sinkId: string): Promise<boolean> {
  if (!canSelectOutput() || el.sinkId === sinkId) return true;
  try {
    await el.setSinkId(sinkId);
    return true;
  } catch (err) {
    log.warn(`setSinkId(${sinkId || 'default'}) failed`, err);
    return false;
  }
}

/** The ringtone, looping until stopped. One per phone. */
export class Ringer {
  private readonly el: HTMLAudioElement;
  private ringing = false;

  constructor(url: string = ringtoneUrl) {
    this.el = new Audio(url);
    this.el.loop = true;
    this.el.preload = 'auto';
  }

  get isRinging(): boolean {
    return this.ringing;
  }

  async start(sinkId: string): Promise<boolean> {
    this.ringing = true;
    await routeTo(this.el, sinkId);
    if (!this.ringing) return true;
    this.el.currentTime = 0;
    try {
      await this.el.play();
      return true;
    } catch (err) {
      // Autoplay refused (no user gesture yet in web mode): the incoming-call card still shows.
      log.warn('ringtone could not play', err);
      return false;
    }
  }

  stop(): void {
    this.ringing = false;
    this.el.pause();
  }

  /** 设备检测: plays the ringtone once on a device for `ms`. */
  async test(sinkId: string, ms = 1500): Promise<boolean> {
    const el = new Audio(ringtoneUrl);
    if (!(await routeTo(el, sinkId))) return false;
    try {
      await el.play();
    } catch (err) {
      log.warn('ring test could not play', err);
      return false;
    }
    await new Promise((r) => setTimeout(r, ms));
    el.pause();
    return true;
  }
}

/** A call's remote audio, playing on the speaker. */
export class RemoteAudio {
  readonly el: HTMLAudioElement;

  constructor(stream: MediaStream, sinkId: string) {
    this.el = new Audio();
    this.el.autoplay = true;
    this.el.srcObject = stream;
    void this.route(sinkId);
    this.resume();
  }

  route(sinkId: string): Promise<boolean> {
    return routeTo(this.el, sinkId);
  }

  /** (Re)starts playback, e.g. after tracks were added to the stream. */
  resume(): void {
    this.el.play().catch((err: unknown) => {
      // AbortError: the call ended (pause) before the first audio arrived.
      if (!(err instanceof DOMException && err.name === 'AbortError')) log.warn('remote audio could not play', err);
    });
  }

  close(): void {
    this.el.pause();
    this.el.srcObject = null;
  }
}

/** 设备检测: a short 660 Hz beep on an output device. */
export async function testTone(sinkId: string, ms = 700): Promise<boolean> {
  const Ctor = window.AudioContext as typeof AudioContext | undefined;
  if (!Ctor) return false;
  const ctx = new Ctor();
  try {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 660;
    gain.gain.value = 0.2;
    const dest = ctx.createMediaStreamDestination();
    osc.connect(gain).connect(dest);
    const el = new Audio();
    el.srcObject = dest.stream;
    if (!(await routeTo(el, sinkId))) return false;
    osc.start();
    await el.play();
    await new Promise((r) => setTimeout(r, ms));
    osc.stop();
    el.pause();
    el.srcObject = null;
    return true;
  } catch (err) {
    log.warn('speaker test failed', err);
    return false;
  } finally {
    void ctx.close();
  }
}
