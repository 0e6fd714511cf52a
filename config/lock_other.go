//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris)

package config

import "context"

// lockFile is a no-op where flock is not available: edits are still
// serialized within one process by the Editor's mutex, and the
// compare-and-swap before the rename catches other writers, but two bot
// processes editing one file may then lose an edit.
func lockFile(context.Context, string) (func(), error) {
	return func() {}, nil
}
