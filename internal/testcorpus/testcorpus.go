// Package testcorpus picks the files a test's sweep of the shared feed
// corpora reads.
//
// A sweep parses every file of the corpora, about 950 files and 7 MB, to
// assert properties of the data path (no mojibake, no lost date, no
// missed keyword). Its code runs on one goroutine per file, where the race
// detector finds nothing, yet makes it four to five times slower, and
// three files of over 900 KB were most of that: the sweeps were a third of
// the CPU time of `go test -race ./...`. So a race build leaves out the
// files over [RaceMaxBytes] and reads a fixed sample of one corpus file in
// [RaceEvery] (a package's own fixtures are always read), and a
// build without the race detector sweeps every file; .ci/run runs the
// sweeps both ways.
package testcorpus

import (
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
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

// RaceEvery is how sparsely a race build samples the shared corpora: one
// file in RaceEvery, the same files in every sweep and every run.
const RaceEvery = 4

// SweepFile reports whether a sweep over a directory reads the file at
// path: always without the race detector; with it, when KeepFile keeps it
// and it is either a package's own fixture (a relative path inside the
// package, such as testdata/...) or in the sample of one corpus file in
// RaceEvery, chosen by a hash of the file's name and its directory's, so
// that every sweep, from whatever relative path, reads the same files.
func SweepFile(path string) bool {
	if !testmain.Race {
		return true
	}
	if !KeepFile(path) {
		return false
	}
	clean := filepath.ToSlash(filepath.Clean(path))
	if !filepath.IsAbs(clean) && clean != ".." && !strings.HasPrefix(clean, "../") {
		return true
	}
	return sampled(strings.Split(clean, "/"))
}

// sampled reports whether the file named by the path elements elems is in
// the race builds' sample.
func sampled(elems []string) bool {
	h := fnv.New32a()
	if n := len(elems); n >= 2 {
		h.Write([]byte(elems[n-2]))
	}
	h.Write([]byte{'/'})
	h.Write([]byte(elems[len(elems)-1]))
	return h.Sum32()%RaceEvery == 0
}

// Note logs how much of the corpora the sweep read.
func Note(t testing.TB, read, total int) {
	t.Helper()
	if read < total {
		t.Logf("race build: swept %d of %d corpus files (one in %d, each up to %d KB, and every fixture of the package); without -race every file is swept", read, total, RaceEvery, RaceMaxBytes>>10)
	}
}
