package command

// This file holds the words that only report: help, list, recent, digest,
// status and history.

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
)

func (c *Core) help(_ context.Context, cl *call) Reply { return Reply{Text: help[cl.lang]} }

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

// recent: recent [query], the last 10 alerts sent to this channel.
func (c *Core) recent(ctx context.Context, cl *call) Reply {
	here := boundChannels(cl.cfg, cl.req)
	if len(here) == 0 {
		return Reply{Text: cl.lang.t("not_bound")}
	}
	q := strings.TrimSpace(cl.arg(ArgQuery))
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
		got, err := c.state().Recent(ctx, ch, limit)
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

// report: post the report of the last 7 days of the watches posting to
// this channel here.
func (c *Core) report(ctx context.Context, cl *call) Reply {
	here := boundChannels(cl.cfg, cl.req)
	if len(here) == 0 || len(watchesTo(cl.cfg, here)) == 0 {
		return Reply{Text: cl.lang.t("not_bound")}
	}
	sent := 0
	for _, ch := range here {
		n, err := c.bot.SendReport(ctx, ch, nil, 7)
		if err != nil {
			c.log.Error("posting a report", "channel", ch, "error", err.Error())
			continue
		}
		sent += n
	}
	if sent == 0 {
		return Reply{Text: cl.lang.t("report_fail")}
	}
	return Reply{Text: cl.lang.t("report_sent")}
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
		l.t("st_head", version, ShortDuration(c.now().Sub(st.Started))),
		l.t("st_feeds", st.FeedsOK, st.FeedsFailing),
	}
	lines = append(lines, c.failingFeeds(ctx, cl)...)
	var pending, next []string
	configured := map[string]bool{}
	for _, ch := range channelNames(cl.cfg) {
		configured[ch] = true
		if n := st.Pending[ch]; n > 0 {
			pending = append(pending, fmt.Sprintf("%s %d", defuse(ch), n))
		}
		if t, ok := st.NextDigest[ch]; ok && !t.IsZero() {
			next = append(next, defuse(ch)+" "+clock(cl.cfg, t))
		}
	}
	// Rows left for channels no longer in the watchlist are shown too, so
	// they are not forgotten.
	var gone []string
	for ch, n := range st.Pending {
		if !configured[ch] && n > 0 {
			gone = append(gone, fmt.Sprintf("%s %d (%s)", defuse(ch), n, l.t("st_removed")))
		}
	}
	sort.Strings(gone)
	pending = append(pending, gone...)
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

// maxFailing is how many failing feeds status lists.
const maxFailing = 8

// failingFeeds lists the watchlist's failing feeds with when each is
// tried again, in file order.
func (c *Core) failingFeeds(ctx context.Context, cl *call) []string {
	states, err := c.state().FeedStates(ctx)
	if err != nil {
		c.log.Warn("reading feed states for status", "error", err.Error())
		return nil
	}
	byName := make(map[string]store.FeedState, len(states))
	for _, s := range states {
		byName[s.Feed] = s
	}
	var lines []string
	n := 0
	for _, f := range cl.cfg.Feeds {
		s, ok := byName[f.Name]
		if !ok || s.Failures == 0 {
			continue
		}
		if n++; n <= maxFailing {
			lines = append(lines, cl.lang.t("st_failing", defuse(f.Name), s.Failures, c.nextTry(cl, s.NextPoll)))
		}
	}
	if n > maxFailing {
		lines = append(lines, fmt.Sprintf("… (+%d)", n-maxFailing))
	}
	return lines
}

// history: the last watchlist edits.
func (c *Core) history(ctx context.Context, cl *call) Reply {
	es, err := c.state().Edits(ctx, 10)
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
