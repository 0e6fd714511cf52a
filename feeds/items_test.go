package feeds

import (
	"encoding/xml"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/newshound/newshound/internal/testcorpus"
)

// rssDoc wraps items in an RSS 2.0 channel that declares the usual
// namespaces.
func rssDoc(channel, items string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:a03="http://purl.org/atom/ns#" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>` +
		channel + items + `</channel></rss>`)
}

// parseDoc parses a document read from feedURL ("" for none).
func parseDoc(t *testing.T, data []byte, feedURL string) Result {
	t.Helper()
	res, err := Parse(data, "", "feed-name", feedURL, seoul, testNow)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, data)
	}
	return res
}

// checkAccounting asserts that every entry gofeed returned is an item, a
// duplicate or a counted skip.
func checkAccounting(t *testing.T, data []byte, res Result) {
	t.Helper()
	feed, _, err := parseBody(data, "")
	if err != nil {
		t.Fatal(err)
	}
	reasons := 0
	for _, n := range res.Stats.SkippedReasons {
		reasons += n
	}
	if got := len(res.Items) + res.Stats.Duplicates + res.Skipped; got != len(feed.Items) || reasons != res.Skipped {
		t.Errorf("%d items + %d duplicates + %d skipped (%v) != %d entries",
			len(res.Items), res.Stats.Duplicates, res.Skipped, res.Stats.SkippedReasons, len(feed.Items))
	}
}

func TestItemFaces(t *testing.T) {
	t.Parallel()
	longText := strings.Repeat("긴 설명 문장이 마침표 없이 이어지고 ", 20)
	for _, tc := range []struct {
		name string
		data []byte
		want []string // titles, in order
		skip int      // entries skipped as empty
	}{
		{"rss summary's first sentence", rssDoc(`<title>T</title>`,
			`<item><description>&lt;p&gt;First sentence here. Second one.&lt;/p&gt;</description><link>https://example.com/a</link></item>`),
			[]string{"First sentence here."}, 0},
		{"rss long summary cut at a word", rssDoc(`<title>T</title>`,
			`<item><description>`+longText+`</description></item>`),
			[]string{truncateAtWord(longText)}, 0},
		{"rss content when no summary", rssDoc(`<title>T</title>`,
			`<item><content:encoded>&lt;p&gt;본문의 첫 문장이다. 둘째.&lt;/p&gt;</content:encoded><guid>g1</guid></item>`),
			[]string{"본문의 첫 문장이다."}, 0},
		{"rss link's host and path", rssDoc(`<title>T</title>`,
			`<item><link>https://Example.com/2024/11/story/?utm_source=x</link></item>`),
			[]string{"example.com/2024/11/story"}, 0},
		{"rss percent-encoded Korean path", rssDoc(`<title>T</title>`,
			`<item><link>https://news.example.kr/%EA%B8%B0%EC%82%AC/1</link></item>`),
			[]string{"news.example.kr/기사/1"}, 0},
		{"rss id only, feed title", rssDoc(`<title>Daily &amp; News</title>`,
			`<item><guid isPermaLink="false">abc-123</guid></item>`),
			[]string{"Daily & News item abc-123"}, 0},
		{"rss id only, feed name", rssDoc(``,
			`<item><guid isPermaLink="false">abc-123</guid></item>`),
			[]string{"feed-name item abc-123"}, 0},
		{"rss nothing usable", rssDoc(`<title>T</title>`,
			`<item><author>a@example.com</author><pubDate>Tue, 19 Nov 2024 10:00:00 +0900</pubDate></item><item></item><item><title>kept</title></item>`),
			[]string{"kept"}, 2},
		{"atom content only", []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><id>urn:1</id><content type="html">&lt;p&gt;Atom body. More.&lt;/p&gt;</content></entry>
<entry><content type="text">Anonymous content. Here.</content></entry></feed>`),
			[]string{"Atom body.", "Anonymous content."}, 0},
		{"json feed id only", []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"제이슨",
"items":[{"id":"j-7"},{"id":"j-8","content_text":"텍스트만 있는 글."},{"content_html":""}]}`),
			[]string{"제이슨 item j-7", "텍스트만 있는 글."}, 1},
		{"hostile title is cleaned before it is a face", rssDoc(`<title>T</title>`,
			`<item><description>`+"\u202Egnp.exe 파일. 끝"+`</description></item>`),
			[]string{"gnp.exe 파일."}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := parseDoc(t, tc.data, "")
			checkAccounting(t, tc.data, res)
			var got []string
			for _, it := range res.Items {
				got = append(got, it.Title)
				if it.Key == "" {
					t.Errorf("empty key: %+v", it)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("titles %q, want %q", got, tc.want)
			}
			if res.Skipped != tc.skip || res.Stats.SkippedReasons[SkipEmpty] != tc.skip {
				t.Errorf("skipped %d (%v), want %d empty", res.Skipped, res.Stats.SkippedReasons, tc.skip)
			}
		})
	}
}

// truncateAtWord is what a face of text without a sentence end looks
// like: at most faceRunes runes, cut after a whole word, with "…".
func truncateAtWord(s string) string {
	words := strings.Fields(s)
	out := ""
	for _, w := range words {
		next := strings.TrimSpace(out + " " + w)
		if utf8.RuneCountInString(next)+1 > faceRunes {
			break
		}
		out = next
	}
	return out + "…"
}

func TestItemDates(t *testing.T) {
	t.Parallel()
	now := testNow
	utc := func(y int, mo time.Month, d, h int) time.Time { return time.Date(y, mo, d, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		item string
		want time.Time // zero: undated
	}{
		{"pubDate", `<pubDate>Tue, 19 Nov 2024 10:00:00 +0900</pubDate>`, utc(2024, 11, 19, 1)},
		{"no date", ``, time.Time{}},
		{"unreadable", `<pubDate>soon</pubDate>`, time.Time{}},
		{"future", `<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate>`, time.Time{}},
		{"future pubDate, readable dc:date", `<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate><dc:date>2024-11-18T10:00:00Z</dc:date>`, utc(2024, 11, 18, 10)},
		{"dc:date", `<dc:date>2024-11-18T10:00:00Z</dc:date>`, utc(2024, 11, 18, 10)},
		{"dcterms:issued", `<dcterms:issued>2024-11-17T10:00:00Z</dcterms:issued>`, utc(2024, 11, 17, 10)},
		{"dcterms:modified", `<dcterms:modified>2024-11-16T10:00:00Z</dcterms:modified>`, utc(2024, 11, 16, 10)},
		{"dcterms:created", `<dcterms:created>2024-11-15T10:00:00Z</dcterms:created>`, utc(2024, 11, 15, 10)},
		{"issued before modified", `<dcterms:modified>2024-11-16T10:00:00Z</dcterms:modified><dcterms:issued>2024-11-17T10:00:00Z</dcterms:issued>`, utc(2024, 11, 17, 10)},
		{"atom 0.3 issued as an extension", `<a03:issued>2024-11-14T10:00:00Z</a03:issued>`, utc(2024, 11, 14, 10)},
		{"atom 0.3 created as an extension", `<a03:created>2024-11-13T10:00:00Z</a03:created>`, utc(2024, 11, 13, 10)},
		{"unknown issued element", `<issued>2024-11-12T10:00:00Z</issued>`, utc(2024, 11, 12, 10)},
		{"future dcterms only", `<dcterms:issued>2100-01-01T00:00:00Z</dcterms:issued>`, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := rssDoc(`<title>T</title>`, `<item><title>x</title><link>https://d.example/1</link>`+tc.item+`</item>`)
			res := parseDoc(t, data, "")
			if len(res.Items) != 1 {
				t.Fatalf("items %+v", res.Items)
			}
			it := res.Items[0]
			if !it.Published.Equal(tc.want) || it.Undated != tc.want.IsZero() || !it.FirstSeen.Equal(now) {
				t.Errorf("published %v, undated %v, first seen %v; want %v", it.Published, it.Undated, it.FirstSeen, tc.want)
			}
			if wantUndated := 0; tc.want.IsZero() {
				wantUndated = 1
				if res.Stats.Undated != wantUndated || !it.Time().Equal(now) {
					t.Errorf("Stats.Undated %d, Time %v", res.Stats.Undated, it.Time())
				}
			} else if res.Stats.Undated != wantUndated || !it.Time().Equal(tc.want) {
				t.Errorf("Stats.Undated %d, Time %v", res.Stats.Undated, it.Time())
			}
		})
	}
	t.Run("atom 0.3 feed", func(t *testing.T) {
		data := []byte(`<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>old</title>
<entry><title>issued</title><id>1</id><issued>2024-11-10T10:00:00Z</issued></entry>
<entry><title>modified</title><id>2</id><modified>2024-11-11T10:00:00Z</modified></entry></feed>`)
		res := parseDoc(t, data, "")
		if len(res.Items) != 2 || !res.Items[0].Published.Equal(utc(2024, 11, 10, 10)) || !res.Items[1].Published.Equal(utc(2024, 11, 11, 10)) {
			t.Errorf("items %+v", res.Items)
		}
	})
}

func TestItemKeysStable(t *testing.T) {
	t.Parallel()
	data := rssDoc(`<title>T</title>`, `
<item><title>undated, no link</title></item>
<item><description>untitled and undated</description></item>
<item><title>undated with link</title><link>https://s.example/1</link></item>
<item><guid isPermaLink="false">only-id</guid></item>`)
	first := parseDoc(t, data, "")
	later, err := Parse(data, "", "feed-name", "", seoul, testNow.Add(36*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 4 || len(later.Items) != 4 {
		t.Fatalf("items %d and %d, want 4", len(first.Items), len(later.Items))
	}
	for i := range first.Items {
		a, b := first.Items[i], later.Items[i]
		if a.Key != b.Key || !a.Undated || !a.Published.IsZero() || b.FirstSeen.Equal(a.FirstSeen) {
			t.Errorf("poll 1 %+v\npoll 2 %+v", a, b)
		}
	}
}

func TestItemIdentity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		items  string
		titles []string
		dups   int
		legacy []bool // whether each item carries a LegacyKey
	}{
		{"episodes sharing one link stay apart", `
<item><title>Episode 1</title><link>https://pod.example/show</link></item>
<item><title>Episode 2</title><link>https://pod.example/show</link></item>
<item><title>Episode 3</title><link>https://pod.example/show?utm_source=rss</link></item>`,
			[]string{"Episode 1", "Episode 2", "Episode 3"}, 0, []bool{false, false, false}},
		{"same link and title is one item", `
<item><title>Same</title><link>https://s.example/1</link></item>
<item><title>Same</title><link>https://s.example/1#again</link></item>`,
			[]string{"Same"}, 1, []bool{true}},
		{"same id, different titles, is one item", `
<item><title>First</title><guid isPermaLink="false">g</guid></item>
<item><title>Second</title><guid isPermaLink="false">g</guid></item>`,
			[]string{"First"}, 1, []bool{false}},
		{"different ids, same link, stay apart", `
<item><title>A</title><guid isPermaLink="false">1</guid><link>https://s.example/x</link></item>
<item><title>A</title><guid isPermaLink="false">2</guid><link>https://s.example/x</link></item>`,
			[]string{"A", "A"}, 0, []bool{false, false}},
		{"NFD and NFC titles are one", `
<item><title>` + norm.NFD.String("한글 제목") + `</title><link>https://s.example/k</link></item>
<item><title>한글 제목</title><link>https://s.example/k</link></item>`,
			[]string{"한글 제목"}, 1, []bool{true}},
		{"untitled posts that start alike stay apart", `
<item><description>같은 첫 문장. 다른 내용 하나</description></item>
<item><description>같은 첫 문장. 다른 내용 둘</description></item>`,
			[]string{"같은 첫 문장.", "같은 첫 문장."}, 0, []bool{false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := rssDoc(`<title>T</title>`, tc.items)
			res := parseDoc(t, data, "")
			checkAccounting(t, data, res)
			if res.Stats.Duplicates != tc.dups {
				t.Errorf("duplicates %d, want %d", res.Stats.Duplicates, tc.dups)
			}
			if len(res.Items) != len(tc.titles) {
				t.Fatalf("items %+v, want titles %q", res.Items, tc.titles)
			}
			again := parseDoc(t, data, "")
			keys := map[string]bool{}
			for i, it := range res.Items {
				if it.Title != tc.titles[i] || keys[it.Key] || it.Key != again.Items[i].Key {
					t.Errorf("item %d = %+v (key repeated or unstable)", i, it)
				}
				keys[it.Key] = true
				if (it.LegacyKey != "") != tc.legacy[i] || it.LegacyKey != "" && it.LegacyKey != CanonicalURL(it.Link) {
					t.Errorf("item %d legacy key %q, want set %v", i, it.LegacyKey, tc.legacy[i])
				}
			}
		})
	}
}

func TestRelativeLinks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, channel, feedURL, link, want string
	}{
		{"feed address when no home page", ``, "https://news.example/rss/all.xml", "/a/1", "https://news.example/a/1"},
		{"feed address, relative to its directory", ``, "https://news.example/rss/all.xml", "a/1", "https://news.example/rss/a/1"},
		{"home page first", `<link>https://site.example/blog/</link>`, "https://news.example/rss.xml", "post-1", "https://site.example/blog/post-1"},
		{"relative home page against the feed address", `<link>/home/</link>`, "https://news.example/rss.xml", "p", "https://news.example/home/p"},
		{"non-http home page ignored", `<link>javascript:void(0)</link>`, "https://news.example/rss.xml", "/p", "https://news.example/p"},
		{"credentials never copied", ``, "https://user:secret@news.example/rss.xml", "/p", "https://news.example/p"},
		{"absolute link unchanged", `<link>https://site.example/</link>`, "https://news.example/rss.xml", "https://other.example/x", "https://other.example/x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := rssDoc(`<title>T</title>`+tc.channel, `<item><link>`+tc.link+`</link></item>`)
			res := parseDoc(t, data, tc.feedURL)
			if len(res.Items) != 1 || res.Items[0].Link != tc.want {
				t.Errorf("items %+v, want link %q", res.Items, tc.want)
			}
		})
	}
	t.Run("no base: kept, titled by the path", func(t *testing.T) {
		data := rssDoc(`<title>T</title>`, `<item><link>/news/2024/1</link></item><item><link>/news/2024/2</link></item>`)
		res := parseDoc(t, data, "")
		if len(res.Items) != 2 || res.Items[0].Title != "news/2024/1" || res.Items[0].Link != "" || res.Items[0].Key == res.Items[1].Key {
			t.Errorf("items %+v", res.Items)
		}
	})
}

func TestHostileText(t *testing.T) {
	t.Parallel()
	data := rssDoc("<title>\u202Egnp.exe 피드</title>", "<item>"+
		"<title>\uFEFF\u2067속보\u2069 abc\u200bdef \u202Etxt.exe</title>"+
		"<link>https://h.example/1</link>"+
		"<description>&lt;p&gt;\u200E본문\u200F 👩\u200D💻 a\u200Db&lt;/p&gt;</description>"+
		"<content:encoded>&amp;#x202E;역순 &#x2066;격리&#x2069;</content:encoded>"+
		"<dc:creator>\u202E기자\u202C</dc:creator>"+
		"<source url=\"https://src.example/\">\u2068출처\u2069</source></item>")
	res := parseDoc(t, data, "")
	if len(res.Items) != 1 {
		t.Fatalf("items %+v", res.Items)
	}
	it := res.Items[0]
	for _, c := range []struct{ field, got, want string }{
		{"feed title", res.Title, "gnp.exe 피드"},
		{"title", it.Title, "속보 abc def txt.exe"},
		{"summary", it.Summary, "본문 👩\u200D💻 ab"},
		{"content", it.Content, "역순 격리"},
		{"author", it.Author, "기자"},
		{"source", it.Source, "출처"},
		{"item feed title", it.FeedTitle, "gnp.exe 피드"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}

func TestFullText(t *testing.T) {
	t.Parallel()
	// A keyword in the last paragraph of a long article, far past any
	// display cap, is kept for matching.
	para := strings.Repeat("반도체 시장은 오늘도 움직였다. ", 400)
	data := rssDoc(`<title>T</title>`, `<item><title>`+strings.Repeat("긴 제목 ", 300)+`</title><link>https://f.example/1</link>`+
		`<description>`+html.EscapeString("<p>"+para+"</p><p>마지막 문단에 오픈소스 언급.</p>")+`</description>`+
		`<content:encoded>`+html.EscapeString("<p>"+para+para+"</p><p>본문 끝의 트럼프.</p>")+`</content:encoded></item>`)
	res := parseDoc(t, data, "")
	it := res.Items[0]
	if !strings.HasSuffix(it.Summary, "오픈소스 언급.") || !strings.HasSuffix(it.Content, "트럼프.") {
		t.Errorf("summary ends %q, content ends %q", tail(it.Summary), tail(it.Content))
	}
	if n := utf8.RuneCountInString(it.Title); n > maxTitleRunes || n < 1000 {
		t.Errorf("title has %d runes, want the whole title up to %d", n, maxTitleRunes)
	}
	body := it.Body()
	if !strings.Contains(body, "오픈소스") || !strings.HasSuffix(body, "트럼프.") || !strings.Contains(body, "\n") {
		t.Errorf("body does not hold summary and content: %q", tail(body))
	}
	at := strings.Index(body, "트럼프")
	if got := Snippet(body, at, 50); got != "본문 끝의 트럼프." {
		t.Errorf("Snippet = %q", got)
	}
}

func tail(s string) string {
	r := []rune(s)
	return string(r[max(0, len(r)-30):])
}

func TestItemBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ summary, content, want string }{
		{"요약", "", "요약"},
		{"", "본문", "본문"},
		{"같은 글", "같은 글", "같은 글"},
		{"요약과 본문", "본문", "요약과 본문"},
		{"요약", "본문", "요약\n본문"},
	} {
		if got := (Item{Summary: tc.summary, Content: tc.content}).Body(); got != tc.want {
			t.Errorf("Body(%q, %q) = %q, want %q", tc.summary, tc.content, got, tc.want)
		}
	}
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// TestKoreanFullText checks real Korean feeds, among them sisain.xml with
// decomposed Hangul and repeated GUIDs: repeated GUIDs become duplicates
// (the corpus repeats identical entries), every item is NFC, and every
// word of every entry's title, description and content, extracted here
// independently, is in its item's title or body.
func TestKoreanFullText(t *testing.T) {
	t.Parallel() // a read-only corpus sweep: the sweeps share the cores
	dir := filepath.Join(sharedFeeds(t), "korean", "knews-rss")
	for _, name := range []string{"publishers/sisain.xml", "categories/tech.xml", "khan-_all_.xml"} {
		t.Run(name, func(t *testing.T) {
			if !testcorpus.KeepFile(filepath.Join(dir, name)) {
				t.Skipf("race build: %s is over %d KB; without -race it is read", name, testcorpus.RaceMaxBytes>>10)
			}
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Skipf("absent: %v", err)
			}
			var doc struct {
				Items []struct {
					Title   string `xml:"title"`
					GUID    string `xml:"guid"`
					Desc    string `xml:"description"`
					Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
				} `xml:"channel>item"`
			}
			if err := xml.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			res := parseDoc(t, data, "")
			checkAccounting(t, data, res)
			guids := map[string]bool{}
			for _, e := range doc.Items {
				guids[strings.TrimSpace(e.GUID)] = true
			}
			if len(res.Items) != len(guids) || res.Stats.Duplicates != len(doc.Items)-len(guids) {
				t.Errorf("%d items, %d duplicates; want %d distinct GUIDs of %d entries", len(res.Items), res.Stats.Duplicates, len(guids), len(doc.Items))
			}
			byKey := map[string]Item{}
			for _, it := range res.Items {
				byKey[it.Key] = it
				for _, s := range []string{it.Title, it.Summary, it.Content} {
					if !norm.NFC.IsNormalString(s) {
						t.Errorf("%s: text not NFC: %.60q", it.Key, s)
					}
				}
			}
			missing := 0
			for _, e := range doc.Items {
				it := byKey[strings.TrimSpace(e.GUID)]
				text := it.Title + " " + it.Body()
				// Most words are words of the item's text: the set answers
				// them at once, and only the others are searched for.
				words := map[string]bool{}
				for _, w := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
					words[w] = true
				}
				for _, raw := range []string{e.Title, e.Desc, e.Content} {
					ref := norm.NFC.String(html.UnescapeString(tagPattern.ReplaceAllString(raw, " ")))
					for _, w := range strings.FieldsFunc(ref, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
						// A broken numeric reference ("&#1" cut short) is
						// read by HTML rules as a control character.
						if w = strings.Trim(w, "\uFEFF\u200B"); w != "" && !strings.Contains(w, "&#") && !words[w] && !strings.Contains(text, w) {
							missing++
							if missing <= 5 {
								t.Errorf("%s: %q not in the item", e.GUID, w)
							}
						}
					}
				}
			}
			if missing > 0 {
				t.Errorf("%d words missing", missing)
			}
		})
	}
}
