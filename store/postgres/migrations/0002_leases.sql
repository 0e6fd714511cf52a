-- Leases let one of several replicas sharing the database do a piece of
-- work (poll a feed, deliver to a channel) at a time.
CREATE TABLE leases (
    name  text PRIMARY KEY,
    owner text NOT NULL,
    until timestamptz NOT NULL
);
