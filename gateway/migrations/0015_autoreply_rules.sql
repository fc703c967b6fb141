-- A mailbox's auto-reply and sorting rules (issue 13; gateway/src/filters),
-- and the mail service's templates of both (R-TPL).
--
-- mailboxes.rules_script: 1 once the gateway has written the mailbox's
--   rules script (<sieve dir>/rules/mailbox-<id>.sieve); Dovecot's userdb
--   query (xtask/templates/dovecot-sql.conf.ext) reads it: keep the name.
ALTER TABLE mailboxes ADD COLUMN rules_script INTEGER NOT NULL DEFAULT 0;

-- One row per mailbox that ever saved an auto-reply. Dates 'YYYY-MM-DD'
-- (UTC) or NULL; days: one reply per sender per that many days.
CREATE TABLE auto_replies (
    mailbox_id  INTEGER NOT NULL REFERENCES mailboxes(id),
    enabled     INTEGER NOT NULL,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    starts_on   TEXT,
    ends_on     TEXT,
    days        INTEGER NOT NULL,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (mailbox_id)
);

-- Sorting rules, tried in position order; rule: shared::filters::Rule as
-- JSON (conditions and actions), checked on the way in.
CREATE TABLE mailbox_rules (
    mailbox_id  INTEGER NOT NULL REFERENCES mailboxes(id),
    position    INTEGER NOT NULL,
    rule        TEXT    NOT NULL,
    PRIMARY KEY (mailbox_id, position)
);
