-- Device passwords (R-DEV) as the portal's Devices tab makes them.
-- Dovecot's passdb (xtask/templates/dovecot-sql.conf.ext) reads
-- expires_at: keep the name stable.
--   kind: phone | tablet | computer | mail_program | script (an icon).
--   owner_account_id: whose device it is (the creator, for now).
--   expires_at: Unix seconds after which Dovecot refuses it (NULL: never).
--   last_used_protocol, last_used_ip: of the newest real login (Dovecot's
--     login log lines; last_used_at is its time).
ALTER TABLE device_passwords ADD COLUMN kind TEXT NOT NULL DEFAULT 'computer';
ALTER TABLE device_passwords ADD COLUMN owner_account_id INTEGER REFERENCES accounts(id);
ALTER TABLE device_passwords ADD COLUMN expires_at BIGINT;
ALTER TABLE device_passwords ADD COLUMN last_used_protocol TEXT;
ALTER TABLE device_passwords ADD COLUMN last_used_ip TEXT;
CREATE INDEX device_passwords_mailbox ON device_passwords(mailbox_id, revoked_at);
