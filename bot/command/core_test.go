package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
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
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// fakeBot is the running bot as the core sees it: the config in force is
// the last valid load of the file, a real SQLite store, a real fetcher.
type fakeBot struct {
	path  string
	st    store.Store
	start time.Time
	// getenv is the bot's environment: the file is validated in it as run
	// validates it, and so are edits.
	getenv func(string) (string, bool)
	// fetchLookup resolves names for the fetcher (connect-time guard).
	fetchLookup feeds.LookupFunc

	mu       sync.Mutex
	cfg      *config.Config
	cfgErr   error
	flushed  []string
	flushErr error
	// polled lists PollNow's feeds; pollNew, pollMatches and pollErr are
	// its answer for a feed the config in force has.
	polled               []string
	pollNew, pollMatches int
	pollErr              error
	// reported lists SendReport's channels; reportErr is its answer.
	reported  []string
	reportErr error
}

func (b *fakeBot) Config() *config.Config {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cfg
}

// Reload reads and applies the file under the lock, as the real bot does
// (reloadMu), so a slower reload of an older version never wins.
func (b *fakeBot) Reload(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	cfg, err := config.Validate(b.path, mustRead(b.path), config.Env{Lookup: b.getenv})
	if err != nil {
		b.cfgErr = err
		return err
	}
	b.cfg, b.cfgErr = cfg, nil
	return nil
}

func (b *fakeBot) ConfigError() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cfgErr
}

func (b *fakeBot) Store() store.Store { return b.st }

func (b *fakeBot) Test(_ context.Context, it feeds.Item) ([]match.Hit, error) {
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

func (b *fakeBot) FetchPreview(ctx context.Context, src feeds.Source) (feeds.Result, error) {
	f := feeds.NewHTTPFetcher(feeds.Options{AllowPrivate: b.Config().Security.AllowPrivateFeeds, LookupIP: b.fetchLookup, Timeout: 5 * time.Second})
	return f.Fetch(ctx, src, feeds.Validators{})
}

func (b *fakeBot) Flush(ctx context.Context, channel string) (int, error) {
	b.mu.Lock()
	b.flushed = append(b.flushed, channel)
	ferr := b.flushErr
	b.mu.Unlock()
	if ferr != nil {
		return 0, ferr
	}
	ds, err := b.st.PendingAll(ctx, channel)
	if err != nil {
		return 0, err
	}
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return len(ds), b.st.MarkSent(ctx, ids, time.Now())
}

// errNoFeed is the fake's answer for a feed the config lacks, as
// bot.ErrUnknownFeed is the real bot's.
var errNoFeed = errors.New("no such feed in the watchlist")

func (b *fakeBot) PollNow(_ context.Context, feed string) (int, int, error) {
	if _, ok := b.Config().FeedByName(feed); !ok {
		return 0, 0, fmt.Errorf("bot: %q: %w", feed, errNoFeed)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.polled = append(b.polled, feed)
	return b.pollNew, b.pollMatches, b.pollErr
}

func (b *fakeBot) SendReport(_ context.Context, channel string, _ []string, days int) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if days != 7 {
		return 0, fmt.Errorf("report of %d days, want 7", days)
	}
	b.reported = append(b.reported, channel)
	if b.reportErr != nil {
		return 0, b.reportErr
	}
	return 1, nil
}

func (b *fakeBot) Status(context.Context) Status {
	s := Status{Version: "v1.2.3", Started: b.start, FeedsOK: 1, FeedsFailing: 1,
		Pending: map[string]int{"general": 3, "old-desk": 2}, NextDigest: map[string]time.Time{"general": b.start.Add(26 * time.Hour)}}
	if err := b.ConfigError(); err != nil {
		s.ConfigError = err.Error()
	}
	return s
}

// syncBuffer collects log output from concurrent commands.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mustRead(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return b
}

// env is one test's bot, core and watchlist file.
type env struct {
	t    *testing.T
	bot  *fakeBot
	core *Core
	path string
	orig []byte
	now  time.Time
	logs *syncBuffer
}

var testNow = time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)

// botTokens is the environment of most tests: the bot tokens the
// fixture's channels need.
var botTokens = map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "DISCORD_BOT_TOKEN": "discord-test"}

// setup copies testdata/watchlist.yaml (changed by edit, when not nil)
// to a temporary folder and starts a core on it. lookup is the resolver of
// the core's early URL check.
//
// Each test has its own folder, store and editor from setup, so every test
// of the package runs in parallel with the others.
func setup(t *testing.T, edit func(string) string, lookup feeds.LookupFunc) *env {
	t.Helper()
	return setupEnv(t, edit, lookup, botTokens)
}

// setupEnv is setup with the bot's environment variables.
func setupEnv(t *testing.T, edit func(string) string, lookup feeds.LookupFunc, vars map[string]string) *env {
	t.Helper()
	src, err := os.ReadFile("testdata/watchlist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		src = []byte(edit(string(src)))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "watchlist.yaml")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	getenv := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	b := &fakeBot{path: path, st: st, start: testNow.Add(-3 * time.Hour), getenv: getenv}
	if err := b.Reload(context.Background()); err != nil {
		t.Fatalf("fixture does not load: %v", err)
	}
	logs := &syncBuffer{}
	core := New(b, &config.Editor{Path: path, Getenv: getenv}, Options{
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Now:    func() time.Time { return testNow },
		Lookup: lookup,
	})
	return &env{t: t, bot: b, core: core, path: path, orig: src, now: testNow, logs: logs}
}

// Requests from the places the tests use.
var (
	adminGeneral = Request{Platform: "slack", User: "UADMIN", UserName: "alice", ChannelID: "C0GENERAL", ChannelName: "general"}
	userGeneral  = Request{Platform: "slack", User: "UBOB", UserName: "bob", ChannelID: "C0GENERAL", ChannelName: "general"}
	adminOps     = Request{Platform: "discord", User: "555", Roles: []string{"999"}, ChannelID: "111", ChannelName: "ops"}
	adminNew     = Request{Platform: "slack", User: "UADMIN", ChannelID: "C0NEW", ChannelName: "Random News"}
)

func (e *env) run(req Request, text string) Reply {
	e.t.Helper()
	req.Text = text
	r := e.core.Run(context.Background(), req)
	if strings.Contains(r.Text, "command:") || strings.Contains(r.Text, "config:") || strings.Contains(r.Text, "sqlite") {
		e.t.Errorf("reply shows an internal error: %q", r.Text)
	}
	return r
}

func (e *env) file() []byte { return mustRead(e.path) }

// unchanged fails unless the file is as it was.
func (e *env) unchanged() {
	e.t.Helper()
	if !bytes.Equal(e.file(), e.orig) {
		e.t.Errorf("file changed:\n%s", e.file())
	}
}

// kept fails unless all but at most n original lines are still in the
// file, byte for byte and in order (a flow list edit rewrites its line).
func (e *env) kept(n int) {
	e.t.Helper()
	a := strings.SplitAfter(string(e.orig), "\n")
	b := strings.SplitAfter(string(e.file()), "\n")
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	if changed := len(a) - lcs[0][0]; changed > n {
		e.t.Errorf("%d original lines changed, want at most %d:\n%s", changed, n, e.file())
	}
}

func (e *env) keywords(watch string) []string {
	for _, w := range e.bot.Config().Watches {
		if w.Name == watch {
			return w.Keywords
		}
	}
	return nil
}

func contains(t *testing.T, got Reply, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got.Text, w) {
			t.Errorf("reply %q does not contain %q", got.Text, w)
		}
	}
}

func TestHelpAndUnknown(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	for _, tc := range []struct{ text, want string }{
		{"", "/news"},
		{"help", "add <query> [to <watch>]"},
		{"도움말", "추가 <검색어>"},
		{"frobnicate x", "I don't know `frobnicate`"},
		{"하하", "명령은 없습니다"},
		{"feed", "feed add <url>"},
		{"feed frob", "feed add <url>"},
	} {
		t.Run(tc.text, func(t *testing.T) { contains(t, e.run(userGeneral, tc.text), tc.want) })
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	if err := e.bot.st.PutMute(context.Background(), store.Mute{Target: "HBM", Until: testNow.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	r := e.run(userGeneral, "list")
	contains(t, r, "*ai-policy* (here)", "`AI 규제` · `\"AI 국가안보각서\"`", "`HBM` (muted", "feeds: local", "feeds: all", "to: general", "instant")
	contains(t, e.run(adminOps, "목록"), "검색어", "즉시")
}

func TestAdd(t *testing.T) {
	t.Parallel()
	t.Run("to a watch", func(t *testing.T) {
		e := setup(t, nil, nil)
		r := e.run(adminGeneral, "add 반도체 to ai-policy")
		contains(t, r, "Added `반도체` to *ai-policy*", "general")
		if !r.Public {
			t.Error("edits should be announced in the channel")
		}
		e.kept(0)
		if !bytes.Contains(e.file(), []byte("      - '\"AI 국가안보각서\"'   # the memo\n      - 반도체\n")) {
			t.Errorf("not added after the last item:\n%s", e.file())
		}
		// Applied without a restart: the config in force matches it.
		hits, _ := e.bot.Test(context.Background(), feeds.Item{Title: "반도체 수출 급증"})
		if len(hits) != 1 || hits[0].Watch != "ai-policy" {
			t.Errorf("hits after add = %+v", hits)
		}
		es, _ := e.bot.st.Edits(context.Background(), 10)
		if len(es) != 1 || es[0].Command != "add 반도체 to ai-policy" || es[0].Platform != "slack" ||
			es[0].User != "alice (UADMIN)" || es[0].BeforeHash != config.SourceHash(e.orig) || es[0].AfterHash != config.SourceHash(e.file()) {
			t.Errorf("history = %+v", es)
		}
	})
	t.Run("korean words, quoted phrase, flow list", func(t *testing.T) {
		e := setup(t, nil, nil)
		contains(t, e.run(adminGeneral, `추가 "AI 국가안보각서" to chips`), "*chips*에 `\"AI 국가안보각서\"` 추가했습니다")
		if got := e.keywords("chips"); len(got) != 2 || got[1] != `"AI 국가안보각서"` {
			t.Errorf("chips keywords = %q", got)
		}
		e.kept(1)
	})
	t.Run("to inside quotes", func(t *testing.T) {
		e := setup(t, nil, nil)
		contains(t, e.run(adminGeneral, `add "path to war" to ai-policy`), "Added `\"path to war\"`")
		contains(t, e.run(adminGeneral, `add title:"road to seoul" to ai-policy`), "Added `title:\"road to seoul\"`")
	})
	t.Run("creates a watch for a new channel", func(t *testing.T) {
		e := setup(t, nil, nil)
		contains(t, e.run(adminNew, "add 속보"), "Created watch *random-news*")
		cfg := e.bot.Config()
		ch, ok := cfg.Channels["random-news"]
		if !ok || ch.Kind != "slack" || blockValue(ch, "channel") != "C0NEW" {
			t.Fatalf("channel not created: %+v", cfg.Channels)
		}
		if got := e.keywords("random-news"); len(got) != 1 || got[0] != "속보" {
			t.Errorf("new watch keywords = %q", got)
		}
		e.kept(0)
		// The next add from that channel goes to that watch.
		contains(t, e.run(adminNew, "add 단독"), "Added `단독` to *random-news*")
	})
	t.Run("creates a watch for a channel in the file", func(t *testing.T) {
		e := setup(t, nil, nil)
		contains(t, e.run(adminOps, "add HBM"), "Created watch *ops*")
		if len(e.bot.Config().Channels) != 2 {
			t.Errorf("a channel was added although ops exists: %v", e.bot.Config().ChannelOrder)
		}
	})
	for _, tc := range []struct {
		name, text string
		req        Request
		want       string
	}{
		{"ambiguous channel", "add 반도체", adminGeneral, "Several watches post here (ai-policy, chips)"},
		{"no such watch", "add 반도체 to nope", adminGeneral, "There is no watch named `nope`"},
		{"duplicate", "add hbm to chips", adminGeneral, "*chips* already has `HBM`"},
		{"invalid query", "add (AI to chips", adminGeneral, "column 1: unclosed parenthesis"},
		{"no query", "add", adminGeneral, "Usage: `add <query>"},
		{"non-admin", "add 반도체 to chips", userGeneral, "Only watchlist admins"},
		{"non-admin discord", "add 반도체 to chips", Request{Platform: "discord", User: "1", Roles: []string{"2"}, ChannelID: "111"}, "Only watchlist admins"},
		{"console has no channel", "add 반도체", Request{Platform: "console", Operator: true}, "This channel is not in the watchlist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, nil, nil)
			contains(t, e.run(tc.req, tc.text), tc.want)
			e.unchanged()
		})
	}
}

func TestAdmins(t *testing.T) {
	t.Parallel()
	open := func(s string) string {
		return strings.Replace(s, "admins:\n  slack: [UADMIN]\n  discord: [\"999\"]\n", "", 1)
	}
	e := setup(t, open, nil)
	contains(t, e.run(userGeneral, "add 반도체 to chips"), "Added")
	e = setup(t, nil, nil)
	contains(t, e.run(Request{Platform: "discord", User: "999", ChannelID: "111"}, "add 반도체 to chips"), "Added")
	contains(t, e.run(Request{Platform: "console", Operator: true}, "add 속보 to chips"), "Added")
	contains(t, e.run(Request{Platform: "slack", User: "999"}, "mute chips"), "Only watchlist admins")
	// Read-only words stay open.
	for _, w := range []string{"list", "feeds", "status", "history", "recent", "test HBM", "help"} {
		if r := e.run(userGeneral, w); strings.Contains(r.Text, "admins") {
			t.Errorf("%s refused to a non-admin: %q", w, r.Text)
		}
	}
}

func TestRemove(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	contains(t, e.run(adminGeneral, `remove "AI 국가안보각서" from ai-policy`), "Removed `\"AI 국가안보각서\"` from *ai-policy*")
	if got := e.keywords("ai-policy"); len(got) != 1 {
		t.Errorf("keywords = %q", got)
	}
	if bytes.Contains(e.file(), []byte("the memo")) {
		t.Error("the removed item's line is still there")
	}
	for _, tc := range []struct{ text, want string }{
		{"remove nope from chips", "*chips* has no query `nope`"},
		{"remove x from nope", "There is no watch named `nope`"},
		{"remove nope", "No watch has the query `nope`"},
		{"remove", "Usage: `remove"},
		// The last query of a watch: the validator refuses, with the reason.
		{"remove HBM", "Refused: that would make the watchlist invalid:\n• watches[1].keywords"},
		{"삭제 ai 규제", "거부했습니다. 워치리스트가 올바르지 않게 됩니다:\n• watches[0].keywords"},
	} {
		before := e.file()
		contains(t, e.run(adminGeneral, tc.text), tc.want)
		if !bytes.Equal(before, e.file()) {
			t.Errorf("%q changed the file", tc.text)
		}
	}
	contains(t, e.run(userGeneral, "remove HBM from chips"), "Only watchlist admins")
}

func TestRemoveAmbiguous(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	contains(t, e.run(adminGeneral, "add 반도체 to chips"), "Added")
	contains(t, e.run(adminGeneral, "add 반도체 to ai-policy"), "Added")
	contains(t, e.run(adminGeneral, "remove 반도체"), "`반도체` is in several watches (ai-policy, chips)")
	contains(t, e.run(adminGeneral, "remove 반도체 from chips"), "Removed")
	contains(t, e.run(adminGeneral, "remove 반도체"), "Removed `반도체` from *ai-policy*")
	e.kept(1)
}

const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test</title><link>https://example.com/</link>
<item><title>삼성 HBM 증산 @everyone</title><link>https://example.com/1</link><guid>1</guid></item>
<item><title>오늘 날씨</title><link>https://example.com/2</link><guid>2</guid></item>
<item><title>AI 규제 법안 통과</title><link>https://example.com/3</link><guid>3</guid></item>
</channel></rss>`

func feedServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, rss)
		case "/korean.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, strings.Replace(rss, "<title>Test</title>", "<title>연합뉴스 : IT/과학</title>", 1))
		case "/page.html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>HBM</body></html>")
		case "/page-with-feed.html":
			// A news site's page: it advertises its feed, relative to itself.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!DOCTYPE html><html><head><title>뉴스</title>
<link rel="alternate" type="application/rss+xml" title="뉴스 RSS" href="feed.xml?from=page">
</head><body>HBM</body></html>`)
		case "/page-broken-feed.html":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<link rel="alternate" type="application/atom+xml" href="/missing.xml">`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func allowPrivate(s string) string { return s + "security:\n  allow_private_feeds: true\n" }

func TestFeedAdd(t *testing.T) {
	t.Parallel()
	srv := feedServer(t)
	t.Run("loopback refused", func(t *testing.T) {
		e := setup(t, nil, nil)
		contains(t, e.run(adminGeneral, "feed add "+srv.URL+"/feed.xml"), "Refused: that URL does not lead to a public address")
		e.unchanged()
		if v, err := e.bot.st.GetMeta(context.Background(), UntrustedFeedKey("127")); err == nil && v != "" {
			t.Errorf("refused feed marked: %q", v)
		}
	})
	t.Run("name resolving to a private address refused", func(t *testing.T) {
		e := setup(t, nil, resolver("10.0.0.1"))
		contains(t, e.run(adminGeneral, "feed add http://intranet.example/feed.xml intranet"), "public address")
		e.unchanged()
		e = setup(t, nil, resolver("fd00:ec2::254"))
		contains(t, e.run(adminGeneral, "피드 추가 http://metadata.example/ meta"), "거부했습니다")
		e.unchanged()
	})
	t.Run("rebinding refused at connect time", func(t *testing.T) {
		// The early check sees a public address, the connection a private one.
		e := setup(t, nil, resolver("93.184.216.34"))
		e.bot.fetchLookup = resolver("127.0.0.1")
		u := strings.Replace(srv.URL, "127.0.0.1", "rebind.example", 1)
		contains(t, e.run(adminGeneral, "feed add "+u+"/feed.xml rebind"), "public address")
		e.unchanged()
	})
	t.Run("private allowed by the operator", func(t *testing.T) {
		e := setup(t, allowPrivate, nil)
		url := srv.URL + "/feed.xml"
		r := e.run(adminGeneral, "feed add <"+url+"> test-feed")
		contains(t, r, "Added feed *test-feed* (3 items")
		e.kept(0)
		var got *config.Feed
		for _, f := range e.bot.Config().Feeds {
			if f.Name == "test-feed" {
				got = &f
			}
		}
		if got == nil || got.URL != url {
			t.Fatalf("feed not in the config in force: %+v", e.bot.Config().Feeds)
		}
		if v, _ := e.bot.st.GetMeta(context.Background(), UntrustedFeedKey("test-feed")); v != url {
			t.Errorf("untrusted mark = %q, want the URL", v)
		}
		contains(t, e.run(adminGeneral, "feed add "+url), "already polled as *test-feed*")
		contains(t, e.run(adminGeneral, "feed add "+srv.URL+"/other.xml other"), "HTTP 404")
		contains(t, e.run(adminGeneral, "feed add "+srv.URL+"/page.html page"), "a web page that advertises no feed")
		contains(t, e.run(adminGeneral, "feed add "+srv.URL+"/feed.xml?x=1 local"), "already a feed named *local*")
		// Without a name, the feed is named after its title ("Test"),
		// uniquely.
		contains(t, e.run(adminGeneral, "feed add "+srv.URL+"/feed.xml?x=2"), "Added feed *test* (3 items")
		contains(t, e.run(adminGeneral, "feed add "+srv.URL+"/feed.xml?x=3"), "Added feed *test-2* (3 items")
		contains(t, e.run(adminGeneral, "피드 추가 "+srv.URL+"/korean.xml"), "피드 *연합뉴스-it-과학* 추가했습니다")
	})
	t.Run("web page: the feed it advertises is added", func(t *testing.T) {
		e := setup(t, allowPrivate, nil)
		page := srv.URL + "/page-with-feed.html"
		feed := srv.URL + "/feed.xml?from=page"
		contains(t, e.run(adminGeneral, "feed add "+page+" desk"),
			"That address is a web page; it advertises the feed `"+feed+"`.\nAdded feed *desk* (3 items")
		f, ok := e.bot.Config().FeedByName("desk")
		if !ok || f.URL != feed {
			t.Fatalf("feed in force = %+v, want the advertised URL %s", f, feed)
		}
		if v, _ := e.bot.st.GetMeta(context.Background(), UntrustedFeedKey("desk")); v != feed {
			t.Errorf("untrusted mark = %q, want the advertised URL", v)
		}
		e.kept(0)
		// The page again: its feed is known.
		contains(t, e.run(adminGeneral, "feed add "+page), "That page advertises `"+feed+"`, but: That URL is already polled as *desk*")
		// A page whose feed does not read: why, and nothing added.
		before := e.file()
		contains(t, e.run(adminGeneral, "feed add "+srv.URL+"/page-broken-feed.html"), "That page advertises `"+srv.URL+"/missing.xml`, but: The server answered HTTP 404.")
		contains(t, e.run(adminGeneral, "피드 추가 "+srv.URL+"/page.html"), "피드를 알리지 않는 웹 페이지입니다")
		if !bytes.Equal(before, e.file()) {
			t.Errorf("a refused page changed the file:\n%s", e.file())
		}
		if !strings.Contains(e.logs.String(), "web page read for its feeds") {
			t.Error("the page read is not logged")
		}
	})
	t.Run("no answer: no page is looked for", func(t *testing.T) {
		e := setup(t, allowPrivate, nil)
		closed := httptest.NewServer(http.NotFoundHandler())
		closed.Close()
		contains(t, e.run(adminGeneral, "feed add "+closed.URL+"/feed.xml"), "I couldn't read a feed at that URL.")
		if logs := e.logs.String(); !strings.Contains(logs, "feed preview failed") || strings.Contains(logs, "web page") {
			t.Errorf("an unreachable feed was read again as a page:\n%s", logs)
		}
		e.unchanged()
	})
	t.Run("web page on a private address refused", func(t *testing.T) {
		e := setup(t, nil, nil)
		contains(t, e.run(adminGeneral, "feed add "+srv.URL+"/page-with-feed.html"), "does not lead to a public address")
		e.unchanged()
	})
	for _, tc := range []struct{ text, want string }{
		{"feed add", "Usage: `feed add"},
		{"feed add ftp://example.com/x", "not an http(s) URL"},
		{"feed add example.com/feed", "not an http(s) URL"},
	} {
		e := setup(t, nil, nil)
		contains(t, e.run(adminGeneral, tc.text), tc.want)
		e.unchanged()
	}
	e := setup(t, nil, nil)
	contains(t, e.run(userGeneral, "feed add https://example.com/feed.xml"), "Only watchlist admins")
}

func resolver(addr string) feeds.LookupFunc {
	return func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr(addr)}, nil
	}
}

func TestFeedRemove(t *testing.T) {
	t.Parallel()
	withSpare := func(s string) string {
		return strings.Replace(s, "channels:\n  general:", "  - name: spare\n    url: https://example.com/spare.xml\n\nchannels:\n  general:", 1)
	}
	t.Run("the last feed of a watch is kept", func(t *testing.T) {
		e := setup(t, withSpare, nil)
		e.orig = e.file()
		contains(t, e.run(adminGeneral, "feed remove local"), "I kept feed *local*: *chips* reads only that feed, and without it the watch would read every feed.",
			"Add another feed to its feeds in the watchlist first", "`watch remove chips`")
		contains(t, e.run(adminGeneral, "피드 삭제 local"), "*local* 피드를 삭제하지 않았습니다. *chips* 워치가 이 피드만 읽는데")
		contains(t, e.run(adminGeneral, "feed remove nope"), "There is no feed named *nope*. Feeds: local, spare.")
		contains(t, e.run(adminGeneral, "feed remove spar"), "There is no feed named *spar*. Did you mean `spare`?")
		contains(t, e.run(adminGeneral, "feed remove"), "Usage: `feed remove")
		e.unchanged()
		contains(t, e.run(adminGeneral, "피드 삭제 spare"), "피드 *spare* 삭제했습니다")
		if len(e.bot.Config().Feeds) != 1 {
			t.Errorf("feeds = %+v", e.bot.Config().Feeds)
		}
	})
	t.Run("a feed read with others is taken out of the watch", func(t *testing.T) {
		e := setup(t, func(s string) string {
			return strings.Replace(withSpare(s), "feeds: [local]", "feeds: [local, spare]", 1)
		}, nil)
		e.orig = e.file()
		contains(t, e.run(adminGeneral, "feed remove local"), "Removed feed *local*. Also taken out of the feeds of chips.")
		chips, _ := e.bot.Config().WatchByName("chips")
		if len(chips.Feeds) != 1 || chips.Feeds[0] != "spare" {
			t.Errorf("chips feeds = %q, want [spare]", chips.Feeds)
		}
		if _, ok := e.bot.Config().FeedByName("local"); ok {
			t.Error("local is still a feed")
		}
		e.kept(3) // the feed's two lines and chips' feeds line
		// Now spare is chips' last feed.
		contains(t, e.run(adminGeneral, "feed remove spare"), "I kept feed *spare*: *chips* reads only that feed")
	})
	t.Run("admins only", func(t *testing.T) {
		e := setup(t, nil, nil)
		contains(t, e.run(userGeneral, "feed remove local"), "Only watchlist admins")
	})
}

func TestFeeds(t *testing.T) {
	t.Parallel()
	e := setup(t, func(s string) string {
		return strings.Replace(s, "channels:\n  general:", "  - name: gn\n    google_news: 반도체\n  - name: fresh\n    url: https://example.com/f.xml\n\nchannels:\n  general:", 1)
	}, nil)
	ctx := context.Background()
	_ = e.bot.st.PutFeedState(ctx, store.FeedState{Feed: "local", LastAttempt: testNow.Add(-time.Minute), LastSuccess: testNow.Add(-3 * time.Minute), ItemsSeen: 42})
	_ = e.bot.st.PutFeedState(ctx, store.FeedState{Feed: "gn", LastAttempt: testNow.Add(-time.Minute), LastSuccess: testNow.Add(-2 * time.Hour), Failures: 3, LastError: "feeds: https://news.google.com/…: HTTP 503",
		NextPoll: testNow.Add(7 * time.Minute)})
	contains(t, e.run(userGeneral, "feeds"), "*local*: ok 3m ago, 42 items seen",
		"*gn*: failing (3 in a row): feeds: https://news.google.com/…: HTTP 503; last ok 2h0m ago; next try 05-01 18:07 KST (in 7m)", "*fresh*: not polled yet")
	contains(t, e.run(userGeneral, "피드"), "정상 3m 전", "다음 시도 05-01 18:07 KST(7m 후)")
	// A try that is due, and one never scheduled.
	_ = e.bot.st.PutFeedState(ctx, store.FeedState{Feed: "gn", LastAttempt: testNow, Failures: 4, LastError: "timeout", NextPoll: testNow.Add(-time.Second)})
	_ = e.bot.st.PutFeedState(ctx, store.FeedState{Feed: "fresh", LastAttempt: testNow, Failures: 1, LastError: "dns"})
	contains(t, e.run(userGeneral, "feeds"), "*gn*: failing (4 in a row): timeout; last ok never; next try due now", "*fresh*: failing (1 in a row): dns; last ok never; no try scheduled")
}

func TestMute(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	ctx := context.Background()
	mute := func(target string) (store.Mute, bool) {
		ms, _ := e.bot.st.Mutes(ctx)
		for _, m := range ms {
			if m.Target == target {
				return m, true
			}
		}
		return store.Mute{}, false
	}
	contains(t, e.run(adminGeneral, "mute chips for 2h"), "Muted `chips` until 05-01 20:00 KST")
	if m, ok := mute("chips"); !ok || !m.Until.Equal(testNow.Add(2*time.Hour)) || m.By != "UADMIN" {
		t.Errorf("mute = %+v, %v", m, ok)
	}
	contains(t, e.run(adminGeneral, "mute ai 규제"), "Muted `AI 규제` until you unmute it")
	if m, ok := mute("AI 규제"); !ok || !m.Until.IsZero() {
		t.Errorf("mute = %+v, %v", m, ok)
	}
	contains(t, e.run(adminGeneral, "음소거 HBM 1일 동안"), "`HBM` 알림을 05-02 18:00 KST까지 끕니다")
	contains(t, e.run(adminGeneral, `mute "AI 국가안보각서" 30m`), "Muted `\"AI 국가안보각서\"` until 05-01 18:30 KST")
	contains(t, e.run(userGeneral, "list"), "*chips* (here) — muted")
	contains(t, e.run(adminGeneral, "mute nope for 1h"), "No watch or query is called `nope`")
	contains(t, e.run(adminGeneral, "mute"), "Usage: `mute")
	contains(t, e.run(adminGeneral, "unmute chips"), "Unmuted `chips`")
	if _, ok := mute("chips"); ok {
		t.Error("still muted")
	}
	contains(t, e.run(adminGeneral, "해제 chips"), "꺼져 있지 않습니다")
	contains(t, e.run(userGeneral, "unmute HBM"), "Only watchlist admins")
	es, _ := e.bot.st.Edits(ctx, 10)
	if len(es) != 5 {
		t.Errorf("history has %d entries, want 5 (4 mutes, 1 unmute)", len(es))
	}
	e.unchanged()
}

func TestTest(t *testing.T) {
	t.Parallel()
	srv := feedServer(t)
	// The served feed is the watchlist's "local", so chips (feeds: [local])
	// tests against it as it would run.
	e := setup(t, func(s string) string {
		return allowPrivate(strings.Replace(s, "http://127.0.0.1:9/feed.xml", srv.URL+"/feed.xml", 1))
	}, nil)
	if err := e.bot.st.PutMute(context.Background(), store.Mute{Target: "chips"}); err != nil {
		t.Fatal(err)
	}
	contains(t, e.run(userGeneral, "test 삼성 HBM 증산"), "*chips* `HBM` [HBM] (muted): 삼성 *HBM* 증산")
	contains(t, e.run(userGeneral, "test 오늘 날씨"), "No watch matches")
	contains(t, e.run(userGeneral, "테스트 오늘 날씨"), "일치하는 워치가 없습니다")
	contains(t, e.run(userGeneral, "test"), "Usage: `test")
	r := e.run(userGeneral, "test "+srv.URL+"/feed.xml")
	contains(t, r, "2 of 3 items match", "삼성 *HBM* 증산 @\u200beveryone — *chips*", "*AI 규제* 법안 통과 — *ai-policy* `AI 규제` [AI, 규제]")
	if strings.Contains(r.Text, "@everyone") {
		t.Error("feed text pings @everyone")
	}
	contains(t, e.run(userGeneral, "test "+srv.URL+"/page.html"), "No watch matches", "Not a feed I could read")

	e = setup(t, nil, nil)
	contains(t, e.run(userGeneral, "test "+srv.URL+"/feed.xml"), "public address")

	// A feed the watchlist does not name is not "local": chips, limited
	// to local, does not match its items, as it would not when running.
	e = setup(t, allowPrivate, nil)
	r = e.run(userGeneral, "test "+srv.URL+"/feed.xml")
	contains(t, r, "1 of 3 items match", "*AI 규제* 법안 통과 — *ai-policy*")
	if strings.Contains(r.Text, "*chips*") {
		t.Errorf("a watch limited to another feed matched: %s", r.Text)
	}
}

func TestRecent(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	ctx := context.Background()
	var ds []store.Delivery
	for i, title := range []string{"HBM 증산", "AI 규제 법안", "HBM3E 양산", "<!channel> 속보"} {
		ds = append(ds, store.Delivery{Channel: "general", ItemKey: fmt.Sprint("k", i), Watch: "chips", Feed: "local",
			Title: title, Link: fmt.Sprint("https://example.com/", i), Status: store.StatusPending, Created: testNow, Due: testNow})
	}
	ds = append(ds, store.Delivery{Channel: "ops", ItemKey: "o", Watch: "x", Feed: "local", Title: "elsewhere", Status: store.StatusPending, Created: testNow, Due: testNow})
	in, err := e.bot.st.Enqueue(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range in {
		if err := e.bot.st.MarkSent(ctx, []int64{d.ID}, testNow.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	r := e.run(userGeneral, "recent")
	contains(t, r, "05-01 18:03 KST <\u200b!channel> 속보 — chips https://example.com/3", "HBM 증산")
	if strings.Contains(r.Text, "elsewhere") {
		t.Error("recent shows another channel's alerts")
	}
	if strings.Index(r.Text, "속보") > strings.Index(r.Text, "HBM 증산") {
		t.Error("recent is not newest first")
	}
	r = e.run(userGeneral, "recent HBM")
	contains(t, r, "HBM 증산")
	if strings.Contains(r.Text, "AI 규제") || strings.Contains(r.Text, "HBM3E") {
		t.Errorf("recent HBM = %q", r.Text)
	}
	contains(t, e.run(userGeneral, "recent (x"), "not valid")
	contains(t, e.run(adminOps, "최근"), "elsewhere — x")
	contains(t, e.run(userGeneral, "최근 날씨"), "아직 이 채널로 보낸 알림이 없습니다")
	contains(t, e.run(adminNew, "recent"), "No watch posts to this channel")
}

func TestDigest(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	ctx := context.Background()
	if _, err := e.bot.st.Enqueue(ctx, []store.Delivery{{Channel: "general", ItemKey: "a", Watch: "chips", Title: "t", Status: store.StatusPending, Created: testNow, Due: testNow.Add(5 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	contains(t, e.run(userGeneral, "digest"), "Sent 1 pending items")
	contains(t, e.run(userGeneral, "다이제스트"), "대기 중인 기사가 없습니다")
	contains(t, e.run(adminNew, "digest"), "No watch posts to this channel")
	e.bot.flushErr = errors.New("slack: 500 with secret https://hooks.slack.com/services/T/B/X")
	r := e.run(userGeneral, "digest")
	contains(t, r, "couldn't send the digest now")
	if strings.Contains(r.Text, "hooks.slack.com") || !strings.Contains(e.logs.String(), "flushing a digest") {
		t.Errorf("reply %q or log wrong", r.Text)
	}
	if got := strings.Join(e.bot.flushed, ","); got != "general,general,general" {
		t.Errorf("flushed %q", got)
	}
}

func TestStatusAndHistory(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	_ = e.bot.st.PutFeedState(context.Background(), store.FeedState{Feed: "local", LastAttempt: testNow, Failures: 2, LastError: "HTTP 503", NextPoll: testNow.Add(90 * time.Second)})
	_ = e.bot.st.PutFeedState(context.Background(), store.FeedState{Feed: "gone", Failures: 9}) // no longer in the watchlist
	r := e.run(userGeneral, "status")
	contains(t, r, "newshound v1.2.3, up 3h0m", "feeds: 1 ok, 1 failing\n• *local* (2 in a row): next try 05-01 18:01 KST (in 1m)\npending:",
		"pending: general 3, old-desk 2 (channel not in the watchlist)", "next digest: general 05-02 17:00 KST", "watchlist: ok")
	if strings.Contains(r.Text, "gone") {
		t.Errorf("status lists a feed the watchlist no longer has: %q", r.Text)
	}
	contains(t, e.run(userGeneral, "상태"), "• *local*(2회 연속 실패): 다음 시도 05-01 18:01 KST(1m 후)")
	contains(t, e.run(userGeneral, "history"), "No edits yet")
	contains(t, e.run(adminGeneral, "add 반도체 to chips"), "Added")
	before := config.SourceHash(e.orig)
	contains(t, e.run(userGeneral, "history"), "alice (UADMIN) [slack]: `add 반도체 to chips` ("+before[:7]+" → ")
	contains(t, e.run(userGeneral, "기록"), "add 반도체 to chips")

	// A hand edit that breaks the file: reported with line and column, the
	// last good config keeps working, and edits are refused until fixed.
	broken := bytes.Replace(e.file(), []byte("keywords: [HBM, 반도체]"), []byte("keywords: [HBM, \"(반도체\"]"), 1)
	if bytes.Equal(broken, e.file()) {
		t.Fatalf("fixture changed:\n%s", e.file())
	}
	if err := os.WriteFile(e.path, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.bot.Reload(context.Background()); err == nil {
		t.Fatal("broken file loaded")
	}
	contains(t, e.run(userGeneral, "status"), "watchlist errors (the last good version keeps running):", e.path+":25:22: watches[1].keywords[1]: invalid query: unclosed parenthesis")
	contains(t, e.run(adminGeneral, "add 속보 to ai-policy"), "The watchlist file has errors", e.path+":25:22:", "unclosed parenthesis")
	if hits, _ := e.bot.Test(context.Background(), feeds.Item{Title: "반도체 뉴스"}); len(hits) != 1 {
		t.Errorf("the last good config stopped matching: %+v", hits)
	}
	if !bytes.Equal(e.file(), broken) {
		t.Error("the broken file was edited")
	}
}

// A person edits the file by hand after the bot loaded it and before the
// command: the command applies on top of the hand edit, keeping it.
func TestHandEditBeforeCommand(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	hand := bytes.Replace(e.file(), []byte("    keywords: [HBM]\n"), []byte("    keywords: [HBM, DRAM]   # by hand\n"), 1)
	if err := os.WriteFile(e.path, hand, 0o644); err != nil {
		t.Fatal(err)
	}
	contains(t, e.run(adminGeneral, "add 반도체 to chips"), "Added")
	want := "    keywords: [HBM, DRAM, 반도체]   # by hand\n"
	if !bytes.Contains(e.file(), []byte(want)) {
		t.Errorf("file lacks %q:\n%s", want, e.file())
	}
	if got := e.keywords("chips"); len(got) != 3 {
		t.Errorf("config in force: %q", got)
	}
}

// Edits from many users at once all land, one after another.
func TestConcurrentEdits(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := adminGeneral
			req.Text = fmt.Sprintf("add 키워드%d to chips", i)
			if r := e.core.Run(context.Background(), req); !strings.Contains(r.Text, "Added") {
				t.Errorf("%s: %q", req.Text, r.Text)
			}
		}()
	}
	wg.Wait()
	if got := e.keywords("chips"); len(got) != 9 {
		t.Errorf("keywords = %q", got)
	}
	e.kept(1)
}

// The file is watched: a valid hand edit applies, an invalid one keeps the
// last good config and shows in status, and matching never stops.
func TestHotReload(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reloaded := make(chan struct{}, 16)
	go func() {
		_ = config.WatchFile(ctx, e.path, nil, func() {
			_ = e.bot.Reload(ctx)
			reloaded <- struct{}{}
		})
	}()
	write := func(b []byte) {
		t.Helper()
		tmp := e.path + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, e.path); err != nil {
			t.Fatal(err)
		}
	}
	// waitFor writes b until the bot reports cond (the watcher may still be
	// starting when the first write happens). Each write differs by a
	// trailing comment, since the watcher reacts to changed content only.
	waitFor := func(b []byte, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; time.Now().Before(deadline); i++ {
			write(append(bytes.Clone(b), fmt.Sprintf("# write %d\n", i)...))
			select {
			case <-reloaded:
			case <-time.After(300 * time.Millisecond):
			}
			if cond() {
				return
			}
		}
		t.Fatal("the change never applied")
	}
	valid := bytes.Replace(e.orig, []byte("keywords: [HBM]"), []byte("keywords: [HBM, 반도체]"), 1)
	waitFor(valid, func() bool { return len(e.keywords("chips")) == 2 })
	if hits, _ := e.bot.Test(ctx, feeds.Item{Title: "반도체 수출"}); len(hits) != 1 {
		t.Errorf("valid edit not applied: %+v", hits)
	}
	invalid := bytes.Replace(valid, []byte("channels: [general]\n\nadmins"), []byte("channels: [nowhere]\n\nadmins"), 1)
	invalid = bytes.Replace(invalid, []byte("  - name: chips\n    keywords: [HBM, 반도체]\n    feeds: [local]\n    channels: [general]"), []byte("  - name: chips\n    keywords: [HBM, 반도체]\n    feeds: [local]\n    channels: [nowhere]"), 1)
	waitFor(invalid, func() bool { return e.bot.ConfigError() != nil })
	contains(t, e.run(userGeneral, "status"), "watchlist errors", "nowhere")
	if hits, _ := e.bot.Test(ctx, feeds.Item{Title: "반도체 수출"}); len(hits) != 1 {
		t.Errorf("matching stopped after an invalid edit: %+v", hits)
	}
}

// blockValue returns the value of key in ch's block, as its channel type
// writes it back ("" when unset).
func blockValue(ch config.Channel, key string) string {
	if ch.Settings == nil {
		return ""
	}
	for _, e := range ch.Settings.Entries() {
		if e.Key == key {
			return e.Value
		}
	}
	return ""
}

func TestReport(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	contains(t, e.run(userGeneral, "report"), "Posted the report of the last 7 days here")
	contains(t, e.run(userGeneral, "리포트"), "최근 7일 리포트를 이 채널에 올렸습니다")
	contains(t, e.run(adminNew, "report"), "No watch posts to this channel")
	e.bot.mu.Lock()
	got := slices.Clone(e.bot.reported)
	e.bot.reportErr = errors.New("slack is down")
	e.bot.mu.Unlock()
	if !slices.Equal(got, []string{"general", "general"}) {
		t.Errorf("reports sent to %q, want general twice", got)
	}
	contains(t, e.run(userGeneral, "보고서"), "지금은 리포트를 올릴 수 없습니다")
}
