// Package retryafter reads the HTTP Retry-After header (RFC 9110, section
// 10.2.3), the one parser behind every place newshound honours it: feed
// hosts (package feeds) and chat platforms (package bot/notify).
package retryafter

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Parse reads a Retry-After value: delay seconds (fractions accepted, as
// some platforms send them) or an HTTP date, relative to now. A date in
// the past is a delay of 0. ok is false for an empty, negative or
// unreadable value; the caller chooses the default and the cap. A delay
// too long for a Duration is the longest Duration.
func Parse(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	// A number out of range reads as ±Inf or 0, which Seconds handles.
	if f, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if f < 0 || math.IsNaN(f) {
			return 0, false
		}
		return Seconds(f), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Seconds converts a delay in seconds to a Duration without overflowing:
// negative is 0, too long is the longest Duration.
func Seconds(s float64) time.Duration {
	ns := s * float64(time.Second)
	switch {
	case ns <= 0 || math.IsNaN(ns):
		return 0
	case ns >= math.MaxInt64:
		return math.MaxInt64
	}
	return time.Duration(ns)
}
