package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
// post to response_url when the Runner is slow. apiURL replaces the Web
// API base ("" for Slack). It returns nil when ctx ends, or the error that
// stopped the connection (an invalid token, say).
func RunSocketMode(ctx context.Context, appToken, botToken, apiURL string, r command.Runner, logger *slog.Logger) error {
	if appToken == "" {
		return errors.New("slack: socket mode needs an app-level token (SLACK_APP_TOKEN)")
	}
	d := newDispatcher(r, nil, logger, 0)
	opts := []slack.Option{slack.OptionAppLevelToken(appToken)}
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(apiURL, "/")+"/"))
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
			return fmt.Errorf("slack: socket mode: %w", notify.RedactError(err, appToken, botToken))
		case evt := <-client.Events:
			handleSocketEvent(ctx, client, d, evt, appToken, botToken)
		}
	}
}

func handleSocketEvent(ctx context.Context, client *socketmode.Client, d *dispatcher, evt socketmode.Event, secrets ...string) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		envelope := evt.Request.EnvelopeID
		go func() {
			rep := d.answer(ctx, command.Request{
				Platform:    "slack",
				User:        cmd.UserID,
				UserName:    cmd.UserName,
				ChannelID:   cmd.ChannelID,
				ChannelName: cmd.ChannelName,
				Text:        strings.TrimSpace(cmd.Text),
			}, cmd.ResponseURL)
			if err := client.AckCtx(ctx, envelope, rep); err != nil {
				d.log.WarnContext(ctx, "slack socket mode ack failed", "error", err)
			}
		}()
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
		// Not used by newshound; acknowledge so Slack does not resend.
		if evt.Request != nil {
			if err := client.AckCtx(ctx, evt.Request.EnvelopeID, nil); err != nil {
				d.log.WarnContext(ctx, "slack socket mode ack failed", "error", err)
			}
		}
	case socketmode.EventTypeConnected:
		d.log.InfoContext(ctx, "slack socket mode connected")
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			d.log.WarnContext(ctx, "slack socket mode connection failed", "attempt", e.Attempt,
				"backoff", e.Backoff, "error", notify.Redact(e.Error(), secrets...))
		}
	case socketmode.EventTypeInvalidAuth:
		d.log.ErrorContext(ctx, "slack socket mode: app token rejected")
	}
}
