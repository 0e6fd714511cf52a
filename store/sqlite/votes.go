package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/newshound/newshound/store"
)

// RecordVote adds a vote, skipping one the voter already cast on the alert.
func (s *Store) RecordVote(ctx context.Context, v store.Vote) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO votes (watch, channel, delivery_id, item_key, title, snippet, voter, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (channel, item_key, voter) DO NOTHING`,
			v.Watch, v.Channel, v.Row, v.ItemKey, v.Title, v.Snippet, v.Voter, millis(s.stamp(v.At)).Int64)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: record vote on %s %q: %w", v.Channel, v.ItemKey, err)
	}
	return nil
}

// VotesBetween returns the votes on a watch ("" for all) cast in
// [from, to), oldest first.
func (s *Store) VotesBetween(ctx context.Context, watch string, from, to time.Time) ([]store.Vote, error) {
	return between(ctx, s, "votes", `SELECT watch, channel, delivery_id, item_key, title, snippet, voter, at FROM votes`, watch, from, to,
		func(row scanner) (store.Vote, error) {
			var v store.Vote
			var at sql.NullInt64
			err := row.Scan(&v.Watch, &v.Channel, &v.Row, &v.ItemKey, &v.Title, &v.Snippet, &v.Voter, &at)
			v.At = fromMillis(at)
			return v, err
		})
}

// PruneVotes deletes the votes cast before before.
func (s *Store) PruneVotes(ctx context.Context, before time.Time) (int64, error) {
	return s.pruneBefore(ctx, "votes", before)
}
