package command

// This file holds the words that edit watches: add and remove (a
// watch's queries), watch add and watch remove.

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/suggest"
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
	if !named {
		if r := typedSep(cl, q, "to"); r != nil {
			return *r
		}
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
		return Reply{Text: cl.lang.t("no_bot_token", missingVar(err, newChannel), usageAdd(cl.lang, q), listed(cl.lang, watchNameList(cl.cfg)))}
	case errors.Is(err, config.ErrNoSuchEntry):
		return c.noWatch(cl, watch)
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

// noWatch answers a watch name that names no watch: nothing changed,
// the nearest name, and the names.
func (c *Core) noWatch(cl *call, name string) Reply {
	names := watchNameList(cl.cfg)
	return Reply{Text: cl.lang.t("no_watch", code(name), didYouMean(cl.lang, name, names), listed(cl.lang, names))}
}

// typedSep refuses a query typed in its own typed option that ends in
// "<sep> <word>" where word is, or nearly is, a watch name: the user
// most likely meant the watch, and a typo must not become part of a query
// ("반도체 to ai-policyy"). A quoted query, or a word near no watch,
// passes ("cars to go").
func typedSep(cl *call, q, sep string) *Reply {
	if cl.req.Args == nil {
		return nil
	}
	_, tail, ok := splitLast(q, sep)
	if !ok || len(tokenize(tail)) != 1 {
		return nil
	}
	w, near := suggest.Closest(tail, watchNameList(cl.cfg))
	if !near {
		return nil
	}
	toks := tokenize(q)
	word := toks[len(toks)-2].text
	return &Reply{Text: cl.lang.t("typed_sep", defuse(word), code(tail), defuse(w))}
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
	ch, ok := botChannel(req)
	if !ok {
		return "", errNoChannel
	}
	base := sanitizeName(req.ChannelName)
	if base == "" {
		base = sanitizeName(req.Platform + "-" + req.ChannelID)
	}
	name := uniqueName(base, func(n string) bool { _, ok := d.Config().Channels[n]; return ok })
	return name, d.AddChannel(name, ch)
}

// botChannel asks each channel type for the block that posts as the bot
// to the request's chat channel; ok is false when no type serves the
// request's platform.
func botChannel(req Request) (config.Channel, bool) {
	for _, r := range config.Receivers() {
		if s, ok := r.BotChannel(req.Platform, req.ChannelID); ok {
			return config.Channel{Kind: r.Kind(), Settings: s}, true
		}
	}
	return config.Channel{}, false
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
	if !named {
		if r := typedSep(cl, q, "from"); r != nil {
			return *r
		}
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
		return c.noWatch(cl, watch)
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

// watchUsage answers "watch" without add or remove.
func (c *Core) watchUsage(_ context.Context, cl *call) Reply {
	return c.groupUsage(cl, "watch")
}

// watchAddArgs returns watch add's name and query ("" when not given,
// quotes kept): from Args when typed, else the first word of the text
// and the rest.
func (cl *call) watchAddArgs() (name, q string) {
	if cl.req.Args != nil {
		return unquote(cl.req.Args[ArgWatch]), strings.TrimSpace(cl.req.Args[ArgQuery])
	}
	toks := tokenize(cl.args)
	if len(toks) == 0 {
		return "", ""
	}
	return toks[0].text, strings.TrimSpace(cl.args[toks[0].end:])
}

// watchAdd: watch add <name> [query]. The watch posts to this chat
// channel (adding a channel for it as add does); without a query its
// name is its query.
func (c *Core) watchAdd(ctx context.Context, cl *call) Reply {
	name, q := cl.watchAddArgs()
	if name == "" || strings.ContainsAny(name+q, "\r\n") {
		return Reply{Text: cl.lang.usage("watch add")}
	}
	nameIsQuery := q == ""
	if nameIsQuery {
		q = name
	}
	if r := checkQuery(cl, q); r != nil {
		return *r
	}
	var newChannel string
	_, err := c.edit(ctx, cl, func(d *config.Doc) error {
		cfg := d.Config()
		newChannel = ""
		if _, ok := cfg.WatchByName(name); ok {
			return config.ErrDuplicate
		}
		here := boundChannels(cfg, cl.req)
		ch, err := c.bindChannel(d, cl.req, here)
		if err != nil {
			return err
		}
		if len(here) == 0 {
			newChannel = ch
		}
		return d.AddWatch(config.Watch{Name: name, Keywords: []string{q}, Channels: []string{ch}})
	})
	switch {
	case err == nil:
	case errors.Is(err, errNoChannel):
		return Reply{Text: cl.lang.t("w_no_chan")}
	case newChannel != "" && missingVar(err, newChannel) != "":
		return Reply{Text: cl.lang.t("w_no_token", missingVar(err, newChannel))}
	case errors.Is(err, config.ErrDuplicate):
		return Reply{Text: cl.lang.t("w_exists", defuse(name))}
	default:
		return c.editFailure(cl, err)
	}
	text := cl.lang.t("added_new", code(q), defuse(name))
	if nameIsQuery {
		text += cl.lang.t("w_name_q", defuse(name))
	}
	return Reply{Text: text + c.applied(ctx, cl), Public: true}
}

// watchRemove: watch remove <name>. A watch that also posts to other
// chat channels only stops posting here; otherwise it is removed, and the
// reply says which channels stop getting its alerts.
func (c *Core) watchRemove(ctx context.Context, cl *call) Reply {
	name := unquote(cl.arg(ArgWatch))
	if name == "" {
		return Reply{Text: cl.lang.usage("watch remove")}
	}
	var gone config.Watch
	var elsewhere []string
	var removed bool
	res, err := c.edit(ctx, cl, func(d *config.Doc) error {
		cfg := d.Config()
		w, ok := cfg.WatchByName(name)
		if !ok {
			return errNoWatch
		}
		gone, elsewhere, removed = w, nil, true
		here := boundChannels(cfg, cl.req)
		var mine []string
		for _, ch := range w.Channels {
			if slices.Contains(here, ch) {
				mine = append(mine, ch)
			} else {
				elsewhere = append(elsewhere, ch)
			}
		}
		if len(mine) > 0 && len(elsewhere) > 0 {
			removed = false
			for _, ch := range mine {
				if err := d.RemoveWatchChannel(name, ch); err != nil {
					return err
				}
			}
			return nil
		}
		return d.RemoveWatch(name)
	})
	switch {
	case err == nil:
	case errors.Is(err, errNoWatch):
		return c.noWatch(cl, name)
	default:
		return c.editFailure(cl, err)
	}
	if !removed {
		return Reply{Text: cl.lang.t("w_unbound", defuse(name), listed(cl.lang, elsewhere)) + c.applied(ctx, cl), Public: true}
	}
	qs := make([]string, len(gone.Keywords))
	for i, q := range gone.Keywords {
		qs[i] = code(q)
	}
	text := cl.lang.t("w_gone", defuse(name), strings.Join(qs, ", "))
	if len(elsewhere) > 0 {
		text += cl.lang.t("w_gone_else", listed(cl.lang, elsewhere))
	}
	// A mute of the name would silently apply to a new watch of that
	// name; it is kept while a query of that text remains.
	_, query := muteTarget(res.Config, name)
	if _, muted := c.activeMutes(ctx)[name]; muted && !query {
		if err := c.state().DeleteMute(ctx, name); err != nil && !errors.Is(err, store.ErrNotFound) {
			c.log.Warn("lifting the mute of a removed watch", "watch", name, "error", err.Error())
		} else {
			text += cl.lang.t("mute_lifted")
		}
	}
	return Reply{Text: text + c.applied(ctx, cl), Public: true}
}
