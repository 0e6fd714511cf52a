package command

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
)

// Button actions: what the buttons of an alert, and the exclude: buttons
// of a "Not relevant" reply, do.
const (
	ActionMuteStory   = "ms" // no more edits or follow-ups of this story in this channel
	ActionNotRelevant = "nr" // record the vote and offer the headline's terms as exclude: buttons
	ActionMuteWatch   = "mw" // mute the alert's watch for MuteWatchFor
	ActionExclude     = "ex" // add Action.Term to the watch's exclude list
)

// MuteWatchFor is how long the "Mute watch" button mutes a watch.
const MuteWatchFor = time.Hour

// actionPrefix starts every action value, so values of other apps'
// buttons are told apart.
const actionPrefix = "nh1:"

// maxActionValue is the longest action value: Discord's custom_id holds
// 100 characters.
const maxActionValue = 100

// Action is what one button click asks: the action, the outbox row of the
// alert it was on, and for ActionExclude the term.
type Action struct {
	Kind string
	Row  int64
	Term string
}

// String encodes the action as a button value (Slack value, Discord
// custom_id): "nh1:<kind>:<row>[:<term>]", at most 100 characters.
func (a Action) String() string {
	s := actionPrefix + a.Kind + ":" + strconv.FormatInt(a.Row, 10)
	if a.Kind == ActionExclude {
		s += ":" + a.Term
	}
	return s
}

// ParseAction decodes a button value. Anything else than a value String
// makes (another app's button, a forged or truncated value) is an error.
func ParseAction(v string) (Action, error) {
	if utf8.RuneCountInString(v) > maxActionValue || !utf8.ValidString(v) {
		return Action{}, errors.New("action value too long or not UTF-8")
	}
	rest, ok := strings.CutPrefix(v, actionPrefix)
	if !ok {
		return Action{}, errors.New("not a newshound action")
	}
	kind, rest, _ := strings.Cut(rest, ":")
	num, term, hasTerm := strings.Cut(rest, ":")
	row, err := strconv.ParseInt(num, 10, 64)
	if err != nil || row <= 0 || strconv.FormatInt(row, 10) != num {
		return Action{}, fmt.Errorf("bad row %q", num)
	}
	a := Action{Kind: kind, Row: row}
	switch kind {
	case ActionMuteStory, ActionNotRelevant, ActionMuteWatch:
		if hasTerm {
			return Action{}, fmt.Errorf("action %s takes no term", kind)
		}
	case ActionExclude:
		if !match.ValidTerm(term) {
			return Action{}, fmt.Errorf("bad exclude term %q", term)
		}
		a.Term = term
	default:
		return Action{}, fmt.Errorf("unknown action %q", kind)
	}
	return a, nil
}

// Button is a one-click choice shown with a reply.
type Button struct {
	Label string
	Value string // an Action's String
}

// headlineTerms returns the first five words of a headline offered as
// exclude: buttons (match.HeadlineTerms), without those the watch
// excludes already.
func headlineTerms(title string, have []string) []string {
	var out []string
	for _, t := range match.HeadlineTerms(title) {
		if slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, t) }) {
			continue
		}
		out = append(out, t)
		if len(out) == 5 {
			break
		}
	}
	return out
}

// Act runs a button click: req says who clicked where (Text is ignored),
// a what. Admin rules apply as for commands that edit; every action is
// recorded in the history. The reply is for the clicker only.
func (c *Core) Act(ctx context.Context, req Request, a Action) (reply Reply) {
	cl := &call{req: req, cfg: c.bot.Config()}
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("button action panicked", "action", a.Kind, "platform", req.Platform, "user", req.User, "panic", fmt.Sprint(p))
			reply = Reply{Text: cl.lang.t("internal")}
		}
		reply.Public = false
	}()
	row, err := c.bot.Store().Delivery(ctx, a.Row)
	if errors.Is(err, store.ErrNotFound) {
		return Reply{Text: cl.lang.t("action_unknown")}
	}
	if err != nil {
		return c.internal(cl, "reading the alert of a button", err)
	}
	cl.lang = langOf(row.Title)
	if here := boundChannels(cl.cfg, req); len(here) > 0 && !slices.Contains(here, row.Channel) {
		c.log.Info("button refused: alert of another channel", "platform", req.Platform, "user", req.User, "row", a.Row)
		return Reply{Text: cl.lang.t("action_unknown")}
	}
	if !allowed(cl.cfg.Admins, req) {
		c.log.Info("button refused: not an admin", "action", a.Kind, "platform", req.Platform, "user", req.User)
		return Reply{Text: cl.lang.t("denied")}
	}
	title := strings.TrimSpace(row.Title)
	switch a.Kind {
	case ActionMuteStory:
		// A story grows only within story_window, so its mute need not
		// outlast that.
		win := cl.cfg.StoryWindow.D()
		if win <= 0 {
			win = 24 * time.Hour
		}
		m := store.Mute{Target: store.StoryMuteTarget(row.Channel, row.ID), Until: c.now().Add(win), By: who(req), Created: c.now()}
		if err := c.state().PutMute(ctx, m); err != nil {
			return c.internal(cl, "muting a story", err)
		}
		c.recordAction(ctx, req, fmt.Sprintf("button mute story in %s: %s", row.Channel, title))
		return Reply{Text: cl.lang.t("action_muted_story", code(row.Channel))}
	case ActionMuteWatch:
		until := c.now().Add(MuteWatchFor)
		m := store.Mute{Target: row.Watch, Until: until, By: who(req), Created: c.now()}
		if err := c.state().PutMute(ctx, m); err != nil {
			return c.internal(cl, "muting a watch", err)
		}
		c.recordAction(ctx, req, fmt.Sprintf("button mute watch %s for 1h", row.Watch))
		return Reply{Text: cl.lang.t("muted_until", code(row.Watch), clock(cl.cfg, until))}
	case ActionNotRelevant:
		c.recordAction(ctx, req, fmt.Sprintf("button not relevant to %s: %s", row.Watch, title))
		v := store.Vote{
			Watch: row.Watch, Channel: row.Channel, Row: row.ID, ItemKey: row.ItemKey, Title: title,
			Snippet: c.snippet(row), Voter: req.Platform + ":" + req.User, At: c.now(),
		}
		voteErr := c.state().RecordVote(ctx, v)
		if voteErr != nil {
			c.log.Error("recording a not-relevant vote", "watch", row.Watch, "row", row.ID, "platform", req.Platform, "user", req.User, "error", voteErr.Error())
		}
		var have []string
		for _, w := range cl.cfg.Watches {
			if w.Name == row.Watch {
				have = w.Exclude
			}
		}
		rep := Reply{Text: cl.lang.t("action_not_relevant", code(row.Watch))}
		for _, t := range headlineTerms(title, have) {
			rep.Buttons = append(rep.Buttons, Button{Label: "exclude: " + t, Value: Action{Kind: ActionExclude, Row: row.ID, Term: t}.String()})
		}
		if len(rep.Buttons) == 0 {
			rep.Text = cl.lang.t("action_not_relevant_none", code(row.Watch))
		}
		if voteErr != nil {
			// The exclude: buttons still work; the vote is what failed.
			rep.Text = cl.lang.t("action_vote_failed", code(row.Watch))
			if len(rep.Buttons) > 0 {
				rep.Text += cl.lang.t("action_still_exclude")
			}
		}
		return rep
	case ActionExclude:
		cl.req.Text = fmt.Sprintf("button exclude %s from %s", a.Term, row.Watch)
		_, err := c.edit(ctx, cl, func(d *config.Doc) error { return d.AddExclude(row.Watch, a.Term) })
		switch {
		case errors.Is(err, config.ErrDuplicate):
			return Reply{Text: cl.lang.t("action_excluded", code(a.Term), code(row.Watch))}
		case err != nil:
			return c.editFailure(cl, err)
		}
		note := c.applied(ctx, cl)
		return Reply{Text: cl.lang.t("action_excluded", code(a.Term), code(row.Watch)) + note}
	}
	return Reply{Text: cl.lang.t("action_unknown")}
}

// snippet is the text an alert showed under its title (its lead when it
// showed none), read from the row's payload; "" when the row has neither.
func (c *Core) snippet(row store.Delivery) string {
	var e notify.Entry
	if len(row.Payload) == 0 {
		return ""
	}
	if err := json.Unmarshal(row.Payload, &e); err != nil {
		c.log.Warn("alert payload unreadable; the vote keeps its title only", "row", row.ID, "error", err.Error())
		return ""
	}
	return cmp.Or(e.Snippet, e.Lead)
}

// recordAction appends a button action to the history (no watchlist change:
// both hashes empty).
func (c *Core) recordAction(ctx context.Context, req Request, what string) {
	e := store.Edit{At: c.now(), Platform: req.Platform, User: who(req), Command: what}
	if err := c.state().RecordEdit(ctx, e); err != nil {
		c.log.Error("recording a button action", "action", what, "error", err.Error())
	}
	c.log.Info("button action", "action", what, "platform", req.Platform, "user", req.User)
}

// who names the user for the history: "name (id)", or the ID.
func who(req Request) string {
	if req.UserName != "" {
		return req.UserName + " (" + req.User + ")"
	}
	return req.User
}
