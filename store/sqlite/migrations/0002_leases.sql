-- Leases let one of several processes sharing the database do a piece of
-- work (poll a feed, deliver to a channel) at a time. until is INTEGER
-- milliseconds since the Unix epoch, like every time here.
CREATE TABLE leases (
    name  TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until INTEGER NOT NULL
) WITHOUT ROWID;
