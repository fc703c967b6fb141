-- The rest of issue 12's device parts (R-DEV-4, protocol scope, recent
-- connections).
--
-- Protocol scope of a device password: the services Dovecot's passdb
-- lets it log in to (xtask/templates/dovecot-sql.conf.ext reads these
-- names: keep them stable). 1 = allowed. smtp covers Dovecot's own
-- submission service and Postfix's SASL (service smtp).
ALTER TABLE device_passwords ADD COLUMN allow_imap INTEGER NOT NULL DEFAULT 1;
ALTER TABLE device_passwords ADD COLUMN allow_pop3 INTEGER NOT NULL DEFAULT 1;
ALTER TABLE device_passwords ADD COLUMN allow_smtp INTEGER NOT NULL DEFAULT 1;

-- Recent logins of each device password, from Dovecot's login log lines
-- (the newest 20 per device are kept). A line is one row whichever
-- gateway read it: (device_id, session, at) is unique, session being
-- Dovecot's session id of the line.
CREATE TABLE device_logins (
    id         INTEGER PRIMARY KEY,
    device_id  INTEGER NOT NULL REFERENCES device_passwords(id),
    at         BIGINT  NOT NULL,
    protocol   TEXT    NOT NULL,
    client_ip  TEXT,
    session    TEXT    NOT NULL
);
CREATE UNIQUE INDEX device_logins_line ON device_logins(device_id, session, at);

-- Device-setup invitations (R-DEV-4): a link for one user of the mailbox
-- (invitee_account_id) to make a password for their own device. Like
-- sharing invitations, the link carries a random token and only its
-- SHA-256 (lower hex) is stored. Pending while used_at and revoked_at are
-- NULL and expires_at is in the future; kept afterwards (device_id: the
-- password it made).
CREATE TABLE device_setup_invitations (
    id                  INTEGER PRIMARY KEY,
    mailbox_id          INTEGER NOT NULL REFERENCES mailboxes(id),
    token_sha256        TEXT    NOT NULL UNIQUE,
    invitee_account_id  INTEGER NOT NULL REFERENCES accounts(id),
    invited_by          INTEGER NOT NULL REFERENCES accounts(id),
    emailed             INTEGER NOT NULL DEFAULT 0,
    created_at          BIGINT  NOT NULL,
    expires_at          BIGINT  NOT NULL,
    used_at             BIGINT,
    device_id           INTEGER REFERENCES device_passwords(id),
    revoked_at          BIGINT
);
CREATE INDEX device_setup_invitations_mailbox ON device_setup_invitations(mailbox_id);
