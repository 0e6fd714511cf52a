package command

// This file holds the feed words: feeds, feed add, feed remove and poll.

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/store"
)

// feedUsage answers "feed" without add or remove.
func (c *Core) feedUsage(_ context.Context, cl *call) Reply {
	return c.groupUsage(cl, "feed")
}

// feeds: the health of every feed.
func (c *Core) feeds(ctx context.Context, cl *call) Reply {
	l := cl.lang
	states, err := c.state().FeedStates(ctx)
	if err != nil {
		return c.internal(cl, "reading feed states", err)
	}
	byName := map[string]store.FeedState{}
	for _, s := range states {
		byName[s.Feed] = s
	}
	var lines []string
	for _, f := range cl.cfg.Feeds {
		s, ok := byName[f.Name]
		name := defuse(f.Name)
		switch {
		case !ok || s.LastAttempt.IsZero() && s.LastSuccess.IsZero():
			lines = append(lines, "• "+l.t("feed_new", name))
		case s.Failures > 0:
			lines = append(lines, "• "+l.t("feed_fail", name, s.Failures, defuse(truncate(s.LastError, 120)), c.since(l, s.LastSuccess), c.nextTry(cl, s.NextPoll)))
		default:
			lines = append(lines, "• "+l.t("feed_ok", name, c.since(l, s.LastSuccess), s.ItemsSeen))
		}
	}
	if len(lines) == 0 {
		return Reply{Text: l.t("no_feeds")}
	}
	return Reply{Text: strings.Join(lines, "\n")}
}

// nextTry says when a failing feed is read again.
func (c *Core) nextTry(cl *call, t time.Time) string {
	switch now := c.now(); {
	case t.IsZero():
		return cl.lang.t("next_none")
	case !t.After(now):
		return cl.lang.t("next_now")
	default:
		return cl.lang.t("next_try", clock(cl.cfg, t), ShortDuration(t.Sub(now)))
	}
}

// feedURL cleans a URL as typed in chat (a chat client may wrap it as <url|label>)
// and reports whether it is an absolute http(s) URL.
func feedURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s, _, _ = strings.Cut(s[1:len(s)-1], "|")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return s, false
	}
	return s, true
}

// previewFailure says why a preview failed.
type previewFailure int

const (
	previewRefused     previewFailure = iota + 1 // not a public address, or not found
	previewStatus                                // an HTTP status
	previewUnreachable                           // no answer: a network error or a timeout
	previewNotFeed                               // fetched, but not a feed
)

// preview fetches a feed from chat as untrusted. On failure it returns the
// reply to give and why.
func (c *Core) preview(ctx context.Context, cl *call, name, raw string) (res feeds.Result, fail *Reply, why previewFailure) {
	refuse := func(key string, args ...any) (feeds.Result, *Reply, previewFailure) {
		return feeds.Result{}, &Reply{Text: cl.lang.t(key, args...)}, previewRefused
	}
	if !cl.cfg.Security.AllowPrivateFeeds {
		if err := feeds.CheckPublicURL(ctx, raw, c.opt.Lookup); err != nil {
			c.log.Info("feed URL from chat refused", "url", redact.URL(raw), "user", cl.req.User, "error", err.Error())
			if errors.Is(err, feeds.ErrNotPublic) {
				return refuse("feed_private")
			}
			return refuse("feed_resolve")
		}
	}
	res, err := c.bot.FetchPreview(ctx, feeds.Source{Name: name, URL: raw, Untrusted: true})
	var se *feeds.StatusError
	switch {
	case err == nil && len(res.Items) == 0 && res.Title == "":
		c.log.Info("feed preview found no feed", "url", redact.URL(raw))
		r := Reply{Text: cl.lang.t("feed_bad")}
		return res, &r, previewNotFeed
	case err == nil:
		return res, nil, 0
	case errors.Is(err, feeds.ErrNotPublic):
		c.log.Info("feed URL from chat refused at connect time", "url", redact.URL(raw), "user", cl.req.User, "error", err.Error())
		return refuse("feed_private")
	case errors.As(err, &se):
		c.log.Info("feed preview failed", "url", redact.URL(raw), "error", err.Error())
		r := Reply{Text: cl.lang.t("feed_http", se.Code)}
		return res, &r, previewStatus
	}
	c.log.Info("feed preview failed", "url", redact.URL(raw), "error", err.Error())
	r := Reply{Text: cl.lang.t("feed_bad")}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) {
		return res, &r, previewUnreachable
	}
	return res, &r, previewNotFeed
}

// feedAdd: feed add <url> [name]. The feed is fetched and parsed once, as
// untrusted, before it is saved. A web page that is not a feed is read
// for the feeds it advertises, and the first of them that reads is added.
// Without a name the feed is named after its title.
func (c *Core) feedAdd(ctx context.Context, cl *call) Reply {
	typed, name := cl.feedAddArgs()
	if typed == "" {
		return Reply{Text: cl.lang.usage("feed add")}
	}
	raw, ok := feedURL(typed)
	if !ok {
		return Reply{Text: cl.lang.t("feed_url")}
	}
	if r := knownFeed(cl, raw); r != nil {
		return *r
	}
	if name != "" && slices.ContainsFunc(cl.cfg.Feeds, func(f config.Feed) bool { return f.Name == name }) {
		return Reply{Text: cl.lang.t("feed_dup", defuse(name))}
	}
	logName := cmp.Or(name, hostName(raw), "chat")
	res, fail, why := c.preview(ctx, cl, logName, raw)
	found := ""
	if fail != nil {
		if why != previewNotFeed {
			return *fail
		}
		var r *Reply
		if raw, res, r = c.discoverFeed(ctx, cl, logName, raw, *fail); r != nil {
			return *r
		}
		found = cl.lang.t("feed_found", code(raw))
	}
	if name == "" {
		name = titleName(cl.cfg, res.Title, raw)
	}
	// Recorded before the file is written, so the bot never polls the feed
	// as trusted, even when it reloads before this call returns.
	if err := c.state().SetMeta(ctx, UntrustedFeedKey(name), raw); err != nil {
		return c.internal(cl, "marking a chat feed untrusted", err)
	}
	edited, err := c.edit(ctx, cl, func(d *config.Doc) error { return d.AddFeed(config.Feed{Name: name, URL: raw}) })
	switch {
	case err == nil:
	case errors.Is(err, config.ErrDuplicate):
		return Reply{Text: cl.lang.t("feed_dup", defuse(name))}
	default:
		return c.editFailure(cl, err)
	}
	// The editor writes the URL so that it loads as typed, which is what
	// keeps the mark; should it ever load otherwise, the loaded URL is
	// marked too (fail closed).
	if f, ok := edited.Config.FeedByName(name); ok && f.URL != raw {
		c.log.Error("a feed added from chat loads with another URL; marking that one untrusted", "feed", name)
		if err := c.state().SetMeta(ctx, UntrustedFeedKey(name), f.URL); err != nil {
			return c.internal(cl, "marking a chat feed untrusted", err)
		}
	}
	return Reply{Text: found + cl.lang.t("feed_added", defuse(name), len(res.Items)) + c.applied(ctx, cl), Public: true}
}

// knownFeed returns the reply for a URL the watchlist already polls, or
// nil.
func knownFeed(cl *call, raw string) *Reply {
	for _, f := range cl.cfg.Feeds {
		if f.URL == raw {
			return &Reply{Text: cl.lang.t("feed_known", defuse(f.Name))}
		}
	}
	return nil
}

// maxDiscovered is how many of the feeds a page advertises are tried.
const maxDiscovered = 3

// discoverFeed reads the web page at raw, which is not a feed (notFeed
// is the reply that says so), for the feeds it advertises and returns the
// first that reads, with its preview; or the reply to give. The page is
// fetched through the same untrusted path as a feed (public addresses
// only, unless security.allow_private_feeds), and so is every feed it
// names.
func (c *Core) discoverFeed(ctx context.Context, cl *call, name, raw string, notFeed Reply) (string, feeds.Result, *Reply) {
	page, err := c.pageFetcher(cl.cfg).FetchPage(ctx, feeds.Source{Name: name, URL: raw, Untrusted: true})
	if err != nil {
		c.log.Info("reading a web page for its feeds failed", "url", redact.URL(raw), "error", err.Error())
		return "", feeds.Result{}, &notFeed
	}
	d, err := feeds.Discover(ctx, page.Body, page.URL)
	if err != nil {
		c.log.Info("reading a web page for its feeds failed", "url", redact.URL(raw), "error", err.Error())
		return "", feeds.Result{}, &notFeed
	}
	c.log.Info("web page read for its feeds", "url", redact.URL(raw), "feeds", len(d.Feeds), "links_skipped", d.Skipped)
	if len(d.Feeds) == 0 {
		return "", feeds.Result{}, &Reply{Text: cl.lang.t("feed_no_link")}
	}
	var first *Reply
	for i, l := range d.Feeds {
		if i == maxDiscovered {
			break
		}
		if r := knownFeed(cl, l.URL); r != nil {
			return "", feeds.Result{}, &Reply{Text: cl.lang.t("link_bad", code(l.URL), r.Text)}
		}
		res, fail, _ := c.preview(ctx, cl, name, l.URL)
		if fail == nil {
			return l.URL, res, nil
		}
		if first == nil {
			first = &Reply{Text: cl.lang.t("link_bad", code(d.Feeds[0].URL), fail.Text)}
		}
	}
	return "", feeds.Result{}, first
}

// pageFetcher returns the fetcher for web pages given to feed add: the
// feeds package's, with the watchlist's limits, its address guard for
// untrusted sources, and the core's resolver.
func (c *Core) pageFetcher(cfg *config.Config) *feeds.HTTPFetcher {
	return feeds.NewHTTPFetcher(feeds.Options{
		Version:      c.opt.Version,
		MaxBytes:     cfg.Poll.MaxBytes,
		Timeout:      cfg.Poll.Timeout.D(),
		AllowPrivate: cfg.Security.AllowPrivateFeeds,
		LookupIP:     c.opt.Lookup,
		Logger:       c.log,
		Now:          c.now,
	})
}

// maxNameRunes bounds a feed name made from a title.
const maxNameRunes = 40

// titleName names a feed added without a name: its title as a slug
// ("연합뉴스 IT/과학" → "연합뉴스-it-과학"), else the URL's host, made
// unique among the watchlist's feeds with -2, -3….
func titleName(cfg *config.Config, title, raw string) string {
	base := sanitizeName(title)
	if r := []rune(base); len(r) > maxNameRunes {
		base = string(r[:maxNameRunes])
		if i := strings.LastIndexByte(base, '-'); i > len(base)/2 {
			base = base[:i]
		}
		base = strings.TrimRight(base, "-")
	}
	if base == "" {
		base = cmp.Or(hostName(raw), "feed")
	}
	return uniqueName(base, func(n string) bool {
		return slices.ContainsFunc(cfg.Feeds, func(f config.Feed) bool { return f.Name == n })
	})
}

// hostName is a name from a URL's host: "www.yna.co.kr" → "yna".
func hostName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	base, _, _ := strings.Cut(strings.TrimPrefix(u.Hostname(), "www."), ".")
	return sanitizeName(base)
}

// feedRemove: feed remove <name>. The feed is also taken out of the
// feeds of the watches that read it with others; the last feed of a
// watch is kept (without it the watch would read every feed).
func (c *Core) feedRemove(ctx context.Context, cl *call) Reply {
	name := unquote(cl.arg(ArgName))
	if name == "" {
		return Reply{Text: cl.lang.usage("feed remove")}
	}
	var users []string
	var only string
	_, err := c.edit(ctx, cl, func(d *config.Doc) error {
		users, only = nil, ""
		for _, w := range d.Config().Watches {
			if !slices.Contains(w.Feeds, name) {
				continue
			}
			if len(w.Feeds) == 1 {
				only = w.Name
				return config.ErrLastEntry
			}
			users = append(users, w.Name)
		}
		for _, w := range users {
			if err := d.RemoveWatchFeed(w, name); err != nil {
				return err
			}
		}
		return d.RemoveFeed(name)
	})
	switch {
	case err == nil:
	case errors.Is(err, config.ErrNoSuchEntry):
		names := feedNameList(cl.cfg)
		return Reply{Text: cl.lang.t("no_feed", defuse(name), didYouMean(cl.lang, name, names), listed(cl.lang, names))}
	case errors.Is(err, config.ErrLastEntry) && only != "":
		return Reply{Text: cl.lang.t("feed_last", defuse(name), defuse(only))}
	case errors.Is(err, config.ErrInUse):
		return Reply{Text: cl.lang.t("feed_in_use", defuse(name), defuse(strings.Join(users, ", ")))}
	default:
		return c.editFailure(cl, err)
	}
	if err := c.state().SetMeta(ctx, UntrustedFeedKey(name), ""); err != nil {
		c.log.Warn("forgetting a removed chat feed", "feed", name, "error", err.Error())
	}
	text := cl.lang.t("feed_removed", defuse(name))
	if len(users) > 0 {
		text += cl.lang.t("feed_left", defuse(strings.Join(users, ", ")))
	}
	return Reply{Text: text + c.applied(ctx, cl), Public: true}
}

// poll: poll <feed>, read a feed of the watchlist now.
func (c *Core) poll(ctx context.Context, cl *call) Reply {
	name := unquote(cl.arg(ArgName))
	if name == "" {
		return Reply{Text: cl.lang.usage("poll")}
	}
	if _, ok := cl.cfg.FeedByName(name); !ok {
		names := feedNameList(cl.cfg)
		return Reply{Text: cl.lang.t("no_feed", defuse(name), didYouMean(cl.lang, name, names), listed(cl.lang, names))}
	}
	n, m, err := c.bot.PollNow(ctx, name)
	if err != nil {
		c.log.Info("poll from chat failed", "feed", name, "user", cl.req.User, "error", err.Error())
		return Reply{Text: cl.lang.t("poll_fail", defuse(name), defuse(truncate(err.Error(), 300)))}
	}
	c.log.Info("feed polled from chat", "feed", name, "user", cl.req.User, "new_items", n, "matches", m)
	return Reply{Text: cl.lang.t("poll_done", defuse(name), n, m)}
}
