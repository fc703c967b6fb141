-- Spam filtering and sender lists (R-SPAM). Dovecot's userdb query
-- (xtask/templates/dovecot-sql.conf.ext) reads the mailboxes' and
-- organisations' columns to pick each delivery's Sieve before-script:
-- keep the names stable.
--   mailboxes.spam_filter: R-SPAM-1, on (1) by default; 0: no before-script,
--     everything reaches the Inbox.
--   mailboxes.spam_folder: R-SPAM-2, the destination's full path; NULL: Junk.
--   mailboxes.spam_script: 1 once the gateway has written the mailbox's own
--     before-script (its lists or folder); 0: its organisation's script, or
--     the default one.
--   organizations.spam_script: 1 once the gateway has written the
--     organisation's before-script and its includable global lists.
ALTER TABLE mailboxes ADD COLUMN spam_filter INTEGER NOT NULL DEFAULT 1;
ALTER TABLE mailboxes ADD COLUMN spam_folder TEXT;
ALTER TABLE mailboxes ADD COLUMN spam_script INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN spam_script INTEGER NOT NULL DEFAULT 0;

-- R-SPAM-4: blocked and approved senders, a mailbox's and a service's.
--   list: 'blocked' | 'approved'; entry: a lower-case address or '@domain'
--   (shared::spam::parse_sender).
CREATE TABLE mailbox_senders (
    mailbox_id  INTEGER NOT NULL REFERENCES mailboxes(id),
    list        TEXT NOT NULL,
    entry       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (mailbox_id, list, entry)
);
CREATE TABLE organization_senders (
    organization_id  INTEGER NOT NULL REFERENCES organizations(id),
    list             TEXT NOT NULL,
    entry            TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (organization_id, list, entry)
);
