package testcorpus

import (
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
