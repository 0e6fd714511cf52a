package notify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/newshound/newshound/internal/retryafter"
)

// MaxRetryAfter caps how long one rate-limit answer may hold a channel.
const MaxRetryAfter = 10 * time.Minute

// RetryAfter reads the delay a rate-limited answer asks for: a JSON body's
// "retry_after" (seconds, fractions allowed, as Discord sends it) when
// present, else the Retry-After header as decimal seconds or an HTTP date
// (relative to now). The delay is clamped to [0, MaxRetryAfter]. ok is
// false when neither names a readable delay; the caller chooses the
// default.
func RetryAfter(h http.Header, body []byte, now time.Time) (d time.Duration, ok bool) {
	var rl struct {
		RetryAfter *float64 `json:"retry_after"`
	}
	if len(body) > 0 && json.Unmarshal(body, &rl) == nil && rl.RetryAfter != nil && *rl.RetryAfter >= 0 {
		return min(retryafter.Seconds(*rl.RetryAfter), MaxRetryAfter), true
	}
	d, ok = retryafter.Parse(h.Get("Retry-After"), now)
	return min(d, MaxRetryAfter), ok
}

// Classify turns the HTTP status of one failed attempt into the retry
// advice of package bot: a retryable *Error for status 0 (no answer: a
// network failure or timeout), 5xx, and 429 (with retryAfter, the delay
// the platform asked for); a not-retryable *Error, reported with its
// reason, for any other status, including a 2xx whose body refused the
// message. err describes the failure and must already be free of
// secrets; nil gets a generic description of the status.
func Classify(status int, retryAfter time.Duration, err error) error {
	if err == nil {
		err = fmt.Errorf("notify: answered %d %s", status, http.StatusText(status))
	}
	switch {
	case status == http.StatusTooManyRequests:
		return Retry(err, retryAfter)
	case status == 0 || status >= 500:
		return Retry(err, 0)
	}
	return Permanent(err)
}

// SplitEntries groups entries, in order and losing none, into the parts
// of one message each. size is called once per entry; fits reports
// whether a group whose entries' sizes sum to total is within the
// platform's limits. A group grows while it fits; an entry that does not
// fit even alone still gets a group of its own (the renderer shortens
// it). There is always at least one group, empty for no entries.
func SplitEntries(entries []Entry, size func(Entry) int, fits func(group []Entry, total int) bool) [][]Entry {
	var groups [][]Entry
	var cur []Entry
	total := 0
	for _, e := range entries {
		s := size(e)
		next := append(cur[:len(cur):len(cur)], e)
		if len(cur) > 0 && !fits(next, total+s) {
			groups = append(groups, cur)
			next, total = []Entry{e}, 0
		}
		cur = next
		total += s
	}
	return append(groups, cur)
}

// Parts makes one message per group of m's entries (see SplitEntries).
// One group gives m unchanged. Otherwise part i of n has the header
// header(i, n) (i from 1), and only the last part keeps m.More, so "and N
// more" is said once, at the end.
func Parts(m Message, groups [][]Entry, header func(i, n int) string) []Message {
	if len(groups) <= 1 {
		return []Message{m}
	}
	parts := make([]Message, len(groups))
	for i, g := range groups {
		p := m
		p.Entries = g
		p.Header = header(i+1, len(groups))
		if i < len(groups)-1 {
			p.More = 0
		}
		parts[i] = p
	}
	return parts
}
