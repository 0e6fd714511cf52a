package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// usage is what one phase cost this process.
type usage struct {
	Wall    time.Duration
	CPU     time.Duration // user + system time of this process
	PeakRSS int64         // bytes; the high-water mark during the phase
	Allocs  uint64        // heap objects allocated
	// PeakExact is false when the peak could not be reset before the
	// phase, so PeakRSS is the process's peak so far.
	PeakExact bool
}

// measure runs fn after a collection, with the RSS high-water mark reset,
// and returns what it cost.
func measure(fn func() error) (usage, error) {
	runtime.GC()
	debug.FreeOSMemory()
	exact := resetPeakRSS()
	a0 := allocs()
	c0 := cpuTime()
	t0 := time.Now()
	err := fn()
	u := usage{Wall: time.Since(t0), CPU: cpuTime() - c0, Allocs: allocs() - a0, PeakExact: exact}
	u.PeakRSS = peakRSS()
	return u, err
}

func allocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// resetPeakRSS resets the kernel's high-water mark of this process's
// resident set (Linux: /proc/self/clear_refs), reporting whether it could.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is the resident set's high-water mark in bytes: VmHWM on Linux,
// else the maximum the OS reports.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return maxRSS()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return maxRSS()
}
