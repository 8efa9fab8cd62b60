-- Short-lived SIP credentials per extension: the latest expiry issued, and the expiry up to
-- which credentials are revoked (an agent signed out: earlier credentials must not register).
CREATE TABLE sip_credential (
  extension          text PRIMARY KEY,
  last_issued_expiry bigint NOT NULL DEFAULT 0,
  revoked_through    bigint NOT NULL DEFAULT 0,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
