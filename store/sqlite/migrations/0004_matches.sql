-- Every match of every watch, for surge alerts and reports. at is INTEGER
-- milliseconds since the Unix epoch, like every time here.
CREATE TABLE matches (
    id       INTEGER PRIMARY KEY,
    watch    TEXT NOT NULL,
    query    TEXT NOT NULL,
    feed     TEXT NOT NULL,
    source   TEXT NOT NULL DEFAULT '',
    item_key TEXT NOT NULL,
    title    TEXT NOT NULL DEFAULT '',
    link     TEXT NOT NULL DEFAULT '',
    at       INTEGER NOT NULL,
    UNIQUE (watch, query, feed, item_key)
);

-- MatchesBetween: the matches of a watch in a time range.
CREATE INDEX matches_watch_at ON matches (watch, at, id);
CREATE INDEX matches_at ON matches (at, id);
