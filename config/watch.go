package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchDebounce is how long WatchFile waits after the last change before
// calling back, so an editor's burst of writes makes one reload.
const WatchDebounce = 200 * time.Millisecond

// WatchFile calls onChange after the content of the file at path changes,
// or the file appears or disappears, until ctx ends; it then returns nil.
//
// It watches the file's folder, and the folder of the file a symbolic
// link at path leads to, not the file itself: editors (and Editor)
// replace a file by renaming another over it, and a Kubernetes ConfigMap
// volume swaps a "..data" link, so the events may name another file. After
// an event in those folders it reads the file (through links) and calls
// onChange only when its SHA-256 differs from the last one seen: a change
// to another file, or a rewrite with the same bytes, calls nothing. Events
// on the file debounce the check by WatchDebounce; events on other names
// do not postpone a pending check, so a busy folder cannot starve it.
//
// onChange runs on WatchFile's goroutine, one call at a time. The caller
// reloads in onChange (keeping the last good config when the new one is
// invalid) and wires SIGHUP to the same reload.
func WatchFile(ctx context.Context, path string, logger *slog.Logger, onChange func()) error {
	return watchFile(ctx, path, logger, WatchDebounce, nil, onChange)
}

// watchFile is WatchFile with its debounce; ready, when set (tests), runs
// once the folder is watched and the file's first state is read.
func watchFile(ctx context.Context, path string, logger *slog.Logger, debounce time.Duration, ready, onChange func()) error {
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
	fw := &fileWatch{path: path, abs: abs, dir: dir, w: w, logger: logger}
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		fw.dir = resolved
	}
	last := fw.state()
	if ready != nil {
		ready()
	}
	timer := time.NewTimer(debounce)
	timer.Stop()
	defer timer.Stop()
	pending := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if name := filepath.Clean(ev.Name); name == fw.abs || name == fw.target || !pending {
				timer.Reset(debounce)
				pending = true
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			logger.Warn("watching the watchlist", "path", path, "error", err.Error())
		case <-timer.C:
			pending = false
			if cur := fw.state(); cur != last {
				logger.Debug("watchlist changed on disk", "path", path, "hash", cur)
				last = cur
				onChange()
			}
		}
	}
}

// fileWatch follows the file a watched path leads to.
type fileWatch struct {
	path   string // as given, for logs
	abs    string // absolute path
	dir    string // folder of abs through links, always watched
	target string // the file abs leads to through links, when known
	extra  string // the folder of target, watched when it is not dir
	w      *fsnotify.Watcher
	logger *slog.Logger
}

// state returns the SHA-256 of the file's content, or "" when it cannot
// be read. It first moves the extra watch to the folder of the file the
// path now leads to, so a change after the read is seen.
func (fw *fileWatch) state() string {
	if target, err := filepath.EvalSymlinks(fw.abs); err == nil {
		fw.target = target
		fw.follow(filepath.Dir(target))
	}
	data, err := os.ReadFile(fw.abs)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			fw.logger.Warn("reading the watchlist", "path", fw.path, "error", err.Error())
		}
		return ""
	}
	return SourceHash(data)
}

// follow watches folder dir as well as the path's own folder.
func (fw *fileWatch) follow(dir string) {
	if dir == fw.extra || dir == fw.dir && fw.extra == "" {
		return
	}
	if fw.extra != "" {
		_ = fw.w.Remove(fw.extra) // it may be gone, taking its watch with it
		fw.extra = ""
	}
	if dir == fw.dir {
		return
	}
	if err := fw.w.Add(dir); err != nil {
		fw.logger.Warn("watching the watchlist's target folder", "path", fw.path, "folder", dir, "error", err.Error())
		return
	}
	fw.extra = dir
}
