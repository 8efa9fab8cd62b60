/**
 * Client for rtpengine's "ng" control protocol (UDP, `cookie bencoded-dict`): the few
 * commands the backend needs itself — ping (readiness), list and statistics (how many
 * media sessions are open, for health and leak checks). Kamailio's rtpengine module speaks
 * the same protocol for offer/answer/delete; we never do those from Node.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

export type Bencoded = string | number | Bencoded[] | { [key: string]: Bencoded };

/** Bencode as rtpengine uses it: byte strings, integers, lists and dictionaries. */
export function bencode(v: Bencoded): Buffer {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error('bencode: only integers');
    return Buffer.from(`i${v}e`);
  }
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([Buffer.from(`${b.length}:`), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([Buffer.from('l'), ...v.map(bencode), Buffer.from('e')]);
  const keys = Object.keys(v).sort();
  return Buffer.concat([Buffer.from('d'), ...keys.flatMap((k) => [bencode(k), bencode(v[k]!)]), Buffer.from('e')]);
}

export function bdecode(buf: Buffer): Bencoded {
  let i = 0;
  const next = (): Bencoded => {
    const c = buf[i];
    if (c === 0x69 /* i */) {
      const end = buf.indexOf(0x65, i);
      const n = Number(buf.subarray(i + 1, end).toString());
      i = end + 1;
      return n;
    }
    if (c === 0x6c /* l */) {
      i++;
      const out: Bencoded[] = [];
      while (buf[i] !== 0x65) out.push(next());
      i++;
      return out;
    }
    if (c === 0x64 /* d */) {
      i++;
      const out: Record<string, Bencoded> = {};
      while (buf[i] !== 0x65) {
        const k = next();
        if (typeof k !== 'string') throw new Error('bdecode: dictionary key is not a string');
        out[k] = next();
      }
      i++;
      return out;
    }
    if (c !== undefined && c >= 0x30 && c <= 0x39) {
      const colon = buf.indexOf(0x3a, i);
      const len = Number(buf.subarray(i, colon).toString());
      const s = buf.subarray(colon + 1, colon + 1 + len).toString('utf8');
      i = colon + 1 + len;
      return s;
    }
    throw new Error(`bdecode: unexpected byte at ${i}`);
  };
  const v = next();
  if (i !== buf.length) throw new Error('bdecode: trailing bytes');
  return v;
}

/** "udp:127.0.0.1:2223" (Kamailio's rtpengine_sock form) or "127.0.0.1:2223". */
export function parseNgAddress(address: string): { host: string; port: number } {
  const m = /^(?:udp:)?([0-9.]+):([0-9]{1,5})$/.exec(address);
  if (!m) throw new Error(`rtpengine ng address must be udp:IPv4:port, got ${JSON.stringify(address)}`);
  return { host: m[1]!, port: Number(m[2]) };
}

export class RtpengineNgClient {
  private socket: Socket | null = null;
  private readonly pending = new Map<string, { resolve: (v: Record<string, Bencoded>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs = 2000,
  ) {}

  static fromAddress(address: string, timeoutMs?: number): RtpengineNgClient {
    const { host, port } = parseNgAddress(address);
    return new RtpengineNgClient(host, port, timeoutMs);
  }

  private open(): Socket {
    if (this.socket) return this.socket;
    const s = createSocket('udp4');
    s.on('message', (msg) => {
      const space = msg.indexOf(0x20);
      if (space < 0) return;
      const cookie = msg.subarray(0, space).toString();
      const p = this.pending.get(cookie);
      if (!p) return;
      this.pending.delete(cookie);
      clearTimeout(p.timer);
      try {
        const v = bdecode(msg.subarray(space + 1));
        if (typeof v !== 'object' || Array.isArray(v)) throw new Error('rtpengine: reply is not a dictionary');
        if (v.result === 'error') throw new Error(`rtpengine: ${String(v['error-reason'] ?? 'error')}`);
        p.resolve(v);
      } catch (err) {
        p.reject(err as Error);
      }
    });
    s.on('error', () => undefined);
    s.unref();
    this.socket = s;
    return s;
  }

  command(command: string, args: Record<string, Bencoded> = {}): Promise<Record<string, Bencoded>> {
    const socket = this.open();
    const cookie = randomBytes(8).toString('hex');
    const payload = Buffer.concat([Buffer.from(`${cookie} `), bencode({ ...args, command })]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cookie);
        reject(new Error(`rtpengine did not answer '${command}' within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(cookie, { resolve, reject, timer });
      socket.send(payload, this.port, this.host, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(cookie);
        reject(err);
      });
    });
  }

  async ping(): Promise<boolean> {
    return (await this.command('ping')).result === 'pong';
  }

  /** Call-IDs of the media sessions rtpengine holds now. */
  async calls(): Promise<string[]> {
    const r = await this.command('list', { limit: 10000 });
    return Array.isArray(r.calls) ? r.calls.filter((c): c is string => typeof c === 'string') : [];
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('rtpengine client closed'));
    }
    this.pending.clear();
    this.socket?.close();
    this.socket = null;
  }
}
