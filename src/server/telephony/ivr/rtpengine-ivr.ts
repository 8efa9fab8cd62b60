/**
 * The voice service's media through rtpengine (ng protocol) and the keys callers press.
 *
 * Early media without a callee: the caller's offer goes to rtpengine as a session of its
 * own (Call-ID + IVR_SUFFIX), and a stand-in answer (media to the discard port) completes it,
 * so rtpengine gives us the SDP for the 183 and can play files to the caller (`play media`,
 * decoded and encoded to the call's G.711 by rtpengine itself). When an agent answers, the
 * 200 OK (another early dialog, the agent's) carries the bridged session's SDP and this one
 * is deleted. A separate session because offering the agent from the same Call-ID and From
 * tag forks rtpengine's session and, in 10.5, leaves the answered branch without SRTP keys.
 * Verified on Debian's rtpengine 10.5 (docs/voice-service.md).
 *
 * Keys: rtpengine started with --dtmf-log-dest sends one JSON datagram per RFC 4733 event
 * it sees ({"callid","source_tag","event",…}); DtmfListener turns them into digits.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { RtpengineNgClient } from '../rtpengine/ng-client.js';
import type { IvrMedia } from './ivr-service.js';

/** A minimal answer to rtpengine's offer: its first audio codec (and telephone-event, so keys keep coming). */
export function standInAnswer(offerSdp: string): string {
  const m = /^m=audio \d+ [A-Z/]+ ([0-9 ]+)\s*$/m.exec(offerSdp);
  if (!m) throw new Error('rtpengine offer has no audio stream');
  const pts = m[1]!.trim().split(/\s+/);
  const rtpmap = new Map<string, string>();
  for (const r of offerSdp.matchAll(/^a=rtpmap:(\d+) ([^\r\n]+)$/gm)) rtpmap.set(r[1]!, r[2]!);
  const isEvent = (pt: string) => /^telephone-event\//i.test(rtpmap.get(pt) ?? '');
  const audio = pts.find((pt) => !isEvent(pt) && !/^(CN|comfort-noise)\//i.test(rtpmap.get(pt) ?? ''));
  if (audio === undefined) throw new Error('rtpengine offer has no audio codec');
  const event = pts.find((pt) => isEvent(pt) && /\/8000$/.test(rtpmap.get(pt) ?? ''));
  const chosen = event ? [audio, event] : [audio];
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=hotline-ivr',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    // Port 9 (discard): the caller's audio has nowhere to go until an agent answers.
    `m=audio 9 RTP/AVP ${chosen.join(' ')}`,
    ...chosen.filter((pt) => rtpmap.has(pt)).map((pt) => `a=rtpmap:${pt} ${rtpmap.get(pt)}`),
    ...(event ? [`a=fmtp:${event} 0-15`] : []),
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** The voice session's rtpengine Call-ID is the SIP Call-ID with this suffix (Kamailio deletes it on the answer). */
export const IVR_SUFFIX = '-ivr';

export class RtpengineIvrMedia implements IvrMedia {
  constructor(private readonly ng: RtpengineNgClient) {}

  async close(callId: string): Promise<void> {
    await this.ng.command('delete', { 'call-id': callId + IVR_SUFFIX });
  }

  async open(callId: string, fromTag: string, sdp: string): Promise<{ sdp: string; toTag: string }> {
    const common = { 'call-id': callId + IVR_SUFFIX, 'from-tag': fromTag, ICE: 'remove', 'transport-protocol': 'RTP/AVP', replace: ['origin', 'session-connection'] };
    const offer = await this.ng.command('offer', { ...common, sdp });
    if (typeof offer.sdp !== 'string') throw new Error('rtpengine offer returned no SDP');
    const toTag = `ivr-${randomBytes(6).toString('hex')}`;
    const answer = await this.ng.command('answer', { ...common, 'to-tag': toTag, sdp: standInAnswer(offer.sdp) });
    if (typeof answer.sdp !== 'string') throw new Error('rtpengine answer returned no SDP');
    return { sdp: answer.sdp, toTag };
  }

  async play(callId: string, fromTag: string, file: string, loop: boolean): Promise<number> {
    const r = await this.ng.command('play media', { 'call-id': callId + IVR_SUFFIX, 'from-tag': fromTag, file, ...(loop ? { 'repeat-times': 10_000 } : {}) });
    return typeof r.duration === 'number' ? r.duration : -1;
  }

  async stop(callId: string, fromTag: string): Promise<void> {
    await this.ng.command('stop media', { 'call-id': callId + IVR_SUFFIX, 'from-tag': fromTag });
  }
}

const DtmfEventSchema = z.object({ callid: z.string(), source_tag: z.string().optional(), event: z.number().int().min(0).max(15) }).loose();
const KEYS = '0123456789*#ABCD';

function parseDtmfEvent(msg: Buffer): z.infer<typeof DtmfEventSchema> | null {
  try {
    return DtmfEventSchema.safeParse(JSON.parse(msg.toString('utf8'))).data ?? null;
  } catch {
    return null; // not JSON
  }
}

/** Receives rtpengine's DTMF log datagrams (loopback only) and reports each key with its Call-ID. */
export class DtmfListener {
  private socket: Socket | null = null;
  /** Datagrams that were not a DTMF event we understand (health and tests). */
  ignored = 0;

  constructor(
    private readonly port: number,
    private readonly onDigit: (callId: string, digit: string, fromTag: string | undefined) => void,
    private readonly onHandlerError: (err: unknown) => void = () => undefined,
  ) {}

  start(): Promise<void> {
    const s = createSocket('udp4');
    this.socket = s;
    s.on('message', (msg, rinfo) => {
      if (rinfo.address !== '127.0.0.1') return;
      const e = parseDtmfEvent(msg);
      if (!e) {
        this.ignored++;
        return;
      }
      // A failing handler is a bug to report, not a bad datagram — and never a crash of the backend.
      try {
        this.onDigit(e.callid, KEYS[e.event]!, e.source_tag);
      } catch (err) {
        this.onHandlerError(err);
      }
    });
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.bind(this.port, '127.0.0.1', () => {
        s.off('error', reject);
        s.on('error', () => undefined);
        resolve();
      });
    });
  }

  stop(): void {
    this.socket?.close();
    this.socket = null;
  }
}
