/**
 * Where ticket attachment bytes live: one file per attachment id in a directory (local disk,
 * or a share mounted on every node when several backends run), as RecordingStore keeps audio.
 * A file is written aside, flushed and renamed into place, and its SHA-256 is taken over the
 * bytes read back from disk, so the recorded checksum is of what was stored.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const ID = /^[0-9a-f-]{36}$/;

export class AttachmentStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  path(id: string): string {
    // Ids are server-made uuids; the check keeps a bad one from ever naming another path.
    if (!ID.test(id)) throw new Error(`bad attachment id ${id}`);
    return join(this.dir, `${id}.bin`);
  }

  async write(id: string, data: Buffer): Promise<{ bytes: number; sha256: string }> {
    const final = this.path(id);
    const tmp = `${final}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    renameSync(tmp, final);
    const stored = await readFile(final);
    return { bytes: stored.length, sha256: createHash('sha256').update(stored).digest('hex') };
  }

  read(id: string): Readable {
    return createReadStream(this.path(id));
  }

  has(id: string): boolean {
    return existsSync(this.path(id));
  }

  remove(id: string): void {
    rmSync(this.path(id), { force: true });
    rmSync(`${this.path(id)}.tmp`, { force: true });
  }
}
