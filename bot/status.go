package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/store"
)

var _ command.Bot = (*Bot)(nil)

// Status reports what `/news status` shows: feed health, pending
// deliveries per channel, the next digest time per channel and the last
// reload error. Store errors are logged and leave the counts empty.
func (b *Bot) Status(ctx context.Context) command.Status {
	rt := b.rt.Load()
	now := b.opt.Now()
	st := command.Status{
		Version:    b.opt.Version,
		Started:    b.started,
		Pending:    map[string]int{},
		NextDigest: map[string]time.Time{},
	}
	if err := b.ConfigError(); err != nil {
		st.ConfigError = err.Error()
	}
	states, err := b.opt.Store.FeedStates(ctx)
	if err != nil {
		b.log.Warn("status: reading feed states", "error", err.Error())
	}
	failing := map[string]bool{}
	for _, s := range states {
		failing[s.Feed] = s.Failures > 0
	}
	for _, f := range rt.cfg.Feeds {
		if failing[f.Name] {
			st.FeedsFailing++
		} else {
			st.FeedsOK++
		}
	}
	pending, err := b.opt.Store.PendingAll(ctx, "")
	if err != nil {
		b.log.Warn("status: reading the outbox", "error", err.Error())
	}
	for _, d := range pending {
		st.Pending[d.Channel]++
	}
	for _, w := range rt.cfg.Watches {
		s := rt.schedules[w.Name]
		if s == nil || s.Instant() {
			continue
		}
		next := s.Next(now)
		for _, ch := range w.Channels {
			if cur, ok := st.NextDigest[ch]; !ok || next.Before(cur) {
				st.NextDigest[ch] = next
			}
		}
	}
	return st
}

// untrusted reports whether a feed was added from chat: the command core
// records the URL it vetted, and only that exact URL stays untrusted.
// marks, when not nil, are the records read for many polls at once
// (trustMarks); else the feed's record is read now.
func (b *Bot) untrusted(ctx context.Context, marks *trustMarks, feed, url string) bool {
	if marks != nil {
		if marks.err != nil {
			return true // fail closed; logged when read
		}
		return marks.urls[feed] == url
	}
	v, err := b.opt.Store.GetMeta(ctx, command.UntrustedFeedKey(feed))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			b.log.Warn("reading feed trust", "feed", feed, "error", err.Error())
			return true // fail closed
		}
		return false
	}
	return v == url
}

// trustMarks are the URLs the command core recorded for feeds added from
// chat, by feed name, read in one go for the polls of a cycle or a tick.
// The core records a feed's URL before it writes the feed to the
// watchlist, so marks read after the runtime was loaded cover every feed
// of it. err, if set, is why they could not be read: every feed is then
// polled as untrusted.
type trustMarks struct {
	urls map[string]string
	err  error
}

// readTrustMarks reads every feed's trust record, for polls of feeds of
// a runtime loaded before.
func (b *Bot) readTrustMarks(ctx context.Context) *trustMarks {
	prefix := command.UntrustedFeedKey("")
	m, err := b.opt.Store.MetaPrefix(ctx, prefix)
	if err != nil {
		b.log.Warn("reading feed trust; polling every feed as untrusted", "error", err.Error())
		return &trustMarks{err: err}
	}
	urls := make(map[string]string, len(m))
	for k, v := range m {
		urls[strings.TrimPrefix(k, prefix)] = v
	}
	return &trustMarks{urls: urls}
}
