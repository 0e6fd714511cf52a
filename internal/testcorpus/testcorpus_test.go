package testcorpus

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/newshound/newshound/internal/testmain"
)

// TestKeep checks the rule both ways: a race build leaves out only files
// over RaceMaxBytes, a build without it keeps everything.
func TestKeep(t *testing.T) {
	for _, size := range []int64{0, 1, RaceMaxBytes} {
		if !Keep(size) {
			t.Errorf("Keep(%d) = false", size)
		}
	}
	if got, want := Keep(RaceMaxBytes+1), !testmain.Race; got != want {
		t.Errorf("Keep(RaceMaxBytes+1) = %v in a build with race %v", got, testmain.Race)
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big.xml")
	if err := os.WriteFile(big, make([]byte, RaceMaxBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if KeepFile(big) == testmain.Race {
		t.Errorf("KeepFile(big) = %v in a build with race %v", !testmain.Race, testmain.Race)
	}
	if !KeepFile(filepath.Join(dir, "absent.xml")) {
		t.Error("a file that cannot be read is left out instead of reported")
	}
}

func TestMain(m *testing.M) { testmain.Main(m) }

func TestSweepFile(t *testing.T) {
	for i := range 100 {
		if fixture := filepath.Join("testdata", fmt.Sprintf("feed-%d.xml", i)); !SweepFile(fixture) {
			t.Fatalf("the package's own fixture %s is left out of a sweep", fixture)
		}
	}
	// The sample is about one in RaceEvery, and the same for a file
	// whatever the relative path it is reached by.
	in := 0
	const n = 2000
	for i := range n {
		name := fmt.Sprintf("feed-%d.xml", i)
		a := SweepFile(filepath.Join("..", "shared", "feeds", "testdata", name))
		b := SweepFile(filepath.Join("..", "..", "shared", "feeds", "testdata", name))
		if a != b {
			t.Fatalf("%s: kept %v from one relative path and %v from another", name, a, b)
		}
		if a {
			in++
		}
	}
	if !testmain.Race {
		if in != n {
			t.Errorf("a build without -race swept %d of %d files", in, n)
		}
		return
	}
	if want := n / RaceEvery; in < want*8/10 || in > want*12/10 {
		t.Errorf("a race build swept %d of %d files, want about %d", in, n, want)
	}
}
