-- Provincial 12345 gateway, inbound half: what the province sends the city (派单, 催办, 督办,
-- 回访结果) by push or pull, upserted by the province's ticket number so a repeated or
-- reordered delivery changes nothing; push nonces (replay protection) and the pull cursor.

-- Nonces of accepted push requests; a second request with the same nonce is refused.
-- Rows older than the timestamp window (±5 min) can never match again and are pruned.
CREATE TABLE province_nonce (
  nonce    text PRIMARY KEY,
  seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX province_nonce_seen ON province_nonce (seen_at);

-- One row per province ticket (upstream number): the dispatched content and the overlays
-- as the province last stated them, and the local ticket made from it.
CREATE TABLE province_inbound_ticket (
  upstream_no      text PRIMARY KEY,
  -- The local ticket (origin 省12345) once created; null while only later messages arrived
  -- (out of order) or when no ticket service is attached.
  ticket_id        uuid,
  ticket_no        text,
  dispatch         jsonb,
  dispatch_seq     integer,
  urge_count       integer NOT NULL DEFAULT 0,
  supervise_count  integer NOT NULL DEFAULT 0,
  revisit          jsonb,
  revisit_seq      integer,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX province_inbound_ticket_local ON province_inbound_ticket (ticket_id) WHERE ticket_id IS NOT NULL;

-- Every distinct message, by the province's message id (the dedup key).
CREATE TABLE province_inbound_message (
  message_id    text PRIMARY KEY,
  upstream_no   text NOT NULL REFERENCES province_inbound_ticket(upstream_no),
  kind          text NOT NULL CHECK (kind IN ('dispatch', 'urge', 'supervise', 'revisit')),
  upstream_seq  integer NOT NULL,
  payload       jsonb NOT NULL,
  via           text NOT NULL CHECK (via IN ('push', 'pull')),
  received_at   timestamptz NOT NULL DEFAULT now(),
  -- When it took effect on the local ticket; null while waiting for the dispatch it follows.
  applied_at    timestamptz,
  apply_error   text
);
CREATE INDEX province_inbound_message_ticket ON province_inbound_message (upstream_no, upstream_seq);
CREATE INDEX province_inbound_message_unapplied ON province_inbound_message (received_at) WHERE applied_at IS NULL;

-- Pull mode: where the feed was read up to (one row per feed).
CREATE TABLE province_pull_cursor (
  feed        text PRIMARY KEY,
  cursor      text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
