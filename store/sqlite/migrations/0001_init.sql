-- Initial schema. Times are INTEGER milliseconds since the Unix epoch (UTC);
-- NULL means "none" (a zero time.Time). Booleans are 0/1.

CREATE TABLE feed_states (
    feed          TEXT PRIMARY KEY,
    url           TEXT NOT NULL DEFAULT '',
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    body_hash     TEXT NOT NULL DEFAULT '',
    initialized   INTEGER NOT NULL DEFAULT 0,
    last_attempt  INTEGER,
    last_success  INTEGER,
    last_error    TEXT NOT NULL DEFAULT '',
    failures      INTEGER NOT NULL DEFAULT 0,
    next_poll     INTEGER,
    items_seen    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE seen_items (
    feed     TEXT NOT NULL,
    item_key TEXT NOT NULL,
    seen_at  INTEGER NOT NULL,
    PRIMARY KEY (feed, item_key)
) WITHOUT ROWID;

-- The outbox. story holds the 64 bits of the uint64 SimHash as a signed
-- integer.
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,
    item_key     TEXT NOT NULL,
    watch        TEXT NOT NULL DEFAULT '',
    feed         TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    link         TEXT NOT NULL DEFAULT '',
    story        INTEGER NOT NULL DEFAULT 0,
    urgent       INTEGER NOT NULL DEFAULT 0,
    payload      BLOB,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sent')),
    created      INTEGER NOT NULL,
    due          INTEGER,
    next_attempt INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    sent         INTEGER,
    UNIQUE (channel, item_key)
);

-- Pending and PendingAll: the pending rows of a channel in due order.
CREATE INDEX deliveries_pending ON deliveries (channel, due, id) WHERE status = 'pending';
-- Recent: the sent rows of a channel, newest first.
CREATE INDEX deliveries_sent ON deliveries (channel, sent) WHERE status = 'sent';
-- Since: the rows of a channel created after a time.
CREATE INDEX deliveries_created ON deliveries (channel, created);

CREATE TABLE mutes (
    target   TEXT PRIMARY KEY,
    until    INTEGER,
    muted_by TEXT NOT NULL DEFAULT '',
    created  INTEGER NOT NULL
);

CREATE TABLE edits (
    id          INTEGER PRIMARY KEY,
    edited_at   INTEGER NOT NULL,
    platform    TEXT NOT NULL DEFAULT '',
    user_name   TEXT NOT NULL DEFAULT '',
    command     TEXT NOT NULL DEFAULT '',
    before_hash TEXT NOT NULL DEFAULT '',
    after_hash  TEXT NOT NULL DEFAULT ''
);

CREATE INDEX edits_edited_at ON edits (edited_at, id);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
