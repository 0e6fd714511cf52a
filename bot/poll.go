package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/newshound/newshound/bot/digest"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
)

// snippetRunes bounds the snippet kept in an outbox entry; titleRunes the
// title kept for display (matching sees the whole title).
const (
	snippetRunes = 300
	titleRunes   = 500
)

// PollResult summarizes one poll of one feed.
type PollResult struct {
	Feed        string
	Items       int // items in the feed
	New         int // items not seen before
	Matches     int // deliveries enqueued
	NotModified bool
	// Undated counts new items whose date could not be read.
	Undated int
	// Stats are the parser's repairs and skips of this poll's body.
	Stats feeds.Stats
	// Leased is true when another replica was polling the feed.
	Leased bool
	Err    error
}

// pollFeed fetches one feed, records its state, and enqueues the matches of
// its new items. Errors are recorded in the feed state and returned.
func (b *Bot) pollFeed(ctx context.Context, rt *runtime, f config.Feed) PollResult {
	release, ok := b.lease(ctx, "feed:"+f.Name, f.Timeout.D()+time.Minute)
	if !ok {
		return PollResult{Feed: f.Name, Leased: true}
	}
	defer release()
	start := b.opt.Now()
	res, failures := b.poll(ctx, rt, f)
	b.opt.Metrics.polled(res, failures, b.opt.Now().Sub(start))
	return res
}

func (b *Bot) poll(ctx context.Context, rt *runtime, f config.Feed) (res PollResult, failures int) {
	res = PollResult{Feed: f.Name}
	st, err := b.opt.Store.FeedState(ctx, f.Name)
	if errors.Is(err, store.ErrNotFound) {
		st = store.FeedState{Feed: f.Name}
	} else if err != nil {
		res.Err = fmt.Errorf("bot: feed %s: %w", f.Name, err)
		return res, st.Failures
	}
	if st.URL != "" && st.URL != f.URL {
		// The feed now points elsewhere: forget validators, and treat the
		// next successful poll as a first poll, so the new feed's existing
		// items are recorded, not delivered.
		st.ETag, st.LastModified, st.BodyHash = "", "", ""
		st.Initialized = false
	}
	st.URL = f.URL
	now := b.opt.Now()
	st.LastAttempt = now
	interval := f.Interval.D()

	// fail records a failed poll with a backoff that grows with the
	// failures, never shorter than the server's Retry-After.
	fail := func(err error, after time.Duration) (PollResult, int) {
		st.Failures++
		st.LastError = err.Error()
		st.NextPoll = feeds.NextPoll(now, interval, st.Failures, after, b.jitter)
		b.log.Warn("feed poll failed", "feed", f.Name, "failures", st.Failures,
			"next_try", b.localTime(rt, st.NextPoll)+" (in "+roundWait(st.NextPoll.Sub(now))+")",
			"backoff", backoffStep(now, interval, st.Failures, after), "error", err.Error())
		res.Err = err
		if perr := b.opt.Store.PutFeedState(ctx, st); perr != nil {
			res.Err = errors.Join(err, perr)
		}
		return res, st.Failures
	}

	src := feeds.Source{Name: f.Name, URL: f.URL, Timeout: f.Timeout.D(), Untrusted: f.Untrusted || b.untrusted(ctx, f.Name, f.URL)}
	fr, err := rt.fetcher.Fetch(ctx, src, feeds.Validators{ETag: st.ETag, LastModified: st.LastModified, BodyHash: st.BodyHash})
	if err != nil {
		if ctx.Err() != nil {
			res.Err = ctx.Err()
			return res, st.Failures
		}
		var se *feeds.StatusError
		var after time.Duration
		if errors.As(err, &se) {
			after = se.RetryAfter
		}
		return fail(err, after)
	}
	res.NotModified = fr.NotModified
	res.Items = len(fr.Items)
	res.Stats = fr.Stats
	b.logParse(f, fr)
	if !fr.NotModified && len(fr.Items) > 0 {
		n, m, undated, err := b.ingest(ctx, rt, f, st.Initialized, fr.Items)
		res.New, res.Matches, res.Undated = n, m, undated
		if err != nil {
			// The old validators are kept, so the next poll sees the items
			// again; Enqueue's uniqueness makes that harmless.
			return fail(fmt.Errorf("bot: feed %s: %w", f.Name, err), 0)
		}
		st.ItemsSeen += int64(n)
	}
	st.Failures = 0
	st.LastError = ""
	st.LastSuccess = now
	st.Initialized = true
	st.ETag, st.LastModified, st.BodyHash = fr.Validators.ETag, fr.Validators.LastModified, fr.Validators.BodyHash
	// A server's caching hint (max-age, <ttl>) may lengthen the interval,
	// but not beyond an hour (or the interval, if longer).
	hint := min(fr.RetryAfter, max(interval, time.Hour))
	st.NextPoll = feeds.NextPoll(now, interval, 0, hint, b.jitter)
	if err := b.opt.Store.PutFeedState(ctx, st); err != nil {
		res.Err = fmt.Errorf("bot: feed %s: %w", f.Name, err)
	}
	b.log.Debug("feed polled", "feed", f.Name, "items", res.Items, "new", res.New, "matches", res.Matches, "not_modified", res.NotModified)
	return res, st.Failures
}

// logParse reports what parsing repaired or left out of a feed body, once
// per body (an unchanged body is not parsed again), so no damage or lost
// entry goes unseen.
func (b *Bot) logParse(f config.Feed, fr feeds.Result) {
	st := fr.Stats
	if st.Repairs > 0 || st.ForbiddenChars > 0 || len(st.Fixes) > 0 {
		b.log.Info("feed body repaired", "feed", f.Name, "url", f.URL, "charset_repairs", st.Repairs, "forbidden_chars", st.ForbiddenChars, "fixes", st.Fixes)
		b.log.Debug("feed body repairs", "feed", f.Name, "byte_offsets", st.RepairOffsets)
	}
	if fr.Skipped > 0 || st.Duplicates > 0 {
		b.log.Info("feed entries not made into items", "feed", f.Name, "url", f.URL, "skipped", fr.Skipped, "reasons", st.SkippedReasons, "duplicates", st.Duplicates)
	}
}

// ingest matches the feed's unseen items and enqueues the matches, then
// marks the items seen. On a feed's first successful poll only the newest
// Backfill items are matched; the rest are just recorded.
func (b *Bot) ingest(ctx context.Context, rt *runtime, f config.Feed, initialized bool, items []feeds.Item) (newItems, matches, undated int, err error) {
	keys := make([]string, len(items))
	byKey := make(map[string]feeds.Item, len(items))
	for i, it := range items {
		keys[i] = it.Key
		byKey[it.Key] = it
	}
	unseen, err := b.opt.Store.Unseen(ctx, f.Name, keys)
	if err != nil {
		return 0, 0, 0, err
	}
	if unseen, err = b.knownByLegacyKey(ctx, f, unseen, byKey); err != nil {
		return 0, 0, 0, err
	}
	fresh := make([]feeds.Item, 0, len(unseen))
	for _, k := range unseen {
		it := byKey[k]
		fresh = append(fresh, it)
		if it.Undated {
			undated++
		}
	}
	if undated > 0 {
		b.log.Info("items without a readable date: shown with the time first seen", "feed", f.Name, "items", undated)
	}
	toMatch := fresh
	if !initialized {
		toMatch = newest(fresh, f.Backfill)
		if skipped := len(fresh) - len(toMatch); skipped > 0 {
			b.log.Info("first poll: existing items recorded, not delivered", "feed", f.Name, "items", skipped, "backfill", f.Backfill)
		}
	}
	now := b.opt.Now()
	var ds []store.Delivery
	seen := &recall{b: b, rt: rt, now: now}
	for _, it := range toMatch {
		ds = append(ds, b.deliveriesFor(ctx, rt, seen, f, it, now)...)
	}
	if len(ds) > 0 {
		ins, err := b.opt.Store.Enqueue(ctx, ds)
		if err != nil {
			return 0, 0, undated, err
		}
		matches = len(ins)
		for _, d := range ins {
			b.opt.Metrics.queued(d.Channel)
			b.log.Info("match queued", "feed", f.Name, "watch", d.Watch, "channel", d.Channel, "title", d.Title, "due", d.Due)
		}
	}
	if _, err := b.opt.Store.MarkSeen(ctx, f.Name, unseen, now); err != nil {
		return 0, matches, undated, err
	}
	return len(unseen), matches, undated, nil
}

// knownByLegacyKey drops from unseen the items an earlier version
// recorded under their legacy key (items without a GUID used to be keyed
// by their link alone), so an upgrade does not alert them again; their new
// keys are recorded as seen.
func (b *Bot) knownByLegacyKey(ctx context.Context, f config.Feed, unseen []string, byKey map[string]feeds.Item) ([]string, error) {
	var legacy []string
	for _, k := range unseen {
		if lk := byKey[k].LegacyKey; lk != "" && lk != k {
			legacy = append(legacy, lk)
		}
	}
	if len(legacy) == 0 {
		return unseen, nil
	}
	stillUnseen, err := b.opt.Store.Unseen(ctx, f.Name, legacy)
	if err != nil {
		return nil, err
	}
	fresh := make(map[string]bool, len(stillUnseen))
	for _, lk := range stillUnseen {
		fresh[lk] = true
	}
	out := unseen[:0:0]
	var known []string
	for _, k := range unseen {
		if lk := byKey[k].LegacyKey; lk != "" && lk != k && !fresh[lk] {
			known = append(known, k)
			continue
		}
		out = append(out, k)
	}
	if len(known) > 0 {
		if _, err := b.opt.Store.MarkSeen(ctx, f.Name, known, b.opt.Now()); err != nil {
			return nil, err
		}
		b.log.Debug("items seen under their legacy key", "feed", f.Name, "items", len(known))
	}
	return out, nil
}

// newest returns the n most recently published items, newest first.
func newest(items []feeds.Item, n int) []feeds.Item {
	if n <= 0 {
		return nil
	}
	s := append([]feeds.Item(nil), items...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Time().After(s[j].Time()) })
	if len(s) > n {
		s = s[:n]
	}
	return s
}

// deliveriesFor matches one item and returns a delivery per (watch,
// channel) hit, minus muted watches and stories the channel already had.
func (b *Bot) deliveriesFor(ctx context.Context, rt *runtime, seen *recall, f config.Feed, it feeds.Item, now time.Time) []store.Delivery {
	it.Feed = f.Name
	doc := match.ItemDocument(it)
	hits := rt.matcher.Match(doc)
	if len(hits) == 0 {
		return nil
	}
	mutes := seen.mutes(ctx)
	head := digest.NewHeadline(it.Title)
	// One row per channel: when several watches posting to the same
	// channel match, the row goes out at the earliest of their times (an
	// instant or urgent hit wins over a digest) under that watch.
	var out []store.Delivery
	byChannel := map[string]int{}
	for _, h := range hits {
		if mutes[h.Watch] || mutes[h.Query] {
			b.log.Info("match muted", "feed", f.Name, "watch", h.Watch, "query", h.Query, "title", it.Title)
			continue
		}
		w := rt.watches[h.Watch]
		e := b.entry(f, it, doc, h)
		payload, err := json.Marshal(e)
		if err != nil {
			b.log.Error("encoding entry", "feed", f.Name, "error", err.Error())
			continue
		}
		due := now
		if s := rt.schedules[h.Watch]; s != nil {
			due = s.Due(now, h.Urgent)
		}
		for _, ch := range w.Channels {
			if i, ok := byChannel[ch]; ok {
				if due.Before(out[i].Due) || h.Urgent && !out[i].Urgent {
					out[i].Watch, out[i].Payload = h.Watch, payload
					if due.Before(out[i].Due) {
						out[i].Due = due
					}
				}
				out[i].Urgent = out[i].Urgent || h.Urgent
				continue
			}
			if seen.storyDelivered(ctx, ch, head) {
				b.log.Info("same story already delivered; held back", "feed", f.Name, "channel", ch, "title", it.Title)
				continue
			}
			byChannel[ch] = len(out)
			out = append(out, store.Delivery{
				Channel: ch,
				ItemKey: f.Name + "\x00" + it.Key,
				Watch:   h.Watch,
				Feed:    f.Name,
				Title:   notify.Truncate(it.Title, titleRunes),
				Link:    it.Link,
				Urgent:  h.Urgent,
				Payload: payload,
				Status:  store.StatusPending,
				Created: now,
				Due:     due,
			})
		}
	}
	return out
}

// recall is what one poll needs to know of earlier deliveries, read from
// the store at most once per poll: active mutes, and the headlines each
// channel was sent within the story window.
type recall struct {
	b     *Bot
	rt    *runtime
	now   time.Time
	muted map[string]bool
	sent  map[string][]digest.Headline // by channel
}

// mutes returns the watches and queries muted now.
func (r *recall) mutes(ctx context.Context) map[string]bool {
	if r.muted != nil {
		return r.muted
	}
	r.muted = map[string]bool{}
	ms, err := r.b.opt.Store.Mutes(ctx)
	if err != nil {
		r.b.log.Warn("reading mutes failed", "error", err.Error())
		return r.muted
	}
	for _, m := range ms {
		if m.Until.IsZero() || m.Until.After(r.now) {
			r.muted[m.Target] = true
		}
	}
	return r.muted
}

// storyDelivered reports whether the channel already got (sent, not just
// queued) the same story from another item within the story window.
// Queued copies are merged into one entry when the digest is built.
func (r *recall) storyDelivered(ctx context.Context, channel string, h digest.Headline) bool {
	win := r.rt.cfg.StoryWindow.D()
	if win <= 0 {
		return false
	}
	if r.sent == nil {
		r.sent = map[string][]digest.Headline{}
	}
	heads, ok := r.sent[channel]
	if !ok {
		prev, err := sentSince(ctx, r.b.opt.Store, channel, r.now.Add(-win))
		if err != nil {
			r.b.log.Warn("story lookup failed", "channel", channel, "error", err.Error())
			return false
		}
		for _, d := range prev {
			heads = append(heads, digest.NewHeadline(d.Title))
		}
		r.sent[channel] = heads
	}
	for _, prev := range heads {
		if h.Same(prev) {
			return true
		}
	}
	return false
}

// sentSince returns the channel's sent deliveries created at or after t,
// newest sent first. It reads the sent rows newest first, a page at a
// time, and stops at the first page that reaches a row sent before t
// (sent is never before created), so the pending rows, which a cold
// start has by the thousand, are never read.
func sentSince(ctx context.Context, st store.OutboxReader, channel string, t time.Time) ([]store.Delivery, error) {
	for limit := 64; ; limit *= 4 {
		rows, err := st.Recent(ctx, channel, limit)
		if err != nil {
			return nil, err
		}
		if len(rows) < limit || rows[len(rows)-1].Sent.Before(t) {
			out := rows[:0]
			for _, d := range rows {
				if !d.Created.Before(t) {
					out = append(out, d)
				}
			}
			return out, nil
		}
	}
}

// entry renders an item and its hit into the outbox payload. The snippet
// is the sentence around the first match in the body, so a keyword deep in
// a long article is shown, not the article's first lines; a hit in the
// title alone shows the start of the summary.
func (b *Bot) entry(f config.Feed, it feeds.Item, doc match.Document, h match.Hit) notify.Entry {
	source := it.Source // aggregators such as Google News name the outlet per item
	if source == "" {
		source = it.FeedTitle
	}
	if source == "" {
		source = f.Name
	}
	snippet := feeds.Snippet(doc.Body, 0, snippetRunes)
	for _, sp := range h.Spans {
		if sp.Field == "body" {
			snippet = feeds.Snippet(doc.Body, sp.Start, snippetRunes)
			break
		}
	}
	return notify.Entry{
		Watch:     h.Watch,
		Feed:      f.Name,
		Source:    source,
		Title:     notify.Truncate(it.Title, titleRunes),
		Link:      it.Link,
		Snippet:   snippet,
		Image:     it.Image,
		Published: it.Time(),
		Undated:   it.Undated,
		Terms:     h.Terms,
		Query:     h.Query,
		Urgent:    h.Urgent,
	}
}

// jitter returns a random duration in [-d, d]; feeds.NextPoll passes a
// tenth of the interval.
func (b *Bot) jitter(d time.Duration) time.Duration {
	if b.opt.Jitter != nil {
		return b.opt.Jitter(d)
	}
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(2*int64(d)+1)) - d
}
