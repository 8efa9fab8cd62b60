/**
 * The hotline's automatic voice service (自动语音服务) as site configuration: the
 * announcements trunk callers hear while they wait, the one-level DTMF menu that picks their
 * queue, and the working hours outside which the caller is told so and gets a callback
 * request. One schema for the server (validation at start) and any admin view; the working
 * hours test lives here so the ACD and the menu agree on it.
 */
import { z } from 'zod';

/** An announcement file: a path (absolute, or relative to the config file's folder). WAV/MP3 that rtpengine can decode. */
const audioFile = z.string().min(1).max(500).regex(/^[^\0\n\r]+\.(wav|mp3)$/i, 'must name a .wav or .mp3 file');
const queueNumber = z.string().regex(/^[0-9A-Za-z*#+._-]{1,32}$/, 'must be a queue number');
const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, 'must be HH:MM');

export const MenuOptionSchema = z
  .object({
    /** The key the caller presses. */
    digit: z.string().regex(/^[0-9*#]$/, 'one key: 0-9, * or #'),
    /** The queue number the call goes to (a number some ACD queue answers). */
    queue: queueNumber,
    /** For people and logs, e.g. "12315 消费投诉". */
    label: z.string().min(1).max(40),
  })
  .strict();

export const MenuSchema = z
  .object({
    /** The prompt ("综合业务请按1，消费投诉请按2"); a key pressed while it plays counts (skippable). */
    prompt: audioFile,
    options: z.array(MenuOptionSchema).min(1).max(12),
    /** Seconds to wait for a key after the prompt ends; then the call goes to `defaultQueue`. */
    timeoutSeconds: z.number().min(0).max(30).default(5),
    /** No input (or the national standard's "skip"): this queue. */
    defaultQueue: queueNumber,
  })
  .strict()
  .refine((m) => new Set(m.options.map((o) => o.digit)).size === m.options.length, 'each digit at most once');

/**
 * Telling a waiting caller their place in the queue ("您前面还有 | 三 | 位来电…"): the parts
 * play one after another, then the music on hold goes on. The place is the ACD's (the
 * call's position among the queue's waiting calls, as the wallboard shows it).
 */
export const PositionAnnouncementSchema = z
  .object({
    /** "您前面还有" */
    ahead: audioFile,
    /** numbers[n] says n (the shipped ones 0-20); more callers ahead than the list covers → `many`. */
    numbers: z.array(audioFile).min(1).max(100),
    /** "位来电在等候，请耐心等待" */
    callers: audioFile,
    /** Nobody ahead ("下一位就为您服务"); absent: ahead + numbers[0] + callers. */
    next: audioFile.optional(),
    /** More callers ahead than `numbers` can say ("您前面等候的来电较多，请耐心等待"). */
    many: audioFile,
    /** Seconds between announcements; the first comes after one pass of the hold music. */
    everySeconds: z.number().int().min(5).max(600).default(30),
  })
  .strict();

export const WorkingHoursSchema = z
  .object({
    /** IANA time zone the hours are in. */
    timeZone: z.string().default('Asia/Shanghai'),
    /** Open periods: days of week (1 = Monday … 7 = Sunday) and a time range [from, to). */
    periods: z
      .array(
        z
          .object({ days: z.array(z.number().int().min(1).max(7)).min(1), from: hhmm, to: hhmm })
          .strict()
          .refine((p) => p.from < p.to, 'from must be before to'),
      )
      .min(1),
    /** Dates the hotline is closed all day (YYYY-MM-DD, in timeZone), e.g. a site's own holidays. */
    closedDates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
  })
  .strict()
  .refine((h) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: h.timeZone });
      return true;
    } catch {
      return false;
    }
  }, 'unknown time zone');

export const IvrConfigSchema = z
  .object({
    /** Dialled numbers (queue numbers) whose trunk callers hear the welcome and the menu; others only wait with music. */
    numbers: z.array(queueNumber).min(1),
    /** Played first ("您好，欢迎致电12345政务服务便民热线"); optional. */
    welcome: audioFile.optional(),
    /** The one-level menu; absent: no menu, the call stays on the dialled number's queue. */
    menu: MenuSchema.optional(),
    /** Looped while the caller waits for an agent (music on hold). */
    hold: audioFile,
    /** Absent: no position announcements (music on hold only). */
    position: PositionAnnouncementSchema.optional(),
    /** Outside working hours: told before the call ends (a callback task is opened). */
    closed: audioFile,
    /** Queue full, or no agent within the queue's maximum wait: told before the call ends (callback task). */
    busy: audioFile,
    /** Absent: open at all hours (12345 usually is). */
    hours: WorkingHoursSchema.optional(),
  })
  .strict();

export type IvrConfig = z.infer<typeof IvrConfigSchema>;
export type IvrMenu = z.infer<typeof MenuSchema>;
export type WorkingHours = z.infer<typeof WorkingHoursSchema>;
export type PositionAnnouncement = z.infer<typeof PositionAnnouncementSchema>;

/** The files that tell a caller `ahead` callers are before them, in playing order. */
export function positionPrompts(p: PositionAnnouncement, ahead: number): string[] {
  if (ahead === 0 && p.next) return [p.next];
  const number = p.numbers[ahead];
  return number === undefined || ahead < 0 ? [p.many] : [p.ahead, number, p.callers];
}

/** Whether the hotline is open at `at` by these hours (absent hours: always). */
export function isOpenAt(hours: WorkingHours | undefined, at: Date): boolean {
  if (!hours) return true;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: hours.timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  if (hours.closedDates.includes(date)) return false;
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday ?? '') + 1;
  const time = `${parts.hour}:${parts.minute}`;
  return hours.periods.some((p) => p.days.includes(day) && time >= p.from && time < p.to);
}

/** The queue number a key selects, or null for a key the menu does not offer. */
export function menuChoice(menu: IvrMenu, digit: string): string | null {
  return menu.options.find((o) => o.digit === digit)?.queue ?? null;
}
