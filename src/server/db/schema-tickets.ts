/** Kysely table types of the ticket migrations (0006–0008); part of `Database` in schema.ts. */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A jsonb column: read as T, written as JSON text. */
type Json<T> = ColumnType<T, string | undefined, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;
/** `date` columns come back as text (YYYY-MM-DD) via to_char; writes take the text. */
type DateText = ColumnType<string | Date, string, string>;

export interface AppealTypeTable {
  code: string;
  name: string;
  sort: ColumnType<number, number | undefined, number>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface TicketCategoryTable {
  code: string;
  parent_code: string | null;
  name: string;
  sort: ColumnType<number, number | undefined, number>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface RegionTable {
  code: string;
  parent_code: string | null;
  name: string;
  level: number;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface HandlingUnitTable {
  id: Generated<string>;
  code: string;
  name: string;
  parent_id: string | null;
  kind: ColumnType<string, string | undefined, string>;
  phone: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface HandlingUnitRegionTable {
  unit_id: string;
  region_code: string;
}
export interface HandlingUnitCategoryTable {
  unit_id: string;
  category_code: string;
}
export interface HandlingUnitMemberTable {
  unit_id: string;
  user_id: string;
}

export interface SlaRuleTable {
  id: Generated<string>;
  appeal_type: string | null;
  urgency: string | null;
  channel: string | null;
  unit: 'working_days' | 'hours';
  amount: number;
  start_rule: 'same_day' | 'next_day';
  sign_hours: number;
  warn_hours: number;
  note: string | null;
  updated_at: Generated<Date>;
}

export interface DispatchRuleTable {
  id: Generated<string>;
  region_code: string | null;
  category_code: string | null;
  lead_unit_id: string;
  co_unit_ids: ColumnType<string[], string[] | undefined, string[]>;
  priority: ColumnType<number, number | undefined, number>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  note: string | null;
  updated_at: Generated<Date>;
}

export interface WorkCalendarDayTable {
  day: DateText;
  is_workday: boolean;
  note: string | null;
  updated_by: string | null;
  updated_at: Generated<Date>;
}

export interface TicketNumberSeqTable {
  day: DateText;
  last: number;
}

export interface TicketTable {
  id: Generated<string>;
  ticket_no: string;
  client_id: string | null;
  upstream_no: string | null;
  upstream_platform: ColumnType<string, string | undefined, string>;
  related_ticket_id: string | null;
  relation: string | null;
  merged_into_id: string | null;
  channel: string;
  accepted_at: Timestamp;
  agent_id: string | null;
  caller_number_enc: string | null;
  caller_number_hash: string | null;
  call_id: string | null;
  recording_id: string | null;
  citizen_name: string | null;
  contact_phone_enc: string | null;
  contact_phone_hash: string | null;
  contact_phone_masked: string | null;
  id_number_enc: string | null;
  confidential: boolean;
  anonymous: boolean;
  title: string;
  content: string;
  appeal_type: string;
  category_code: string | null;
  region_code: string | null;
  location: string | null;
  urgency: string;
  attachments: Json<unknown[]>;
  status: string;
  lead_unit_id: string | null;
  co_unit_ids: ColumnType<string[], string[] | undefined, string[]>;
  pending_request: NullableJson<import('../../shared/tickets/workflow.js').PendingRequest>;
  return_reason: string | null;
  dispatched_at: NullableTimestamp;
  sign_due_at: NullableTimestamp;
  signed_at: NullableTimestamp;
  sla_rule_id: string | null;
  sla_terms: NullableJson<import('../../shared/tickets/deadline.js').SlaTerms>;
  due_at: NullableTimestamp;
  warn_hours: ColumnType<number, number | undefined, number>;
  extension_count: ColumnType<number, number | undefined, number>;
  commitment_until: ColumnType<string | Date | null, string | null | undefined, string | null>;
  result: string | null;
  reply_mode: string | null;
  resolved: boolean | null;
  direct_answer: ColumnType<boolean, boolean | undefined, boolean>;
  closed_at: NullableTimestamp;
  publish: ColumnType<boolean, boolean | undefined, boolean>;
  handler_name: string | null;
  handler_phone: string | null;
  revisit_at: NullableTimestamp;
  revisit_mode: string | null;
  satisfaction: string | null;
  unsatisfied_reason: string | null;
  reopen_count: ColumnType<number, number | undefined, number>;
  urge_count: ColumnType<number, number | undefined, number>;
  supervised: ColumnType<boolean, boolean | undefined, boolean>;
  sync_state: ColumnType<'not_required' | 'pending' | 'synced' | 'failed', 'not_required' | 'pending' | 'synced' | 'failed' | undefined, 'not_required' | 'pending' | 'synced' | 'failed'>;
  last_pushed_seq: number | null;
  sync_error: string | null;
  synced_at: NullableTimestamp;
  version: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Ticket12315Table {
  ticket_id: string;
  business_type: string;
  provider: Json<Record<string, unknown>>;
  business: Json<Record<string, unknown>>;
  product: Json<Record<string, unknown>>;
  issue_category: string | null;
  violation_codes: ColumnType<string[], string[] | undefined, string[]>;
  preliminary_feedback_at: NullableTimestamp;
  final_feedback_at: NullableTimestamp;
  mediation: NullableJson<Record<string, unknown>>;
  case_no: string | null;
}

export interface TicketEventTable {
  id: Generated<string>;
  ticket_id: string;
  seq: number;
  at: Timestamp;
  actor_id: string | null;
  actor_name: string | null;
  unit_id: string | null;
  action: string;
  from_status: string | null;
  to_status: string;
  opinion: string | null;
  attachments: ColumnType<unknown[], string | undefined, never>;
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface TicketRequestTable {
  id: Generated<string>;
  ticket_id: string;
  kind: 'return' | 'extension' | 'commitment';
  unit_id: string | null;
  requested_by: string | null;
  requested_at: Timestamp;
  reason: string;
  working_days: number | null;
  until: ColumnType<string | Date | null, string | null | undefined, string | null>;
  decision: ColumnType<'pending' | 'approved' | 'rejected' | 'cancelled', 'pending' | undefined, 'approved' | 'rejected' | 'cancelled'>;
  reviewed_by: string | null;
  reviewed_at: NullableTimestamp;
  opinion: string | null;
}

export interface TicketSupervisionTable {
  id: Generated<string>;
  ticket_id: string;
  kind: 'urge' | 'supervise';
  at: Timestamp;
  actor_id: string | null;
  actor_name: string | null;
  unit_id: string | null;
  opinion: string;
  overdue: boolean;
}

/** Migration 0023: deadline reminders sent, one per ticket, kind and deadline. */
export interface TicketReminderTable {
  ticket_id: string;
  kind: 'near_due' | 'overdue';
  due_at: Date;
  sent_at: Date;
  recipients: ColumnType<string[], string[] | undefined, string[]>;
}

/** Migration 0025: a stored attachment (附件); the bytes are in the attachments directory under id. */
export interface TicketAttachmentTable {
  id: Generated<string>;
  ticket_id: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  uploaded_by: string | null;
  created_at: Generated<Date>;
}

export interface TicketTables {
  appeal_type: AppealTypeTable;
  ticket_category: TicketCategoryTable;
  region: RegionTable;
  handling_unit: HandlingUnitTable;
  handling_unit_region: HandlingUnitRegionTable;
  handling_unit_category: HandlingUnitCategoryTable;
  handling_unit_member: HandlingUnitMemberTable;
  sla_rule: SlaRuleTable;
  dispatch_rule: DispatchRuleTable;
  work_calendar_day: WorkCalendarDayTable;
  ticket_number_seq: TicketNumberSeqTable;
  ticket: TicketTable;
  ticket_12315: Ticket12315Table;
  ticket_event: TicketEventTable;
  ticket_request: TicketRequestTable;
  ticket_supervision: TicketSupervisionTable;
  ticket_reminder: TicketReminderTable;
  ticket_attachment: TicketAttachmentTable;
}
