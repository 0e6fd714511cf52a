package command

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
)

// Refusals decided while editing, mapped to replies by the callers.
var (
	errNoChannel = errors.New("command: the chat channel cannot be added to the watchlist")
	errNoWatch   = errors.New("command: no such watch")
	errNoQuery   = errors.New("command: no such query")
)

// manyError says a query or channel is ambiguous between watches.
type manyError struct{ watches string }

func (e *manyError) Error() string { return "command: several watches: " + e.watches }

func (c *Core) help(_ context.Context, cl *call) Reply { return Reply{Text: help[cl.lang]} }

// feedUsage answers "feed" without add or remove.
func (c *Core) feedUsage(_ context.Context, cl *call) Reply {
	return Reply{Text: cl.lang.usage("feed")}
}

// add: add <query> [to <watch>].
func (c *Core) add(ctx context.Context, cl *call) Reply {
	q, watch, named := splitLast(cl.args, "to")
	if q == "" || strings.ContainsAny(q, "\r\n") {
		return Reply{Text: cl.lang.usage("add")}
	}
	if r := checkQuery(cl, q); r != nil {
		return *r
	}
	var target, dup string
	var created bool
	res, err := c.edit(ctx, cl, func(d *config.Doc) error {
		cfg := d.Config()
		target, created = watch, false
		addTo := func(w string) error {
			target = w
			for _, cw := range cfg.Watches {
				if s, ok := findQuery(cw.Keywords, q); ok && cw.Name == w {
					dup = s
					return config.ErrDuplicate
				}
			}
			return d.AddKeyword(w, q)
		}
		if named {
			return addTo(watch)
		}
		here := boundChannels(cfg, cl.req)
		switch ws := watchesTo(cfg, here); len(ws) {
		case 0:
		case 1:
			return addTo(ws[0].Name)
		default:
			return &manyError{watchNames(ws)}
		}
		ch, err := c.bindChannel(d, cl.req, here)
		if err != nil {
			return err
		}
		target, created = uniqueName(sanitizeName(ch), func(n string) bool {
			return slices.ContainsFunc(cfg.Watches, func(w config.Watch) bool { return w.Name == n })
		}), true
		return d.AddWatch(config.Watch{Name: target, Keywords: []string{q}, Channels: []string{ch}})
	})
	var many *manyError
	switch {
	case err == nil:
	case errors.As(err, &many):
		return Reply{Text: cl.lang.t("many_watches", many.watches, usageAdd(cl.lang, q))}
	case errors.Is(err, errNoChannel):
		return Reply{Text: cl.lang.t("no_channel", usageAdd(cl.lang, q))}
	case errors.Is(err, config.ErrNoSuchEntry):
		return Reply{Text: cl.lang.t("no_watch", code(watch))}
	case errors.Is(err, config.ErrDuplicate):
		if dup == "" {
			dup = q
		}
		return Reply{Text: cl.lang.t("dup_query", defuse(target), code(dup))}
	default:
		return c.editFailure(cl, err)
	}
	note := c.applied(ctx, cl)
	if created {
		return Reply{Text: cl.lang.t("added_new", code(q), defuse(target)) + note, Public: true}
	}
	var to []string
	for _, w := range res.Config.Watches {
		if w.Name == target {
			to = w.Channels
		}
	}
	return Reply{Text: cl.lang.t("added", code(q), defuse(target), defuse(strings.Join(to, ", "))) + note, Public: true}
}

func usageAdd(l lang, q string) string {
	if l == korean {
		return "추가 " + q + " to <워치>"
	}
	return "add " + q + " to <watch>"
}

// bindChannel returns the config channel for the request's chat channel,
// adding one (named after the chat channel) when there is none.
func (c *Core) bindChannel(d *config.Doc, req Request, here []string) (string, error) {
	if len(here) > 0 {
		return here[0], nil
	}
	if req.ChannelID == "" {
		return "", errNoChannel
	}
	var ch config.Channel
	switch req.Platform {
	case "slack":
		ch.Slack = &config.SlackChannel{Channel: req.ChannelID}
	case "discord":
		ch.Discord = &config.DiscordChannel{ChannelID: req.ChannelID}
	default:
		return "", errNoChannel
	}
	base := sanitizeName(req.ChannelName)
	if base == "" {
		base = sanitizeName(req.Platform + "-" + req.ChannelID)
	}
	name := uniqueName(base, func(n string) bool { _, ok := d.Config().Channels[n]; return ok })
	return name, d.AddChannel(name, ch)
}

// uniqueName returns base, or base-2, base-3… if taken.
func uniqueName(base string, taken func(string) bool) string {
	name := base
	for i := 2; taken(name); i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	return name
}

// remove: remove <query> [from <watch>].
func (c *Core) remove(ctx context.Context, cl *call) Reply {
	q, watch, named := splitLast(cl.args, "from")
	if q == "" {
		return Reply{Text: cl.lang.usage("remove")}
	}
	var target, written string
	_, err := c.edit(ctx, cl, func(d *config.Doc) error {
		cfg := d.Config()
		var candidates []config.Watch
		if named {
			i := slices.IndexFunc(cfg.Watches, func(w config.Watch) bool { return w.Name == watch })
			if i < 0 {
				return errNoWatch
			}
			candidates = cfg.Watches[i : i+1]
		} else {
			candidates = watchesTo(cfg, boundChannels(cfg, cl.req))
			if !slices.ContainsFunc(candidates, func(w config.Watch) bool { _, ok := findQuery(w.Keywords, q); return ok }) {
				candidates = cfg.Watches
			}
		}
		var with []config.Watch
		for _, w := range candidates {
			if s, ok := findQuery(w.Keywords, q); ok {
				with = append(with, w)
				target, written = w.Name, s
			}
		}
		switch len(with) {
		case 0:
			return errNoQuery
		case 1:
			return d.RemoveKeyword(target, written)
		}
		return &manyError{watchNames(with)}
	})
	var many *manyError
	switch {
	case err == nil:
	case errors.Is(err, errNoWatch):
		return Reply{Text: cl.lang.t("no_watch", code(watch))}
	case errors.Is(err, errNoQuery) && named:
		return Reply{Text: cl.lang.t("no_query_in", defuse(watch), code(q))}
	case errors.Is(err, errNoQuery):
		return Reply{Text: cl.lang.t("no_query", code(q))}
	case errors.As(err, &many):
		u := "remove " + q + " from <watch>"
		if cl.lang == korean {
			u = "삭제 " + q + " from <워치>"
		}
		return Reply{Text: cl.lang.t("query_many", code(q), many.watches, u)}
	default:
		return c.editFailure(cl, err)
	}
	return Reply{Text: cl.lang.t("removed", code(written), defuse(target)) + c.applied(ctx, cl), Public: true}
}

// list: every watch with its queries, feeds, channels, schedule and mutes.
func (c *Core) list(ctx context.Context, cl *call) Reply {
	l := cl.lang
	mutes := c.activeMutes(ctx)
	here := boundChannels(cl.cfg, cl.req)
	var b strings.Builder
	for _, w := range cl.cfg.Watches {
		fmt.Fprintf(&b, "*%s*", defuse(w.Name))
		if slices.ContainsFunc(w.Channels, func(c string) bool { return slices.Contains(here, c) }) {
			b.WriteString(l.t("l_here"))
		}
		if m, ok := mutes[w.Name]; ok {
			b.WriteString(" — " + l.t("l_muted") + " " + c.until(cl, m))
		}
		b.WriteString("\n")
		qs := make([]string, len(w.Keywords))
		for i, q := range w.Keywords {
			qs[i] = code(q)
			if m, ok := mutes[q]; ok {
				qs[i] += " (" + l.t("l_muted") + " " + c.until(cl, m) + ")"
			}
		}
		fmt.Fprintf(&b, "  %s: %s\n", l.t("l_queries"), strings.Join(qs, " · "))
		if len(w.Exclude) > 0 {
			ex := make([]string, len(w.Exclude))
			for i, q := range w.Exclude {
				ex[i] = code(q)
			}
			fmt.Fprintf(&b, "  %s: %s\n", l.t("l_exclude"), strings.Join(ex, " · "))
		}
		fs := l.t("all_feeds")
		if len(w.Feeds) > 0 {
			fs = strings.Join(w.Feeds, ", ")
		}
		fmt.Fprintf(&b, "  %s: %s · %s: %s · %s: %s\n", l.t("l_feeds"), defuse(fs),
			l.t("l_channels"), defuse(strings.Join(w.Channels, ", ")), l.t("l_schedule"), schedule(l, w.Digest))
	}
	if b.Len() == 0 {
		return Reply{Text: l.t("none")}
	}
	return Reply{Text: strings.TrimSuffix(b.String(), "\n")}
}

// schedule describes a digest setting.
func schedule(l lang, g config.Digest) string {
	var parts []string
	switch {
	case g.Every > 0:
		parts = append(parts, "every "+g.Every.D().String())
	case len(g.At) > 0:
		parts = append(parts, strings.Join(g.At, ", "))
	default:
		parts = append(parts, l.t("instant"))
	}
	if len(g.Days) > 0 {
		parts = append(parts, "("+strings.Join(g.Days, ", ")+")")
	}
	if g.QuietHours != "" {
		parts = append(parts, "quiet "+g.QuietHours)
	}
	if g.MaxItems > 0 {
		parts = append(parts, "max "+strconv.Itoa(g.MaxItems))
	}
	return strings.Join(parts, " ")
}

// activeMutes returns the mutes in force by target; a store failure is
// logged and shows no mutes.
func (c *Core) activeMutes(ctx context.Context) map[string]store.Mute {
	ms, err := c.bot.Store().Mutes(ctx)
	if err != nil {
		c.log.Warn("reading mutes", "error", err.Error())
		return nil
	}
	out := map[string]store.Mute{}
	now := c.now()
	for _, m := range ms {
		if m.Until.IsZero() || m.Until.After(now) {
			out[m.Target] = m
		}
	}
	return out
}

func (c *Core) until(cl *call, m store.Mute) string {
	if m.Until.IsZero() {
		return cl.lang.t("until_unmute")
	}
	return "→ " + clock(cl.cfg, m.Until)
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

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
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
			c.log.Info("feed URL from chat refused", "url", raw, "user", cl.req.User, "error", err.Error())
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
		c.log.Info("feed preview found no feed", "url", raw)
		r := Reply{Text: cl.lang.t("feed_bad")}
		return res, &r, true
	case err == nil:
		return res, nil, false
	case errors.Is(err, feeds.ErrNotPublic):
		c.log.Info("feed URL from chat refused at connect time", "url", raw, "user", cl.req.User, "error", err.Error())
		return refuse("feed_private")
	case errors.As(err, &se):
		c.log.Info("feed preview failed", "url", raw, "error", err.Error())
		r := Reply{Text: cl.lang.t("feed_http", se.Code)}
		return res, &r, true
	}
	c.log.Info("feed preview failed", "url", raw, "error", err.Error())
	r := Reply{Text: cl.lang.t("feed_bad")}
	return res, &r, true
}

// feedAdd: feed add <url> [name]. The feed is fetched and parsed once, as
// untrusted, before it is saved.
func (c *Core) feedAdd(ctx context.Context, cl *call) Reply {
	toks := tokenize(cl.args)
	if len(toks) == 0 {
		return Reply{Text: cl.lang.usage("feed add")}
	}
	raw, ok := feedURL(toks[0].text)
	if !ok {
		return Reply{Text: cl.lang.t("feed_url")}
	}
	for _, f := range cl.cfg.Feeds {
		if f.URL == raw {
			return Reply{Text: cl.lang.t("feed_known", defuse(f.Name))}
		}
	}
	name := ""
	if len(toks) > 1 {
		name = unquote(cl.args[toks[1].start:])
	} else {
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
	_, err := c.edit(ctx, cl, func(d *config.Doc) error { return d.AddFeed(config.Feed{Name: name, URL: raw}) })
	switch {
	case err == nil:
	case errors.Is(err, config.ErrDuplicate):
		return Reply{Text: cl.lang.t("feed_dup", defuse(name))}
	default:
		return c.editFailure(cl, err)
	}
	return Reply{Text: cl.lang.t("feed_added", defuse(name), len(res.Items)) + c.applied(ctx, cl), Public: true}
}

// feedRemove: feed remove <name>. A feed named in a watch's feeds is kept.
func (c *Core) feedRemove(ctx context.Context, cl *call) Reply {
	name := unquote(cl.args)
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

// muteTarget returns the written form of a watch name or keyword query.
func muteTarget(cfg *config.Config, s string) (string, bool) {
	for _, w := range cfg.Watches {
		if w.Name == s {
			return s, true
		}
	}
	for _, w := range cfg.Watches {
		if q, ok := findQuery(w.Keywords, s); ok {
			return q, true
		}
	}
	return "", false
}

// mute: mute <query|watch> [for <duration>].
func (c *Core) mute(ctx context.Context, cl *call) Reply {
	rest, d, timed := splitDuration(cl.args)
	target := unquote(rest)
	if target == "" {
		return Reply{Text: cl.lang.usage("mute")}
	}
	written, ok := muteTarget(cl.cfg, target)
	if !ok {
		written, ok = muteTarget(cl.cfg, rest)
	}
	if !ok {
		return Reply{Text: cl.lang.t("no_target", code(target))}
	}
	now := c.now()
	m := store.Mute{Target: written, By: cl.req.User, Created: now}
	if timed {
		m.Until = now.Add(d)
	}
	if err := c.bot.Store().PutMute(ctx, m); err != nil {
		return c.internal(cl, "saving a mute", err)
	}
	c.record(ctx, cl)
	if timed {
		return Reply{Text: cl.lang.t("muted_until", code(written), clock(cl.cfg, m.Until)), Public: true}
	}
	return Reply{Text: cl.lang.t("muted", code(written)), Public: true}
}

// unmute: unmute <query|watch>.
func (c *Core) unmute(ctx context.Context, cl *call) Reply {
	target := unquote(cl.args)
	if target == "" {
		return Reply{Text: cl.lang.usage("unmute")}
	}
	ms, err := c.bot.Store().Mutes(ctx)
	if err != nil {
		return c.internal(cl, "reading mutes", err)
	}
	targets := make([]string, len(ms))
	for i, m := range ms {
		targets[i] = m.Target
	}
	written, ok := findQuery(targets, target)
	if !ok {
		return Reply{Text: cl.lang.t("not_muted", code(target))}
	}
	switch err := c.bot.Store().DeleteMute(ctx, written); {
	case errors.Is(err, store.ErrNotFound):
		return Reply{Text: cl.lang.t("not_muted", code(target))}
	case err != nil:
		return c.internal(cl, "deleting a mute", err)
	}
	c.record(ctx, cl)
	return Reply{Text: cl.lang.t("unmuted", code(written)), Public: true}
}

// record puts a change that is not a file edit (a mute) in the history,
// with the file's hash on both sides.
func (c *Core) record(ctx context.Context, cl *call) {
	who := cl.req.User
	if cl.req.UserName != "" {
		who = cl.req.UserName + " (" + cl.req.User + ")"
	}
	e := store.Edit{At: c.now(), Platform: cl.req.Platform, User: who, Command: strings.TrimSpace(cl.req.Text), BeforeHash: cl.cfg.Hash, AfterHash: cl.cfg.Hash}
	if err := c.bot.Store().RecordEdit(ctx, e); err != nil {
		c.log.Error("recording a command in the history", "command", e.Command, "error", err.Error())
	}
}

// test: test <text or feed URL>.
func (c *Core) test(ctx context.Context, cl *call) Reply {
	arg := strings.TrimSpace(cl.args)
	if arg == "" {
		return Reply{Text: cl.lang.usage("test")}
	}
	mutes := c.activeMutes(ctx)
	note := ""
	if raw, ok := feedURL(arg); ok && len(tokenize(arg)) == 1 {
		res, fail, notFeed := c.preview(ctx, cl, "test", raw)
		switch {
		case fail == nil:
			return c.testFeed(ctx, cl, res, mutes)
		case !notFeed:
			return *fail
		}
		note = "\n" + cl.lang.t("test_text")
		arg = raw
	}
	hits, err := c.bot.Test(ctx, arg, "")
	if err != nil {
		return c.internal(cl, "testing text", err)
	}
	if len(hits) == 0 {
		return Reply{Text: cl.lang.t("no_match") + note}
	}
	lines := make([]string, 0, len(hits))
	for _, h := range hits {
		lines = append(lines, "• "+hitLine(cl.lang, h, mutes)+": "+marked(arg, h.Spans))
	}
	return Reply{Text: strings.Join(lines, "\n") + note}
}

// testFeed matches each item of a fetched feed and lists the first five
// that match.
func (c *Core) testFeed(ctx context.Context, cl *call, res feeds.Result, mutes map[string]store.Mute) Reply {
	var lines []string
	n := 0
	for _, it := range res.Items {
		body := strings.TrimSpace(it.Summary + "\n" + it.Content)
		hits, err := c.bot.Test(ctx, it.Title, body)
		if err != nil {
			return c.internal(cl, "testing a feed item", err)
		}
		if len(hits) == 0 {
			continue
		}
		n++
		if len(lines) < 5 {
			parts := make([]string, len(hits))
			for i, h := range hits {
				parts[i] = hitLine(cl.lang, h, mutes)
			}
			lines = append(lines, "• "+marked(it.Title, hits[0].Spans)+" — "+strings.Join(parts, ", "))
		}
	}
	if n == 0 {
		return Reply{Text: cl.lang.t("no_match")}
	}
	return Reply{Text: cl.lang.t("test_feed", n, len(res.Items)) + "\n" + strings.Join(lines, "\n")}
}

// hitLine names a hit's watch, query and matched terms.
func hitLine(l lang, h match.Hit, mutes map[string]store.Mute) string {
	s := "*" + defuse(h.Watch) + "* " + code(h.Query)
	if len(h.Terms) > 0 {
		s += " [" + defuse(strings.Join(h.Terms, ", ")) + "]"
	}
	_, mw := mutes[h.Watch]
	_, mq := mutes[h.Query]
	if mw || mq {
		s += l.t("muted_mark")
	}
	return s
}

// marked returns text with its title spans in bold, cut to 200 runes.
func marked(text string, spans []match.Span) string {
	var ss []match.Span
	for _, s := range spans {
		if s.Field == "title" && s.Start >= 0 && s.End <= len(text) && s.Start < s.End &&
			utf8.RuneStart(text[s.Start]) && (s.End == len(text) || utf8.RuneStart(text[s.End])) {
			ss = append(ss, s)
		}
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].Start < ss[j].Start })
	// Terms next to each other ("AI 규제") are one bold stretch.
	var merged []match.Span
	for _, s := range ss {
		if n := len(merged); n > 0 && (s.Start <= merged[n-1].End || strings.TrimSpace(text[merged[n-1].End:s.Start]) == "") {
			merged[n-1].End = max(merged[n-1].End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	ss = merged
	var b strings.Builder
	pos := 0
	for _, s := range ss {
		b.WriteString(defuse(text[pos:s.Start]))
		b.WriteString("*" + defuse(text[s.Start:s.End]) + "*")
		pos = s.End
	}
	b.WriteString(defuse(text[pos:]))
	return truncate(strings.Join(strings.Fields(b.String()), " "), 200)
}

// recent: recent [query], the last 10 alerts sent to this channel.
func (c *Core) recent(ctx context.Context, cl *call) Reply {
	here := boundChannels(cl.cfg, cl.req)
	if len(here) == 0 {
		return Reply{Text: cl.lang.t("not_bound")}
	}
	q := strings.TrimSpace(cl.args)
	var m *match.Matcher
	limit := 10
	if q != "" {
		if r := checkQuery(cl, q); r != nil {
			return *r
		}
		var err error
		if m, err = match.CompileQuery(q, cl.cfg.Synonyms); err != nil {
			return c.internal(cl, "compiling a query", err)
		}
		limit = 500
	}
	var ds []store.Delivery
	for _, ch := range here {
		got, err := c.bot.Store().Recent(ctx, ch, limit)
		if err != nil {
			return c.internal(cl, "reading recent deliveries", err)
		}
		ds = append(ds, got...)
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Sent.After(ds[j].Sent) })
	var lines []string
	for _, d := range ds {
		if len(lines) == 10 {
			break
		}
		if m != nil && d.Watch != q && len(m.Match(match.Document{Title: d.Title, Source: d.Feed})) == 0 {
			continue
		}
		line := fmt.Sprintf("• %s %s — %s", clock(cl.cfg, d.Sent), defuse(truncate(d.Title, 150)), defuse(d.Watch))
		if d.Link != "" {
			line += " " + defuse(d.Link)
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return Reply{Text: cl.lang.t("recent_none")}
	}
	return Reply{Text: strings.Join(lines, "\n")}
}

// digest: send this channel's pending digest now.
func (c *Core) digest(ctx context.Context, cl *call) Reply {
	here := boundChannels(cl.cfg, cl.req)
	if len(here) == 0 {
		return Reply{Text: cl.lang.t("not_bound")}
	}
	total, failed := 0, false
	for _, ch := range here {
		n, err := c.bot.Flush(ctx, ch)
		total += n
		if err != nil {
			failed = true
			c.log.Error("flushing a digest", "channel", ch, "error", err.Error())
		}
	}
	switch {
	case total > 0:
		return Reply{Text: cl.lang.t("digest_sent", total)}
	case failed:
		return Reply{Text: cl.lang.t("digest_fail")}
	}
	return Reply{Text: cl.lang.t("digest_none")}
}

// status: version, uptime, feeds, pending, next digests, watchlist errors.
func (c *Core) status(ctx context.Context, cl *call) Reply {
	l := cl.lang
	st := c.bot.Status(ctx)
	version := st.Version
	if version == "" {
		version = c.opt.Version
	}
	lines := []string{
		l.t("st_head", version, round(c.now().Sub(st.Started))),
		l.t("st_feeds", st.FeedsOK, st.FeedsFailing),
	}
	var pending, next []string
	for _, ch := range channelNames(cl.cfg) {
		if n := st.Pending[ch]; n > 0 {
			pending = append(pending, fmt.Sprintf("%s %d", defuse(ch), n))
		}
		if t, ok := st.NextDigest[ch]; ok && !t.IsZero() {
			next = append(next, defuse(ch)+" "+clock(cl.cfg, t))
		}
	}
	if len(pending) == 0 {
		pending = []string{"0"}
	}
	lines = append(lines, l.t("st_pending", strings.Join(pending, ", ")))
	if len(next) > 0 {
		lines = append(lines, l.t("st_next", strings.Join(next, ", ")))
	}
	cerr := st.ConfigError
	if cerr == "" {
		if err := c.bot.ConfigError(); err != nil {
			cerr = err.Error()
		}
	}
	if cerr == "" {
		lines = append(lines, l.t("st_config_ok"))
	} else {
		errLines := strings.Split(strings.TrimSpace(cerr), "\n")
		if len(errLines) > 8 {
			errLines = append(errLines[:8], fmt.Sprintf("… (+%d)", len(errLines)-8))
		}
		lines = append(lines, l.t("st_config", defuse(strings.Join(errLines, "\n"))))
	}
	return Reply{Text: strings.Join(lines, "\n")}
}

// history: the last watchlist edits.
func (c *Core) history(ctx context.Context, cl *call) Reply {
	es, err := c.bot.Store().Edits(ctx, 10)
	if err != nil {
		return c.internal(cl, "reading the edit history", err)
	}
	if len(es) == 0 {
		return Reply{Text: cl.lang.t("history_none")}
	}
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = fmt.Sprintf("• %s %s [%s]: %s", clock(cl.cfg, e.At), defuse(e.User), e.Platform, code(e.Command))
		if e.BeforeHash != e.AfterHash {
			lines[i] += fmt.Sprintf(" (%s → %s)", short(e.BeforeHash), short(e.AfterHash))
		}
	}
	return Reply{Text: strings.Join(lines, "\n")}
}

func short(h string) string { return h[:min(len(h), 7)] }
