package discord

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// coreChannel is the Discord channel bound to the watch chips in
// coreWatchlist.
const coreChannel = "123456789012345678"

// coreWatchlist is the watchlist of the tests that run the real command
// core.
const coreWatchlist = `timezone: Asia/Seoul
feeds:
  - name: local
    url: http://127.0.0.1:9/feed.xml
channels:
  desk:
    discord:
      channel_id: "123456789012345678"
watches:
  - name: chips
    keywords: [HBM]
    channels: [desk]
`

// coreBot is the running bot as the command core sees it: the watchlist
// file's last valid load and a real SQLite store.
type coreBot struct {
	path   string
	getenv func(string) (string, bool)
	st     store.Store
	start  time.Time

	mu  sync.Mutex
	cfg *config.Config
	err error
}

func (b *coreBot) Config() *config.Config {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cfg
}

func (b *coreBot) Reload(context.Context) error {
	data, err := os.ReadFile(b.path)
	if err != nil {
		return err
	}
	cfg, err := config.Validate(b.path, data, config.Env{Lookup: b.getenv})
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.err = err
		return err
	}
	b.cfg, b.err = cfg, nil
	return nil
}

func (b *coreBot) ConfigError() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

func (b *coreBot) Store() store.Store { return b.st }

func (b *coreBot) Test(_ context.Context, it feeds.Item) ([]match.Hit, error) {
	var rules []match.Rule
	for _, w := range b.Config().Watches {
		rules = append(rules, match.Rule{Watch: w.Name, Keywords: w.Keywords, Exclude: w.Exclude, Urgent: w.Urgent, Feeds: w.Feeds})
	}
	m, err := match.Compile(rules, b.Config().Synonyms)
	if err != nil {
		return nil, err
	}
	return m.Match(match.ItemDocument(it)), nil
}

func (b *coreBot) FetchPreview(context.Context, feeds.Source) (feeds.Result, error) {
	return feeds.Result{}, errors.New("coreBot: no network in this test")
}

func (b *coreBot) Flush(context.Context, string) (int, error) { return 0, nil }

func (b *coreBot) PollNow(context.Context, string) (int, int, error) {
	return 0, 0, errors.New("coreBot: no polling in this test")
}

func (b *coreBot) Status(context.Context) command.Status {
	return command.Status{Version: "v0.0.0-test", Started: b.start}
}

// newCore starts the real command core on coreWatchlist in a temporary
// folder, with a SQLite store.
func newCore(t *testing.T) (*command.Core, *coreBot) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "watchlist.yaml")
	if err := os.WriteFile(path, []byte(coreWatchlist), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	env := map[string]string{config.EnvDiscordBotToken: "discord-test"}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	b := &coreBot{path: path, getenv: getenv, st: st, start: now.Add(-time.Hour)}
	if err := b.Reload(context.Background()); err != nil {
		t.Fatalf("test watchlist does not load: %v", err)
	}
	core := command.New(b, &config.Editor{Path: path, Getenv: getenv}, command.Options{Now: func() time.Time { return now }})
	return core, b
}

// deliverSent records an alert as sent to the config channel, as the bot does
// after posting it.
func deliverSent(t *testing.T, st store.Store, channel, title, link string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	added, err := st.Enqueue(ctx, []store.Delivery{{Channel: channel, ItemKey: "local\x00" + title, Watch: "chips", Feed: "local", Title: title, Link: link, Created: at, Due: at}})
	if err != nil || len(added) != 1 {
		t.Fatalf("enqueue: %v, %d added", err, len(added))
	}
	if err := st.MarkSent(ctx, []int64{added[0].ID}, at); err != nil {
		t.Fatal(err)
	}
}

// coreInteraction is commandInteraction from coreChannel.
func coreInteraction(t *testing.T, sub string, opts map[string]string) *discordgo.Interaction {
	t.Helper()
	i := commandInteraction(t, sub, opts)
	i.ChannelID = coreChannel
	return i
}
