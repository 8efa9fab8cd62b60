-- Accounts, groups (坐席组), sessions and the append-only audit log.

CREATE TABLE server_secret (
  name        text PRIMARY KEY,
  value       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username         text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
  display_name     text NOT NULL,
  password_hash    text NOT NULL,
  roles            text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['agent','supervisor','qa','admin']),
  extension        text UNIQUE CHECK (extension ~ '^[0-9]{3,8}$'),
  disabled         boolean NOT NULL DEFAULT false,
  failed_logins    integer NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  last_login_at    timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_group (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE group_member (
  group_id  uuid NOT NULL REFERENCES agent_group(id) ON DELETE CASCADE,
  user_id   uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_member_user ON group_member (user_id);

CREATE TABLE group_supervisor (
  group_id  uuid NOT NULL REFERENCES agent_group(id) ON DELETE CASCADE,
  user_id   uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_supervisor_user ON group_supervisor (user_id);

-- One row per sign-in. Access tokens name the session; a revoked session rejects them at once.
CREATE TABLE auth_session (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  revoked_reason text,
  ip            text,
  user_agent    text
);
CREATE INDEX auth_session_user_active ON auth_session (user_id) WHERE revoked_at IS NULL;

-- Refresh tokens rotate on every use; presenting a used one revokes its session (theft).
CREATE TABLE refresh_token (
  token_hash  text PRIMARY KEY,
  session_id  uuid NOT NULL REFERENCES auth_session(id) ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX refresh_token_session ON refresh_token (session_id);

CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_id     uuid,
  actor_name   text,
  action       text NOT NULL,
  target_type  text,
  target_id    text,
  ip           text,
  detail       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_action ON audit_log (action, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id DESC);

-- Append-only: the database itself refuses to change or delete history.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
