package command

// This file holds test: which watches a text or a feed would match.

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
)

// test: test <text or feed URL>.
func (c *Core) test(ctx context.Context, cl *call) Reply {
	arg := strings.TrimSpace(cl.arg(ArgText))
	if arg == "" {
		return Reply{Text: cl.lang.usage("test")}
	}
	mutes := c.activeMutes(ctx)
	note := ""
	if raw, ok := feedURL(arg); ok && len(tokenize(arg)) == 1 {
		res, fail, why := c.preview(ctx, cl, feedNameFor(cl.cfg, raw), raw)
		switch {
		case fail == nil:
			return c.testFeed(ctx, cl, res, mutes)
		case why == previewRefused:
			return *fail
		}
		note = "\n" + cl.lang.t("test_text")
		arg = raw
	}
	hits, err := c.bot.Test(ctx, feeds.Item{Title: arg})
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

// feedNameFor is the name a fetched feed is matched under: the watchlist's
// name for a feed it lists (so source: queries and a watch's feeds: list
// test as they run), else the URL's host.
func feedNameFor(cfg *config.Config, raw string) string {
	for _, f := range cfg.Feeds {
		if f.URL == raw {
			return f.Name
		}
	}
	if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "test"
}

// testFeed matches each item of a fetched feed and lists the first five
// that match.
func (c *Core) testFeed(ctx context.Context, cl *call, res feeds.Result, mutes map[string]store.Mute) Reply {
	var lines []string
	n := 0
	for _, it := range res.Items {
		hits, err := c.bot.Test(ctx, it)
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
