/**
 * Uploads a recording's chunks in order as they are produced, retrying each with backoff
 * so a network blip mid-call loses nothing; `finish` waits for the queue to drain and
 * completes the recording with the SHA-256 of everything sent. DOM-free for unit tests.
 */
export interface RecordingTransport {
  putChunk(seq: number, data: Uint8Array): Promise<void>;
  complete(chunks: number, sha256: string, durationMs: number): Promise<void>;
}

export interface UploaderOptions {
  /** Delays between attempts of one chunk; the last one repeats until `finish` gives up. */
  backoffMs?: number[];
  sleep?: (ms: number) => Promise<void>;
  sha256?: (data: Uint8Array) => Promise<string>;
}

async function webSha256(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class ChunkUploader {
  private readonly chunks: Uint8Array[] = [];
  private queue: Promise<void> = Promise.resolve();
  private failed: unknown = null;
  private readonly backoff: number[];
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly hash: (data: Uint8Array) => Promise<string>;
  /** Chunks the server has confirmed (for the UI and tests). */
  uploaded = 0;

  constructor(private readonly transport: RecordingTransport, opts: UploaderOptions = {}) {
    this.backoff = opts.backoffMs ?? [250, 500, 1000, 2000, 4000];
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.hash = opts.sha256 ?? webSha256;
  }

  /** Queues the next chunk; chunks go up strictly in order. */
  push(data: Uint8Array): void {
    if (data.byteLength === 0) return;
    const seq = this.chunks.length;
    this.chunks.push(data);
    this.queue = this.queue.then(() => this.send(seq, data));
  }

  private async send(seq: number, data: Uint8Array): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.transport.putChunk(seq, data);
        this.uploaded++;
        return;
      } catch (err) {
        if (attempt >= 30) {
          this.failed = err;
          throw err;
        }
        await this.sleep(this.backoff[Math.min(attempt, this.backoff.length - 1)]!);
      }
    }
  }

  async finish(durationMs: number): Promise<{ chunks: number; sha256: string; bytes: number }> {
    await this.queue;
    if (this.failed) throw this.failed;
    const bytes = this.chunks.reduce((n, c) => n + c.byteLength, 0);
    const all = new Uint8Array(bytes);
    let off = 0;
    for (const c of this.chunks) {
      all.set(c, off);
      off += c.byteLength;
    }
    const sha256 = await this.hash(all);
    await this.transport.complete(this.chunks.length, sha256, durationMs);
    return { chunks: this.chunks.length, sha256, bytes };
  }
}
