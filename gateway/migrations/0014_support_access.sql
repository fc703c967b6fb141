-- Support access (R-SUP). The host's support staff are members with the
-- `staff` role of the organisation marked here (seeded by `cargo xtask up`
-- as "Postern Support"): a role alone is not enough.
ALTER TABLE organizations ADD COLUMN staff INTEGER NOT NULL DEFAULT 0;

-- A mailbox's user lets support read a kind of content (kind, see
-- shared::support::SupportKind) or one message (kind 'message', folder +
-- uid) until expires_at (7 days) or revoked_at. The id is a random handle
-- (not a credential: every use is checked): staff routes carry it, so
-- staff never see a mailbox id of another organisation.
CREATE TABLE support_grants (
    id           TEXT    PRIMARY KEY,
    mailbox_id   INTEGER NOT NULL REFERENCES mailboxes(id),
    kind         TEXT    NOT NULL,
    folder       TEXT,
    uid          BIGINT,
    granted_by   INTEGER NOT NULL REFERENCES accounts(id),
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX support_grants_mailbox ON support_grants(mailbox_id);

-- Every read support staff made (R-SUP-3), written in the request that
-- reads; shown to the mailbox's users. `what`: shared::support::SupportRead.
CREATE TABLE support_accesses (
    id         INTEGER PRIMARY KEY,
    grant_id   TEXT    NOT NULL REFERENCES support_grants(id),
    staff_id   INTEGER NOT NULL REFERENCES accounts(id),
    what       TEXT    NOT NULL,
    folder     TEXT,
    uid        BIGINT,
    at         BIGINT  NOT NULL
);
CREATE INDEX support_accesses_grant ON support_accesses(grant_id);
