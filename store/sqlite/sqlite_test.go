package sqlite_test

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
	"github.com/newshound/newshound/store/storetest"
)

// openFile opens a store on a new file in a temporary folder.
func openFile(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "newshound.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformanceFile(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return openFile(t) })
}

func TestConformanceMemory(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(t.Context(), sqlite.MemoryPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestReopen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a folder with spaces?#", "newshound.db")
	if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(ctx, []store.Delivery{{Channel: "slack", ItemKey: "k", Created: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeta(ctx, "m", "v"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	first := migrations(t, path)

	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if v, err := s.GetMeta(ctx, "m"); err != nil || v != "v" {
		t.Errorf("GetMeta after reopen = %q, %v; want v", v, err)
	}
	if ds, err := s.PendingAll(ctx, ""); err != nil || len(ds) != 1 {
		t.Errorf("PendingAll after reopen = %v, %v; want 1 delivery", ds, err)
	}
	if again := migrations(t, path); again != first {
		t.Errorf("schema_migrations changed on reopen:\n%s\nwas\n%s", again, first)
	}
	if !strings.HasPrefix(first, "1 0001_init.sql") {
		t.Errorf("schema_migrations = %q, want 0001_init.sql recorded", first)
	}
	var mode string
	if err := rawDB(t, path).QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

// migrations returns the rows of schema_migrations, read with a separate
// connection, one per line.
func migrations(t *testing.T, path string) string {
	t.Helper()
	rows, err := rawDB(t, path).Query(`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var v, name, at string
		if err := rows.Scan(&v, &name, &at); err != nil {
			t.Fatal(err)
		}
		b.WriteString(v + " " + name + " " + at + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// rawDB opens path with database/sql directly, bypassing the Store.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	u := url.URL{Scheme: "file", Path: path} // escapes '?' and '#'
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestUpgradeFromVersion1 builds a database as the first release left
// it, with data, and checks that Open migrates it and keeps the data.
func TestUpgradeFromVersion1(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "newshound.db")
	v1, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	for _, q := range []string{
		string(v1),
		`CREATE TABLE schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
		)`,
		`INSERT INTO schema_migrations (version, name) VALUES (1, '0001_init.sql')`,
		`INSERT INTO seen_items (feed, item_key, seen_at) VALUES ('f', 'a', 1772443800000)`,
		`INSERT INTO deliveries (channel, item_key, status, created) VALUES ('slack', 'k', 'pending', 1772443800000)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a version 1 database: %v", err)
	}
	defer s.Close()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) < 2 {
		t.Fatalf("migrations %q, %v: want at least 2", files, err)
	}
	if got := strings.Count(migrations(t, path), "\n"); got != len(files) {
		t.Errorf("schema_migrations has %d rows after the upgrade, want %d", got, len(files))
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
	path := filepath.Join(t.TempDir(), "newshound.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := rawDB(t, path).Exec(`INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.Open(t.Context(), path)
	if !errors.Is(err, store.ErrNewerSchema) || !strings.Contains(err.Error(), "9999") {
		t.Errorf("Open of a newer database: err = %v, want ErrNewerSchema naming version 9999", err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte(strings.Repeat("not a database. ", 64)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"empty path", "", "empty path"},
		{"missing folder", filepath.Join(dir, "missing", "x.db"), "missing"},
		{"parent is a file", filepath.Join(file, "x.db"), "not a folder"},
		{"not a database", file, "not a database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sqlite.Open(t.Context(), tc.path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.HasPrefix(err.Error(), "sqlite: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want \"sqlite: ...\" mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open created the missing folder (stat err %v)", err)
	}
}

// TestTwoStoresOneFile has two Stores, as two processes would, write to
// one file at once: busy_timeout and IMMEDIATE transactions must keep
// SQLITE_BUSY away.
func TestTwoStoresOneFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "newshound.db")
	var stores []*sqlite.Store
	for range 2 {
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			for j := range 50 {
				keys := []string{"shared", fmt.Sprintf("%c%02d", 'a'+i, j)}
				if _, err := s.MarkSeen(t.Context(), "f", keys, time.Now()); err != nil {
					t.Errorf("store %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	unseen, err := stores[1].Unseen(t.Context(), "f", []string{"shared", "a00", "b49", "c00"})
	if err != nil {
		t.Fatal(err)
	}
	if len(unseen) != 1 || unseen[0] != "c00" {
		t.Errorf("Unseen = %q, want [c00]", unseen)
	}
}
