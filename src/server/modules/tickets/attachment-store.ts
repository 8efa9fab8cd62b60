/**
 * Where ticket attachment bytes live: one file per attachment id in a directory (local disk,
 * or a share mounted on every node when several backends run), as RecordingStore keeps audio.
 * A file is written aside, flushed and renamed into place, and its SHA-256 is taken over the
 * bytes read back from disk, so the recorded checksum is of what was stored.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const ID = /^[0-9a-f-]{36}$/;
const FILE = /^([0-9a-f-]{36})\.bin(?:\.tmp)?$/;

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

  /** Every stored file (and left-over .tmp) by attachment id, with its modification time. */
  list(): { id: string; mtimeMs: number }[] {
    const out: { id: string; mtimeMs: number }[] = [];
    for (const name of readdirSync(this.dir)) {
      const id = FILE.exec(name)?.[1];
      if (!id) continue;
      try {
        out.push({ id, mtimeMs: statSync(join(this.dir, name)).mtimeMs });
      } catch {
        // Removed since the listing: nothing to report.
      }
    }
    return out;
  }

  remove(id: string): void {
    rmSync(this.path(id), { force: true });
    rmSync(`${this.path(id)}.tmp`, { force: true });
  }
}
