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
	"time"
)

// Item is one normalized feed entry. Text fields are plain UTF-8 text with
// HTML stripped and entities decoded.
type Item struct {
	// Key is the stable identity of the item within its feed: the GUID,
	// else the canonical link without tracking parameters, else a hash of
	// title and date.
	Key       string `json:"id"`
	Feed      string `json:"feed"`                 // feed name from the watchlist
	FeedTitle string `json:"feed_title,omitempty"` // the feed's own title
	Title     string `json:"title"`
	Link      string `json:"link"`
	Summary   string `json:"summary,omitempty"`
	Content   string `json:"content,omitempty"`
	Author    string `json:"author,omitempty"`
	// Source is the outlet named by the item itself (RSS <source>, as
	// aggregators such as Google News give it), "" when it names none.
	Source    string    `json:"source,omitempty"`
	Image     string    `json:"image,omitempty"`
	Published time.Time `json:"published"`
	// DateGuessed is true when the feed gave no usable date and Published
	// is the time the item was first seen.
	DateGuessed bool `json:"date_guessed,omitempty"`
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
