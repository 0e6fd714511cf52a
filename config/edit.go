package config

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Errors of watchlist edits; match them with errors.Is.
var (
	// ErrNoSuchEntry: the watch, query or feed to edit does not exist.
	ErrNoSuchEntry = errors.New("config: no such entry")
	// ErrDuplicate: the entry to add is already there.
	ErrDuplicate = errors.New("config: already present")
	// ErrInUse: the feed to remove is still named by watches.
	ErrInUse = errors.New("config: still in use")
	// ErrLastEntry: the entry to remove is the last of a list that must
	// not become empty (a watch's channels, or its feeds: an empty list
	// would make the watch read every feed).
	ErrLastEntry = errors.New("config: the last entry of its list")
	// ErrUnsupportedLayout: the file is written in a way the editor does not
	// change safely (anchors, aliases, merge keys); edit it by hand.
	ErrUnsupportedLayout = errors.New("config: layout not editable")
	// ErrFileInvalid: the file on disk does not pass validation, so it is
	// not edited. The error also wraps the validation errors (Errors).
	ErrFileInvalid = errors.New("config: the watchlist on disk has errors")
	// ErrEditInvalid: the edit would make the file invalid. The error also
	// wraps the validation errors (Errors).
	ErrEditInvalid = errors.New("config: the edit would make the watchlist invalid")
	// ErrEditConflict: the file kept changing on disk while being edited.
	ErrEditConflict = errors.New("config: the watchlist kept changing on disk")
)

// Editor changes the watchlist file in place, keeping every byte outside
// the edited nodes (comments, order, blank lines, quoting) as it was.
//
// Each Update reads the file as it is on disk, so an edit made by hand
// since the bot loaded it is kept and the change is applied on top of it.
// The result is checked by [Validate] in the editor's environment, the
// same validation `check` and `run` apply, so an edit the bot could not run
// is refused before anything is written.
//
// Updates are serialized across goroutines and processes: the whole
// read, validate, write and rename happens under the Editor's mutex and an
// advisory lock (flock) on the sidecar file "<watchlist>.lock" in the
// watchlist's folder, which is removed again when the update ends. The new
// text is written to a temporary file in the same folder, synced, and
// renamed over the watchlist (same mode), and the folder is synced, so a
// crash leaves the old file or the new one, never a mix. Someone editing
// the file by hand takes no lock: just before the rename the file is read
// again, and if it changed meanwhile the edit is re-applied to the new
// content (up to three times), so a person's edit is never overwritten.
type Editor struct {
	// Path is the watchlist file. A symbolic link is followed, and the file
	// it points to is replaced.
	Path string
	// Docs, when set, keeps the watchlist instead of the file at Path
	// (which then only names it in messages): Update reads the document
	// from it and saves the result with its compare-and-swap, retried on
	// a conflict as a changed file is. No file lock is taken.
	Docs DocStore
	// Getenv is the environment edits are validated in, as the bot
	// validates the file: ${NAME} references and the variables channels
	// need (see Validate); nil means os.LookupEnv.
	Getenv func(string) (string, bool)

	mu sync.Mutex
	// beforeRename, when set (tests), runs after the new file is written
	// and before the compare-and-swap check.
	beforeRename func()
}

// DocStore keeps the watchlist document where replicas share it (a
// database). Read returns the document and a version tag; Swap saves data
// only if the document is still at version, and reports whether it did.
type DocStore interface {
	Read(ctx context.Context) (data []byte, version int64, err error)
	Swap(ctx context.Context, version int64, data []byte) (bool, error)
}

// NewEditor returns an Editor of the file at path.
func NewEditor(path string) *Editor { return &Editor{Path: path} }

// EditResult is a successful Update.
type EditResult struct {
	// Before and After are the SHA-256 (hex) of the file before and after.
	// They are equal when the edit changed nothing.
	Before, After string
	// Config is the validated new watchlist.
	Config *Config
}

// SourceHash returns the SHA-256 of data in hex, as in Config.Hash.
func SourceHash(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

const editAttempts = 3

// Update applies fn to the current content of the file and writes the
// result when it is valid. Errors from fn are returned as they are; see
// the Err* variables for the others.
func (e *Editor) Update(ctx context.Context, fn func(d *Doc) error) (*EditResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var read func() ([]byte, error)
	var swap func(data []byte) (bool, error)
	if e.Docs != nil {
		var version int64
		read = func() ([]byte, error) {
			src, v, err := e.Docs.Read(ctx)
			version = v
			return src, err
		}
		swap = func(data []byte) (bool, error) { return e.Docs.Swap(ctx, version, data) }
	} else {
		path, err := filepath.EvalSymlinks(e.Path)
		if err != nil {
			return nil, fmt.Errorf("config: edit %s: %w", e.Path, err)
		}
		unlock, err := lockFile(ctx, path+".lock")
		if err != nil {
			return nil, fmt.Errorf("config: edit %s: lock: %w", e.Path, err)
		}
		defer unlock()
		var before string
		read = func() ([]byte, error) {
			src, err := os.ReadFile(path)
			before = SourceHash(src)
			return src, err
		}
		swap = func(data []byte) (bool, error) { return e.write(ctx, path, before, data) }
	}
	getenv := e.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	env := Env{Lookup: getenv}
	for range editAttempts {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("config: edit %s: %w", e.Path, err)
		}
		src, err := read()
		if err != nil {
			return nil, fmt.Errorf("config: edit %s: %w", e.Path, err)
		}
		before := SourceHash(src)
		cfg, err := Validate(e.Path, src, env)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrFileInvalid, err)
		}
		d, err := newDoc(e.Path, src, cfg)
		if err != nil {
			return nil, err
		}
		d.getenv = getenv
		if err := fn(d); err != nil {
			return nil, err
		}
		if bytes.Equal(d.src, src) {
			return &EditResult{Before: before, After: before, Config: cfg}, nil
		}
		next, err := Validate(e.Path, d.src, env)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrEditInvalid, err)
		}
		swapped, err := swap(d.src)
		if err != nil {
			return nil, err
		}
		if swapped {
			return &EditResult{Before: before, After: SourceHash(d.src), Config: next}, nil
		}
	}
	return nil, ErrEditConflict
}

// write replaces the file at path with data, unless its content no longer
// hashes to before; it reports whether it did. The caller holds the lock.
func (e *Editor) write(ctx context.Context, path, before string, data []byte) (bool, error) {
	info, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("config: edit %s: %w", e.Path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, fmt.Errorf("config: edit %s: %w", e.Path, err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return false, fmt.Errorf("config: edit %s: write: %w", e.Path, err)
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		return false, fmt.Errorf("config: edit %s: chmod: %w", e.Path, err)
	}
	if err := tmp.Sync(); err != nil {
		return false, fmt.Errorf("config: edit %s: fsync: %w", e.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("config: edit %s: close: %w", e.Path, err)
	}
	if e.beforeRename != nil {
		e.beforeRename()
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("config: edit %s: %w", e.Path, err)
	}
	cur, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("config: edit %s: %w", e.Path, err)
	}
	if SourceHash(cur) != before {
		return false, nil
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return false, fmt.Errorf("config: edit %s: rename: %w", e.Path, err)
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: some file systems refuse to sync folders
		_ = d.Close()
	}
	return true, nil
}
