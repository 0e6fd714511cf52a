package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newshound/newshound/store"
)

// RecordMatches adds matches, skipping those already recorded.
func (s *Store) RecordMatches(ctx context.Context, ms []store.Match) error {
	if len(ms) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.recordMatches(ctx, tx, ms) })
	if err != nil {
		return fmt.Errorf("postgres: record matches: %w", err)
	}
	return nil
}

// recordMatches inserts ms in one batch.
func (s *Store) recordMatches(ctx context.Context, q querier, ms []store.Match) error {
	if len(ms) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, m := range ms {
		b.Queue(`INSERT INTO matches (watch, query, feed, source, item_key, title, link, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (watch, query, feed, item_key) DO NOTHING`,
			txt(m.Watch), txt(m.Query), txt(m.Feed), txt(m.Source), []byte(m.ItemKey), txt(m.Title), txt(m.Link), pgTime(s.stamp(m.At)))
	}
	return q.SendBatch(ctx, b).Close()
}

// MatchesBetween returns the matches of a watch ("" for all) found in
// [from, to), oldest first.
func (s *Store) MatchesBetween(ctx context.Context, watch string, from, to time.Time) ([]store.Match, error) {
	q := `SELECT watch, query, feed, source, item_key, title, link, at FROM matches WHERE at >= $1 AND at < $2`
	args := []any{pgBound(from), pgBound(to)}
	if watch != "" {
		q += ` AND watch = $3`
		args = append(args, txt(watch))
	}
	rows, _ := s.pool.Query(ctx, q+` ORDER BY at, id`, args...)
	ms, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Match, error) {
		var m store.Match
		var key []byte
		var at time.Time
		err := row.Scan(&m.Watch, &m.Query, &m.Feed, &m.Source, &key, &m.Title, &m.Link, &at)
		m.ItemKey, m.At = string(key), at.UTC()
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: matches of %q: %w", watch, err)
	}
	return ms, nil
}

// PruneMatches deletes the matches found before before.
func (s *Store) PruneMatches(ctx context.Context, before time.Time) (int64, error) {
	if before.IsZero() {
		return 0, nil
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM matches WHERE at < $1`, pgTime(before))
	if err != nil {
		return 0, fmt.Errorf("postgres: prune matches: %w", err)
	}
	return tag.RowsAffected(), nil
}
