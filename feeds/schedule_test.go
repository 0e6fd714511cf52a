package feeds

import (
	"testing"
	"time"
)

func TestNextPoll(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 11, 19, 0, 0, 0, 0, time.UTC)
	plus := func(d time.Duration) func(time.Duration) time.Duration {
		return func(time.Duration) time.Duration { return d }
	}
	for _, tc := range []struct {
		name       string
		interval   time.Duration
		failures   int
		retryAfter time.Duration
		jitter     func(time.Duration) time.Duration
		want       time.Duration
	}{
		{"plain", 10 * time.Minute, 0, 0, nil, 10 * time.Minute},
		{"jitter up", 10 * time.Minute, 0, 0, func(d time.Duration) time.Duration { return d }, 11 * time.Minute},
		{"jitter down", 10 * time.Minute, 0, 0, func(d time.Duration) time.Duration { return -d }, 9 * time.Minute},
		{"jitter clamped", 10 * time.Minute, 0, 0, plus(time.Hour), 11 * time.Minute},
		{"backoff", 10 * time.Minute, 3, 0, nil, 80 * time.Minute},
		{"backoff capped", 10 * time.Minute, 20, 0, nil, MaxBackoff},
		{"long interval not capped", 12 * time.Hour, 2, 0, nil, 12 * time.Hour},
		{"retry-after wins", 10 * time.Minute, 0, 2 * time.Hour, nil, 2 * time.Hour},
		{"retry-after shorter", 10 * time.Minute, 0, time.Minute, nil, 10 * time.Minute},
		{"retry-after capped", 10 * time.Minute, 0, 72 * time.Hour, nil, MaxRetryAfter},
		{"retry-after beats jitter", 10 * time.Minute, 0, 10 * time.Minute, func(d time.Duration) time.Duration { return -d }, 10 * time.Minute},
		{"zero interval", 0, 0, 0, nil, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NextPoll(now, tc.interval, tc.failures, tc.retryAfter, tc.jitter)
			if got.Sub(now) != tc.want {
				t.Errorf("NextPoll = now+%v, want now+%v", got.Sub(now), tc.want)
			}
		})
	}
}
