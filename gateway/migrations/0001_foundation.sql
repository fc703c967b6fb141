-- Foundation schema. Portable SQL (SQLite now, PostgreSQL later): only
-- INTEGER/BIGINT/TEXT, timestamps are Unix seconds (BIGINT).
-- Dovecot's SQL userdb/passdb read `mailboxes` and `device_passwords`
-- directly: keep those table and column names stable.

CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    offer       TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    login          TEXT    NOT NULL UNIQUE,   -- lower-cased email
    display_name   TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,          -- Argon2id PHC string
    created_at     BIGINT  NOT NULL
);

CREATE TABLE memberships (
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    organization_id  INTEGER NOT NULL REFERENCES organizations(id),
    role             TEXT    NOT NULL,        -- shared::permissions::Role::as_str
    PRIMARY KEY (account_id, organization_id)
);

CREATE TABLE domains (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER NOT NULL REFERENCES organizations(id),
    name             TEXT    NOT NULL UNIQUE  -- lower-case
);

CREATE TABLE mailboxes (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER NOT NULL REFERENCES organizations(id),
    domain_id        INTEGER NOT NULL REFERENCES domains(id),
    address          TEXT    NOT NULL UNIQUE, -- lower-case local@domain
    display_name     TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    deleted_at       BIGINT
);

CREATE TABLE aliases (
    id          INTEGER PRIMARY KEY,
    mailbox_id  INTEGER NOT NULL REFERENCES mailboxes(id),
    address     TEXT    NOT NULL UNIQUE
);

CREATE TABLE grants (
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    mailbox_id   INTEGER NOT NULL REFERENCES mailboxes(id),
    permissions  INTEGER NOT NULL,            -- shared::PermissionSet::bits
    granted_by   INTEGER REFERENCES accounts(id),
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (account_id, mailbox_id)
);

CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY,          -- 32 random bytes, hex
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    client_ip   TEXT,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE login_failures (
    id         INTEGER PRIMARY KEY,
    login      TEXT    NOT NULL,
    client_ip  TEXT,
    at         BIGINT  NOT NULL
);
CREATE INDEX login_failures_login ON login_failures(login, at);
CREATE INDEX login_failures_ip ON login_failures(client_ip, at);

CREATE TABLE device_passwords (
    id            INTEGER PRIMARY KEY,
    mailbox_id    INTEGER NOT NULL REFERENCES mailboxes(id),
    username      TEXT    NOT NULL,           -- the mailbox address (Dovecot %u)
    label         TEXT    NOT NULL,
    pw_sha256     TEXT    NOT NULL UNIQUE,    -- lower-hex SHA-256 of the password
    created_by    INTEGER REFERENCES accounts(id),
    created_at    BIGINT  NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX device_passwords_username ON device_passwords(username);
