-- Supervisor (班长): the call each agent's softphone reports it is on (wallboard, and what a
-- monitoring grant is bound to), and monitoring sessions (listen / whisper / barge). A
-- session's id is its grant's jti: redeeming sets redeemed_at once, so a grant works once.

CREATE TABLE agent_live_call (
  agent_id      uuid PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
  sip_call_id   text NOT NULL,
  direction     text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  remote_number text NOT NULL,
  answered_at   timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE monitor_session (
  id             uuid PRIMARY KEY,
  supervisor_id  uuid NOT NULL REFERENCES app_user(id),
  agent_id       uuid NOT NULL REFERENCES app_user(id),
  call_id        text NOT NULL,
  mode           text NOT NULL CHECK (mode IN ('listen', 'whisper', 'barge')),
  issued_at      timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  redeemed_at    timestamptz,
  ended_at       timestamptz,
  end_reason     text
);
CREATE INDEX monitor_session_agent_active ON monitor_session (agent_id) WHERE ended_at IS NULL;
