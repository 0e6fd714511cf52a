package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunOnceFeedForcesNamedFeeds runs run --once --feed through the real
// CLI: the named feeds are polled at once even in their backoff, no
// other feed is polled, and their matches are delivered; an unknown name
// exits 2 with a suggestion before anything is polled.
func TestRunOnceFeedForcesNamedFeeds(t *testing.T) {
	fs := newFeedServer(t)
	fs.set("/yna.xml")
	fs.set("/newsis.xml")
	fs.set("/edaily.xml")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "watchlist.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
feeds:
  - {name: yna-news, url: %q}
  - {name: newsis, url: %q}
  - {name: edaily, url: %q}
channels:
  terminal: {console: {}}
watches:
  - {name: policy, keywords: [트럼프], channels: [terminal]}
`, fs.url("/yna.xml"), fs.url("/newsis.xml"), fs.url("/edaily.xml")))
	db := filepath.Join(dir, "state.db")
	requests := func(path string) int {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		return fs.requests[path]
	}
	if code, _, errs := runCLI(t, "run", "--once", "--config", cfg, "--state", db); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, errs)
	}
	// newsis fails (404) and enters its backoff.
	fs.mu.Lock()
	delete(fs.feeds, "/newsis.xml")
	fs.mu.Unlock()
	if _, _, errs := runCLI(t, "run", "--once", "--config", cfg, "--state", db); !strings.Contains(errs, "feed=newsis") || !strings.Contains(errs, "next_try=") {
		t.Fatalf("the failure of newsis is not logged with its next try:\n%s", errs)
	}
	fs.set("/newsis.xml", item(1, "트럼프, 새 관세 발표"))
	fs.set("/yna.xml", item(2, "트럼프, 관세 유예"))

	if _, out, errs := runCLI(t, "run", "--once", "--config", cfg, "--state", db); strings.Contains(out, "새 관세 발표") {
		t.Fatalf("a plain run polled newsis in its backoff:\n%s%s", out, errs)
	}
	fs.set("/yna.xml", item(2, "트럼프, 관세 유예"), item(3, "트럼프, 관세 재검토"))
	tests := []struct {
		name string
		args []string
	}{
		{"repeated", []string{"--feed", "newsis", "--feed", "edaily"}},
		{"comma-separated", []string{"--feed", "newsis, edaily"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if i == 1 {
				fs.set("/newsis.xml", item(1, "트럼프, 새 관세 발표"), item(4, "트럼프, 추가 관세"))
			}
			yna := requests("/yna.xml")
			code, out, errs := runCLI(t, append([]string{"run", "--once", "--config", cfg, "--state", db}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			want := []string{"트럼프, 새 관세 발표", "트럼프, 추가 관세"}[i]
			if !strings.Contains(out, want) {
				t.Errorf("the forced feed's match %q is not delivered:\n%s%s", want, out, errs)
			}
			if requests("/yna.xml") != yna || strings.Contains(out, "관세 재검토") {
				t.Errorf("a feed not named was polled:\n%s", out)
			}
		})
	}

	bad := []struct {
		name string
		args []string
		want string
	}{
		{"typo", []string{"--once", "--feed", "newsiss"}, `did you mean "newsis"?`},
		{"unknown among known", []string{"--once", "--feed", "yna-news,zzzzzzzz"}, "feeds: yna-news, newsis, edaily"},
		{"without --once", []string{"--feed", "newsis"}, "--feed needs --once"},
		{"empty name", []string{"--once", "--feed", "newsis,"}, "empty feed name"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			yna, newsis := requests("/yna.xml"), requests("/newsis.xml")
			code, _, errs := runCLI(t, append([]string{"run", "--config", cfg, "--state", db}, tt.args...)...)
			if code != 2 || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, want 2 saying %q:\n%s", code, tt.want, errs)
			}
			if requests("/yna.xml") != yna || requests("/newsis.xml") != newsis {
				t.Errorf("feeds were polled before the refusal")
			}
		})
	}
}
