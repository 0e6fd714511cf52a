// Package notify defines what every chat platform implements to receive
// alerts and digests, and the delivery rules they share, so that a
// platform package keeps only rendering and transport: a typed error that
// tells the single retry loop (in package bot) whether and when to retry,
// the classification of an HTTP answer into it (Classify) and the reading
// of a rate limit's delay (RetryAfter), the grouping of a message's
// entries into parts within a platform's limits (SplitEntries, Parts),
// the acknowledge-or-follow-up rule of chat commands (Deferrer, Answer),
// rune-safe truncation, per-channel pacing and the Guard that keeps a
// panic in a handler of network input from ending the process. Secrets
// are removed from text by package redact. Package notifytest is the
// conformance suite every Notifier passes.
package notify

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// Source is one outlet that carried a story.
type Source struct {
	Name string `json:"name"`
	Link string `json:"link"`
}

// Entry is one item (or one story) in a message. Text fields are untrusted
// feed text: every renderer must escape them for its platform.
type Entry struct {
	ID        int64     `json:"-"` // outbox row
	Watch     string    `json:"watch"`
	Feed      string    `json:"feed"`
	Source    string    `json:"source"` // display name of the outlet
	Title     string    `json:"title"`
	Link      string    `json:"link"`
	Snippet   string    `json:"snippet,omitempty"`
	Image     string    `json:"image,omitempty"`
	Published time.Time `json:"published"`
	// Undated is true when the feed gave no readable date: Published is
	// then the time the item was first seen, and renderers say so.
	Undated bool `json:"undated,omitempty"`
	// Terms are the matched pieces of text as they appear in Title and
	// Snippet; renderers show them in bold.
	Terms  []string `json:"terms,omitempty"`
	Query  string   `json:"query,omitempty"`
	Urgent bool     `json:"urgent,omitempty"`
	// Also lists other outlets that carried the same story.
	Also []Source `json:"also,omitempty"`
	// LastSeen, when set, is when the latest other outlet carried the
	// story: a message that grew as outlets reported it shows its spread
	// as "first seen Published · last seen LastSeen".
	LastSeen time.Time `json:"last_seen,omitzero"`
	// Lead is the start of the item's text, kept so later copies of the
	// story can be recognised by it (digest.Story); renderers ignore it.
	Lead string `json:"lead,omitempty"`
}

// Message is an alert (one entry) or a digest (several) for one channel.
type Message struct {
	Channel string
	// Header is a short plain-text headline such as "ai-policy: 3 new".
	Header  string
	Entries []Entry
	// More counts matches left out of a digest (max_items); renderers say
	// "and N more".
	More int
	// Location is the watchlist timezone for displaying times.
	Location *time.Location
	// Kind is KindSurge or KindReport for those messages, "" for an
	// alert or a digest (told apart by their number of entries).
	Kind string
	// Text is the body of a report, plain text (several lines); renderers
	// escape it like feed text.
	Text string
	// Image is a chart sent with a report where the channel can carry a
	// file; it belongs to the first part of a split message.
	Image *Image
}

// Kinds of message besides alerts and digests.
const (
	// KindSurge is a surge alert: a topic suddenly spreading; its
	// entries are the top stories.
	KindSurge = "surge"
	// KindReport is a report of the last days: Text, and Image when a
	// chart was drawn.
	KindReport = "report"
)

// Image is a file attached to a message.
type Image struct {
	Name string // file name, such as "report.png"
	Type string // media type, such as "image/png"
	Alt  string // a short description
	Data []byte
}

// Notifier delivers messages to one configured channel.
type Notifier interface {
	// Split cuts a message into parts that each fit one platform message,
	// keeping entries in order and losing none. Part headers may say
	// "(1/3)".
	Split(m Message) []Message
	// Send posts one part. It returns nil only when the platform accepted
	// it; a failure that may succeed later is reported with Retry or
	// RetryAfter. It must not wait for rate limits longer than ctx allows.
	Send(ctx context.Context, m Message) error
}

// Editor is a Notifier that can keep a reference to a message it posted
// and edit that message in place later, so a story alerted once grows as
// more outlets report it instead of being posted again.
type Editor interface {
	Notifier
	// SendRef is Send returning the platform's reference to the message
	// it posted; "" when this channel cannot edit what it posts (a Slack
	// incoming webhook), and the bot then sends a compact follow-up.
	SendRef(ctx context.Context, m Message) (string, error)
	// Edit replaces the message ref refers to with m (one part). It
	// returns an error wrapping ErrGone when the message no longer exists
	// or may no longer be edited, and otherwise fails like Send.
	Edit(ctx context.Context, ref string, m Message) error
}

// ErrGone reports that a message cannot be edited any more: it was
// deleted, or the platform no longer allows edits of it.
var ErrGone = errors.New("the message no longer exists")

// Error is a delivery failure with the retry advice of the platform.
type Error struct {
	Retry      bool
	RetryAfter time.Duration // server-requested delay, 0 if none
	Err        error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Retry wraps err as retryable after the given delay (0: backoff decides).
func Retry(err error, after time.Duration) error {
	return &Error{Retry: true, RetryAfter: after, Err: err}
}

// Permanent wraps err as not retryable now (a 4xx other than 429, say).
// The delivery still stays pending; the bot tries it again on a later
// cycle, never drops it.
func Permanent(err error) error { return &Error{Err: err} }

// Retryable tells whether err should be retried soon, and after how long
// the server asked us to wait. Errors that are not *Error (network
// failures, timeouts) are retryable.
func Retryable(err error) (bool, time.Duration) {
	var e *Error
	if errors.As(err, &e) {
		return e.Retry, e.RetryAfter
	}
	return err != nil, 0
}

// Truncate cuts s to at most max runes, ending with "…" when cut. It
// never cuts inside a rune, so Hangul syllables stay whole.
func Truncate(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return strings.TrimRight(s[:i], " \t\n") + "…"
		}
		n++
	}
	return s
}

// TruncateUTF16 cuts s to at most max UTF-16 code units, as Discord and
// Slack count, ending with "…" when cut.
func TruncateUTF16(s string, max int) string {
	if UTF16Len(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > max-1 {
			return strings.TrimRight(s[:i], " \t\n") + "…"
		}
		n += w
	}
	return s
}

// UTF16Len is the length of s in UTF-16 code units.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// TextChunks cuts a message's Text into chunks of whole lines of at most
// max UTF-16 code units each (a line longer than max alone is cut with
// "…"), in order, for platforms that split a report over several
// messages. Empty text has no chunks.
func TextChunks(text string, max int) []string {
	var out []string
	var cur strings.Builder
	n := 0
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n")
		line = TruncateUTF16(line, max)
		w := UTF16Len(line) + 1
		if n > 0 && n+w > max+1 {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
		n += w
	}
	if n > 0 && strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// TextParts splits a message with Text into one message per chunk of
// TextChunks(m.Text, max), each keeping m's other fields; the Image goes
// with the first part only, and headers get "(i/n)" from header when there
// is more than one part. A message without Text is returned alone.
func TextParts(m Message, max int, header func(i, n int) string) []Message {
	chunks := TextChunks(m.Text, max)
	if len(chunks) <= 1 {
		if len(chunks) == 1 {
			m.Text = chunks[0]
		}
		return []Message{m}
	}
	out := make([]Message, len(chunks))
	for i, c := range chunks {
		p := m
		p.Text = c
		p.Header = header(i+1, len(chunks))
		if i > 0 {
			p.Image = nil
			p.Entries = nil
		}
		out[i] = p
	}
	return out
}
