package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/postgres"
)

// watchlistPoll is how often a replica with a shared watchlist checks the
// database for a newer version, in case a notification was missed.
const watchlistPoll = 3 * time.Second

// sharedWatchlist keeps the watchlist in the database (PostgreSQL), the
// source of truth every replica runs (docs/replicas.md). The file at
// path is this replica's copy: it is seeded into the database on the
// first start, rewritten with every version the replica loads, and a
// hand edit of it is imported as a new version when it was made on the
// version in force, or refused with a message (the edit kept in a
// ".rejected-TIME" file beside it) when another version was saved
// meanwhile. Nothing is silently ignored.
type sharedWatchlist struct {
	path   string
	docs   store.Watchlists
	owner  string
	env    config.Env
	logger *slog.Logger

	mu sync.Mutex
	// base is the version the file holds (0: none yet), fileHash the
	// SHA-256 of the file as this process last wrote or imported it.
	base     int64
	fileHash string
	// invalid is the hash of an invalid hand edit already reported.
	invalid string
}

// start brings the database and the file together before the bot runs:
// it seeds the database from the file when it holds no watchlist yet, and
// otherwise makes the file the version in force (refusing a file that
// differs from every saved version). It returns the watchlist in force.
func (w *sharedWatchlist) start(ctx context.Context) (*config.Config, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	head, err := w.docs.Watchlist(ctx)
	if errors.Is(err, store.ErrNotFound) {
		src, rerr := os.ReadFile(w.path)
		if rerr != nil {
			return nil, rerr
		}
		head, err = w.docs.PutWatchlist(ctx, 0, src, fmt.Sprintf("seeded from %s by %s", w.path, w.owner))
		if err == nil {
			w.logger.Info("watchlist seeded into the database from the file", "file", w.path, "version", head.Version)
		} else if errors.Is(err, store.ErrConflict) {
			head, err = w.docs.Watchlist(ctx) // another replica seeded it first
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the watchlist from the database: %w", err)
	}
	head, err = w.reconcile(ctx, head, true)
	if err != nil {
		return nil, err
	}
	return w.validate(head)
}

// load reads the version in force for Reload: the latest in the database,
// after importing a hand edit of the file made on it.
func (w *sharedWatchlist) load(ctx context.Context) (*config.Config, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	head, err := w.docs.Watchlist(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the watchlist from the database: %w", err)
	}
	if head, err = w.reconcile(ctx, head, false); err != nil {
		return nil, err
	}
	return w.validate(head)
}

// validate checks a version as run checks the file.
func (w *sharedWatchlist) validate(d store.WatchlistDoc) (*config.Config, error) {
	cfg, err := config.Validate(w.path, d.Text, w.env)
	if err != nil {
		return nil, fmt.Errorf("the watchlist in the database (version %d, %s) does not validate here: %w", d.Version, d.By, err)
	}
	cfg.Path = w.path
	return cfg, nil
}

// version is the version the file holds.
func (w *sharedWatchlist) version() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.base
}

// reconcile makes the file and the database agree on head, the latest
// version, and returns the version then in force. A file changed by hand
// since this process wrote it is imported when it was edited on head and
// validates; one edited on an older version (or, at start, one that is
// no saved version at all) is moved aside with a message and replaced;
// an invalid one edited on head is left for its author to fix, with the
// errors logged. The caller holds w.mu.
func (w *sharedWatchlist) reconcile(ctx context.Context, head store.WatchlistDoc, starting bool) (store.WatchlistDoc, error) {
	src, err := os.ReadFile(w.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return head, fmt.Errorf("reading %s: %w", w.path, err)
	}
	h := config.SourceHash(src)
	switch {
	case err == nil && h == head.Hash:
		w.base, w.fileHash = head.Version, h
		return head, nil
	case err != nil || h == w.fileHash:
		// Missing, or as this process left it: bring it up to date.
		w.mirror(head)
		return head, nil
	case starting:
		if known, kerr := w.knownVersion(ctx, h); kerr == nil && known > 0 {
			w.logger.Info("watchlist file was an earlier version; updating it", "file", w.path, "file_version", known, "version", head.Version)
			w.mirror(head)
			return head, nil
		}
		w.refuse(src, head, "it differs from every version saved in the database, so it was edited while no bot ran")
		return head, nil
	case w.base != head.Version:
		w.refuse(src, head, fmt.Sprintf("version %d was saved in the database meanwhile (%s)", head.Version, head.By))
		return head, nil
	}
	// A hand edit made on the version in force: import it if it validates.
	if _, verr := config.Validate(w.path, src, w.env); verr != nil {
		if w.invalid != h {
			w.invalid = h
			w.logger.Error("the watchlist file was edited by hand but does not validate: not imported; the running watchlist is unchanged. Fix the file (it is imported once valid) or undo the edit",
				"file", w.path, "version", head.Version, "error", verr.Error())
		}
		return head, nil
	}
	d, err := w.docs.PutWatchlist(ctx, head.Version, src, fmt.Sprintf("hand edit of %s on %s", w.path, w.owner))
	if errors.Is(err, store.ErrConflict) {
		latest, lerr := w.docs.Watchlist(ctx)
		if lerr != nil {
			return head, lerr
		}
		w.refuse(src, latest, fmt.Sprintf("version %d was saved in the database meanwhile (%s)", latest.Version, latest.By))
		return latest, nil
	}
	if err != nil {
		return head, fmt.Errorf("importing the hand edit of %s: %w", w.path, err)
	}
	w.logger.Info("watchlist file edited by hand: imported into the database", "file", w.path, "version", d.Version)
	w.base, w.fileHash = d.Version, h
	return d, nil
}

// knownVersion returns the saved version whose text hashes to h, or 0.
func (w *sharedWatchlist) knownVersion(ctx context.Context, h string) (int64, error) {
	hist, err := w.docs.WatchlistHistory(ctx, 0)
	if err != nil {
		return 0, err
	}
	for _, d := range hist {
		if d.Hash == h {
			return d.Version, nil
		}
	}
	return 0, nil
}

// refuse keeps a hand edit that cannot be imported in a file beside the
// watchlist, says so, and writes head in its place.
func (w *sharedWatchlist) refuse(src []byte, head store.WatchlistDoc, why string) {
	aside := fmt.Sprintf("%s.rejected-%s", w.path, time.Now().UTC().Format("20060102T150405.000Z"))
	if err := writeFileAtomic(aside, src); err != nil {
		// Without a copy the file must not be overwritten: the edit would
		// be lost. It stays, and the replica runs head.
		w.logger.Error("the watchlist file was edited by hand, but the watchlist lives in the database and "+why+
			": the edit is refused and could not be kept aside, so the file is left as it is; apply the edit with `newshound watchlist import`",
			"file", w.path, "version", head.Version, "error", err.Error())
		w.base = head.Version
		return
	}
	w.logger.Error("the watchlist file was edited by hand, but the watchlist lives in the database and "+why+
		": the edit is refused, kept in the file named here, and the file now holds the version in force; apply the edit again with `newshound watchlist import`",
		"file", w.path, "kept_in", aside, "version", head.Version)
	w.mirror(head)
}

// mirror writes head to the file. A file that cannot be written (a
// read-only folder) does not stop the replica from running head: it is
// logged, and the file stays behind. The caller holds w.mu.
func (w *sharedWatchlist) mirror(head store.WatchlistDoc) {
	w.base = head.Version
	if err := writeFileAtomic(w.path, head.Text); err != nil {
		w.logger.Warn("the watchlist in force could not be written to this replica's copy; the replica runs it anyway",
			"file", w.path, "version", head.Version, "error", err.Error())
		return
	}
	w.fileHash = head.Hash
}

// storeDocs makes the database the editor's document store (a
// config.DocStore), so an edit changes the shared watchlist by
// compare-and-swap; by says who saves, for the history.
type storeDocs struct {
	ws store.Watchlists
	by string
}

func (d storeDocs) Read(ctx context.Context) ([]byte, int64, error) {
	head, err := d.ws.Watchlist(ctx)
	if err != nil {
		return nil, 0, err
	}
	return head.Text, head.Version, nil
}

func (d storeDocs) Swap(ctx context.Context, version int64, data []byte) (bool, error) {
	_, err := d.ws.PutWatchlist(ctx, version, data, d.by)
	if errors.Is(err, store.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}

// editorDocs is the document store of chat command edits.
func (w *sharedWatchlist) editorDocs() config.DocStore {
	return storeDocs{ws: w.docs, by: "chat command on " + w.owner}
}

// follow reloads the bot whenever a newer version is saved anywhere:
// told by LISTEN/NOTIFY, with a poll every poll as a fallback.
func (w *sharedWatchlist) follow(ctx context.Context, b reloader, poll time.Duration) {
	wake := make(chan struct{}, 1)
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		for ctx.Err() == nil {
			err := w.docs.ListenWatchlist(ctx, func(v int64) {
				if v > w.version() {
					signal()
				}
			})
			if ctx.Err() != nil {
				return
			}
			w.logger.Warn("listening for watchlist changes failed; polling meanwhile", "every", poll, "error", err.Error())
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
			}
		}
	})
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
			head, err := w.docs.Watchlist(ctx)
			if err != nil || head.Version <= w.version() {
				continue
			}
		}
		_ = b.Reload(ctx) // errors are logged and kept for status
	}
}

// reloader is what follow reloads: the bot.
type reloader interface {
	Reload(ctx context.Context) error
}

// writeFileAtomic replaces path with data: written to a temporary file in
// the same folder, synced and renamed, so a reader sees the old file or
// the new one. An existing file keeps its mode.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// databaseDocs returns the database's watchlist as an editor's document
// store when the watchlist file at path sets store.postgres (nil
// otherwise), and a func that closes the connection. A file that does
// not parse is left to the editor to report.
func databaseDocs(ctx context.Context, path string, lookup func(string) (string, bool), by string) (config.DocStore, func(), error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil
	}
	cfg, err := config.Parse(path, data, lookup)
	if err != nil || cfg.Store.Postgres == "" {
		return nil, nil, nil
	}
	st, err := postgres.Open(ctx, cfg.Store.Postgres)
	if err != nil {
		return nil, nil, err
	}
	if _, err := st.Watchlist(ctx); errors.Is(err, store.ErrNotFound) {
		st.Close()
		return nil, nil, nil // not seeded yet: the file is still the watchlist
	}
	host, _ := os.Hostname()
	return storeDocs{ws: st, by: by + " on " + host}, func() { st.Close() }, nil
}
