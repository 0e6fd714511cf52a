package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
)

// ErrInUse is returned (wrapped) by LockWriter and OpenWriter when another
// process holds the writer lock of the database file.
var ErrInUse = errors.New("sqlite: state file in use")

// InUseError reports that another process holds the writer lock of a
// database file. It matches ErrInUse with errors.Is.
type InUseError struct {
	Path string // the database file
	PID  int    // the holder's process id; 0 when it could not be read
}

func (e *InUseError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("sqlite: state file %s is in use by another newshound (pid %d)", e.Path, e.PID)
	}
	return fmt.Sprintf("sqlite: state file %s is in use by another newshound (pid unknown)", e.Path)
}

// Is makes errors.Is(err, ErrInUse) true.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// LockPath returns the path of the lock file of the database at path: the
// same name with ".lock" appended, next to it.
func LockPath(path string) string { return path + ".lock" }

// OpenWriter is Open for the process that writes the database: it first
// takes the writer lock of path (LockWriter), so that a second writer on
// the same file fails with an *InUseError naming the holder, and the
// Store's Close releases it. MemoryPath takes no lock.
func OpenWriter(ctx context.Context, path string) (*Store, error) {
	if path == MemoryPath {
		return Open(ctx, path)
	}
	unlock, err := LockWriter(path)
	if err != nil {
		return nil, err
	}
	s, err := Open(ctx, path)
	if err != nil {
		return nil, errors.Join(err, unlock())
	}
	s.unlock = unlock
	s.sole = locksWriters
	// Holding the writer lock proves that no other process uses the
	// file, so every lease left in it belongs to a process that is gone
	// (owners are unique per process): a restart after a crash takes the
	// work back at once instead of waiting for the leases to run out.
	if _, err := s.w.ExecContext(ctx, `DELETE FROM leases`); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: %s: clear the leases of a stopped process: %w", path, err), s.Close())
	}
	return s, nil
}

// absPath is filepath.Abs with the package's error wrapping.
func absPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return abs, nil
}
