// Package testmain ends a test binary without the race detector's pause.
//
// A binary built with -race sleeps one second when it exits successfully:
// the race runtime waits for other threads to report races
// (GORACE=atexit_sleep_ms, default 1000). In a test binary every race
// found while the tests run is already a failure when [testing.M.Run]
// returns ("race detected during execution of test", or "outside of test
// execution"), so the pause only delays a passing run. The suite has one
// test binary per package, and the pause was a third of its wall time on
// two cores. Each package's TestMain ends with [Exit].
package testmain

import (
	"flag"
	"os"
	"syscall"
	"testing"
)

// Exit ends the test binary with code, the result of [testing.M.Run]. A
// passing run under the race detector exits at once; anything else, and
// a run that writes coverage or fuzzes (whose exit hooks must run), exits
// through [os.Exit] as usual.
func Exit(code int) {
	if code == 0 && Race && testing.CoverMode() == "" && !fuzzing() {
		syscall.Exit(0)
	}
	os.Exit(code)
}

// fuzzing reports whether the binary was asked to fuzz.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}
