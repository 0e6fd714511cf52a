package main

import (
	"testing"
	"time"

	"github.com/newshound/newshound/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Main(m) }

// testTick is the daemon's scheduling tick in tests: due feeds and
// deliveries are found within it rather than within the default second.
const testTick = 50 * time.Millisecond
