//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// locksWriters is true: LockWriter keeps every other writer out.
const locksWriters = true

// LockWriter takes the writer lock of the database at path: an exclusive
// flock(2) on LockPath(path), into which it writes this process's id. It
// returns the function that releases the lock. When another open file
// description holds the lock (another process, or another LockWriter in
// this one) it fails at once with an *InUseError carrying the pid found
// in the file.
//
// The lock file is left in place on release: removing it would let a
// process that opened it just before lock a file no longer on disk. The
// kernel drops the lock when the process ends, however it ends, so a
// stale file never blocks a start. Readers (OpenReadOnly) take no lock.
// On systems without flock (not unix) LockWriter does nothing.
func LockWriter(path string) (unlock func() error, err error) {
	abs, err := absPath(path)
	if err != nil {
		return nil, err
	}
	lp := LockPath(abs)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	if err := flock(f, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		pid := readPID(f)
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &InUseError{Path: path, PID: pid}
		}
		return nil, fmt.Errorf("sqlite: lock %s: %w", lp, err)
	}
	if err := writePID(f, os.Getpid()); err != nil {
		f.Close() // closing the descriptor releases the lock
		return nil, fmt.Errorf("sqlite: lock %s: writing the pid: %w", lp, err)
	}
	return func() error {
		err := flock(f, unix.LOCK_UN)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("sqlite: unlock %s: %w", lp, err)
		}
		return nil
	}, nil
}

// flock is unix.Flock, retried when a signal interrupts it.
func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// readPID returns the process id written in a lock file, or 0.
func readPID(f *os.File) int {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 64))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// writePID replaces the content of a lock file with pid.
func writePID(f *os.File, pid int) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(pid)+"\n"), 0); err != nil {
		return err
	}
	return f.Sync()
}
