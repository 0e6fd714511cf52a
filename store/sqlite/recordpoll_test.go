package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
)

// record is a poll of feed with two new keys and one delivery.
func record(feed string) store.PollRecord {
	at := time.UnixMilli(1_700_000_000_000).UTC()
	return store.PollRecord{
		State: store.FeedState{Feed: feed, URL: "https://" + feed + ".example/rss", Initialized: true, LastSuccess: at, ItemsSeen: 2},
		Deliveries: []store.Delivery{{Channel: "team", ItemKey: feed + "\x00a", Watch: "w", Feed: feed, Title: feed + " a",
			Payload: []byte(`{}`), Created: at, Due: at}},
		Seen:   []string{"a", "b"},
		SeenAt: at,
	}
}

// written reports whether all of r (state, keys, delivery) is in s, or
// none of it, and fails the test on anything in between.
func written(t *testing.T, s *Store, r store.PollRecord) bool {
	t.Helper()
	ctx := context.Background()
	_, err := s.FeedState(ctx, r.State.Feed)
	state := err == nil
	unseen, err := s.Unseen(ctx, r.State.Feed, r.Seen)
	if err != nil {
		t.Fatal(err)
	}
	pend, err := s.PendingAll(ctx, "team")
	if err != nil {
		t.Fatal(err)
	}
	queued := false
	for _, d := range pend {
		queued = queued || d.ItemKey == r.Deliveries[0].ItemKey
	}
	if state != (len(unseen) == 0) || state != queued {
		t.Fatalf("%s half written: state %v, unseen %q, queued %v", r.State.Feed, state, unseen, queued)
	}
	return state
}

// TestRecordPollTogether: RecordPoll calls made at once are each written
// whole; one whose context has ended is written not at all and does not
// keep the others from being written.
func TestRecordPollTogether(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "polls.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	var wg sync.WaitGroup
	errs := make([]error, 40)
	added := make([][]store.Delivery, 40)
	for i := range 40 {
		wg.Go(func() {
			ctx := context.Background()
			if i%10 == 3 {
				ctx = ended
			}
			added[i], errs[i] = s.RecordPoll(ctx, record(fmt.Sprint("f", i)))
		})
	}
	wg.Wait()
	for i := range 40 {
		r := record(fmt.Sprint("f", i))
		ok := written(t, s, r)
		switch {
		case i%10 == 3 && (errs[i] == nil || ok):
			t.Errorf("record %d with an ended context: err %v, written %v", i, errs[i], ok)
		case i%10 != 3 && (errs[i] != nil || !ok || len(added[i]) != 1 || added[i][0].ItemKey != r.Deliveries[0].ItemKey):
			t.Errorf("record %d: err %v, written %v, added %+v", i, errs[i], ok, added[i])
		}
	}
}
