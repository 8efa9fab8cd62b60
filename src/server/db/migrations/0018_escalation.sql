-- 升级/求助 (escalation): an agent on a call asks for help; the backend picks an online
-- supervisor of the agent's group, whose console rings as the agent's consult call. One row
-- per request, from the pick to its outcome; every step is also in the audit log.

CREATE TABLE escalation (
  id              uuid PRIMARY KEY,
  agent_id        uuid NOT NULL REFERENCES app_user(id),
  supervisor_id   uuid NOT NULL REFERENCES app_user(id),
  -- SIP Call-ID of the agent's call with the citizen (the call being escalated).
  sip_call_id     text NOT NULL,
  remote_number   text NOT NULL,
  state           text NOT NULL CHECK (state IN ('ringing', 'answered', 'transferred', 'cancelled', 'declined', 'failed')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  answered_at     timestamptz,
  ended_at        timestamptz
);
-- "Is this supervisor already helping someone?" and the fairest pick (least recently asked).
CREATE INDEX escalation_supervisor ON escalation (supervisor_id, created_at DESC);
