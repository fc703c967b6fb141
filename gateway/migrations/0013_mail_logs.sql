-- Send and receive logs (R-LOG), read from Postfix's and Dovecot's log
-- files by gateway/src/maillog/.
--   mail_log_entries: one row per (message, recipient, mailbox it concerns,
--     direction): a message from one of our mailboxes to another is a
--     `sent` row of the first and a `received` row of the second. Updated
--     in place as the message's life goes on (deferred, then delivered).
--     status: shared::logs::LogStatus::as_str.
--   mail_log_messages: a message Postfix queued (its sender, size,
--     Message-ID; the envelope lines come one by one), kept across gateway
--     restarts; `removed` once Postfix removes it (queue ids are reused).
--     Its id is the entries' message_key; a refusal before queueing gets
--     one too. The sweeper never deletes the newest row, so SQLite never
--     hands out an id again.
--   mail_log_cursors: how far each log file was read (its inode and the
--     byte after the last line taken), written in the same transaction as
--     the rows those lines made: no line is lost or counted twice.
--   mail_log_filings: which folder Dovecot's LMTP session stored a
--     delivery in, for Postfix's line of the same delivery (either may be
--     read first).
--   mail_log_subjects: the Subject header of a queued message, from the
--     gateway's milter (the logs do not carry it).
--   organizations.log_retention_days: the paid log-retention option; NULL
--     is the free 20 days (shared::logs::FREE_RETENTION_DAYS).
CREATE TABLE mail_log_entries (
    id               INTEGER PRIMARY KEY,
    mailbox_id       INTEGER NOT NULL REFERENCES mailboxes(id),
    message_key      BIGINT  NOT NULL,
    at               BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    direction        TEXT    NOT NULL,
    sender           TEXT    NOT NULL,
    recipient        TEXT    NOT NULL,
    subject          TEXT,
    size             BIGINT,
    queue_id         TEXT,
    message_id       TEXT,
    status           TEXT    NOT NULL,
    folder           TEXT,
    relay            TEXT,
    dsn              TEXT,
    reply            TEXT,
    lmtp_session     TEXT,
    UNIQUE (message_key, recipient, mailbox_id, direction)
);
CREATE INDEX mail_log_entries_mailbox ON mail_log_entries (mailbox_id, at, id);
CREATE INDEX mail_log_entries_at ON mail_log_entries (at);
CREATE INDEX mail_log_entries_session ON mail_log_entries (lmtp_session);

CREATE TABLE mail_log_messages (
    id           INTEGER PRIMARY KEY,
    queue_id     TEXT    NOT NULL,
    at           BIGINT  NOT NULL,
    sender       TEXT,
    size         BIGINT,
    message_id   TEXT,
    sasl_user    TEXT,
    removed      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mail_log_messages_queue ON mail_log_messages (queue_id, removed);

CREATE TABLE mail_log_cursors (
    source    TEXT    PRIMARY KEY,
    inode     BIGINT  NOT NULL,
    position  BIGINT  NOT NULL
);

CREATE TABLE mail_log_filings (
    session  TEXT    PRIMARY KEY,
    folder   TEXT    NOT NULL,
    by_rule  INTEGER NOT NULL,
    at       BIGINT  NOT NULL
);

CREATE TABLE mail_log_subjects (
    queue_id  TEXT    PRIMARY KEY,
    subject   TEXT    NOT NULL,
    at        BIGINT  NOT NULL
);

ALTER TABLE organizations ADD COLUMN log_retention_days BIGINT;
