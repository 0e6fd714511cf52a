// Package commandtest runs the real /news command core for the tests of
// the platform packages: a Bot that loads a watchlist file as the running
// bot does, over a real SQLite store in a temporary folder.
package commandtest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// Now is the core's clock in these tests.
var Now = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// Bot is the running bot as the command core sees it: the watchlist
// file's last valid load and a real SQLite store. It has no network and
// does not poll.
type Bot struct {
	Path  string
	st    store.Store
	env   func(string) (string, bool)
	start time.Time

	mu  sync.Mutex
	cfg *config.Config
	err error
}

var _ command.Bot = (*Bot)(nil)

func (b *Bot) Config() *config.Config {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cfg
}

// Reload reads and applies the file under the lock, as the real bot does,
// so a slower reload of an older version never wins.
func (b *Bot) Reload(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, err := os.ReadFile(b.Path)
	if err != nil {
		return err
	}
	cfg, err := config.Validate(b.Path, data, config.Env{Lookup: b.env})
	if err != nil {
		b.err = err
		return err
	}
	b.cfg, b.err = cfg, nil
	return nil
}

func (b *Bot) ConfigError() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

func (b *Bot) Store() store.Store { return b.st }

func (b *Bot) Test(_ context.Context, it feeds.Item) ([]match.Hit, error) {
	cfg := b.Config()
	var rules []match.Rule
	for _, w := range cfg.Watches {
		rules = append(rules, match.Rule{Watch: w.Name, Keywords: w.Keywords, Exclude: w.Exclude, Urgent: w.Urgent, Feeds: w.Feeds})
	}
	m, err := match.Compile(rules, cfg.Synonyms)
	if err != nil {
		return nil, err
	}
	return m.Match(match.ItemDocument(it)), nil
}

func (b *Bot) FetchPreview(context.Context, feeds.Source) (feeds.Result, error) {
	return feeds.Result{}, errors.New("commandtest: no network in this test")
}

func (b *Bot) Flush(context.Context, string) (int, error) { return 0, nil }

func (b *Bot) PollNow(context.Context, string) (int, int, error) {
	return 0, 0, errors.New("commandtest: no polling in this test")
}

func (b *Bot) SendReport(context.Context, string, []string, int) (int, error) {
	return 0, errors.New("commandtest: no reports in this test")
}

func (b *Bot) Status(context.Context) command.Status {
	return command.Status{Version: "v0.0.0-test", Started: b.start}
}

// New starts the real command core on watchlist, written to a temporary
// folder, with a SQLite store and env as the bot's environment. The
// channel types the watchlist uses must be registered (the calling
// package's own, at least).
func New(t *testing.T, watchlist string, env map[string]string) (*command.Core, *Bot) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "watchlist.yaml")
	if err := os.WriteFile(path, []byte(watchlist), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	b := &Bot{Path: path, st: st, env: getenv, start: Now.Add(-time.Hour)}
	if err := b.Reload(context.Background()); err != nil {
		t.Fatalf("test watchlist does not load: %v", err)
	}
	core := command.New(b, &config.Editor{Path: path, Getenv: getenv}, command.Options{Now: func() time.Time { return Now }})
	return core, b
}

// DeliverSent records an alert of watch (from feed "local") as sent to a
// config channel, as the bot does after posting it.
func DeliverSent(t *testing.T, st store.Store, channel, watch, title, link string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	added, err := st.Enqueue(ctx, []store.Delivery{{Channel: channel, ItemKey: "local\x00" + title, Watch: watch, Feed: "local", Title: title, Link: link, Created: at, Due: at}})
	if err != nil || len(added) != 1 {
		t.Fatalf("enqueue: %v, %d added", err, len(added))
	}
	if err := st.MarkSent(ctx, []int64{added[0].ID}, at); err != nil {
		t.Fatal(err)
	}
}
