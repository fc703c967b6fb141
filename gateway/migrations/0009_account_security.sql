-- Account security (R-ID-1): two-factor sign-in with TOTP (RFC 6238),
-- its recovery codes, the pending sign-ins between password and code,
-- and what the sessions list shows.
--   accounts.totp_secret: the 160-bit secret, sealed with POSTERN_TOTP_KEY
--     (gateway/src/auth/totp.rs: `v1.` + base64url(nonce ‖ AES-256-GCM));
--     set by an enrolment, in force only once totp_enabled_at is set.
--   accounts.totp_last_step: the newest accepted time step (a code is
--     never accepted twice).
--   recovery_codes.code_sha256: SHA-256 of the account id and the code.
--   login_challenges.token_sha256: SHA-256 of the pending sign-in token
--     (the token itself only goes to the browser).
--   sessions.last_seen_at/last_seen_ip: written at most every few minutes.
ALTER TABLE accounts ADD COLUMN totp_secret TEXT;
ALTER TABLE accounts ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT;

CREATE TABLE recovery_codes (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    code_sha256  TEXT    NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    used_at      BIGINT
);
CREATE INDEX recovery_codes_account ON recovery_codes(account_id);

CREATE TABLE login_challenges (
    token_sha256  TEXT    PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    client_ip     TEXT,
    user_agent    TEXT,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL
);

ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE sessions ADD COLUMN last_seen_ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
