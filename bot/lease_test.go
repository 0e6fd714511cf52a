package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/store"
)

// gate is a channel whose sends block until opened (or their context
// ends); it records what it accepted and how many sends began.
type gate struct {
	recorder
	began chan struct{}
	open  chan struct{}
}

func newGate(perPart int) *gate {
	return &gate{recorder: recorder{perPart: perPart}, began: make(chan struct{}, 100), open: make(chan struct{})}
}

func (g *gate) Send(ctx context.Context, m notify.Message) error {
	g.began <- struct{}{}
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.recorder.Send(ctx, m)
}

// countingStore counts the lease calls made per owner.
type countingStore struct {
	store.Store
	mu     sync.Mutex
	leases map[string]int
	renew  chan renewal // each successful Lease call, if set
}

// renewal is a successful Lease call: who took the lease, and at what
// time of the bot's clock.
type renewal struct {
	owner string
	now   time.Time
}

func (s *countingStore) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, error) {
	ok, err := s.Store.Lease(ctx, name, owner, now, until)
	s.mu.Lock()
	s.leases[owner]++
	s.mu.Unlock()
	if ok && s.renew != nil {
		select {
		case s.renew <- renewal{owner, now}:
		default:
		}
	}
	return ok, err
}

// replica builds a second bot on the harness's store under owner, with
// channel team played by ch.
func (h *harness) replica(owner string, st store.Store, ch notify.Notifier, ttl, beat time.Duration) *Bot {
	h.t.Helper()
	b, err := New(Options{
		Config: h.bot.Config(), Store: st, Fetcher: h.feeds, Owner: owner,
		Notifiers: func(*config.Config) (map[string]notify.Notifier, error) {
			return map[string]notify.Notifier{"team": ch, "other": &recorder{}}, nil
		},
		Now: h.clock.Now, Sleep: h.clock.Sleep, LeaseTTL: ttl, LeaseHeartbeat: beat,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

// queue enqueues n due alerts on channel team.
func (h *harness) queue(n int) {
	h.t.Helper()
	var ds []store.Delivery
	for i := range n {
		ds = append(ds, store.Delivery{Channel: "team", ItemKey: fmt.Sprint("yna\x00", i), Watch: "policy", Feed: "yna",
			Title: fmt.Sprint("기사 ", i), Link: fmt.Sprint("https://news.example/", i)})
	}
	if _, err := h.store.Enqueue(context.Background(), ds); err != nil {
		h.t.Fatal(err)
	}
}

// TestLongSendKeepsItsLease: a send that lasts many lease lengths keeps
// the channel's lease through its heartbeat, so another replica trying
// all along never sends.
func TestLongSendKeepsItsLease(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.queue(3)
	cs := &countingStore{Store: h.store, leases: map[string]int{}, renew: make(chan renewal, 1)}
	slow := newGate(0)
	a := h.replica("a", cs, slow, 3*time.Second, 20*time.Millisecond)
	other := &recorder{}
	b := h.replica("b", h.store, other, 3*time.Second, 20*time.Millisecond)

	done := make(chan DeliverResult, 1)
	go func() { done <- a.deliverChannel(context.Background(), a.rt.Load(), "team") }()
	<-slow.began
	// Each step: wait for a heartbeat renewal made at the clock's present
	// time (not one left over from before the last move), move the clock
	// 2 s (less than the 3 s lease), and let b try. 5 steps are 10 s: the
	// lease would have run out three times without the heartbeat.
	for range 5 {
		for r := range cs.renew {
			if r.owner == "a" && !r.now.Before(h.clock.Now()) {
				break
			}
		}
		h.clock.Set(h.clock.Now().Add(2 * time.Second))
		if r := b.deliverChannel(context.Background(), b.rt.Load(), "team"); r.Sent != 0 || r.Err != nil {
			t.Fatalf("b delivered while a was sending: %+v", r)
		}
	}
	close(slow.open)
	r := <-done
	if r.Err != nil || r.Sent != 3 {
		t.Fatalf("a's delivery = %+v, want 3 sent", r)
	}
	if other.messages() != 0 {
		t.Errorf("b sent %d messages, want 0", other.messages())
	}
	if got := len(slow.titles()); got != 3 {
		t.Errorf("a sent %d alerts, want 3", got)
	}
}

// TestLostLeaseStopsBeforeSending: when another replica takes the
// channel's lease while a part is being sent, the holder sends no
// further part, records no failure, and the new holder sends the rest
// once.
func TestLostLeaseStopsBeforeSending(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.queue(4)
	slow := newGate(2) // two parts of two alerts
	a := h.replica("a", h.store, slow, time.Minute, 20*time.Millisecond)

	done := make(chan DeliverResult, 1)
	go func() { done <- a.deliverChannel(context.Background(), a.rt.Load(), "team") }()
	<-slow.began
	// Another replica takes the lease, as it would once a's ran out.
	later := h.clock.Now().Add(time.Hour)
	if ok, err := h.store.Lease(context.Background(), "channel:team", "thief", later, later.Add(time.Hour)); err != nil || !ok {
		t.Fatalf("taking the lease over: %v, %v", ok, err)
	}
	close(slow.open)
	r := <-done
	if !errors.Is(r.Err, errLeaseLost) {
		t.Fatalf("a's delivery = %+v, want an error wrapping errLeaseLost", r)
	}
	if n := len(slow.began); n != 0 {
		t.Errorf("a began %d more sends after losing the lease", n)
	}
	rows, err := h.store.PendingAll(context.Background(), "team")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rows {
		if d.Attempts != 0 || !d.NextAttempt.IsZero() {
			t.Errorf("row %d recorded as failed (%d attempts, next %v): the new holder would wait", d.ID, d.Attempts, d.NextAttempt)
		}
	}
	// The new holder (here the thief's lease released) sends what is left.
	if err := h.store.Release(context.Background(), "channel:team", "thief"); err != nil {
		t.Fatal(err)
	}
	rest := &recorder{}
	b := h.replica("b", h.store, rest, time.Minute, time.Second)
	if r := b.deliverChannel(context.Background(), b.rt.Load(), "team"); r.Err != nil {
		t.Fatalf("b: %v", r.Err)
	}
	seen := map[string]int{}
	for _, tt := range append(slow.titles(), rest.titles()...) {
		seen[tt]++
	}
	if len(seen) != 4 {
		t.Errorf("delivered %v, want 4 distinct alerts", seen)
	}
	for tt, n := range seen {
		if n != 1 {
			t.Errorf("%q delivered %d times", tt, n)
		}
	}
}

// TestFeedLeaseHeldDuringPoll: a replica never polls a feed another is
// polling, and takes it once the holder has released it.
func TestFeedLeaseHeldDuringPoll(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.feeds.set("yna", news("1", "트럼프, 새 관세 발표", h.clock.Now()))
	ok, err := h.store.Lease(context.Background(), "feed:yna", "other", time.Time{}, time.Now().Add(time.Hour))
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	f := h.bot.Config().Feeds[0]
	if pr := h.bot.pollFeed(context.Background(), h.bot.rt.Load(), f, nil); !pr.Leased {
		t.Fatalf("poll under another's lease = %+v, want Leased", pr)
	}
	if err := h.store.Release(context.Background(), "feed:yna", "other"); err != nil {
		t.Fatal(err)
	}
	if pr := h.bot.pollFeed(context.Background(), h.bot.rt.Load(), f, nil); pr.Leased || pr.Err != nil {
		t.Fatalf("poll once released = %+v", pr)
	}
	hs, err := h.store.Holders(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 0 {
		t.Errorf("leases left after the poll: %+v", hs)
	}
}

// soleStore is a store only this process writes (store.SoleWriter),
// counting the leases taken by name.
type soleStore struct {
	store.Store
	mu     sync.Mutex
	leases map[string]int
}

func (s *soleStore) SoleWriter() bool { return true }

func (s *soleStore) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, error) {
	s.mu.Lock()
	s.leases[name]++
	s.mu.Unlock()
	return s.Store.Lease(ctx, name, owner, now, until)
}

// TestSoleWriterPollsWithoutFeedLease: on a store no other process can
// write, a poll takes no feed lease (no replica could take the feed),
// and still polls and alerts as usual; channel leases are still taken.
func TestSoleWriterPollsWithoutFeedLease(t *testing.T) {
	h := newHarness(t, oneFeed)
	ss := &soleStore{Store: h.store, leases: map[string]int{}}
	b := h.replica("solo", ss, h.chans["team"], time.Minute, 20*time.Second)
	h.feeds.set("yna", news("1", "트럼프 관세 발표", h.clock.Now()))
	res := b.RunOnce(context.Background())
	if res.Err() != nil || len(res.Polls) != 2 {
		t.Fatalf("cycle = %+v, %v", res.Polls, res.Err())
	}
	h.feeds.set("yna", news("1", "트럼프 관세 발표", h.clock.Now()), news("2", "트럼프 새 관세", h.clock.Now()))
	b.RunOnce(context.Background())
	if got := h.chans["team"].titles(); len(got) != 1 || got[0] != "트럼프 새 관세" {
		t.Errorf("team got %q, want the new item", got)
	}
	for name, n := range ss.leases {
		if strings.HasPrefix(name, "feed:") {
			t.Errorf("lease %s taken %d times on a sole-writer store", name, n)
		}
	}
	if ss.leases["channel:team"] == 0 {
		t.Errorf("no channel lease taken: %v", ss.leases)
	}
}

// statesCounter counts the feed state reads of a sole-writer store.
type statesCounter struct {
	soleStore
	reads int
}

func (s *statesCounter) FeedStates(ctx context.Context) ([]store.FeedState, error) {
	s.mu.Lock()
	s.reads++
	s.mu.Unlock()
	return s.Store.FeedStates(ctx)
}

func (s *statesCounter) FeedState(ctx context.Context, feed string) (store.FeedState, error) {
	s.mu.Lock()
	s.reads++
	s.mu.Unlock()
	return s.Store.FeedState(ctx, feed)
}

// TestSoleWriterKeepsFeedStates: on a sole-writer store the bot reads
// the feed states once, then keeps each feed's state as its polls write
// it, failed ones included: polls and due feeds see what the store says.
func TestSoleWriterKeepsFeedStates(t *testing.T) {
	h := newHarness(t, oneFeed)
	sc := &statesCounter{soleStore: soleStore{Store: h.store, leases: map[string]int{}}}
	b := h.replica("solo", sc, h.chans["team"], time.Minute, 20*time.Second)
	b.opt.Jitter = func(time.Duration) time.Duration { return 0 }
	rt := b.rt.Load()
	now := h.clock.Now()
	if due, _ := b.dueFeeds(context.Background(), rt, now); !due["yna"] || !due["newsis"] {
		t.Fatalf("before any poll: due %v, want both", due)
	}
	h.feeds.set("yna", news("1", "트럼프 관세 발표", now))
	h.feeds.errs["newsis"] = errors.New("connection refused")
	for range 2 {
		for _, f := range rt.cfg.Feeds {
			b.pollFeed(context.Background(), rt, f, nil)
		}
		h.feeds.set("yna", news("1", "트럼프 관세 발표", now), news("2", "트럼프 새 관세", now))
	}
	if got := h.chans["team"].titles(); len(got) != 0 {
		t.Errorf("alerts %q before a delivery", got)
	}
	if pend, _ := h.store.PendingAll(context.Background(), "team"); len(pend) != 1 || pend[0].Title != "트럼프 새 관세" {
		t.Errorf("pending %+v, want the one new item of the second poll", pend)
	}
	for _, at := range []time.Time{now, now.Add(time.Minute), now.Add(6 * time.Minute), now.Add(time.Hour)} {
		got, since := b.dueFeeds(context.Background(), rt, at)
		sts, err := h.store.FeedStates(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range sts {
			if want := !st.NextPoll.After(at); got[st.Feed] != want {
				t.Errorf("at %v: %s due %v, the store says %v (next poll %v)", at.Sub(now), st.Feed, got[st.Feed], want, st.NextPoll)
			}
			// Run polls the feeds due longest first, by this time.
			if !since[st.Feed].Equal(st.NextPoll) {
				t.Errorf("at %v: %s due since %v, the store's next poll is %v", at.Sub(now), st.Feed, since[st.Feed], st.NextPoll)
			}
		}
	}
	if sc.reads != 1 {
		t.Errorf("feed states read %d times, want once (all of them)", sc.reads)
	}
}

// partitionable is a store a test can cut a replica off from: its lease
// calls then fail, as they would for a replica that lost the database
// (or died).
type partitionable struct {
	store.Store
	cut atomic.Bool
}

var errCut = errors.New("connection refused")

func (s *partitionable) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, error) {
	if s.cut.Load() {
		return false, errCut
	}
	return s.Store.Lease(ctx, name, owner, now, until)
}

func (s *partitionable) Release(ctx context.Context, name, owner string) error {
	if s.cut.Load() {
		return errCut
	}
	return s.Store.Release(ctx, name, owner)
}

// TestLeadRunsOnOneReplicaAndMovesWhenItDies: of two replicas leading
// the same session one runs it; when the leader loses the database its
// session stops once its lease runs out, and the other takes it over
// once the lease has run out in the store.
func TestLeadRunsOnOneReplicaAndMovesWhenItDies(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	stores := map[string]*partitionable{"a": {Store: h.store}, "b": {Store: h.store}}
	var mu sync.Mutex
	running := map[string]bool{}
	ran := map[string]int{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for owner, st := range stores {
		b, err := New(Options{
			Config: h.bot.Config(), Store: st, Fetcher: h.feeds, Owner: owner,
			Notifiers: func(*config.Config) (map[string]notify.Notifier, error) { return nil, nil },
			Now:       h.clock.Now, LeaseTTL: 300 * time.Millisecond, LeaseHeartbeat: 30 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			b.Lead(ctx, "session:discord", func(ctx context.Context) error {
				mu.Lock()
				for other, on := range running {
					if on {
						t.Errorf("%s leads while %s does", owner, other)
					}
				}
				running[owner] = true
				ran[owner]++
				mu.Unlock()
				<-ctx.Done()
				mu.Lock()
				running[owner] = false
				mu.Unlock()
				return nil
			})
		})
	}
	leader := func() string {
		mu.Lock()
		defer mu.Unlock()
		for owner, on := range running {
			if on {
				return owner
			}
		}
		return ""
	}
	waitUntil(t, "a leader", func() bool { return leader() != "" })
	first := leader()
	stores[first].cut.Store(true)
	waitUntil(t, "the cut-off leader to stop", func() bool { return leader() == "" })
	// The store runs on the test clock: let the lease run out there.
	h.clock.Set(h.clock.Now().Add(time.Second))
	waitUntil(t, "a new leader", func() bool { return leader() != "" })
	if second := leader(); second == first {
		t.Errorf("the session stayed with %s, cut off from the database", first)
	}
}

// waitUntil polls cond until it holds, failing the test after 20 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCutOffReplicaStopsAndAnotherTakesOver: a replica cut off from the
// database mid-send cannot renew its lease; once its last renewal runs
// out it cuts the send off, and after the lease runs out in the store
// another replica delivers every alert once.
func TestCutOffReplicaStopsAndAnotherTakesOver(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.queue(5)
	cut := &partitionable{Store: h.store}
	slow := newGate(0)
	a := h.replica("a", cut, slow, 300*time.Millisecond, 30*time.Millisecond)
	done := make(chan DeliverResult, 1)
	go func() { done <- a.deliverChannel(context.Background(), a.rt.Load(), "team") }()
	<-slow.began
	cut.cut.Store(true)
	r := <-done // the heartbeat cuts the send off once the lease runs out
	if !errors.Is(r.Err, errLeaseLost) || r.Sent != 0 {
		t.Fatalf("cut-off replica's delivery = %+v, want no alert sent and errLeaseLost", r)
	}
	h.clock.Set(h.clock.Now().Add(time.Second)) // the lease runs out in the store too
	rest := &recorder{}
	b := h.replica("b", h.store, rest, time.Minute, time.Second)
	if r := b.deliverChannel(context.Background(), b.rt.Load(), "team"); r.Err != nil || r.Sent != 5 {
		t.Fatalf("taking over: %+v, want 5 sent", r)
	}
	if got := len(slow.titles()) + len(rest.titles()); got != 5 {
		t.Errorf("%d alerts delivered, want 5", got)
	}
}
