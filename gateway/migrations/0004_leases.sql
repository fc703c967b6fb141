-- Leases (PostgreSQL with several gateways; harmless on SQLite): who holds
-- a piece of work that must not run twice at once across processes — a
-- background sweeper, an upload being written. A lease is taken with one
-- INSERT … ON CONFLICT … WHERE expired, renewed while the work runs, and
-- lapses by itself when its holder dies.
CREATE TABLE leases (
    name        TEXT    PRIMARY KEY,          -- e.g. 'sweep:transfers', 'upload:<id>'
    holder      TEXT    NOT NULL,             -- random per process or per claim
    expires_at  BIGINT  NOT NULL              -- Unix seconds; free from then on
);

-- The outbox sweeper looks for sends whose gateway died.
CREATE INDEX outbox_state_updated ON outbox(state, updated_at);
