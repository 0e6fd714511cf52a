package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/digest"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/postgres"
	"github.com/newshound/newshound/store/sqlite"
)

// statusReport is what `newshound status` prints; its JSON keys are the
// stable interface of --json. Times are UTC RFC 3339, null when unknown.
type statusReport struct {
	Version      string          `json:"version"`
	GeneratedAt  time.Time       `json:"generated_at"`
	Store        string          `json:"store"`           // "sqlite" or "postgres"
	State        string          `json:"state,omitempty"` // the SQLite file
	Watchlist    watchlistStatus `json:"watchlist"`
	FeedsOK      int             `json:"feeds_ok"`
	FeedsFailing int             `json:"feeds_failing"`
	Feeds        []feedStatus    `json:"feeds"`
	Channels     []channelStatus `json:"channels"`
	// Replicas are the owner ids of the daemons alive on this store;
	// Leases who holds which feed, channel or chat session right now.
	Replicas []string      `json:"replicas"`
	Leases   []leaseStatus `json:"leases"`
}

// leaseStatus is one live lease: a feed being polled, a channel being
// delivered, a chat session, and the replica holding it.
type leaseStatus struct {
	Name  string    `json:"name"`
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

// watchlistStatus is the result of validating the watchlist as run does.
type watchlistStatus struct {
	File   string   `json:"file"`
	OK     bool     `json:"ok"`
	Errors []string `json:"errors"`
	// EnvChecked is false with --no-env: the environment was not checked.
	EnvChecked bool `json:"env_checked"`
	// Version is the version in force when the watchlist lives in the
	// database (PostgreSQL), with when and how it was saved; 0 otherwise.
	Version int64      `json:"version,omitempty"`
	SavedAt *time.Time `json:"saved_at,omitempty"`
	SavedBy string     `json:"saved_by,omitempty"`
}

// feedStatus is one feed of the watchlist, in file order, with its state.
type feedStatus struct {
	Name        string     `json:"name"`
	URL         string     `json:"url"` // secrets in it redacted
	LastSuccess *time.Time `json:"last_success"`
	LastAttempt *time.Time `json:"last_attempt"`
	LastError   string     `json:"last_error"`
	Failures    int        `json:"failures"` // consecutive
	// NextPoll is the earliest next poll; null when the feed was never
	// polled (the next cycle polls it).
	NextPoll *time.Time `json:"next_poll"`
}

// channelStatus is a channel's outbox: every configured channel in file
// order, then channels no longer in the watchlist that still hold rows.
type channelStatus struct {
	Name    string `json:"name"`
	Pending int    `json:"pending"`
	// Due counts pending alerts whose time has come (failed sends waiting
	// for their retry among them); Held those waiting for a digest or
	// quiet hours to end.
	Due  int `json:"due"`
	Held int `json:"held"`
	// OldestPendingAgeSeconds is the age of the oldest pending alert (0
	// when none is pending).
	OldestPendingAgeSeconds int64      `json:"oldest_pending_age_seconds"`
	NextRetry               *time.Time `json:"next_retry"`
	LastError               string     `json:"last_error"`
	NextDigest              *time.Time `json:"next_digest"`
	InWatchlist             bool       `json:"in_watchlist"`
}

// cmdStatus prints what `/news status` says in chat, and more: per feed
// the last success, the error and the next poll; per channel the pending
// alerts. It reads SQLite read-only, so it works beside the running
// daemon, and changes nothing.
func cmdStatus(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("status", e)
	path := fs.String("config", "watchlist.yaml", "watchlist `file`")
	state := fs.String("state", "newshound.db", "SQLite `file` the daemon writes (ignored when the watchlist sets store.postgres)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	noEnv := fs.Bool("no-env", false, "check the watchlist without the environment, as check --no-env")
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "newshound status: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	red := redact.New()
	addEnvSecrets(red, e)
	e.stderr = redact.Writer(e.stderr, red)
	cfgEnv := recordingLookup(e, red)

	cfg, check := statusConfig(*path, cfgEnv, *noEnv)
	if cfg != nil {
		addConfigSecrets(red, cfg)
	}
	rep := statusReport{Version: version, GeneratedAt: time.Now().UTC(), Watchlist: check}
	var st store.Store
	var err error
	if cfg != nil && cfg.Store.Postgres != "" {
		rep.Store = "postgres"
		st, err = postgres.Open(ctx, cfg.Store.Postgres)
	} else {
		rep.Store, rep.State = "sqlite", *state
		st, err = sqlite.OpenReadOnly(ctx, *state)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound status: %v\n", err)
		for _, msg := range check.Errors {
			fmt.Fprintln(e.stderr, msg)
		}
		return 1
	}
	defer st.Close()
	if err := fillStatus(ctx, &rep, cfg, st); err != nil {
		fmt.Fprintf(e.stderr, "newshound status: %v\n", err)
		return 1
	}
	if ws, ok := st.(store.Watchlists); ok {
		if d, err := ws.Watchlist(ctx); err == nil {
			rep.Watchlist.Version, rep.Watchlist.SavedAt, rep.Watchlist.SavedBy = d.Version, jsonTime(d.At), d.By
		} else if !errors.Is(err, store.ErrNotFound) {
			fmt.Fprintf(e.stderr, "newshound status: %v\n", err)
			return 1
		}
	}
	redactStatus(&rep, red)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(e.stderr, "newshound status: %v\n", err)
			return 1
		}
		return 0
	}
	loc := time.Local
	if cfg != nil && cfg.Location != nil {
		loc = cfg.Location
	}
	printStatus(redact.Writer(e.stdout, red), rep, loc)
	return 0
}

// statusConfig validates the watchlist as run does and returns it with
// the result of the check. When it does not validate, the config
// returned is the file parsed without the environment's rules (nil if
// even that fails), so that status can still list its feeds and channels
// and find its store.
func statusConfig(path string, e env, noEnv bool) (*config.Config, watchlistStatus) {
	check := watchlistStatus{File: path, Errors: []string{}, EnvChecked: !noEnv}
	data, err := os.ReadFile(path)
	if err != nil {
		check.Errors = append(check.Errors, fmt.Sprintf("%s: %v", path, err))
		return nil, check
	}
	cfg, err := config.Validate(path, data, config.Env{Lookup: e.lookup, Skip: noEnv})
	if err == nil {
		check.OK = true
		return cfg, check
	}
	var list config.Errors
	if errors.As(err, &list) {
		for _, le := range list {
			check.Errors = append(check.Errors, le.Error())
		}
	} else {
		check.Errors = append(check.Errors, err.Error())
	}
	cfg, err = config.Parse(path, data, e.lookup)
	if err != nil {
		return nil, check
	}
	return cfg, check
}

// statusStore is what status reads: feed states, the outbox and the
// leases.
type statusStore interface {
	FeedStates(ctx context.Context) ([]store.FeedState, error)
	store.OutboxReader
	Holders(ctx context.Context, now time.Time) ([]store.LeaseInfo, error)
}

// fillStatus reads the store into rep. cfg may be nil (an unreadable
// watchlist): feeds and channels then come from the store alone.
func fillStatus(ctx context.Context, rep *statusReport, cfg *config.Config, st statusStore) error {
	now := rep.GeneratedAt
	states, err := st.FeedStates(ctx)
	if err != nil {
		return fmt.Errorf("reading feed states: %w", err)
	}
	byName := map[string]store.FeedState{}
	for _, s := range states {
		byName[s.Feed] = s
	}
	var feedList []config.Feed
	if cfg != nil {
		feedList = cfg.Feeds
	} else {
		for _, s := range states {
			feedList = append(feedList, config.Feed{Name: s.Feed, URL: s.URL})
		}
	}
	rep.Feeds = []feedStatus{}
	for _, f := range feedList {
		s, ok := byName[f.Name]
		fs := feedStatus{Name: f.Name, URL: redact.URL(f.URL)}
		if ok {
			fs.LastSuccess = jsonTime(s.LastSuccess)
			fs.LastAttempt = jsonTime(s.LastAttempt)
			fs.LastError = s.LastError
			fs.Failures = s.Failures
			fs.NextPoll = jsonTime(s.NextPoll)
		}
		if fs.Failures > 0 {
			rep.FeedsFailing++
		} else {
			rep.FeedsOK++
		}
		rep.Feeds = append(rep.Feeds, fs)
	}

	pending, err := st.PendingAll(ctx, "")
	if err != nil {
		return fmt.Errorf("reading the outbox: %w", err)
	}
	rows := map[string][]store.Delivery{}
	for _, d := range pending {
		rows[d.Channel] = append(rows[d.Channel], d)
	}
	next := map[string]time.Time{}
	var order []string
	if cfg != nil {
		next = nextDigests(cfg, now)
		order = append(order, cfg.ChannelOrder...)
	}
	configured := map[string]bool{}
	for _, ch := range order {
		configured[ch] = true
	}
	var gone []string
	for ch := range rows {
		if !configured[ch] {
			gone = append(gone, ch)
		}
	}
	sort.Strings(gone)
	rep.Channels = []channelStatus{}
	for _, ch := range append(order, gone...) {
		cs := channelOutbox(ch, rows[ch], now)
		cs.InWatchlist = configured[ch]
		cs.NextDigest = jsonTime(next[ch])
		rep.Channels = append(rep.Channels, cs)
	}
	holders, err := st.Holders(ctx, now)
	if err != nil {
		return fmt.Errorf("reading the leases: %w", err)
	}
	rep.Replicas, rep.Leases = []string{}, []leaseStatus{}
	for _, l := range holders {
		if name, ok := strings.CutPrefix(l.Name, bot.ReplicaLeasePrefix); ok {
			rep.Replicas = append(rep.Replicas, name)
			continue
		}
		rep.Leases = append(rep.Leases, leaseStatus{Name: l.Name, Owner: l.Owner, Until: l.Until.UTC()})
	}
	return nil
}

// channelOutbox summarizes the pending rows of one channel at now, as
// run --once reports its backlog.
func channelOutbox(name string, rows []store.Delivery, now time.Time) channelStatus {
	cs := channelStatus{Name: name, Pending: len(rows)}
	var oldest, retry time.Time
	for _, r := range rows {
		if !r.Created.IsZero() && (oldest.IsZero() || r.Created.Before(oldest)) {
			oldest = r.Created
		}
		if r.Due.After(now) {
			cs.Held++
			continue
		}
		cs.Due++
		if r.LastError != "" {
			cs.LastError = r.LastError
		}
		if r.NextAttempt.After(now) && (retry.IsZero() || r.NextAttempt.Before(retry)) {
			retry = r.NextAttempt
		}
	}
	if !oldest.IsZero() && now.After(oldest) {
		cs.OldestPendingAgeSeconds = int64(now.Sub(oldest) / time.Second)
	}
	cs.NextRetry = jsonTime(retry)
	return cs
}

// nextDigests returns, per channel, the next digest time of the watches
// that send it digests (instant watches have none), as /news status does.
// A schedule that does not build is skipped: the check reports it.
func nextDigests(cfg *config.Config, now time.Time) map[string]time.Time {
	out := map[string]time.Time{}
	for _, w := range cfg.Watches {
		s, err := digest.NewSchedule(w.Digest, cfg.Location)
		if err != nil || s.Instant() {
			continue
		}
		t := s.Next(now)
		for _, ch := range w.Channels {
			if cur, ok := out[ch]; !ok || t.Before(cur) {
				out[ch] = t
			}
		}
	}
	return out
}

// jsonTime is t in UTC, or nil for the zero time.
func jsonTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// redactStatus removes every known secret from the text of rep.
func redactStatus(rep *statusReport, red *redact.Redactor) {
	for i := range rep.Feeds {
		f := &rep.Feeds[i]
		f.URL = red.String(f.URL)
		f.LastError = red.String(f.LastError)
	}
	for i := range rep.Channels {
		rep.Channels[i].LastError = red.String(rep.Channels[i].LastError)
	}
	rep.Watchlist.SavedBy = red.String(rep.Watchlist.SavedBy)
	for i, msg := range rep.Watchlist.Errors {
		rep.Watchlist.Errors[i] = red.String(msg)
	}
}

// printStatus writes rep for a person, times in loc.
func printStatus(w io.Writer, rep statusReport, loc *time.Location) {
	now := rep.GeneratedAt
	at := func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	where := rep.Store
	if rep.State != "" {
		where += " " + rep.State
	}
	fmt.Fprintf(w, "newshound %s, state: %s\n", rep.Version, where)
	fmt.Fprintf(w, "feeds: %d ok, %d failing\n", rep.FeedsOK, rep.FeedsFailing)
	for _, f := range rep.Feeds {
		fmt.Fprintf(w, "  %s  %s\n", plainLine(f.Name), plainLine(f.URL))
		next := "at the next cycle"
		if f.NextPoll != nil && f.NextPoll.After(now) {
			next = at(f.NextPoll)
			if f.Failures > 0 {
				next += " (in " + command.ShortDuration(f.NextPoll.Sub(now)) + ", backing off)"
			}
		}
		// A failing feed waits longer after each failure: say when it is
		// tried again, not when it would be polled.
		when := "next poll"
		if f.Failures > 0 {
			when = "failing; next try"
		}
		fmt.Fprintf(w, "    last success %s; %s %s\n", ago(at(f.LastSuccess), f.LastSuccess, now), when, next)
		if f.Failures > 0 || f.LastError != "" {
			fmt.Fprintf(w, "    %d consecutive failure(s); last error: %s\n", f.Failures, plainLine(f.LastError))
		}
	}
	var pending, digests []string
	for _, c := range rep.Channels {
		name := plainLine(c.Name)
		if !c.InWatchlist {
			name += " (channel not in the watchlist)"
		}
		pending = append(pending, fmt.Sprintf("%s %d", name, c.Pending))
		if c.NextDigest != nil {
			digests = append(digests, plainLine(c.Name)+" "+at(c.NextDigest))
		}
	}
	if len(pending) == 0 {
		pending = []string{"0"}
	}
	fmt.Fprintf(w, "pending: %s\n", strings.Join(pending, ", "))
	for _, c := range rep.Channels {
		if c.Pending == 0 {
			continue
		}
		line := fmt.Sprintf("  %s: %d due, %d held for a digest; oldest %s old", plainLine(c.Name), c.Due, c.Held, command.ShortDuration(time.Duration(c.OldestPendingAgeSeconds)*time.Second))
		if c.NextRetry != nil {
			line += "; next retry " + at(c.NextRetry)
		}
		if c.LastError != "" {
			line += "; last error: " + plainLine(c.LastError)
		}
		fmt.Fprintln(w, line)
	}
	if len(digests) > 0 {
		fmt.Fprintf(w, "next digest: %s\n", strings.Join(digests, ", "))
	}
	if len(rep.Replicas) > 0 {
		fmt.Fprintf(w, "replicas alive: %d\n", len(rep.Replicas))
		for _, r := range rep.Replicas {
			fmt.Fprintf(w, "  %s\n", plainLine(r))
		}
	}
	for _, l := range rep.Leases {
		fmt.Fprintf(w, "  %s held by %s until %s\n", plainLine(l.Name), plainLine(l.Owner), l.Until.In(loc).Format("15:04:05"))
	}
	if rep.Watchlist.Version > 0 {
		fmt.Fprintf(w, "watchlist in the database: version %d, saved %s (%s); %s is this host's copy\n",
			rep.Watchlist.Version, at(rep.Watchlist.SavedAt), plainLine(rep.Watchlist.SavedBy), plainLine(rep.Watchlist.File))
	}
	switch {
	case rep.Watchlist.OK && rep.Watchlist.EnvChecked:
		fmt.Fprintln(w, "watchlist: ok")
	case rep.Watchlist.OK:
		fmt.Fprintln(w, "watchlist: ok (environment not checked: --no-env)")
	default:
		fmt.Fprintf(w, "watchlist errors (a running daemon keeps its last good version):\n")
		for _, msg := range rep.Watchlist.Errors {
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(msg, "\x1b", " "))
		}
	}
}

// ago appends how long before now t was to its formatted form s.
func ago(s string, t *time.Time, now time.Time) string {
	if t == nil {
		return s
	}
	return fmt.Sprintf("%s (%s ago)", s, command.ShortDuration(now.Sub(*t)))
}

// plainLine keeps text read from the store or the watchlist on one line of
// plain text: control and format characters (escape sequences, bidi
// overrides) become spaces, and runs of spaces one.
func plainLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
