/**
 * Where recording audio lives: a directory (local disk, or a share mounted on every node
 * when several backends run). Chunks are written atomically as separate files while the
 * call runs, then joined into one file whose SHA-256 is recorded.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export class RecordingStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private partsDir(id: string): string {
    return join(this.dir, `${id}.parts`);
  }

  audioPath(id: string): string {
    return join(this.dir, `${id}.audio`);
  }

  writeChunk(id: string, seq: number, data: Buffer): void {
    const dir = this.partsDir(id);
    mkdirSync(dir, { recursive: true });
    const final = join(dir, `${String(seq).padStart(6, '0')}.part`);
    const tmp = `${final}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, final);
  }

  /** Joins the chunks present (in order) into the audio file; returns its size and SHA-256. */
  async assemble(id: string): Promise<{ bytes: number; sha256: string; chunks: number[] }> {
    const dir = this.partsDir(id);
    const parts = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.part')).sort() : [];
    const hash = createHash('sha256');
    const tmp = `${this.audioPath(id)}.tmp`;
    const out = createWriteStream(tmp);
    let bytes = 0;
    for (const p of parts) {
      const buf = await readFile(join(dir, p));
      hash.update(buf);
      bytes += buf.length;
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    renameSync(tmp, this.audioPath(id));
    rmSync(dir, { recursive: true, force: true });
    return { bytes, sha256: hash.digest('hex'), chunks: parts.map((p) => Number(p.slice(0, 6))) };
  }

  /**
   * Stores a recording made whole elsewhere (the server's trunk recordings): written aside,
   * flushed and renamed into place; the SHA-256 is taken over the bytes read back from disk.
   */
  async writeWhole(id: string, data: Buffer): Promise<{ bytes: number; sha256: string }> {
    const tmp = `${this.audioPath(id)}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    renameSync(tmp, this.audioPath(id));
    const stored = await readFile(this.audioPath(id));
    return { bytes: stored.length, sha256: createHash('sha256').update(stored).digest('hex') };
  }

  read(id: string): Readable {
    return createReadStream(this.audioPath(id));
  }

  has(id: string): boolean {
    return existsSync(this.audioPath(id));
  }
}
