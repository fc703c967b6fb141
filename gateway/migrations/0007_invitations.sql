-- Sharing invitations (R-INV). The link carries a random token; only its
-- SHA-256 (lower hex) is stored, so a copy of the database opens nothing.
-- An invitation is pending while accepted_at, revoked_at are NULL and
-- expires_at is in the future; it is kept afterwards (who used it, when).
CREATE TABLE invitations (
    id            INTEGER PRIMARY KEY,
    mailbox_id    INTEGER NOT NULL REFERENCES mailboxes(id),
    token_sha256  TEXT    NOT NULL UNIQUE,
    email         TEXT,                          -- lower-case; NULL: a link handed over
    permissions   INTEGER NOT NULL,              -- shared::PermissionSet::bits
    invited_by    INTEGER NOT NULL REFERENCES accounts(id),
    emailed       INTEGER NOT NULL DEFAULT 0,    -- 1 once the email was handed to SMTP
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    accepted_at   BIGINT,
    accepted_by   INTEGER REFERENCES accounts(id),
    revoked_at    BIGINT
);
CREATE INDEX invitations_mailbox ON invitations(mailbox_id);

-- Where a shared mailbox appears in its user's webmail (R-INV-3): one of
-- the user's organisations; NULL means the mailbox's own organisation.
ALTER TABLE grants ADD COLUMN shown_in_organization_id INTEGER REFERENCES organizations(id);
