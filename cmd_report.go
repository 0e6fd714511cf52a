package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/chart"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/report"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/postgres"
	"github.com/newshound/newshound/store/sqlite"
	"github.com/newshound/newshound/suggest"
)

// cmdReport prints the report of the last days (per watch the matches
// per day, top stories, busiest outlets, the change from the period
// before and the alerts voted "Not relevant"), writes its chart, or posts
// it to a channel of the watchlist.
func cmdReport(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("report", e)
	path := fs.String("config", "watchlist.yaml", "watchlist `file`")
	state := fs.String("state", "newshound.db", "SQLite `file` the daemon writes (ignored when the watchlist sets store.postgres)")
	var watches watchList
	fs.Var(&watches, "watch", "report only the watch `name`d (repeat it or separate names with commas; default every watch)")
	since := fs.String("since", "7d", "how far back: `7d`, 2w or 24h (whole days, at most 90d)")
	pngPath := fs.String("png", "", "write the chart as a PNG `file`")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	send := fs.String("send", "", "post the report (text and chart) to the `channel` of the watchlist now")
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "newshound report: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	days, err := report.ParseSince(*since)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound report: %v\n", err)
		return 2
	}
	red := redact.New()
	addEnvSecrets(red, e)
	e.stderr = redact.Writer(e.stderr, red)
	cfgEnv := recordingLookup(e, red)

	var cfg *config.Config
	if *send != "" {
		// Posting needs what run needs, environment included.
		if cfg = loadConfig(*path, cfgEnv); cfg == nil {
			return 1
		}
	} else {
		var check watchlistStatus
		if cfg, check = statusConfig(*path, cfgEnv, false); cfg == nil {
			for _, msg := range check.Errors {
				fmt.Fprintln(e.stderr, msg)
			}
			return 1
		}
	}
	addConfigSecrets(red, cfg)
	names, msg := reportWatches(cfg, *path, watches)
	if msg != "" {
		fmt.Fprintf(e.stderr, "newshound report: %s\n", msg)
		return 2
	}
	if *send != "" {
		return sendReport(ctx, e, cfg, *path, *state, *send, watches, days, red)
	}

	var st store.Store
	if cfg.Store.Postgres != "" {
		st, err = postgres.Open(ctx, cfg.Store.Postgres)
	} else {
		st, err = sqlite.OpenReadOnly(ctx, *state)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound report: %v\n", err)
		return 1
	}
	defer st.Close()
	from, to := report.Period(time.Now(), days, cfg.Location, false)
	r, err := report.Build(ctx, st, cfg, names, from, to)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound report: %v\n", err)
		return 1
	}
	if *pngPath != "" {
		png, err := chart.PNG(r.Chart())
		if err == nil {
			err = os.WriteFile(*pngPath, png, 0o644)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "newshound report: writing the chart: %v\n", err)
			return 1
		}
	}
	out := redact.Writer(e.stdout, red)
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(e.stderr, "newshound report: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprint(out, r.Text())
	if *pngPath != "" {
		fmt.Fprintf(out, "\nChart written to %s\n", *pngPath)
	}
	return 0
}

// watchList is the --watch flag: names, repeated or separated by commas.
type watchList []string

func (l *watchList) String() string { return strings.Join(*l, ",") }

func (l *watchList) Set(v string) error {
	for name := range strings.SplitSeq(v, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return fmt.Errorf("empty watch name in %q", v)
		}
		*l = append(*l, name)
	}
	return nil
}

// reportWatches returns the watches to report, in watchlist order: the
// named ones, or every watch; or a message naming an unknown one.
func reportWatches(cfg *config.Config, path string, named []string) ([]string, string) {
	var all []string
	for _, w := range cfg.Watches {
		all = append(all, w.Name)
	}
	for _, n := range named {
		if !slices.Contains(all, n) {
			msg := fmt.Sprintf("--watch %q: no such watch in %s", n, path)
			if s, ok := suggest.Closest(n, all); ok {
				return nil, msg + fmt.Sprintf("; did you mean %q?", s)
			}
			return nil, msg + " (watches: " + strings.Join(all, ", ") + ")"
		}
	}
	if len(named) == 0 {
		return all, ""
	}
	var out []string
	for _, n := range all {
		if slices.Contains(named, n) {
			out = append(out, n)
		}
	}
	return out, ""
}

// sendReport posts the report to a channel through the outbox, as the
// daemon would: it opens the state for writing (with SQLite, only while
// no daemon holds the file).
func sendReport(ctx context.Context, e env, cfg *config.Config, path, state, channel string, watches []string, days int, red *redact.Redactor) int {
	if _, ok := cfg.Channels[channel]; !ok {
		msg := fmt.Sprintf("--send %q: no such channel in %s", channel, path)
		if s, ok := suggest.Closest(channel, cfg.ChannelOrder); ok {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		fmt.Fprintf(e.stderr, "newshound report: %s\n", msg)
		return 2
	}
	logger, err := newLogger(e, "info", "text", red)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound report: %v\n", err)
		return 2
	}
	st, err := openStore(ctx, cfg, state)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound report: %v (with SQLite, a running bot holds the state: use /news report in the channel instead)\n", err)
		return 1
	}
	defer st.Close()
	p := newPlatforms(e, logger, prometheus.NewRegistry(), red)
	b, err := bot.New(bot.Options{
		Config:    cfg,
		Store:     st,
		Owner:     leaseOwner(e),
		Fetcher:   feeds.NewHTTPFetcher(feeds.Options{Version: version, Logger: logger}),
		Notifiers: p.notifiers,
		Version:   version,
		Logger:    logger,
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound report: %v\n", err)
		return 1
	}
	n, err := b.SendReport(ctx, channel, watches, days)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound report: sending to %s: %v\n", channel, err)
		return 1
	}
	fmt.Fprintf(redact.Writer(e.stdout, red), "Report sent to %s (%d message(s)).\n", channel, n)
	return 0
}
