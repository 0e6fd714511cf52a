package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/notify"
)

// RunSocketMode answers /news over Socket Mode, for workspaces that cannot
// reach the bot's HTTP listener. It connects with the app-level token
// (SLACK_APP_TOKEN, xapp-…), reconnecting as Slack asks, and acknowledges
// each slash command with the Runner's reply, or with "working" and a later
// post to response_url when the Runner is slow. o.APIURL replaces the Web
// API base ("" for Slack). It returns nil when ctx ends, or the error that
// stopped the connection (an invalid token, say). A panic while handling
// an event is recovered (see notify.Guard); a slash command then gets an
// ephemeral "internal error".
func RunSocketMode(ctx context.Context, appToken, botToken string, r command.Runner, o HandlerOptions) error {
	if appToken == "" {
		return errors.New("slack: socket mode needs an app-level token (SLACK_APP_TOKEN)")
	}
	o.Redactor = o.Redactor.With(appToken, botToken)
	d := newDispatcher(r, o)
	defer d.Wait() // after cancel below: follow-ups end with ctx
	opts := []slack.Option{slack.OptionAppLevelToken(appToken)}
	if o.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(o.APIURL, "/")+"/"))
	}
	client := socketmode.New(slack.New(botToken, opts...))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	for {
		select {
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w", d.redact.Error(err))
		case evt := <-client.Events:
			handleSocketEvent(ctx, client, d, evt)
		}
	}
}

// acker acknowledges Socket Mode envelopes; *socketmode.Client is one.
type acker interface {
	AckCtx(ctx context.Context, envelopeID string, payload any) error
}

// handleSocketEvent handles one Socket Mode event. It never panics: a
// panic is recovered and, for a slash command not yet acknowledged,
// answered with an ephemeral "internal error".
func handleSocketEvent(ctx context.Context, client acker, d *dispatcher, evt socketmode.Event) {
	var envelope string // set while a slash command awaits its ack
	defer d.guard.Recover("slack_socket_event", func() {
		if envelope != "" {
			d.ack(ctx, client, envelope, commandReply{ResponseType: "ephemeral", Text: notify.InternalErrorText})
		}
	})
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		envelope = evt.Request.EnvelopeID
		req := command.Request{
			Platform:    "slack",
			User:        cmd.UserID,
			UserName:    cmd.UserName,
			ChannelID:   cmd.ChannelID,
			ChannelName: cmd.ChannelName,
			Text:        strings.TrimSpace(cmd.Text),
		}
		go d.socketCommand(ctx, client, envelope, req, cmd.ResponseURL)
		envelope = "" // the goroutine acknowledges it
	case socketmode.EventTypeInteractive:
		// A button: acknowledge at once, then answer the clicker through
		// the interaction's response_url.
		if evt.Request == nil {
			return
		}
		d.ack(ctx, client, evt.Request.EnvelopeID, nil)
		req, act, responseURL, err := blockAction(evt.Request.Payload)
		if err != nil {
			d.log.InfoContext(ctx, "slack interaction ignored", "reason", err.Error())
			return
		}
		go func() {
			defer d.guard.Recover("slack_socket_action", nil)
			d.act(ctx, req, act, responseURL)
		}()
	case socketmode.EventTypeEventsAPI:
		// Not used by newshound; acknowledge so Slack does not resend.
		if evt.Request != nil {
			d.ack(ctx, client, evt.Request.EnvelopeID, nil)
		}
	case socketmode.EventTypeConnected:
		d.log.InfoContext(ctx, "slack socket mode connected")
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok && e != nil {
			d.log.WarnContext(ctx, "slack socket mode connection failed", "attempt", e.Attempt,
				"backoff", e.Backoff, "error", d.redact.String(e.Error()))
		}
	case socketmode.EventTypeInvalidAuth:
		d.log.ErrorContext(ctx, "slack socket mode: app token rejected")
	}
}

// socketCommand answers one slash command and acknowledges its envelope
// with the reply, or with "internal error" if answering panics.
func (d *dispatcher) socketCommand(ctx context.Context, client acker, envelope string, req command.Request, responseURL string) {
	defer d.guard.Recover("slack_socket_ack", nil)
	rep := commandReply{ResponseType: "ephemeral", Text: notify.InternalErrorText}
	func() {
		defer d.guard.Recover("slack_socket_command", nil)
		rep = d.answer(ctx, req, responseURL)
	}()
	d.ack(ctx, client, envelope, rep)
}

// ack acknowledges one envelope, with a reply payload or nil.
func (d *dispatcher) ack(ctx context.Context, client acker, envelope string, payload any) {
	if err := client.AckCtx(ctx, envelope, payload); err != nil {
		d.log.WarnContext(ctx, "slack socket mode ack failed", "error", d.redact.Error(err))
	}
}
