-- Agent states: the current one per agent, and an append-only log of every change, which
-- is the only source for time-in-state reports (each row lasts until the next one).
CREATE TABLE agent_state (
  agent_id           uuid PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
  state              jsonb NOT NULL,
  since              timestamptz NOT NULL,
  wrap_up_deadline   timestamptz
);
CREATE INDEX agent_state_wrap_up ON agent_state (wrap_up_deadline) WHERE wrap_up_deadline IS NOT NULL;

CREATE TABLE agent_state_log (
  id         bigserial PRIMARY KEY,
  agent_id   uuid NOT NULL REFERENCES app_user(id),
  at         timestamptz NOT NULL,
  kind       text NOT NULL,
  reason     text,
  call_id    text,
  state      jsonb NOT NULL,
  event      text NOT NULL,
  actor_id   uuid
);
CREATE INDEX agent_state_log_agent ON agent_state_log (agent_id, at);

CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER agent_state_log_no_update BEFORE UPDATE OR DELETE ON agent_state_log
  FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER agent_state_log_no_truncate BEFORE TRUNCATE ON agent_state_log
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
