/** Kysely table types of the province gateway migrations (0011–0012); part of `Database` in schema.ts. */
import type { ColumnType, Generated } from 'kysely';
import type { ProvinceEventType } from '../../shared/api/province.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;
type DateText = ColumnType<string | Date, string, string>;
/** bigserial ids come back as numbers (see database.ts). */
type BigId = ColumnType<number, never, never>;

export interface ProvinceStreamTable {
  ticket_no: string;
  ticket_id: string | null;
  last_seq: ColumnType<number, number | undefined, number>;
  acked_seq: ColumnType<number, number | undefined, number>;
  blocked_seq: number | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  lease_owner: string | null;
  lease_token: string | null;
  lease_until: NullableTimestamp;
  updated_at: Timestamp;
}

export type OutboxState = 'pending' | 'sent' | 'dead';

/** Which recordings already have a 语音信息 event (one per recording). */
export interface ProvinceVoiceTable {
  recording_id: string;
  ticket_no: string;
  event_key: string;
  created_at: Generated<Date>;
}

export interface ProvinceOutboxTable {
  id: BigId;
  ticket_no: string;
  seq: number;
  event_type: ProvinceEventType;
  idempotency_key: string;
  payload: Json<Record<string, unknown>>;
  state: ColumnType<OutboxState, OutboxState | undefined, OutboxState>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  province_code: string | null;
  province_message: string | null;
  receipt: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  dead_at: NullableTimestamp;
}

export type AttemptOutcome = 'ok' | 'timeout' | 'network' | 'http_5xx' | 'http_4xx' | 'bad_response' | 'circuit_open';

export interface ProvinceAttemptTable {
  id: BigId;
  at: Timestamp;
  node: string;
  batch_id: string;
  items: number;
  outcome: AttemptOutcome;
  accepted: ColumnType<number, number | undefined, number>;
  rejected: ColumnType<number, number | undefined, number>;
  retried: ColumnType<number, number | undefined, number>;
  duration_ms: number;
  detail: string | null;
}

export interface ProvinceReconciliationTable {
  id: Generated<string>;
  range_from: DateText;
  range_to: DateText;
  trigger: 'schedule' | 'manual';
  requested_by: string | null;
  created_at: Timestamp;
  ours: number;
  theirs: number;
  matched: number;
  missing_upstream: number;
  unknown_upstream: number;
  resent: number;
  differences: Json<unknown[]>;
}

export interface ProvinceNonceTable {
  nonce: string;
  seen_at: Timestamp;
}

export interface ProvinceInboundTicketTable {
  upstream_no: string;
  ticket_id: string | null;
  ticket_no: string | null;
  dispatch: NullableJson<Record<string, unknown>>;
  dispatch_seq: number | null;
  urge_count: ColumnType<number, number | undefined, number>;
  supervise_count: ColumnType<number, number | undefined, number>;
  revisit: NullableJson<Record<string, unknown>>;
  revisit_seq: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProvinceInboundMessageTable {
  message_id: string;
  upstream_no: string;
  kind: 'dispatch' | 'urge' | 'supervise' | 'revisit';
  upstream_seq: number;
  payload: Json<Record<string, unknown>>;
  via: 'push' | 'pull';
  received_at: Timestamp;
  applied_at: NullableTimestamp;
  apply_error: string | null;
}

export interface ProvincePullCursorTable {
  feed: string;
  cursor: string;
  updated_at: Timestamp;
}

export interface ProvinceTables {
  province_stream: ProvinceStreamTable;
  province_outbox: ProvinceOutboxTable;
  province_voice: ProvinceVoiceTable;
  province_attempt: ProvinceAttemptTable;
  province_reconciliation: ProvinceReconciliationTable;
  province_nonce: ProvinceNonceTable;
  province_inbound_ticket: ProvinceInboundTicketTable;
  province_inbound_message: ProvinceInboundMessageTable;
  province_pull_cursor: ProvincePullCursorTable;
}
