-- 语音信息批量上报: recordings of forwarded tickets' calls go to the province through the outbox.
ALTER TABLE province_outbox DROP CONSTRAINT province_outbox_event_type_check;
ALTER TABLE province_outbox ADD CONSTRAINT province_outbox_event_type_check
  CHECK (event_type IN ('appeal', 'status', 'feedback', 'evaluation', 'transfer_up', 'voice'));

-- One voice event per recording and ticket, whichever node's sweep found it first.
CREATE TABLE province_voice (
  recording_id  uuid NOT NULL REFERENCES call_recording(id),
  ticket_no     text NOT NULL REFERENCES province_stream(ticket_no),
  event_key     text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (recording_id, ticket_no)
);

-- The sweep: finished recordings of recent calls, and the ticket of a call.
CREATE INDEX call_recording_complete ON call_recording (ended_at) WHERE state = 'complete';
CREATE INDEX ticket_call ON ticket (call_id) WHERE call_id IS NOT NULL;
