-- Initial schema. A NULL time means "none" (a zero time.Time). Item keys
-- are bytea: they must round-trip byte for byte, and text cannot hold NUL
-- bytes (a delivery's key is feed + "\x00" + item key) or invalid UTF-8.

CREATE TABLE feed_states (
    feed          text PRIMARY KEY,
    url           text NOT NULL DEFAULT '',
    etag          text NOT NULL DEFAULT '',
    last_modified text NOT NULL DEFAULT '',
    body_hash     text NOT NULL DEFAULT '',
    initialized   boolean NOT NULL DEFAULT false,
    last_attempt  timestamptz,
    last_success  timestamptz,
    last_error    text NOT NULL DEFAULT '',
    failures      integer NOT NULL DEFAULT 0,
    next_poll     timestamptz,
    items_seen    bigint NOT NULL DEFAULT 0
);

CREATE TABLE seen_items (
    feed     text NOT NULL,
    item_key bytea NOT NULL,
    seen_at  timestamptz NOT NULL,
    PRIMARY KEY (feed, item_key)
);

-- The outbox. story holds the 64 bits of the uint64 SimHash as a signed
-- bigint.
CREATE TABLE deliveries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel      text NOT NULL,
    item_key     bytea NOT NULL,
    watch        text NOT NULL DEFAULT '',
    feed         text NOT NULL DEFAULT '',
    title        text NOT NULL DEFAULT '',
    link         text NOT NULL DEFAULT '',
    story        bigint NOT NULL DEFAULT 0,
    urgent       boolean NOT NULL DEFAULT false,
    payload      bytea,
    status       text NOT NULL CHECK (status IN ('pending', 'sent')),
    created      timestamptz NOT NULL,
    due          timestamptz,
    next_attempt timestamptz,
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    sent         timestamptz,
    UNIQUE (channel, item_key)
);

-- Pending and PendingAll: the pending rows of a channel in due order.
CREATE INDEX deliveries_pending ON deliveries (channel, due NULLS FIRST, id) WHERE status = 'pending';
-- Recent: the sent rows of a channel, newest first.
CREATE INDEX deliveries_sent ON deliveries (channel, sent) WHERE status = 'sent';
-- Since: the rows of a channel created after a time.
CREATE INDEX deliveries_created ON deliveries (channel, created);

CREATE TABLE mutes (
    target   text PRIMARY KEY,
    until    timestamptz,
    muted_by text NOT NULL DEFAULT '',
    created  timestamptz NOT NULL
);

CREATE TABLE edits (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    edited_at   timestamptz NOT NULL,
    platform    text NOT NULL DEFAULT '',
    user_name   text NOT NULL DEFAULT '',
    command     text NOT NULL DEFAULT '',
    before_hash text NOT NULL DEFAULT '',
    after_hash  text NOT NULL DEFAULT ''
);

CREATE INDEX edits_edited_at ON edits (edited_at, id);

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
