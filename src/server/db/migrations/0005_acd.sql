-- ACD (自动话务分配): queues, the live routing state of calls in them, one record per call
-- leg (the only source of wait/talk/hold/after-call-work times), and callback tasks
-- (漏接电话回拨) for callers we failed to answer.

CREATE TABLE acd_queue (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code                  text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  -- Higher first: a waiting call of a higher-priority queue is served before older ones.
  priority              integer NOT NULL DEFAULT 0,
  max_wait_seconds      integer NOT NULL DEFAULT 120 CHECK (max_wait_seconds BETWEEN 1 AND 3600),
  max_queue_length      integer NOT NULL DEFAULT 50 CHECK (max_queue_length BETWEEN 1 AND 10000),
  ring_timeout_seconds  integer NOT NULL DEFAULT 15 CHECK (ring_timeout_seconds BETWEEN 5 AND 120),
  -- What happens to a call nobody took: today only a callback request (回拨); data, not code.
  overflow              text NOT NULL DEFAULT 'callback' CHECK (overflow IN ('callback')),
  enabled               boolean NOT NULL DEFAULT true,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- The numbers that reach a queue; a number reaches one queue only.
CREATE TABLE acd_queue_number (
  number    text PRIMARY KEY CHECK (number ~ '^[0-9]{3,20}$'),
  queue_id  uuid NOT NULL REFERENCES acd_queue(id) ON DELETE CASCADE
);
CREATE INDEX acd_queue_number_queue ON acd_queue_number (queue_id);

-- Agent groups allowed to answer a queue (the queue's "skill").
CREATE TABLE acd_queue_group (
  queue_id  uuid NOT NULL REFERENCES acd_queue(id) ON DELETE CASCADE,
  group_id  uuid NOT NULL REFERENCES agent_group(id) ON DELETE CASCADE,
  PRIMARY KEY (queue_id, group_id)
);
CREATE INDEX acd_queue_group_group ON acd_queue_group (group_id);

-- One row per leg. A queue call keeps one row across re-offers (offers in call_offer).
CREATE TABLE call_record (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- SIP Call-ID of the leg: its identity in every fact the SIP server reports.
  call_id            text NOT NULL UNIQUE,
  direction          text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal', 'transfer')),
  caller             text NOT NULL,
  -- Digits only, national form (see src/shared/phone-number.ts); '' when withheld.
  caller_normalised  text NOT NULL,
  called             text NOT NULL,
  trunk              text,
  queue_id           uuid REFERENCES acd_queue(id) ON DELETE SET NULL,
  -- The agent who handled the leg (answered an inbound call, dialled, took the transfer).
  agent_id           uuid REFERENCES app_user(id),
  -- Internal calls: the other agent.
  peer_agent_id      uuid REFERENCES app_user(id),
  -- Transfer legs: the leg they continue.
  parent_call_id     text,
  callback_task_id   uuid,
  arrived_at         timestamptz NOT NULL,
  queued_at          timestamptz,
  offered_at         timestamptz,
  answered_at        timestamptz,
  ended_at           timestamptz,
  ended_by           text CHECK (ended_by IN ('caller', 'agent', 'system')),
  result             text CHECK (result IN ('answered', 'abandoned', 'missed', 'overflowed', 'transferred')),
  wrap_up_ended_at   timestamptz,
  recording_id       uuid REFERENCES call_recording(id) ON DELETE SET NULL,
  -- Work orders filed from this call; the tickets module owns their meaning.
  ticket_ids         uuid[] NOT NULL DEFAULT '{}',
  CHECK (result IS NULL OR ended_at IS NOT NULL)
);
-- Screen pop history ("this number's calls in the last 30 days") over millions of rows.
CREATE INDEX call_record_caller ON call_record (caller_normalised, arrived_at DESC);
CREATE INDEX call_record_agent ON call_record (agent_id, arrived_at DESC);
CREATE INDEX call_record_arrived ON call_record (arrived_at);

-- Every time a queue call rang an agent, and how that ended.
CREATE TABLE call_offer (
  id           bigserial PRIMARY KEY,
  call_id      text NOT NULL REFERENCES call_record(call_id) ON DELETE CASCADE,
  agent_id     uuid NOT NULL REFERENCES app_user(id),
  offered_at   timestamptz NOT NULL,
  ended_at     timestamptz,
  outcome      text CHECK (outcome IN ('answered', 'no_answer', 'busy', 'rejected', 'unavailable', 'withdrawn'))
);
CREATE INDEX call_offer_call ON call_offer (call_id);
CREATE INDEX call_offer_agent ON call_offer (agent_id, offered_at DESC);

-- Hold periods of a leg; hold time is the sum of (resumed_at or the leg's end) - held_at.
CREATE TABLE call_hold (
  id           bigserial PRIMARY KEY,
  call_id      text NOT NULL REFERENCES call_record(call_id) ON DELETE CASCADE,
  agent_id     uuid REFERENCES app_user(id),
  held_at      timestamptz NOT NULL,
  resumed_at   timestamptz
);
CREATE INDEX call_hold_call ON call_hold (call_id);

-- Calls inside the ACD right now (waiting or ringing an agent). A row leaves when the call
-- is answered, abandoned or overflowed. Every node routes from this table, never from memory.
CREATE TABLE acd_call (
  call_id        text PRIMARY KEY REFERENCES call_record(call_id) ON DELETE CASCADE,
  queue_id       uuid NOT NULL REFERENCES acd_queue(id),
  -- Copied from the queue at arrival, so editing a queue never reorders waiting calls.
  priority       integer NOT NULL,
  arrived_at     timestamptz NOT NULL,
  seq            bigserial NOT NULL,
  state          text NOT NULL CHECK (state IN ('waiting', 'offered')),
  agent_id       uuid REFERENCES app_user(id),
  offered_at     timestamptz,
  ring_seconds   integer,
  -- The SIP server reports ring-no-answer; this is the ACD's own backstop if it never does.
  ring_deadline  timestamptz,
  wait_deadline  timestamptz NOT NULL,
  CHECK ((state = 'offered') = (agent_id IS NOT NULL))
);
CREATE INDEX acd_call_order ON acd_call (priority DESC, arrived_at, seq) WHERE state = 'waiting';
CREATE INDEX acd_call_queue ON acd_call (queue_id);
CREATE INDEX acd_call_wait_deadline ON acd_call (wait_deadline) WHERE state = 'waiting';
CREATE INDEX acd_call_ring_deadline ON acd_call (ring_deadline) WHERE state = 'offered';

-- Longest-idle ready agent: ready agents ordered by the time they became ready.
CREATE INDEX agent_state_ready ON agent_state (since) WHERE (state ->> 'kind') = 'ready';

-- 漏接电话回拨: one open task per caller number gathers all their missed calls until someone
-- calls back (or the caller gets through on their own).
CREATE TABLE callback_task (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  caller             text NOT NULL,
  caller_normalised  text NOT NULL CHECK (caller_normalised <> ''),
  queue_id           uuid REFERENCES acd_queue(id) ON DELETE SET NULL,
  reason             text NOT NULL CHECK (reason IN ('abandoned', 'overflowed', 'missed')),
  first_call_id      text NOT NULL,
  last_call_id       text NOT NULL,
  missed_count       integer NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL,
  last_missed_at     timestamptz NOT NULL,
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'done')),
  claimed_by         uuid REFERENCES app_user(id),
  claimed_at         timestamptz,
  done_by            uuid REFERENCES app_user(id),
  done_at            timestamptz,
  outcome            text CHECK (outcome IN ('called_back', 'unreachable', 'caller_called_again', 'other')),
  done_call_id       text,
  note               text,
  CHECK ((status = 'done') = (done_at IS NOT NULL)),
  CHECK (status <> 'claimed' OR claimed_by IS NOT NULL)
);
CREATE UNIQUE INDEX callback_task_open_number ON callback_task (caller_normalised) WHERE status <> 'done';
CREATE INDEX callback_task_status ON callback_task (status, created_at);
ALTER TABLE call_record ADD CONSTRAINT call_record_callback_task FOREIGN KEY (callback_task_id) REFERENCES callback_task(id) ON DELETE SET NULL;
