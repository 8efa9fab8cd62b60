/**
 * The automatic voice service (自动语音服务) for trunk callers: what a citizen hears between
 * dialling the hotline and an agent answering. Owns each waiting call's voice session:
 * early media (183 with rtpengine's SDP, so the caller hears us before anyone answers), the
 * welcome, the one-level DTMF menu that picks the queue (a key during the welcome or the
 * prompt counts; no key → the default queue), music on hold while the ACD finds an agent,
 * with the caller's place in the queue every so often when configured, and the closing
 * announcement (after hours, queue full, waited too long) before the call is released. The ACD still decides everything about queues; this only talks to the caller.
 *
 * Media and signalling are interfaces (rtpengine ng and Kamailio's tm RPC in production,
 * fakes in tests). A session that cannot set up media falls back to plain queueing.
 */
import { isOpenAt, menuChoice, positionPrompts, type IvrConfig, type PositionAnnouncement } from '../../../shared/ivr.js';

export interface IvrMedia {
  /** Takes the caller's SDP offer into the media bridge alone; returns the answer SDP (for the 183) and its To tag. */
  open(callId: string, fromTag: string, sdp: string): Promise<{ sdp: string; toTag: string }>;
  /** Plays a file to the caller (replacing what plays); resolves with its length in ms (one pass; -1 unknown). */
  play(callId: string, fromTag: string, file: string, loop: boolean): Promise<number>;
  stop(callId: string, fromTag: string): Promise<void>;
  /** Releases the caller's voice session in the media bridge. */
  close(callId: string): Promise<void>;
}

export interface IvrSignalling {
  /** Sends 183 Session Progress with this SDP on the suspended INVITE transaction. */
  sessionProgress(tx: { index: number; label: number }, toTag: string, sdp: string): Promise<void>;
}

export interface IvrCall {
  callId: string;
  /** The caller's From tag: rtpengine's name for the caller's side. */
  ftag: string;
  sdp: string;
  dialled: string;
  index: number;
  label: number;
}

export type FarewellReason = 'closed' | 'queue_full' | 'max_wait';

export interface IvrLog {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}

interface Session {
  callId: string;
  ftag: string;
  ended: boolean;
  /** The closing announcement plays: nothing else may start. */
  closing: boolean;
  /** Keys pressed and not yet used. */
  digits: string[];
  /** Pending waits (the menu's or the closing announcement's, and the position announcements'): told of every key and of the end. */
  wakers: Set<() => void>;
}

/** The caller's place: callers ahead of this call in its queue, or null while it is not waiting there (ringing an agent, not queued yet). */
export type QueuePosition = (callId: string) => Promise<number | null>;

/** Timings of the last greeted call (ms from greet() to each step): logged and read by tests. */
export interface IvrTimings {
  callId: string;
  sessionProgressMs: number;
  firstAudioMs: number;
}

export class IvrService {
  private readonly sessions = new Map<string, Session>();
  lastTimings: IvrTimings | null = null;
  /** Where position announcements get the caller's place (the ACD's queues); unset: none are made. */
  queuePosition: QueuePosition | null = null;

  constructor(
    readonly config: IvrConfig,
    private readonly media: IvrMedia,
    private readonly signalling: IvrSignalling,
    private readonly log: IvrLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A voice session runs for this call (the caller hears us). */
  has(callId: string): boolean {
    return this.sessions.has(callId);
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /**
   * A trunk call with SDP reached a queue number: early media, welcome and menu, then music
   * on hold. Resolves with the queue number the call goes to, or null when the caller left.
   */
  async greet(call: IvrCall): Promise<string | null> {
    const started = performance.now();
    const s: Session = { callId: call.callId, ftag: call.ftag, ended: false, closing: false, digits: [], wakers: new Set() };
    this.sessions.set(call.callId, s);
    try {
      const { sdp, toTag } = await this.media.open(call.callId, call.ftag, call.sdp);
      await this.signalling.sessionProgress(call, toTag, sdp);
    } catch (err) {
      this.sessions.delete(call.callId);
      this.release(call.callId);
      this.log.warn({ err, callId: call.callId }, 'no early media for this call (announcements skipped); queued without them');
      return call.dialled;
    }
    const progressMs = performance.now() - started;
    let firstAudio = true;
    const play = async (file: string, loop: boolean): Promise<number> => {
      const ms = await this.media.play(call.callId, call.ftag, file, loop);
      if (firstAudio) {
        firstAudio = false;
        this.lastTimings = { callId: call.callId, sessionProgressMs: Math.round(progressMs), firstAudioMs: Math.round(performance.now() - started) };
        this.log.info(this.lastTimings, 'voice service: caller hears the first announcement');
      }
      return ms;
    };

    let queue = call.dialled;
    try {
      const c = this.config;
      const main = c.numbers.includes(call.dialled);
      // After hours the menu is pointless: the ACD closes the call with its announcement.
      const menu = main && c.menu && isOpenAt(c.hours, this.now()) ? c.menu : undefined;
      let chosen: string | null = null;
      if (main && c.welcome) {
        const ms = await play(c.welcome, false);
        chosen = await this.listen(s, Math.max(0, ms), menu ? (d) => menuChoice(menu, d) : null);
      }
      if (menu && chosen === null && !s.ended) {
        const ms = await play(menu.prompt, false);
        chosen = await this.listen(s, Math.max(0, ms) + menu.timeoutSeconds * 1000, (d) => menuChoice(menu, d));
      }
      if (s.ended) return null;
      if (menu) {
        queue = chosen ?? menu.defaultQueue;
        this.log.info({ callId: call.callId, queue, key: chosen === null ? null : 'pressed' }, chosen === null ? 'voice menu: no key, default queue' : 'voice menu: caller chose a queue');
      }
      const holdMs = await play(c.hold, true);
      if (c.position && !s.ended) {
        const p = c.position;
        this.announcePositions(s, p, holdMs).catch((err: unknown) => {
          if (!s.ended && !s.closing) this.log.warn({ err, callId: call.callId }, 'position announcement failed; music on hold only');
        });
      }
    } catch (err) {
      if (s.ended) return null;
      this.log.warn({ err, callId: call.callId }, 'announcement failed; the call is queued anyway');
    }
    return s.ended ? null : queue;
  }

  /**
   * The queue number a call to `dialled` is counted against when the caller hangs up before
   * choosing (during the welcome or the menu): the menu's default queue, else the dialled one.
   */
  queueWithoutInput(dialled: string): string {
    const c = this.config;
    return c.menu && c.numbers.includes(dialled) ? c.menu.defaultQueue : dialled;
  }

  /** A key the caller pressed (RFC 4733 event reported by the media bridge). */
  digit(callId: string, digit: string): void {
    const s = this.sessions.get(callId);
    if (!s) return;
    s.digits.push(digit);
    wakeAll(s);
  }

  /**
   * The call leaves the queue unanswered (after hours, queue full, waited too long): the
   * caller hears why (a callback task exists, the ACD opened it); resolves when it was played
   * or the caller hung up, then the call may be released.
   */
  async farewell(callId: string, reason: FarewellReason): Promise<void> {
    const s = this.sessions.get(callId);
    if (!s || s.ended || s.closing) return;
    // Stops position announcements before their next step (they check it before every command).
    s.closing = true;
    wakeAll(s);
    const file = reason === 'closed' ? this.config.closed : this.config.busy;
    try {
      await this.media.stop(callId, s.ftag).catch(() => undefined);
      const ms = await this.media.play(callId, s.ftag, file, false);
      // A little past the end: the last packets reach the caller before the final reply does.
      await this.wait(s, Math.max(0, ms) + 300, () => false);
    } catch (err) {
      this.log.warn({ err, callId, reason }, 'closing announcement failed');
    } finally {
      this.sessions.delete(callId);
      this.release(callId);
    }
  }

  private release(callId: string): void {
    this.media.close(callId).catch(() => undefined);
  }

  /** The call was answered, abandoned or lost: its session ends (media goes with the call). */
  end(callId: string): void {
    const s = this.sessions.get(callId);
    if (!s) return;
    s.ended = true;
    wakeAll(s);
    this.sessions.delete(callId);
    this.release(callId);
  }

  /** Waits up to `ms` for a key `choose` accepts (other keys are ignored); stops the prompt when one comes. */
  private async listen(s: Session, ms: number, choose: ((digit: string) => string | null) | null): Promise<string | null> {
    if (!choose) {
      await this.wait(s, ms, () => false);
      return null;
    }
    let chosen: string | null = null;
    // Keys are taken in order; the first one the menu offers wins.
    const accept = (): boolean => {
      while (s.digits.length) {
        const d = s.digits.shift()!;
        if (choose(d) !== null) {
          chosen = d;
          return true;
        }
      }
      return false;
    };
    await this.wait(s, ms, accept);
    if (chosen !== null && !s.ended) await this.media.stop(s.callId, s.ftag).catch(() => undefined);
    return chosen === null ? null : choose(chosen);
  }

  /**
   * While the caller waits with music: every `everySeconds` (the first time after one pass of
   * the hold music) asks the ACD for the caller's place and, while the call waits in a queue,
   * plays the parts in sequence, then the music again. Ends with the session or its farewell.
   */
  private async announcePositions(s: Session, p: PositionAnnouncement, holdMs: number): Promise<void> {
    const over = () => s.ended || s.closing;
    let delay = holdMs > 0 ? holdMs : p.everySeconds * 1000;
    for (;;) {
      await this.wait(s, delay, () => s.closing);
      delay = p.everySeconds * 1000;
      if (over() || !this.queuePosition) return;
      const ahead = await this.queuePosition(s.callId);
      // Not waiting in a queue right now (an agent's phone rings, or the ACD has not queued it yet): music only.
      if (ahead === null) continue;
      for (const file of positionPrompts(p, ahead)) {
        if (over()) return;
        const ms = await this.media.play(s.callId, s.ftag, file, false);
        await this.wait(s, Math.max(0, ms), () => s.closing);
      }
      if (over()) return;
      await this.media.play(s.callId, s.ftag, this.config.hold, true);
    }
  }

  /** Resolves after `ms`, when the caller leaves, or as soon as `done()` holds (checked on every key and wake-up). */
  private wait(s: Session, ms: number, done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        s.wakers.delete(check);
        resolve();
      };
      const check = () => {
        if (s.ended || done()) finish();
      };
      const timer = setTimeout(finish, ms);
      s.wakers.add(check);
      check();
    });
  }
}

function wakeAll(s: Session): void {
  for (const w of [...s.wakers]) w();
}
