package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
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
	// queued names the channels that got new alerts, each once, so the
	// daemon can send them without waiting for its next tick.
	queued []string
}

// pollFeed fetches one feed, records its state, and enqueues the matches of
// its new items. Errors are recorded in the feed state and returned. The
// caller has claimed the feed in b.polling; other replicas sharing the
// store are kept off by the feed's lease, which a store only this
// process writes does not need. marks are the feeds' trust records read
// after rt was loaded, or nil to read the feed's now.
func (b *Bot) pollFeed(ctx context.Context, rt *runtime, f config.Feed, marks *trustMarks) PollResult {
	if !b.soleWriter {
		h, ok := b.hold(ctx, "feed:"+f.Name)
		if !ok {
			return PollResult{Feed: f.Name, Leased: true}
		}
		defer h.release()
	}
	start := b.opt.Now()
	res, failures := b.poll(ctx, rt, f, marks)
	b.opt.Metrics.polled(res, failures, b.opt.Now().Sub(start))
	return res
}

func (b *Bot) poll(ctx context.Context, rt *runtime, f config.Feed, marks *trustMarks) (res PollResult, failures int) {
	res = PollResult{Feed: f.Name}
	st, err := b.feedState(ctx, f.Name)
	recorded := err == nil
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
		} else {
			b.wroteState(st)
		}
		return res, st.Failures
	}

	src := feeds.Source{Name: f.Name, URL: f.URL, Timeout: f.Timeout.D(), Untrusted: f.Untrusted || b.untrusted(ctx, marks, f.Name, f.URL)}
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
	var in ingested
	if !fr.NotModified && len(fr.Items) > 0 {
		rt, f = b.latest(rt, f)
		var err error
		if in, err = b.ingest(ctx, rt, f, recorded, st.Initialized, fr.Items); err != nil {
			return fail(fmt.Errorf("bot: feed %s: %w", f.Name, err), 0)
		}
		res.New, res.Undated = in.newItems, in.undated
	}
	next := st
	next.Failures = 0
	next.LastError = ""
	next.LastSuccess = now
	next.Initialized = true
	next.ItemsSeen += int64(in.newItems)
	next.ETag, next.LastModified, next.BodyHash = fr.Validators.ETag, fr.Validators.LastModified, fr.Validators.BodyHash
	// A server's caching hint (max-age, <ttl>) may lengthen the interval,
	// but not beyond an hour (or the interval, if longer).
	hint := min(fr.RetryAfter, max(interval, time.Hour))
	next.NextPoll = feeds.NextPoll(now, interval, 0, hint, b.jitter)
	// One write records the matches, the alerts, the items seen and the
	// state, so a failure leaves the items unseen and the old
	// validators in place: the next poll sees the items again.
	added, err := b.opt.Store.RecordPoll(ctx, store.PollRecord{
		State: next, Deliveries: in.deliveries, Matches: in.matches, Seen: in.seen, SeenAt: in.at,
	})
	if err != nil {
		err = fmt.Errorf("bot: feed %s: %w", f.Name, err)
		if len(in.seen) > 0 {
			res.New, res.Undated = 0, 0
			return fail(err, 0)
		}
		res.Err = err
		return res, st.Failures
	}
	b.wroteState(next)
	res.Matches = len(added)
	for _, d := range added {
		if !slices.Contains(res.queued, d.Channel) {
			res.queued = append(res.queued, d.Channel)
		}
		b.opt.Metrics.queued(d.Channel)
		b.log.Info("match queued", "feed", f.Name, "watch", d.Watch, "channel", d.Channel, "title", d.Title, "due", d.Due)
	}
	if in.recall != nil {
		b.checkSurges(ctx, rt, in.recall, in.matches)
	}
	b.log.Debug("feed polled", "feed", f.Name, "items", res.Items, "new", res.New, "matches", res.Matches, "not_modified", res.NotModified)
	return res, next.Failures
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

// latest returns the watchlist in force now and the feed's entry in it,
// for matching what a poll fetched: a watchlist applied while the feed was
// being fetched (a poll may wait for a slot, a lease or a slow server)
// matches the items, so an item fetched after an edit applied is never
// matched by the watchlist before it, and then recorded as seen. A feed
// the new watchlist dropped or points elsewhere keeps the poll's.
func (b *Bot) latest(rt *runtime, f config.Feed) (*runtime, config.Feed) {
	cur := b.rt.Load()
	if cur == rt {
		return rt, f
	}
	if nf, ok := cur.feeds[f.Name]; ok && nf.URL == f.URL {
		return cur, nf
	}
	return rt, f
}

// ingested is what ingest found in a poll's items, for the store to
// record in one write.
type ingested struct {
	seen              []string // keys to record as seen: the new items', and those known by a legacy key
	newItems, undated int
	deliveries        []store.Delivery
	matches           []store.Match
	at                time.Time
	recall            *recall
}

// ingest matches the feed's unseen items and returns the deliveries and
// matches to record with the keys to mark seen. On a feed's first
// successful poll only the newest Backfill items are matched; the rest
// are just recorded. recorded is false when the feed has no state in the
// store: it was never recorded, and as RecordPoll writes a poll's seen
// keys with its state, none of its items can be seen, so the store is
// not asked. (Earlier versions wrote the keys before the state, but
// queued the alerts before the keys: the alerts of keys left by a crash
// in between are not queued twice.)
func (b *Bot) ingest(ctx context.Context, rt *runtime, f config.Feed, recorded, initialized bool, items []feeds.Item) (ingested, error) {
	var in ingested
	keys := make([]string, 0, len(items))
	byKey := make(map[string]feeds.Item, len(items))
	for _, it := range items {
		if _, dup := byKey[it.Key]; !dup {
			keys = append(keys, it.Key)
			byKey[it.Key] = it
		}
	}
	unseen, known := keys, []string(nil)
	if recorded {
		var err error
		if unseen, err = b.opt.Store.Unseen(ctx, f.Name, keys); err != nil {
			return in, err
		}
		if unseen, known, err = b.knownByLegacyKey(ctx, f, unseen, byKey); err != nil {
			return in, err
		}
	}
	in.seen = append(unseen, known...)
	in.newItems = len(unseen)
	fresh := make([]feeds.Item, 0, len(unseen))
	for _, k := range unseen {
		it := byKey[k]
		fresh = append(fresh, it)
		if it.Undated {
			in.undated++
		}
	}
	if in.undated > 0 {
		b.log.Info("items without a readable date: shown with the time first seen", "feed", f.Name, "items", in.undated)
	}
	toMatch := fresh
	if !initialized {
		toMatch = newest(fresh, f.Backfill)
		if skipped := len(fresh) - len(toMatch); skipped > 0 {
			b.log.Info("first poll: existing items recorded, not delivered", "feed", f.Name, "items", skipped, "backfill", f.Backfill)
		}
	}
	in.at = b.opt.Now()
	in.recall = &recall{b: b, rt: rt, now: in.at}
	for _, it := range toMatch {
		in.deliveries = append(in.deliveries, b.deliveriesFor(ctx, rt, in.recall, f, it, in.at, &in.matches)...)
	}
	return in, nil
}

// knownByLegacyKey splits from unseen the items an earlier version
// recorded under their legacy key (items without a GUID used to be keyed
// by their link alone), so an upgrade does not alert them again: their
// new keys are returned as known, to be recorded as seen.
func (b *Bot) knownByLegacyKey(ctx context.Context, f config.Feed, unseen []string, byKey map[string]feeds.Item) (stillNew, known []string, err error) {
	var legacy []string
	for _, k := range unseen {
		if lk := byKey[k].LegacyKey; lk != "" && lk != k {
			legacy = append(legacy, lk)
		}
	}
	if len(legacy) == 0 {
		return unseen, nil, nil
	}
	stillUnseen, err := b.opt.Store.Unseen(ctx, f.Name, legacy)
	if err != nil {
		return nil, nil, err
	}
	fresh := make(map[string]bool, len(stillUnseen))
	for _, lk := range stillUnseen {
		fresh[lk] = true
	}
	out := unseen[:0:0]
	for _, k := range unseen {
		if lk := byKey[k].LegacyKey; lk != "" && lk != k && !fresh[lk] {
			known = append(known, k)
			continue
		}
		out = append(out, k)
	}
	if len(known) > 0 {
		b.log.Debug("items seen under their legacy key", "feed", f.Name, "items", len(known))
	}
	return out, known, nil
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
// Every hit, muted or not, is appended to found for trends.
func (b *Bot) deliveriesFor(ctx context.Context, rt *runtime, seen *recall, f config.Feed, it feeds.Item, now time.Time, found *[]store.Match) []store.Delivery {
	it.Feed = f.Name
	doc := match.ItemDocument(it)
	hits := rt.matcher.Match(doc)
	if len(hits) == 0 {
		return nil
	}
	for _, h := range hits {
		*found = append(*found, store.Match{
			Watch: h.Watch, Query: h.Query, Feed: f.Name, Source: outlet(f, it), ItemKey: it.Key,
			Title: notify.Truncate(it.Title, titleRunes), Link: it.Link, At: matchTime(it, now),
		})
	}
	mutes := seen.mutes(ctx)
	head := digest.NewStory(it.Title, it.Body(), it.Link, it.Time())
	// One row per channel: when several watches posting to the same
	// channel match, the row goes out at the earliest of their times (an
	// instant or urgent hit wins over a digest) under that watch.
	var out []store.Delivery
	byChannel := map[string]int{}
	grown := map[string]bool{} // channels where the item grows an earlier story
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
			if grown[ch] {
				continue
			}
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
			row := store.Delivery{
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
			}
			if root, ok := seen.deliveredStory(ctx, ch, head); ok {
				grown[ch] = true
				if parentDue, grow := seen.growth(ctx, rt, ch, root); grow {
					row.Parent, row.Due = root.ID, parentDue
					out = append(out, row)
					b.log.Info("same story already delivered; it grows", "feed", f.Name, "channel", ch, "title", it.Title, "parent", root.ID)
				} else {
					b.log.Info("same story already delivered; held back", "feed", f.Name, "channel", ch, "title", it.Title)
				}
				continue
			}
			byChannel[ch] = len(out)
			out = append(out, row)
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
	sent  map[string][]sentStory // by channel
}

// sentStory is a row sent within the story window with its story.
type sentStory struct {
	row   store.Delivery
	story digest.Story
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

// deliveredStory returns the row that first brought the same story to
// the channel (sent, not just queued) within the story window: the row
// whose message later copies grow. Queued copies are merged into one
// entry when the digest is built.
func (r *recall) deliveredStory(ctx context.Context, channel string, h digest.Story) (store.Delivery, bool) {
	win := r.rt.cfg.StoryWindow.D()
	if win <= 0 {
		return store.Delivery{}, false
	}
	rows := r.rows(ctx, channel)
	for _, prev := range rows {
		if prev.row.Status != store.StatusSent || !h.Same(prev.story) {
			continue
		}
		return rootOf(rows, prev.row), true
	}
	return store.Delivery{}, false
}

// rows returns the channel's rows of the story window, read once per
// poll.
func (r *recall) rows(ctx context.Context, channel string) []sentStory {
	if r.sent == nil {
		r.sent = map[string][]sentStory{}
	}
	rows, ok := r.sent[channel]
	if ok {
		return rows
	}
	prev, err := sentSince(ctx, r.b.opt.Store, channel, r.now.Add(-r.rt.cfg.StoryWindow.D()))
	if err != nil {
		r.b.log.Warn("story lookup failed", "channel", channel, "error", err.Error())
		return nil
	}
	// Oldest first, so that a story's first row is found first.
	slices.SortFunc(prev, func(a, b store.Delivery) int { return cmp.Compare(a.ID, b.ID) })
	stories := r.b.stories.of(channel, prev)
	for i, d := range prev {
		rows = append(rows, sentStory{row: d, story: stories[i]})
	}
	r.sent[channel] = rows
	return rows
}

// storyCache keeps, by channel and row ID, the story of each sent row the
// story check compared, so that it is built once, not once per poll that
// has a match (with thousands of rows in the story window that was most
// of a poll's work): a row's title, payload and link never change.
type storyCache struct {
	mu        sync.Mutex
	byChannel map[string]map[int64]digest.Story
}

// of returns the stories of a channel's rows, in order, building those
// not kept yet. It keeps the stories of these rows only: rows that left
// the story window are forgotten.
func (c *storyCache) of(channel string, rows []store.Delivery) []digest.Story {
	out := make([]digest.Story, len(rows))
	missing := make([]int, 0, len(rows))
	c.mu.Lock()
	kept := c.byChannel[channel]
	for i, d := range rows {
		if st, ok := kept[d.ID]; ok {
			out[i] = st
		} else {
			missing = append(missing, i)
		}
	}
	c.mu.Unlock()
	for _, i := range missing { // outside the lock: polls build their own at once
		out[i] = storyOf(rows[i])
	}
	now := make(map[int64]digest.Story, len(rows))
	for i, d := range rows {
		now[d.ID] = out[i]
	}
	c.mu.Lock()
	if c.byChannel == nil {
		c.byChannel = map[string]map[int64]digest.Story{}
	}
	c.byChannel[channel] = now
	c.mu.Unlock()
	return out
}

// rootOf returns the row whose message d's story lives in: d's parent
// when d grew a story, and of the rows one message carried, the first.
func rootOf(rows []sentStory, d store.Delivery) store.Delivery {
	if d.Parent != 0 {
		for _, x := range rows {
			if x.row.ID == d.Parent {
				return x.row
			}
		}
		return store.Delivery{ID: d.Parent, MessageID: goneMessage} // older than the window
	}
	if d.MessageID != "" {
		for _, x := range rows {
			if x.row.MessageID == d.MessageID && x.row.Parent == 0 && x.row.ID < d.ID {
				return x.row
			}
		}
	}
	return d
}

// goneMessage is the message reference of a story whose message may no
// longer change: it was deleted (404), or its story was muted.
const goneMessage = "-"

// storyMuted reports whether the story of root is muted in the channel:
// a "Mute story" on any row its message carried.
func (r *recall) storyMuted(ctx context.Context, channel string, root store.Delivery) bool {
	mutes := r.mutes(ctx)
	if mutes[store.StoryMuteTarget(channel, root.ID)] {
		return true
	}
	if root.MessageID == "" {
		return false
	}
	for _, x := range r.rows(ctx, channel) {
		if x.row.MessageID == root.MessageID && mutes[store.StoryMuteTarget(channel, x.row.ID)] {
			return true
		}
	}
	return false
}

// growth decides what a later copy of the story root carried does: it
// grows root's message (an edit, or a compact follow-up where the channel
// cannot edit), due when the channel may change that message again; or
// it is held back: the story is muted, its message is gone, the story
// window is over, or the one follow-up has been sent.
func (r *recall) growth(ctx context.Context, rt *runtime, channel string, root store.Delivery) (time.Time, bool) {
	if root.MessageID == goneMessage || r.storyMuted(ctx, channel, root) {
		return time.Time{}, false
	}
	if win := rt.cfg.StoryWindow.D(); root.Sent.IsZero() || r.now.Sub(root.Sent) > win {
		return time.Time{}, false
	}
	_, editor := rt.notifiers[channel].(notify.Editor)
	canEdit := editor && editable(root.MessageID)
	last := root.Sent
	for _, x := range r.rows(ctx, channel) {
		if x.row.Parent != root.ID || x.row.Status != store.StatusSent {
			continue
		}
		if !canEdit {
			return time.Time{}, false // the one follow-up went out
		}
		if x.row.Sent.After(last) {
			last = x.row.Sent
		}
	}
	due := last.Add(r.b.opt.EditInterval)
	if due.Before(r.now) {
		due = r.now
	}
	return due, true
}

// storyOf prepares a delivered row for Story.Same: its title and link,
// and the lead and date its payload kept (rows written before the lead
// was kept compare by title, link and date).
func storyOf(d store.Delivery) digest.Story {
	var e notify.Entry
	if err := json.Unmarshal(d.Payload, &e); err != nil {
		return digest.NewStory(d.Title, "", d.Link, time.Time{})
	}
	return digest.NewStory(d.Title, e.Lead, d.Link, e.Published)
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
	source := outlet(f, it)
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
		Lead:      feeds.Snippet(it.Body(), 0, digest.LeadRunes),
		Terms:     h.Terms,
		Query:     h.Query,
		Urgent:    h.Urgent,
	}
}

// outlet names the outlet of an item: aggregators such as Google News
// name it per item, other feeds by their title, else the feed's name.
func outlet(f config.Feed, it feeds.Item) string {
	return cmp.Or(it.Source, it.FeedTitle, f.Name)
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

// matchTime is when a match counts for trends and reports: when its item
// appeared (published, else first seen), so that a backfill or a late
// poll of old items lands on their days and never looks like a surge of
// today; a date in the future counts as now.
func matchTime(it feeds.Item, now time.Time) time.Time {
	if t := it.Time(); !t.IsZero() && t.Before(now) {
		return t
	}
	return now
}
