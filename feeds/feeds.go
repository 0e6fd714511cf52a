// Package feeds fetches news feeds politely (conditional GET, bounded size,
// time and redirects), decodes their charset to UTF-8, parses RSS, Atom and
// JSON Feed with gofeed and normalizes every entry into an Item.
//
// It is the only package that imports gofeed. It never touches the store:
// the caller keeps the Validators of the previous poll and passes them in.
package feeds

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Item is one normalized feed entry. Text fields are plain UTF-8 text in
// NFC with HTML stripped, entities decoded and invisible formatting
// characters (bidi controls, zero-width characters) removed. Summary and
// Content are whole, for matching; display code cuts them (see Snippet).
type Item struct {
	// Key is the stable identity of the item within its feed: the GUID,
	// else the canonical link with a hash of the title, else a hash of
	// title and date. It never depends on the time of the poll.
	Key string `json:"id"`
	// LegacyKey is the key earlier versions gave an item without a GUID
	// (its canonical link), set when no other item of the feed shares the
	// link. A store keyed by old keys may treat the item as seen when it
	// has seen this key.
	LegacyKey string `json:"legacy_id,omitempty"`
	Feed      string `json:"feed"`                 // feed name from the watchlist
	FeedTitle string `json:"feed_title,omitempty"` // the feed's own title
	// Title is never empty: an untitled entry is titled by the first
	// sentence of its text, else its link's host and path, else the feed
	// and its id. It is bounded only generously (2,000 runes).
	Title   string `json:"title"`
	Link    string `json:"link"`
	Summary string `json:"summary,omitempty"` // the description, else the content
	Content string `json:"content,omitempty"`
	Author  string `json:"author,omitempty"`
	// Source is the outlet named by the item itself (RSS <source>, as
	// aggregators such as Google News give it), "" when it names none.
	Source string `json:"source,omitempty"`
	Image  string `json:"image,omitempty"`
	// Published is the item's date, zero when Undated.
	Published time.Time `json:"published"`
	// Undated is true when the feed gave no readable date (or only one
	// too far in the future).
	Undated bool `json:"undated,omitempty"`
	// FirstSeen is when the body holding the item was parsed.
	FirstSeen time.Time `json:"first_seen"`
}

// Body is the text to match besides the title: the summary, then the
// content unless the summary already holds it, on separate lines.
func (it Item) Body() string {
	if it.Content == "" || strings.Contains(it.Summary, it.Content) {
		return it.Summary
	}
	if it.Summary == "" || strings.Contains(it.Content, it.Summary) {
		return it.Content
	}
	return it.Summary + "\n" + it.Content
}

// Time is when the item appeared: Published, or FirstSeen when undated.
func (it Item) Time() time.Time {
	if it.Published.IsZero() {
		return it.FirstSeen
	}
	return it.Published
}

// Source describes one feed to fetch.
type Source struct {
	Name string
	URL  string
	// Timeout bounds the whole request; zero means the fetcher's default.
	Timeout time.Duration
	// Untrusted sources (added from chat) may only reach public addresses.
	Untrusted bool
}

// Validators are what a server gave us to make the next poll cheap.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// BodyHash is a hash of the last body parsed, so an unchanged body is
	// not parsed again when the server ignores the validators.
	BodyHash string `json:"body_hash,omitempty"`
}

// Result is the outcome of one successful fetch.
type Result struct {
	// NotModified is true on 304, or when the body hash equals the previous
	// one; Items is then empty.
	NotModified bool
	Validators  Validators
	Title       string
	Items       []Item
	// RetryAfter, if positive, is the delay the server asked for (also on
	// success, e.g. from Cache-Control max-age or <ttl>): a hint, not a rule.
	RetryAfter time.Duration
	// Skipped counts entries that could not be made into items.
	Skipped int
	// Stats accounts for every repair and every entry not turned into an
	// item, so nothing is lost without a trace.
	Stats Stats
}

// Stats counts what parsing a body repaired or left out.
type Stats struct {
	// Repairs counts invalid byte runs in a UTF-8 body that were decoded
	// another way (CP949, windows-1252) or replaced with U+FFFD;
	// RepairOffsets holds the byte offsets of the first few.
	Repairs       int
	RepairOffsets []int
	// ForbiddenChars counts characters XML forbids that were dropped.
	ForbiddenChars int
	// Duplicates counts entries merged into an earlier one with the same
	// identity.
	Duplicates int
	// Undated counts items whose date could not be read.
	Undated int
	// Fixes counts markup and decoding repairs by kind (an unclosed
	// element closed before the next item, a stray end tag dropped, a JSON
	// field reshaped, a charset guessed, ...).
	Fixes map[string]int
	// SkippedReasons counts entries skipped, by reason.
	SkippedReasons map[string]int
}

// Fetcher fetches and parses one feed. It returns a *StatusError for an
// HTTP status it cannot use; any other error wraps the cause with the URL.
type Fetcher interface {
	Fetch(ctx context.Context, src Source, prev Validators) (Result, error)
}

// StatusError is returned for an HTTP response that is not 2xx or 304.
type StatusError struct {
	URL        string // redacted of credentials
	Code       int
	RetryAfter time.Duration // from Retry-After on 429/503, else 0
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("feeds: %s: HTTP %d", e.URL, e.Code)
}
