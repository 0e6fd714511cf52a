package main

import (
	"context"
	"encoding/xml"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/config"
)

// baseWatchlist has two feeds (one a Google News search) and comments
// an import must keep.
const baseWatchlist = `# Team watchlist: keep this note
feeds:
  - name: yna-news            # 연합뉴스 최신 기사
    url: https://www.yna.co.kr/rss/news.xml
  - name: gnews-ai
    google_news: "AI 국가안보각서"
channels:
  console:
    console: {}
watches:
  - name: ai
    keywords: [AI]
    channels: [console]
`

// emptyWatchlist has no feeds yet.
const emptyWatchlist = `feeds: []
channels:
  console:
    console: {}
watches:
  - name: ai
    keywords: [AI]
    channels: [console]
`

var fixtures = []string{"feedly", "inoreader", "netnewswire", "miniflux", "freshrss", "thunderbird", "theoldreader", "opml1"}

func fixture(name string) string { return filepath.Join("opml", "testdata", name+".opml") }

// writeTemp writes text to a new file in a test folder and returns its path.
func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// runFeeds runs "newshound feeds ARGS" in environment vars.
func runFeeds(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	e := env{tick: testTick, stdin: strings.NewReader(""), stdout: &out, stderr: &errb, lookup: func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}}
	code = Main(context.Background(), append([]string{"feeds"}, args...), e)
	return code, out.String(), errb.String()
}

// loadFeeds loads the watchlist at path: feed name → loaded URL.
func loadFeeds(t *testing.T, path string, vars map[string]string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Validate(path, data, config.Env{Lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }})
	if err != nil {
		t.Fatalf("the watchlist does not load: %v\n%s", err, data)
	}
	out := map[string]string{}
	for _, f := range cfg.Feeds {
		out[f.Name] = f.URL
	}
	return out
}

func urlSet(feeds map[string]string) []string {
	return slices.Sorted(maps.Values(feeds))
}

func TestFeedsImportFeedly(t *testing.T) {
	wl := writeTemp(t, "watchlist.yaml", baseWatchlist)
	code, out, errOut := runFeeds(t, nil, "import", "--config", wl, fixture("feedly"))
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	want := map[string]string{
		"yna-news":     "https://www.yna.co.kr/rss/news.xml",
		"gnews-ai":     "https://news.google.com/rss/search?q=AI+%EA%B5%AD%EA%B0%80%EC%95%88%EB%B3%B4%EA%B0%81%EC%84%9C&hl=ko&gl=KR&ceid=KR:ko",
		"한겨레-전체기사":     "https://www.hani.co.kr/rss/",
		"ars-technica": "https://feeds.arstechnica.com/arstechnica/index",
		"the-register": "https://www.theregister.com/headlines.atom",
	}
	if got := loadFeeds(t, wl, nil); !maps.Equal(got, want) {
		t.Errorf("feeds = %v\nwant %v", got, want)
	}
	for _, line := range []string{
		`added feed "한겨레-전체기사": https://www.hani.co.kr/rss/ (line 10, "한겨레 전체기사")`,
		`skipped line 9: https://www.yna.co.kr/rss/news.xml is already in the watchlist as feed "yna-news"`,
		`skipped line 15: https://www.yna.co.kr/rss/news.xml?utm_source=feedly is already in the watchlist as feed "yna-news"`,
		wl + `: 3 added, 2 duplicate(s) skipped, 0 invalid outline(s)`,
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	data, _ := os.ReadFile(wl)
	for _, kept := range []string{"# Team watchlist: keep this note\n", "# 연합뉴스 최신 기사\n"} {
		if !strings.Contains(string(data), kept) {
			t.Errorf("comment %q lost:\n%s", kept, data)
		}
	}

	// The same file again: nothing to do, nothing written.
	before, _ := os.ReadFile(wl)
	code, out, _ = runFeeds(t, nil, "import", fixture("feedly"), "--config", wl)
	after, _ := os.ReadFile(wl)
	if code != 0 || string(before) != string(after) || !strings.Contains(out, ": 0 added, 5 duplicate(s) skipped, 0 invalid outline(s); nothing to write\n") {
		t.Errorf("second import: exit %d, changed %v\n%s", code, string(before) != string(after), out)
	}
}

func TestFeedsImportReports(t *testing.T) {
	tests := []struct {
		fixture string
		lines   []string
	}{
		{"theoldreader", []string{
			`added feed "boing-boing": https://boingboing.net/feed (line 7, "Boing Boing")`,
			`added feed "경향신문-전체뉴스": https://www.khan.co.kr/rss/rssdata/total_news.xml (line 8, "경향신문 전체뉴스")`,
			`skipped line 9: https://BoingBoing.net:443/feed#top is a duplicate of line 7 (feed "boing-boing")`,
		}},
		{"inoreader", []string{
			`added feed "전자신문-it": https://rss.etnews.com/Section901.xml (line 9, "전자신문 & IT")`,
			`invalid outline, line 13 "Local file": xmlUrl is not an http or https address`,
		}},
		{"thunderbird", []string{`invalid outline, line 10 "Empty folder": no xmlUrl`}},
		{"opml1", []string{
			`added feed "café-frédéric": http://example.com/caf%E9.xml (line 9, "Café Frédéric")`,
			`invalid outline, line 11 "Blogroll link": a link to a web page, not a feed (no xmlUrl)`,
			`: 3 added, 0 duplicate(s) skipped, 2 invalid outline(s)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			wl := writeTemp(t, "watchlist.yaml", emptyWatchlist)
			code, out, errOut := runFeeds(t, nil, "import", "--config", wl, fixture(tt.fixture))
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			for _, line := range tt.lines {
				if !strings.Contains(out, line+"\n") {
					t.Errorf("output lacks %q:\n%s", line, out)
				}
			}
		})
	}
}

// TestFeedsRoundTrip: each reader's file imported, exported and imported
// into a fresh watchlist gives the same addresses, and they are the
// file's usable addresses without duplicates.
func TestFeedsRoundTrip(t *testing.T) {
	wantCount := map[string]int{"feedly": 4, "inoreader": 3, "netnewswire": 4, "miniflux": 4, "freshrss": 2, "thunderbird": 2, "theoldreader": 2, "opml1": 3}
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			first := writeTemp(t, "first.yaml", emptyWatchlist)
			if code, out, errOut := runFeeds(t, nil, "import", "--config", first, fixture(name)); code != 0 {
				t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
			}
			a := loadFeeds(t, first, nil)
			if len(a) != wantCount[name] {
				t.Errorf("imported %d feeds, want %d: %v", len(a), wantCount[name], a)
			}
			code, exported, errOut := runFeeds(t, nil, "export", "--config", first)
			if code != 0 {
				t.Fatalf("export: exit %d\n%s", code, errOut)
			}
			checkExport(t, exported, a)
			second := writeTemp(t, "second.yaml", emptyWatchlist)
			opmlFile := writeTemp(t, "export.opml", exported)
			if code, out, errOut := runFeeds(t, nil, "import", "--config", second, opmlFile); code != 0 {
				t.Fatalf("re-import: exit %d\n%s%s", code, out, errOut)
			}
			b := loadFeeds(t, second, nil)
			if !slices.Equal(urlSet(a), urlSet(b)) {
				t.Errorf("addresses differ after the round trip:\n%v\n%v", urlSet(a), urlSet(b))
			}
			if !maps.Equal(a, b) {
				t.Errorf("names differ after the round trip:\n%v\n%v", a, b)
			}
		})
	}
}

// checkExport checks that text is OPML 2.0 with a head and one rss outline
// per feed of want (name → URL).
func checkExport(t *testing.T, text string, want map[string]string) {
	t.Helper()
	type outline struct {
		Type   string    `xml:"type,attr"`
		Text   string    `xml:"text,attr"`
		Title  string    `xml:"title,attr"`
		XMLURL string    `xml:"xmlUrl,attr"`
		Nested []outline `xml:"outline"`
	}
	var doc struct {
		XMLName xml.Name `xml:"opml"`
		Version string   `xml:"version,attr"`
		Head    struct {
			Title       string `xml:"title"`
			DateCreated string `xml:"dateCreated"`
		} `xml:"head"`
		Body struct {
			Outlines []outline `xml:"outline"`
		} `xml:"body"`
	}
	if err := xml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("export is not XML: %v\n%s", err, text)
	}
	if !strings.HasPrefix(text, `<?xml version="1.0" encoding="UTF-8"?>`) || doc.Version != "2.0" || doc.Head.Title == "" {
		t.Errorf("export head: %q version %q title %q", text[:min(len(text), 40)], doc.Version, doc.Head.Title)
	}
	if _, err := time.Parse(time.RFC1123Z, doc.Head.DateCreated); err != nil {
		t.Errorf("dateCreated %q: %v", doc.Head.DateCreated, err)
	}
	got := map[string]string{}
	for _, o := range doc.Body.Outlines {
		if o.Type != "rss" || o.Text == "" || o.Title == "" || len(o.Nested) > 0 {
			t.Errorf("outline %+v: want type rss with text and title, no children", o)
		}
		got[o.Text] = o.XMLURL
	}
	if !maps.Equal(got, want) {
		t.Errorf("exported %v\nwant %v", got, want)
	}
}

func TestFeedsExportGoogleNews(t *testing.T) {
	wl := writeTemp(t, "watchlist.yaml", baseWatchlist)
	code, out, errOut := runFeeds(t, nil, "export", "--config", wl)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	checkExport(t, out, map[string]string{
		"yna-news": "https://www.yna.co.kr/rss/news.xml",
		"gnews-ai": "https://news.google.com/rss/search?q=AI+%EA%B5%AD%EA%B0%80%EC%95%88%EB%B3%B4%EA%B0%81%EC%84%9C&hl=ko&gl=KR&ceid=KR:ko",
	})
}

// TestFeedsImportValuesAreData: an address or title holding ${NAME} is
// stored as literal text, never read as an environment reference, and
// exported as it was imported.
func TestFeedsImportValuesAreData(t *testing.T) {
	vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-111-secret"}
	const rawURL = "https://news.example/feed?q=${SLACK_BOT_TOKEN}&price=US$5"
	list := writeTemp(t, "list.opml", `<?xml version="1.0"?>
<opml version="2.0"><body>
<outline type="rss" text="${SLACK_BOT_TOKEN}" title="${SLACK_BOT_TOKEN} $$ news" xmlUrl="`+strings.ReplaceAll(rawURL, "&", "&amp;")+`"/>
</body></opml>`)
	wl := writeTemp(t, "watchlist.yaml", emptyWatchlist)
	if code, out, errOut := runFeeds(t, vars, "import", "--config", wl, list); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	got := loadFeeds(t, wl, vars)
	if want := map[string]string{"slack_bot_token-news": rawURL}; !maps.Equal(got, want) {
		t.Errorf("loaded feeds = %v, want %v", got, want)
	}
	data, _ := os.ReadFile(wl)
	if strings.Contains(string(data), "xoxb") || !strings.Contains(string(data), "$${SLACK_BOT_TOKEN}") {
		t.Errorf("watchlist text:\n%s", data)
	}
	_, exported, _ := runFeeds(t, vars, "export", "--config", wl)
	if strings.Contains(exported, "xoxb") || !strings.Contains(exported, `xmlUrl="https://news.example/feed?q=${SLACK_BOT_TOKEN}&amp;price=US$5"`) {
		t.Errorf("export:\n%s", exported)
	}
}

func TestFeedsImportNames(t *testing.T) {
	list := writeTemp(t, "list.opml", `<opml version="2.0"><body>
<outline text="News" xmlUrl="https://a.example/1"/>
<outline text="news" xmlUrl="https://b.example/2"/>
<outline text="NEWS!" xmlUrl="https://c.example/3"/>
<outline text="" xmlUrl="https://www.hankyung.com/feed"/>
<outline text="★★★" xmlUrl="https://www.hankyung.com/other"/>
</body></opml>`)
	wl := writeTemp(t, "watchlist.yaml", strings.Replace(emptyWatchlist, "feeds: []", "feeds:\n  - name: news\n    url: https://z.example/", 1))
	if code, out, errOut := runFeeds(t, nil, "import", "--config", wl, list); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	want := map[string]string{
		"news": "https://z.example/", "news-2": "https://a.example/1", "news-3": "https://b.example/2", "news-4": "https://c.example/3",
		"hankyung": "https://www.hankyung.com/feed", "hankyung-2": "https://www.hankyung.com/other",
	}
	if got := loadFeeds(t, wl, nil); !maps.Equal(got, want) {
		t.Errorf("feeds = %v\nwant %v", got, want)
	}
}

func TestFeedSlug(t *testing.T) {
	tests := []struct{ title, url, want string }{
		{"연합뉴스 - 최신기사", "", "연합뉴스-최신기사"},
		{"\u1112\u1161\u11ab\u1100\u1167\u1105\u1166", "", "한겨레"}, // decomposed Hangul, as macOS writes it
		{"ＡＢＣ　뉴스", "", "abc-뉴스"},                                  // full-width forms
		{"Hacker News: Front Page", "", "hacker-news-front-page"},
		{"LWN.net", "", "lwn.net"},
		{"  --The Register--  ", "", "the-register"},
		{"a\tb\nc", "", "a-b-c"},
		{"", "https://www.bloter.net/rss", "bloter"},
		{"★", "https://xn--3e0b707e.example/", "xn-3e0b707e"},
		{"", "https://[::1]/feed", "feed"},
		{"", "http://192.0.2.1/rss", "feed"},
		{strings.Repeat("가", 60), "", strings.Repeat("가", maxSlug)},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := feedSlug(tt.title, tt.url)
			if got != tt.want {
				t.Errorf("feedSlug(%q, %q) = %q, want %q", tt.title, tt.url, got, tt.want)
			}
		})
	}
}

func TestFeedsImportDryRun(t *testing.T) {
	wl := writeTemp(t, "watchlist.yaml", baseWatchlist)
	code, out, errOut := runFeeds(t, nil, "import", "--dry-run", "--config", wl, fixture("miniflux"))
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	data, _ := os.ReadFile(wl)
	if string(data) != baseWatchlist {
		t.Errorf("a dry run changed the watchlist:\n%s", data)
	}
	for _, line := range []string{`would add feed "lwn.net": https://lwn.net/headlines/rss (line 10, "LWN.net")`, ": 4 would add, 0 duplicate(s) skipped, 0 invalid outline(s); nothing written (--dry-run)"} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
}

func TestFeedsFailures(t *testing.T) {
	invalid := "feeds:\n  - name: a b\n    url: https://a.example/\n" + emptyWatchlist[len("feeds: []\n"):]
	tests := []struct {
		name      string
		watchlist string
		args      func(wl string) []string
		code      int
		stderr    string
	}{
		{"no subcommand", emptyWatchlist, func(string) []string { return nil }, 2, "Usage:"},
		{"unknown subcommand", emptyWatchlist, func(string) []string { return []string{"sync"} }, 2, `unknown subcommand "sync"`},
		{"no file", emptyWatchlist, func(wl string) []string { return []string{"import", "--config", wl} }, 2, "give one OPML file"},
		{"missing file", emptyWatchlist, func(wl string) []string { return []string{"import", "--config", wl, "nope.opml"} }, 1, "nope.opml"},
		{"not OPML", emptyWatchlist, func(wl string) []string { return []string{"import", "--config", wl, wl} }, 1, "no <opml> element"},
		{"invalid watchlist", invalid, func(wl string) []string { return []string{"import", "--config", wl, fixture("feedly")} }, 1, "the watchlist has errors; nothing was changed"},
		{"export of an invalid watchlist", invalid, func(wl string) []string { return []string{"export", "--config", wl} }, 1, "contains a space"},
		{"export with an argument", emptyWatchlist, func(wl string) []string { return []string{"export", "--config", wl, "x"} }, 2, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wl := writeTemp(t, "watchlist.yaml", tt.watchlist)
			code, out, errOut := runFeeds(t, nil, tt.args(wl)...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q (stdout %q)", code, errOut, tt.code, tt.stderr, out)
			}
			if data, _ := os.ReadFile(wl); string(data) != tt.watchlist {
				t.Errorf("the watchlist changed:\n%s", data)
			}
		})
	}
}

// TestFeedsImportEnvironment: the watchlist is validated in the
// environment, as the bot runs it, before anything is written.
func TestFeedsImportEnvironment(t *testing.T) {
	// A Slack channel: needs SLACK_BOT_TOKEN, which this environment lacks,
	// so the file on disk is refused before any feed is added.
	wl := writeTemp(t, "watchlist.yaml", strings.Replace(emptyWatchlist, "console: {}", "slack: {channel: C123}", 1))
	code, _, errOut := runFeeds(t, nil, "import", "--config", wl, fixture("miniflux"))
	if code != 1 || !strings.Contains(errOut, "SLACK_BOT_TOKEN") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
	code, _, errOut = runFeeds(t, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "import", "--config", wl, fixture("miniflux"))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if got := loadFeeds(t, wl, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}); len(got) != 4 {
		t.Errorf("feeds = %v", got)
	}
}
