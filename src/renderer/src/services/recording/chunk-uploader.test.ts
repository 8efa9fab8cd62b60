import { describe, expect, it } from 'vitest';
import { ChunkUploader, type RecordingTransport } from './chunk-uploader';

const sha = async (d: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', d as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('ChunkUploader', () => {
  it('uploads in order through failures and completes with the checksum of all chunks', async () => {
    const received: number[] = [];
    let failures = 2;
    let completed: [number, string, number] | null = null;
    const transport: RecordingTransport = {
      async putChunk(seq) {
        if (seq === 1 && failures-- > 0) throw new Error('network');
        received.push(seq);
      },
      async complete(n, h, d) {
        completed = [n, h, d];
      },
    };
    const up = new ChunkUploader(transport, { sleep: async () => {} });
    const parts = [new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array(0), new Uint8Array([4, 5, 6])];
    for (const p of parts) up.push(p);
    const res = await up.finish(1234);
    expect(received).toEqual([0, 1, 2]);
    expect(res).toEqual({ chunks: 3, bytes: 6, sha256: await sha(new Uint8Array([1, 2, 3, 4, 5, 6])) });
    expect(completed).toEqual([3, res.sha256, 1234]);
  });

  it('gives up after bounded retries and reports the failure at finish', async () => {
    const up = new ChunkUploader({ putChunk: async () => { throw new Error('down'); }, complete: async () => {} }, { sleep: async () => {} });
    up.push(new Uint8Array([1]));
    await expect(up.finish(1)).rejects.toThrow('down');
  });
});
