package sqlite_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/store/sqlite"
)

func TestLockWriter(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("LockWriter takes no lock on this system")
	}
	path := filepath.Join(t.TempDir(), "newshound.db")
	unlock, err := sqlite.LockWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(sqlite.LockPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(b)), fmt.Sprint(os.Getpid()); got != want {
		t.Errorf("lock file holds %q, want the pid %s", got, want)
	}

	// flock belongs to the open file description, so a second LockWriter
	// in this process conflicts as another process would.
	_, err = sqlite.LockWriter(path)
	want := fmt.Sprintf("state file %s is in use by another newshound (pid %d)", path, os.Getpid())
	var inUse *sqlite.InUseError
	switch {
	case err == nil:
		t.Fatal("second LockWriter succeeded while the first holds the lock")
	case !errors.Is(err, sqlite.ErrInUse) || !errors.As(err, &inUse):
		t.Errorf("err = %v, want an *InUseError matching ErrInUse", err)
	case inUse.PID != os.Getpid() || !strings.Contains(err.Error(), want):
		t.Errorf("err = %v (pid %d), want it to say %q", err, inUse.PID, want)
	}

	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock, err = sqlite.LockWriter(path)
	if err != nil {
		t.Fatalf("LockWriter after release: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}

func TestLockWriterUnknownPID(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("LockWriter takes no lock on this system")
	}
	path := filepath.Join(t.TempDir(), "newshound.db")
	unlock, err := sqlite.LockWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	// A holder that has not written its pid yet (or a damaged file).
	if err := os.WriteFile(sqlite.LockPath(path), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.LockWriter(path)
	var inUse *sqlite.InUseError
	if !errors.As(err, &inUse) || inUse.PID != 0 || !strings.Contains(err.Error(), "(pid unknown)") {
		t.Errorf("err = %v, want an *InUseError with pid unknown", err)
	}
}

func TestOpenWriter(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("LockWriter takes no lock on this system")
	}
	path := filepath.Join(t.TempDir(), "newshound.db")
	first, err := sqlite.OpenWriter(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	second, err := sqlite.OpenWriter(t.Context(), path)
	if err == nil {
		second.Close()
		t.Fatal("second OpenWriter succeeded while the first is open")
	}
	if want := fmt.Sprintf("(pid %d)", os.Getpid()); !errors.Is(err, sqlite.ErrInUse) || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want ErrInUse naming %s", err, want)
	}
	// Readers need no lock.
	ro, err := sqlite.OpenReadOnly(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenReadOnly beside the writer: %v", err)
	}
	// Only the writer under the lock writes the file alone.
	plain, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	if !first.SoleWriter() || ro.SoleWriter() || plain.SoleWriter() {
		t.Errorf("SoleWriter: writer %v, reader %v, Open %v; want true, false, false", first.SoleWriter(), ro.SoleWriter(), plain.SoleWriter())
	}
	plain.Close()
	ro.Close()

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlite.OpenWriter(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenWriter after Close: %v", err)
	}
	again.Close()
}

func TestOpenWriterFailureReleasesLock(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("LockWriter takes no lock on this system")
	}
	path := filepath.Join(t.TempDir(), "newshound.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database. ", 64)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.OpenWriter(t.Context(), path); err == nil {
		t.Fatal("OpenWriter of a non-database succeeded")
	}
	unlock, err := sqlite.LockWriter(path)
	if err != nil {
		t.Fatalf("lock still held after a failed OpenWriter: %v", err)
	}
	unlock()
}

// TestOpenWriterTakesBackLeases checks that a restart after a crash does
// not wait for the stopped process's leases: the writer lock proves their
// owner is gone.
func TestOpenWriterTakesBackLeases(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("LockWriter takes no lock on this system")
	}
	path := filepath.Join(t.TempDir(), "newshound.db")
	now := time.Now()
	first, err := sqlite.OpenWriter(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := first.Lease(t.Context(), "channel:team", "old@host/1/a", now, now.Add(time.Hour)); !ok || err != nil {
		t.Fatalf("lease: %v %v", ok, err)
	}
	// A reader beside the writer sees the lease and changes nothing.
	ro, err := sqlite.OpenReadOnly(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ro.Close()
	if ok, _ := first.Lease(t.Context(), "channel:team", "other@host/2/b", now, now.Add(time.Hour)); ok {
		t.Fatal("another owner took a live lease")
	}
	first.Close() // as a crash would leave it: the lease is still in the file

	again, err := sqlite.OpenWriter(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if ok, err := again.Lease(t.Context(), "channel:team", "new@host/3/c", now, now.Add(time.Minute)); !ok || err != nil {
		t.Errorf("the restarted writer did not get the stopped process's lease: %v %v", ok, err)
	}
}
