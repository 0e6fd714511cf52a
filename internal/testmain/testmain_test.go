package testmain

import (
	"flag"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
)

// TestExitCode runs this binary as a child that exits through Exit with
// a code and checks the code arrives: a failing run must never exit 0.
func TestExitCode(t *testing.T) {
	if c := os.Getenv("TESTMAIN_CHILD_EXIT"); c != "" {
		if c == "0" {
			Exit(0)
		}
		Exit(3)
	}
	for _, want := range []int{0, 3} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestExitCode$")
		cmd.Env = append(os.Environ(), "TESTMAIN_CHILD_EXIT="+map[int]string{0: "0", 3: "3"}[want])
		err := cmd.Run()
		got := 0
		if ee, ok := err.(*exec.ExitError); ok {
			got = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Exit(%d): the process exited %d", want, got)
		}
	}
}

// TestWidenParallel checks that Main raised the number of parallel
// tests, unless the command line set it.
func TestWidenParallel(t *testing.T) {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	got := flag.Lookup("test.parallel").Value.String()
	if want := strconv.Itoa(ParallelPerCPU * runtime.GOMAXPROCS(0)); !set && got != want {
		t.Errorf("test.parallel = %s, want %s", got, want)
	}
}

func TestMain(m *testing.M) { Main(m) }
