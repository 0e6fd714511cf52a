package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newshound/newshound/store"
)

// RecordVote adds a vote, skipping one the voter already cast on the alert.
func (s *Store) RecordVote(ctx context.Context, v store.Vote) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO votes (watch, channel, delivery_id, item_key, title, snippet, voter, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (channel, item_key, voter) DO NOTHING`,
		txt(v.Watch), txt(v.Channel), v.Row, []byte(v.ItemKey), txt(v.Title), txt(v.Snippet), txt(v.Voter), pgTime(s.stamp(v.At)))
	if err != nil {
		return fmt.Errorf("postgres: record vote on %s %q: %w", v.Channel, v.ItemKey, err)
	}
	return nil
}

// VotesBetween returns the votes on a watch ("" for all) cast in
// [from, to), oldest first.
func (s *Store) VotesBetween(ctx context.Context, watch string, from, to time.Time) ([]store.Vote, error) {
	q := `SELECT watch, channel, delivery_id, item_key, title, snippet, voter, at FROM votes WHERE at >= $1 AND at < $2`
	args := []any{pgBound(from), pgBound(to)}
	if watch != "" {
		q += ` AND watch = $3`
		args = append(args, txt(watch))
	}
	rows, _ := s.pool.Query(ctx, q+` ORDER BY at, id`, args...)
	vs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Vote, error) {
		var v store.Vote
		var key []byte
		var at time.Time
		err := row.Scan(&v.Watch, &v.Channel, &v.Row, &key, &v.Title, &v.Snippet, &v.Voter, &at)
		v.ItemKey, v.At = string(key), at.UTC()
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: votes of %q: %w", watch, err)
	}
	return vs, nil
}

// PruneVotes deletes the votes cast before before.
func (s *Store) PruneVotes(ctx context.Context, before time.Time) (int64, error) {
	if before.IsZero() {
		return 0, nil
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM votes WHERE at < $1`, pgTime(before))
	if err != nil {
		return 0, fmt.Errorf("postgres: prune votes: %w", err)
	}
	return tag.RowsAffected(), nil
}
