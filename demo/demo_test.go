package demo

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newFetcher(c *clock) *feeds.HTTPFetcher {
	return feeds.NewHTTPFetcher(feeds.Options{Version: "test", Now: c.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// TestFeedsThroughTheRealFetcher reads both feeds with the fetcher the bot
// uses: the published stories of each language, newest first, with their
// dates and links; a 304 while nothing is new; the new story after a
// Publish.
func TestFeedsThroughTheRealFetcher(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, path, lang, title string
	}{
		{"korean rss", PathKorean, "ko", TitleKorean},
		{"english atom", PathEnglish, "en", TitleEnglish},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)}
			s := New(Options{Initial: DefaultInitial, Now: c.Now})
			srv := httptest.NewServer(s)
			defer srv.Close()
			f := newFetcher(c)
			src := feeds.Source{Name: "demo", URL: srv.URL + tt.path}

			res, err := f.Fetch(context.Background(), src, feeds.Validators{})
			if err != nil {
				t.Fatal(err)
			}
			var want []Headline
			for _, h := range Headlines()[:DefaultInitial] {
				if h.Lang == tt.lang {
					want = append([]Headline{h}, want...) // newest first
				}
			}
			if len(res.Items) != len(want) || len(want) == 0 {
				t.Fatalf("%d items, want %d", len(res.Items), len(want))
			}
			for i, it := range res.Items {
				if it.Title != want[i].Title || !strings.Contains(it.Summary, want[i].Body[:20]) {
					t.Errorf("item %d = %q / %q, want %q", i, it.Title, it.Summary, want[i].Title)
				}
				if it.Undated || !it.Published.Before(c.Now()) {
					t.Errorf("item %d dated %v (undated %v), want before now", i, it.Published, it.Undated)
				}
				if it.FeedTitle != tt.title {
					t.Errorf("feed title %q", it.FeedTitle)
				}
			}
			page := get(t, res.Items[0].Link)
			if !strings.Contains(page, want[0].Title) {
				t.Errorf("story page %s lacks its title:\n%s", res.Items[0].Link, page)
			}

			again, err := f.Fetch(context.Background(), src, res.Validators)
			if err != nil || !again.NotModified {
				t.Fatalf("unchanged feed: not modified %v, err %v", again.NotModified, err)
			}

			// Publish until a story in this feed's language comes out.
			c.Add(time.Minute)
			var st Story
			for ok := true; ok && st.Lang != tt.lang; {
				st, ok = s.Publish()
			}
			res, err = f.Fetch(context.Background(), src, res.Validators)
			if err != nil || res.NotModified {
				t.Fatalf("after publishing: not modified %v, err %v", res.NotModified, err)
			}
			if len(res.Items) != len(want)+1 || res.Items[0].Title != st.Title || !res.Items[0].Published.Equal(c.Now().Truncate(time.Second)) {
				t.Errorf("newest item %q at %v, want %q at %v", res.Items[0].Title, res.Items[0].Published, st.Title, c.Now())
			}
		})
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// TestTextIsData: markup-like and XML-special characters in a headline
// reach the reader as the same text, in both formats and on the story
// page (escaped there).
func TestTextIsData(t *testing.T) {
	t.Parallel()
	title := `R&D <b>예산</b> "두 배" & ${SLACK_BOT_TOKEN} ]]>`
	body := `<script>alert(1)</script> 5 < 6 && 7 > 3`
	c := &clock{t: time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)}
	s := New(Options{Headlines: []Headline{{"ko", title, body}, {"en", title, body}}, Initial: 2, Now: c.Now})
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, path := range []string{PathKorean, PathEnglish} {
		t.Run(path, func(t *testing.T) {
			res, err := newFetcher(c).Fetch(context.Background(), feeds.Source{Name: "demo", URL: srv.URL + path}, feeds.Validators{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Items) != 1 {
				t.Fatalf("%d items", len(res.Items))
			}
			// The parser reads titles as HTML and keeps their text: the
			// tags go, every character of the text stays, and nothing is
			// expanded.
			if got, want := res.Items[0].Title, `R&D 예산 "두 배" & ${SLACK_BOT_TOKEN} ]]>`; got != want {
				t.Errorf("title = %q, want %q", got, want)
			}
		})
	}
	page := get(t, srv.URL+"/story/1")
	if strings.Contains(page, "<script>") || strings.Contains(page, "<b>") || !strings.Contains(page, "&lt;script&gt;") {
		t.Errorf("story page does not escape the story:\n%s", page)
	}
}

// TestRunPublishesOnTicks drives the publisher with a hand-fed ticker.
func TestRunPublishesOnTicks(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)}
	published := make(chan Story, 10)
	hs := []Headline{{"ko", "하나", "본문"}, {"en", "two", "body"}, {"ko", "셋", "본문"}}
	s := New(Options{Headlines: hs, Initial: 1, Now: c.Now, OnPublish: func(st Story) { published <- st }})
	ticks := make(chan time.Time)
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { done <- s.Run(ctx, ticks) }()

	ticks <- c.Now()
	if st := <-published; st.Seq != 2 || st.Title != "two" {
		t.Errorf("first tick published %+v, want story 2", st)
	}
	if n := s.Remaining(); n != 1 {
		t.Errorf("remaining %d, want 1", n)
	}
	ticks <- c.Now()
	if st := <-published; st.Seq != 3 {
		t.Errorf("second tick published %+v, want story 3", st)
	}
	if err := <-done; err != nil {
		t.Errorf("Run after the last headline = %v, want nil", err)
	}
	if _, ok := s.Publish(); ok {
		t.Error("Publish after the end reported a story")
	}

	s = New(Options{Headlines: hs, Now: c.Now})
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := s.Run(ctx2, make(chan time.Time)); !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel = %v", err)
	}
	if n := s.Remaining(); n != len(hs) {
		t.Errorf("cancelled run published %d", len(hs)-n)
	}
}

// TestReplayShowsTheExampleWatchlist matches the replay against the
// example watchlist's watches: each keyword finds a story, the first
// story published after the first poll matches (so the first alert comes
// within one publishing interval and one poll), and an excluded word
// holds a story back.
func TestReplayShowsTheExampleWatchlist(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "config", "watchlist.example.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := Headlines()
	if len(hs) < 30 {
		t.Errorf("the replay has %d headlines; a demo needs a few minutes of them", len(hs))
	}
	doc := func(h Headline) match.Document { return match.Document{Title: h.Title, Body: h.Body, AnyFeed: true} }
	var watches []match.Rule
	for _, w := range cfg.Watches {
		watches = append(watches, match.Rule{Watch: w.Name, Keywords: w.Keywords, Exclude: w.Exclude})
		for _, k := range w.Keywords {
			t.Run(w.Name+"/"+k, func(t *testing.T) {
				m, err := match.Compile([]match.Rule{{Watch: k, Keywords: []string{k}}}, nil)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, h := range hs[DefaultInitial:] {
					if len(m.Match(doc(h))) > 0 {
						n++
					}
				}
				if n == 0 {
					t.Errorf("no published story matches %s", k)
				}
			})
		}
	}
	all, err := match.Compile(watches, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hits := all.Match(doc(hs[DefaultInitial])); len(hits) == 0 {
		t.Errorf("the first story after the first poll, %q, matches no watch", hs[DefaultInitial].Title)
	}
	if !slices.ContainsFunc(hs[:DefaultInitial], func(h Headline) bool { return len(all.Match(doc(h))) > 0 }) {
		t.Error("no story published before the first poll matches: the demo does not show that existing stories are not alerted")
	}
	// A story that a keyword matches but an exclude word holds back.
	var kwOnly []match.Rule
	for _, w := range watches {
		kwOnly = append(kwOnly, match.Rule{Watch: w.Watch, Keywords: w.Keywords})
	}
	kw, err := match.Compile(kwOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	excluded := 0
	for _, h := range hs[DefaultInitial:] {
		if len(kw.Match(doc(h))) > len(all.Match(doc(h))) {
			excluded++
		}
	}
	if excluded == 0 {
		t.Error("no story is held back by an exclude word")
	}
	for i, h := range hs {
		if h.Lang != "ko" && h.Lang != "en" || h.Title == "" || h.Body == "" {
			t.Errorf("headline %d = %+v: needs ko/en, a title and a body", i, h)
		}
	}
}
