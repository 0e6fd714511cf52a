package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/notify"
)

// Action IDs of the buttons newshound puts under an alert and a reply.
const (
	actionMuteStory   = "newshound_mute_story"
	actionNotRelevant = "newshound_not_relevant"
	actionMuteWatch   = "newshound_mute_watch"
	actionExclude     = "newshound_exclude"
)

// maxButtons is how many exclude: buttons a reply shows (one actions
// block holds 25; a few are plenty).
const maxButtons = 5

// alertActions is the actions block of an alert whose story is outbox row
// row: Mute story, Not relevant, Mute watch 1 h.
func alertActions(row int64) *slack.ActionBlock {
	button := func(id, label, kind string, style slack.Style) *slack.ButtonBlockElement {
		b := slack.NewButtonBlockElement(id, command.Action{Kind: kind, Row: row}.String(),
			slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
		b.Style = style
		return b
	}
	return slack.NewActionBlock("newshound_alert",
		button(actionMuteStory, "Mute story", command.ActionMuteStory, ""),
		button(actionNotRelevant, "Not relevant", command.ActionNotRelevant, ""),
		button(actionMuteWatch, "Mute watch 1h", command.ActionMuteWatch, ""),
	)
}

// buttonBlock renders a reply's buttons as one actions block.
func buttonBlock(bs []command.Button) *slack.ActionBlock {
	var els []slack.BlockElement
	for i, b := range bs[:min(len(bs), maxButtons)] {
		label := notify.TruncateUTF16(clean(b.Label), 75)
		els = append(els, slack.NewButtonBlockElement(actionExclude+"_"+string(rune('0'+i)), b.Value,
			slack.NewTextBlockObject(slack.PlainTextType, label, false, false)))
	}
	return slack.NewActionBlock("newshound_reply", els...)
}

// blockAction reads the first newshound button of a block_actions
// interaction payload: who clicked in which channel, what, and where to
// answer. Anything else (another type, another app's button, a value
// newshound did not make) is an error.
func blockAction(payload []byte) (command.Request, command.Action, string, error) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return command.Request{}, command.Action{}, "", errors.New("payload is not an interaction")
	}
	if cb.Type != slack.InteractionTypeBlockActions {
		return command.Request{}, command.Action{}, "", errors.New("not a block action")
	}
	for _, a := range cb.ActionCallback.BlockActions {
		if a == nil || !strings.HasPrefix(a.ActionID, "newshound_") {
			continue
		}
		act, err := command.ParseAction(a.Value)
		if err != nil {
			return command.Request{}, command.Action{}, "", err
		}
		req := command.Request{
			Platform: "slack", User: cb.User.ID, UserName: cb.User.Name,
			ChannelID: cb.Channel.ID, ChannelName: cb.Channel.Name,
			Text: "button " + act.Kind,
		}
		return req, act, cb.ResponseURL, nil
	}
	return command.Request{}, command.Action{}, "", errors.New("no newshound button in the payload")
}

// InteractionsHandler serves POST /slack/interactions: the buttons of
// alerts and replies. Requests are verified like slash commands (401 with
// no side effect on failure); a click is acknowledged at once and its
// reply, for the clicker only, posted to the interaction's response_url.
type InteractionsHandler struct {
	secret string
	now    func() time.Time
	d      *dispatcher
}

// NewInteractionsHandler returns the handler of /slack/interactions for
// the app's signing secret; r must also be a command.Actor (the core is).
func NewInteractionsHandler(signingSecret string, r command.Runner, o HandlerOptions) *InteractionsHandler {
	h := &InteractionsHandler{secret: signingSecret, now: o.Now, d: newDispatcher(r, o)}
	if h.now == nil {
		h.now = time.Now
	}
	return h
}

// Wait blocks until the replies of clicks still running are posted.
func (h *InteractionsHandler) Wait() { h.d.Wait() }

func (h *InteractionsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	defer h.d.guard.Recover("slack_interaction", func() { http.Error(w, "internal error", http.StatusInternalServerError) })
	form, ok := h.d.readSigned(w, r, h.secret, h.now(), "slack interaction")
	if !ok {
		return
	}
	req, act, responseURL, err := blockAction([]byte(form.Get("payload")))
	if err != nil {
		h.d.log.InfoContext(r.Context(), "slack interaction ignored", "reason", err.Error())
		w.WriteHeader(http.StatusOK)
		return
	}
	h.d.act(context.WithoutCancel(r.Context()), req, act, responseURL)
	w.WriteHeader(http.StatusOK)
}

// act runs a click and posts its reply to responseURL: at once when it
// comes within ackAfter, else from a goroutine that Wait waits for.
func (d *dispatcher) act(ctx context.Context, req command.Request, a command.Action, responseURL string) {
	actor, ok := d.runner.(command.Actor)
	if !ok {
		d.log.WarnContext(ctx, "slack button ignored: buttons are not handled here")
		return
	}
	post := func(ctx context.Context, rep command.Reply) { d.followUp(ctx, responseURL, d.actionReply(rep)) }
	rep, deferred := notify.Answer(&d.follow, ctx, "slack_action", d.ackAfter, runTimeout,
		command.Reply{Text: notify.InternalErrorText},
		func(ctx context.Context) command.Reply { return actor.Act(ctx, req, a) }, post)
	if !deferred {
		post(ctx, rep)
	}
}

// actionReply renders a click's reply: ephemeral, never replacing the
// alert, with its buttons under the text.
func (d *dispatcher) actionReply(r command.Reply) commandReply {
	r.Public = false
	c := d.toReply(r)
	no := false
	c.ReplaceOriginal = &no
	if len(r.Buttons) > 0 {
		if c.Blocks == nil {
			c.Blocks = &slack.Blocks{}
		}
		c.Blocks.BlockSet = append(c.Blocks.BlockSet, buttonBlock(r.Buttons))
	}
	return c
}
