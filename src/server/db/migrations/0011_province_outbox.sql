-- Provincial 12345 gateway, outbound half: the transactional outbox, its per-ticket streams,
-- the log of delivery attempts (gateway health) and stored reconciliation reports.
--
-- Ticket code writes events with the ticket change in one transaction (enqueueProvinceEvent);
-- dispatchers on any node claim streams with FOR UPDATE SKIP LOCKED and a lease, so only one
-- node sends a given ticket's events at a time and a killed node's claim simply expires.

-- One stream per ticket number: its sequence counter and delivery progress. Events of one
-- ticket go out strictly in seq order; different tickets in parallel.
CREATE TABLE province_stream (
  ticket_no        text PRIMARY KEY,
  -- The local ticket, when there is one (no FK: the gateway outlives ticket refactors).
  ticket_id        uuid,
  -- Highest seq enqueued / highest seq the province accepted (every lower one too).
  last_seq         integer NOT NULL DEFAULT 0,
  acked_seq        integer NOT NULL DEFAULT 0,
  -- A dead-lettered event holds the rest of its ticket back until an admin re-sends it.
  blocked_seq      integer,
  -- Consecutive failed attempts of the head event, and when to try again (backoff).
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- The claim: which node holds the stream, the claim's token (results from an expired
  -- claim are ignored) and until when.
  lease_owner      text,
  lease_token      uuid,
  lease_until      timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (acked_seq <= last_seq)
);
-- The dispatcher's claim query: streams with something to send, due now.
CREATE INDEX province_stream_due ON province_stream (next_attempt_at) WHERE acked_seq < last_seq AND blocked_seq IS NULL;
CREATE INDEX province_stream_ticket ON province_stream (ticket_id) WHERE ticket_id IS NOT NULL;

CREATE TABLE province_outbox (
  id               bigserial PRIMARY KEY,
  ticket_no        text NOT NULL REFERENCES province_stream(ticket_no),
  seq              integer NOT NULL,
  event_type       text NOT NULL CHECK (event_type IN ('appeal', 'status', 'feedback', 'evaluation', 'transfer_up')),
  -- ticket_no:event_type:seq, identical on every retry: the province stores each key once.
  idempotency_key  text NOT NULL UNIQUE,
  -- The batch item as sent (src/shared/api/province.ts ProvinceBatchItem).
  payload          jsonb NOT NULL,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  -- The province's answer to a rejected (dead) event, shown to admins.
  province_code    text,
  province_message text,
  -- The province's acknowledgement number.
  receipt          text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  dead_at          timestamptz,
  UNIQUE (ticket_no, seq)
);
CREATE INDEX province_outbox_pending ON province_outbox (created_at) WHERE state = 'pending';
CREATE INDEX province_outbox_dead ON province_outbox (dead_at DESC) WHERE state = 'dead';
CREATE INDEX province_outbox_sent ON province_outbox (sent_at) WHERE state = 'sent';
CREATE INDEX province_outbox_created ON province_outbox (created_at);

-- One row per batch a dispatcher sent (or tried to): throughput and failures by reason.
CREATE TABLE province_attempt (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  node         text NOT NULL,
  batch_id     uuid NOT NULL,
  items        integer NOT NULL,
  -- ok: the province answered per item; otherwise why the whole batch failed.
  outcome      text NOT NULL CHECK (outcome IN ('ok', 'timeout', 'network', 'http_5xx', 'http_4xx', 'bad_response', 'circuit_open')),
  accepted     integer NOT NULL DEFAULT 0,
  rejected     integer NOT NULL DEFAULT 0,
  retried      integer NOT NULL DEFAULT 0,
  duration_ms  integer NOT NULL,
  detail       text
);
CREATE INDEX province_attempt_at ON province_attempt (at);

-- Reconciliation reports: what the province acknowledges vs what we hold as sent.
CREATE TABLE province_reconciliation (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  range_from    date NOT NULL,
  range_to      date NOT NULL,
  trigger       text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  requested_by  uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  ours          integer NOT NULL,
  theirs        integer NOT NULL,
  matched       integer NOT NULL,
  missing_upstream integer NOT NULL,
  unknown_upstream integer NOT NULL,
  resent        integer NOT NULL,
  differences   jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX province_reconciliation_created ON province_reconciliation (created_at DESC);
-- The daily job runs once per day across nodes: the unique day is its lock.
CREATE UNIQUE INDEX province_reconciliation_daily ON province_reconciliation (range_from) WHERE trigger = 'schedule';
