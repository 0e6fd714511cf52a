package command

// This file holds the words that edit a watch's queries: add and remove.

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/newshound/newshound/config"
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

// add: add <query> [to <watch>].
func (c *Core) add(ctx context.Context, cl *call) Reply {
	q, watch, named := cl.pair(ArgQuery, ArgWatch, "to")
	if q == "" || strings.ContainsAny(q, "\r\n") {
		return Reply{Text: cl.lang.usage("add")}
	}
	if r := checkQuery(cl, q); r != nil {
		return *r
	}
	var target, dup, newChannel string
	var created bool
	res, err := c.edit(ctx, cl, func(d *config.Doc) error {
		cfg := d.Config()
		target, created, newChannel = watch, false, ""
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
		if len(here) == 0 {
			newChannel = ch
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
	case newChannel != "" && missingVar(err, newChannel) != "":
		// The bot could not post to the channel it would add: refused, so
		// the file never holds a channel the bot cannot run.
		names := watchNames(cl.cfg.Watches)
		if names == "" {
			names = cl.lang.t("none")
		}
		return Reply{Text: cl.lang.t("no_bot_token", missingVar(err, newChannel), usageAdd(cl.lang, q), defuse(names))}
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

// missingVar returns the environment variable an edit was refused for
// lacking, when the refusal is about config channel ch; otherwise "".
func missingVar(err error, ch string) string {
	var errs config.Errors
	if !errors.Is(err, config.ErrEditInvalid) || !errors.As(err, &errs) {
		return ""
	}
	for _, e := range errs {
		if e.Var != "" && strings.HasPrefix(e.Path, "channels."+ch+".") {
			return e.Var
		}
	}
	return ""
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
	q, watch, named := cl.pair(ArgQuery, ArgWatch, "from")
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
