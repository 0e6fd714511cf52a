//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive advisory lock (flock) on the file at path,
// creating it, and returns the function that removes the file and releases
// the lock. It waits for another holder until ctx ends.
//
// The file is removed while it is still locked, so it does not stay
// behind. A waiter may then hold a lock on the removed file; it checks
// that the file it locked is still the one at path, and starts again when
// it is not, so two holders never both believe they hold the lock.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		if err := flock(ctx, f); err != nil {
			_ = f.Close()
			return nil, err
		}
		held, herr := f.Stat()
		cur, cerr := os.Stat(path)
		if herr == nil && cerr == nil && os.SameFile(held, cur) {
			return func() {
				_ = os.Remove(path)
				_ = f.Close() // releases the lock
			}, nil
		}
		_ = f.Close()
		if herr != nil {
			return nil, herr
		}
		if cerr != nil && !errors.Is(cerr, os.ErrNotExist) {
			return nil, cerr
		}
	}
}

// flock waits for an exclusive lock on f, polling so that ctx can end the
// wait (a blocking flock cannot be interrupted).
func flock(ctx context.Context, f *os.File) error {
	wait := time.Millisecond
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR):
			return fmt.Errorf("flock: %w", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 20*time.Millisecond)
	}
}
