/**
 * The backend's connection to Kamailio's evapi listener (loopback TCP): netstring framing,
 * a "hello" with the shared secret before anything else, and reconnection with backoff
 * when Kamailio restarts or the socket drops. Messages sent while disconnected wait in a
 * small, short-lived queue so a decision survives a reconnect but never goes out stale.
 */
import { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { kamailioEventSchema, type BackendMessage, type KamailioEvent } from './evapi-protocol.js';

/** Incremental netstring decoder ("<len>:<bytes>,"), tolerant of whitespace between frames. */
export class NetstringDecoder {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the complete frames. Throws on malformed input (the caller resets the link). */
  push(chunk: Buffer): string[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: string[] = [];
    let pos = 0;
    for (;;) {
      while (pos < this.buf.length && (this.buf[pos] === 0x20 || this.buf[pos] === 0x0a || this.buf[pos] === 0x0d || this.buf[pos] === 0x09)) pos++;
      const colon = this.buf.indexOf(0x3a, pos);
      if (colon < 0) {
        if (this.buf.length - pos > 10) throw new Error('netstring: no length prefix');
        break;
      }
      const lenText = this.buf.toString('latin1', pos, colon);
      if (!/^\d{1,9}$/.test(lenText)) throw new Error(`netstring: bad length ${JSON.stringify(lenText.slice(0, 12))}`);
      const len = Number(lenText);
      const end = colon + 1 + len;
      if (end >= this.buf.length) break; // incomplete: need the payload and the trailing comma
      if (this.buf[end] !== 0x2c) throw new Error('netstring: missing trailing comma');
      frames.push(this.buf.toString('utf8', colon + 1, end));
      pos = end + 1;
    }
    this.buf = this.buf.subarray(pos);
    return frames;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}

export function encodeNetstring(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`, 'latin1'), body, Buffer.from(',', 'latin1')]);
}

export interface EvapiClientOptions {
  port: number;
  host?: string;
  secret: string;
  log: FastifyBaseLogger;
  onEvent: (event: KamailioEvent) => void;
  /** Called after every successful hello (first connect and each reconnect). */
  onLinkUp?: () => void;
  /** How long a message may wait for the link before it is dropped (ms). */
  queueTtlMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class EvapiClient {
  private socket: Socket | null = null;
  private readonly decoder = new NetstringDecoder();
  private stopped = true;
  private linkUp = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private queue: { data: Buffer; at: number; what: string }[] = [];
  /** Resolvers waiting for the link (tests, start-up). */
  private waiters: (() => void)[] = [];

  constructor(private readonly o: EvapiClientOptions) {}

  get connected(): boolean {
    return this.linkUp;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Kamailio just became ready: retry now instead of waiting out the backoff. */
  kick(): void {
    if (this.stopped || this.linkUp || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempt = 0;
    this.connect();
  }

  /** Resolves once the link is up (hello accepted), or rejects after timeoutMs. */
  async waitUp(timeoutMs = 5000): Promise<void> {
    if (this.linkUp) return;
    await Promise.race([
      new Promise<void>((r) => this.waiters.push(r)),
      sleep(timeoutMs).then(() => {
        if (!this.linkUp) throw new Error('evapi link to Kamailio not up');
      }),
    ]);
  }

  /** Sends now, or queues for the next link-up. Returns false when the message had to wait. */
  send(msg: BackendMessage): boolean {
    const data = encodeNetstring(JSON.stringify(msg));
    if (this.linkUp && this.socket) {
      this.socket.write(data);
      return true;
    }
    this.queue.push({ data, at: Date.now(), what: `${msg.t} ${'callId' in msg ? msg.callId : ''}` });
    if (this.queue.length > 1000) this.queue.shift();
    return false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const s = this.socket;
    this.socket = null;
    this.linkUp = false;
    if (s && !s.destroyed) {
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.destroy();
      });
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new Socket();
    this.socket = socket;
    this.decoder.reset();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.on('connect', () => {
      socket.write(encodeNetstring(JSON.stringify({ t: 'hello', secret: this.o.secret } satisfies BackendMessage)));
    });
    socket.on('data', (chunk) => {
      let frames: string[];
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        this.o.log.error({ err }, 'evapi: malformed data from Kamailio; reconnecting');
        socket.destroy();
        return;
      }
      for (const f of frames) this.handleFrame(f);
    });
    socket.on('error', (err) => {
      // ECONNREFUSED while Kamailio (re)starts is expected; the close handler retries.
      if (this.attempt < 3 || this.attempt % 20 === 0) this.o.log.debug({ err: err.message }, 'evapi: connection error');
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      const wasUp = this.linkUp;
      this.linkUp = false;
      this.socket = null;
      if (this.stopped) return;
      if (wasUp) this.o.log.warn('evapi: link to Kamailio lost; reconnecting');
      // 100 ms, 200 ms … 5 s; a link that came up resets the ladder.
      const delay = Math.min(5000, 100 * 2 ** Math.min(this.attempt++, 6));
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, delay);
    });
    socket.connect(this.o.port, this.o.host ?? '127.0.0.1');
  }

  private handleFrame(frame: string): void {
    let event: KamailioEvent;
    try {
      event = kamailioEventSchema.parse(JSON.parse(frame));
    } catch (err) {
      this.o.log.error({ err, frame: frame.slice(0, 300) }, 'evapi: unexpected message from Kamailio');
      return;
    }
    if (event.t === 'hello') {
      this.linkUp = true;
      this.attempt = 0;
      this.o.log.info('evapi: link to Kamailio up');
      this.flush();
      for (const w of this.waiters.splice(0)) w();
      this.o.onLinkUp?.();
      return;
    }
    this.o.onEvent(event);
  }

  private flush(): void {
    const ttl = this.o.queueTtlMs ?? 3000;
    const now = Date.now();
    for (const q of this.queue.splice(0)) {
      if (now - q.at > ttl) {
        this.o.log.warn({ message: q.what, ageMs: now - q.at }, 'evapi: dropped a message that waited too long for the link');
        continue;
      }
      this.socket?.write(q.data);
    }
  }
}
