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
	rest, d, timed, ok := cl.muteArgs()
	target := unquote(rest)
	if target == "" || !ok {
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
	target := unquote(cl.arg(ArgTarget))
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
