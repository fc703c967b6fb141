-- An organisation's legal details (R-GDPR-1): the controller of its Data
-- Processing Agreement. One row per organisation, written when the
-- administration saves them (no row: never set). Each field is plain text,
-- checked by shared::organization::clean; postal_address may hold '\n'.
--   updated_by: the account that saved them last.
CREATE TABLE organization_details (
    organization_id      INTEGER NOT NULL PRIMARY KEY REFERENCES organizations(id),
    legal_name           TEXT    NOT NULL,
    postal_address       TEXT    NOT NULL,
    country              TEXT    NOT NULL,
    registration_number  TEXT    NOT NULL,
    representative_name  TEXT    NOT NULL,
    representative_role  TEXT    NOT NULL,
    contact_email        TEXT    NOT NULL,
    updated_at           BIGINT  NOT NULL,
    updated_by           INTEGER REFERENCES accounts(id)
);
