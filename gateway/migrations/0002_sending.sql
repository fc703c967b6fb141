-- Sending (R-SEND, R-LIM-1). Portable SQL: INTEGER/BIGINT/TEXT only,
-- timestamps in Unix seconds.

-- The ledger of R-SEND-2: one row per message accepted for a mailbox, by
-- any route (webmail or mail client). Written by the policy service at
-- END-OF-MESSAGE in one INSERT … SELECT … WHERE <quota holds>, so two
-- concurrent submissions cannot both squeeze under the limit.
CREATE TABLE sends (
    id           INTEGER PRIMARY KEY,
    mailbox_id   INTEGER NOT NULL REFERENCES mailboxes(id),
    sent_at      BIGINT  NOT NULL,
    recipients   INTEGER NOT NULL,            -- counted against the quota
    size         BIGINT,                      -- bytes, as Postfix reported
    queue_id     TEXT,                        -- Postfix queue id, for log lookup
    instance     TEXT                         -- Postfix policy instance id
);
CREATE INDEX sends_mailbox_time ON sends(mailbox_id, sent_at);

-- Messages sent from the webmail, with their undo window. A row moves
-- scheduled → sending → sent | failed, or scheduled → cancelled; every
-- transition is one UPDATE … WHERE state = <expected>, so undo and the
-- sender can never both win.
CREATE TABLE outbox (
    id               TEXT    PRIMARY KEY,     -- random, hex
    mailbox_id       INTEGER NOT NULL REFERENCES mailboxes(id),
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    state            TEXT    NOT NULL,        -- shared::compose::OutgoingState, snake_case
    send_at          BIGINT  NOT NULL,
    message_id       TEXT    NOT NULL,        -- without angle brackets
    envelope_from    TEXT    NOT NULL,
    rcpt_to          TEXT    NOT NULL,        -- JSON array of envelope recipients
    recipients       INTEGER NOT NULL,
    draft_uid        BIGINT,                  -- in Drafts; deleted after sending
    original_folder  TEXT,
    original_uid     BIGINT,
    original_kind    TEXT,                    -- reply | forward
    draft_json       TEXT    NOT NULL,        -- the Draft, to restore it on undo
    message_path     TEXT,                    -- built message (blob_dir/outgoing/…)
    error_code       TEXT,
    error_message    TEXT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX outbox_state ON outbox(state, send_at);

-- Recent correspondents for address autocomplete (nothing else).
CREATE TABLE correspondents (
    id          INTEGER PRIMARY KEY,
    mailbox_id  INTEGER NOT NULL REFERENCES mailboxes(id),
    address     TEXT    NOT NULL,             -- lower-case
    name        TEXT,
    last_used   BIGINT  NOT NULL,
    uses        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (mailbox_id, address)
);
CREATE INDEX correspondents_recent ON correspondents(mailbox_id, last_used);

CREATE TABLE signatures (
    mailbox_id  INTEGER PRIMARY KEY REFERENCES mailboxes(id),
    text        TEXT    NOT NULL,
    html        TEXT,
    updated_at  BIGINT  NOT NULL
);
