// Package postgres implements store.Store on PostgreSQL with pgx/v5, so
// several newshound replicas can share one database.
//
// Tables live in the connection's current schema (the first one of
// search_path), so a DSN such as "postgres://…/db?search_path=newshound"
// keeps them apart from other applications. The schema is created and
// upgraded by the embedded migrations in migrations/, recorded in
// schema_migrations; an advisory lock lets several replicas start at once.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/internal/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store backed by PostgreSQL. Create it with Open.
type Store struct {
	// Now returns the current time. It stamps records whose time was left
	// zero (see store.Store). Open sets it to time.Now; replace it before
	// the Store is used, never concurrently with use.
	Now func() time.Time

	pool *pgxpool.Pool
	// channel is the NOTIFY channel of this schema's watchlist.
	channel string
	queries *queryCounter
}

// queryCounter counts the statements sent to the server (Query, QueryRow
// and Exec, transaction control included), for the database-load
// figures of the replicas benchmark and the metric of run.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Queries returns how many statements this Store has sent to the server.
func (s *Store) Queries() int64 { return s.queries.n.Load() }

var _ store.Store = (*Store)(nil)

// Open connects to the database of dsn (a URL or key=value string as
// pgx accepts) and applies pending migrations. It fails, wrapping
// store.ErrNewerSchema, if the database was migrated by a newer binary.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors may quote the DSN, password included.
		return nil, errors.New("postgres: open: invalid DSN")
	}
	qc := &queryCounter{}
	cfg.ConnConfig.Tracer = qc
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{Now: time.Now, pool: pool, queries: qc}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	var schema string
	if err := pool.QueryRow(ctx, `SELECT coalesce(current_schema(), '')`).Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: current schema: %w", err)
	}
	s.channel = watchlistChannel(schema)
	return s, nil
}

// Close closes every connection of the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// migrate applies the embedded migrations the database lacks, each in its
// own transaction, while holding a session advisory lock so that only one
// replica migrates at a time.
func (s *Store) migrate(ctx context.Context) error {
	known, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()
	// The lock is per schema: deployments in other schemas do not wait.
	const lockKey = `hashtext('newshound.migrate.' || coalesce(current_schema(), ''))`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+lockKey+`)`); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	defer func() {
		// If unlocking fails the connection is broken, which ends the lock too.
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+lockKey+`)`)
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	rows, _ := conn.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return fmt.Errorf("postgres: read schema_migrations: %w", err)
	}
	todo, err := migrate.Pending(known, applied)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	for _, m := range todo {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: apply migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// stamp returns t, or the store's current time if t is zero.
func (s *Store) stamp(t time.Time) time.Time {
	if t.IsZero() {
		return s.Now()
	}
	return t
}

// pgTime converts a time to its stored form: UTC truncated to
// milliseconds, NULL for the zero time.
func pgTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.Truncate(time.Millisecond).UTC()
	return &t
}

// pgBound converts a bound of a time range: unlike pgTime, the zero time
// stays a time (the earliest one), so [zero, to) means "everything before to"
// as in the SQLite store.
func pgBound(t time.Time) time.Time {
	return t.Truncate(time.Millisecond).UTC()
}

// fromPG converts a stored time back, in UTC.
func fromPG(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// norm returns t as it reads back from the database.
func norm(t time.Time) time.Time { return fromPG(pgTime(t)) }
