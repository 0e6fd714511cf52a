-- "Not relevant" votes on alerts, for reports. delivery_id is the alert's
-- outbox row; the alert's text is copied so a vote outlives the row. One
-- voter's votes on one alert (channel, item_key) count once. item_key is
-- bytea like deliveries.item_key, so keys round-trip byte for byte.
CREATE TABLE votes (
    id          bigserial PRIMARY KEY,
    watch       text NOT NULL,
    channel     text NOT NULL,
    delivery_id bigint NOT NULL DEFAULT 0,
    item_key    bytea NOT NULL,
    title       text NOT NULL DEFAULT '',
    snippet     text NOT NULL DEFAULT '',
    voter       text NOT NULL,
    at          timestamptz NOT NULL,
    UNIQUE (channel, item_key, voter)
);

-- VotesBetween: the votes on a watch in a time range; PruneVotes.
CREATE INDEX votes_watch_at ON votes (watch, at, id);
CREATE INDEX votes_at ON votes (at, id);
