package opml

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// feedRow is what a test expects of one parsed feed.
type feedRow struct {
	line  int
	title string
	url   string
	cats  string // categories joined with "/"
}

func rows(fs []Feed) []feedRow {
	out := make([]feedRow, 0, len(fs))
	for _, f := range fs {
		out = append(out, feedRow{f.Line, f.Title, f.XMLURL, strings.Join(f.Categories, "/")})
	}
	return out
}

func TestParseFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		version string
		title   string
		date    string
		feeds   []feedRow
		skipped []Skipped
	}{
		{
			file: "feedly.opml", version: "1.0", title: "Kim subscriptions in feedly Cloud",
			feeds: []feedRow{
				{9, "연합뉴스 - 최신기사", "https://www.yna.co.kr/rss/news.xml", "뉴스"},
				{10, "한겨레 전체기사", "https://www.hani.co.kr/rss/", "뉴스"},
				{13, "Ars Technica", "https://feeds.arstechnica.com/arstechnica/index", "Tech"},
				{14, "The Register", "https://www.theregister.com/headlines.atom", "Tech"},
				{15, "연합뉴스 - 최신기사", "https://www.yna.co.kr/rss/news.xml?utm_source=feedly", "Tech"},
			},
		},
		{
			file: "inoreader.opml", version: "1.0", title: "Subscriptions of lee from Inoreader [https://www.inoreader.com]",
			feeds: []feedRow{
				{8, "ZDNet Korea", "https://feeds.feedburner.com/zdkorea", "IT·과학"},
				{9, "전자신문 & IT", "https://rss.etnews.com/Section901.xml", "IT·과학"},
				{12, "BBC News - Technology", "https://feeds.bbci.co.uk/news/technology/rss.xml", "World"},
			},
			skipped: []Skipped{{13, "Local file", "xmlUrl is not an http or https address"}},
		},
		{
			file: "netnewswire.opml", version: "1.1", title: "Subscriptions-OnMyMac.opml",
			feeds: []feedRow{
				{8, "Daring Fireball", "https://daringfireball.net/feeds/main", ""},
				{10, "코리아헤럴드", "https://www.koreaherald.com/common/rss_xml.php?ct=102", "Korea"},
				{11, "블로터", "https://www.bloter.net/rss/allArticle.xml", "Korea"},
				{13, "Six Colors", "https://feedpress.me/sixcolors", ""},
			},
		},
		{
			file: "miniflux.opml", version: "2.0", title: "Miniflux", date: "Tue, 03 Mar 2026 09:14:07 KST",
			feeds: []feedRow{
				{9, "Hacker News: Front Page", "https://hnrss.org/frontpage", "All"},
				{10, "LWN.net", "https://lwn.net/headlines/rss", "All"},
				{13, "매일경제 : 전체뉴스", "https://www.mk.co.kr/rss/40300001/", "경제"},
				{14, "한국경제 | 전체 뉴스", "https://www.hankyung.com/feed/all-news", "경제"},
			},
		},
		{
			file: "freshrss.opml", version: "2.0", title: "FreshRSS", date: "Wed, 04 Mar 2026 10:00:00 +0900",
			feeds: []feedRow{
				{9, "FreshRSS releases", "https://github.com/FreshRSS/FreshRSS/releases.atom", "Uncategorized"},
				{10, "동아일보 전체", "https://rss.donga.com/total.xml", "Uncategorized"},
			},
			skipped: []Skipped{{13, "Example scraped page", "no xmlUrl"}},
		},
		{
			file: "thunderbird.opml", version: "1.0", title: "Thunderbird OPML Export - Blogs & News Feeds", date: "Thu, 05 Mar 2026 01:02:03 GMT",
			feeds: []feedRow{
				{9, "The Mozilla Blog", "https://blog.mozilla.org/en/feed/", "Mozilla"},
				{12, "조선일보 전체기사", "https://www.chosun.com/arc/outboundfeeds/rss/?outputType=xml", ""},
			},
			skipped: []Skipped{{10, "Empty folder", "no xmlUrl"}},
		},
		{
			file: "theoldreader.opml", version: "1.0", title: "The Old Reader subscriptions",
			feeds: []feedRow{
				{7, "Boing Boing", "https://boingboing.net/feed", ""},
				{8, "경향신문 전체뉴스", "https://www.khan.co.kr/rss/rssdata/total_news.xml", ""},
				{9, "Boing Boing (again)", "HTTPS://BoingBoing.net:443/feed#top", ""},
			},
		},
		{
			file: "opml1.opml", version: "1.0", title: "mySubscriptions.opml", date: "Sat, 18 Jun 2005 12:11:52 GMT",
			feeds: []feedRow{
				{8, "Scripting News", "http://scripting.com/rss.xml", ""},
				{9, "Café Frédéric", "http://example.com/caf%E9.xml", ""},
				{10, "Old style", "http://example.net/old.rss", ""},
			},
			skipped: []Skipped{
				{11, "Blogroll link", "a link to a web page, not a feed (no xmlUrl)"},
				{12, "Other list", "an include of another OPML file (not followed)"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			doc, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Version != tt.version || doc.Title != tt.title || doc.DateCreated != tt.date {
				t.Errorf("head = %q %q %q, want %q %q %q", doc.Version, doc.Title, doc.DateCreated, tt.version, tt.title, tt.date)
			}
			if got := rows(doc.Feeds); !reflect.DeepEqual(got, tt.feeds) {
				t.Errorf("feeds:\n got %v\nwant %v", got, tt.feeds)
			}
			if !reflect.DeepEqual(doc.Skipped, tt.skipped) {
				t.Errorf("skipped:\n got %v\nwant %v", doc.Skipped, tt.skipped)
			}
		})
	}
}

func TestParseTolerates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      []feedRow
		skipped   int
	}{
		{"byte order mark", "\uFEFF<opml version=\"2.0\"><body><outline text=\"a\" xmlUrl=\"https://a.example/f\"/></body></opml>",
			[]feedRow{{1, "a", "https://a.example/f", ""}}, 0},
		{"html entity and spaces in a title", "<opml><body>\n<outline title=\"  A&nbsp;&amp;\n\tB  \" xmlUrl=\" https://a.example/f \"/></body></opml>",
			[]feedRow{{2, "A & B", "https://a.example/f", ""}}, 0},
		{"text only, no title", `<opml><body><outline text="T" xmlUrl="http://a.example/f"/></body></opml>`,
			[]feedRow{{1, "T", "http://a.example/f", ""}}, 0},
		{"nested folders", "<opml><body><outline text=\"A\">\n<outline title=\"B\">\n<outline text=\"f\" xmlUrl=\"http://a.example/f\"/></outline></outline></body></opml>",
			[]feedRow{{3, "f", "http://a.example/f", "A/B"}}, 0},
		{"a feed inside a feed is not a folder", "<opml><body><outline text=\"p\" xmlUrl=\"http://a.example/p\">\n<outline text=\"c\" xmlUrl=\"http://a.example/c\"/></outline></body></opml>",
			[]feedRow{{1, "p", "http://a.example/p", ""}, {2, "c", "http://a.example/c", ""}}, 0},
		{"outlines in head are ignored", `<opml><head><outline text="x" xmlUrl="http://a.example/x"/></head><body/></opml>`,
			[]feedRow{}, 0},
		{"no host", `<opml><body><outline text="x" xmlUrl="https:///feed"/></body></opml>`, []feedRow{}, 1},
		{"relative address", `<opml><body><outline text="x" xmlUrl="/feed.xml"/></body></opml>`, []feedRow{}, 1},
		{"feed scheme", `<opml><body><outline text="x" xmlUrl="feed://a.example/rss"/></body></opml>`, []feedRow{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(strings.NewReader(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := rows(doc.Feeds); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("feeds = %v, want %v", got, tt.want)
			}
			if len(doc.Skipped) != tt.skipped {
				t.Errorf("skipped = %v, want %d", doc.Skipped, tt.skipped)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, src, want string }{
		{"empty", "", "no <opml> element"},
		{"not xml", "hello", "no <opml> element"},
		{"rss, not opml", `<rss version="2.0"><channel/></rss>`, "the root element is <rss>"},
		{"truncated", `<opml><body><outline text="a">`, "opml: XML syntax error"},
		{"too deep", "<opml><body>" + strings.Repeat("<outline>", MaxDepth+1) + strings.Repeat("</outline>", MaxDepth+1) + "</body></opml>", "nested deeper than 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestWriteParse: what Write writes is OPML 2.0 that Parse reads back to
// the same feeds, whatever the labels hold.
func TestWriteParse(t *testing.T) {
	t.Parallel()
	in := &Document{
		Title:       `뉴스하운드 <feeds> & "more"`,
		DateCreated: FormatDate(time.Date(2026, 3, 5, 9, 30, 0, 0, time.FixedZone("KST", 9*3600))),
		Feeds: []Feed{
			{Text: "top", Title: "Top", XMLURL: "https://a.example/top?x=1&y=2"},
			{Text: "연합뉴스", Title: "연합뉴스", XMLURL: "https://www.yna.co.kr/rss/news.xml", HTMLURL: "https://www.yna.co.kr", Categories: []string{"뉴스"}},
			{Text: `a "quoted" <b>`, Title: `a "quoted" <b>`, XMLURL: "https://a.example/q", Categories: []string{"A", "B"}},
			{Text: "${SLACK_BOT_TOKEN}", Title: "${SLACK_BOT_TOKEN}", XMLURL: "https://a.example/${SLACK_BOT_TOKEN}", Categories: []string{"뉴스"}},
			{Text: "after", Title: "after", XMLURL: "https://a.example/after"},
		},
	}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	// Well-formed, version 2.0, head with title and dateCreated.
	var shape struct {
		XMLName xml.Name `xml:"opml"`
		Version string   `xml:"version,attr"`
		Head    struct {
			Title       string `xml:"title"`
			DateCreated string `xml:"dateCreated"`
		} `xml:"head"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &shape); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	if shape.Version != "2.0" || shape.Head.Title != in.Title || shape.Head.DateCreated != "Thu, 05 Mar 2026 09:30:00 +0900" {
		t.Errorf("head = %+v", shape)
	}
	if _, err := time.Parse(time.RFC1123Z, shape.Head.DateCreated); err != nil {
		t.Errorf("dateCreated is not RFC 822: %v", err)
	}
	out, err := Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// Feeds come back grouped by folder, in the order folders first appear.
	want := []Feed{in.Feeds[0], in.Feeds[1], in.Feeds[3], in.Feeds[2], in.Feeds[4]}
	if len(out.Feeds) != len(want) {
		t.Fatalf("got %d feeds, want %d", len(out.Feeds), len(want))
	}
	for i, f := range out.Feeds {
		w := want[i]
		if f.Text != w.Text || f.Title != w.Title || f.XMLURL != w.XMLURL || f.HTMLURL != w.HTMLURL ||
			!reflect.DeepEqual(f.Categories, w.Categories) || f.Type != "rss" {
			t.Errorf("feed %d = %+v, want %+v", i, f, w)
		}
	}
	if len(out.Skipped) != 0 {
		t.Errorf("skipped = %v", out.Skipped)
	}
}

// TestWriteDropsControlCharacters: XML 1.0 cannot hold them, so they are
// left out rather than making the file unreadable.
func TestWriteDropsControlCharacters(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	doc := &Document{Title: "t\x00\x1b", Feeds: []Feed{{Text: "a\x07b", XMLURL: "https://a.example/f"}}}
	if err := Write(&buf, doc); err != nil {
		t.Fatal(err)
	}
	out, err := Parse(&buf)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if out.Title != "t" || len(out.Feeds) != 1 || out.Feeds[0].Title != "ab" {
		t.Errorf("got %q %+v", out.Title, out.Feeds)
	}
}
