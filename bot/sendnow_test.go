package bot

import (
	"context"
	"testing"
	"time"
)

// TestDaemonSendsAfterThePollNotTheNextTick checks that the daemon sends a
// poll's new alerts as soon as the poll has recorded them: with an hour
// between ticks, the tick's own delivery pass runs before its polls end,
// so only a delivery started by the poll can send them.
func TestDaemonSendsAfterThePollNotTheNextTick(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.bot.opt.Tick = time.Hour
	h.cycle() // the first poll of a feed learns its items without alerting
	h.clock.Set(h.clock.Now().Add(time.Hour))
	h.feeds.set("yna", news("a", "오픈소스 정책 발표", h.clock.Now().Add(-time.Minute)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.bot.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for h.chans["team"].messages() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := h.chans["team"].titles(); len(got) != 1 || got[0] != "오픈소스 정책 발표" {
		t.Fatalf("team got %q before the next tick, want the one alert", got)
	}
}
