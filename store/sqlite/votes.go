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
	q := `SELECT watch, channel, delivery_id, item_key, title, snippet, voter, at FROM votes WHERE at >= ? AND at < ?`
	args := []any{from.UnixMilli(), to.UnixMilli()}
	if watch != "" {
		q += ` AND watch = ?`
		args = append(args, watch)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: votes of %q: %w", watch, err)
	}
	vs, err := collect(rows, func(row scanner) (store.Vote, error) {
		var v store.Vote
		var at sql.NullInt64
		err := row.Scan(&v.Watch, &v.Channel, &v.Row, &v.ItemKey, &v.Title, &v.Snippet, &v.Voter, &at)
		v.At = fromMillis(at)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: votes of %q: %w", watch, err)
	}
	return vs, nil
}

// PruneVotes deletes the votes cast before before.
func (s *Store) PruneVotes(ctx context.Context, before time.Time) (int64, error) {
	if before.IsZero() {
		return 0, nil
	}
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM votes WHERE at < ?`, before.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune votes: %w", err)
	}
	return n, nil
}
