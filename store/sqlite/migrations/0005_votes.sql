-- "Not relevant" votes on alerts, for reports. delivery_id is the alert's
-- outbox row; the alert's text is copied so a vote outlives the row. One
-- voter's votes on one alert (channel, item_key) count once. at is INTEGER
-- milliseconds since the Unix epoch, like every time here.
CREATE TABLE votes (
    id          INTEGER PRIMARY KEY,
    watch       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    delivery_id INTEGER NOT NULL DEFAULT 0,
    item_key    TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    snippet     TEXT NOT NULL DEFAULT '',
    voter       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    UNIQUE (channel, item_key, voter)
);

-- VotesBetween: the votes on a watch in a time range; PruneVotes.
CREATE INDEX votes_watch_at ON votes (watch, at, id);
CREATE INDEX votes_at ON votes (at, id);
