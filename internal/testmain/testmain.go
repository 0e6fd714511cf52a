// Package testmain ends a test binary without the race detector's pause.
//
// A binary built with -race sleeps one second when it exits successfully:
// the race runtime waits for other threads to report races
// (GORACE=atexit_sleep_ms, default 1000). In a test binary every race
// found while the tests run is already a failure when [testing.M.Run]
// returns ("race detected during execution of test", or "outside of test
// execution"), so the pause only delays a passing run. The suite has one
// test binary per package, and the pause was a third of its wall time on
// two cores. Each package's TestMain ends with [Exit], or is [Main].
//
// [Main] also runs more parallel tests at once than the testing package's
// default (GOMAXPROCS): many tests spend most of their time waiting, on a
// daemon's poll interval, a lease running out or a child process, and
// with one parallel test per core those waits left the cores idle.
package testmain

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
)

// ParallelPerCPU is how many parallel tests Main runs at once per
// GOMAXPROCS, unless -test.parallel (go test -parallel) says otherwise.
const ParallelPerCPU = 4

// Main runs the tests of m with [WidenParallel] and ends the binary with
// [Exit]: a package's TestMain is `func TestMain(m *testing.M) {
// testmain.Main(m) }`.
func Main(m *testing.M) {
	WidenParallel()
	Exit(m.Run())
}

// WidenParallel raises the number of parallel tests run at once to
// ParallelPerCPU × GOMAXPROCS when the command line does not set it.
func WidenParallel() {
	if !flag.Parsed() {
		flag.Parse()
	}
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if f := flag.Lookup("test.parallel"); f != nil && !set {
		_ = f.Value.Set(strconv.Itoa(ParallelPerCPU * runtime.GOMAXPROCS(0)))
	}
}

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
