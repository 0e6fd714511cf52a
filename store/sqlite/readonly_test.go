package sqlite_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// TestOpenReadOnly reads a database while another Store holds it open
// with a write transaction under way, and checks that the read-only Store
// sees what was committed, refuses writes and leaves the file alone.
func TestOpenReadOnly(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "newshound.db")
	w, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	last := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	if err := w.PutFeedState(ctx, store.FeedState{Feed: "yna", URL: "https://example.com/rss", LastSuccess: last, Failures: 2, LastError: "HTTP 503"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Enqueue(ctx, []store.Delivery{{Channel: "team", ItemKey: "k1", Created: last}}); err != nil {
		t.Fatal(err)
	}
	// A writer in the middle of a transaction, as the daemon may be.
	tx, err := rawDB(t, path).BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('uncommitted', 'x')`); err != nil {
		t.Fatal(err)
	}

	ro, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	st, err := ro.FeedState(ctx, "yna")
	if err != nil || st.Failures != 2 || st.LastError != "HTTP 503" || !st.LastSuccess.Equal(last) {
		t.Errorf("FeedState = %+v, %v; want the committed state", st, err)
	}
	if ds, err := ro.PendingAll(ctx, ""); err != nil || len(ds) != 1 || ds[0].Channel != "team" {
		t.Errorf("PendingAll = %+v, %v; want one delivery to team", ds, err)
	}
	if _, err := ro.GetMeta(ctx, "uncommitted"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetMeta of an uncommitted row: err = %v, want ErrNotFound", err)
	}
	if err := ro.SetMeta(ctx, "m", "v"); err == nil {
		t.Error("SetMeta on a read-only Store succeeded")
	}
	if _, err := w.GetMeta(ctx, "m"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the read-only Store wrote: GetMeta = %v", err)
	}
}

// TestOpenReadOnlyClosedDatabase reads a database no process has open,
// after the last writer removed the -wal and -shm files.
func TestOpenReadOnlyClosedDatabase(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "newshound.db")
	w, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SetMeta(ctx, "m", "v"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ro.GetMeta(ctx, "m"); err != nil || v != "v" {
		t.Errorf("GetMeta = %q, %v; want v", v, err)
	}
	if err := ro.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestOpenReadOnlyErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database. ", 64)), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.db")
	if _, err := rawDB(t, empty).Exec(`CREATE TABLE other (x)`); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.db")
	s, err := sqlite.Open(t.Context(), newer)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := rawDB(t, newer).Exec(`INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	older := filepath.Join(dir, "older.db")
	if s, err = sqlite.Open(t.Context(), older); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := rawDB(t, older).Exec(`DELETE FROM schema_migrations WHERE version = 2`); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, path, want string
		is               error
	}{
		{"empty path", "", "not a database file", nil},
		{"memory", sqlite.MemoryPath, "not a database file", nil},
		{"missing file", filepath.Join(dir, "missing.db"), "no such file", os.ErrNotExist},
		{"folder", dir, "not a regular file", nil},
		{"not a database", junk, "not a database", nil},
		{"foreign database", empty, "no schema_migrations", nil},
		{"newer schema", newer, "9999", store.ErrNewerSchema},
		{"older schema", older, "lacks migration 0002_leases.sql", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sqlite.OpenReadOnly(t.Context(), tc.path)
			if err == nil {
				s.Close()
				t.Fatal("OpenReadOnly succeeded")
			}
			if !strings.HasPrefix(err.Error(), "sqlite: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want \"sqlite: ...\" mentioning %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want it to wrap %v", err, tc.is)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly created the missing file (stat err %v)", err)
	}
}
