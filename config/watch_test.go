package config

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWatchFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "watchlist.yaml")
	if err := os.WriteFile(path, []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- watchFile(ctx, path, nil, 50*time.Millisecond, func() { calls <- struct{}{} })
	}()
	wait := func(what string) {
		t.Helper()
		select {
		case <-calls:
		case <-time.After(5 * time.Second):
			t.Fatalf("no callback after %s", what)
		}
	}
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The watcher starts asynchronously: keep writing until it reports.
	deadline := time.After(5 * time.Second)
	for started := false; !started; {
		write("watchlist.yaml", "a: 2\n")
		select {
		case <-calls:
			started = true
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("watcher never reported a write")
		}
	}
	// Drain callbacks of the start-up writes.
	for len(calls) > 0 {
		<-calls
	}

	t.Run("burst is one call", func(t *testing.T) {
		for i := range 5 {
			write("watchlist.yaml", string(rune('a'+i))+": 1\n")
		}
		wait("a burst of writes")
		select {
		case <-calls:
			t.Error("a burst of writes made more than one callback")
		case <-time.After(200 * time.Millisecond):
		}
	})
	t.Run("replace by rename", func(t *testing.T) {
		write(".tmp", "b: 1\n")
		if err := os.Rename(filepath.Join(dir, ".tmp"), path); err != nil {
			t.Fatal(err)
		}
		wait("a rename over the file")
	})
	t.Run("other files ignored", func(t *testing.T) {
		write("other.yaml", "x")
		select {
		case <-calls:
			t.Error("a change to another file made a callback")
		case <-time.After(200 * time.Millisecond):
		}
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("watchFile returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("watchFile did not return after cancel")
	}
}
