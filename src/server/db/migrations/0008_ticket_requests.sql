-- Applications units make to the center (回退, 延期, 承诺办理) with their review, and the
-- supervision overlays (催办, 督办). Requests change once, when reviewed; supervision
-- records never change. The ticket_event log holds the same facts in timeline order.

CREATE TABLE ticket_request (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ticket_id     uuid NOT NULL REFERENCES ticket(id),
  kind          text NOT NULL CHECK (kind IN ('return', 'extension', 'commitment')),
  unit_id       uuid REFERENCES handling_unit(id),
  requested_by  uuid REFERENCES app_user(id),
  requested_at  timestamptz NOT NULL,
  reason        text NOT NULL,
  working_days  integer,
  until         date,
  decision      text NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'rejected', 'cancelled')),
  reviewed_by   uuid REFERENCES app_user(id),
  reviewed_at   timestamptz,
  opinion       text
);
CREATE INDEX ticket_request_ticket ON ticket_request (ticket_id, requested_at);
-- The review queue.
CREATE INDEX ticket_request_pending ON ticket_request (requested_at) WHERE decision = 'pending';
-- At most one open application per ticket (the workflow also says so).
CREATE UNIQUE INDEX ticket_request_one_pending ON ticket_request (ticket_id) WHERE decision = 'pending';

CREATE TABLE ticket_supervision (
  id          bigserial PRIMARY KEY,
  ticket_id   uuid NOT NULL REFERENCES ticket(id),
  kind        text NOT NULL CHECK (kind IN ('urge', 'supervise')),
  at          timestamptz NOT NULL,
  actor_id    uuid REFERENCES app_user(id),
  actor_name  text,
  -- The unit it was addressed to (the lead unit at the time).
  unit_id     uuid REFERENCES handling_unit(id),
  opinion     text NOT NULL,
  -- Whether the ticket was overdue when urged (escalation reports).
  overdue     boolean NOT NULL DEFAULT false
);
CREATE INDEX ticket_supervision_ticket ON ticket_supervision (ticket_id, at);
CREATE INDEX ticket_supervision_unit ON ticket_supervision (unit_id, at);
CREATE TRIGGER ticket_supervision_no_update BEFORE UPDATE OR DELETE ON ticket_supervision
  FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER ticket_supervision_no_truncate BEFORE TRUNCATE ON ticket_supervision
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();

-- Unit users (承办单位) sign in with the 'unit' role (src/shared/roles.ts).
ALTER TABLE app_user DROP CONSTRAINT app_user_roles_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_roles_check
  CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['agent','supervisor','qa','admin','unit']);
