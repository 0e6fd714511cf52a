package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// opsWatchlist is a valid watchlist; serverLine is its server: block.
func opsWatchlist(serverLine string, feeds ...string) string {
	var b strings.Builder
	b.WriteString(serverLine + "\nfeeds:\n")
	for _, f := range feeds {
		b.WriteString("  - {name: " + f + ", url: 'https://example.com/" + f + ".rss'}\n")
	}
	b.WriteString("channels: {out: {console: {}}}\n")
	b.WriteString("watches: [{name: w, keywords: [x], channels: [out]}]\n")
	return b.String()
}

// opsFixture is a bot built as cmdRun builds it, over a real SQLite
// store, with the HTTP handler p.server returns.
type opsFixture struct {
	path string
	bot  *bot.Bot
	st   store.Store
	srv  *httptest.Server
}

func newOpsFixture(t *testing.T, serverLine string, vars map[string]string) *opsFixture {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "watchlist.yaml")
	if err := os.WriteFile(path, []byte(opsWatchlist(serverLine, "a")), 0o600); err != nil {
		t.Fatal(err)
	}
	lookup := func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	e := env{tick: testTick, stdout: io.Discard, stderr: io.Discard, lookup: lookup}
	cfg, err := parseConfig(path, e)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	logger := slog.New(slog.DiscardHandler)
	red := redact.New()
	for _, v := range vars {
		red.Add(v)
	}
	p := newPlatforms(e, logger, prometheus.NewRegistry(), red)
	b, err := bot.New(bot.Options{
		Config:    cfg,
		Store:     st,
		Fetcher:   feeds.NewHTTPFetcher(feeds.Options{Logger: logger}),
		Notifiers: p.notifiers,
		Load:      func() (*config.Config, error) { return parseConfig(path, e) },
		Logger:    logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := p.server(ctx, cfg, b, trust{redact: red, guard: notify.NewGuard(logger, red)})
	if hs == nil {
		t.Fatal("no server for a watchlist with server.listen")
	}
	srv := httptest.NewServer(hs.Handler)
	t.Cleanup(srv.Close)
	return &opsFixture{path: path, bot: b, st: st, srv: srv}
}

func (f *opsFixture) write(t *testing.T, content string) {
	t.Helper()
	if err := os.WriteFile(f.path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// do sends a request and returns the status and body.
func (f *opsFixture) do(t *testing.T, method, path, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// fileLineCol is a watchlist error as config reports it.
var fileLineCol = regexp.MustCompile(`(?m)^\S*watchlist\.yaml:\d+:\d+: `)

func TestReadyz(t *testing.T) {
	const server = "server: {listen: ':0'}"
	tests := []struct {
		name     string
		setup    func(t *testing.T, f *opsFixture)
		code     int
		want     string
		wantLine bool // the body cites FILE:LINE:COL
	}{
		{"loaded and store answers", func(*testing.T, *opsFixture) {}, 200, "ready\n", false},
		{"failed reload keeps the last good watchlist", func(t *testing.T, f *opsFixture) {
			f.write(t, opsWatchlist(server, "a")+"watches: [{name: w2, keywords: [], channels: [nowhere]}]\n")
			if err := f.bot.Reload(context.Background()); err == nil {
				t.Fatal("the broken watchlist reloaded")
			}
		}, 200, "ready; the last reload failed and the last good watchlist keeps running: ", true},
		{"store down", func(t *testing.T, f *opsFixture) {
			if err := f.st.Close(); err != nil {
				t.Fatal(err)
			}
		}, 503, "not ready: the store does not answer: ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newOpsFixture(t, server, nil)
			tt.setup(t, f)
			code, body := f.do(t, http.MethodGet, "/readyz", "")
			if code != tt.code || !strings.HasPrefix(body, tt.want) {
				t.Fatalf("GET /readyz = %d %q, want %d %q...", code, body, tt.code, tt.want)
			}
			if strings.Count(body, "\n") != 1 {
				t.Errorf("body %q is not one line", body)
			}
			if tt.wantLine && !regexp.MustCompile(`watchlist\.yaml:\d+:\d+: `).MatchString(body) {
				t.Errorf("body %q cites no FILE:LINE:COL", body)
			}
		})
	}
}

func TestReload(t *testing.T) {
	const token = "s3cret-reload-token"
	vars := map[string]string{envReloadToken: token}
	type step struct {
		method, auth string
		code         int
		want         string // prefix of the body
	}
	tests := []struct {
		name   string
		server string
		vars   map[string]string
		steps  []step
	}{
		{"disabled", "server: {listen: ':0'}", nil, []step{
			{"POST", "", 404, reloadDisabled},
			{"POST", "Bearer " + token, 404, reloadDisabled},
		}},
		{"server.reload opens it", "server: {listen: ':0', reload: true}", nil, []step{
			{"POST", "", 200, "reloaded"},
			{"GET", "", 405, ""},
		}},
		{"token only", "server: {listen: ':0'}", vars, []step{
			{"POST", "", 403, "reload refused"},
			{"POST", "Bearer wrong", 403, "reload refused"},
			{"POST", "Bearer " + token + "x", 403, "reload refused"},
			{"POST", "Basic " + token, 403, "reload refused"},
			{"POST", token, 403, "reload refused"},
			{"POST", "Bearer " + token, 200, "reloaded"},
			{"POST", "bearer " + token, 200, "reloaded"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newOpsFixture(t, tt.server, tt.vars)
			for _, s := range tt.steps {
				code, body := f.do(t, s.method, "/-/reload", s.auth)
				if code != s.code || !strings.HasPrefix(body, s.want) {
					t.Errorf("%s /-/reload (%q) = %d %q, want %d %q...", s.method, s.auth, code, body, s.code, s.want)
				}
				if strings.Contains(body, token) {
					t.Errorf("the answer %q shows the token", body)
				}
			}
		})
	}
}

// TestReloadApplies: a valid edit is applied (200), an invalid one is
// refused with its FILE:LINE:COL lines (400) while the last good
// watchlist keeps running, and an unchanged file says so.
func TestReloadApplies(t *testing.T) {
	const server = "server: {listen: ':0', reload: true}"
	f := newOpsFixture(t, server, nil)
	feedsInForce := func() int { return len(f.bot.Config().Feeds) }

	f.write(t, opsWatchlist(server, "a", "b"))
	if code, body := f.do(t, "POST", "/-/reload", ""); code != 200 || body != "reloaded\n" {
		t.Fatalf("valid edit: %d %q", code, body)
	}
	if n := feedsInForce(); n != 2 {
		t.Fatalf("after the reload %d feeds are in force, want 2", n)
	}
	if code, body := f.do(t, "POST", "/-/reload", ""); code != 200 || body != "reloaded (unchanged)\n" {
		t.Fatalf("unchanged file: %d %q", code, body)
	}

	f.write(t, server+"\nfeeds: [{name: a, url: 'https://example.com/a.rss'}, {name: d, url: 'not a url'}]\n"+
		"channels: {out: {console: {}}}\nwatches: [{name: w, keywords: [x], channels: [gone]}]\n")
	code, body := f.do(t, "POST", "/-/reload", "")
	if code != 400 {
		t.Fatalf("invalid edit: %d %q, want 400", code, body)
	}
	lines := fileLineCol.FindAllString(body, -1)
	if len(lines) < 2 || !strings.Contains(body, "error(s); the last good watchlist keeps running") {
		t.Errorf("invalid edit: body %q, want each error as FILE:LINE:COL and their count", body)
	}
	if n := feedsInForce(); n != 2 {
		t.Errorf("after a failed reload %d feeds are in force, want the last good 2", n)
	}
	if code, body := f.do(t, "GET", "/readyz", ""); code != 200 || !strings.Contains(body, "the last reload failed") {
		t.Errorf("readyz after a failed reload: %d %q", code, body)
	}

	f.write(t, opsWatchlist(server, "a"))
	if code, body := f.do(t, "POST", "/-/reload", ""); code != 200 || body != "reloaded\n" {
		t.Fatalf("fixed edit: %d %q", code, body)
	}
	if code, body := f.do(t, "GET", "/readyz", ""); code != 200 || body != "ready\n" {
		t.Errorf("readyz after a good reload: %d %q", code, body)
	}
}

func TestBearer(t *testing.T) {
	tests := []struct {
		in  string
		tok string
		ok  bool
	}{
		{"Bearer abc", "abc", true},
		{"BEARER  abc ", "abc", true},
		{"Bearer ", "", false},
		{"Bearer", "", false},
		{"Basic abc", "abc", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tok, ok := bearer(tt.in)
			if tok != tt.tok || ok != tt.ok {
				t.Errorf("bearer(%q) = %q, %v; want %q, %v", tt.in, tok, ok, tt.tok, tt.ok)
			}
		})
	}
}
