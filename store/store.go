// Package store defines how newshound keeps its state: feed poll state,
// the items already seen, the outbox of deliveries, mutes and the history
// of watchlist edits. Implementations live in sub-packages (sqlite,
// postgres) and are checked by one conformance suite (storetest).
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrNewerSchema is returned (wrapped) by a driver's Open when the
// database was migrated by a newer newshound binary than this one.
var ErrNewerSchema = errors.New("store: database schema is newer than this binary")

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

// Store is newshound's persistent state: every role below plus Close.
// Every method is safe for concurrent use. Code that needs only part of
// the state should depend on the role interfaces it uses (or a small
// interface it defines from them), not on Store.
//
// Times are truncated to milliseconds when stored and returned in UTC; a
// zero time is stored as "none" and read back as the zero time. Where a
// method records when something happened (Delivery.Created, the at of
// MarkSeen and MarkSent, Mute.Created, Edit.At), a zero time is replaced
// by the store's clock. A limit <= 0 means no limit. Methods taking IDs
// ignore IDs that do not exist or are not pending. Item keys round-trip
// byte for byte; in other text a driver may replace NUL bytes and invalid
// UTF-8 with U+FFFD (PostgreSQL text holds neither).
type Store interface {
	FeedStates
	Seen
	Outbox
	Mutes
	History
	Meta
	Leases
	Pruner
	Matches

	// Close releases the database; the Store must not be used afterwards.
	Close() error
}

// FeedStates keeps what is remembered about each feed between polls.
// The general contract of Store (times, text) applies.
type FeedStates interface {
	// FeedState returns ErrNotFound for a feed never polled.
	FeedState(ctx context.Context, feed string) (FeedState, error)
	// PutFeedState creates or replaces the state of st.Feed.
	PutFeedState(ctx context.Context, st FeedState) error
	// FeedStates returns every feed state, ordered by feed name.
	FeedStates(ctx context.Context) ([]FeedState, error)
}

// Seen records which item keys of each feed have been seen. The general
// contract of Store (times, text) applies.
type Seen interface {
	// Unseen returns, in input order, the keys of a feed that MarkSeen has
	// not recorded yet. It changes nothing, so a caller can enqueue matches
	// first and mark the items seen after: a crash in between re-processes
	// the items, and Enqueue's uniqueness keeps that harmless.
	Unseen(ctx context.Context, feed string, keys []string) ([]string, error)
	// MarkSeen records item keys of a feed and returns, in input order, the
	// keys that had not been seen before. A key repeated in keys is
	// returned at most once (Unseen likewise).
	MarkSeen(ctx context.Context, feed string, keys []string, at time.Time) ([]string, error)
}

// OutboxReader reads the outbox of deliveries without changing it. The
// general contract of Store (times, limits, text) applies.
type OutboxReader interface {
	// Pending returns pending deliveries of a channel ("" for all) with Due
	// and NextAttempt not after now, oldest Due first (zero Due first), then
	// by ID.
	Pending(ctx context.Context, channel string, now time.Time) ([]Delivery, error)
	// PendingAll returns every pending delivery of a channel ("" for all),
	// due or not, for status and manual flushes, in Pending's order.
	PendingAll(ctx context.Context, channel string) ([]Delivery, error)
	// Recent returns sent deliveries of a channel ("" for all), newest
	// Sent first, then by descending ID.
	Recent(ctx context.Context, channel string, limit int) ([]Delivery, error)
	// Since returns deliveries (pending or sent) of a channel ("" for all)
	// created at or after t, for story de-duplication, oldest first.
	Since(ctx context.Context, channel string, t time.Time) ([]Delivery, error)
}

// Outbox is the outbox of deliveries: what is due to which channel, and
// whether it was sent. The general contract of Store (times, IDs, text)
// applies.
type Outbox interface {
	OutboxReader

	// Enqueue adds pending deliveries. A delivery whose (Channel, ItemKey)
	// already exists, pending or sent, is skipped. It returns the inserted
	// deliveries with their IDs set, in input order; IDs increase in input
	// order. Status, Attempts, LastError and Sent of the input are ignored.
	Enqueue(ctx context.Context, ds []Delivery) ([]Delivery, error)
	// MarkSent moves deliveries from pending to sent. It is idempotent: a
	// delivery already sent keeps its first Sent time.
	MarkSent(ctx context.Context, ids []int64, at time.Time) error
	// MarkFailed records a failed attempt: Attempts is incremented,
	// LastError set to msg and NextAttempt to next. The deliveries stay
	// pending and are not tried before next.
	MarkFailed(ctx context.Context, ids []int64, msg string, next time.Time) error
	// Reschedule sets the Due time of pending deliveries and clears their
	// NextAttempt, so they may be tried at due (e.g. "digest now").
	Reschedule(ctx context.Context, ids []int64, due time.Time) error
}

// Mutes keeps the mutes of watches and queries. The general contract of
// Store (times, text) applies.
type Mutes interface {
	// PutMute creates or replaces the mute of m.Target.
	PutMute(ctx context.Context, m Mute) error
	// DeleteMute returns ErrNotFound when no such mute exists.
	DeleteMute(ctx context.Context, target string) error
	// Mutes returns every mute, expired or not, ordered by target.
	Mutes(ctx context.Context) ([]Mute, error)
}

// History is the history of watchlist edits made through commands. The
// general contract of Store (times, limits, text) applies.
type History interface {
	// RecordEdit appends e to the edit history; e.ID is ignored.
	RecordEdit(ctx context.Context, e Edit) error
	// Edits returns the latest edits, newest first (by At, then ID).
	Edits(ctx context.Context, limit int) ([]Edit, error)
}

// Meta is a small key/value table for bookkeeping such as the last
// digest flush of a channel.
type Meta interface {
	// GetMeta returns the value of key, or ErrNotFound for a missing key.
	GetMeta(ctx context.Context, key string) (string, error)
	// SetMeta creates or replaces the value of key.
	SetMeta(ctx context.Context, key, value string) error
}

// Match is one item matched by one query of a watch, kept for trends
// (surge alerts) and reports. It is recorded whatever happens to the
// delivery: a match muted, folded into a story or held for a digest still
// counts.
type Match struct {
	Watch   string
	Query   string // the keyword that matched
	Feed    string
	Source  string // the outlet's display name (an aggregator names it per item)
	ItemKey string // the feed's item key; unique with Watch, Query and Feed
	Title   string
	Link    string
	At      time.Time // when the match was found
}

// Matches keeps every match of every watch for trends and reports. The
// general contract of Store (times, text) applies.
type Matches interface {
	// RecordMatches adds matches. A match whose (Watch, Query, Feed,
	// ItemKey) is already recorded is skipped, so re-processing an item
	// counts it once.
	RecordMatches(ctx context.Context, ms []Match) error
	// MatchesBetween returns the matches of a watch ("" for all) found at
	// or after from and before to, oldest first (by At, then in recording
	// order).
	MatchesBetween(ctx context.Context, watch string, from, to time.Time) ([]Match, error)
	// PruneMatches deletes the matches found before before and returns
	// how many; a zero before deletes nothing.
	PruneMatches(ctx context.Context, before time.Time) (int64, error)
}

// MatchRetention is how long matches are worth keeping: a report of the
// longest period (90 days) compared with the 90 days before it.
const MatchRetention = 181 * 24 * time.Hour

// Leases lets several replicas sharing the database divide work.
type Leases interface {
	// Lease takes or renews the lease called name for owner until until,
	// so that of several replicas sharing the database only one does a
	// piece of work at a time (names such as "feed:<name>" and
	// "channel:<name>"). It succeeds, and records owner and until, when
	// no lease of that name exists, when the lease has expired (its until
	// is not after now) or when owner already holds it; otherwise it
	// returns false and changes nothing. Concurrent calls for one name
	// succeed for at most one owner. A zero now means the store's clock.
	// name and owner must not be empty and until must be after now.
	//
	// A lease is no fence: a holder that outlives its lease can race the
	// next one, so choose until beyond the longest piece of work (or renew
	// it on the way) and keep replica clocks within a small part of that.
	Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, error)
	// Release ends the lease called name if owner holds it; otherwise it
	// does nothing.
	Release(ctx context.Context, name, owner string) error
}

// Pruner deletes state that is no longer needed.
type Pruner interface {
	// Prune deletes what is no longer needed and returns the number of
	// rows deleted: seen item keys first seen before before, deliveries
	// sent before before, and leases that expired before before. Pending
	// deliveries, feed states, mutes, edits and meta are never pruned; a
	// zero before deletes nothing.
	//
	// A pruned item key reads as unseen again, so an item still in its
	// feed would alert again: pass a before far enough back (say 90 days)
	// that every item first seen earlier has left its feed.
	Prune(ctx context.Context, before time.Time) (int64, error)
}

// CheckLease validates the arguments of Leases.Lease; drivers call it first.
// Times are compared at the millisecond precision the stores keep.
func CheckLease(name, owner string, now, until time.Time) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case owner == "":
		return errors.New("empty owner")
	case !until.Truncate(time.Millisecond).After(now.Truncate(time.Millisecond)):
		return fmt.Errorf("until %v is not after now %v", until, now)
	}
	return nil
}
