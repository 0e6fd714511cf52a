package bot

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/newshound/newshound/config"
)

// TestEditAppliedDuringFetchMatches: a watchlist applied while a feed is
// being fetched matches what that fetch returns. Matching with the
// watchlist of the poll's start would record an item published after the
// edit as seen without alerting it, and it would never be alerted.
func TestEditAppliedDuringFetchMatches(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle() // first poll: nothing to backfill
	h.feeds.set("yna", news("1", "반도체 수출 석 달 만에 반등", h.clock.Now()))
	began, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h.feeds.mu.Lock()
	h.feeds.before = func(feed string) {
		if feed == "yna" {
			once.Do(func() { close(began); <-release })
		}
	}
	h.feeds.mu.Unlock()

	done := make(chan CycleResult, 1)
	go func() { done <- h.cycle() }()
	<-began
	cfg, err := config.Parse("watchlist.yaml", []byte(strings.Replace(oneFeed, "[오픈소스, 트럼프]", "[오픈소스, 트럼프, 반도체]", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.bot.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := (<-done).Err(); err != nil {
		t.Fatal(err)
	}
	if got := h.chans["team"].titles(); !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "반도체 수출") }) {
		t.Errorf("team got %q: the item fetched after the edit applied was not matched by it", got)
	}
}
