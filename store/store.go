// Package store defines how newshound keeps its state: feed poll state,
// the items already seen, the outbox of deliveries, mutes and the history
// of watchlist edits. Implementations live in sub-packages (sqlite,
// postgres) and are checked by one conformance suite (storetest).
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("store: not found")

// FeedState is what is remembered about one feed between polls.
type FeedState struct {
	Feed         string // feed name, the key
	URL          string
	ETag         string
	LastModified string
	BodyHash     string
	// Initialized is true once a poll has succeeded; the first successful
	// poll only records items as seen (backfill).
	Initialized bool
	LastAttempt time.Time
	LastSuccess time.Time
	LastError   string
	Failures    int // consecutive failures
	NextPoll    time.Time
	ItemsSeen   int64 // total items first seen in this feed
}

// Delivery statuses.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
)

// Delivery is one item due to one channel: a row of the outbox. A
// (Channel, ItemKey) pair exists at most once, so an item is never
// delivered twice to a channel.
type Delivery struct {
	ID      int64
	Channel string
	ItemKey string // feed name + "\x00" + item key, or a story key; unique per channel
	Watch   string
	Feed    string
	Title   string
	Link    string
	// Story is a similarity signature (SimHash) of the item's normalized
	// title, used to hold back the same story from other outlets.
	Story   uint64
	Urgent  bool
	Payload []byte // the rendered entry (JSON), opaque to the store
	Status  string
	Created time.Time
	// Due is when the delivery may be sent (digest schedule, quiet hours).
	Due         time.Time
	NextAttempt time.Time // zero or <= now: may be tried
	Attempts    int
	LastError   string
	Sent        time.Time
}

// Mute silences a watch or a query until a time (zero: until unmuted).
type Mute struct {
	Target  string // watch name or query text
	Until   time.Time
	By      string
	Created time.Time
}

// Edit is one change made to the watchlist through a command.
type Edit struct {
	ID         int64
	At         time.Time
	Platform   string
	User       string
	Command    string
	BeforeHash string
	AfterHash  string
}

// Store is newshound's persistent state. Every method is safe for
// concurrent use. Times are stored with at least millisecond precision
// and returned in UTC.
type Store interface {
	// FeedState returns ErrNotFound for a feed never polled.
	FeedState(ctx context.Context, feed string) (FeedState, error)
	PutFeedState(ctx context.Context, st FeedState) error
	FeedStates(ctx context.Context) ([]FeedState, error)

	// MarkSeen records item keys of a feed and returns, in input order, the
	// keys that had not been seen before.
	MarkSeen(ctx context.Context, feed string, keys []string, at time.Time) ([]string, error)

	// Enqueue adds pending deliveries. A delivery whose (Channel, ItemKey)
	// already exists, pending or sent, is skipped. It returns the inserted
	// deliveries with their IDs set.
	Enqueue(ctx context.Context, ds []Delivery) ([]Delivery, error)
	// Pending returns pending deliveries of a channel ("" for all) with Due
	// and NextAttempt not after now, oldest Due first, then by ID.
	Pending(ctx context.Context, channel string, now time.Time) ([]Delivery, error)
	// PendingAll returns every pending delivery of a channel ("" for all),
	// due or not, for status and manual flushes.
	PendingAll(ctx context.Context, channel string) ([]Delivery, error)
	// MarkSent moves deliveries from pending to sent.
	MarkSent(ctx context.Context, ids []int64, at time.Time) error
	// MarkFailed records a failed attempt; the deliveries stay pending and
	// are not tried before next.
	MarkFailed(ctx context.Context, ids []int64, msg string, next time.Time) error
	// Reschedule sets the Due time of pending deliveries (e.g. "digest now").
	Reschedule(ctx context.Context, ids []int64, due time.Time) error
	// Recent returns sent deliveries of a channel, newest first.
	Recent(ctx context.Context, channel string, limit int) ([]Delivery, error)
	// Since returns deliveries (pending or sent) of a channel created at
	// or after t, for story de-duplication.
	Since(ctx context.Context, channel string, t time.Time) ([]Delivery, error)

	PutMute(ctx context.Context, m Mute) error
	// DeleteMute returns ErrNotFound when no such mute exists.
	DeleteMute(ctx context.Context, target string) error
	Mutes(ctx context.Context) ([]Mute, error)

	RecordEdit(ctx context.Context, e Edit) error
	// Edits returns the latest edits, newest first.
	Edits(ctx context.Context, limit int) ([]Edit, error)

	// Meta is a small key/value table for bookkeeping such as the last
	// digest flush of a channel. Get returns ErrNotFound for a missing key.
	GetMeta(ctx context.Context, key string) (string, error)
	SetMeta(ctx context.Context, key, value string) error

	Close() error
}
