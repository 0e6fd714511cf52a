package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// TestGrowthWithoutEdits: on a channel that cannot edit, a story alerted
// once and then carried by another outlet gets one compact follow-up
// (no snippet, naming only the new outlet) after the edit interval, never
// a second full alert; an outlet already named is held back, and after
// the follow-up so is everything else. A muted story grows no more.
func TestGrowthWithoutEdits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `
feeds:
  - {name: yna, url: "https://a.example/rss"}
  - {name: hani, url: "https://b.example/rss"}
  - {name: khan, url: "https://c.example/rss"}
channels: {team: {console: {}}}
watches:
  - {name: chips, keywords: [반도체], channels: [team]}
`)
	h.cycle()
	rec := h.chans["team"]
	post := func(feed, key, title string) {
		it := news(key, title, h.clock.Now())
		it.FeedTitle = map[string]string{"yna": "연합뉴스", "hani": "한겨레", "khan": "경향신문"}[feed]
		h.feeds.set(feed, it)
	}
	post("yna", "y1", "정부, 반도체 특별법 국회 통과 촉구")
	h.cycle()
	if rec.messages() != 1 {
		t.Fatalf("alert: %d messages, want 1", rec.messages())
	}
	post("hani", "h1", "[속보] 정부, 반도체 특별법 국회 통과 촉구")
	h.cycle()
	if rec.messages() != 1 {
		t.Fatalf("the growth went out before the edit interval: %q", rec.titles())
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Minute))
	h.cycle()
	if rec.messages() != 2 {
		t.Fatalf("after the interval: %d messages, want the alert and one follow-up", rec.messages())
	}
	up := rec.got[1].Entries
	if len(up) != 1 || up[0].Snippet != "" || len(up[0].Also) != 1 || up[0].Also[0].Name != "한겨레" || up[0].LastSeen.IsZero() {
		t.Errorf("follow-up = %+v, want one compact entry naming 한겨레 with its last-seen time", up)
	}
	post("khan", "k1", "정부 \"반도체 특별법 국회 통과 촉구\"")
	h.clock.Set(h.clock.Now().Add(2 * time.Minute))
	h.cycle()
	h.clock.Set(h.clock.Now().Add(2 * time.Minute))
	h.cycle()
	if rec.messages() != 2 {
		t.Errorf("a second follow-up went out: %q", rec.titles())
	}
	if pend, err := h.store.PendingAll(t.Context(), ""); err != nil || len(pend) != 0 {
		t.Errorf("rows left pending: %v %+v", err, pend)
	}
}

// TestMutedStoryDoesNotGrow: a story muted in a channel (the Mute story
// button) gets no edit or follow-up.
func TestMutedStoryDoesNotGrow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `
feeds:
  - {name: yna, url: "https://a.example/rss"}
  - {name: hani, url: "https://b.example/rss"}
channels: {team: {console: {}}}
watches:
  - {name: chips, keywords: [반도체], channels: [team]}
`)
	h.cycle()
	rec := h.chans["team"]
	h.feeds.set("yna", news("y1", "정부, 반도체 특별법 국회 통과 촉구", h.clock.Now()))
	h.cycle()
	sent, err := h.store.Recent(t.Context(), "team", 1)
	if err != nil || len(sent) != 1 {
		t.Fatalf("recent: %v %v", sent, err)
	}
	if err := h.store.PutMute(t.Context(), store.Mute{Target: store.StoryMuteTarget("team", sent[0].ID), By: "test"}); err != nil {
		t.Fatal(err)
	}
	it := news("h1", "[속보] 정부, 반도체 특별법 국회 통과 촉구", h.clock.Now())
	it.FeedTitle = "한겨레"
	h.feeds.set("hani", it)
	h.cycle()
	h.clock.Set(h.clock.Now().Add(2 * time.Minute))
	h.cycle()
	if rec.messages() != 1 {
		t.Errorf("a muted story grew: %q", rec.titles())
	}
}

// editor is a recorder that keeps message references and records edits.
type editor struct {
	recorder
	edits []string // ref: also-reported outlets
}

func (e *editor) SendRef(ctx context.Context, m notify.Message) (string, error) {
	if err := e.Send(ctx, m); err != nil {
		return "", err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return fmt.Sprintf("msg-%d", len(e.got)), nil
}

func (e *editor) Edit(_ context.Context, ref string, m notify.Message) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var names []string
	for _, a := range m.Entries[0].Also {
		names = append(names, a.Name)
	}
	e.edits = append(e.edits, ref+": "+strings.Join(names, ", "))
	return nil
}

// TestOneEditAcrossReplicas: two replicas sharing one store run their
// cycles at the same time; the later copy of an alerted story is one
// edit of the alert's message, made by one of them, and the edit is
// coalesced with the edit interval.
func TestOneEditAcrossReplicas(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("w.yaml", []byte(`
feeds:
  - {name: yna, url: "https://a.example/rss"}
  - {name: hani, url: "https://b.example/rss"}
  - {name: khan, url: "https://c.example/rss"}
channels: {team: {console: {}}}
watches:
  - {name: chips, keywords: [반도체], channels: [team]}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := &clock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
	st.Now = clk.Now
	src := &fetcher{items: map[string][]feeds.Item{}, errs: map[string]error{}, stats: map[string]feeds.Stats{}}
	ed := &editor{}
	replica := func(owner string) *Bot {
		b, err := New(Options{
			Config: cfg, Store: st, Fetcher: src, Owner: owner,
			Notifiers: func(*config.Config) (map[string]notify.Notifier, error) {
				return map[string]notify.Notifier{"team": ed}, nil
			},
			Now: clk.Now, Sleep: clk.Sleep, Jitter: func(time.Duration) time.Duration { return 0 },
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := replica("a"), replica("b")
	both := func() {
		var wg sync.WaitGroup
		for _, r := range []*Bot{a, b} {
			wg.Go(func() { r.RunOnce(context.Background()) })
		}
		wg.Wait()
	}
	post := func(feed, key, title, outlet string) {
		it := news(key, title, clk.Now())
		it.FeedTitle = outlet
		src.set(feed, it)
	}
	both()
	post("yna", "y1", "정부, 반도체 특별법 국회 통과 촉구", "연합뉴스")
	both()
	if ed.messages() != 1 {
		t.Fatalf("alert: %d messages, want 1", ed.messages())
	}
	post("hani", "h1", "[속보] 정부, 반도체 특별법 국회 통과 촉구", "한겨레")
	clk.Set(clk.Now().Add(10 * time.Second))
	both()
	post("khan", "k1", "정부 \"반도체 특별법 국회 통과 촉구\"", "경향신문")
	clk.Set(clk.Now().Add(10 * time.Second))
	both()
	if len(ed.edits) != 0 {
		t.Fatalf("edited within the edit interval: %q", ed.edits)
	}
	clk.Set(clk.Now().Add(time.Minute))
	both()
	both()
	if len(ed.edits) != 1 || ed.edits[0] != "msg-1: 한겨레, 경향신문" || ed.messages() != 1 {
		t.Errorf("edits %q and %d messages; want one edit of msg-1 naming both outlets, no new message", ed.edits, ed.messages())
	}
}
