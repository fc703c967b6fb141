-- Addresses that are not plain mailboxes (R-ADDR-3). Postfix's lookups
-- (xtask/templates/postfix-*.cf) and Dovecot's userdb read these columns:
-- keep their names stable.
--   mailboxes.kind: 'mailbox' (stores mail), 'no_reply' (refused at SMTP),
--   'redirect' (forwards to its redirects rows, stores nothing).
ALTER TABLE mailboxes ADD COLUMN kind TEXT NOT NULL DEFAULT 'mailbox';

-- The mailbox that receives mail for unknown addresses of the domain.
ALTER TABLE domains ADD COLUMN catch_all_mailbox_id INTEGER REFERENCES mailboxes(id);

CREATE TABLE redirects (
    id          INTEGER PRIMARY KEY,
    mailbox_id  INTEGER NOT NULL REFERENCES mailboxes(id),  -- the redirect address
    target      TEXT    NOT NULL                             -- lower-case local@domain
);
CREATE INDEX redirects_mailbox ON redirects(mailbox_id);
