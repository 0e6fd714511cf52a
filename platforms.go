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

	once sync.Once
	core command.Runner
}

func newPlatforms(e env, logger *slog.Logger, metrics prometheus.Gatherer) *platforms {
	return &platforms{env: e, logger: logger, discordGlobal: notify.NewPacer(50, time.Second), metrics: metrics}
}

func (p *platforms) secret(name string) string {
	v, _ := p.env.lookup(name)
	return v
}

// notifiers builds one notifier per channel of cfg.
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
			n, err = slack.New(name, *c.Slack, slack.Options{Token: p.secret("SLACK_BOT_TOKEN"), Logger: p.logger})
		case c.Discord != nil:
			n, err = discord.New(name, *c.Discord, discord.Options{Token: p.secret("DISCORD_BOT_TOKEN"), Logger: p.logger, Colors: colors, Global: p.discordGlobal})
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
// every transport, so edits from Slack and Discord share one editor.
func (p *platforms) runner(cfgPath string, b *bot.Bot) command.Runner {
	p.once.Do(func() {
		p.core = command.New(b, config.NewEditor(cfgPath), command.Options{Logger: p.logger, Version: version})
	})
	return p.core
}

// server builds the HTTP listener, or nil when the watchlist sets none.
func (p *platforms) server(ctx context.Context, cfg *config.Config, b *bot.Bot) *http.Server {
	if cfg.Server.Listen == "" {
		return nil
	}
	mux := http.NewServeMux()
	r := p.runner(cfg.Path, b)
	if s := p.secret("SLACK_SIGNING_SECRET"); s != "" {
		mux.Handle("POST /slack/commands", slack.NewCommandHandler(s, r, slack.HandlerOptions{Logger: p.logger}))
	} else {
		p.logger.Info("SLACK_SIGNING_SECRET not set: /slack/commands disabled")
	}
	if k := p.secret("DISCORD_PUBLIC_KEY"); k != "" {
		key, err := discord.ParsePublicKey(k)
		var h *discord.InteractionsHandler
		if err == nil {
			h, err = discord.NewInteractionsHandler(key, r, discord.HandlerOptions{Logger: p.logger})
		}
		if err != nil {
			p.logger.Error("DISCORD_PUBLIC_KEY is not usable: /discord/interactions disabled", "error", err.Error())
		} else {
			mux.Handle("POST /discord/interactions", h)
		}
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(p.metrics, promhttp.HandlerOpts{}))
	return &http.Server{
		Addr:              cfg.Server.Listen,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(_ net.Listener) context.Context { return ctx },
	}
}

// background starts the transports that dial out: Slack Socket Mode and
// the Discord gateway, when their tokens are set.
func (p *platforms) background(ctx context.Context, cfg *config.Config, b *bot.Bot, wg *sync.WaitGroup) {
	if app := p.secret("SLACK_APP_TOKEN"); app != "" {
		r := p.runner(cfg.Path, b)
		wg.Go(func() {
			if err := slack.RunSocketMode(ctx, app, p.secret("SLACK_BOT_TOKEN"), "", r, p.logger); err != nil && ctx.Err() == nil {
				p.logger.Error("slack socket mode stopped", "error", err.Error())
			}
		})
	}
	if tok := p.secret("DISCORD_BOT_TOKEN"); tok != "" && cfg.Discord.ApplicationID != "" {
		r := p.runner(cfg.Path, b)
		wg.Go(func() {
			if err := discord.RunGateway(ctx, tok, cfg.Discord.ApplicationID, cfg.Discord.GuildID, "", r, p.logger); err != nil && ctx.Err() == nil {
				p.logger.Error("discord gateway stopped", "error", err.Error())
			}
		})
	}
}
