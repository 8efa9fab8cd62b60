-- Tickets (工单): one row per work order holding its current state, a 1:1 extension for
-- 12315 complaints, and the append-only event log every change writes in the same
-- transaction (the timeline). Citizens' phone and ID numbers are stored encrypted
-- (AES-256-GCM, key from configuration) with a keyed hash (HMAC) of the normalised phone for
-- lookups: the screen pop finds a caller's tickets by number without decrypting anything.

-- Per-day counter behind human-readable numbers 12345-YYYYMMDD-NNNNN (China date); the
-- upsert's row lock serialises concurrent registrations, so numbers never collide.
CREATE TABLE ticket_number_seq (
  day   date PRIMARY KEY,
  last  integer NOT NULL
);

CREATE TABLE ticket (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ticket_no            text NOT NULL UNIQUE,
  -- Client-generated id of the submission: a retried submit returns the same ticket.
  client_id            uuid UNIQUE,
  upstream_no          text,
  upstream_platform    text NOT NULL DEFAULT 'local' CHECK (upstream_platform IN ('local', 'province_12345', 'national_12315')),
  related_ticket_id    uuid REFERENCES ticket(id),
  relation             text CHECK (relation IN ('same_matter', 'supplement', 'merged', 'reopened')),
  merged_into_id       uuid REFERENCES ticket(id),

  -- Intake
  channel              text NOT NULL CHECK (channel IN ('phone', 'sms', 'web', 'wechat', 'letter', 'province', 'other')),
  accepted_at          timestamptz NOT NULL,
  agent_id             uuid REFERENCES app_user(id),
  caller_number_enc    text,
  caller_number_hash   text,
  call_id              text,
  recording_id         uuid,

  -- Citizen
  citizen_name         text,
  contact_phone_enc    text,
  contact_phone_hash   text,
  -- Masked form (138****8000) kept beside the ciphertext so lists never decrypt.
  contact_phone_masked text,
  id_number_enc        text,
  confidential         boolean NOT NULL DEFAULT false,
  anonymous            boolean NOT NULL DEFAULT false,

  -- Content
  title                text NOT NULL,
  content              text NOT NULL,
  appeal_type          text NOT NULL REFERENCES appeal_type(code),
  category_code        text REFERENCES ticket_category(code),
  region_code          text REFERENCES region(code),
  location             text,
  urgency              text NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent', 'critical')),
  attachments          jsonb NOT NULL DEFAULT '[]',

  -- Workflow (src/shared/tickets/workflow.ts)
  status               text NOT NULL CHECK (status IN ('registered', 'pending_dispatch', 'dispatched', 'return_review', 'signed', 'processing', 'suspended', 'replied', 'closed', 'archived', 'invalid', 'merged')),
  lead_unit_id         uuid REFERENCES handling_unit(id),
  co_unit_ids          uuid[] NOT NULL DEFAULT '{}',
  pending_request      jsonb,
  return_reason        text,
  dispatched_at        timestamptz,
  sign_due_at          timestamptz,
  signed_at            timestamptz,

  -- Deadlines
  sla_rule_id          uuid REFERENCES sla_rule(id) ON DELETE SET NULL,
  sla_terms            jsonb,
  due_at               timestamptz,
  warn_hours           integer NOT NULL DEFAULT 24,
  extension_count      integer NOT NULL DEFAULT 0,
  commitment_until     date,

  -- Result
  result               text,
  reply_mode           text,
  resolved             boolean,
  direct_answer        boolean NOT NULL DEFAULT false,
  closed_at            timestamptz,
  publish              boolean NOT NULL DEFAULT false,
  handler_name         text,
  handler_phone        text,

  -- Follow-up (回访)
  revisit_at           timestamptz,
  revisit_mode         text,
  satisfaction         text CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied', 'unrated')),
  unsatisfied_reason   text,
  reopen_count         integer NOT NULL DEFAULT 0,

  -- Supervision overlays (records in ticket_supervision)
  urge_count           integer NOT NULL DEFAULT 0,
  supervised           boolean NOT NULL DEFAULT false,

  -- Province sync (待同步/已同步/失败). Owned by the gateway's outbox (issue 6); tickets only
  -- set 'pending' on province-origin changes and never push anything themselves.
  sync_state           text NOT NULL DEFAULT 'not_required' CHECK (sync_state IN ('not_required', 'pending', 'synced', 'failed')),
  last_pushed_seq      integer,
  sync_error           text,
  synced_at            timestamptz,

  -- Optimistic locking: every change bumps it; a stale write gets 409 with the newer state.
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_contact_phone ON ticket (contact_phone_hash) WHERE contact_phone_hash IS NOT NULL;
CREATE INDEX ticket_caller_number ON ticket (caller_number_hash) WHERE caller_number_hash IS NOT NULL;
CREATE INDEX ticket_status_accepted ON ticket (status, accepted_at DESC);
CREATE INDEX ticket_accepted ON ticket (accepted_at DESC, id DESC);
CREATE INDEX ticket_lead_unit ON ticket (lead_unit_id, status);
CREATE INDEX ticket_co_units ON ticket USING gin (co_unit_ids);
CREATE INDEX ticket_agent ON ticket (agent_id, accepted_at DESC);
CREATE INDEX ticket_due_open ON ticket (due_at) WHERE status IN ('dispatched', 'return_review', 'signed', 'processing', 'suspended', 'replied');
CREATE INDEX ticket_upstream ON ticket (upstream_platform, upstream_no) WHERE upstream_no IS NOT NULL;

-- 12315 complaints and reports: the parts only they have, validated by the API's schema.
CREATE TABLE ticket_12315 (
  ticket_id             uuid PRIMARY KEY REFERENCES ticket(id) ON DELETE CASCADE,
  business_type         text NOT NULL CHECK (business_type IN ('01', '02', '03')),
  provider              jsonb NOT NULL DEFAULT '{}',
  business              jsonb NOT NULL DEFAULT '{}',
  product               jsonb NOT NULL DEFAULT '{}',
  issue_category        text,
  violation_codes       text[] NOT NULL DEFAULT '{}',
  preliminary_feedback_at timestamptz,
  final_feedback_at     timestamptz,
  mediation             jsonb,
  case_no               text
);

-- Every action on a ticket, in order; seq equals the ticket's version after the action.
CREATE TABLE ticket_event (
  id           bigserial PRIMARY KEY,
  ticket_id    uuid NOT NULL REFERENCES ticket(id),
  seq          integer NOT NULL,
  at           timestamptz NOT NULL,
  actor_id     uuid,
  actor_name   text,
  unit_id      uuid,
  action       text NOT NULL,
  from_status  text,
  to_status    text NOT NULL,
  opinion      text,
  attachments  jsonb NOT NULL DEFAULT '[]',
  detail       jsonb NOT NULL DEFAULT '{}',
  UNIQUE (ticket_id, seq)
);
CREATE TRIGGER ticket_event_no_update BEFORE UPDATE OR DELETE ON ticket_event
  FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER ticket_event_no_truncate BEFORE TRUNCATE ON ticket_event
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
