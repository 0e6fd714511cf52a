package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestStatusTextSaysNextTry checks the line under each feed: a failing
// feed says when it is tried again, in the watchlist timezone and from
// now, a healthy one when it is polled next.
func TestStatusTextSaysNextTry(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	seoul := time.FixedZone("KST", 9*3600)
	ptr := func(t time.Time) *time.Time { return &t }
	tests := []struct {
		name string
		feed feedStatus
		want string
	}{
		{"failing, in its backoff",
			feedStatus{Name: "a", Failures: 3, LastError: "HTTP 503", LastSuccess: ptr(now.Add(-2 * time.Hour)), NextPoll: ptr(now.Add(40 * time.Minute))},
			"    last success 2026-11-26 17:00:00 KST (2h0m ago); failing; next try 2026-11-26 19:40:00 KST (in 40m, backing off)\n"},
		{"failing, due now",
			feedStatus{Name: "a", Failures: 1, LastError: "timeout", NextPoll: ptr(now.Add(-time.Minute))},
			"    last success never; failing; next try at the next cycle\n"},
		{"healthy",
			feedStatus{Name: "a", LastSuccess: ptr(now.Add(-time.Minute)), NextPoll: ptr(now.Add(4 * time.Minute))},
			"    last success 2026-11-26 18:59:00 KST (1m ago); next poll 2026-11-26 19:04:00 KST\n"},
		{"never polled",
			feedStatus{Name: "a"},
			"    last success never; next poll at the next cycle\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printStatus(&b, statusReport{GeneratedAt: now, Feeds: []feedStatus{tt.feed}, Watchlist: watchlistStatus{OK: true}}, seoul)
			if !strings.Contains(b.String(), tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, b.String())
			}
			if tt.feed.Failures > 0 && !strings.Contains(b.String(), "consecutive failure(s); last error: "+tt.feed.LastError) {
				t.Errorf("the failure count and error are missing:\n%s", b.String())
			}
		})
	}
}
