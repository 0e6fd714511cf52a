// Package storetest is the conformance suite every store.Store
// implementation must pass. A driver's test calls Run with a function
// that opens a fresh, empty store.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
)

// t0 is the suite's "now". Fixed times keep the tests independent of the
// clock; only the stamping of zero times reads the real clock.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// kst is a non-UTC zone for times written by the tests.
var kst = time.FixedZone("KST", 9*3600)

// Run runs the conformance suite. open must return a new, empty store
// for each call and arrange for it to be closed with t.Cleanup; it is
// called from parallel subtests, each with a store of its own.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"FeedState", testFeedState},
		{"Seen", testSeen},
		{"Enqueue", testEnqueue},
		{"EnqueueStampsCreated", testEnqueueStampsCreated},
		{"Pending", testPending},
		{"DueChannels", testDueChannels},
		{"MarkSent", testMarkSent},
		{"MarkFailed", testMarkFailed},
		{"Reschedule", testReschedule},
		{"Recent", testRecent},
		{"Since", testSince},
		{"Messages", testMessages},
		{"Mutes", testMutes},
		{"Edits", testEdits},
		{"Meta", testMeta},
		{"TimesUTCMillis", testTimes},
		{"Payload", testPayload},
		{"OddText", testOddText},
		{"ConcurrentEnqueue", testConcurrentEnqueue},
		{"ConcurrentMarkSeen", testConcurrentMarkSeen},
		{"Lease", testLease},
		{"LeaseErrors", testLeaseErrors},
		{"ConcurrentLease", testConcurrentLease},
		{"LeaseHeartbeat", testLeaseHeartbeat},
		{"LeaseHolders", testLeaseHolders},
		{"Prune", testPrune},
		{"Matches", testMatches},
		{"Votes", testVotes},
		{"RecordPoll", testRecordPoll},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // a store of its own: waits on the database overlap
			tc.fn(t, open(t))
		})
	}
}

func testFeedState(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.FeedState(ctx, "yonhap"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FeedState of a new feed: err = %v, want ErrNotFound", err)
	}
	full := store.FeedState{
		Feed: "yonhap", URL: "https://www.yna.co.kr/rss/news.xml", ETag: `W/"abc"`,
		LastModified: "Mon, 02 Mar 2026 09:00:00 GMT", BodyHash: "sha256:00ff", Initialized: true,
		LastAttempt: t0.In(kst).Add(123456789 * time.Nanosecond), LastSuccess: t0.Add(-time.Minute),
		LastError: "연결 실패: timeout", Failures: 3, NextPoll: t0.Add(5 * time.Minute), ItemsSeen: 1 << 40,
	}
	check(t, s.PutFeedState(ctx, full))
	got, err := s.FeedState(ctx, "yonhap")
	check(t, err)
	if want := normFeedState(full); got != want {
		t.Errorf("FeedState after put:\n got %+v\nwant %+v", got, want)
	}

	// A second put replaces every field, zero times included.
	cleared := store.FeedState{Feed: "yonhap", URL: "https://example.com/new.xml", Failures: 1}
	check(t, s.PutFeedState(ctx, cleared))
	got, err = s.FeedState(ctx, "yonhap")
	check(t, err)
	if got != cleared {
		t.Errorf("FeedState after replace:\n got %+v\nwant %+v", got, cleared)
	}

	check(t, s.PutFeedState(ctx, store.FeedState{Feed: "bbc", URL: "https://feeds.bbci.co.uk/news/rss.xml"}))
	all, err := s.FeedStates(ctx)
	check(t, err)
	var names []string
	for _, st := range all {
		names = append(names, st.Feed)
	}
	if want := []string{"bbc", "yonhap"}; !slices.Equal(names, want) {
		t.Errorf("FeedStates feeds = %q, want %q", names, want)
	}
}

func testSeen(t *testing.T, s store.Store) {
	ctx := t.Context()
	k := func(s string) string { return "연합뉴스\x00" + s }
	steps := []struct {
		op   string // "unseen" or "mark"
		feed string
		keys []string
		want []string
	}{
		{"unseen", "f", []string{k("a"), k("b"), k("a")}, []string{k("a"), k("b")}},
		{"unseen", "f", []string{k("a")}, []string{k("a")}}, // Unseen changes nothing
		{"mark", "f", []string{k("b"), k("c"), k("b"), k("d")}, []string{k("b"), k("c"), k("d")}},
		{"mark", "f", []string{k("a"), k("b"), k("e")}, []string{k("a"), k("e")}},
		{"mark", "f", []string{k("a"), k("b"), k("e")}, nil}, // idempotent
		{"unseen", "f", []string{k("e"), k("x"), k("a"), k("y")}, []string{k("x"), k("y")}},
		{"mark", "g", []string{k("a"), k("z")}, []string{k("a"), k("z")}}, // feeds are independent
		{"mark", "f", nil, nil},
		{"unseen", "f", nil, nil},
	}
	for i, st := range steps {
		var got []string
		var err error
		if st.op == "mark" {
			got, err = s.MarkSeen(ctx, st.feed, st.keys, t0)
		} else {
			got, err = s.Unseen(ctx, st.feed, st.keys)
		}
		check(t, err)
		if !slices.Equal(got, st.want) {
			t.Errorf("step %d: %s(%s, %q) = %q, want %q", i, st.op, st.feed, st.keys, got, st.want)
		}
	}
}

func testEnqueue(t *testing.T, s store.Store) {
	ctx := t.Context()
	in := []store.Delivery{
		delivery("slack", "k1", t0), delivery("slack", "k2", t0), delivery("slack", "k3", t0),
	}
	// Outbox bookkeeping fields of the input are ignored.
	in[1].Status, in[1].Attempts, in[1].LastError, in[1].Sent = store.StatusSent, 7, "old", t0
	got := enqueue(t, s, in...)
	if len(got) != 3 {
		t.Fatalf("Enqueue returned %d deliveries, want 3", len(got))
	}
	for i, d := range got {
		if d.ID == 0 || (i > 0 && d.ID <= got[i-1].ID) {
			t.Errorf("Enqueue IDs %v: want non-zero and increasing in input order", ids(got))
		}
		want := in[i]
		want.ID, want.Status, want.Attempts, want.LastError, want.Sent = d.ID, store.StatusPending, 0, "", time.Time{}
		if diff := diffDelivery(d, want); diff != "" {
			t.Errorf("Enqueue result %d: %s", i, diff)
		}
	}
	assertDeliveries(t, "PendingAll after Enqueue", pendingAll(t, s, ""), got)

	// Duplicates: within the batch, of a pending row, of a sent row.
	check(t, s.MarkSent(ctx, []int64{got[0].ID}, t0))
	again := enqueue(t, s,
		delivery("slack", "k1", t0),   // sent
		delivery("slack", "k2", t0),   // pending
		delivery("slack", "k4", t0),   // new
		delivery("discord", "k1", t0), // same key, other channel: new
		delivery("slack", "k4", t0),   // repeated in the batch
	)
	if keys := itemKeys(again); !slices.Equal(keys, []string{"slack/k4", "discord/k1"}) {
		t.Errorf("Enqueue with duplicates inserted %q, want [slack/k4 discord/k1]", keys)
	}
	if again[0].ID <= got[2].ID {
		t.Errorf("new ID %d not after earlier IDs %v", again[0].ID, ids(got))
	}
	if all := pendingAll(t, s, ""); len(all) != 4 {
		t.Errorf("PendingAll has %d rows, want 4 (k2, k3, k4, discord k1): %q", len(all), itemKeys(all))
	}
	if empty, err := s.Enqueue(ctx, nil); err != nil || len(empty) != 0 {
		t.Errorf("Enqueue(nil) = %v, %v; want nothing, nil", empty, err)
	}
}

func testEnqueueStampsCreated(t *testing.T, s store.Store) {
	before := time.Now().Truncate(time.Millisecond)
	d := delivery("slack", "k", t0)
	d.Created = time.Time{}
	got := enqueue(t, s, d)
	after := time.Now()
	if len(got) != 1 {
		t.Fatalf("Enqueue returned %d deliveries, want 1", len(got))
	}
	read := pendingAll(t, s, "")
	for _, c := range []time.Time{got[0].Created, read[0].Created} {
		if c.Before(before) || c.After(after) {
			t.Errorf("zero Created stamped as %v, want between %v and %v", c, before, after)
		}
	}
}

// testDueChannels: the channels with deliveries Pending would return.
func testDueChannels(t *testing.T, s store.Store) {
	ctx := t.Context()
	at := func(channel, key string, due time.Time) store.Delivery {
		d := delivery(channel, key, t0.Add(-time.Hour))
		d.Due = due
		return d
	}
	ds := enqueue(t, s,
		at("slack", "later", t0.Add(time.Hour)),
		at("discord", "now", t0),
		at("webhook", "backoff", t0.Add(-time.Hour)),
		at("console", "sent", t0.Add(-time.Hour)),
		at("teams", "zero-due", time.Time{}),
	)
	check(t, s.MarkFailed(ctx, []int64{ds[2].ID}, "503", t0.Add(time.Minute)))
	check(t, s.MarkSent(ctx, []int64{ds[3].ID}, t0))
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{t0.Add(-time.Minute), "teams"},
		{t0, "discord,teams"},
		{t0.Add(time.Minute), "discord,teams,webhook"},
		{t0.Add(time.Hour), "discord,slack,teams,webhook"},
	} {
		got, err := s.DueChannels(ctx, tc.now)
		check(t, err)
		if strings.Join(got, ",") != tc.want {
			t.Errorf("DueChannels at %s = %q, want %s", tc.now.Format(time.TimeOnly), got, tc.want)
		}
	}
}

func testPending(t *testing.T, s store.Store) {
	ctx := t.Context()
	at := func(channel, key string, due time.Time) store.Delivery {
		d := delivery(channel, key, t0.Add(-time.Hour))
		d.Due = due
		return d
	}
	ds := enqueue(t, s,
		at("slack", "later", t0.Add(time.Hour)),
		at("slack", "zero-due", time.Time{}),
		at("slack", "hour-ago", t0.Add(-time.Hour)),
		at("slack", "now", t0),
		at("slack", "backoff", t0.Add(-2*time.Hour)),
		at("discord", "other", t0.Add(-3*time.Hour)),
		at("slack", "sent", t0.Add(-4*time.Hour)),
		at("slack", "now-2", t0), // same Due as "now": ordered by ID
	)
	byKey := map[string]int64{}
	for _, d := range ds {
		byKey[d.ItemKey] = d.ID
	}
	check(t, s.MarkFailed(ctx, []int64{byKey["backoff"]}, "503", t0.Add(time.Minute)))
	check(t, s.MarkSent(ctx, []int64{byKey["sent"]}, t0))

	tests := []struct {
		name    string
		channel string
		now     time.Time
		all     bool // PendingAll
		want    []string
	}{
		{"channel at t0", "slack", t0, false, []string{"zero-due", "hour-ago", "now", "now-2"}},
		{"all channels at t0", "", t0, false, []string{"zero-due", "other", "hour-ago", "now", "now-2"}},
		{"backoff over", "slack", t0.Add(time.Minute), false, []string{"zero-due", "backoff", "hour-ago", "now", "now-2"}},
		{"everything due", "slack", t0.Add(time.Hour), false, []string{"zero-due", "backoff", "hour-ago", "now", "now-2", "later"}},
		{"before anything", "slack", t0.Add(-3 * time.Hour), false, []string{"zero-due"}},
		{"unknown channel", "telegram", t0, false, nil},
		{"PendingAll channel", "slack", time.Time{}, true, []string{"zero-due", "backoff", "hour-ago", "now", "now-2", "later"}},
		{"PendingAll all", "", time.Time{}, true, []string{"zero-due", "other", "backoff", "hour-ago", "now", "now-2", "later"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []store.Delivery
			var err error
			if tc.all {
				got, err = s.PendingAll(ctx, tc.channel)
			} else {
				got, err = s.Pending(ctx, tc.channel, tc.now)
			}
			check(t, err)
			var keys []string
			for _, d := range got {
				keys = append(keys, d.ItemKey)
				if d.Status != store.StatusPending {
					t.Errorf("%s has status %q", d.ItemKey, d.Status)
				}
			}
			if !slices.Equal(keys, tc.want) {
				t.Errorf("got %q, want %q", keys, tc.want)
			}
		})
	}
}

func testMarkSent(t *testing.T, s store.Store) {
	ctx := t.Context()
	ds := enqueue(t, s, delivery("slack", "a", t0), delivery("slack", "b", t0), delivery("slack", "c", t0))
	t1 := t0.Add(time.Minute)
	check(t, s.MarkSent(ctx, []int64{ds[0].ID, ds[1].ID, 1 << 50}, t1)) // unknown IDs are ignored
	assertDeliveries(t, "PendingAll after MarkSent", pendingAll(t, s, "slack"), ds[2:])
	sent := recent(t, s, "slack", 0)
	if len(sent) != 2 {
		t.Fatalf("Recent has %d rows, want 2", len(sent))
	}
	for _, d := range sent {
		if d.Status != store.StatusSent || !d.Sent.Equal(t1) {
			t.Errorf("%s: status %q sent %v, want %q at %v", d.ItemKey, d.Status, d.Sent, store.StatusSent, t1)
		}
	}

	// Idempotent: a second MarkSent keeps the first Sent time.
	check(t, s.MarkSent(ctx, []int64{ds[0].ID}, t1.Add(time.Hour)))
	for _, d := range recent(t, s, "slack", 0) {
		if !d.Sent.Equal(t1) {
			t.Errorf("%s: Sent = %v after a repeated MarkSent, want %v", d.ItemKey, d.Sent, t1)
		}
	}
	check(t, s.MarkSent(ctx, nil, t1))

	// A zero time is stamped with the store's clock.
	before := time.Now().Truncate(time.Millisecond)
	check(t, s.MarkSent(ctx, []int64{ds[2].ID}, time.Time{}))
	if sent := recent(t, s, "slack", 1)[0]; sent.ID != ds[2].ID || sent.Sent.Before(before) || sent.Sent.After(time.Now()) {
		t.Errorf("MarkSent with zero time: newest %d sent at %v, want %d stamped now", sent.ID, sent.Sent, ds[2].ID)
	}
}

// testMessages checks the columns of living alerts: Parent round-trips
// through Enqueue, SetMessageID records a message reference on pending
// and sent rows, Delivery reads one row and Children the rows of a parent.
func testMessages(t *testing.T, s store.Store) {
	ctx := t.Context()
	alert := enqueue(t, s, delivery("discord", "a", t0))[0]
	if alert.Parent != 0 || alert.MessageID != "" {
		t.Fatalf("new row: parent %d message %q, want 0 and none", alert.Parent, alert.MessageID)
	}
	check(t, s.MarkSent(ctx, []int64{alert.ID}, t0))
	check(t, s.SetMessageID(ctx, []int64{alert.ID, 1 << 50}, "1234567890123456789"))
	got, err := s.Delivery(ctx, alert.ID)
	check(t, err)
	if got.MessageID != "1234567890123456789" || got.Status != store.StatusSent {
		t.Errorf("Delivery after SetMessageID: message %q status %q", got.MessageID, got.Status)
	}
	if _, err := s.Delivery(ctx, 1<<50); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delivery of an unknown ID: %v, want ErrNotFound", err)
	}

	edit := delivery("discord", "b", t0.Add(time.Minute))
	edit.Parent = alert.ID
	other := delivery("discord", "c", t0.Add(time.Minute))
	added := enqueue(t, s, edit, other)
	if added[0].Parent != alert.ID || added[1].Parent != 0 {
		t.Fatalf("Enqueue returned parents %d, %d; want %d, 0", added[0].Parent, added[1].Parent, alert.ID)
	}
	kids, err := s.Children(ctx, alert.ID)
	check(t, err)
	assertDeliveries(t, "Children", kids, added[:1])
	if kids, err := s.Children(ctx, 0); err != nil || len(kids) != 0 {
		t.Errorf("Children(0) = %d rows, %v; want none", len(kids), err)
	}
	assertDeliveries(t, "PendingAll with a child", pendingAll(t, s, "discord"), added)

	// A pending row takes a reference too, and "" forgets it.
	check(t, s.SetMessageID(ctx, []int64{added[1].ID}, "C1:1700000000.000100"))
	got, err = s.Delivery(ctx, added[1].ID)
	check(t, err)
	if got.MessageID != "C1:1700000000.000100" || got.Status != store.StatusPending {
		t.Errorf("pending row after SetMessageID: message %q status %q", got.MessageID, got.Status)
	}
	check(t, s.SetMessageID(ctx, []int64{alert.ID}, ""))
	if got, _ := s.Delivery(ctx, alert.ID); got.MessageID != "" {
		t.Errorf("SetMessageID(\"\") left %q", got.MessageID)
	}
	check(t, s.SetMessageID(ctx, nil, "x"))
}

func testMarkFailed(t *testing.T, s store.Store) {
	ctx := t.Context()
	ds := enqueue(t, s, delivery("slack", "a", t0), delivery("slack", "sent", t0))
	id := ds[0].ID
	check(t, s.MarkSent(ctx, []int64{ds[1].ID}, t0))

	steps := []struct {
		msg  string
		next time.Time
	}{
		{"slack: 503 service unavailable", t0.Add(5 * time.Minute)},
		{"slack: 429 rate limited", t0.Add(10 * time.Minute)},
	}
	for i, st := range steps {
		check(t, s.MarkFailed(ctx, []int64{id, ds[1].ID}, st.msg, st.next))
		all := pendingAll(t, s, "slack")
		if len(all) != 1 {
			t.Fatalf("after MarkFailed: %d pending, want 1", len(all))
		}
		d := all[0]
		if d.Attempts != i+1 || d.LastError != st.msg || !d.NextAttempt.Equal(st.next) {
			t.Errorf("after failure %d: attempts %d, last error %q, next %v; want %d, %q, %v",
				i+1, d.Attempts, d.LastError, d.NextAttempt, i+1, st.msg, st.next)
		}
		if got := pending(t, s, "slack", st.next.Add(-time.Millisecond)); len(got) != 0 {
			t.Errorf("after failure %d: pending before next attempt: %q", i+1, itemKeys(got))
		}
		if got := pending(t, s, "slack", st.next); len(got) != 1 {
			t.Errorf("after failure %d: not pending at next attempt", i+1)
		}
	}
	if sent := recent(t, s, "slack", 0); len(sent) != 1 || sent[0].Attempts != 0 || sent[0].LastError != "" {
		t.Errorf("MarkFailed changed a sent delivery: %+v", sent)
	}
}

func testReschedule(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b, c := delivery("slack", "a", t0), delivery("slack", "b", t0), delivery("slack", "sent", t0)
	a.Due, b.Due, c.Due = t0.Add(time.Hour), t0.Add(2*time.Hour), t0.Add(time.Hour)
	ds := enqueue(t, s, a, b, c)
	check(t, s.MarkSent(ctx, []int64{ds[2].ID}, t0))

	check(t, s.Reschedule(ctx, []int64{ds[0].ID, ds[2].ID}, t0.Add(-time.Minute)))
	if got := pending(t, s, "slack", t0); len(got) != 1 || got[0].ID != ds[0].ID || !got[0].Due.Equal(t0.Add(-time.Minute)) {
		t.Errorf("after Reschedule: Pending = %+v, want only a due at t0-1m", got)
	}
	check(t, s.MarkFailed(ctx, []int64{ds[1].ID}, "boom", t0.Add(time.Hour)))
	check(t, s.Reschedule(ctx, []int64{ds[1].ID}, time.Time{}))
	if got := pending(t, s, "slack", t0); len(got) != 2 || got[0].ID != ds[1].ID || !got[0].Due.IsZero() || !got[0].NextAttempt.IsZero() {
		t.Errorf("after Reschedule to zero of a failed row: Pending = %q, want b (zero Due, no next attempt) first", itemKeys(got))
	}
	if sent := recent(t, s, "slack", 0); len(sent) != 1 || !sent[0].Due.Equal(t0.Add(time.Hour)) {
		t.Errorf("Reschedule changed a sent delivery: %+v", sent)
	}
}

func testRecent(t *testing.T, s store.Store) {
	ctx := t.Context()
	ds := enqueue(t, s,
		delivery("slack", "first", t0), delivery("slack", "third", t0), delivery("slack", "second", t0),
		delivery("slack", "third-tie", t0), delivery("discord", "other", t0), delivery("slack", "pending", t0))
	sentAt := []time.Time{t0.Add(time.Minute), t0.Add(3 * time.Minute), t0.Add(2 * time.Minute), t0.Add(3 * time.Minute), t0.Add(4 * time.Minute)}
	for i, at := range sentAt {
		check(t, s.MarkSent(ctx, []int64{ds[i].ID}, at))
	}
	tests := []struct {
		channel string
		limit   int
		want    []string
	}{
		{"slack", 0, []string{"third-tie", "third", "second", "first"}},
		{"slack", -1, []string{"third-tie", "third", "second", "first"}},
		{"slack", 2, []string{"third-tie", "third"}},
		{"slack", 10, []string{"third-tie", "third", "second", "first"}},
		{"", 3, []string{"other", "third-tie", "third"}},
		{"telegram", 5, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.channel, tc.limit), func(t *testing.T) {
			var keys []string
			for _, d := range recent(t, s, tc.channel, tc.limit) {
				keys = append(keys, d.ItemKey)
			}
			if !slices.Equal(keys, tc.want) {
				t.Errorf("Recent = %q, want %q", keys, tc.want)
			}
		})
	}
}

func testSince(t *testing.T, s store.Store) {
	ctx := t.Context()
	ds := enqueue(t, s,
		delivery("slack", "plus-hour", t0.Add(time.Hour)),
		delivery("slack", "minus-2h", t0.Add(-2*time.Hour)),
		delivery("slack", "minus-1h", t0.Add(-time.Hour)),
		delivery("slack", "sent-now", t0),
		delivery("discord", "other", t0),
	)
	check(t, s.MarkSent(ctx, []int64{ds[3].ID}, t0))
	tests := []struct {
		channel string
		since   time.Time
		want    []string
	}{
		{"slack", t0.Add(-time.Hour), []string{"minus-1h", "sent-now", "plus-hour"}}, // inclusive
		{"slack", t0.Add(-time.Hour + time.Millisecond), []string{"sent-now", "plus-hour"}},
		{"", t0, []string{"sent-now", "other", "plus-hour"}},
		{"slack", t0.Add(2 * time.Hour), nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s", tc.channel, tc.since.Format(time.TimeOnly)), func(t *testing.T) {
			got, err := s.Since(ctx, tc.channel, tc.since)
			check(t, err)
			if keys := itemKeysOnly(got); !slices.Equal(keys, tc.want) {
				t.Errorf("Since = %q, want %q", keys, tc.want)
			}
		})
	}
}

func testMutes(t *testing.T, s store.Store) {
	ctx := t.Context()
	if ms, err := s.Mutes(ctx); err != nil || len(ms) != 0 {
		t.Fatalf("Mutes of a new store = %v, %v; want none", ms, err)
	}
	check(t, s.PutMute(ctx, store.Mute{Target: "반도체", Until: t0.Add(time.Hour), By: "alice", Created: t0}))
	check(t, s.PutMute(ctx, store.Mute{Target: "AI OR 인공지능", By: "bob", Created: t0}))
	replaced := store.Mute{Target: "반도체", Until: t0.Add(2 * time.Hour), By: "carol", Created: t0.Add(time.Minute)}
	check(t, s.PutMute(ctx, replaced))
	ms, err := s.Mutes(ctx)
	check(t, err)
	want := []store.Mute{{Target: "AI OR 인공지능", By: "bob", Created: t0}, replaced}
	if !slices.Equal(ms, want) {
		t.Errorf("Mutes =\n %+v\nwant\n %+v", ms, want)
	}

	check(t, s.DeleteMute(ctx, "AI OR 인공지능"))
	for _, target := range []string{"AI OR 인공지능", "never muted"} {
		if err := s.DeleteMute(ctx, target); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteMute(%q) = %v, want ErrNotFound", target, err)
		}
	}
	ms, err = s.Mutes(ctx)
	check(t, err)
	if len(ms) != 1 || ms[0] != replaced {
		t.Errorf("Mutes after delete = %+v, want [%+v]", ms, replaced)
	}
}

func testEdits(t *testing.T, s store.Store) {
	ctx := t.Context()
	if es, err := s.Edits(ctx, 10); err != nil || len(es) != 0 {
		t.Fatalf("Edits of a new store = %v, %v; want none", es, err)
	}
	edit := func(cmd string, at time.Time) store.Edit {
		return store.Edit{At: at, Platform: "slack", User: "U123", Command: cmd, BeforeHash: "h0", AfterHash: "h1-" + cmd}
	}
	for _, e := range []store.Edit{
		edit("add a", t0), edit("add c", t0.Add(2*time.Minute)), edit("add b", t0.Add(time.Minute)),
		edit("add c2", t0.Add(2*time.Minute)),
	} {
		check(t, s.RecordEdit(ctx, e))
	}
	tests := []struct {
		limit int
		want  []string
	}{
		{0, []string{"add c2", "add c", "add b", "add a"}},
		{2, []string{"add c2", "add c"}},
		{9, []string{"add c2", "add c", "add b", "add a"}},
	}
	for _, tc := range tests {
		es, err := s.Edits(ctx, tc.limit)
		check(t, err)
		var cmds []string
		for _, e := range es {
			cmds = append(cmds, e.Command)
			want := edit(e.Command, e.At)
			want.ID = e.ID
			if e.ID == 0 || e != want {
				t.Errorf("edit = %+v, want %+v with an ID", e, want)
			}
		}
		if !slices.Equal(cmds, tc.want) {
			t.Errorf("Edits(%d) = %q, want %q", tc.limit, cmds, tc.want)
		}
	}
}

func testMeta(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.GetMeta(ctx, "digest:slack"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetMeta of a missing key: err = %v, want ErrNotFound", err)
	}
	for _, v := range []string{"2026-03-02T09:00:00Z", "", "다음 요약"} {
		check(t, s.SetMeta(ctx, "digest:slack", v))
		got, err := s.GetMeta(ctx, "digest:slack")
		check(t, err)
		if got != v {
			t.Errorf("GetMeta = %q, want %q", got, v)
		}
	}
	if _, err := s.GetMeta(ctx, "digest:discord"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetMeta of another key: err = %v, want ErrNotFound", err)
	}

	// MetaPrefix: the keys that start with the prefix, whatever follows.
	for k, v := range map[string]string{
		"feed.untrusted.yna": "https://yna.example/rss", "feed.untrusted.연합": "https://연합.example/", "feed.untrusted.": "",
		"feed.untrustedX": "x", "feed.untruste": "y", "feed.untrusted\xff": "z",
	} {
		check(t, s.SetMeta(ctx, k, v))
	}
	got, err := s.MetaPrefix(ctx, "feed.untrusted.")
	check(t, err)
	want := map[string]string{"feed.untrusted.yna": "https://yna.example/rss", "feed.untrusted.연합": "https://연합.example/", "feed.untrusted.": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MetaPrefix(feed.untrusted.) = %q, want %q", got, want)
	}
	if got, err := s.MetaPrefix(ctx, "nothing."); err != nil || len(got) != 0 {
		t.Errorf("MetaPrefix(nothing.) = %q, %v; want none", got, err)
	}
	all, err := s.MetaPrefix(ctx, "")
	check(t, err)
	if len(all) != 7 || all["digest:slack"] != "다음 요약" {
		t.Errorf("MetaPrefix(\"\") = %q, want all 7 keys", all)
	}
}

func testTimes(t *testing.T, s store.Store) {
	ctx := t.Context()
	odd := t0.In(kst).Add(987654321 * time.Nanosecond) // .987654321 s in KST
	d := delivery("slack", "k", odd)
	d.Due, d.NextAttempt = odd.Add(time.Minute), odd.Add(2*time.Minute)
	got := enqueue(t, s, d)
	read := pendingAll(t, s, "slack")
	check(t, s.PutMute(ctx, store.Mute{Target: "m", Until: odd, Created: odd}))
	ms, err := s.Mutes(ctx)
	check(t, err)
	check(t, s.RecordEdit(ctx, store.Edit{At: odd}))
	es, err := s.Edits(ctx, 1)
	check(t, err)

	want := odd.Truncate(time.Millisecond).UTC()
	times := map[string]time.Time{
		"Enqueue result Created": got[0].Created, "read Created": read[0].Created,
		"read Due": read[0].Due.Add(-time.Minute), "read NextAttempt": read[0].NextAttempt.Add(-2 * time.Minute),
		"Mute.Until": ms[0].Until, "Mute.Created": ms[0].Created, "Edit.At": es[0].At,
	}
	for name, tm := range times {
		if !tm.Equal(want) || tm.Location() != time.UTC {
			t.Errorf("%s = %v (%v), want %v in UTC", name, tm, tm.Location(), want)
		}
	}
	if diff := diffDelivery(read[0], got[0]); diff != "" {
		t.Errorf("read delivery differs from Enqueue's result: %s", diff)
	}
}

func testPayload(t *testing.T, s store.Store) {
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(i * 7)
	}
	tests := []struct {
		payload []byte
	}{
		{nil},
		{[]byte{}},
		{[]byte{0, 1, 2, 0xff, 0xfe, 0}},
		{[]byte(`{"title":"삼성전자, 반도체 투자 확대","link":"https://example.com/?a=1&b=2"}`)},
		{big},
		{[]byte("\x00")},
	}
	var in []store.Delivery
	for i, tc := range tests {
		d := delivery("slack", fmt.Sprint("k", i), t0)
		d.Payload = tc.payload
		in = append(in, d)
	}
	enqueue(t, s, in...)
	read := pendingAll(t, s, "slack")
	if len(read) != len(tests) {
		t.Fatalf("read %d deliveries, want %d", len(read), len(tests))
	}
	for i, d := range read {
		if !bytes.Equal(d.Payload, tests[i].payload) {
			t.Errorf("payload %d: got %d bytes, want %d bytes %q", i, len(d.Payload), len(tests[i].payload), trim(tests[i].payload))
		}
	}
}

// testOddText checks that item keys holding NUL bytes and invalid UTF-8
// round-trip exactly, and that such bytes in other text are accepted.
func testOddText(t *testing.T, s store.Store) {
	ctx := t.Context()
	keys := []string{"yonhap\x00https://yna.co.kr/1", "bad\xff\xfeutf8", "yonhap\x00https://yna.co.kr/2"}
	fresh, err := s.MarkSeen(ctx, "f", keys[:2], t0)
	check(t, err)
	if !slices.Equal(fresh, keys[:2]) {
		t.Errorf("MarkSeen = %q, want %q", fresh, keys[:2])
	}
	unseen, err := s.Unseen(ctx, "f", keys)
	check(t, err)
	if !slices.Equal(unseen, keys[2:]) {
		t.Errorf("Unseen = %q, want %q", unseen, keys[2:])
	}

	var in []store.Delivery
	for _, k := range keys {
		d := delivery("slack", k, t0)
		d.Title, d.Link = "nul\x00title", "bad\xffutf8"
		in = append(in, d)
	}
	got := enqueue(t, s, in...)
	if again := enqueue(t, s, in...); len(again) != 0 {
		t.Errorf("second Enqueue inserted %q", itemKeys(again))
	}
	read := pendingAll(t, s, "slack")
	if !slices.Equal(itemKeysOnly(got), keys) || !slices.Equal(itemKeysOnly(read), keys) {
		t.Errorf("item keys: Enqueue returned %q, read %q; want %q", itemKeysOnly(got), itemKeysOnly(read), keys)
	}
	for i := range read {
		if i < len(got) && (read[i].Title != got[i].Title || read[i].Link != got[i].Link) {
			t.Errorf("delivery %d: read title %q link %q, Enqueue returned %q %q",
				i, read[i].Title, read[i].Link, got[i].Title, got[i].Link)
		}
	}
	check(t, s.MarkFailed(ctx, ids(got), "error with \x00 and \xff", t0))
}

func testConcurrentEnqueue(t *testing.T, s store.Store) {
	const workers, keys = 8, 25
	var (
		mu    sync.Mutex
		total []store.Delivery
		wg    sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			batch := make([]store.Delivery, keys)
			for i := range batch {
				batch[i] = delivery("slack", fmt.Sprint("k", i), t0)
			}
			// Different orders exercise lock ordering between writers.
			r := rand.New(rand.NewPCG(uint64(w), 1))
			r.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
			got, err := s.Enqueue(t.Context(), batch)
			if err != nil {
				t.Errorf("worker %d: %v", w, err)
			}
			mu.Lock()
			total = append(total, got...)
			mu.Unlock()
		})
	}
	wg.Wait()
	assertOnce(t, "Enqueue results", itemKeysOnly(total), keys)
	assertOnce(t, "PendingAll", itemKeysOnly(pendingAll(t, s, "slack")), keys)
}

func testConcurrentMarkSeen(t *testing.T, s store.Store) {
	const workers, keys = 8, 25
	var (
		mu    sync.Mutex
		total []string
		wg    sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			batch := make([]string, keys)
			for i := range batch {
				batch[i] = fmt.Sprint("k", i)
			}
			r := rand.New(rand.NewPCG(uint64(w), 2))
			r.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
			got, err := s.MarkSeen(t.Context(), "f", batch, t0)
			if err != nil {
				t.Errorf("worker %d: %v", w, err)
			}
			mu.Lock()
			total = append(total, got...)
			mu.Unlock()
		})
	}
	wg.Wait()
	assertOnce(t, "MarkSeen results", total, keys)
}

func testLease(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	steps := []struct {
		op          string // "lease" or "release"
		name, owner string
		now, until  time.Time
		want        bool
	}{
		{"lease", "feed:yonhap", "a", m(0), m(2), true},
		{"lease", "feed:yonhap", "b", m(1), m(3), false},                        // held by a
		{"lease", "feed:yonhap", "a", m(1), m(4), true},                         // renewed by its owner
		{"lease", "feed:yonhap", "b", m(3), m(5), false},                        // the renewal counts
		{"lease", "feed:yonhap", "b", m(4).Add(-time.Millisecond), m(5), false}, // not yet expired
		{"lease", "feed:yonhap", "b", m(4), m(6), true},                         // expired: until <= now
		{"lease", "feed:yonhap", "a", m(5), m(7), false},                        // a lost it
		{"lease", "channel:yonhap", "a", m(5), m(7), true},                      // names are independent
		{"release", "feed:yonhap", "a", time.Time{}, time.Time{}, false},        // not a's: no effect
		{"lease", "feed:yonhap", "a", m(5), m(7), false},
		{"release", "feed:yonhap", "b", time.Time{}, time.Time{}, false},
		{"lease", "feed:yonhap", "a", m(5), m(7), true}, // released before its until
		{"release", "feed:never", "a", time.Time{}, time.Time{}, false},
		{"lease", "channel:yonhap", "b", m(6), m(8), false}, // untouched by the releases
		{"lease", "channel:yonhap", "b", m(6).Add(time.Hour), m(8).Add(time.Hour), true},
		// Renewing may also shorten a lease.
		{"lease", "channel:yonhap", "b", m(70), m(71), true},
		{"lease", "channel:yonhap", "a", m(71), m(72), true},
	}
	for i, st := range steps {
		if st.op == "release" {
			check(t, s.Release(ctx, st.name, st.owner))
			continue
		}
		got, err := s.Lease(ctx, st.name, st.owner, st.now, st.until)
		check(t, err)
		if got != st.want {
			t.Errorf("step %d: Lease(%s, %s, %s, %s) = %v, want %v", i, st.name, st.owner,
				st.now.Format(time.TimeOnly), st.until.Format(time.TimeOnly), got, st.want)
		}
	}

	// A zero now is the store's clock: a lease that ran out before the
	// real now is free, and one running until after it is not.
	past := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	free, err := s.Lease(ctx, "feed:clock", "a", past, past.Add(time.Minute))
	check(t, err)
	stolen, err := s.Lease(ctx, "feed:clock", "b", time.Time{}, time.Now().Add(time.Hour))
	check(t, err)
	held, err := s.Lease(ctx, "feed:clock", "c", time.Time{}, time.Now().Add(2*time.Hour))
	check(t, err)
	if !free || !stolen || held {
		t.Errorf("Lease with the store's clock: got %v, %v, %v; want true, true, false", free, stolen, held)
	}
}

// testLeaseHeartbeat runs the life of a short lease renewed by a
// heartbeat: renewals keep it while its holder lives, a dead holder's
// lease is taken over once it runs out, and the old holder's next
// renewal fails, so it learns that it lost the lease.
func testLeaseHeartbeat(t *testing.T, s store.Store) {
	ctx := t.Context()
	const ttl = 15 * time.Second
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	lease := func(owner string, now time.Time) bool {
		t.Helper()
		ok, err := s.Lease(ctx, "channel:slow", owner, now, now.Add(ttl))
		check(t, err)
		return ok
	}
	if !lease("a", sec(0)) {
		t.Fatal("first lease refused")
	}
	// a renews every 5 s for a minute; b tries in between and never wins.
	for n := 5; n <= 60; n += 5 {
		if !lease("a", sec(n)) {
			t.Fatalf("renewal at %ds refused", n)
		}
		if lease("b", sec(n+2)) {
			t.Fatalf("b took a lease renewed %ds ago", 2)
		}
	}
	// a dies after its renewal at 60 s: b waits out the 15 s and takes it.
	if lease("b", sec(74)) {
		t.Fatal("b took the lease before it ran out")
	}
	if !lease("b", sec(75)) {
		t.Fatal("b could not take the lease when it ran out")
	}
	// a comes back (a long pause, not a death): its renewal fails.
	if lease("a", sec(76)) {
		t.Fatal("the old holder renewed a lease taken over")
	}
	if !lease("b", sec(80)) {
		t.Fatal("the new holder could not renew")
	}
}

// testLeaseHolders lists the live leases with their owners.
func testLeaseHolders(t *testing.T, s store.Store) {
	ctx := t.Context()
	hs, err := s.Holders(ctx, t0)
	check(t, err)
	if len(hs) != 0 {
		t.Fatalf("Holders of an empty store = %v", hs)
	}
	for _, l := range []store.LeaseInfo{
		{Name: "feed:yonhap", Owner: "web-1/host/42/ab12", Until: t0.Add(15 * time.Second)},
		{Name: "channel:news", Owner: "web-2/host/43/cd34", Until: t0.Add(10 * time.Second)},
		{Name: "session:discord", Owner: "web-1/host/42/ab12", Until: t0.Add(time.Second)},
	} {
		ok, err := s.Lease(ctx, l.Name, l.Owner, t0, l.Until)
		check(t, err)
		if !ok {
			t.Fatalf("Lease %s refused", l.Name)
		}
	}
	hs, err = s.Holders(ctx, t0.Add(5*time.Second))
	check(t, err)
	want := []store.LeaseInfo{
		{Name: "channel:news", Owner: "web-2/host/43/cd34", Until: t0.Add(10 * time.Second)},
		{Name: "feed:yonhap", Owner: "web-1/host/42/ab12", Until: t0.Add(15 * time.Second)},
	}
	if len(hs) != len(want) {
		t.Fatalf("Holders = %+v, want %+v", hs, want)
	}
	for i := range want {
		if hs[i].Name != want[i].Name || hs[i].Owner != want[i].Owner || !hs[i].Until.Equal(want[i].Until) {
			t.Errorf("Holders[%d] = %+v, want %+v", i, hs[i], want[i])
		}
	}
	check(t, s.Release(ctx, "feed:yonhap", "web-1/host/42/ab12"))
	hs, err = s.Holders(ctx, t0.Add(5*time.Second))
	check(t, err)
	if len(hs) != 1 || hs[0].Name != "channel:news" {
		t.Errorf("Holders after a release = %+v, want channel:news only", hs)
	}
}

func testLeaseErrors(t *testing.T, s store.Store) {
	tests := []struct {
		name, lease, owner string
		now, until         time.Time
	}{
		{"empty name", "", "a", t0, t0.Add(time.Minute)},
		{"empty owner", "feed:x", "", t0, t0.Add(time.Minute)},
		{"until is now", "feed:x", "a", t0, t0},
		{"until before now", "feed:x", "a", t0, t0.Add(-time.Minute)},
		{"until within the same millisecond", "feed:x", "a", t0, t0.Add(time.Microsecond)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := s.Lease(t.Context(), tc.lease, tc.owner, tc.now, tc.until)
			if err == nil || ok {
				t.Errorf("Lease = %v, %v; want false and an error", ok, err)
			}
		})
	}
	// The failed calls took nothing.
	ok, err := s.Lease(t.Context(), "feed:x", "b", t0, t0.Add(time.Minute))
	check(t, err)
	if !ok {
		t.Error("Lease after failed calls = false, want true")
	}
}

// testConcurrentLease has workers race for the same leases: each free or
// expired name must go to exactly one worker, and a live one to none.
func testConcurrentLease(t *testing.T, s store.Store) {
	ctx := t.Context()
	const workers, names = 8, 25
	for i := 0; i < names; i += 2 { // every other name has an expired lease
		ok, err := s.Lease(ctx, fmt.Sprint("k", i), "old", t0.Add(-time.Hour), t0)
		check(t, err)
		if !ok {
			t.Fatalf("seeding lease k%d failed", i)
		}
	}
	live, err := s.Lease(ctx, "held", "live", t0, t0.Add(time.Hour))
	check(t, err)
	if !live {
		t.Fatal("seeding the live lease failed")
	}
	var (
		mu  sync.Mutex
		won []string
		wg  sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			batch := []string{"held"}
			for i := range names {
				batch = append(batch, fmt.Sprint("k", i))
			}
			r := rand.New(rand.NewPCG(uint64(w), 3))
			r.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
			for _, name := range batch {
				ok, err := s.Lease(ctx, name, fmt.Sprint("worker", w), t0, t0.Add(time.Minute))
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				if ok {
					mu.Lock()
					won = append(won, name)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	assertOnce(t, "leases won", won, names)
}

func testPrune(t *testing.T, s store.Store) {
	ctx := t.Context()
	day := 24 * time.Hour
	cut := t0.Add(-90 * day)

	_, err := s.MarkSeen(ctx, "f", []string{"old"}, cut.Add(-time.Millisecond))
	check(t, err)
	_, err = s.MarkSeen(ctx, "f", []string{"at-cut"}, cut)
	check(t, err)
	_, err = s.MarkSeen(ctx, "g", []string{"new"}, t0)
	check(t, err)

	ds := enqueue(t, s,
		delivery("slack", "sent-old", cut.Add(-day)),
		delivery("slack", "sent-at-cut", cut.Add(-day)),
		delivery("slack", "sent-new", cut.Add(-day)), // created long ago, sent recently
		delivery("slack", "pending-old", cut.Add(-day)),
		delivery("discord", "failed-old", cut.Add(-day)),
	)
	check(t, s.MarkSent(ctx, []int64{ds[0].ID}, cut.Add(-time.Hour)))
	check(t, s.MarkSent(ctx, []int64{ds[1].ID}, cut))
	check(t, s.MarkSent(ctx, []int64{ds[2].ID}, t0))
	check(t, s.MarkFailed(ctx, []int64{ds[4].ID}, "410 gone", cut.Add(-time.Hour)))

	for name, until := range map[string]time.Time{"expired": cut.Add(-time.Minute), "live": t0.Add(time.Minute)} {
		ok, err := s.Lease(ctx, name, "a", cut.Add(-time.Hour), until)
		check(t, err)
		if !ok {
			t.Fatalf("Lease %s failed", name)
		}
	}
	check(t, s.RecordEdit(ctx, store.Edit{At: cut.Add(-day), Command: "old edit"}))
	check(t, s.PutMute(ctx, store.Mute{Target: "old mute", Created: cut.Add(-day)}))
	check(t, s.PutFeedState(ctx, store.FeedState{Feed: "f", LastSuccess: cut.Add(-day)}))

	if n, err := s.Prune(ctx, time.Time{}); err != nil || n != 0 {
		t.Errorf("Prune(zero) = %d, %v; want 0, nil", n, err)
	}
	n, err := s.Prune(ctx, cut)
	check(t, err)
	if n != 3 { // seen "old", delivery "sent-old", lease "expired"
		t.Errorf("Prune = %d, want 3", n)
	}

	unseen, err := s.Unseen(ctx, "f", []string{"old", "at-cut"})
	check(t, err)
	if !slices.Equal(unseen, []string{"old"}) {
		t.Errorf("Unseen after Prune = %q, want [old]", unseen)
	}
	if unseen, err := s.Unseen(ctx, "g", []string{"new"}); err != nil || len(unseen) != 0 {
		t.Errorf("Unseen(g) after Prune = %q, %v; want nothing", unseen, err)
	}
	if keys := itemKeysOnly(recent(t, s, "", 0)); !slices.Equal(keys, []string{"sent-new", "sent-at-cut"}) {
		t.Errorf("Recent after Prune = %q, want [sent-new sent-at-cut]", keys)
	}
	if keys := itemKeysOnly(pendingAll(t, s, "")); !slices.Equal(keys, []string{"pending-old", "failed-old"}) {
		t.Errorf("PendingAll after Prune = %q, want [pending-old failed-old]", keys)
	}
	// A pruned sent delivery may be enqueued again; a kept one may not.
	if again := enqueue(t, s, delivery("slack", "sent-old", t0), delivery("slack", "sent-at-cut", t0)); len(again) != 1 || again[0].ItemKey != "sent-old" {
		t.Errorf("Enqueue after Prune inserted %q, want [slack/sent-old]", itemKeys(again))
	}
	if ok, err := s.Lease(ctx, "live", "b", t0, t0.Add(time.Hour)); err != nil || ok {
		t.Errorf("Lease of the live lease after Prune = %v, %v; want false", ok, err)
	}
	if es, err := s.Edits(ctx, 0); err != nil || len(es) != 1 {
		t.Errorf("Edits after Prune = %v, %v; want the old edit kept", es, err)
	}
	if ms, err := s.Mutes(ctx); err != nil || len(ms) != 1 {
		t.Errorf("Mutes after Prune = %v, %v; want the old mute kept", ms, err)
	}
	if _, err := s.FeedState(ctx, "f"); err != nil {
		t.Errorf("FeedState after Prune: %v", err)
	}
	if n, err := s.Prune(ctx, cut); err != nil || n != 0 {
		t.Errorf("second Prune = %d, %v; want 0, nil", n, err)
	}
}

// testRecordPoll: one write records a poll's deliveries, matches, seen
// keys and feed state, as Enqueue, RecordMatches, MarkSeen and
// PutFeedState would; a poll that found nothing writes its state alone.
func testRecordPoll(t *testing.T, s store.Store) {
	ctx := t.Context()
	old := enqueue(t, s, delivery("slack", "yonhap\x00k1", t0))
	_, err := s.MarkSeen(ctx, "yonhap", []string{"k1"}, t0)
	check(t, err)

	st := store.FeedState{Feed: "yonhap", URL: "https://www.yna.co.kr/rss/news.xml", ETag: `"e2"`, BodyHash: "h2",
		Initialized: true, LastAttempt: t0.In(kst), LastSuccess: t0, NextPoll: t0.Add(5 * time.Minute), ItemsSeen: 2}
	match := store.Match{Watch: "반도체", Query: "삼성전자", Feed: "yonhap", Source: "연합뉴스", ItemKey: "k2",
		Title: "삼성전자 k2", Link: "https://example.com/k2", At: t0}
	added, err := s.RecordPoll(ctx, store.PollRecord{
		State: st,
		Deliveries: []store.Delivery{
			delivery("slack", "yonhap\x00k1", t0), // already queued
			delivery("slack", "yonhap\x00k2", t0),
			delivery("discord", "yonhap\x00k2", t0),
		},
		Matches: []store.Match{match},
		Seen:    []string{"k1", "k2", "k3", "k2"},
		SeenAt:  t0,
	})
	check(t, err)
	if keys := itemKeys(added); !slices.Equal(keys, []string{"slack/yonhap\x00k2", "discord/yonhap\x00k2"}) {
		t.Errorf("RecordPoll inserted %q, want the two new deliveries", keys)
	}
	for i, d := range added {
		if d.ID <= old[0].ID || i > 0 && d.ID <= added[i-1].ID || d.Status != store.StatusPending {
			t.Errorf("inserted %+v: want pending, IDs increasing after %d", d, old[0].ID)
		}
	}
	assertDeliveries(t, "PendingAll after RecordPoll", pendingAll(t, s, ""), append(old, added...))
	unseen, err := s.Unseen(ctx, "yonhap", []string{"k1", "k2", "k3", "k4"})
	check(t, err)
	if !slices.Equal(unseen, []string{"k4"}) {
		t.Errorf("Unseen after RecordPoll = %q, want [k4]", unseen)
	}
	got, err := s.FeedState(ctx, "yonhap")
	check(t, err)
	if want := normFeedState(st); got != want {
		t.Errorf("FeedState after RecordPoll:\n got %+v\nwant %+v", got, want)
	}
	ms, err := s.MatchesBetween(ctx, "", t0.Add(-time.Hour), t0.Add(time.Hour))
	check(t, err)
	if len(ms) != 1 || ms[0].ItemKey != "k2" || ms[0].Query != "삼성전자" {
		t.Errorf("matches after RecordPoll = %+v, want the one recorded", ms)
	}

	// Nothing new: the state alone, for a feed never recorded before too.
	quiet := store.FeedState{Feed: "bbc", URL: "https://feeds.bbci.co.uk/news/rss.xml", LastError: "", NextPoll: t0.Add(time.Hour)}
	added, err = s.RecordPoll(ctx, store.PollRecord{State: quiet})
	check(t, err)
	if len(added) != 0 {
		t.Errorf("RecordPoll of a state alone inserted %q", itemKeys(added))
	}
	got, err = s.FeedState(ctx, "bbc")
	check(t, err)
	if want := normFeedState(quiet); got != want {
		t.Errorf("FeedState after RecordPoll of a state alone:\n got %+v\nwant %+v", got, want)
	}
	if n := len(pendingAll(t, s, "")); n != 3 {
		t.Errorf("%d rows pending, want 3", n)
	}
}

// delivery returns a pending delivery with every field set.
func delivery(channel, key string, created time.Time) store.Delivery {
	return store.Delivery{
		Channel: channel, ItemKey: key, Watch: "반도체", Feed: "yonhap",
		Title: "삼성전자 " + key, Link: "https://example.com/" + key,
		Urgent: true, Payload: []byte(`{"k":"` + key + `"}`), Status: store.StatusPending, Created: created,
	}
}

func enqueue(t *testing.T, s store.Store, ds ...store.Delivery) []store.Delivery {
	t.Helper()
	got, err := s.Enqueue(t.Context(), ds)
	check(t, err)
	return got
}

func pending(t *testing.T, s store.Store, channel string, now time.Time) []store.Delivery {
	t.Helper()
	ds, err := s.Pending(t.Context(), channel, now)
	check(t, err)
	return ds
}

func pendingAll(t *testing.T, s store.Store, channel string) []store.Delivery {
	t.Helper()
	ds, err := s.PendingAll(t.Context(), channel)
	check(t, err)
	return ds
}

func recent(t *testing.T, s store.Store, channel string, limit int) []store.Delivery {
	t.Helper()
	ds, err := s.Recent(t.Context(), channel, limit)
	check(t, err)
	return ds
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// normFeedState returns st as a store returns it: times in UTC, truncated
// to milliseconds.
func normFeedState(st store.FeedState) store.FeedState {
	st.LastAttempt, st.LastSuccess, st.NextPoll = normTime(st.LastAttempt), normTime(st.LastSuccess), normTime(st.NextPoll)
	return st
}

func normTime(t time.Time) time.Time { return t.Truncate(time.Millisecond).UTC() }

// diffDelivery describes how got differs from want, with want's times
// normalized; "" means equal. nil and empty payloads are equal.
func diffDelivery(got, want store.Delivery) string {
	want.Created, want.Due, want.NextAttempt, want.Sent = normTime(want.Created), normTime(want.Due), normTime(want.NextAttempt), normTime(want.Sent)
	if !bytes.Equal(got.Payload, want.Payload) {
		return fmt.Sprintf("payload %q, want %q", trim(got.Payload), trim(want.Payload))
	}
	got.Payload, want.Payload = nil, nil
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("\n got %+v\nwant %+v", got, want)
	}
	return ""
}

func assertDeliveries(t *testing.T, what string, got, want []store.Delivery) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %q, want %q", what, itemKeys(got), itemKeys(want))
		return
	}
	for i := range got {
		if diff := diffDelivery(got[i], want[i]); diff != "" {
			t.Errorf("%s[%d]: %s", what, i, diff)
		}
	}
}

// assertOnce checks that keys holds k0 … k(n-1), each exactly once.
func assertOnce(t *testing.T, what string, keys []string, n int) {
	t.Helper()
	count := map[string]int{}
	for _, k := range keys {
		count[k]++
	}
	for i := range n {
		if k := fmt.Sprint("k", i); count[k] != 1 {
			t.Errorf("%s: %s appears %d times, want once", what, k, count[k])
		}
	}
	if len(keys) != n {
		t.Errorf("%s: %d keys, want %d", what, len(keys), n)
	}
}

func ids(ds []store.Delivery) []int64 {
	var out []int64
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// itemKeys returns "channel/item_key" of each delivery.
func itemKeys(ds []store.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Channel+"/"+d.ItemKey)
	}
	return out
}

func itemKeysOnly(ds []store.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ItemKey)
	}
	return out
}

// trim shortens a payload for messages.
func trim(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}
