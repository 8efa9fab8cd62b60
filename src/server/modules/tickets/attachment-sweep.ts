/**
 * Unreferenced 附件 cleanup: a file is uploaded to a ticket when picked in the note/reply
 * dialog, before the event that references it is submitted, so a dialog that is cancelled
 * or abandoned leaves a stored file no event points at. A sweep deletes such uploads once
 * they are older than a grace period (default 24 h: far longer than any dialog stays open),
 * and also files in the store that have no row at all (a crash between writing the file and
 * inserting its row) once they are that old. Referenced files are never touched; events are
 * append-only, so a file referenced once stays referenced.
 *
 * Every node may sweep: a row is deleted by one transaction only, and removing a file that is
 * already gone is a no-op.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { AttachmentStore } from './attachment-store.js';

const BATCH = 500;

export interface SweptAttachments {
  /** Rows (and their files) of uploads no event or ticket references. */
  unreferenced: string[];
  /** Files in the store without a row. */
  strayFiles: string[];
}

export class AttachmentSweep {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly db: Db,
    private readonly store: AttachmentStore,
    private readonly opts: { graceHours: number; clock?: () => Date; log?: { info(o: object, msg: string): void; error(o: object, msg: string): void } },
  ) {}

  async sweep(): Promise<SweptAttachments> {
    const now = (this.opts.clock ?? (() => new Date()))();
    const cutoff = new Date(now.getTime() - this.opts.graceHours * 3600_000);
    const unreferenced: string[] = [];
    const unreferencedNow = (alias: string) => sql`
      not exists (select 1 from ticket_event e where e.ticket_id = ${sql.ref(`${alias}.ticket_id`)}
                  and e.attachments @> jsonb_build_array(jsonb_build_object('ref', 'attachment:' || ${sql.ref(`${alias}.id`)}::text)))
      and not exists (select 1 from ticket t where t.id = ${sql.ref(`${alias}.ticket_id`)}
                  and t.attachments @> jsonb_build_array(jsonb_build_object('ref', 'attachment:' || ${sql.ref(`${alias}.id`)}::text)))`;
    for (;;) {
      // Referenced = named in one of its ticket's events (ticket_event has (ticket_id, seq) indexed) or on the ticket row itself.
      // An event being written holds its files FOR SHARE: they are skipped here. A file whose
      // event committed after this transaction began is caught by the second look (a new
      // snapshot, under the lock, so no event can name it in between).
      const { candidates, deleted } = await this.db.transaction().execute(async (tx) => {
        const found = await sql<{ id: string }>`
          select a.id from ticket_attachment a
          where a.created_at < ${cutoff} and ${unreferencedNow('a')}
          limit ${BATCH}
          for update skip locked`.execute(tx);
        if (!found.rows.length) return { candidates: 0, deleted: [] as string[] };
        const gone = await sql<{ id: string }>`
          delete from ticket_attachment a
          where a.id = any(${sql.val(found.rows.map((r) => r.id))}::uuid[]) and ${unreferencedNow('a')}
          returning a.id`.execute(tx);
        return { candidates: found.rows.length, deleted: gone.rows.map((r) => r.id) };
      });
      for (const id of deleted) {
        this.store.remove(id);
        unreferenced.push(id);
      }
      if (candidates < BATCH) break;
    }
    const strayFiles: string[] = [];
    const old = this.store.list().filter((f) => f.mtimeMs < cutoff.getTime());
    for (let i = 0; i < old.length; i += BATCH) {
      const chunk = old.slice(i, i + BATCH);
      const ids = [...new Set(chunk.map((f) => f.id))];
      const known = new Set((await this.db.selectFrom('ticket_attachment').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
      for (const f of chunk) {
        if (known.has(f.id)) continue;
        this.store.remove(f.id);
        if (!strayFiles.includes(f.id)) strayFiles.push(f.id);
      }
    }
    if (unreferenced.length || strayFiles.length) this.opts.log?.info({ unreferenced: unreferenced.length, strayFiles: strayFiles.length }, 'removed unreferenced attachment uploads');
    return { unreferenced, strayFiles };
  }

  start(intervalMs = 3600_000): void {
    if (this.timer) return;
    const run = () => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((err: unknown) => this.opts.log?.error({ err }, 'attachment sweep failed'))
        .finally(() => { this.running = null; });
    };
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
    run();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
