package config

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchDebounce is how long WatchFile waits after the last change before
// calling back, so an editor's burst of writes makes one reload.
const WatchDebounce = 200 * time.Millisecond

// WatchFile calls onChange after the file at path is written, created,
// replaced or removed, until ctx ends; it then returns nil. It watches the
// folder, not the file, because editors (and Editor) replace a file by
// renaming another over it. Changes are debounced by WatchDebounce, and
// onChange runs on WatchFile's goroutine, one call at a time. The caller
// reloads in onChange (keeping the last good config when the new one is
// invalid) and wires SIGHUP to the same reload.
func WatchFile(ctx context.Context, path string, logger *slog.Logger, onChange func()) error {
	return watchFile(ctx, path, logger, WatchDebounce, onChange)
}

func watchFile(ctx context.Context, path string, logger *slog.Logger, debounce time.Duration, onChange func()) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("config: watch %s: %w", path, err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("config: watch %s: %w", path, err)
	}
	defer w.Close()
	dir := filepath.Dir(abs)
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("config: watch %s: %w", dir, err)
	}
	timer := time.NewTimer(debounce)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if filepath.Clean(ev.Name) != abs || ev.Op == fsnotify.Chmod {
				continue
			}
			logger.Debug("watchlist changed on disk", "path", path, "op", ev.Op.String())
			timer.Reset(debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			logger.Warn("watching the watchlist", "path", path, "error", err.Error())
		case <-timer.C:
			onChange()
		}
	}
}
