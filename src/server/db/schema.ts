/** Kysely table types; they mirror db/migrations/*.sql and change only with a new migration. */
import type { ColumnType, Generated } from 'kysely';
import type { TicketTables } from './schema-tickets.js';
import type { ProvinceTables } from './schema-province.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface ServerSecretTable {
  name: string;
  value: string;
  created_at: Generated<Date>;
}

export interface AppUserTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  password_hash: string;
  roles: string[];
  extension: string | null;
  disabled: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: NullableTimestamp;
  last_login_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AgentGroupTable {
  id: Generated<string>;
  name: string;
  created_at: Generated<Date>;
}

export interface GroupLinkTable {
  group_id: string;
  user_id: string;
}

export interface AuthSessionTable {
  id: Generated<string>;
  user_id: string;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
  /** When this session's agent console connected (it holds the agent's one live console). */
  console_at: NullableTimestamp;
}

export interface RefreshTokenTable {
  token_hash: string;
  session_id: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Generated<Date>;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface SipCredentialTable {
  extension: string;
  last_issued_expiry: ColumnType<number, number | undefined, number>;
  revoked_through: ColumnType<number, number | undefined, number>;
  updated_at: Generated<Date>;
}

export interface CallRecordingTable {
  id: Generated<string>;
  sip_call_id: string;
  agent_id: string;
  extension: string | null;
  direction: 'inbound' | 'outbound';
  remote_number: string;
  mime_type: string;
  state: ColumnType<'recording' | 'complete' | 'incomplete', 'recording' | 'complete' | 'incomplete' | undefined, 'recording' | 'complete' | 'incomplete'>;
  started_at: Timestamp;
  ended_at: NullableTimestamp;
  duration_ms: number | null;
  bytes: ColumnType<number, number | undefined, number>;
  chunks: ColumnType<number, number | undefined, number>;
  sha256: string | null;
  last_chunk_at: ColumnType<Date, Date | undefined, Date>;
  created_at: Generated<Date>;
  /** Who made it: the agent's softphone, or the server's media bridge (trunk calls, migration 0016). */
  source: ColumnType<'agent' | 'server', 'agent' | 'server' | undefined, 'agent' | 'server'>;
}

export interface CallRecordingChunkTable {
  recording_id: string;
  seq: number;
  bytes: number;
  sha256: string;
}

export interface AgentStateTable {
  agent_id: string;
  state: ColumnType<import('../../shared/agent-state.js').AgentState, string, string>;
  since: Timestamp;
  wrap_up_deadline: NullableTimestamp;
  /** `since` of the 小休 whose overrun was announced (once per break, across nodes). */
  break_overrun_of: NullableTimestamp;
}

export interface AgentStateLogTable {
  id: Generated<string>;
  agent_id: string;
  at: Timestamp;
  kind: string;
  reason: string | null;
  call_id: string | null;
  state: ColumnType<import('../../shared/agent-state.js').AgentState, string, never>;
  event: string;
  actor_id: string | null;
}

export interface AcdQueueTable {
  id: Generated<string>;
  code: string;
  name: string;
  priority: ColumnType<number, number | undefined, number>;
  max_wait_seconds: ColumnType<number, number | undefined, number>;
  max_queue_length: ColumnType<number, number | undefined, number>;
  ring_timeout_seconds: ColumnType<number, number | undefined, number>;
  overflow: ColumnType<'callback', 'callback' | undefined, 'callback'>;
  enabled: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AcdQueueNumberTable {
  number: string;
  queue_id: string;
}

export interface AcdQueueGroupTable {
  queue_id: string;
  group_id: string;
}

export type CallDirection = 'inbound' | 'outbound' | 'internal' | 'transfer';
export type CallResult = 'answered' | 'abandoned' | 'missed' | 'overflowed' | 'transferred';

export interface CallRecordTable {
  id: Generated<string>;
  call_id: string;
  direction: CallDirection;
  caller: string;
  caller_normalised: string;
  called: string;
  trunk: string | null;
  queue_id: string | null;
  agent_id: string | null;
  peer_agent_id: string | null;
  parent_call_id: string | null;
  callback_task_id: string | null;
  arrived_at: Timestamp;
  queued_at: NullableTimestamp;
  offered_at: NullableTimestamp;
  answered_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  ended_by: 'caller' | 'agent' | 'system' | null;
  result: CallResult | null;
  wrap_up_ended_at: NullableTimestamp;
  recording_id: string | null;
  ticket_ids: ColumnType<string[], string[] | undefined, string[]>;
}

export type OfferOutcome = 'answered' | 'no_answer' | 'busy' | 'rejected' | 'unavailable' | 'withdrawn';

export interface CallOfferTable {
  id: Generated<string>;
  call_id: string;
  agent_id: string;
  offered_at: Timestamp;
  ended_at: NullableTimestamp;
  outcome: OfferOutcome | null;
}

export interface CallHoldTable {
  id: Generated<string>;
  call_id: string;
  agent_id: string | null;
  held_at: Timestamp;
  resumed_at: NullableTimestamp;
}

export interface AcdCallTable {
  call_id: string;
  queue_id: string;
  priority: number;
  arrived_at: Timestamp;
  seq: Generated<string>;
  state: 'waiting' | 'offered';
  agent_id: string | null;
  offered_at: NullableTimestamp;
  ring_seconds: number | null;
  ring_deadline: NullableTimestamp;
  wait_deadline: Timestamp;
}

export type CallbackStatus = 'open' | 'claimed' | 'done';
export type CallbackOutcome = 'called_back' | 'unreachable' | 'caller_called_again' | 'other';

export interface CallbackTaskTable {
  id: Generated<string>;
  caller: string;
  caller_normalised: string;
  queue_id: string | null;
  reason: 'abandoned' | 'overflowed' | 'missed';
  first_call_id: string;
  last_call_id: string;
  missed_count: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  last_missed_at: Timestamp;
  status: ColumnType<CallbackStatus, CallbackStatus | undefined, CallbackStatus>;
  claimed_by: string | null;
  claimed_at: NullableTimestamp;
  done_by: string | null;
  done_at: NullableTimestamp;
  outcome: CallbackOutcome | null;
  done_call_id: string | null;
  note: string | null;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

/** 0010: the call an agent's softphone reports it is on. */
export interface AgentLiveCallTable {
  agent_id: string;
  sip_call_id: string;
  direction: 'inbound' | 'outbound';
  remote_number: string;
  answered_at: Timestamp;
  updated_at: Generated<Date>;
}

/** 0010: a monitoring session; id = its grant's jti. */
export interface MonitorSessionTable {
  id: string;
  supervisor_id: string;
  agent_id: string;
  call_id: string;
  mode: 'listen' | 'whisper' | 'barge';
  issued_at: Generated<Date>;
  expires_at: Timestamp;
  redeemed_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  end_reason: string | null;
}

/** 升级/求助: an agent's call escalated to a supervisor as a consult (migration 0018). */
export interface EscalationTable {
  id: string;
  agent_id: string;
  supervisor_id: string;
  sip_call_id: string;
  remote_number: string;
  state: 'ringing' | 'answered' | 'transferred' | 'cancelled' | 'declined' | 'failed';
  created_at: Generated<Date>;
  answered_at: NullableTimestamp;
  ended_at: NullableTimestamp;
}

/** 黑名单 / 骚扰电话 tags on caller numbers (migration 0013; the screen pop warns with them). */
export interface CallerTagTable {
  caller_normalised: string;
  kind: 'blacklist' | 'harassment';
  note: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  expires_at: NullableTimestamp;
}

export interface Database extends TicketTables, ProvinceTables {
  server_secret: ServerSecretTable;
  app_user: AppUserTable;
  agent_group: AgentGroupTable;
  group_member: GroupLinkTable;
  group_supervisor: GroupLinkTable;
  auth_session: AuthSessionTable;
  refresh_token: RefreshTokenTable;
  audit_log: AuditLogTable;
  schema_migration: SchemaMigrationTable;
  sip_credential: SipCredentialTable;
  call_recording: CallRecordingTable;
  call_recording_chunk: CallRecordingChunkTable;
  agent_state: AgentStateTable;
  agent_state_log: AgentStateLogTable;
  acd_queue: AcdQueueTable;
  acd_queue_number: AcdQueueNumberTable;
  acd_queue_group: AcdQueueGroupTable;
  call_record: CallRecordTable;
  call_offer: CallOfferTable;
  call_hold: CallHoldTable;
  acd_call: AcdCallTable;
  callback_task: CallbackTaskTable;
  agent_live_call: AgentLiveCallTable;
  monitor_session: MonitorSessionTable;
  escalation: EscalationTable;
  caller_tag: CallerTagTable;
}
