-- Every match of every watch, for surge alerts and reports. item_key is
-- bytea like seen_items.item_key, so keys round-trip byte for byte.
CREATE TABLE matches (
    id       bigserial PRIMARY KEY,
    watch    text NOT NULL,
    query    text NOT NULL,
    feed     text NOT NULL,
    source   text NOT NULL DEFAULT '',
    item_key bytea NOT NULL,
    title    text NOT NULL DEFAULT '',
    link     text NOT NULL DEFAULT '',
    at       timestamptz NOT NULL,
    UNIQUE (watch, query, feed, item_key)
);

-- MatchesBetween: the matches of a watch in a time range.
CREATE INDEX matches_watch_at ON matches (watch, at, id);
CREATE INDEX matches_at ON matches (at, id);
