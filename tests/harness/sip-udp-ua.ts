/**
 * A minimal SIP user agent over UDP for server-level telephony tests without a browser:
 * registers an agent's extension and answers, rejects or lets incoming calls ring per a
 * policy; places calls with digest authentication, cancels them, acknowledges final
 * replies and hangs up along the record-routed path. Only what those tests need: one
 * Kamailio peer on loopback, no retransmission timers of its own.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const rand = (n = 6) => randomBytes(n).toString('hex');

export interface SipMessage {
  raw: string;
  /** Request method, or null for a response. */
  method: string | null;
  ruri: string;
  status: number;
  reason: string;
  headers: [string, string][];
  body: string;
  at: number;
}

export function parseSip(text: string): SipMessage {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const first = lines.shift() ?? '';
  const headers: [string, string][] = [];
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers.push([l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]);
  }
  const resp = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(first);
  const req = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(first);
  return {
    raw: text,
    method: req ? req[1]! : null,
    ruri: req ? req[2]! : '',
    status: resp ? Number(resp[1]) : 0,
    reason: resp ? resp[2]! : '',
    headers,
    body,
    at: performance.now(),
  };
}

const COMPACT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type' };
export function hdr(m: SipMessage, name: string): string | undefined {
  const n = name.toLowerCase();
  return m.headers.find(([k]) => k === n || COMPACT[k] === n)?.[1];
}
export function hdrs(m: SipMessage, name: string): string[] {
  const n = name.toLowerCase();
  return m.headers.filter(([k]) => k === n || COMPACT[k] === n).map(([, v]) => v);
}
const tagOf = (v: string | undefined) => /;tag=([^;>\s]+)/.exec(v ?? '')?.[1];
const uriOf = (v: string | undefined) => /<([^>]+)>/.exec(v ?? '')?.[1] ?? (v ?? '').split(';')[0]!.trim();

const SDP = (port: number) =>
  ['v=0', `o=- ${Date.now()} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

export interface Credentials {
  username: string;
  password: string;
}

function digest(challenge: string, method: string, uri: string, c: Credentials): string {
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const qop = /qop="([^"]+)"/.exec(challenge)?.[1];
  const ha1 = md5(`${c.username}:${realm}:${c.password}`);
  const ha2 = md5(`${method}:${uri}`);
  if (qop) {
    const cnonce = rand(4);
    const nc = '00000001';
    return `Digest username="${c.username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
  }
  return `Digest username="${c.username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${md5(`${ha1}:${nonce}:${ha2}`)}", algorithm=MD5`;
}

/** What an agent UA does with an incoming INVITE (after its 180). */
export type AnswerPolicy = { kind: 'answer'; afterMs?: number; /** Our answer to this offer (default plain PCMU on RTP). */ sdp?: (invite: SipMessage) => string } | { kind: 'reply'; status: number; reason: string; afterMs?: number } | { kind: 'ring' };

export interface IncomingCall {
  invite: SipMessage;
  callId: string;
  /** The agent hangs up an answered call. */
  hangUp(): Promise<void>;
}

export class SipUdpUa {
  private sock!: Socket;
  port = 0;
  private listeners = new Set<(m: SipMessage) => void>();
  readonly received: SipMessage[] = [];
  policy: AnswerPolicy = { kind: 'ring' };
  readonly incoming: IncomingCall[] = [];
  private incomingWaiters: ((c: IncomingCall) => void)[] = [];

  constructor(
    readonly user: string,
    private readonly server: { host: string; port: number; domain: string },
    private readonly creds: Credentials,
    /**
     * Our address. A test domain of 127.0.0.1 makes Kamailio treat every 127.0.0.1:<port> as
     * itself, so in-dialog requests *to* this UA (ACK, BYE) need another loopback address.
     */
    readonly host = '127.0.0.1',
  ) {}

  async open(): Promise<this> {
    this.sock = createSocket('udp4');
    await new Promise<void>((r) => this.sock.bind(0, this.host, () => r()));
    this.port = this.sock.address().port;
    this.sock.on('message', (buf) => {
      const m = parseSip(buf.toString());
      this.received.push(m);
      if (m.method) this.onRequest(m);
      for (const l of [...this.listeners]) l(m);
    });
    return this;
  }

  close(): void {
    this.sock.close();
  }

  send(text: string): void {
    this.sock.send(text, this.server.port, this.server.host);
  }

  /** Sees every message received from now on; returns the unsubscribe. */
  subscribe(l: (m: SipMessage) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Like waitFor, but a message already received counts too. */
  seen(pred: (m: SipMessage) => boolean, timeoutMs = 5000, what = 'SIP message'): Promise<SipMessage> {
    const have = this.received.find(pred);
    return have ? Promise.resolve(have) : this.waitFor(pred, timeoutMs, what);
  }

  /** Resolves with the first message matching, or rejects after timeoutMs. */
  waitFor(pred: (m: SipMessage) => boolean, timeoutMs = 5000, what = 'SIP message'): Promise<SipMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(l);
        reject(new Error(`${this.user}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const l = (m: SipMessage) => {
        if (!pred(m)) return;
        clearTimeout(timer);
        this.listeners.delete(l);
        resolve(m);
      };
      this.listeners.add(l);
    });
  }

  private via(branch: string): string {
    return `SIP/2.0/UDP ${this.host}:${this.port};rport;branch=z9hG4bK${branch}`;
  }

  async register(expires = 120): Promise<number> {
    const callId = rand(8);
    const tag = rand(4);
    const aor = `sip:${this.user}@${this.server.domain}`;
    const build = (cseq: number, auth?: string) =>
      [
        `REGISTER sip:${this.server.domain} SIP/2.0`,
        `Via: ${this.via(rand())}`,
        'Max-Forwards: 70',
        `From: <${aor}>;tag=${tag}`,
        `To: <${aor}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:${this.user}@${this.host}:${this.port}>`,
        `Expires: ${expires}`,
        ...(auth ? [`Authorization: ${auth}`] : []),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const final = (cseq: number) => this.waitFor((m) => m.status >= 200 && hdr(m, 'call-id') === callId && hdr(m, 'cseq') === `${cseq} REGISTER`, 3000, 'REGISTER reply');
    let p = final(1);
    this.send(build(1));
    let res = await p;
    if (res.status === 401) {
      p = final(2);
      this.send(build(2, digest(hdr(res, 'www-authenticate') ?? '', 'REGISTER', `sip:${this.server.domain}`, this.creds)));
      res = await p;
    }
    return res.status;
  }

  /** Places a call; resolves once the INVITE (with credentials) is out. */
  async call(target: string, extraHeaders: string[] = []): Promise<OutgoingCall> {
    const c = new OutgoingCall(this, target, this.server.domain, this.creds, extraHeaders);
    await c.start();
    return c;
  }

  /** The next incoming call (already received or still to come). */
  nextIncoming(timeoutMs = 5000): Promise<IncomingCall> {
    const have = this.incoming.shift();
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.user}: no incoming call within ${timeoutMs} ms`)), timeoutMs);
      this.incomingWaiters.push((c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  }

  viaFor(branch: string): string {
    return this.via(branch);
  }

  private readonly dialogs = new Map<string, { invite: SipMessage; toTag: string; answered: boolean; done: boolean }>();

  private reply(req: SipMessage, status: number, reason: string, opts: { toTag?: string; body?: string; contact?: boolean } = {}): void {
    const to = hdr(req, 'to') ?? '';
    const lines = [
      `SIP/2.0 ${status} ${reason}`,
      ...hdrs(req, 'via').map((v) => `Via: ${v}`),
      ...(status > 100 && req.method === 'INVITE' ? hdrs(req, 'record-route').map((v) => `Record-Route: ${v}`) : []),
      `From: ${hdr(req, 'from')}`,
      `To: ${opts.toTag && !tagOf(to) ? `${to};tag=${opts.toTag}` : to}`,
      `Call-ID: ${hdr(req, 'call-id')}`,
      `CSeq: ${hdr(req, 'cseq')}`,
      ...(opts.contact ? [`Contact: <sip:${this.user}@${this.host}:${this.port}>`] : []),
      ...(opts.body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(opts.body ?? '')}`,
      '',
      opts.body ?? '',
    ];
    this.send(lines.join('\r\n'));
  }

  private onRequest(m: SipMessage): void {
    const callId = hdr(m, 'call-id') ?? '';
    switch (m.method) {
      case 'INVITE': {
        if (this.dialogs.has(callId) && tagOf(hdr(m, 'to'))) {
          this.reply(m, 200, 'OK', { body: SDP(40000), contact: true }); // re-INVITE
          return;
        }
        if (this.dialogs.has(callId)) return; // retransmission
        const toTag = rand(4);
        const d = { invite: m, toTag, answered: false, done: false };
        this.dialogs.set(callId, d);
        this.reply(m, 180, 'Ringing', { toTag, contact: true });
        const call: IncomingCall = {
          invite: m,
          callId,
          hangUp: async () => {
            const routes = hdrs(m, 'record-route');
            const ok = this.waitFor((r) => r.status >= 200 && hdr(r, 'call-id') === callId && /BYE/.test(hdr(r, 'cseq') ?? ''), 3000, 'BYE reply');
            this.send(
              [
                `BYE ${uriOf(hdr(m, 'contact'))} SIP/2.0`,
                `Via: ${this.via(rand())}`,
                'Max-Forwards: 70',
                ...routes.map((r) => `Route: ${r}`),
                `From: ${hdr(m, 'to')};tag=${toTag}`,
                `To: ${hdr(m, 'from')}`,
                `Call-ID: ${callId}`,
                'CSeq: 1 BYE',
                'Content-Length: 0',
                '',
                '',
              ].join('\r\n'),
            );
            await ok;
          },
        };
        const p = this.policy;
        const act = () => {
          if (d.done) return;
          if (p.kind === 'answer') {
            d.answered = true;
            this.reply(m, 200, 'OK', { toTag, body: p.sdp ? p.sdp(m) : SDP(40000), contact: true });
          } else if (p.kind === 'reply') {
            d.done = true;
            this.reply(m, p.status, p.reason, { toTag });
          }
        };
        if (p.kind !== 'ring') setTimeout(act, p.afterMs ?? 0);
        const w = this.incomingWaiters.shift();
        if (w) w(call);
        else this.incoming.push(call);
        return;
      }
      case 'CANCEL': {
        const d = this.dialogs.get(callId);
        this.reply(m, 200, 'OK');
        if (d && !d.answered && !d.done) {
          d.done = true;
          this.reply(d.invite, 487, 'Request Terminated', { toTag: d.toTag });
        }
        return;
      }
      case 'BYE':
        this.reply(m, 200, 'OK');
        this.dialogs.delete(callId);
        return;
      case 'ACK':
        return;
      case 'OPTIONS':
      default:
        this.reply(m, 200, 'OK');
    }
  }
}

/** A call this UA places (caller role). */
export class OutgoingCall {
  readonly callId = rand(10);
  private readonly fromTag = rand(4);
  private branch = rand();
  private cseq = 1;
  /** CSeq of in-dialog requests after the INVITE. */
  private dialogCseq = 100;
  private lastInvite = '';
  private final: Promise<SipMessage> | null = null;
  /** performance.now() when the authenticated INVITE left. */
  sentAt = 0;
  readonly responses: SipMessage[] = [];
  private finalReply: SipMessage | null = null;

  constructor(
    private readonly ua: SipUdpUa,
    private readonly target: string,
    private readonly domain: string,
    private readonly creds: Credentials,
    private readonly extraHeaders: string[] = [],
  ) {}

  private get ruri(): string {
    return `sip:${this.target}@${this.domain}`;
  }

  private invite(auth?: string): string {
    const body = SDP(41000);
    return [
      `INVITE ${this.ruri} SIP/2.0`,
      `Via: ${this.ua.viaFor(this.branch)}`,
      'Max-Forwards: 70',
      `From: <sip:${this.ua.user}@${this.domain}>;tag=${this.fromTag}`,
      `To: <${this.ruri}>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${this.cseq} INVITE`,
      `Contact: <sip:${this.ua.user}@${this.ua.host}:${this.ua.port}>`,
      ...(auth ? [`Proxy-Authorization: ${auth}`] : []),
      ...this.extraHeaders,
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  }

  private mine = (m: SipMessage) => m.method === null && hdr(m, 'call-id') === this.callId && hdr(m, 'cseq') === `${this.cseq} INVITE`;

  async start(): Promise<void> {
    const challenge = this.ua.waitFor((m) => this.mine(m) && m.status >= 200, 3000, 'INVITE challenge');
    this.ua.send(this.invite());
    const res = await challenge;
    if (res.status !== 407) throw new Error(`expected 407 to the first INVITE, got ${res.status}`);
    this.ack(res);
    this.cseq++;
    this.branch = rand();
    const auth = digest(hdr(res, 'proxy-authenticate') ?? '', 'INVITE', this.ruri, this.creds);
    this.lastInvite = this.invite(auth);
    const cseq = this.cseq;
    const collect = (m: SipMessage) => {
      if (m.method === null && hdr(m, 'call-id') === this.callId && hdr(m, 'cseq') === `${cseq} INVITE`) {
        this.responses.push(m);
        if (m.status >= 200 && !this.finalReply) {
          this.finalReply = m;
          if (m.status >= 300) this.ack(m);
          else this.ack2xx(m);
        } else if (m.status >= 300) {
          this.ack(m); // retransmitted final
        }
      }
    };
    this.ua.subscribe(collect);
    this.final = this.ua.waitFor((m) => this.mine(m) && m.status >= 200, 120_000, 'final reply');
    this.final.catch(() => undefined);
    this.sentAt = performance.now();
    this.ua.send(this.lastInvite);
  }

  /** Resolves with the first provisional/final reply with this status. */
  waitStatus(status: number, timeoutMs = 5000): Promise<SipMessage> {
    const have = this.responses.find((r) => r.status === status);
    if (have) return Promise.resolve(have);
    return this.ua.waitFor((m) => this.mine(m) && m.status === status, timeoutMs, `${status} to INVITE`);
  }

  async finalStatus(timeoutMs = 5000): Promise<SipMessage> {
    if (this.finalReply) return this.finalReply;
    return this.ua.waitFor((m) => this.mine(m) && m.status >= 200, timeoutMs, 'final reply to INVITE');
  }

  /** Hop-by-hop ACK for a non-2xx final reply (same branch as the INVITE). */
  private ack(res: SipMessage): void {
    const cseq = Number((hdr(res, 'cseq') ?? '1').split(' ')[0]);
    this.ua.send(
      [
        `ACK ${this.ruri} SIP/2.0`,
        `Via: ${this.ua.viaFor(this.branch)}`,
        'Max-Forwards: 70',
        `From: <sip:${this.ua.user}@${this.domain}>;tag=${this.fromTag}`,
        `To: ${hdr(res, 'to')}`,
        `Call-ID: ${this.callId}`,
        `CSeq: ${cseq} ACK`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  }

  private dialogRequest(method: string, res: SipMessage, cseq: number): string {
    const routes = hdrs(res, 'record-route').reverse();
    return [
      `${method} ${uriOf(hdr(res, 'contact'))} SIP/2.0`,
      `Via: ${this.ua.viaFor(rand())}`,
      'Max-Forwards: 70',
      ...routes.map((r) => `Route: ${r}`),
      `From: <sip:${this.ua.user}@${this.domain}>;tag=${this.fromTag}`,
      `To: ${hdr(res, 'to')}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  private ack2xx(res: SipMessage): void {
    this.ua.send(this.dialogRequest('ACK', res, this.cseq));
  }

  /** CANCEL the pending INVITE; resolves with the INVITE's final reply (487 expected). */
  async cancel(): Promise<SipMessage> {
    const final = this.finalStatus(5000);
    this.ua.send(
      [
        `CANCEL ${this.ruri} SIP/2.0`,
        `Via: ${this.ua.viaFor(this.branch)}`,
        'Max-Forwards: 70',
        `From: <sip:${this.ua.user}@${this.domain}>;tag=${this.fromTag}`,
        `To: <${this.ruri}>`,
        `Call-ID: ${this.callId}`,
        `CSeq: ${this.cseq} CANCEL`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    return final;
  }

  /** A re-INVITE in the dialog with this media direction (hold: sendonly); resolves with its 200. */
  async reinvite(direction: 'sendonly' | 'sendrecv' | 'inactive'): Promise<SipMessage> {
    if (!this.finalReply || this.finalReply.status >= 300) throw new Error('not answered');
    const cseq = ++this.dialogCseq;
    const body = SDP(41000) + `a=${direction}\r\n`;
    const ok = this.ua.waitFor((m) => m.method === null && m.status >= 200 && hdr(m, 'call-id') === this.callId && hdr(m, 'cseq') === `${cseq} INVITE`, 3000, 're-INVITE reply');
    const req = this.dialogRequest('INVITE', this.finalReply, cseq)
      .replace('Content-Length: 0\r\n', `Contact: <sip:${this.ua.user}@${this.ua.host}:${this.ua.port}>\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`);
    this.ua.send(req + body);
    const res = await ok;
    this.ua.send(this.dialogRequest('ACK', this.finalReply, cseq));
    return res;
  }

  /** The caller hangs up an answered call. */
  async hangUp(): Promise<SipMessage> {
    if (!this.finalReply || this.finalReply.status >= 300) throw new Error('not answered');
    const cseq = ++this.dialogCseq;
    const ok = this.ua.waitFor((m) => m.method === null && hdr(m, 'call-id') === this.callId && hdr(m, 'cseq') === `${cseq} BYE`, 3000, 'BYE reply');
    this.ua.send(this.dialogRequest('BYE', this.finalReply, cseq));
    return ok;
  }
}
