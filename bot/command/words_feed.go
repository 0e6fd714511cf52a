package command

// This file holds the feed words: feeds, feed add and feed remove.

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/store"
)

// feedUsage answers "feed" without add or remove.
func (c *Core) feedUsage(_ context.Context, cl *call) Reply {
	return Reply{Text: cl.lang.usage("feed")}
}

// feeds: the health of every feed.
func (c *Core) feeds(ctx context.Context, cl *call) Reply {
	l := cl.lang
	states, err := c.bot.Store().FeedStates(ctx)
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
			lines = append(lines, "• "+l.t("feed_fail", name, s.Failures, defuse(truncate(s.LastError, 120)), c.since(l, s.LastSuccess)))
		default:
			lines = append(lines, "• "+l.t("feed_ok", name, c.since(l, s.LastSuccess), s.ItemsSeen))
		}
	}
	if len(lines) == 0 {
		return Reply{Text: l.t("no_feeds")}
	}
	return Reply{Text: strings.Join(lines, "\n")}
}

// feedURL cleans a URL as typed in chat (Slack may wrap it as <url|label>)
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

// preview fetches a feed from chat as untrusted. On failure it returns the
// reply to give; text reports whether the failure means "not a feed"
// rather than a refusal.
func (c *Core) preview(ctx context.Context, cl *call, name, raw string) (res feeds.Result, fail *Reply, notFeed bool) {
	refuse := func(key string, args ...any) (feeds.Result, *Reply, bool) {
		return feeds.Result{}, &Reply{Text: cl.lang.t(key, args...)}, false
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
		return res, &r, true
	case err == nil:
		return res, nil, false
	case errors.Is(err, feeds.ErrNotPublic):
		c.log.Info("feed URL from chat refused at connect time", "url", redact.URL(raw), "user", cl.req.User, "error", err.Error())
		return refuse("feed_private")
	case errors.As(err, &se):
		c.log.Info("feed preview failed", "url", redact.URL(raw), "error", err.Error())
		r := Reply{Text: cl.lang.t("feed_http", se.Code)}
		return res, &r, true
	}
	c.log.Info("feed preview failed", "url", redact.URL(raw), "error", err.Error())
	r := Reply{Text: cl.lang.t("feed_bad")}
	return res, &r, true
}

// feedAdd: feed add <url> [name]. The feed is fetched and parsed once, as
// untrusted, before it is saved.
func (c *Core) feedAdd(ctx context.Context, cl *call) Reply {
	typed, name := cl.feedAddArgs()
	if typed == "" {
		return Reply{Text: cl.lang.usage("feed add")}
	}
	raw, ok := feedURL(typed)
	if !ok {
		return Reply{Text: cl.lang.t("feed_url")}
	}
	for _, f := range cl.cfg.Feeds {
		if f.URL == raw {
			return Reply{Text: cl.lang.t("feed_known", defuse(f.Name))}
		}
	}
	if name == "" {
		u, _ := url.Parse(raw)
		host := strings.TrimPrefix(u.Hostname(), "www.")
		base, _, _ := strings.Cut(host, ".")
		name = uniqueName(sanitizeName(base), func(n string) bool {
			return slices.ContainsFunc(cl.cfg.Feeds, func(f config.Feed) bool { return f.Name == n })
		})
	}
	if slices.ContainsFunc(cl.cfg.Feeds, func(f config.Feed) bool { return f.Name == name }) {
		return Reply{Text: cl.lang.t("feed_dup", defuse(name))}
	}
	res, fail, _ := c.preview(ctx, cl, name, raw)
	if fail != nil {
		return *fail
	}
	// Recorded before the file is written, so the bot never polls the feed
	// as trusted, even when it reloads before this call returns.
	if err := c.bot.Store().SetMeta(ctx, UntrustedFeedKey(name), raw); err != nil {
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
		if err := c.bot.Store().SetMeta(ctx, UntrustedFeedKey(name), f.URL); err != nil {
			return c.internal(cl, "marking a chat feed untrusted", err)
		}
	}
	return Reply{Text: cl.lang.t("feed_added", defuse(name), len(res.Items)) + c.applied(ctx, cl), Public: true}
}

// feedRemove: feed remove <name>. A feed named in a watch's feeds is kept.
func (c *Core) feedRemove(ctx context.Context, cl *call) Reply {
	name := unquote(cl.arg(ArgName))
	if name == "" {
		return Reply{Text: cl.lang.usage("feed remove")}
	}
	var users []string
	_, err := c.edit(ctx, cl, func(d *config.Doc) error {
		users = nil
		for _, w := range d.Config().Watches {
			if slices.Contains(w.Feeds, name) {
				users = append(users, w.Name)
			}
		}
		return d.RemoveFeed(name)
	})
	switch {
	case err == nil:
	case errors.Is(err, config.ErrNoSuchEntry):
		return Reply{Text: cl.lang.t("no_feed", defuse(name))}
	case errors.Is(err, config.ErrInUse):
		return Reply{Text: cl.lang.t("feed_in_use", defuse(name), defuse(strings.Join(users, ", ")))}
	default:
		return c.editFailure(cl, err)
	}
	if err := c.bot.Store().SetMeta(ctx, UntrustedFeedKey(name), ""); err != nil {
		c.log.Warn("forgetting a removed chat feed", "feed", name, "error", err.Error())
	}
	return Reply{Text: cl.lang.t("feed_removed", defuse(name)) + c.applied(ctx, cl), Public: true}
}
