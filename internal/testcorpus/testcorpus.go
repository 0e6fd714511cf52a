// Package testcorpus picks the files a test's sweep of the shared feed
// corpora reads.
//
// A sweep parses every file of the corpora, about 950 files and 7 MB, to
// assert properties of the data path (no mojibake, no lost date, no
// missed keyword). Its code runs on one goroutine per file, where the race
// detector finds nothing, yet makes it four to five times slower, and
// three files of over 900 KB were most of that: the sweeps were a third of
// the CPU time of `go test -race ./...`. So a race build leaves out the
// files over [RaceMaxBytes], and a build without the race detector sweeps
// every file; .ci/run runs the sweeps both ways.
package testcorpus

import (
	"os"
	"testing"

	"github.com/newshound/newshound/internal/testmain"
)

// RaceMaxBytes is the largest file a race build's sweep reads.
const RaceMaxBytes = 256 << 10

// Keep reports whether a sweep reads a file of size bytes: always without
// the race detector; with it, when the file is at most RaceMaxBytes.
func Keep(size int64) bool { return !testmain.Race || size <= RaceMaxBytes }

// KeepFile is Keep for the file at path; a file it cannot stat is kept,
// so the sweep reports the error.
func KeepFile(path string) bool {
	fi, err := os.Stat(path)
	return err != nil || Keep(fi.Size())
}

// Note logs how much of the corpora the sweep read.
func Note(t testing.TB, read, total int) {
	t.Helper()
	if read < total {
		t.Logf("race build: swept %d of %d corpus files, those up to %d KB; without -race every file is swept", read, total, RaceMaxBytes>>10)
	}
}
