-- Living alerts: the platform's reference to the message that carried a
-- row (message_id, '' for none) so a later copy of the story edits that
-- message, and the row a pending edit or follow-up belongs to (parent, 0
-- for a row of its own).
ALTER TABLE deliveries ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN parent INTEGER NOT NULL DEFAULT 0;
-- The edits and follow-ups of a row.
CREATE INDEX deliveries_parent ON deliveries (parent) WHERE parent <> 0;
