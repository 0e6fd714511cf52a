package config

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// startWatch runs watchFile on path until the test ends and returns the
// channel its callbacks are sent on, once the watcher is ready.
func startWatch(t *testing.T, path string) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	calls := make(chan struct{}, 10)
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- watchFile(ctx, path, nil, 50*time.Millisecond, func() { close(ready) }, func() { calls <- struct{}{} })
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("watchFile returned %v before it was ready", err)
	case <-time.After(5 * time.Second):
		t.Fatal("watchFile was never ready")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("watchFile returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("watchFile did not return after cancel")
		}
	})
	return calls
}

// waitCall fails the test unless a callback comes.
func waitCall(t *testing.T, calls <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-calls:
	case <-time.After(5 * time.Second):
		t.Fatalf("no callback after %s", what)
	}
}

// noCall fails the test if a callback comes within a few debounce periods.
func noCall(t *testing.T, calls <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-calls:
		t.Errorf("%s made a callback", what)
	case <-time.After(250 * time.Millisecond):
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatchFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "watchlist.yaml")
	writeFile(t, path, "a: 1\n")
	calls := startWatch(t, path)
	write := func(name, data string) { t.Helper(); writeFile(t, filepath.Join(dir, name), data) }

	t.Run("burst is one call", func(t *testing.T) {
		for i := range 5 {
			write("watchlist.yaml", string(rune('a'+i))+": 1\n")
		}
		waitCall(t, calls, "a burst of writes")
		noCall(t, calls, "the rest of a burst of writes")
	})
	t.Run("replace by rename", func(t *testing.T) {
		write(".tmp", "b: 1\n")
		if err := os.Rename(filepath.Join(dir, ".tmp"), path); err != nil {
			t.Fatal(err)
		}
		waitCall(t, calls, "a rename over the file")
	})
	t.Run("other files ignored", func(t *testing.T) {
		write("other.yaml", "x")
		noCall(t, calls, "a change to another file")
	})
	t.Run("same content ignored", func(t *testing.T) {
		write("watchlist.yaml", "b: 1\n")
		noCall(t, calls, "rewriting the same bytes")
	})
	t.Run("removed and created", func(t *testing.T) {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		waitCall(t, calls, "removing the file")
		write("watchlist.yaml", "b: 1\n")
		waitCall(t, calls, "creating the file again")
	})
	t.Run("busy folder", func(t *testing.T) {
		// Another file written more often than the debounce must not
		// postpone the check for ever.
		stop, stopped := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(stopped)
			for {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
					_ = os.WriteFile(filepath.Join(dir, "busy.log"), []byte(time.Now().String()), 0o644)
				}
			}
		}()
		defer func() { close(stop); <-stopped }()
		write("watchlist.yaml", "c: 1\n")
		waitCall(t, calls, "a write in a busy folder")
	})
}

// TestWatchFileConfigMap swaps a Kubernetes ConfigMap volume's "..data"
// link the way the kubelet does: no event names the watched file.
func TestWatchFileConfigMap(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	symlink := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, at(name)); err != nil {
			t.Fatal(err)
		}
	}
	version := func(name, data string) {
		t.Helper()
		if err := os.Mkdir(at(name), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(at(name), "watchlist.yaml"), data)
	}
	version("..2026_01_01", "a: 1\n")
	symlink("..2026_01_01", "..data")
	symlink("..data/watchlist.yaml", "watchlist.yaml")
	calls := startWatch(t, at("watchlist.yaml"))

	// Two updates, so the second follows the folder the first moved to.
	prev := "..2026_01_01"
	for i, next := range []string{"..2026_01_02", "..2026_01_03"} {
		version(next, "a: "+string(rune('2'+i))+"\n")
		symlink(next, "..data_tmp")
		if err := os.Rename(at("..data_tmp"), at("..data")); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(at(prev)); err != nil {
			t.Fatal(err)
		}
		waitCall(t, calls, "swapping ..data to "+next)
		noCall(t, calls, "the rest of swapping ..data to "+next)
		prev = next
	}
}

// TestWatchFileEditor checks that an edit through Editor, which renames a
// temporary file over the one a link leads to, calls back.
func TestWatchFileEditor(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("testdata", "edit-minimal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		target string // where the file is, relative to the watched folder
	}{
		{"plain file", "watchlist.yaml"},
		{"link to another folder", filepath.Join("real", "watchlist.yaml")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "watchlist.yaml")
			target := filepath.Join(dir, tc.target)
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, target, string(src))
			if target != path {
				if err := os.Symlink(tc.target, path); err != nil {
					t.Fatal(err)
				}
			}
			calls := startWatch(t, path)
			for _, feed := range []string{"b", "c"} {
				_, err := NewEditor(path).Update(context.Background(), func(d *Doc) error {
					return d.AddFeed(Feed{Name: feed, URL: "https://example.com/" + feed + ".xml"})
				})
				if err != nil {
					t.Fatal(err)
				}
				waitCall(t, calls, "adding feed "+feed)
				noCall(t, calls, "the rest of adding feed "+feed)
			}
		})
	}
}
