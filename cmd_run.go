package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/postgres"
	"github.com/newshound/newshound/store/sqlite"
	"github.com/newshound/newshound/suggest"
)

// cmdRun is the daemon, or one cycle of it with --once.
func cmdRun(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("run", e)
	path := fs.String("config", "watchlist.yaml", "watchlist `file`")
	state := fs.String("state", "newshound.db", "SQLite `file` for state (ignored when the watchlist sets store.postgres)")
	once := fs.Bool("once", false, "poll every feed once, deliver what is due, and exit (non-zero if anything stayed undelivered)")
	var only feedList
	fs.Var(&only, "feed", "with --once, poll only the feed `name`d, at once even in its backoff (repeat it or separate names with commas)")
	listen := fs.String("listen", "", "serve HTTP on `ADDR` (host:port), overriding server.listen: several replicas on one host")
	level := fs.String("log-level", "info", "log `level`: debug, info, warn, error")
	format := fs.String("log-format", "text", "log `format`: text or json")
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
	}
	if len(only) > 0 && !*once {
		fmt.Fprintln(e.stderr, "newshound run: --feed needs --once (the daemon polls every feed on its schedule; force one from chat with /news poll FEED)")
		return 2
	}
	// Every secret the bot knows is redacted from everything it writes:
	// the environment's, the values substituted for ${NAME}, and those of
	// the watchlist (learnt again on every reload).
	red := redact.New()
	addEnvSecrets(red, e)
	if v, ok := e.lookup(envReloadToken); ok {
		red.Add(v)
	}
	e.stderr = redact.Writer(e.stderr, red)
	cfgEnv := recordingLookup(e, red)
	logger, err := newLogger(e, *level, *format, red)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound run: %v\n", err)
		return 2
	}
	cfg := loadConfig(*path, cfgEnv)
	if cfg == nil {
		return 1
	}
	overrideListen(cfg, *listen)
	if msg := unknownFeeds(cfg, *path, only); msg != "" {
		fmt.Fprintf(e.stderr, "newshound run: %s\n", msg)
		return 2
	}
	addConfigSecrets(red, cfg)
	st, err := openStore(ctx, cfg, *state)
	if err != nil {
		logger.Error("opening state", "error", err.Error())
		return 1
	}
	defer st.Close()
	owner := leaseOwner(e)

	// With PostgreSQL the watchlist lives in the database, shared by every
	// replica; the file is this replica's copy.
	var shared *sharedWatchlist
	if ws, ok := st.(store.Watchlists); ok {
		shared = &sharedWatchlist{path: *path, docs: ws, owner: owner, env: config.Env{Lookup: cfgEnv.lookup}, logger: logger}
		c, err := shared.start(ctx)
		if err != nil {
			logger.Error("loading the shared watchlist", "error", err.Error())
			return 1
		}
		addConfigSecrets(red, c)
		overrideListen(c, *listen)
		cfg = c
	}
	load := func() (*config.Config, error) {
		var c *config.Config
		var err error
		if shared != nil {
			c, err = shared.load(ctx)
		} else {
			c, err = parseConfig(*path, cfgEnv)
		}
		if err == nil {
			addConfigSecrets(red, c)
			overrideListen(c, *listen)
		}
		return c, err
	}

	newFetcher := func(cfg *config.Config) feeds.Fetcher {
		return feeds.NewHTTPFetcher(feeds.Options{
			Version:      version,
			MaxBytes:     cfg.Poll.MaxBytes,
			Timeout:      cfg.Poll.Timeout.D(),
			Concurrency:  cfg.Poll.Concurrency,
			PerHost:      cfg.Poll.PerHost,
			Location:     cfg.Location,
			AllowPrivate: cfg.Security.AllowPrivateFeeds,
			Logger:       logger,
		})
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := bot.NewMetrics(reg)
	if err != nil {
		logger.Error("metrics", "error", err.Error())
		return 1
	}
	if q, ok := st.(interface{ Queries() int64 }); ok {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "newshound_store_queries_total",
			Help: "Statements this replica sent to the database (PostgreSQL): the load it puts on the database.",
		}, func() float64 { return float64(q.Queries()) }))
	}
	guard := notify.NewGuard(logger, red)
	if err := guard.Register(reg); err != nil {
		logger.Error("metrics", "error", err.Error())
		return 1
	}
	t := trust{redact: red, guard: guard}
	p := newPlatforms(e, logger, reg, red)
	if shared != nil {
		p.docs = shared.editorDocs()
	}
	b, err := bot.New(bot.Options{
		Metrics:      metrics,
		Owner:        owner,
		Config:       cfg,
		Store:        st,
		NewFetcher:   newFetcher,
		Notifiers:    p.notifiers,
		Load:         load,
		Version:      version,
		Logger:       logger,
		Tick:         e.tick,
		EditInterval: e.editInterval,
	})
	if err != nil {
		logger.Error("starting", "error", err.Error())
		return 1
	}

	if *once {
		var res bot.CycleResult
		if len(only) > 0 {
			// Checked against the watchlist above, so an error here is a
			// feed removed by a reload in between.
			if res, err = b.RunOnceFeeds(ctx, only); err != nil {
				logger.Error("polling the named feeds", "error", err.Error())
				return 2
			}
		} else {
			res = b.RunOnce(ctx)
		}
		failed := 0
		for _, pr := range res.Polls {
			if pr.Err != nil {
				failed++
			}
		}
		logger.Info("cycle done", "feeds", len(res.Polls), "feeds_failed", failed, "undelivered", res.Overdue())
		return onceVerdict(e.stderr, res, cfg.Location)
	}

	logger.Info("newshound running", "version", version, "config", *path, "feeds", len(cfg.Feeds), "watches", len(cfg.Watches), "owner", owner)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Go(func() { errc <- b.Run(runCtx) })
	wg.Go(func() { watchConfig(runCtx, *path, b, logger) })
	if shared != nil {
		wg.Go(func() { shared.follow(runCtx, b, watchlistPoll) })
	}
	if srv := p.server(runCtx, cfg, b, t); srv != nil {
		wg.Go(func() {
			err := serve(runCtx, srv, logger)
			p.waitFollowUps() // replies of commands still running when it closed
			errc <- err
		})
	}
	p.background(runCtx, cfg, b, &wg, t)
	code := 0
	select {
	case <-ctx.Done():
		logger.Info("stopping: finishing in-flight deliveries")
	case err := <-errc:
		if err != nil {
			logger.Error("stopped", "error", err.Error())
			code = 1
		}
	}
	cancel()
	// Sends already started finish and are recorded before the store
	// closes (deferred above); a hung one is given up after the grace
	// (server.stop_grace, read at start like every server setting).
	grace := cfg.Server.StopGrace.D()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		logger.Warn("stopping without waiting longer for in-flight work", "waited", grace)
	}
	return code
}

// feedList is the value of run's --feed: feed names, from repeated flags
// or separated by commas.
type feedList []string

func (l *feedList) String() string { return strings.Join(*l, ",") }

func (l *feedList) Set(v string) error {
	for name := range strings.SplitSeq(v, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return errors.New("empty feed name")
		}
		*l = append(*l, name)
	}
	return nil
}

// unknownFeeds names the first of names that is not a feed of cfg (read
// from path), with the nearest feed name as a suggestion, or returns "".
func unknownFeeds(cfg *config.Config, path string, names []string) string {
	known := make([]string, len(cfg.Feeds))
	for i, f := range cfg.Feeds {
		known[i] = f.Name
	}
	for _, name := range names {
		if slices.Contains(known, name) {
			continue
		}
		msg := fmt.Sprintf("--feed %q: no such feed in %s", name, path)
		if s, ok := suggest.Closest(name, known); ok {
			return msg + fmt.Sprintf("; did you mean %q?", s)
		}
		return msg + " (feeds: " + strings.Join(known, ", ") + ")"
	}
	return ""
}

// overrideListen applies run --listen to cfg (every load, so a reload
// does not see it as a changed server setting).
func overrideListen(cfg *config.Config, addr string) {
	if addr != "" {
		cfg.Server.Listen = addr
	}
}

// leaseOwner is this process's owner id in the store's leases, unique
// per process: NEWSHOUND_REPLICA (when set) as a readable prefix, then
// the host name, the pid and a random part, as in
// "web-1@host-a/4242/9f3c2a7d". Two processes on one host, or one
// restarted with the same pid, never share it.
func leaseOwner(e env) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	id := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), strings.ToLower(rand.Text()[:8]))
	if v, ok := e.lookup("NEWSHOUND_REPLICA"); ok && strings.TrimSpace(v) != "" {
		id = plainLine(v) + "@" + id
	}
	return id
}

// onceVerdict prints what a --once cycle left pending and returns the exit
// code: 1 when an alert that was due is still undelivered (whether this
// cycle failed to send it or it waits for a retry) or a channel failed,
// else 0. Alerts held for a later digest are listed but are no failure.
func onceVerdict(w io.Writer, res bot.CycleResult, loc *time.Location) int {
	for _, bl := range res.Backlog {
		if bl.Overdue > 0 {
			next := "at the next run"
			if !bl.NextRetry.IsZero() {
				next = "not before " + bl.NextRetry.In(loc).Format("2006-01-02 15:04:05 MST")
			}
			fmt.Fprintf(w, "newshound: channel %s: %d alert(s) undelivered; next retry %s", bl.Channel, bl.Overdue, next)
			if bl.LastError != "" {
				fmt.Fprintf(w, "; last error: %s", bl.LastError)
			}
			fmt.Fprintln(w)
		}
		if bl.Waiting > 0 {
			fmt.Fprintf(w, "newshound: channel %s: %d alert(s) held for a digest, due %s\n", bl.Channel, bl.Waiting, bl.NextDue.In(loc).Format("2006-01-02 15:04 MST"))
		}
	}
	if n := res.Overdue(); n > 0 || deliveryErrors(res) {
		fmt.Fprintf(w, "newshound: %d alert(s) still pending after this run\n", n)
		return 1
	}
	return 0
}

func deliveryErrors(res bot.CycleResult) bool {
	for _, d := range res.Deliveries {
		if d.Err != nil {
			return true
		}
	}
	return false
}

// watchConfig reloads the watchlist when the file changes or on SIGHUP.
func watchConfig(ctx context.Context, path string, b *bot.Bot, logger *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	changed := make(chan struct{}, 1)
	var watcher sync.WaitGroup
	defer watcher.Wait()
	watcher.Go(func() {
		err := config.WatchFile(ctx, path, logger, func() {
			select {
			case changed <- struct{}{}:
			default:
			}
		})
		if err != nil && ctx.Err() == nil {
			logger.Warn("watching the watchlist failed; reload with SIGHUP", "error", err.Error())
		}
	})
	// A change made while the bot was starting, before the watcher was
	// up, is caught by one reload shortly after start (a no-op when the
	// file is what was loaded).
	first := time.After(2 * time.Second)
	for {
		select {
		case <-ctx.Done():
			return
		case <-first:
		case <-hup:
			logger.Info("SIGHUP: reloading the watchlist")
		case <-changed:
			logger.Info("watchlist changed on disk: reloading")
		}
		_ = b.Reload(ctx) // errors are logged and kept for status
	}
}

// openStore opens the daemon's store. An SQLite file has one writer: the
// lock taken here makes a second run on the same file fail with the
// holder's pid, and is released when the store closes.
func openStore(ctx context.Context, cfg *config.Config, path string) (store.Store, error) {
	if cfg.Store.Postgres != "" {
		return postgres.Open(ctx, cfg.Store.Postgres)
	}
	return sqlite.OpenWriter(ctx, path)
}

// newLogger returns the process logger, writing to e.stderr with every
// message and attribute redacted by red.
func newLogger(e env, level, format string, red *redact.Redactor) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("bad --log-level %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	switch format {
	case "text":
		h = slog.NewTextHandler(e.stderr, opts)
	case "json":
		h = slog.NewJSONHandler(e.stderr, opts)
	default:
		return nil, fmt.Errorf("bad --log-format %q", format)
	}
	return slog.New(redact.Handler(h, red)), nil
}

// serve runs the HTTP listener until ctx ends (or it fails), then shuts
// it down. It returns once the handlers under way have returned, or 10 s
// after the shutdown began, so a command's store write is not cut off by
// the store closing.
func serve(ctx context.Context, srv *http.Server, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", srv.Addr, err)
	}
	logger.Info("http listener up", "addr", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
	}
	// Serve returns as soon as Shutdown begins; Shutdown returns when the
	// handlers under way have.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("http listener stopped without waiting longer for requests under way", "error", err.Error())
	}
	if serveErr == nil {
		serveErr = <-served
	}
	if !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}
