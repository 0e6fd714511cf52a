// Package store defines how newshound keeps its state: feed poll state,
// the items already seen, the outbox of deliveries, mutes, the history
// of watchlist edits, and the matches and "Not relevant" votes reports
// read. Implementations live in sub-packages (sqlite,
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
	// Parent is, for a later copy of a story already alerted in the
	// channel, the ID of the row whose message the copy grows (an edit,
	// or a follow-up where the platform cannot edit); 0 otherwise.
	Parent int64
	// MessageID is the platform's reference to the message that carried
	// the row ("" when unknown); SetMessageID records it.
	MessageID string
}

// Mute silences a watch or a query until a time (zero: until unmuted).
type Mute struct {
	Target  string // watch name or query text
	Until   time.Time
	By      string
	Created time.Time
}

// StoryMuteTarget is the Mute.Target that stops the edits and follow-ups
// of one story in one channel (the "Mute story" button): row is the ID of
// a row the story's message carried.
func StoryMuteTarget(channel string, row int64) string {
	return fmt.Sprintf("story:%s:%d", channel, row)
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
	Votes
	Polls

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

// Polls records the outcome of a feed's poll. The general contract of
// Store (times, text) applies.
type Polls interface {
	// RecordPoll writes what one poll of p.State.Feed found in one
	// transaction, all of it or, on error, nothing: the deliveries (as
	// Enqueue), the matches (as RecordMatches), the item keys seen (as
	// MarkSeen, at p.SeenAt) and the feed state (as PutFeedState). It
	// returns the deliveries inserted, as Enqueue does. A poll that found
	// nothing new records its state alone, in one write like
	// PutFeedState.
	RecordPoll(ctx context.Context, p PollRecord) ([]Delivery, error)
}

// PollRecord is what one poll of a feed writes to the store.
type PollRecord struct {
	State      FeedState
	Deliveries []Delivery
	Matches    []Match
	Seen       []string // item keys of State.Feed
	SeenAt     time.Time
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
	// DueChannels returns, sorted, the channels that have deliveries
	// Pending would return at now: one cheap read tells the daemon which
	// channels to deliver this second.
	DueChannels(ctx context.Context, now time.Time) ([]string, error)
	// PendingAll returns every pending delivery of a channel ("" for all),
	// due or not, for status and manual flushes, in Pending's order.
	PendingAll(ctx context.Context, channel string) ([]Delivery, error)
	// Recent returns sent deliveries of a channel ("" for all), newest
	// Sent first, then by descending ID.
	Recent(ctx context.Context, channel string, limit int) ([]Delivery, error)
	// Since returns deliveries (pending or sent) of a channel ("" for all)
	// created at or after t, for story de-duplication, oldest first.
	Since(ctx context.Context, channel string, t time.Time) ([]Delivery, error)
	// Delivery returns the delivery with the given ID, or ErrNotFound.
	Delivery(ctx context.Context, id int64) (Delivery, error)
	// Children returns the deliveries (pending or sent) whose Parent is
	// id, by ascending ID.
	Children(ctx context.Context, id int64) ([]Delivery, error)
}

// Outbox is the outbox of deliveries: what is due to which channel, and
// whether it was sent. The general contract of Store (times, IDs, text)
// applies.
type Outbox interface {
	OutboxReader

	// Enqueue adds pending deliveries. A delivery whose (Channel, ItemKey)
	// already exists, pending or sent, is skipped. It returns the inserted
	// deliveries with their IDs set, in input order; IDs increase in input
	// order. Status, Attempts, LastError, Sent and MessageID of the input
	// are ignored; Parent is kept.
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
	// SetMessageID records the platform's reference to the message that
	// carried deliveries (pending or sent); "" forgets it.
	SetMessageID(ctx context.Context, ids []int64, messageID string) error
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
	// MetaPrefix returns every key that starts with prefix ("" for all),
	// with its value.
	MetaPrefix(ctx context.Context, prefix string) (map[string]string, error)
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

// Vote is one "Not relevant" vote: someone said an alert did not belong
// to its watch. It names the alert by its outbox row and keeps the
// alert's text, so the vote outlives the row.
type Vote struct {
	Watch   string // the alert's watch (Delivery.Watch)
	Channel string // the channel the alert was posted to
	Row     int64  // the ID of the alert's outbox row
	// ItemKey is the alert's Delivery.ItemKey. (Channel, ItemKey, Voter)
	// is unique: one person's votes on one alert count once.
	ItemKey string
	Title   string
	Snippet string // the text the alert showed under its title, "" when none
	// Voter is who voted, stable across renames: "<platform>:<user ID>".
	Voter string
	At    time.Time // when the vote was cast
}

// Votes keeps the "Not relevant" votes on alerts, for reports. The
// general contract of Store (times, text) applies.
type Votes interface {
	// RecordVote adds v. A vote whose (Channel, ItemKey, Voter) is already
	// recorded is skipped, whatever else differs: the first one is kept.
	RecordVote(ctx context.Context, v Vote) error
	// VotesBetween returns the votes on alerts of a watch ("" for all)
	// cast at or after from and before to, oldest first (by At, then in
	// recording order).
	VotesBetween(ctx context.Context, watch string, from, to time.Time) ([]Vote, error)
	// PruneVotes deletes the votes cast before before and returns how
	// many; a zero before deletes nothing.
	PruneVotes(ctx context.Context, before time.Time) (int64, error)
}

// MatchRetention is how long matches (and votes) are worth keeping: a
// report of the longest period (90 days) compared with the 90 days before
// it.
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
	// next one. Holders keep it short and renew it while they work (a
	// heartbeat), check before each irreversible step that their last
	// renewal still covers them, and keep replica clocks within a small
	// part of the lease (see docs/replicas.md).
	Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, error)
	// Release ends the lease called name if owner holds it; otherwise it
	// does nothing.
	Release(ctx context.Context, name, owner string) error
	// Holders returns every lease whose until is after now (a zero now
	// means the store's clock), ordered by name: who holds what.
	Holders(ctx context.Context, now time.Time) ([]LeaseInfo, error)
}

// SoleWriter is implemented by a store that can tell whether this
// process alone may write it (SQLite under its writer lock). No other
// replica can then take a share of its work, so work that a lease would
// keep from running twice in two processes needs none there.
type SoleWriter interface {
	// SoleWriter reports whether no other process can write the store.
	SoleWriter() bool
}

// LeaseInfo is one lease and its holder.
type LeaseInfo struct {
	Name  string
	Owner string
	Until time.Time
}

// ErrConflict is returned by a compare-and-swap whose expected version is
// no longer the latest: someone else changed the value meanwhile.
var ErrConflict = errors.New("store: changed meanwhile")

// WatchlistDoc is one version of the watchlist document kept in the
// store.
type WatchlistDoc struct {
	Version int64  // 1, 2, …; the highest is the one in force
	Text    []byte // the document byte for byte, comments included
	Hash    string // SHA-256 of Text in hex, as config.SourceHash
	At      time.Time
	By      string // who saved it and how, for the history
}

// Watchlists keeps the watchlist document in the store, so that every
// replica sharing it runs the same watchlist: versioned, changed only by
// compare-and-swap, with its history. Only stores shared by replicas
// (PostgreSQL) implement it. The general contract of Store (times, limits)
// applies.
type Watchlists interface {
	// Watchlist returns the latest version, or ErrNotFound when none was
	// saved yet.
	Watchlist(ctx context.Context) (WatchlistDoc, error)
	// WatchlistVersion returns one version, or ErrNotFound.
	WatchlistVersion(ctx context.Context, version int64) (WatchlistDoc, error)
	// PutWatchlist saves text as version base+1 when base is the latest
	// version (0: none yet), and returns it; otherwise it changes nothing
	// and returns ErrConflict. At is the store's clock and Hash is
	// computed. Every ListenWatchlist of the store is told.
	PutWatchlist(ctx context.Context, base int64, text []byte, by string) (WatchlistDoc, error)
	// WatchlistHistory returns the latest versions, newest first.
	WatchlistHistory(ctx context.Context, limit int) ([]WatchlistDoc, error)
	// ListenWatchlist calls changed with the new version each time one is
	// saved (by any process sharing the store) until ctx ends; it returns
	// ctx's error then, or the error that stopped it listening. Callers
	// keep a poll as a fallback: a notification can be missed while the
	// listener reconnects.
	ListenWatchlist(ctx context.Context, changed func(version int64)) error
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
