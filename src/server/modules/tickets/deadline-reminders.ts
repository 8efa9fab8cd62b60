/**
 * 临期/超期提醒: a sweep finds open tickets that have entered their warning window (临期, the
 * SLA rule's warn_hours before due — the same rule as the list's 临期 view and slaState) or
 * passed their deadline (超期), and tells whoever must act: the lead unit's members, or the
 * registering agent while no unit holds the ticket. Each (ticket, kind, deadline) is
 * reminded once: the sweep records it in ticket_reminder in the same statement that picks
 * it (ON CONFLICT DO NOTHING), so a restart or a second node never repeats one, and a moved
 * deadline is reminded afresh. Pushes go out after the record commits (at most once: a crash
 * in between loses the push, never duplicates it; the 临期/超期 lists still show the ticket).
 * Suspended (承诺办理) tickets wait for their promised date and are not reminded.
 */
import { sql } from 'kysely';
import type { TicketNotice } from '../../../shared/realtime.js';
import { openStatuses } from '../../../shared/tickets/workflow.js';
import type { Db } from '../../db/database.js';

/** The ticket:changed action a reminder is pushed as. */
export const reminderActions = { near_due: 'deadline_near', overdue: 'deadline_overdue' } as const;
const BATCH = 1000;
const REMINDED = openStatuses.filter((s) => s !== 'suspended');

export interface SentReminder {
  ticketId: string;
  ticketNo: string;
  kind: 'near_due' | 'overdue';
  dueAt: Date;
  recipients: string[];
}

export class DeadlineReminders {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly db: Db,
    private readonly notify: (userIds: string[], notice: TicketNotice) => void,
    private readonly clock: () => Date = () => new Date(),
    private readonly log: { error(o: object, msg: string): void } = { error: () => {} },
  ) {}

  /** Records and pushes every reminder due now; returns what was sent. */
  async sweep(): Promise<SentReminder[]> {
    const now = this.clock();
    const sent: SentReminder[] = [];
    for (;;) {
      const rows = await sql<{ ticket_id: string; kind: 'near_due' | 'overdue'; due_at: Date; recipients: string[]; ticket_no: string; title: string; status: string }>`
        with cand as (
          select t.id, t.due_at, case when t.due_at < ${now} then 'overdue' else 'near_due' end as kind,
                 case when t.lead_unit_id is not null
                      then coalesce((select array_agg(m.user_id) from handling_unit_member m where m.unit_id = t.lead_unit_id), '{}'::uuid[])
                      when t.agent_id is not null then array[t.agent_id] else '{}'::uuid[] end as recipients
          from ticket t
          where t.status = any(${sql.val(REMINDED)}::text[]) and t.due_at is not null
            and t.due_at <= ${now}::timestamptz + make_interval(hours => t.warn_hours)
            and not exists (select 1 from ticket_reminder r where r.ticket_id = t.id and r.due_at = t.due_at
                            and r.kind = case when t.due_at < ${now} then 'overdue' else 'near_due' end)
          order by t.due_at
          limit ${BATCH}
        ), ins as (
          insert into ticket_reminder (ticket_id, kind, due_at, sent_at, recipients)
          select id, kind, due_at, ${now}, recipients from cand
          on conflict do nothing
          returning ticket_id, kind, due_at, recipients
        )
        select ins.ticket_id, ins.kind, ins.due_at, ins.recipients, t.ticket_no, t.title, t.status
        from ins join ticket t on t.id = ins.ticket_id`.execute(this.db);
      for (const r of rows.rows) {
        if (r.recipients.length) {
          this.notify(r.recipients, {
            ticketId: r.ticket_id, ticketNo: r.ticket_no, title: r.title, action: reminderActions[r.kind], status: r.status, by: '系统', at: now.toISOString(),
          });
        }
        sent.push({ ticketId: r.ticket_id, ticketNo: r.ticket_no, kind: r.kind, dueAt: r.due_at, recipients: r.recipients });
      }
      if (rows.rows.length < BATCH) return sent;
    }
  }

  /** Sweeps now and then every intervalMs until stop(); one sweep at a time. */
  start(intervalMs = 60_000): void {
    if (this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((err: unknown) => this.log.error({ err }, 'deadline reminder sweep failed'))
        .finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
