-- Mailbox storage (R-LIM-5). Dovecot's userdb (xtask/templates/
-- dovecot-sql.conf.ext) reads these columns for each mailbox's quota
-- rule: keep their names stable.
--   offers: the storage of a mailbox per commercial offer (organizations.
--     offer); NULL = unlimited. Written from
--     shared::sending::Offer::mailbox_storage_limit (a gateway test keeps
--     the two equal); an offer without a row is unlimited.
--   mailboxes.quota_bytes: this mailbox's own limit, instead of its
--     offer's (NULL = the offer's; 0 = no limit, as Dovecot reads it).
CREATE TABLE offers (
    offer                TEXT    PRIMARY KEY,
    mailbox_quota_bytes  BIGINT
);
INSERT INTO offers (offer, mailbox_quota_bytes) VALUES
    ('free', 20000000000),
    ('starter', 20000000000),
    ('standard', NULL),
    ('business', NULL),
    ('enterprise', NULL),
    ('premium', NULL),
    ('web_hosting_script', NULL);

ALTER TABLE mailboxes ADD COLUMN quota_bytes BIGINT;
