package feeds

import "time"

// Scheduling bounds.
const (
	// MaxBackoff caps the interval grown by consecutive failures.
	MaxBackoff = 6 * time.Hour
	// MaxRetryAfter caps how long a server's Retry-After (or a feed's TTL)
	// can push the next poll away.
	MaxRetryAfter = 24 * time.Hour
)

// NextPoll returns when to poll a feed again. The base is interval, doubled
// for each consecutive failure up to MaxBackoff; jitter(d) returns a random
// offset within ±d and is applied with d = 10% of that base, so feeds on the
// same interval drift apart (nil means no jitter). The result is never
// earlier than now+retryAfter (capped at MaxRetryAfter), and never earlier
// than now+interval/2 when interval is positive.
func NextPoll(now time.Time, interval time.Duration, failures int, retryAfter time.Duration, jitter func(time.Duration) time.Duration) time.Time {
	if interval <= 0 {
		interval = time.Minute
	}
	base := interval
	for i := 0; i < failures && base < MaxBackoff; i++ {
		base *= 2
	}
	base = min(base, max(MaxBackoff, interval))
	d := base
	if jitter != nil {
		spread := base / 10
		d += max(-spread, min(spread, jitter(spread)))
	}
	d = max(d, interval/2, min(retryAfter, MaxRetryAfter))
	return now.Add(d)
}
