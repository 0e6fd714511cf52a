package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/console"
	"github.com/newshound/newshound/bot/discord"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/bot/slack"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/redact"
)

// platforms is the registry of channel types: adding a chat platform is a
// package under bot/ and a case here.
type platforms struct {
	env    env
	logger *slog.Logger
	// discordGlobal is Discord's per-bot global limit, shared by every
	// Discord channel across reloads.
	discordGlobal *notify.Pacer
	metrics       prometheus.Gatherer
	// redact knows every secret of the process; notifiers redact their
	// errors with it.
	redact *redact.Redactor

	once sync.Once
	core command.Runner
	// followUps are the HTTP command handlers whose deferred replies a
	// stop waits for once the listener has closed.
	followUps []interface{ Wait() }
}

// waitFollowUps waits for the follow-up replies of commands that were
// still running when the listener closed.
func (p *platforms) waitFollowUps() {
	for _, h := range p.followUps {
		h.Wait()
	}
}

func newPlatforms(e env, logger *slog.Logger, metrics prometheus.Gatherer, red *redact.Redactor) *platforms {
	return &platforms{env: e, logger: logger, discordGlobal: notify.NewPacer(50, time.Second), metrics: metrics, redact: red}
}

func (p *platforms) secret(name string) string {
	v, _ := p.env.lookup(name)
	return v
}

// notifiers builds one notifier per channel of cfg. What a channel needs
// from the environment was checked by config.Validate when cfg was loaded;
// the platform packages check again, defensively.
func (p *platforms) notifiers(cfg *config.Config) (map[string]notify.Notifier, error) {
	out := make(map[string]notify.Notifier, len(cfg.Channels))
	colors := discord.WatchColors(cfg.Watches)
	for _, name := range cfg.ChannelOrder {
		c := cfg.Channels[name]
		var n notify.Notifier
		var err error
		switch {
		case c.Console != nil:
			n, err = console.New(name, *c.Console, p.env.stdout)
		case c.Slack != nil:
			n, err = slack.New(name, *c.Slack, slack.Options{Token: p.secret(config.EnvSlackBotToken), Logger: p.logger, Redactor: p.redact})
		case c.Discord != nil:
			n, err = discord.New(name, *c.Discord, discord.Options{Token: p.secret(config.EnvDiscordBotToken), Logger: p.logger, Colors: colors, Global: p.discordGlobal, Redactor: p.redact})
		default:
			err = fmt.Errorf("channel %s: no platform", name)
		}
		if err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, nil
}

// runner returns the /news command core over the running bot: one for
// every transport, so edits from Slack and Discord share one editor. The
// editor validates edits in the bot's own environment, so an edit the bot
// could not run is refused.
func (p *platforms) runner(cfgPath string, b *bot.Bot) command.Runner {
	p.once.Do(func() {
		ed := &config.Editor{Path: cfgPath, Getenv: p.env.lookup}
		p.core = command.New(b, ed, command.Options{Logger: p.logger, Version: version})
	})
	return p.core
}

// server builds the HTTP listener, or nil when the watchlist sets none.
// Every handler is guarded by t.guard (a panic answers 500 and is logged
// and counted), replies are redacted by t.redact, and so are the label
// values /metrics shows and the server's own error log.
func (p *platforms) server(ctx context.Context, cfg *config.Config, b *bot.Bot, t trust) *http.Server {
	if cfg.Server.Listen == "" {
		return nil
	}
	mux := http.NewServeMux()
	r := p.runner(cfg.Path, b)
	if s := p.secret(config.EnvSlackSigningSecret); s != "" {
		h := slack.NewCommandHandler(s, r, slack.HandlerOptions{Logger: p.logger, Redactor: t.redact, Guard: t.guard})
		p.followUps = append(p.followUps, h)
		mux.Handle("POST /slack/commands", t.guard.HTTP("slack_command", h))
	} else {
		p.logger.Info("SLACK_SIGNING_SECRET not set: /slack/commands disabled")
	}
	if k := p.secret(config.EnvDiscordPublicKey); k != "" {
		key, err := discord.ParsePublicKey(k)
		var h *discord.InteractionsHandler
		if err == nil {
			h, err = discord.NewInteractionsHandler(key, r, discord.HandlerOptions{Logger: p.logger, Redactor: t.redact, Guard: t.guard})
		}
		if err != nil {
			p.logger.Error("DISCORD_PUBLIC_KEY is not usable: /discord/interactions disabled", "error", err.Error())
		} else {
			mux.Handle("POST /discord/interactions", t.guard.HTTP("discord_interaction", h))
			p.followUps = append(p.followUps, h)
		}
	}
	mux.Handle("GET /healthz", t.guard.HTTP("healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})))
	mux.Handle("GET /readyz", t.guard.HTTP("readyz", readyHandler(b, t.redact)))
	token := p.secret(envReloadToken)
	mux.Handle("POST /-/reload", t.guard.HTTP("reload", reloadHandler(b, t.redact, cfg.Server.Reload, token)))
	switch {
	case cfg.Server.Reload:
		p.logger.Info("server.reload is true: POST /-/reload is open to anyone who reaches the listener")
	case token != "":
		p.logger.Info(envReloadToken + " set: POST /-/reload enabled for requests carrying it")
	}
	mux.Handle("GET /metrics", t.guard.HTTP("metrics", promhttp.HandlerFor(redactedGatherer{p.metrics, t.redact}, promhttp.HandlerOpts{})))
	return &http.Server{
		Addr:              cfg.Server.Listen,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(_ net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(p.logger.Handler(), slog.LevelWarn),
	}
}

// background starts the transports that dial out: Slack Socket Mode and
// the Discord gateway, when their tokens are set. Their event handlers
// are guarded by t.guard and their replies redacted by t.redact; a panic
// outside a handler stops only that transport, logged and counted.
func (p *platforms) background(ctx context.Context, cfg *config.Config, b *bot.Bot, wg *sync.WaitGroup, t trust) {
	if app := p.secret(config.EnvSlackAppToken); app != "" {
		r := p.runner(cfg.Path, b)
		wg.Go(func() {
			defer t.guard.Recover("slack_socket_mode", nil)
			o := slack.HandlerOptions{Logger: p.logger, Redactor: t.redact, Guard: t.guard}
			if err := slack.RunSocketMode(ctx, app, p.secret(config.EnvSlackBotToken), r, o); err != nil && ctx.Err() == nil {
				p.logger.Error("slack socket mode stopped", "error", err.Error())
			}
		})
	}
	if tok := p.secret(config.EnvDiscordBotToken); tok != "" && cfg.Discord.ApplicationID != "" {
		r := p.runner(cfg.Path, b)
		wg.Go(func() {
			defer t.guard.Recover("discord_gateway", nil)
			o := discord.HandlerOptions{Logger: p.logger, Redactor: t.redact, Guard: t.guard}
			if err := discord.RunGateway(ctx, tok, cfg.Discord.ApplicationID, cfg.Discord.GuildID, r, o); err != nil && ctx.Err() == nil {
				p.logger.Error("discord gateway stopped", "error", err.Error())
			}
		})
	}
}
