package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/newshound/newshound/store"
)

// RecordMatches adds matches, skipping those already recorded.
func (s *Store) RecordMatches(ctx context.Context, ms []store.Match) error {
	if len(ms) == 0 {
		return nil
	}
	q, err := s.prepared(ctx, s.w, recordMatchSQL)
	if err == nil {
		err = s.write(ctx, func(tx *sql.Tx) error { return s.recordMatches(ctx, tx.StmtContext(ctx, q), ms) })
	}
	if err != nil {
		return fmt.Errorf("sqlite: record matches: %w", err)
	}
	return nil
}

const recordMatchSQL = `INSERT INTO matches (watch, query, feed, source, item_key, title, link, at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (watch, query, feed, item_key) DO NOTHING`

// recordMatches inserts ms with q, the statement of recordMatchSQL in a
// transaction.
func (s *Store) recordMatches(ctx context.Context, q *sql.Stmt, ms []store.Match) error {
	for _, m := range ms {
		_, err := q.ExecContext(ctx, m.Watch, m.Query, m.Feed, m.Source, m.ItemKey, m.Title, m.Link, millis(s.stamp(m.At)).Int64)
		if err != nil {
			return fmt.Errorf("%s %q: %w", m.Watch, m.ItemKey, err)
		}
	}
	return nil
}

// MatchesBetween returns the matches of a watch ("" for all) found in
// [from, to), oldest first.
func (s *Store) MatchesBetween(ctx context.Context, watch string, from, to time.Time) ([]store.Match, error) {
	return between(ctx, s, "matches", `SELECT watch, query, feed, source, item_key, title, link, at FROM matches`, watch, from, to,
		func(row scanner) (store.Match, error) {
			var m store.Match
			var at sql.NullInt64
			err := row.Scan(&m.Watch, &m.Query, &m.Feed, &m.Source, &m.ItemKey, &m.Title, &m.Link, &at)
			m.At = fromMillis(at)
			return m, err
		})
}

// PruneMatches deletes the matches found before before.
func (s *Store) PruneMatches(ctx context.Context, before time.Time) (int64, error) {
	return s.pruneBefore(ctx, "matches", before)
}

// between runs selectFrom (a SELECT … FROM table of rows with watch and
// at columns) for the rows of a watch ("" for all) with at in [from, to),
// oldest first (by at, then id), and scans them.
func between[T any](ctx context.Context, s *Store, table, selectFrom, watch string, from, to time.Time, scan func(scanner) (T, error)) ([]T, error) {
	q := selectFrom + ` WHERE at >= ? AND at < ?`
	args := []any{from.UnixMilli(), to.UnixMilli()}
	if watch != "" {
		q += ` AND watch = ?`
		args = append(args, watch)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s of %q: %w", table, watch, err)
	}
	out, err := collect(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s of %q: %w", table, watch, err)
	}
	return out, nil
}

// pruneBefore deletes the rows of table (matches, votes) whose at is
// before before, and returns how many; a zero before deletes nothing.
func (s *Store) pruneBefore(ctx context.Context, table string, before time.Time) (int64, error) {
	if before.IsZero() {
		return 0, nil
	}
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE at < ?`, before.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune %s: %w", table, err)
	}
	return n, nil
}
