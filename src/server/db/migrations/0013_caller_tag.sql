-- Caller tags for the screen pop: numbers supervisors or admins marked as 黑名单 (blacklist)
-- or 骚扰电话 (harassment), shown to the agent as a warning when the number calls.
-- 重复来电 (repeat caller) is derived from call_record, never stored here.
CREATE TABLE caller_tag (
  -- Normal form of src/shared/phone-number.ts, the key call_record.caller_normalised uses.
  caller_normalised  text NOT NULL CHECK (caller_normalised ~ '^\+?[0-9]{3,20}$'),
  kind               text NOT NULL CHECK (kind IN ('blacklist', 'harassment')),
  note               text CHECK (length(note) <= 200),
  created_by         uuid REFERENCES app_user(id) ON DELETE SET NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  -- Past this the tag no longer applies (null: until removed).
  expires_at         timestamptz,
  PRIMARY KEY (caller_normalised, kind)
);
