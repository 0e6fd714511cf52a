package bot

import (
	"testing"
	"time"

	"github.com/newshound/newshound/store"
)

// TestGrowthWithoutEdits: on a channel that cannot edit, a story alerted
// once and then carried by another outlet gets one compact follow-up
// (no snippet, naming only the new outlet) after the edit interval, never
// a second full alert; an outlet already named is held back, and after
// the follow-up so is everything else. A muted story grows no more.
func TestGrowthWithoutEdits(t *testing.T) {
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
