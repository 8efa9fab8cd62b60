/**
 * Province simulator: a stand-in for the provincial 12345 platform, strict like a real upstream.
 * It owns nothing of ours; it only speaks the wire contract (src/shared/api/province.ts) and
 * checks signatures with the same scheme. Used by `npm run province-sim`, the tests and the bench.
 *
 * What it does:
 * - batch reports: signature + nonce checks, strict schema validation, per-item results
 *   (accepted / duplicate by idempotency key / rejected with a message / retry on a sequence
 *   gap), and it records every stored event with its arrival order per ticket;
 * - voice uploads (语音信息): chunks appended at exactly the offset it holds, each checksummed,
 *   the whole file checked on the last one; a voice event is accepted only once its audio is;
 * - its own dispatch of tickets to the city (派单, 催办, 督办, 回访): a pull feed with a cursor
 *   and/or pushes to the city's inbound endpoint, optionally duplicated and out of order;
 * - faults: latency, 5xx before storing, timeout after storing (the duplicate trap), dropped
 *   connections, and a full outage window;
 * - control endpoints under /__sim/ (unsigned; a test tool) to set faults, dispatch tickets
 *   and query what it received.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InboundMessageSchema, ProvinceBatchRequestSchema, ProvinceVoiceChunkSchema, provinceEventDataSchemas, provinceEventKey, VoiceDataSchema,
  type InboundMessage, type ProvinceBatchItem, type ProvinceItemResult,
} from '../../src/shared/api/province.js';
import { RequestSigner, SignatureError, type SigningConfig } from '../../src/server/modules/province/signing.js';

export interface SimFaults {
  /** Added delay before answering, ms (uniform 0..latencyMs). */
  latencyMs: number;
  /** Share of batch requests answered 503 before anything is stored. */
  failRate: number;
  /** Share of batch requests stored and then never answered (the connection hangs, then drops). */
  timeoutAfterCommitRate: number;
  /** How long such a request hangs before the socket is destroyed. */
  hangMs: number;
  /** Share of requests whose connection is dropped before anything is stored. */
  dropRate: number;
  /** Full outage: every province request gets 503 until this time (ms since epoch). */
  outageUntil: number;
}

export const noFaults: SimFaults = { latencyMs: 0, failRate: 0, timeoutAfterCommitRate: 0, hangMs: 15_000, dropRate: 0, outageUntil: 0 };

export interface SimOptions {
  port?: number;
  host?: string;
  signing: SigningConfig;
  /** The city's push endpoint (https://city/api/province/inbound); pushes are off without it. */
  cityInboundUrl?: string | undefined;
  /** Appeals must carry a region code of this province (GB/T 2260 prefix), e.g. '44'. */
  provinceCode?: string | undefined;
  faults?: Partial<SimFaults>;
  /** Deterministic randomness for faults (tests). */
  seed?: number;
  /**
   * Called when a valid batch arrives, before it is stored; awaited. Lets a chaos test kill
   * the sending node mid-batch (the province then stores what the dead node never hears of).
   */
  onBatch?: ((items: ProvinceBatchItem[]) => void | Promise<void>) | undefined;
}

export interface StoredEvent {
  item: ProvinceBatchItem;
  receipt: string;
  receivedAt: string;
}

export interface SimStats {
  batches: number;
  stored: number;
  duplicates: number;
  rejected: number;
  retries: number;
  failedInjected: number;
  timeoutsAfterCommit: number;
  dropped: number;
  outageRefusals: number;
  badSignatures: number;
  /** Voice chunks stored, and bytes they carried (a resumed upload re-sends nothing it holds). */
  voiceChunks: number;
  voiceBytes: number;
}

export interface SimVoice {
  total: number;
  sha256: string;
  parts: Buffer[];
  received: number;
  complete: boolean;
}

/** mulberry32: small, seeded, good enough for fault dice. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function readBody(req: IncomingMessage, limit = 8 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ProvinceSimulator {
  readonly server: Server;
  readonly signer: RequestSigner;
  faults: SimFaults;
  cityInboundUrl: string | undefined;
  /** Appeals must carry a region code starting with this (a province may change its rule: tests). */
  provinceCode: string | undefined;
  private readonly random: () => number;
  private readonly nonces = new Map<string, number>();
  /** Stored events by key, and each ticket's keys in arrival order. */
  readonly events = new Map<string, StoredEvent>();
  readonly tickets = new Map<string, { lastSeq: number; order: number[] }>();
  readonly stats: SimStats = {
    batches: 0, stored: 0, duplicates: 0, rejected: 0, retries: 0, failedInjected: 0, timeoutsAfterCommit: 0, dropped: 0, outageRefusals: 0, badSignatures: 0,
    voiceChunks: 0, voiceBytes: 0,
  };
  /** Voice files by event key, whole or in progress. */
  readonly voices = new Map<string, SimVoice>();
  /** The province's own messages to the city, in feed order. */
  readonly feed: InboundMessage[] = [];
  private receiptNo = 0;
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly opts: SimOptions) {
    this.signer = new RequestSigner(opts.signing);
    this.faults = { ...noFaults, ...opts.faults };
    this.cityInboundUrl = opts.cityInboundUrl;
    this.provinceCode = opts.provinceCode;
    this.random = rng(opts.seed ?? 12345);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, { code: 'INTERNAL', message: (err as Error).message });
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://${this.opts.host ?? '127.0.0.1'}:${a.port}`;
  }

  async close(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  setFaults(f: Partial<SimFaults>): void {
    this.faults = { ...this.faults, ...f };
  }

  /** Each ticket's stored seqs in arrival order, for "exactly once, in order" checks. */
  received(): Record<string, number[]> {
    return Object.fromEntries([...this.tickets].map(([t, v]) => [t, v.order]));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname.startsWith('/__sim/')) return this.control(req, res, url);
    const body = await readBody(req);
    if (this.faults.outageUntil > Date.now()) {
      this.stats.outageRefusals++;
      return send(res, 503, { code: 'OUTAGE', message: '省平台维护中' });
    }
    if (this.faults.dropRate && this.random() < this.faults.dropRate) {
      this.stats.dropped++;
      req.socket.destroy();
      return;
    }
    if (this.faults.latencyMs) await sleep(Math.floor(this.random() * this.faults.latencyMs));
    let opened;
    try {
      opened = this.signer.open(req.method ?? 'GET', url.pathname + url.search, req.headers, body);
      this.checkNonce(opened.nonce);
    } catch (err) {
      if (err instanceof SignatureError) {
        this.stats.badSignatures++;
        return send(res, 401, { code: err.code, message: err.message });
      }
      throw err;
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/reports/batch') return this.batch(res, opened.body);
    if (req.method === 'GET' && url.pathname === '/api/v1/reports/acks') return this.acks(res, url);
    if (req.method === 'GET' && url.pathname === '/api/v1/dispatches') return this.feedPage(res, url);
    const voice = /^\/api\/v1\/voices\/([^/]+)(\/chunks)?$/.exec(url.pathname);
    if (voice) {
      const key = decodeURIComponent(voice[1]!);
      if (req.method === 'GET' && !voice[2]) return this.voiceStatus(res, key);
      if (req.method === 'POST' && voice[2]) return this.voiceChunk(res, key, opened.body);
    }
    send(res, 404, { code: 'NOT_FOUND', message: `no ${req.method} ${url.pathname}` });
  }

  private checkNonce(nonce: string): void {
    const now = Date.now();
    if (this.nonces.size > 200_000) for (const [n, t] of this.nonces) if (now - t > 10 * 60_000) this.nonces.delete(n);
    if (this.nonces.has(nonce)) throw new SignatureError('REPLAYED_NONCE', 'nonce 已使用');
    this.nonces.set(nonce, now);
  }

  /** Replaceable at run time (tests). */
  set onBatch(fn: SimOptions['onBatch']) {
    this.opts.onBatch = fn;
  }

  private async batch(res: ServerResponse, body: unknown): Promise<void> {
    const parsed = ProvinceBatchRequestSchema.safeParse(body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return send(res, 400, { code: 'MALFORMED', message: `报文格式错误: ${i?.path.join('.')} ${i?.message}` });
    }
    this.stats.batches++;
    await this.opts.onBatch?.(parsed.data.items);
    if (this.faults.failRate && this.random() < this.faults.failRate) {
      this.stats.failedInjected++;
      return send(res, 503, { code: 'BUSY', message: '系统繁忙' });
    }
    const results: ProvinceItemResult[] = parsed.data.items.map((item) => this.store(item));
    if (this.faults.timeoutAfterCommitRate && this.random() < this.faults.timeoutAfterCommitRate) {
      // Stored, but the city never hears: its retry must come back as a duplicate.
      this.stats.timeoutsAfterCommit++;
      this.hanging.add(res);
      setTimeout(() => {
        this.hanging.delete(res);
        res.destroy();
      }, this.faults.hangMs).unref();
      return;
    }
    send(res, 200, { batchId: parsed.data.batchId, results });
  }

  private voiceStatus(res: ServerResponse, key: string): void {
    const v = this.voices.get(key);
    if (!v) return send(res, 404, { code: 'NOT_FOUND', message: `没有语音文件 ${key}` });
    send(res, 200, { key, received: v.received, complete: v.complete });
  }

  private voiceChunk(res: ServerResponse, key: string, body: unknown): void {
    const parsed = ProvinceVoiceChunkSchema.safeParse(body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return send(res, 400, { code: 'MALFORMED', message: `报文格式错误: ${i?.path.join('.')} ${i?.message}` });
    }
    const c = parsed.data;
    const data = Buffer.from(c.data, 'base64');
    if (createHash('sha256').update(data).digest('hex') !== c.chunkSha256) return send(res, 400, { code: 'CHUNK_CORRUPT', message: '分片校验值不符' });
    if (this.faults.failRate && this.random() < this.faults.failRate) {
      this.stats.failedInjected++;
      return send(res, 503, { code: 'BUSY', message: '系统繁忙' });
    }
    const v = this.voices.get(key) ?? { total: c.total, sha256: c.sha256, parts: [], received: 0, complete: false };
    if (v.total !== c.total || v.sha256 !== c.sha256) return send(res, 400, { code: 'VOICE_CHANGED', message: '同一语音文件的大小或校验值与先前分片不一致' });
    if (v.complete || c.offset !== v.received) return send(res, 409, { code: 'OFFSET_MISMATCH', message: `已接收 ${v.received} 字节`, received: v.received });
    if (c.offset + data.length > v.total) return send(res, 400, { code: 'VOICE_TOO_LONG', message: '分片超出文件大小' });
    v.parts.push(data);
    v.received += data.length;
    this.voices.set(key, v);
    this.stats.voiceChunks++;
    this.stats.voiceBytes += data.length;
    if (v.received === v.total) {
      const whole = Buffer.concat(v.parts);
      if (createHash('sha256').update(whole).digest('hex') !== v.sha256) {
        this.voices.delete(key);
        return send(res, 422, { code: 'CHECKSUM_MISMATCH', message: '语音文件整体校验值不符，已丢弃' });
      }
      v.parts = [whole];
      v.complete = true;
    }
    if (this.faults.timeoutAfterCommitRate && this.random() < this.faults.timeoutAfterCommitRate) {
      // Stored, never answered: the uploader must resume from what we hold, not resend it.
      this.stats.timeoutsAfterCommit++;
      this.hanging.add(res);
      setTimeout(() => {
        this.hanging.delete(res);
        res.destroy();
      }, this.faults.hangMs).unref();
      return;
    }
    send(res, 200, { key, received: v.received, complete: v.complete });
  }

  private store(item: ProvinceBatchItem): ProvinceItemResult {
    const prior = this.events.get(item.key);
    if (prior) {
      this.stats.duplicates++;
      return { key: item.key, status: 'duplicate', receipt: prior.receipt };
    }
    if (item.key !== provinceEventKey(item.ticketNo, item.type, item.seq)) {
      this.stats.rejected++;
      return { key: item.key, status: 'rejected', code: 'BAD_KEY', message: '幂等键应为 工单号:事件类型:序号' };
    }
    const data = provinceEventDataSchemas[item.type].safeParse(item.data);
    if (!data.success) {
      this.stats.rejected++;
      const i = data.error.issues[0];
      return { key: item.key, status: 'rejected', code: 'INVALID_DATA', message: `数据项不合规: ${i?.path.join('.')} ${i?.message}` };
    }
    if (item.type === 'voice') {
      const meta = VoiceDataSchema.parse(item.data);
      const v = this.voices.get(item.key);
      if (!v?.complete) {
        this.stats.retries++;
        return { key: item.key, status: 'retry', code: 'VOICE_INCOMPLETE', message: `语音文件未传完（已收 ${v?.received ?? 0}/${meta.bytes} 字节）` };
      }
      if (v.total !== meta.bytes || v.sha256 !== meta.sha256) {
        this.stats.rejected++;
        return { key: item.key, status: 'rejected', code: 'VOICE_MISMATCH', message: '语音信息与已上传文件的大小或校验值不符' };
      }
    }
    if (item.type === 'appeal' && this.provinceCode) {
      const region = (data.data as { regionCode?: string }).regionCode;
      if (!region || !region.startsWith(this.provinceCode)) {
        this.stats.rejected++;
        return { key: item.key, status: 'rejected', code: 'REGION_OUT_OF_PROVINCE', message: `行政区划 ${region ?? '(空)'} 不属于本省` };
      }
    }
    const t = this.tickets.get(item.ticketNo) ?? { lastSeq: 0, order: [] };
    if (item.seq <= t.lastSeq) {
      // A key we once stored and lost (tests delete one to exercise reconciliation): store it again.
      const receipt = `SP${String(++this.receiptNo).padStart(10, '0')}`;
      this.events.set(item.key, { item, receipt, receivedAt: new Date().toISOString() });
      return { key: item.key, status: 'accepted', receipt };
    }
    if (item.seq !== t.lastSeq + 1) {
      this.stats.retries++;
      return { key: item.key, status: 'retry', code: 'SEQ_GAP', message: `需先上报序号 ${t.lastSeq + 1}` };
    }
    t.lastSeq = item.seq;
    t.order.push(item.seq);
    this.tickets.set(item.ticketNo, t);
    const receipt = `SP${String(++this.receiptNo).padStart(10, '0')}`;
    this.events.set(item.key, { item, receipt, receivedAt: new Date().toISOString() });
    this.stats.stored++;
    return { key: item.key, status: 'accepted', receipt };
  }

  /** Acknowledgements for events that occurred on China dates from..to. */
  private acks(res: ServerResponse, url: URL): void {
    const from = url.searchParams.get('from') ?? '0000-00-00';
    const to = url.searchParams.get('to') ?? '9999-99-99';
    const start = Number(url.searchParams.get('cursor') ?? 0);
    const all = [...this.events.values()].filter((e) => {
      const d = new Date(Date.parse(e.item.occurredAt) + 8 * 3600_000).toISOString().slice(0, 10);
      return d >= from && d <= to;
    });
    const page = all.slice(start, start + 1000);
    send(res, 200, {
      items: page.map((e) => ({ key: e.item.key, ticketNo: e.item.ticketNo, seq: e.item.seq, type: e.item.type, receipt: e.receipt, receivedAt: e.receivedAt })),
      nextCursor: start + page.length < all.length ? String(start + page.length) : null,
    });
  }

  private feedPage(res: ServerResponse, url: URL): void {
    const start = Number(url.searchParams.get('cursor') ?? 0) || 0;
    const limit = Math.min(500, Number(url.searchParams.get('limit') ?? 100) || 100);
    const page = this.feed.slice(start, start + limit);
    send(res, 200, { messages: page, nextCursor: String(start + page.length) });
  }

  /** Adds the province's messages to the city feed (pull) without pushing them. */
  dispatch(messages: InboundMessage[]): void {
    for (const m of messages) this.feed.push(InboundMessageSchema.parse(m));
  }

  /**
   * Pushes messages to the city, each in its own signed request: optionally every message
   * twice and in shuffled order. Returns the HTTP statuses seen.
   */
  async push(messages: InboundMessage[], opts: { duplicate?: boolean; shuffle?: boolean } = {}): Promise<number[]> {
    if (!this.cityInboundUrl) throw new Error('no city inbound URL configured');
    let list = messages.map((m) => InboundMessageSchema.parse(m));
    if (opts.duplicate) list = [...list, ...list];
    if (opts.shuffle) {
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
    }
    const target = new URL(this.cityInboundUrl);
    const statuses: number[] = [];
    for (const m of list) {
      const sealed = this.signer.seal('POST', target.pathname, { messages: [m] });
      const r = await fetch(target, { method: 'POST', headers: sealed.headers, body: sealed.body });
      await r.text();
      statuses.push(r.status);
    }
    return statuses;
  }

  reset(): void {
    this.events.clear();
    this.tickets.clear();
    this.voices.clear();
    this.feed.length = 0;
    this.nonces.clear();
    for (const k of Object.keys(this.stats) as (keyof SimStats)[]) this.stats[k] = 0;
    this.faults = { ...noFaults };
  }

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /__sim/received':
        return send(res, 200, { tickets: this.received(), stats: this.stats });
      case 'GET /__sim/events': {
        const ticketNo = url.searchParams.get('ticketNo');
        const list = [...this.events.values()].filter((e) => !ticketNo || e.item.ticketNo === ticketNo);
        return send(res, 200, { events: list });
      }
      case 'POST /__sim/faults': {
        const f = body as Partial<SimFaults> & { outageSeconds?: number };
        if (f.outageSeconds !== undefined) f.outageUntil = Date.now() + f.outageSeconds * 1000;
        delete f.outageSeconds;
        this.setFaults(f);
        return send(res, 200, { faults: this.faults });
      }
      case 'POST /__sim/dispatch': {
        const messages = (body.messages ?? []) as InboundMessage[];
        this.dispatch(messages);
        const pushed = body.push ? await this.push(messages, { duplicate: !!body.duplicate, shuffle: !!body.shuffle }) : [];
        return send(res, 200, { queued: messages.length, pushed });
      }
      case 'POST /__sim/reset':
        this.reset();
        return send(res, 200, { ok: true });
      default:
        return send(res, 404, { code: 'NOT_FOUND', message: route });
    }
  }
}

/** A new province-side message id. */
export function simMessageId(): string {
  return `PM-${randomUUID()}`;
}
