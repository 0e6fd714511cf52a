package command

// This file holds mute and unmute, and the mutes other words show.

import (
	"context"
	"errors"
	"strings"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/store"
)

// activeMutes returns the mutes in force by target; a store failure is
// logged and shows no mutes.
func (c *Core) activeMutes(ctx context.Context) map[string]store.Mute {
	ms, err := c.state().Mutes(ctx)
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

// muteCandidates are the names a mute target may be: watch names, then
// queries, each once.
func muteCandidates(cfg *config.Config) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, w := range cfg.Watches {
		add(w.Name)
	}
	for _, w := range cfg.Watches {
		for _, q := range w.Keywords {
			add(q)
		}
	}
	return out
}

// findTarget returns the written form of the watch or query s names, with
// one level of quotes removed or kept ("\"AI 국가안보각서\"" is a query).
func findTarget(cfg *config.Config, s string) (string, bool) {
	if w, ok := muteTarget(cfg, unquote(s)); ok {
		return w, true
	}
	return muteTarget(cfg, s)
}

// mute: mute <query|watch> [for <duration>|until <HH:MM>].
func (c *Core) mute(ctx context.Context, cl *call) Reply {
	now := c.now()
	rest, until, timed, bad := cl.muteArgs(now)
	if unquote(rest) == "" {
		return Reply{Text: cl.lang.usage("mute")}
	}
	written, ok := findTarget(cl.cfg, rest)
	if !ok && bad != "" && cl.req.Args == nil {
		// "mute chips for 2x": a length that failed, unless the whole text
		// names a target ("mute AI 2030" for the query "AI 2030").
		if _, whole := findTarget(cl.cfg, cl.args); !whole {
			head := strings.TrimSpace(strings.TrimSuffix(cl.args, bad))
			if _, known := findTarget(cl.cfg, head); known || markedLength(bad) {
				return c.badDuration(cl, bad)
			}
		}
	}
	if ok && bad != "" && cl.req.Args != nil {
		return c.badDuration(cl, bad)
	}
	if !ok {
		target := unquote(rest)
		return Reply{Text: cl.lang.t("no_target", code(target), didYouMean(cl.lang, target, muteCandidates(cl.cfg)))}
	}
	m := store.Mute{Target: written, By: cl.req.User, Created: now}
	if timed {
		m.Until = until
	}
	if err := c.state().PutMute(ctx, m); err != nil {
		return c.internal(cl, "saving a mute", err)
	}
	c.record(ctx, cl)
	if timed {
		return Reply{Text: cl.lang.t("muted_until", code(written), clock(cl.cfg, m.Until)), Public: true}
	}
	return Reply{Text: cl.lang.t("muted", code(written)), Public: true}
}

// badDuration answers a mute length that could not be read.
func (c *Core) badDuration(cl *call, bad string) Reply {
	tz := "UTC"
	if cl.cfg.Location != nil {
		tz = cl.cfg.Location.String()
	}
	return Reply{Text: cl.lang.t("bad_duration", code(bad), defuse(tz))}
}

// unmute: unmute <query|watch>.
func (c *Core) unmute(ctx context.Context, cl *call) Reply {
	target := unquote(cl.arg(ArgTarget))
	if target == "" {
		return Reply{Text: cl.lang.usage("unmute")}
	}
	ms, err := c.state().Mutes(ctx)
	if err != nil {
		return c.internal(cl, "reading mutes", err)
	}
	targets := make([]string, len(ms))
	for i, m := range ms {
		targets[i] = m.Target
	}
	written, ok := findQuery(targets, target)
	if !ok {
		if _, known := findTarget(cl.cfg, target); known {
			return Reply{Text: cl.lang.t("not_muted", code(target))}
		}
		return Reply{Text: cl.lang.t("no_target", code(target), didYouMean(cl.lang, target, append(targets, muteCandidates(cl.cfg)...)))}
	}
	switch err := c.state().DeleteMute(ctx, written); {
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
	if err := c.state().RecordEdit(ctx, e); err != nil {
		c.log.Error("recording a command in the history", "command", e.Command, "error", err.Error())
	}
}
