-- The watchlist document, when the database is its source of truth: one
-- row per version, the latest being the one in force, the others its
-- history. text is the document byte for byte (comments included).
CREATE TABLE watchlist_versions (
    version bigint PRIMARY KEY CHECK (version > 0),
    text    bytea NOT NULL,
    hash    text NOT NULL,
    at      timestamptz NOT NULL,
    by_whom text NOT NULL
);
