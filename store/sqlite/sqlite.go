// Package sqlite implements store.Store on an SQLite database file with
// the pure-Go driver modernc.org/sqlite.
//
// The database runs in WAL mode. All writes go through one connection
// whose transactions begin IMMEDIATE, so writers of one Store queue up
// instead of failing with SQLITE_BUSY; reads use a separate pool of
// read-only connections. The schema is created and upgraded by the
// embedded migrations in migrations/, recorded in schema_migrations.
//
// One process writes a file: OpenWriter takes a lock next to it (see
// LockWriter), and OpenReadOnly reads it beside that writer, for status.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/internal/migrate"
)

// MemoryPath opens a private in-memory database, for tests. It lives as
// long as the Store and uses a single connection for reads and writes.
const MemoryPath = ":memory:"

// busyTimeoutMS is how long a connection waits for a lock held by another
// process before failing with SQLITE_BUSY.
const busyTimeoutMS = 10000

// maxReaders bounds the read-only connection pool.
const maxReaders = 4

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store backed by SQLite. Create it with Open.
type Store struct {
	// Now returns the current time. It stamps records whose time was left
	// zero (see store.Store). Open sets it to time.Now; replace it before
	// the Store is used, never concurrently with use.
	Now func() time.Time

	w *sql.DB // the single writer connection
	r *sql.DB // read-only connections; the same as w for MemoryPath

	readOnly bool         // opened by OpenReadOnly: w is r, writes fail
	unlock   func() error // releases the writer lock of OpenWriter
	// sole is true when the writer lock keeps every other process from
	// writing the file (OpenWriter, where flock exists).
	sole bool

	// stmts holds the statements of the per-poll queries, prepared once
	// instead of on every call (parsing SQL was a fifth of the CPU of a
	// poll that found its feed unchanged).
	stmtMu sync.Mutex
	stmts  map[stmtKey]*sql.Stmt
}

type stmtKey struct {
	db    *sql.DB
	query string
}

// prepared returns the statement of query on db, preparing it once. The
// lock is not held while preparing, which waits for a connection.
func (s *Store) prepared(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	k := stmtKey{db, query}
	s.stmtMu.Lock()
	st := s.stmts[k]
	s.stmtMu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if prev := s.stmts[k]; prev != nil {
		return prev, st.Close() // prepared meanwhile by another call
	}
	if s.stmts == nil {
		s.stmts = map[stmtKey]*sql.Stmt{}
	}
	s.stmts[k] = st
	return st, nil
}

var _ store.Store = (*Store)(nil)

// Open opens the SQLite database at path, creating the file if needed
// (but not its folder), and applies pending migrations. path may be
// MemoryPath. Open fails, wrapping store.ErrNewerSchema, if the database
// was migrated by a newer binary.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	if path == MemoryPath {
		db, err := openPool(ctx, MemoryPath+"?"+params(false).Encode(), 1)
		if err != nil {
			return nil, err
		}
		s := &Store{Now: time.Now, w: db, r: db}
		if err := s.migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
		return s, nil
	}

	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	dir := filepath.Dir(abs)
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: folder %s is missing or unreadable: %w", path, dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("sqlite: open %s: %s is not a folder", path, dir)
	}

	w, err := openPool(ctx, fileURI(abs, params(false)), 1)
	if err != nil {
		return nil, err
	}
	s := &Store{Now: time.Now, w: w}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	// Readers open after the migrations, once the file is in WAL mode.
	s.r, err = openPool(ctx, fileURI(abs, params(true)), maxReaders)
	if err != nil {
		w.Close()
		return nil, err
	}
	return s, nil
}

// OpenReadOnly opens the existing SQLite database at path for reading
// only, as a Store whose writing methods fail. It takes no lock, applies
// no migration and never creates the file, so it may run beside the
// process that writes the database (WAL mode lets readers and that writer
// proceed together). It fails, wrapping store.ErrNewerSchema, if the
// database was migrated by a newer binary, and if it lacks migrations
// this binary knows (run the daemon once to apply them).
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == MemoryPath {
		return nil, fmt.Errorf("sqlite: open %q read-only: not a database file", path)
	}
	abs, err := absPath(path)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("sqlite: no state at %s yet: the bot creates it when it first runs (newshound run), or --state names another file: %w", path, err)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: open %s read-only: %w", path, err)
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("sqlite: open %s read-only: not a regular file", path)
	}
	q := params(true)
	q.Set("mode", "ro")
	db, err := openPool(ctx, fileURI(abs, q), maxReaders)
	if err != nil {
		return nil, err
	}
	s := &Store{Now: time.Now, w: db, r: db, readOnly: true}
	if err := s.checkSchema(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s read-only: %w", path, err)
	}
	return s, nil
}

// checkSchema fails unless the database has exactly the migrations this
// binary knows.
func (s *Store) checkSchema(ctx context.Context) error {
	known, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return err
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return fmt.Errorf("reading the schema: %w", err)
	}
	if n == 0 {
		return errors.New("not a newshound database (no schema_migrations table)")
	}
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return err
	}
	todo, err := migrate.Pending(known, applied)
	if err != nil {
		return err
	}
	if len(todo) > 0 {
		return fmt.Errorf("the database lacks migration %s of this binary; run newshound run once to apply it", todo[0].Name)
	}
	return nil
}

// params returns the driver parameters of a connection: pragmas applied
// to every new connection, and IMMEDIATE transactions for the writer.
func params(readOnly bool) url.Values {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		return q
	}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return q
}

// fileURI returns the SQLite URI of an absolute path; url.URL escapes
// characters such as '?' and '#' in the path.
func fileURI(abs string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String()
}

// openPool opens a connection pool of at most n connections and checks
// that the database can be reached.
func openPool(ctx context.Context, dsn string, n int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	return db, nil
}

// migrate applies the embedded migrations the database lacks, each in
// its own transaction. The IMMEDIATE transaction locks out other
// processes, so the applied versions are re-checked inside it.
func (s *Store) migrate(ctx context.Context) error {
	known, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
	)`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return err
	}
	todo, err := migrate.Pending(known, applied)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	for _, m := range todo {
		err := s.write(ctx, func(tx *sql.Tx) error {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n)
			if err != nil || n > 0 {
				return err // n > 0: applied meanwhile by another process
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: apply migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// appliedVersions lists the versions recorded in schema_migrations.
func (s *Store) appliedVersions(ctx context.Context) ([]int, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read schema_migrations: %w", err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("sqlite: read schema_migrations: %w", err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: read schema_migrations: %w", err)
	}
	return vs, nil
}

// Close closes the database, first letting SQLite refresh the statistics
// its query planner uses (PRAGMA optimize; not on a read-only Store),
// then releases the writer lock of OpenWriter.
func (s *Store) Close() error {
	var err error
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		err = errors.Join(err, st.Close())
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	if !s.readOnly {
		_, perr := s.w.Exec(`PRAGMA optimize`)
		err = errors.Join(err, perr)
	}
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	err = errors.Join(err, s.w.Close())
	if s.unlock != nil {
		err = errors.Join(err, s.unlock())
	}
	return err
}

// SoleWriter reports whether this process alone may write the file: it
// was opened by OpenWriter, whose lock keeps other writers out (on
// systems with flock).
func (s *Store) SoleWriter() bool { return s.sole }

var _ store.SoleWriter = (*Store)(nil)

// write runs fn in one IMMEDIATE transaction on the writer connection.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// stamp returns t, or the store's current time if t is zero.
func (s *Store) stamp(t time.Time) time.Time {
	if t.IsZero() {
		return s.Now()
	}
	return t
}

// millis converts a time to its stored form: milliseconds since the Unix
// epoch, NULL for the zero time.
func millis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// fromMillis converts a stored time back, in UTC.
func fromMillis(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// norm returns t as it reads back from the database.
func norm(t time.Time) time.Time { return fromMillis(millis(t)) }
