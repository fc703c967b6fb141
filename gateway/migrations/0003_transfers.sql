-- Uploads (resumable, streamed to disk) and transfers (public download
-- links for big files, R-LIM-2..4). Portable SQL: only INTEGER/BIGINT/TEXT,
-- timestamps are Unix seconds. The bytes live in the blob directory
-- (POSTERN_BLOB_DIR): `uploads/<id>` while uploading, then
-- `transfers/<token>/<file id>` once published.

CREATE TABLE uploads (
    id            TEXT    PRIMARY KEY,        -- 16 random bytes, hex
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    name          TEXT    NOT NULL,           -- sanitised, <= 255 bytes
    size          BIGINT  NOT NULL,           -- declared up front
    content_type  TEXT    NOT NULL,
    received      BIGINT  NOT NULL,           -- durable bytes on disk
    route         TEXT    NOT NULL,           -- 'attachment' | 'transfer'
    standalone    INTEGER NOT NULL,           -- 1: standalone page (50 GiB)
    created_at    BIGINT  NOT NULL,
    completed_at  BIGINT
);
CREATE INDEX uploads_account ON uploads(account_id);
CREATE INDEX uploads_created ON uploads(created_at);

CREATE TABLE transfers (
    token       TEXT    PRIMARY KEY,          -- 20 random bytes, hex
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    deleted_at  BIGINT                        -- files removed (expired)
);
CREATE INDEX transfers_expiry ON transfers(expires_at);

CREATE TABLE transfer_files (
    transfer_token  TEXT    NOT NULL REFERENCES transfers(token),
    id              TEXT    NOT NULL,         -- the upload's id
    position        INTEGER NOT NULL,         -- order of the files
    name            TEXT    NOT NULL,
    size            BIGINT  NOT NULL,
    content_type    TEXT    NOT NULL,
    path            TEXT    NOT NULL,         -- relative to the blob directory
    PRIMARY KEY (transfer_token, id)
);
