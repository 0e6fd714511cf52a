// Package bot runs newshound: it polls the watchlist's feeds, matches new
// items, writes every match to the outbox in the store, and delivers due
// outbox rows to the channels. It owns the only retry loop for deliveries.
//
// Data flows one way: feed → item → match → outbox → channel. The bot
// never imports a chat platform; main builds the notifiers and hands them
// in through Options.Notifiers.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newshound/newshound/bot/digest"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
)

// NotifierFactory builds the notifiers of a config's channels, keyed by
// channel name. It is called at start and on every reload.
type NotifierFactory func(cfg *config.Config) (map[string]notify.Notifier, error)

// Options configure a Bot. Store, Fetcher and Notifiers are required.
type Options struct {
	Config  *config.Config
	Store   store.Store
	Fetcher feeds.Fetcher
	// NewFetcher, if set, builds the fetcher from the config instead of
	// Fetcher, and again on reload when the poll, timezone or security
	// settings change.
	NewFetcher func(cfg *config.Config) feeds.Fetcher
	Notifiers  NotifierFactory
	// Load re-reads the watchlist for Reload; nil disables reloading.
	Load    func() (*config.Config, error)
	Version string
	Logger  *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits for d or until ctx ends; nil means a real timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Retry is the delivery retry policy within one cycle.
	Retry RetryPolicy
	// Jitter spreads polls; nil means ±10% random.
	Jitter func(time.Duration) time.Duration
	// Metrics, if set, records polls, matches and deliveries.
	Metrics *Metrics
	// Owner names this replica in the store's leases; it must be unique
	// among replicas sharing a store. Empty means "local".
	Owner string
	// LeaseTTL is how long a lease outlives its last renewal (default
	// DefaultLeaseTTL); LeaseHeartbeat how often a holder renews it while
	// it works (default LeaseTTL/3). A dead replica's feeds and channels
	// are taken over within LeaseTTL plus a second.
	LeaseTTL       time.Duration
	LeaseHeartbeat time.Duration
	// Tick is how often Run looks for due feeds and deliveries (default
	// 1s); tests shorten it.
	Tick time.Duration
	// Retention is how long seen item keys and sent rows are kept (default
	// 90 days). Items must leave their feeds within it, or they would look
	// new again.
	Retention time.Duration
	// EditInterval is the least time between two edits of one message
	// (and between an alert and its first edit): later copies of a story
	// that arrive meanwhile are folded into one edit. Default 1 minute.
	EditInterval time.Duration
}

// RetryPolicy bounds how hard one cycle tries to deliver a message part.
// After Attempts failures the rows stay pending and are tried again
// Backoff·2^n later (capped at MaxBackoff), forever: nothing is dropped.
type RetryPolicy struct {
	Attempts   int           // tries per part within one cycle (default 4)
	Base       time.Duration // first backoff (default 1s)
	MaxWait    time.Duration // longest in-cycle wait, e.g. for Retry-After (default 60s)
	MaxBackoff time.Duration // longest wait between cycles (default 15m)
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 4
	}
	if p.Base <= 0 {
		p.Base = time.Second
	}
	if p.MaxWait <= 0 {
		p.MaxWait = time.Minute
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 15 * time.Minute
	}
	return p
}

// runtime is everything derived from one config; it is swapped whole on
// reload, so a cycle sees one consistent view.
type runtime struct {
	cfg       *config.Config
	matcher   *match.Matcher
	notifiers map[string]notify.Notifier
	schedules map[string]*digest.Schedule // by watch name
	fetcher   feeds.Fetcher
	watches   map[string]config.Watch
	feeds     map[string]config.Feed
}

// Bot is the running newshound. Its methods are safe for concurrent use.
type Bot struct {
	opt     Options
	log     *slog.Logger
	started time.Time
	rt      atomic.Pointer[runtime]

	reloadMu sync.Mutex

	mu        sync.Mutex
	configErr error
	polling   map[string]bool // feeds being polled now
	sending   map[string]bool // channels being delivered now
	// pollSlots bounds the polls under way at once (see maxPolling).
	pollSlots chan struct{}
	// soleWriter is true when no other process can write the store
	// (store.SoleWriter): no other replica polls its feeds, so a poll
	// takes no feed lease, only its claim in polling.
	soleWriter bool
	// states holds, on a sole-writer store, every feed's state as this
	// process last wrote it (under mu), read from the store once: a poll
	// and the daemon's look for due feeds then read no store. nil until
	// read.
	states    map[string]store.FeedState
	lastFail  map[string]string
	lastPrune time.Time
	// accepted holds outbox rows a platform accepted but the store failed
	// to mark sent; they are never sent again by this process.
	accepted map[int64]bool

	// stories keeps the stories of the rows the story check compares.
	stories storyCache

	// surgeMu serializes surge checks of concurrent polls.
	surgeMu sync.Mutex
	// reportSlots holds, per scheduled report, the last time handled
	// (under mu), so the daemon reads the store only when a time passes.
	reportSlots map[string]time.Time
	// reportRetry holds, per scheduled report that failed, when to try
	// again (under mu), so a store failure is not retried every tick.
	reportRetry map[string]time.Time
}

// New validates the options and builds the first runtime from o.Config.
func New(o Options) (*Bot, error) {
	if o.Config == nil || o.Store == nil || (o.Fetcher == nil && o.NewFetcher == nil) || o.Notifiers == nil {
		return nil, errors.New("bot: Config, Store, Fetcher (or NewFetcher) and Notifiers are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = notify.SleepContext
	}
	o.Retry = o.Retry.withDefaults()
	if o.Owner == "" {
		o.Owner = "local"
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.LeaseHeartbeat <= 0 || o.LeaseHeartbeat >= o.LeaseTTL {
		o.LeaseHeartbeat = o.LeaseTTL / 3
	}
	if o.EditInterval <= 0 {
		o.EditInterval = time.Minute
	}
	if o.Retention <= 0 {
		o.Retention = 90 * 24 * time.Hour
	}
	b := &Bot{
		opt:      o,
		log:      o.Logger,
		started:  o.Now(),
		polling:  map[string]bool{},
		sending:  map[string]bool{},
		lastFail: map[string]string{},
		accepted: map[int64]bool{},

		reportSlots: map[string]time.Time{},
		reportRetry: map[string]time.Time{},
		pollSlots:   make(chan struct{}, maxPolling),
	}
	if sw, ok := o.Store.(store.SoleWriter); ok {
		b.soleWriter = sw.SoleWriter()
	}
	rt, err := b.build(o.Config, nil)
	if err != nil {
		return nil, err
	}
	b.rt.Store(rt)
	o.Metrics.attach(b)
	o.Metrics.configured(o.Config)
	return b, nil
}

// Compile compiles every watch of cfg into one matcher, as the bot runs it.
func Compile(cfg *config.Config) (*match.Matcher, error) {
	rules := make([]match.Rule, 0, len(cfg.Watches))
	for _, w := range cfg.Watches {
		rules = append(rules, match.Rule{Watch: w.Name, Keywords: w.Keywords, Exclude: w.Exclude, Urgent: w.Urgent, Feeds: w.Feeds})
	}
	return match.Compile(rules, cfg.Synonyms)
}

// build derives a runtime from cfg; prev, the runtime in force, lends its
// fetcher when the settings the fetcher depends on are unchanged.
func (b *Bot) build(cfg *config.Config, prev *runtime) (*runtime, error) {
	rt := &runtime{
		cfg:       cfg,
		schedules: map[string]*digest.Schedule{},
		watches:   map[string]config.Watch{},
		feeds:     map[string]config.Feed{},
	}
	for _, w := range cfg.Watches {
		s, err := digest.NewSchedule(w.Digest, cfg.Location)
		if err != nil {
			return nil, fmt.Errorf("bot: watch %s: digest: %w", w.Name, err)
		}
		rt.schedules[w.Name] = s
		rt.watches[w.Name] = w
	}
	for _, f := range cfg.Feeds {
		rt.feeds[f.Name] = f
	}
	m, err := Compile(cfg)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	rt.matcher = m
	ns, err := b.opt.Notifiers(cfg)
	if err != nil {
		return nil, fmt.Errorf("bot: channels: %w", err)
	}
	rt.notifiers = ns
	switch {
	case b.opt.NewFetcher == nil:
		rt.fetcher = b.opt.Fetcher
	case prev != nil && fetchSettings(prev.cfg) == fetchSettings(cfg):
		rt.fetcher = prev.fetcher
	default:
		rt.fetcher = b.opt.NewFetcher(cfg)
	}
	return rt, nil
}

// fetchSettings is what the fetcher is built from.
func fetchSettings(c *config.Config) string {
	return fmt.Sprintf("%+v|%s|%v", c.Poll, c.Location, c.Security.AllowPrivateFeeds)
}

// restartSettings are settings only a restart applies.
func restartSettings(c *config.Config) string {
	return fmt.Sprintf("%+v|%+v|%+v", c.Server, c.Store, c.Apps)
}

// Config returns the config in force.
func (b *Bot) Config() *config.Config { return b.rt.Load().cfg }

// Store returns the bot's store.
func (b *Bot) Store() store.Store { return b.opt.Store }

// Apply makes cfg the config in force. Items already seen are not matched
// again, so new keywords only apply to items published from now on.
func (b *Bot) Apply(cfg *config.Config) error {
	prev := b.rt.Load()
	rt, err := b.build(cfg, prev)
	if err != nil {
		return err
	}
	b.rt.Store(rt)
	b.opt.Metrics.configured(cfg)
	if restartSettings(prev.cfg) != restartSettings(cfg) {
		b.log.Warn("server, store and discord settings changed in the watchlist: they apply at the next restart")
	}
	b.warnOrphans(cfg)
	b.mu.Lock()
	b.configErr = nil
	b.mu.Unlock()
	b.log.Info("watchlist applied", "feeds", len(cfg.Feeds), "watches", len(cfg.Watches), "channels", len(cfg.Channels))
	return nil
}

// Reload re-reads the watchlist and applies it when valid. When it is not,
// the last good config keeps running and the error is kept for status.
func (b *Bot) Reload(ctx context.Context) error {
	if b.opt.Load == nil {
		return errors.New("bot: reloading is not configured")
	}
	// The file watcher, SIGHUP and command edits may reload at once: one
	// at a time, so an older file is never applied after a newer one.
	b.reloadMu.Lock()
	defer b.reloadMu.Unlock()
	cfg, err := b.opt.Load()
	if err == nil {
		if cfg.Hash != "" && cfg.Hash == b.Config().Hash {
			b.mu.Lock()
			b.configErr = nil
			b.mu.Unlock()
			b.opt.Metrics.reloaded(nil)
			return nil
		}
		err = b.Apply(cfg)
	}
	b.opt.Metrics.reloaded(err)
	if err != nil {
		b.mu.Lock()
		b.configErr = err
		b.mu.Unlock()
		b.log.Error("watchlist not applied; the last good one keeps running", "error", err.Error())
		return err
	}
	return nil
}

// ConfigError is the error of the last reload, nil when it succeeded.
func (b *Bot) ConfigError() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.configErr
}

// Matcher returns the compiled queries in force.
func (b *Bot) Matcher() *match.Matcher { return b.rt.Load().matcher }

// Test matches an item against the watches in force, as a poll would.
func (b *Bot) Test(_ context.Context, it feeds.Item) ([]match.Hit, error) {
	return b.Matcher().Match(match.ItemDocument(it)), nil
}

// FetchPreview fetches and parses a feed once without recording anything.
func (b *Bot) FetchPreview(ctx context.Context, src feeds.Source) (feeds.Result, error) {
	return b.rt.Load().fetcher.Fetch(ctx, src, feeds.Validators{})
}

// warnOrphans logs pending deliveries to channels the config no longer
// has: they stay pending (and counted in status) until the channel is back.
func (b *Bot) warnOrphans(cfg *config.Config) {
	rows, err := b.opt.Store.PendingAll(context.Background(), "")
	if err != nil {
		return
	}
	orphans := map[string]int{}
	for _, d := range rows {
		if _, ok := cfg.Channels[d.Channel]; !ok {
			orphans[d.Channel]++
		}
	}
	for ch, n := range orphans {
		b.log.Warn("pending deliveries to a channel no longer in the watchlist; they are kept until it is back", "channel", ch, "rows", n)
	}
}
