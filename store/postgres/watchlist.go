package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/newshound/newshound/store"
)

var _ store.Watchlists = (*Store)(nil)

const watchlistColumns = `version, text, hash, at, by_whom`

func scanWatchlist(row pgx.Row) (store.WatchlistDoc, error) {
	var d store.WatchlistDoc
	var at *time.Time
	err := row.Scan(&d.Version, &d.Text, &d.Hash, &at, &d.By)
	d.At = fromPG(at)
	return d, err
}

// Watchlist returns the latest version of the watchlist document.
func (s *Store) Watchlist(ctx context.Context) (store.WatchlistDoc, error) {
	d, err := scanWatchlist(s.pool.QueryRow(ctx, `SELECT `+watchlistColumns+` FROM watchlist_versions ORDER BY version DESC LIMIT 1`))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, store.ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("postgres: watchlist: %w", err)
	}
	return d, nil
}

// WatchlistVersion returns one version of the watchlist document.
func (s *Store) WatchlistVersion(ctx context.Context, version int64) (store.WatchlistDoc, error) {
	d, err := scanWatchlist(s.pool.QueryRow(ctx, `SELECT `+watchlistColumns+` FROM watchlist_versions WHERE version = $1`, version))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, store.ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("postgres: watchlist version %d: %w", version, err)
	}
	return d, nil
}

// PutWatchlist saves a new version when base is the latest. The version
// is the primary key, so of two saves on one base the second fails on
// it; the notification is sent on commit.
func (s *Store) PutWatchlist(ctx context.Context, base int64, text []byte, by string) (store.WatchlistDoc, error) {
	sum := sha256.Sum256(text)
	d := store.WatchlistDoc{Version: base + 1, Text: text, Hash: hex.EncodeToString(sum[:]), At: norm(s.Now()), By: by}
	ch := s.channel
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var latest int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM watchlist_versions`).Scan(&latest); err != nil {
			return err
		}
		if latest != base {
			return store.ErrConflict
		}
		if _, err := tx.Exec(ctx, `INSERT INTO watchlist_versions (`+watchlistColumns+`) VALUES ($1, $2, $3, $4, $5)`,
			d.Version, d.Text, d.Hash, pgTime(d.At), txt(d.By)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ch, strconv.FormatInt(d.Version, 10))
		return err
	})
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, store.ErrConflict), errors.As(err, &pe) && pe.Code == "23505":
		return store.WatchlistDoc{}, fmt.Errorf("postgres: save watchlist on version %d: %w", base, store.ErrConflict)
	case err != nil:
		return store.WatchlistDoc{}, fmt.Errorf("postgres: save watchlist: %w", err)
	}
	return d, nil
}

// WatchlistHistory returns the latest versions, newest first.
func (s *Store) WatchlistHistory(ctx context.Context, limit int) ([]store.WatchlistDoc, error) {
	q := `SELECT ` + watchlistColumns + ` FROM watchlist_versions ORDER BY version DESC`
	args := []any{}
	if limit > 0 {
		q += ` LIMIT $1`
		args = append(args, limit)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: watchlist history: %w", err)
	}
	defer rows.Close()
	var out []store.WatchlistDoc
	for rows.Next() {
		d, err := scanWatchlist(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: watchlist history: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: watchlist history: %w", err)
	}
	return out, nil
}

// ListenWatchlist LISTENs on the schema's watchlist channel on a
// connection of its own until ctx ends.
func (s *Store) ListenWatchlist(ctx context.Context, changed func(version int64)) error {
	ch := s.channel
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	defer func() {
		// A wait cut off by ctx leaves the connection unusable; pgx then
		// closes it and the pool drops it. Otherwise stop listening first.
		if !conn.Conn().IsClosed() {
			uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, _ = conn.Exec(uctx, `UNLISTEN *`)
			cancel()
		}
		conn.Release()
	}()
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{ch}.Sanitize()); err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("postgres: listen: %w", err)
		}
		v, err := strconv.ParseInt(n.Payload, 10, 64)
		if err != nil {
			continue // not ours: the channel name is namespaced, so unexpected
		}
		changed(v)
	}
}

// watchlistChannel is the NOTIFY channel of the watchlist in schema:
// namespaced by a hash of the schema name, so deployments (and tests) in
// other schemas of the database never hear each other, and short enough
// for an identifier.
func watchlistChannel(schema string) string {
	sum := sha256.Sum256([]byte(schema))
	return "newshound_watchlist_" + hex.EncodeToString(sum[:8])
}
