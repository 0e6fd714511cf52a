package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/postgres"
	"github.com/newshound/newshound/store/postgres/pgtest"
	"github.com/newshound/newshound/store/storetest"
)

// open opens a store on dsn and closes it at cleanup.
func open(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, pgtest.Schema(t)) })
}

func TestWatchlistsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunWatchlists(t, func(t *testing.T) store.Watchlists { return open(t, pgtest.Schema(t)) })
}

// TestReplicasStartTogether opens several stores on one empty schema at
// once: the advisory lock must let exactly one of them migrate.
func TestReplicasStartTogether(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Schema(t)
	const replicas = 4
	stores := make([]*postgres.Store, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), dsn)
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
				return
			}
			stores[i] = s
		})
	}
	wg.Wait()
	for _, s := range stores {
		if s != nil {
			defer s.Close()
		}
	}
	if t.Failed() {
		return
	}
	if got, want := migrationRows(t, dsn), migrationFiles(t); got != want {
		t.Errorf("schema_migrations has %d rows, want %d", got, want)
	}
	// One replica's write is visible to another.
	if err := stores[0].SetMeta(t.Context(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := stores[replicas-1].GetMeta(t.Context(), "k"); err != nil || v != "v" {
		t.Errorf("GetMeta on another replica = %q, %v; want v", v, err)
	}
}

func TestReopen(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Schema(t)
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkSeen(t.Context(), "f", []string{"a"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dsn)
	if got, err := s.Unseen(t.Context(), "f", []string{"a", "b"}); err != nil || len(got) != 1 || got[0] != "b" {
		t.Errorf("Unseen after reopen = %q, %v; want [b]", got, err)
	}
	if got, want := migrationRows(t, dsn), migrationFiles(t); got != want {
		t.Errorf("schema_migrations has %d rows after reopen, want %d", got, want)
	}
}

// TestUpgradeFromVersion1 builds a database as the first release left
// it, with data, and checks that Open migrates it and keeps the data.
func TestUpgradeFromVersion1(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Schema(t)
	v1, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	exec(t, dsn, string(v1))
	exec(t, dsn, `CREATE TABLE schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	);
	INSERT INTO schema_migrations (version, name) VALUES (1, '0001_init.sql');
	INSERT INTO seen_items (feed, item_key, seen_at) VALUES ('f', 'a', now());
	INSERT INTO deliveries (channel, item_key, status, created) VALUES ('slack', 'k', 'pending', now())`)

	s := open(t, dsn)
	ctx := t.Context()
	if got, want := migrationRows(t, dsn), migrationFiles(t); got != want || want < 2 {
		t.Errorf("schema_migrations has %d rows after the upgrade, want %d (at least 2)", got, want)
	}
	if got, err := s.Unseen(ctx, "f", []string{"a", "b"}); err != nil || len(got) != 1 || got[0] != "b" {
		t.Errorf("Unseen after the upgrade = %q, %v; want [b]", got, err)
	}
	if ds, err := s.PendingAll(ctx, "slack"); err != nil || len(ds) != 1 || ds[0].ItemKey != "k" {
		t.Errorf("PendingAll after the upgrade = %+v, %v; want delivery k", ds, err)
	}
	now := time.Now()
	if ok, err := s.Lease(ctx, "feed:f", "a", now, now.Add(time.Minute)); err != nil || !ok {
		t.Errorf("Lease after the upgrade = %v, %v; want true", ok, err)
	}
}

func TestNewerSchema(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Schema(t)
	open(t, dsn)
	exec(t, dsn, `INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')`)
	_, err := postgres.Open(t.Context(), dsn)
	if !errors.Is(err, store.ErrNewerSchema) || !strings.Contains(err.Error(), "9999") {
		t.Errorf("Open of a newer database: err = %v, want ErrNewerSchema naming version 9999", err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-secret"
	tests := []struct {
		name, dsn string
	}{
		{"unparsable", "postgres://u:" + secret + "@[::1/db"},
		{"unreachable", "postgres://u:" + secret + "@127.0.0.1:1/db?connect_timeout=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := postgres.Open(t.Context(), tc.dsn)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.HasPrefix(err.Error(), "postgres: ") || strings.Contains(err.Error(), secret) {
				t.Errorf("err = %q: want a \"postgres: \" error without the password", err)
			}
		})
	}
}

func exec(t *testing.T, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatal(err)
	}
}

// migrationFiles counts the embedded migrations, from the source tree.
func migrationFiles(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return len(files)
}

func migrationRows(t *testing.T, dsn string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(fmt.Errorf("count schema_migrations: %w", err))
	}
	return n
}
