/**
 * A PSTN trunk's far end for benchmarks: plain SIP over UDP from the trunk's fixed source
 * port and G.711 (PCMU) RTP, many calls at once from one process (baresip is one call per
 * process). Sends a 440 Hz tone on every call and measures what comes back per call: packets,
 * loss by sequence numbers and RFC 3550 interarrival jitter. Only what the bench needs:
 * INVITE without credentials (the trunk is trusted by source), ACK, BYE, answering BYE/OPTIONS.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { hdr, hdrs, parseSip, type SipMessage } from '../../tests/harness/sip-udp-ua.js';

const rand = (n = 6) => randomBytes(n).toString('hex');

function ulaw(sample: number): number {
  let s = Math.max(-32635, Math.min(32635, sample));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += 0x84;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  return ~(sign | (exp << 4) | ((s >> (exp + 3)) & 0x0f)) & 0xff;
}

/** 1 s of a 440 Hz tone in PCMU: 50 frames of 20 ms. */
const FRAMES = Array.from({ length: 50 }, (_v, f) => Buffer.from(Array.from({ length: 160 }, (_w, n) => ulaw(Math.round(8000 * Math.sin((2 * Math.PI * 440 * (f * 160 + n)) / 8000))))));

export interface RtpStats {
  packets: number;
  /** Missing sequence numbers / expected, over the measured window. */
  lossRatio: number;
  /** RFC 3550 interarrival jitter, ms. */
  jitterMs: number;
}

export class TrunkCall {
  readonly callId = rand(10);
  readonly fromTag = rand(4);
  invitedAt = 0;
  answeredAt = 0;
  status = 0;
  private answer: SipMessage | null = null;
  rtp!: Socket;
  remote: { host: string; port: number } | null = null;
  private seq = Math.floor(Math.random() * 30000);
  private ts = Math.floor(Math.random() * 1e9);
  private frame = 0;
  private readonly ssrc = randomBytes(4).readUInt32BE(0);
  // Receive side.
  private rx = { packets: 0, firstSeq: -1, maxSeq: -1, cycles: 0, jitter: 0, lastTransit: NaN };
  private settle: ((m: SipMessage) => void) | null = null;
  readonly final: Promise<SipMessage>;

  constructor(readonly target: string) {
    this.final = new Promise((r) => (this.settle = r));
  }

  onReply(m: SipMessage): void {
    if (m.status >= 200 && !this.status) {
      this.status = m.status;
      this.answeredAt = m.at;
      if (m.status < 300) {
        this.answer = m;
        const c = /c=IN IP4 ([0-9.]+)/.exec(m.body);
        const p = /m=audio ([0-9]+)/.exec(m.body);
        if (c && p) this.remote = { host: c[1]!, port: Number(p[1]) };
      }
      this.settle?.(m);
    }
  }

  onRtp(buf: Buffer): void {
    if (buf.length < 12 || buf[0]! >> 6 !== 2 || (buf[1]! & 0x7f) !== 0) return;
    const seq = buf.readUInt16BE(2);
    const ts = buf.readUInt32BE(4);
    const r = this.rx;
    r.packets++;
    if (r.firstSeq < 0) {
      r.firstSeq = seq;
      r.maxSeq = seq;
    } else {
      const d = (seq - r.maxSeq + 65536) % 65536;
      if (d > 0 && d < 3000) {
        if (seq < r.maxSeq) r.cycles += 65536;
        r.maxSeq = seq;
      }
    }
    // Transit in RTP clock units (8 kHz); jitter per RFC 3550 A.8.
    const transit = (performance.now() * 8) - ts;
    if (!Number.isNaN(r.lastTransit)) {
      let d = transit - r.lastTransit;
      if (d < 0) d = -d;
      // Ignore timestamp wraps and restarts.
      if (d < 8000 * 5) r.jitter += (d - r.jitter) / 16;
    }
    r.lastTransit = transit;
  }

  /** Starts a fresh measuring window (after set-up settles). */
  resetStats(): void {
    this.rx = { packets: 0, firstSeq: -1, maxSeq: -1, cycles: 0, jitter: 0, lastTransit: NaN };
  }

  stats(): RtpStats {
    const r = this.rx;
    const expected = r.firstSeq < 0 ? 0 : r.cycles + r.maxSeq - r.firstSeq + 1;
    return { packets: r.packets, lossRatio: expected ? Math.max(0, (expected - r.packets) / expected) : 1, jitterMs: r.jitter / 8 };
  }

  sendFrame(): void {
    if (!this.remote) return;
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = 0;
    h.writeUInt16BE(this.seq & 0xffff, 2);
    h.writeUInt32BE(this.ts >>> 0, 4);
    h.writeUInt32BE(this.ssrc, 8);
    this.rtp.send(Buffer.concat([h, FRAMES[this.frame % 50]!]), this.remote.port, this.remote.host);
    this.seq++;
    this.ts += 160;
    this.frame++;
  }

  get answerMessage(): SipMessage | null {
    return this.answer;
  }
}

export class TrunkCaller {
  private sock!: Socket;
  private readonly calls = new Map<string, TrunkCall>();
  private ticker: NodeJS.Timeout | null = null;

  constructor(
    private readonly trunkPort: number,
    private readonly server: { host: string; port: number; domain: string },
  ) {}

  async open(): Promise<this> {
    this.sock = createSocket('udp4');
    await new Promise<void>((r) => this.sock.bind(this.trunkPort, '127.0.0.1', () => r()));
    this.sock.on('message', (buf) => this.onMessage(parseSip(buf.toString())));
    // One clock for every call's 20 ms frames (drift-corrected).
    const start = performance.now();
    let n = 0;
    const tick = () => {
      n++;
      for (const c of this.calls.values()) c.sendFrame();
      this.ticker = setTimeout(tick, Math.max(0, start + n * 20 - performance.now()));
    };
    this.ticker = setTimeout(tick, 20);
    return this;
  }

  close(): void {
    if (this.ticker) clearTimeout(this.ticker);
    for (const c of this.calls.values()) c.rtp.close();
    this.calls.clear();
    this.sock.close();
  }

  private send(text: string): void {
    this.sock.send(text, this.server.port, this.server.host);
  }

  private onMessage(m: SipMessage): void {
    const callId = hdr(m, 'call-id') ?? '';
    if (m.method) {
      // BYE from the agent's side, OPTIONS keepalives: 200 OK.
      this.send([`SIP/2.0 200 OK`, ...hdrs(m, 'via').map((v) => `Via: ${v}`), `From: ${hdr(m, 'from')}`, `To: ${hdr(m, 'to')}`, `Call-ID: ${callId}`, `CSeq: ${hdr(m, 'cseq')}`, 'Content-Length: 0', '', ''].join('\r\n'));
      if (m.method === 'BYE') this.drop(callId);
      return;
    }
    const c = this.calls.get(callId);
    if (!c || !/INVITE$/.test(hdr(m, 'cseq') ?? '')) return;
    const first = !c.status;
    c.onReply(m);
    if (m.status >= 200) this.ack(c, m, first);
  }

  private drop(callId: string): void {
    const c = this.calls.get(callId);
    if (!c) return;
    this.calls.delete(callId);
    c.rtp.close();
  }

  private via(): string {
    return `Via: SIP/2.0/UDP 127.0.0.1:${this.trunkPort};branch=z9hG4bK${rand()};rport`;
  }

  /** Places a call from `from` to sip:target@domain; resolves once it is set up (or failed). */
  async call(from: string, target: string): Promise<TrunkCall> {
    const c = new TrunkCall(target);
    c.rtp = createSocket('udp4');
    await new Promise<void>((r) => c.rtp.bind(0, '127.0.0.1', () => r()));
    c.rtp.on('message', (b) => c.onRtp(b));
    const port = c.rtp.address().port;
    const sdp = ['v=0', `o=- ${Date.now()} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');
    const ruri = `sip:${target}@${this.server.domain}`;
    this.calls.set(c.callId, c);
    c.invitedAt = performance.now();
    this.send([
      `INVITE ${ruri} SIP/2.0`, this.via(), 'Max-Forwards: 70',
      `From: <sip:${from}@127.0.0.1>;tag=${c.fromTag}`, `To: <${ruri}>`, `Call-ID: ${c.callId}`, 'CSeq: 1 INVITE',
      `Contact: <sip:${from}@127.0.0.1:${this.trunkPort}>`, 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp,
    ].join('\r\n'));
    const res = await Promise.race([c.final, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
    if (!res || res.status >= 300) this.drop(c.callId);
    return c;
  }

  private routeSet(m: SipMessage): string[] {
    return hdrs(m, 'record-route').flatMap((v) => v.split(/,(?=\s*<)/)).map((v) => v.trim()).reverse();
  }

  private ack(c: TrunkCall, m: SipMessage, first: boolean): void {
    if (m.status >= 300) {
      this.send([`ACK sip:${c.target}@${this.server.domain} SIP/2.0`, this.via(), 'Max-Forwards: 70', `From: <sip:x@127.0.0.1>;tag=${c.fromTag}`, `To: ${hdr(m, 'to')}`, `Call-ID: ${c.callId}`, 'CSeq: 1 ACK', 'Content-Length: 0', '', ''].join('\r\n'));
      return;
    }
    void first;
    this.send(this.inDialog('ACK', m, c, 1));
  }

  private inDialog(method: string, answer: SipMessage, c: TrunkCall, cseq: number): string {
    const contact = /<([^>]+)>/.exec(hdr(answer, 'contact') ?? '')?.[1] ?? `sip:${c.target}@${this.server.domain}`;
    return [
      `${method} ${contact} SIP/2.0`, this.via(), 'Max-Forwards: 70',
      ...this.routeSet(answer).map((r) => `Route: ${r}`),
      `From: <sip:x@127.0.0.1>;tag=${c.fromTag}`, `To: ${hdr(answer, 'to')}`, `Call-ID: ${c.callId}`, `CSeq: ${cseq} ${method}`, 'Content-Length: 0', '', '',
    ].join('\r\n');
  }

  hangUp(c: TrunkCall): void {
    const a = c.answerMessage;
    if (a && this.calls.has(c.callId)) this.send(this.inDialog('BYE', a, c, 2));
    this.drop(c.callId);
  }
}
