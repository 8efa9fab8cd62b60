-- Call recordings made by the agent's softphone, uploaded in chunks while the call runs.
CREATE TABLE call_recording (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sip_call_id    text NOT NULL,
  agent_id       uuid NOT NULL REFERENCES app_user(id),
  extension      text,
  direction      text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  remote_number  text NOT NULL,
  mime_type      text NOT NULL,
  state          text NOT NULL DEFAULT 'recording' CHECK (state IN ('recording', 'complete', 'incomplete')),
  started_at     timestamptz NOT NULL,
  ended_at       timestamptz,
  duration_ms    integer,
  bytes          bigint NOT NULL DEFAULT 0,
  chunks         integer NOT NULL DEFAULT 0,
  sha256         text,
  last_chunk_at  timestamptz NOT NULL DEFAULT now(),
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_recording_call ON call_recording (sip_call_id);
CREATE INDEX call_recording_agent ON call_recording (agent_id, started_at DESC);
CREATE INDEX call_recording_open ON call_recording (last_chunk_at) WHERE state = 'recording';

CREATE TABLE call_recording_chunk (
  recording_id  uuid NOT NULL REFERENCES call_recording(id) ON DELETE CASCADE,
  seq           integer NOT NULL,
  bytes         integer NOT NULL,
  sha256        text NOT NULL,
  PRIMARY KEY (recording_id, seq)
);
