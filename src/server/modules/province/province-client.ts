/**
 * HTTP client for the province's endpoints: batch report, acknowledgement list (reconciliation)
 * and the dispatch feed (pull mode). Every request is signed (signing.ts) and bounded by a
 * timeout. Failures are classified once, here: transport failures (timeout, network, 5xx,
 * an unreadable answer) throw `TransportError` — retryable, and what the circuit breaker
 * counts — while a 4xx comes back as a value, because retrying it cannot help.
 */
import type { z } from 'zod';
import {
  InboundFeedSchema, ProvinceAckListSchema, ProvinceBatchResponseSchema, ProvinceErrorSchema, ProvinceVoiceStatusSchema,
  type InboundFeed, type ProvinceAckList, type ProvinceBatchRequest, type ProvinceBatchResponse,
  type ProvinceVoiceChunk, type ProvinceVoiceStatus,
} from '../../../shared/api/province.js';
import type { RequestSigner } from './signing.js';

export type TransportReason = 'timeout' | 'network' | 'http_5xx' | 'bad_response';

export class TransportError extends Error {
  override name = 'TransportError';
  constructor(readonly reason: TransportReason, message: string) {
    super(message);
  }
}

export type BatchOutcome =
  | { kind: 'ok'; response: ProvinceBatchResponse }
  | { kind: 'rejected'; status: number; code: string; message: string };

/** A voice chunk's fate: taken, refused for good, or sent at an offset the province does not hold. */
export type VoiceChunkOutcome =
  | { kind: 'ok'; status: ProvinceVoiceStatus }
  | { kind: 'offset'; received: number }
  | { kind: 'rejected'; code: string; message: string };

export interface ProvinceClientOptions {
  baseUrl: string;
  signer: RequestSigner;
  timeoutMs: number;
}

export const provincePaths = {
  batch: '/api/v1/reports/batch',
  acks: '/api/v1/reports/acks',
  feed: '/api/v1/dispatches',
  voice: (key: string) => `/api/v1/voices/${encodeURIComponent(key)}`,
} as const;

export class ProvinceClient {
  private readonly base: string;
  constructor(private readonly opts: ProvinceClientOptions) {
    this.base = opts.baseUrl.replace(/\/$/, '');
  }

  private async request(method: 'GET' | 'POST', path: string, json: unknown, signal?: AbortSignal): Promise<{ status: number; body: unknown }> {
    const sealed = this.opts.signer.seal(method, path, json);
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: sealed.headers,
        ...(sealed.body ? { body: sealed.body } : {}),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await res.text();
    } catch (err) {
      if (timeout.aborted) throw new TransportError('timeout', `no answer within ${this.opts.timeoutMs} ms`);
      if (signal?.aborted) throw new TransportError('network', 'aborted');
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new TransportError('network', `${(err as Error).message}${cause ? ` (${cause})` : ''}`);
    }
    if (res.status >= 500) throw new TransportError('http_5xx', `HTTP ${res.status}: ${text.slice(0, 200)}`);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      if (res.status >= 400) return { status: res.status, body: { code: `HTTP_${res.status}`, message: text.slice(0, 500) } };
      throw new TransportError('bad_response', `HTTP ${res.status}: not JSON`);
    }
    return { status: res.status, body };
  }

  private parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
    const r = schema.safeParse(body);
    if (!r.success) throw new TransportError('bad_response', `${what}: unexpected answer (${r.error.issues[0]?.message ?? 'invalid'})`);
    return r.data;
  }

  async sendBatch(req: ProvinceBatchRequest, signal?: AbortSignal): Promise<BatchOutcome> {
    const { status, body } = await this.request('POST', provincePaths.batch, req, signal);
    if (status >= 400) {
      const e = ProvinceErrorSchema.safeParse(body);
      return { kind: 'rejected', status, code: e.success ? e.data.code : `HTTP_${status}`, message: e.success ? e.data.message : JSON.stringify(body).slice(0, 500) };
    }
    const response = this.parse(ProvinceBatchResponseSchema, body, 'batch');
    if (response.batchId !== req.batchId) throw new TransportError('bad_response', 'batch: answer names another batch');
    return { kind: 'ok', response };
  }

  /** How much of a voice file the province holds (nothing yet: 0). */
  async voiceStatus(key: string, signal?: AbortSignal): Promise<ProvinceVoiceStatus> {
    const { status, body } = await this.request('GET', provincePaths.voice(key), undefined, signal);
    if (status === 404) return { key, received: 0, complete: false };
    if (status >= 400) throw new TransportError('bad_response', `voice status: HTTP ${status} ${JSON.stringify(body).slice(0, 200)}`);
    return this.parse(ProvinceVoiceStatusSchema, body, 'voice status');
  }

  async putVoiceChunk(key: string, chunk: ProvinceVoiceChunk, signal?: AbortSignal): Promise<VoiceChunkOutcome> {
    const { status, body } = await this.request('POST', `${provincePaths.voice(key)}/chunks`, chunk, signal);
    if (status === 409) {
      const received = (body as { received?: unknown } | undefined)?.received;
      if (typeof received === 'number') return { kind: 'offset', received };
    }
    if (status >= 400) {
      const e = ProvinceErrorSchema.safeParse(body);
      return { kind: 'rejected', code: e.success ? e.data.code : `HTTP_${status}`, message: e.success ? e.data.message : JSON.stringify(body).slice(0, 500) };
    }
    return { kind: 'ok', status: this.parse(ProvinceVoiceStatusSchema, body, 'voice chunk') };
  }

  async listAcks(from: string, to: string, cursor: string | null): Promise<ProvinceAckList> {
    const q = new URLSearchParams({ from, to, ...(cursor ? { cursor } : {}) });
    const { status, body } = await this.request('GET', `${provincePaths.acks}?${q}`, undefined);
    if (status >= 400) throw new TransportError('bad_response', `acks: HTTP ${status} ${JSON.stringify(body).slice(0, 200)}`);
    return this.parse(ProvinceAckListSchema, body, 'acks');
  }

  async pullFeed(cursor: string | null, limit: number): Promise<InboundFeed> {
    const q = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    const { status, body } = await this.request('GET', `${provincePaths.feed}?${q}`, undefined);
    if (status >= 400) throw new TransportError('bad_response', `feed: HTTP ${status} ${JSON.stringify(body).slice(0, 200)}`);
    return this.parse(InboundFeedSchema, body, 'feed');
  }
}
