-- Deadline reminders (临期/超期提醒): one row per ticket, kind and deadline, written by the
-- sweep in the same statement that selects what to send. The primary key makes each reminder
-- happen once across restarts and nodes; a moved deadline (extension, 承诺办理, 重办) is a
-- new key, so it is reminded again.
CREATE TABLE ticket_reminder (
  ticket_id  uuid NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('near_due', 'overdue')),
  due_at     timestamptz NOT NULL,
  sent_at    timestamptz NOT NULL,
  -- Who was told (unit members, or the registering agent while no unit holds it).
  recipients uuid[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (ticket_id, kind, due_at)
);
