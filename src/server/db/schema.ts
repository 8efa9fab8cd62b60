/** Kysely table types; they mirror db/migrations/*.sql and change only with a new migration. */
import type { ColumnType, Generated } from 'kysely';

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

export interface SchemaMigrationTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

export interface Database {
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
}
