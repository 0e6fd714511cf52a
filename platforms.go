package main

import (
	"context"
	"errors"
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
	"github.com/newshound/newshound/bot/discord"
	"github.com/newshound/newshound/bot/notify"
	_ "github.com/newshound/newshound/bot/receivers" // every channel type
	"github.com/newshound/newshound/bot/slack"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/redact"
)

// platforms builds the notifiers (through the channel types registered
// by package receivers) and the command transports of the chat platforms.
type platforms struct {
	env    env
	logger *slog.Logger
	// shared holds what every channel of a type shares across reloads
	// (notify.Deps.Shared), such as a platform's global rate limit.
	sharedMu sync.Mutex
	shared   map[string]any
	metrics  prometheus.Gatherer
	// redact knows every secret of the process; notifiers redact their
	// errors with it.
	redact *redact.Redactor

	// docs, when set, keeps the watchlist in the database: command edits
	// go through its compare-and-swap instead of the file.
	docs config.DocStore

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
	return &platforms{env: e, logger: logger, shared: map[string]any{}, metrics: metrics, redact: red}
}

// sharedValue returns the value kept under key, made by create the first
// time.
func (p *platforms) sharedValue(key string, create func() any) any {
	p.sharedMu.Lock()
	defer p.sharedMu.Unlock()
	v, ok := p.shared[key]
	if !ok {
		v = create()
		p.shared[key] = v
	}
	return v
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
	deps := notify.Deps{Config: cfg, Stdout: p.env.stdout, Secret: p.secret, Logger: p.logger, Redactor: p.redact, Shared: p.sharedValue, Version: version}
	for _, name := range cfg.ChannelOrder {
		n, err := notify.New(cfg.Channels[name], deps)
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
		ed := &config.Editor{Path: cfgPath, Getenv: p.env.lookup, Docs: p.docs}
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
	if s := p.secret(slack.EnvSigningSecret); s != "" {
		h := slack.NewCommandHandler(s, r, slack.HandlerOptions{Logger: p.logger, Redactor: t.redact, Guard: t.guard})
		p.followUps = append(p.followUps, h)
		mux.Handle("POST /slack/commands", t.guard.HTTP("slack_command", h))
		ih := slack.NewInteractionsHandler(s, r, slack.HandlerOptions{Logger: p.logger, Redactor: t.redact, Guard: t.guard})
		p.followUps = append(p.followUps, ih)
		mux.Handle("POST /slack/interactions", t.guard.HTTP("slack_interaction", ih))
	} else {
		p.logger.Info("SLACK_SIGNING_SECRET not set: /slack/commands and /slack/interactions disabled")
	}
	if k := p.secret(discord.EnvPublicKey); k != "" {
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
// the Discord gateway, when their tokens are set. Each runs on one
// replica at a time (bot.Lead over the leases "session:slack" and
// "session:discord"), and moves to another when its replica dies. Their
// event handlers are guarded by t.guard and their replies redacted by
// t.redact; a panic outside a handler stops only that session, logged
// and counted, and the session is started again.
func (p *platforms) background(ctx context.Context, cfg *config.Config, b *bot.Bot, wg *sync.WaitGroup, t trust) {
	if app := p.secret(slack.EnvAppToken); app != "" {
		r := p.runner(cfg.Path, b)
		wg.Go(func() {
			b.Lead(ctx, "session:slack", func(ctx context.Context) (err error) {
				defer t.guard.Recover("slack_socket_mode", func() { err = errors.New("slack socket mode panicked") })
				o := slack.HandlerOptions{Logger: p.logger, Redactor: t.redact, Guard: t.guard}
				if err := slack.RunSocketMode(ctx, app, p.secret(slack.EnvBotToken), r, o); err != nil && ctx.Err() == nil {
					return fmt.Errorf("slack socket mode stopped: %w", err)
				}
				return nil
			})
		})
	}
	if tok, app := p.secret(discord.EnvBotToken), discord.AppOf(cfg); tok != "" && app.ApplicationID != "" {
		r := p.runner(cfg.Path, b)
		wg.Go(func() {
			b.Lead(ctx, "session:discord", func(ctx context.Context) (err error) {
				defer t.guard.Recover("discord_gateway", func() { err = errors.New("discord gateway panicked") })
				o := discord.HandlerOptions{Logger: p.logger, Redactor: t.redact, Guard: t.guard}
				if err := discord.RunGateway(ctx, tok, app.ApplicationID, app.GuildID, r, o); err != nil && ctx.Err() == nil {
					return fmt.Errorf("discord gateway stopped: %w", err)
				}
				return nil
			})
		})
	}
}
