package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/store"
)

// defaultTick is how often the daemon looks for due feeds and
// deliveries unless Options.Tick says otherwise.
const defaultTick = time.Second

// maxPolling bounds the polls under way at once, each a goroutine. The
// fetcher bounds the fetches in flight (poll.concurrency, per_host); this
// bounds the goroutines waiting for them, whose stacks (a goroutine starts
// with the average stack size, and parsing makes stacks deep) cost tens of
// kilobytes each: one per feed of 10,000 took hundreds of megabytes. It is
// far above any fetch concurrency, so feeds of one busy host rarely hold
// up the others.
const maxPolling = 256

// CycleResult is what one cycle did.
type CycleResult struct {
	Polls      []PollResult
	Deliveries []DeliverResult
	// Backlog lists, per channel, the alerts still pending after the
	// cycle, in channel order; channels with none are left out.
	Backlog []Backlog
}

// Backlog is what a channel still has pending after a cycle.
type Backlog struct {
	Channel string
	// Overdue counts alerts that were due and are not delivered: a failed
	// send waiting for its retry, or a channel that could not be reached.
	Overdue int
	// Waiting counts alerts held for a later digest or quiet hours: not a
	// failure.
	Waiting int
	// NextRetry is the earliest time an overdue alert will be tried again
	// (zero: at the next cycle); NextDue the earliest digest time of a
	// waiting one.
	NextRetry time.Time
	NextDue   time.Time
	// LastError is the last error of an overdue alert, if any.
	LastError string
}

// Overdue counts the alerts that were due in the cycle but are still
// pending, on every channel.
func (r CycleResult) Overdue() int {
	n := 0
	for _, b := range r.Backlog {
		n += b.Overdue
	}
	return n
}

// Err joins every poll and delivery error of the cycle.
func (r CycleResult) Err() error {
	var errs []error
	for _, p := range r.Polls {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	for _, d := range r.Deliveries {
		if d.Err != nil {
			errs = append(errs, d.Err)
		}
	}
	return errors.Join(errs...)
}

// Undelivered counts rows left pending by a failed delivery.
func (r CycleResult) Undelivered() int {
	n := 0
	for _, d := range r.Deliveries {
		n += d.Pending
	}
	return n
}

// RunOnce does one cycle as the daemon would at this moment: it polls
// every feed once (concurrently; the fetcher bounds concurrency), except
// a failing feed still in its backoff or Retry-After, then delivers what
// is due on every channel.
func (b *Bot) RunOnce(ctx context.Context) CycleResult {
	rt := b.rt.Load()
	return b.cycle(ctx, rt, rt.cfg.Feeds, false)
}

// RunOnceFeeds does one cycle that polls only the named feeds, whatever
// their schedule, backoff or Retry-After (a forced poll, as PollNow
// does), then delivers what is due on every channel, as RunOnce does.
// Names listed twice are polled once. When a name is not a feed of the
// watchlist nothing is polled and the error wraps ErrUnknownFeed.
func (b *Bot) RunOnceFeeds(ctx context.Context, names []string) (CycleResult, error) {
	rt := b.rt.Load()
	var fs []config.Feed
	seen := map[string]bool{}
	for _, name := range names {
		f, ok := rt.feeds[name]
		if !ok {
			return CycleResult{}, fmt.Errorf("bot: %q: %w", name, ErrUnknownFeed)
		}
		if !seen[name] {
			seen[name] = true
			fs = append(fs, f)
		}
	}
	return b.cycle(ctx, rt, fs, true), nil
}

// cycle polls feeds concurrently and then delivers on every channel.
// Unless forced, a failing feed still in its backoff is skipped (and
// logged with its next try).
func (b *Bot) cycle(ctx context.Context, rt *runtime, fs []config.Feed, forced bool) CycleResult {
	var res CycleResult
	var mu sync.Mutex
	var wg sync.WaitGroup
	now := b.opt.Now()
	var backoff map[string]store.FeedState
	if !forced {
		backoff = b.inBackoff(ctx, now)
	}
	marks := b.readTrustMarks(ctx)
	for _, f := range fs {
		if st, ok := backoff[f.Name]; ok {
			b.log.Info("feed skipped: failing, in backoff", "feed", f.Name, "failures", st.Failures, "next_try", b.localTime(rt, st.NextPoll), "last_error", st.LastError)
			continue
		}
		b.pollSlots <- struct{}{}
		wg.Go(func() {
			defer func() { <-b.pollSlots }()
			var pr PollResult
			if b.claim(b.polling, f.Name) {
				pr = b.pollFeed(ctx, rt, f, marks)
				b.release(b.polling, f.Name)
			} else {
				pr = PollResult{Feed: f.Name, Err: fmt.Errorf("bot: feed %s is being polled right now", f.Name)}
			}
			mu.Lock()
			res.Polls = append(res.Polls, pr)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.scheduleReports(ctx, rt, b.opt.Now())
	res.Deliveries = b.deliverAll(ctx, rt)
	res.Backlog = b.backlog(ctx, rt, &res)
	return res
}

// inBackoff returns the states of the failing feeds whose next try is
// after now, from one read of every feed state. When the states cannot
// be read no feed is skipped.
func (b *Bot) inBackoff(ctx context.Context, now time.Time) map[string]store.FeedState {
	states, err := b.feedStates(ctx)
	if err != nil {
		b.log.Warn("reading feed states failed; polling every feed", "error", err.Error())
		return nil
	}
	out := map[string]store.FeedState{}
	for _, st := range states {
		if st.Failures > 0 && st.NextPoll.After(now) {
			out[st.Feed] = st
		}
	}
	return out
}

// backlog reads what every channel still has pending after a cycle, so a
// cycle never reports success while an alert that was due is unsent: a
// row waiting for its retry is overdue even though this cycle did not try
// it. A channel whose backlog cannot be read counts its failure as an
// error of the cycle.
func (b *Bot) backlog(ctx context.Context, rt *runtime, res *CycleResult) []Backlog {
	now := b.opt.Now()
	var out []Backlog
	for _, name := range rt.cfg.ChannelOrder {
		rows, err := b.opt.Store.PendingAll(ctx, name)
		if err != nil {
			res.Deliveries = append(res.Deliveries, DeliverResult{Channel: name, Err: fmt.Errorf("bot: channel %s: reading pending alerts: %w", name, err)})
			continue
		}
		bl := Backlog{Channel: name}
		for _, r := range rows {
			if r.Due.After(now) {
				bl.Waiting++
				if bl.NextDue.IsZero() || r.Due.Before(bl.NextDue) {
					bl.NextDue = r.Due
				}
				continue
			}
			bl.Overdue++
			if r.LastError != "" {
				bl.LastError = r.LastError
			}
			if r.NextAttempt.After(now) && (bl.NextRetry.IsZero() || r.NextAttempt.Before(bl.NextRetry)) {
				bl.NextRetry = r.NextAttempt
			}
		}
		if bl.Overdue+bl.Waiting > 0 {
			out = append(out, bl)
		}
	}
	return out
}

// deliverAll delivers due rows on every channel concurrently, so a slow or
// dead channel never holds up the others.
func (b *Bot) deliverAll(ctx context.Context, rt *runtime) []DeliverResult {
	var out []DeliverResult
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range rt.cfg.ChannelOrder {
		wg.Go(func() {
			if !b.claim(b.sending, name) {
				return
			}
			defer b.release(b.sending, name)
			dr := b.deliverChannel(ctx, rt, name)
			mu.Lock()
			out = append(out, dr)
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// Run is the daemon: every tick it starts polls of due feeds and delivery
// passes of channels that are not already busy, until ctx ends. In-flight
// sends are allowed to finish before it returns.
func (b *Bot) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	// The replica's own lease says it is alive (status lists it); its
	// heartbeat runs for the daemon's life.
	if h, ok := b.hold(ctx, ReplicaLeasePrefix+b.opt.Owner); ok {
		defer h.release()
	}
	t := time.NewTicker(cmp.Or(b.opt.Tick, defaultTick))
	defer t.Stop()
	for {
		rt := b.rt.Load()
		now := b.opt.Now()
		b.prune(ctx, now)
		b.scheduleReports(ctx, rt, now)
		dueSet, since := b.dueFeeds(ctx, rt, now)
		var due []config.Feed
		for _, f := range rt.cfg.Feeds {
			if dueSet[f.Name] && b.claim(b.polling, f.Name) {
				due = append(due, f)
			}
		}
		// The feeds due longest are polled first: with thousands of
		// feeds a tick's due polls wait for slots, and in the watchlist's
		// order a feed late in it waited behind feeds due after it.
		slices.SortStableFunc(due, func(x, y config.Feed) int { return since[x.Name].Compare(since[y.Name]) })
		if len(due) > 0 {
			// One goroutine starts the due polls as slots free up, so the
			// tick is not held up and no more polls exist at once than
			// there are slots; later ticks skip the feeds it has claimed.
			marks := b.readTrustMarks(ctx)
			wg.Go(func() { b.startPolls(ctx, rt, due, marks, &wg) })
		}
		dueCh := b.dueChannels(ctx, rt, now)
		for _, name := range rt.cfg.ChannelOrder {
			if dueCh[name] {
				b.startSend(ctx, rt, name, &wg)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// startPolls polls the claimed feeds, each in its own goroutine once a
// poll slot is free, with the trust records read after rt was loaded.
// When ctx ends, the feeds not started are released.
func (b *Bot) startPolls(ctx context.Context, rt *runtime, due []config.Feed, marks *trustMarks, wg *sync.WaitGroup) {
	for i, f := range due {
		select {
		case b.pollSlots <- struct{}{}:
		case <-ctx.Done():
			for _, g := range due[i:] {
				b.release(b.polling, g.Name)
			}
			return
		}
		wg.Go(func() {
			defer func() { <-b.pollSlots }()
			defer b.release(b.polling, f.Name)
			pr := b.pollFeed(ctx, rt, f, marks)
			// New alerts go out now rather than at the next tick, unless
			// their channel is being sent already (that pass, or the
			// tick's, picks them up).
			for _, name := range pr.queued {
				b.startSend(ctx, rt, name, wg)
			}
		})
	}
}

// startSend starts a delivery pass of channel on wg, unless one is under
// way in this process already (that pass sends what is due).
func (b *Bot) startSend(ctx context.Context, rt *runtime, channel string, wg *sync.WaitGroup) {
	if !b.claim(b.sending, channel) {
		return
	}
	wg.Go(func() {
		defer b.release(b.sending, channel)
		b.deliverChannel(ctx, rt, channel)
	})
}

// prune drops seen keys and sent rows older than the retention, and
// matches and votes older than a report reads, at most once a day.
func (b *Bot) prune(ctx context.Context, now time.Time) {
	b.mu.Lock()
	due := now.Sub(b.lastPrune) >= 24*time.Hour
	if due {
		b.lastPrune = now
	}
	b.mu.Unlock()
	if !due {
		return
	}
	// One replica prunes at a time; the others skip their turn.
	h, ok := b.hold(ctx, "schedule:prune")
	if !ok {
		return
	}
	defer h.release()
	n, err := b.opt.Store.Prune(ctx, now.Add(-b.opt.Retention))
	if err != nil {
		b.log.Warn("pruning old state failed", "error", err.Error())
		return
	}
	b.log.Info("pruned old state", "rows", n, "retention", b.opt.Retention)
	// Matches and votes are kept as long as a report may read them.
	keep := now.Add(-max(b.opt.Retention, store.MatchRetention))
	m, err := b.opt.Store.PruneMatches(ctx, keep)
	if err != nil {
		b.log.Warn("pruning old matches failed", "error", err.Error())
	} else if m > 0 {
		b.log.Info("pruned old matches", "rows", m)
	}
	v, err := b.opt.Store.PruneVotes(ctx, keep)
	if err != nil {
		b.log.Warn("pruning old votes failed", "error", err.Error())
	} else if v > 0 {
		b.log.Info("pruned old votes", "rows", v)
	}
}

// dueChannels returns the channels of rt with deliveries due at now, from
// one read. When it cannot be read every channel counts as due (each
// then reads its own outbox).
func (b *Bot) dueChannels(ctx context.Context, rt *runtime, now time.Time) map[string]bool {
	due := make(map[string]bool, len(rt.cfg.ChannelOrder))
	names, err := b.opt.Store.DueChannels(ctx, now)
	if err != nil {
		for _, name := range rt.cfg.ChannelOrder {
			due[name] = true
		}
		return due
	}
	for _, name := range names {
		due[name] = true
	}
	return due
}

// dueFeeds returns the feeds of rt whose next poll is not after now, from
// one read of every feed state (one query per tick, whatever the number
// of feeds; none on a sole-writer store, whose states are kept), and when
// each fell due (its next poll). A feed never polled is due, since the
// zero time; when the states cannot be read every feed is (its lease
// still keeps replicas from polling it twice).
func (b *Bot) dueFeeds(ctx context.Context, rt *runtime, now time.Time) (due map[string]bool, since map[string]time.Time) {
	due = make(map[string]bool, len(rt.cfg.Feeds))
	since = make(map[string]time.Time, len(rt.cfg.Feeds))
	for _, f := range rt.cfg.Feeds {
		due[f.Name] = true
	}
	states, err := b.feedStates(ctx)
	if err != nil {
		return due, since
	}
	for _, st := range states {
		if _, ok := due[st.Feed]; ok {
			due[st.Feed] = !st.NextPoll.After(now)
			since[st.Feed] = st.NextPoll
		}
	}
	return due, since
}

// feedStates returns every feed's state: from the store, or on a
// sole-writer store from those kept in memory, read from the store the
// first time.
func (b *Bot) feedStates(ctx context.Context) ([]store.FeedState, error) {
	if b.soleWriter {
		if kept, err := b.keptStates(ctx); err == nil {
			b.mu.Lock()
			defer b.mu.Unlock()
			out := make([]store.FeedState, 0, len(kept))
			for _, st := range kept {
				out = append(out, st)
			}
			return out, nil
		}
	}
	return b.opt.Store.FeedStates(ctx)
}

// feedState returns the state of one feed (store.ErrNotFound for a feed
// never polled), from memory on a sole-writer store.
func (b *Bot) feedState(ctx context.Context, feed string) (store.FeedState, error) {
	if b.soleWriter {
		if kept, err := b.keptStates(ctx); err == nil {
			b.mu.Lock()
			st, ok := kept[feed]
			b.mu.Unlock()
			if !ok {
				return store.FeedState{}, fmt.Errorf("bot: feed state %q: %w", feed, store.ErrNotFound)
			}
			return st, nil
		}
	}
	return b.opt.Store.FeedState(ctx, feed)
}

// keptStates returns the map of states kept on a sole-writer store,
// reading it from the store the first time. The map is read and written
// under b.mu.
func (b *Bot) keptStates(ctx context.Context) (map[string]store.FeedState, error) {
	b.mu.Lock()
	kept := b.states
	b.mu.Unlock()
	if kept != nil {
		return kept, nil
	}
	states, err := b.opt.Store.FeedStates(ctx)
	if err != nil {
		return nil, err
	}
	read := make(map[string]store.FeedState, len(states))
	for _, st := range states {
		read[st.Feed] = st
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.states == nil {
		b.states = read
	}
	return b.states, nil
}

// wroteState records a feed state this process wrote to a sole-writer
// store, so the kept states stay what the store holds.
func (b *Bot) wroteState(st store.FeedState) {
	if !b.soleWriter {
		return
	}
	b.mu.Lock()
	if b.states != nil {
		b.states[st.Feed] = st
	}
	b.mu.Unlock()
}

func (b *Bot) claim(set map[string]bool, key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if set[key] {
		return false
	}
	set[key] = true
	return true
}

func (b *Bot) release(set map[string]bool, key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(set, key)
}

// ErrUnknownFeed is returned by PollNow for a feed the watchlist lacks.
var ErrUnknownFeed = errors.New("no such feed in the watchlist")

// PollNow polls one feed of the watchlist at once, whatever its schedule
// or backoff, and returns how many of its items were new and how many
// alerts they queued (delivered at the next delivery pass). A feed being
// polled right now, here or by another replica, is not polled twice.
func (b *Bot) PollNow(ctx context.Context, feed string) (newItems, matches int, err error) {
	rt := b.rt.Load()
	for _, f := range rt.cfg.Feeds {
		if f.Name != feed {
			continue
		}
		if !b.claim(b.polling, f.Name) {
			return 0, 0, fmt.Errorf("bot: feed %s is being polled right now", f.Name)
		}
		defer b.release(b.polling, f.Name)
		pr := b.pollFeed(ctx, rt, f, nil)
		if pr.Leased {
			return 0, 0, fmt.Errorf("bot: feed %s is being polled by another replica", f.Name)
		}
		return pr.New, pr.Matches, pr.Err
	}
	return 0, 0, fmt.Errorf("bot: %q: %w", feed, ErrUnknownFeed)
}

// Flush sends a channel's pending rows now, ignoring their digest times.
func (b *Bot) Flush(ctx context.Context, channel string) (int, error) {
	rt := b.rt.Load()
	if _, ok := rt.notifiers[channel]; !ok {
		return 0, fmt.Errorf("bot: no channel %q", channel)
	}
	rows, err := b.opt.Store.PendingAll(ctx, channel)
	if err != nil {
		return 0, fmt.Errorf("bot: channel %s: %w", channel, err)
	}
	ids := make([]int64, len(rows))
	for i, d := range rows {
		ids[i] = d.ID
	}
	if err := b.opt.Store.Reschedule(ctx, ids, b.opt.Now()); err != nil {
		return 0, fmt.Errorf("bot: channel %s: %w", channel, err)
	}
	for !b.claim(b.sending, channel) {
		if err := b.opt.Sleep(ctx, 50*time.Millisecond); err != nil {
			return 0, err
		}
	}
	defer b.release(b.sending, channel)
	r := b.deliverChannel(ctx, rt, channel)
	return r.Sent, r.Err
}

// localTime formats t in the watchlist timezone, as logs and status show
// times to people.
func (b *Bot) localTime(rt *runtime, t time.Time) string {
	loc := rt.cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

// backoffStep says how feeds.NextPoll chose the wait after a feed's
// failures-th consecutive failure: the interval doubled once per failure
// up to feeds.MaxBackoff, or the server's Retry-After when longer. The
// actual time is that wait ±10% jitter.
func backoffStep(now time.Time, interval time.Duration, failures int, retryAfter time.Duration) string {
	base := feeds.NextPoll(now, interval, failures, 0, nil).Sub(now)
	if ra := min(retryAfter, feeds.MaxRetryAfter); ra > base {
		return fmt.Sprintf("%s, as the server asked (Retry-After)", roundWait(ra))
	}
	capped := ""
	if base >= feeds.MaxBackoff {
		capped = ", the cap"
	}
	return fmt.Sprintf("step %d: %s (interval %s doubled per failure%s)", failures, roundWait(base), roundWait(interval), capped)
}

// roundWait shows a wait to the second, without trailing zero units
// ("40m", "1h30m", "6h").
func roundWait(d time.Duration) string {
	d = d.Round(time.Second)
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
