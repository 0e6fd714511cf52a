package main

import (
	"flag"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/newshound/newshound/internal/testmain"
)

// minParallel is how many parallel tests run at once unless -parallel
// says otherwise. The parallel tests of this package mostly wait on a
// daemon's real clocks, so more of them than there are cores overlap
// well; the default, one per core, leaves a 2-core machine idle.
const minParallel = 4

func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(max(minParallel, runtime.GOMAXPROCS(0)))); err != nil {
			panic(err)
		}
	}
	testmain.Exit(m.Run())
}

// testTick is the daemon's scheduling tick in tests: due feeds and
// deliveries are found within it rather than within the default second.
const testTick = 50 * time.Millisecond
