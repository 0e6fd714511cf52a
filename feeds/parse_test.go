package feeds

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"
	"golang.org/x/text/encoding/korean"

	"github.com/newshound/newshound/internal/testcorpus"
)

var (
	testNow = time.Date(2024, 11, 20, 0, 0, 0, 0, time.UTC)
	seoul   = time.FixedZone("KST", 9*3600)
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustParse(t *testing.T, data []byte, contentType string) Result {
	t.Helper()
	res, err := Parse(data, contentType, "test", "", seoul, testNow)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return res
}

func itemByTitle(t *testing.T, res Result, prefix string) Item {
	t.Helper()
	for _, it := range res.Items {
		if strings.HasPrefix(it.Title, prefix) {
			return it
		}
	}
	t.Fatalf("no item titled %q in %d items", prefix, len(res.Items))
	return Item{}
}

func TestParseRSS(t *testing.T) {
	t.Parallel()
	res := mustParse(t, readFixture(t, "rss.xml"), "")
	if res.Title != "테스트 & 뉴스" {
		t.Errorf("feed title = %q", res.Title)
	}
	if res.RetryAfter != 15*time.Minute {
		t.Errorf("RetryAfter from <ttl> = %v, want 15m", res.RetryAfter)
	}
	if res.Skipped != 1 || res.Stats.SkippedReasons[SkipEmpty] != 1 {
		t.Errorf("Skipped = %d, reasons %v, want 1 empty item", res.Skipped, res.Stats.SkippedReasons)
	}
	if len(res.Items) != 5 || res.Stats.Duplicates != 1 {
		t.Fatalf("got %d items, %d duplicates, want 5 and 1 (duplicate GUID collapsed)", len(res.Items), res.Stats.Duplicates)
	}
	if res.Stats.Undated != 2 {
		t.Errorf("Undated = %d, want 2 (no date, future date)", res.Stats.Undated)
	}

	t.Run("html stripped and tracking removed", func(t *testing.T) {
		it := itemByTitle(t, res, "삼성전자")
		const canonical = "https://news.example.kr/article/1?a=1&b=2"
		if !strings.HasPrefix(it.Key, canonical+"#title=") {
			t.Errorf("key %q is not the canonical link and a title hash", it.Key)
		}
		want := Item{
			Key: it.Key, LegacyKey: canonical, Feed: "test", FeedTitle: "테스트 & 뉴스",
			Title: `삼성전자, HBM 공급 "확대"`, Summary: "첫 문단 입니다. 둘째 문단", Content: "본문 전체",
			Author: "홍길동 기자", Image: "https://News.Example.KR/img/a.jpg",
			Link:      "https://News.Example.KR/article/1?utm_source=rss&b=2&a=1&fbclid=xyz#top",
			Published: time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC), FirstSeen: testNow,
		}
		if it != want {
			t.Errorf("item =\n%+v\nwant\n%+v", it, want)
		}
	})
	t.Run("relative link, korean date, media thumbnail, first duplicate kept", func(t *testing.T) {
		it := itemByTitle(t, res, "중복 기사")
		if it.Title != "중복 기사" || it.Key != "dup-1" || it.Link != "https://news.example.kr/article/2" ||
			it.Image != "https://img.example.kr/t.png" || !it.Published.Equal(time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC)) {
			t.Errorf("item = %+v", it)
		}
	})
	t.Run("no date is undated", func(t *testing.T) {
		it := itemByTitle(t, res, "날짜 없는")
		if !it.Undated || !it.Published.IsZero() || !it.FirstSeen.Equal(testNow) || !it.Time().Equal(testNow) || it.Image != "https://img.example.kr/e.jpg" {
			t.Errorf("item = %+v", it)
		}
	})
	t.Run("future date is undated", func(t *testing.T) {
		it := itemByTitle(t, res, "미래")
		if !it.Undated || !it.Published.IsZero() {
			t.Errorf("item = %+v", it)
		}
	})
	t.Run("javascript link dropped, hash key", func(t *testing.T) {
		it := itemByTitle(t, res, "위험한")
		if it.Link != "" || !strings.HasPrefix(it.Key, "sha256:") {
			t.Errorf("item = %+v", it)
		}
	})
}

func TestParseFormats(t *testing.T) {
	t.Parallel()
	t.Run("google news source", func(t *testing.T) {
		res := mustParse(t, readFixture(t, "google_news.xml"), "application/rss+xml")
		it := res.Items[0]
		if it.Title != "반도체 수출 사상 최대 - 한국경제" || it.Author != "한국경제" || it.Key != "ABC" {
			t.Errorf("item = %+v", it)
		}
	})
	t.Run("atom", func(t *testing.T) {
		res := mustParse(t, readFixture(t, "atom.xml"), "application/atom+xml")
		want := Item{Key: "urn:example:1", Feed: "test", FeedTitle: "Example Atom", Title: "Atom entry",
			Link: "https://atom.example.com/posts/1", Summary: "Short & sweet", Author: "Jane Doe",
			Image: "https://atom.example.com/pic.webp", Published: time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC), FirstSeen: testNow}
		if len(res.Items) != 1 || res.Items[0] != want {
			t.Errorf("items = %+v", res.Items)
		}
	})
	t.Run("json feed", func(t *testing.T) {
		res := mustParse(t, readFixture(t, "feed.json"), "application/feed+json")
		if res.Title != "JSON 피드" || len(res.Items) != 2 {
			t.Fatalf("result = %+v", res)
		}
		first, second := res.Items[0], res.Items[1]
		if first.Key != "j1" || first.Content != "내용 굵게" || first.Author != "김기자" ||
			first.Image != "https://json.example.com/1.png" || !first.Published.Equal(time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC)) {
			t.Errorf("first = %+v", first)
		}
		if second.Title != "제목 없는 글의 본문" || !second.Undated {
			t.Errorf("untitled item = %+v", second)
		}
	})
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, data, want string }{
		{"malformed", string(readFixture(t, "malformed.xml")), "XML syntax error"},
		{"html page", string(readFixture(t, "notafeed.html")), "not an RSS, Atom or JSON feed"},
		{"empty", "  \n", "empty body"},
		{"truncated json", `{"version":"https://jsonfeed.org/version/1.1","items":[`, "feeds: name: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.data), "", "name", "", nil, testNow)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "feeds: name: ") {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// koreanFeed is an RSS document whose Hangul includes CP949-only syllables.
const koreanFeed = `%s<rss version="2.0"><channel><title>한글 피드</title>` +
	`<item><title>똠방각하 펲시 뉴스</title><link>https://k.example/1</link></item></channel></rss>`

func TestCharsets(t *testing.T) {
	t.Parallel()
	enc := func(s string) []byte {
		b, err := korean.EUCKR.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	prolog := func(label string) string { return `<?xml version="1.0" encoding="` + label + `"?>` }
	for _, tc := range []struct {
		name        string
		body        []byte
		contentType string
	}{
		{"utf-8", []byte(strings.Replace(koreanFeed, "%s", prolog("utf-8"), 1)), ""},
		{"utf-8 with BOM", append([]byte("\xEF\xBB\xBF"), strings.Replace(koreanFeed, "%s", "", 1)...), ""},
		{"euc-kr in prolog", enc(strings.Replace(koreanFeed, "%s", prolog("EUC-KR"), 1)), ""},
		{"cp949 alias", enc(strings.Replace(koreanFeed, "%s", prolog("cp949"), 1)), ""},
		{"ms949 alias", enc(strings.Replace(koreanFeed, "%s", prolog("MS949"), 1)), ""},
		{"x-windows-949 alias", enc(strings.Replace(koreanFeed, "%s", prolog("x-windows-949"), 1)), "text/xml"},
		{"content-type only", enc(strings.Replace(koreanFeed, "%s", `<?xml version="1.0"?>`, 1)), "application/rss+xml; charset=euc-kr"},
		{"undeclared", enc(strings.Replace(koreanFeed, "%s", "", 1)), "text/xml"},
		{"utf-8 mislabelled euc-kr", []byte(strings.Replace(koreanFeed, "%s", prolog("euc-kr"), 1)), ""},
		{"utf-8 despite content-type", []byte(strings.Replace(koreanFeed, "%s", "", 1)), "text/xml; charset=ks_c_5601-1987"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mustParse(t, tc.body, tc.contentType)
			if res.Title != "한글 피드" || len(res.Items) != 1 || res.Items[0].Title != "똠방각하 펲시 뉴스" {
				t.Errorf("title %q, items %+v", res.Title, res.Items)
			}
		})
	}
	t.Run("latin-1 undeclared", func(t *testing.T) {
		res := mustParse(t, []byte("<rss><channel><title>Caf\xe9</title><item><title>Na\xefve</title></item></channel></rss>"), "")
		if res.Title != "Café" || res.Items[0].Title != "Naïve" {
			t.Errorf("title %q, items %+v", res.Title, res.Items)
		}
	})
	t.Run("windows-1252 undeclared, not mistaken for EUC-KR", func(t *testing.T) {
		res := mustParse(t, []byte("<rss><channel><item><title>Foo</title><description>This is a \xa3\x93test.\x94</description></item></channel></rss>"), "")
		if got := res.Items[0].Summary; got != "This is a £“test.”" {
			t.Errorf("summary %q", got)
		}
	})
	t.Run("C1 controls read as windows-1252", func(t *testing.T) {
		res := mustParse(t, []byte("<rss><channel><item><title>don\u0092t</title></item></channel></rss>"), "")
		if got := res.Items[0].Title; got != "don’t" {
			t.Errorf("title %q", got)
		}
	})
	t.Run("utf-16 with BOM", func(t *testing.T) {
		s := strings.Replace(koreanFeed, "%s", prolog("UTF-16"), 1)
		u := []byte{0xFF, 0xFE}
		for _, r := range s {
			u = append(u, byte(r), byte(r>>8))
		}
		if res := mustParse(t, u, ""); res.Title != "한글 피드" {
			t.Errorf("title %q", res.Title)
		}
	})
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 11, 19, 7, 0, 0, 0, time.UTC) // 16:00 in Seoul
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	gofeedUTC := utc(2024, 11, 19, 10, 0, 0) // what gofeed makes of a KST wall clock
	for _, tc := range []struct {
		raw    string
		parsed *time.Time
		want   time.Time
	}{
		{"Tue, 19 Nov 2024 10:00:00 KST", &gofeedUTC, utc(2024, 11, 19, 1, 0, 0)},
		{"Tue, 19 Nov 2024 10:00:00 kst", nil, utc(2024, 11, 19, 1, 0, 0)},
		{"Tue, 19 Nov 2024 10:00:00", &gofeedUTC, utc(2024, 11, 19, 1, 0, 0)},
		{"Tue, 19 Nov 2024 10:00:00 +0000", nil, utc(2024, 11, 19, 10, 0, 0)},
		{"2024.11.19 10:00", nil, utc(2024, 11, 19, 1, 0, 0)},
		{"2024-11-19 10:00:00", &gofeedUTC, utc(2024, 11, 19, 1, 0, 0)},
		{"2024.11.19", nil, utc(2024, 11, 18, 15, 0, 0)},
		{"2024년 11월 19일 10:00", nil, utc(2024, 11, 19, 1, 0, 0)},
		{"2024년 11월 19일 (화) 오후 3:04", nil, utc(2024, 11, 19, 6, 4, 0)},
		{"2024. 11. 19. 오전 12:30:15", nil, utc(2024, 11, 18, 15, 30, 15)},
		{"2024/11/19 10:00", nil, utc(2024, 11, 19, 1, 0, 0)},
		{"2024-11-19T10:00:00.500Z", nil, time.Date(2024, 11, 19, 10, 0, 0, 5e8, time.UTC)},
		{"2024-11-19T10:00:00+09:00", nil, utc(2024, 11, 19, 1, 0, 0)},
		{"2024-11-19 10:00 KST", nil, utc(2024, 11, 19, 1, 0, 0)},
		{"2024-11-19 10:00:00 -0500", nil, utc(2024, 11, 19, 15, 0, 0)},
		{"오후 3:04", nil, utc(2024, 11, 19, 6, 4, 0)},
		{"오후 11:30", nil, utc(2024, 11, 18, 14, 30, 0)}, // later than now: yesterday
		{"Mon, 18 Nov 2024 20:00:00 EST", ptr(utc(2024, 11, 19, 1, 0, 0)), utc(2024, 11, 19, 1, 0, 0)},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			got, ok := parseDate(tc.raw, tc.parsed, seoul, now)
			if !ok || !got.Equal(tc.want) {
				t.Errorf("parseDate(%q) = %v, %v; want %v", tc.raw, got.UTC(), ok, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "soon", "2024.13.01", "2024-02-30 10:00", "2024.11.19 25:00", "오후 13:00"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if got, ok := parseDate(bad, nil, seoul, now); ok {
				t.Errorf("parseDate(%q) = %v, want failure", bad, got)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestCanonicalURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"HTTPS://Example.COM:443/a?utm_source=x&utm_medium=y&id=3&b=1#frag", "https://example.com/a?b=1&id=3"},
		{"http://example.com:80", "http://example.com/"},
		{"https://example.com/p?fbclid=1&gclid=2&MC_CID=3", "https://example.com/p"},
		{"https://user:pw@example.com:8443/x?q=%ED%95%9C", "https://example.com:8443/x?q=%ED%95%9C"},
		{"/relative/path", ""},
		{"mailto:a@example.com", ""},
		{"javascript:alert(1)", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := CanonicalURL(tc.in); got != tc.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"<p>a</p><p>b</p>", "a b"},
		{"x &amp; y &lt;z&gt; &quot;q&quot; &#xD55C;", `x & y <z> "q" 한`},
		{"a<br/>b", "a b"},
		{"<style>p{}</style><script>var x=1</script>text<noscript>no</noscript>", "text"},
		{"  many \t\n spaces\u00a0here\u200b ", "many spaces here"},
		{"a < b and c > d", "a < b and c > d"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"ctl\x00\x07chars", "ctl chars"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := plainText(tc.in); got != tc.want {
				t.Errorf("plainText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("가", 1200)
	if got := truncate(long, 1000); utf8.RuneCountInString(got) != 1000 || !strings.HasSuffix(got, "…") {
		t.Errorf("truncate gave %d runes", utf8.RuneCountInString(got))
	}
	if got := truncate("aaaa bbbb cccc dddd eeee ffff", 27); got != "aaaa bbbb cccc dddd eeee…" {
		t.Errorf("truncate = %q", got)
	}
	if got := truncate("short", 10); got != "short" {
		t.Errorf("truncate = %q", got)
	}
}

// sharedFeeds returns ../../shared/feeds or skips the test.
func sharedFeeds(t testing.TB) string {
	dir := filepath.Join("..", "..", "shared", "feeds")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared feed corpus absent (%s): %v", dir, err)
	}
	return dir
}

func hasHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

var headerContentType = regexp.MustCompile(`(?m)^Header:\s*Content-type:\s*(.+?)\s*$`)

// feedExts are the file extensions of feed bodies in the shared corpus.
var feedExts = map[string]bool{".xml": true, ".rss": true, ".atom": true, ".json": true, ".rdf": true, ".feed": true}

// TestCorpus runs every shared feed through Parse: no panic, valid UTF-8
// text, an id and a non-empty title on every item, every entry gofeed
// returned accounted for (an item, a duplicate or a counted skip), no
// invisible formatting characters left, and Hangul titles from the Korean
// feeds.
func TestCorpus(t *testing.T) {
	t.Parallel() // a read-only corpus sweep: the sweeps share the cores
	dir := sharedFeeds(t)
	var total, files, parsed, entries, items, dups, skipped, undated int
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !feedExts[filepath.Ext(path)] {
			return err
		}
		if total++; !testcorpus.SweepFile(path) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		contentType := "" // feedparser cases name the HTTP header they were served with
		if m := headerContentType.FindSubmatch(data); m != nil {
			contentType = string(m[1])
		}
		res, err := Parse(data, contentType, path, "https://corpus.example/feeds/"+filepath.Base(path), seoul, testNow)
		if err != nil {
			return nil // a malformed case; it must only not panic
		}
		parsed++
		feed, _, err := parseBody(data, contentType)
		if err != nil {
			t.Fatalf("%s: Parse succeeded, parseBody failed: %v", path, err)
		}
		reasons := 0
		for _, n := range res.Stats.SkippedReasons {
			reasons += n
		}
		if got := len(res.Items) + res.Stats.Duplicates + res.Skipped; got != len(feed.Items) || reasons != res.Skipped {
			t.Errorf("%s: %d items + %d duplicates + %d skipped (%v) != %d entries", path,
				len(res.Items), res.Stats.Duplicates, res.Skipped, res.Stats.SkippedReasons, len(feed.Items))
		}
		entries += len(feed.Items)
		items += len(res.Items)
		dups += res.Stats.Duplicates
		skipped += res.Skipped
		undated += res.Stats.Undated
		if !utf8.ValidString(res.Title) {
			t.Errorf("%s: invalid UTF-8 feed title %q", path, res.Title)
		}
		keys := map[string]bool{}
		for _, it := range res.Items {
			if it.Key == "" || keys[it.Key] {
				t.Errorf("%s: empty or repeated key in %+v", path, it)
			}
			keys[it.Key] = true
			if strings.TrimSpace(it.Title) == "" {
				t.Errorf("%s: empty title in %+v", path, it)
			}
			if it.Undated != it.Published.IsZero() || !it.FirstSeen.Equal(testNow) {
				t.Errorf("%s: undated %v but published %v, first seen %v", path, it.Undated, it.Published, it.FirstSeen)
			}
			for _, s := range []string{it.Key, it.Title, it.Link, it.Summary, it.Content, it.Author, it.Image, it.FeedTitle} {
				if !utf8.ValidString(s) {
					t.Errorf("%s: invalid UTF-8 %q", path, s)
				}
			}
			for _, s := range []string{it.Title, it.Summary, it.Content, it.Author, it.Source, it.FeedTitle} {
				if i := strings.IndexFunc(s, isHiddenFormat); i >= 0 {
					t.Errorf("%s: invisible %U left in %q", path, []rune(s[i:])[0], s)
				}
			}
		}
		if strings.Contains(path, filepath.Join("korean", "knews-rss")) || strings.Contains(path, "google-news") {
			// Some outlets run English articles, so most titles, not all,
			// must be Hangul; none may carry a decoding error.
			hangul := 0
			for _, it := range res.Items {
				if hasHangul(it.Title) {
					hangul++
				}
				if strings.ContainsRune(it.Title, utf8.RuneError) {
					t.Errorf("%s: undecodable title %q", path, it.Title)
				}
			}
			if len(res.Items) == 0 || hangul*10 < len(res.Items)*8 {
				t.Errorf("%s: %d of %d titles in Hangul", path, hangul, len(res.Items))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d parsed, %d entries: %d items, %d duplicates, %d skipped; %d undated", files, parsed, entries, items, dups, skipped, undated)
	testcorpus.Note(t, files, total)
	if files < 100 || items == 0 {
		t.Errorf("corpus too small: %d files, %d items", files, items)
	}
}

// isHiddenFormat reports the invisible characters plainText removes
// wherever they occur (the joiners it keeps in context are not listed).
func isHiddenFormat(r rune) bool {
	switch {
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069',
		r == '\u200b', r == '\u200e', r == '\u200f', r == '\ufeff', r == '\u2060', r == '\u180e', r == '\u061c':
		return true
	}
	return false
}

// TestCorpusEUCKR checks the feedparser EUC-KR cases against their header
// comments: each expects 년 (U+B144), or Hangul for the undeclared one.
func TestCorpusEUCKR(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(sharedFeeds(t), "korean", "feedparser-euckr")
	for _, tc := range []struct {
		file string
		got  func(Result) string
		want string
	}{
		{"euc-kr.xml", func(r Result) string { return r.Title }, "년"},
		{"euc-kr-item.xml", func(r Result) string { return r.Items[0].Summary }, "년"},
		{"euckr.xml", func(r Result) string { return r.Items[0].Title }, "EUC-KR 에서 TypeKey 한글닉네임 표시하기"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			res := mustParse(t, data, "")
			if got := tc.got(res); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("euc-kr-attribute.xml", func(t *testing.T) {
		// The Hangul sits in an HTML attribute, which plain text drops, so
		// check the decoded document instead.
		data, err := os.ReadFile(filepath.Join(dir, "euc-kr-attribute.xml"))
		if err != nil {
			t.Fatal(err)
		}
		if out := toUTF8(data, ""); !bytes.Contains(out, []byte(`alt="년"`)) || !bytes.Contains(out, []byte(`encoding="UTF-8"`)) {
			t.Errorf("decoded = %s", out)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"rss.xml", "atom.xml", "feed.json", "google_news.xml", "malformed.xml"} {
		f.Add(readFixture(f, name), "")
	}
	f.Add([]byte(`<?xml version="1.0" encoding="cp949"?><rss><channel><item><title>`+"\xb0\xa1"+`</title></item></channel></rss>`), "text/xml; charset=euc-kr")
	f.Fuzz(func(t *testing.T, data []byte, contentType string) {
		res, err := Parse(data, contentType, "fuzz", "https://fuzz.example/feed", seoul, testNow)
		if err != nil {
			return
		}
		if feed, _, err := parseBody(data, contentType); err != nil || len(res.Items)+res.Stats.Duplicates+res.Skipped != len(feed.Items) {
			t.Errorf("entries not accounted for: %d items, %d duplicates, %d skipped", len(res.Items), res.Stats.Duplicates, res.Skipped)
		}
		for _, it := range res.Items {
			if it.Key == "" || strings.TrimSpace(it.Title) == "" {
				t.Errorf("empty key or title: %+v", it)
			}
			for _, s := range []string{it.Title, it.Summary, it.Content, it.Author, it.Link, it.Image, it.Key} {
				if !utf8.ValidString(s) {
					t.Errorf("invalid UTF-8 %q", s)
				}
			}
		}
	})
}

func BenchmarkParseKnewsAll(b *testing.B) {
	path := filepath.Join(sharedFeeds(b), "korean", "knews-rss", "categories", "_all_.xml")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("%s absent: %v", path, err)
	}
	b.SetBytes(int64(len(data)))
	items := 0
	for b.Loop() {
		res, err := Parse(data, "", "bench", "", seoul, testNow)
		if err != nil {
			b.Fatal(err)
		}
		items += len(res.Items)
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
}

// TestContentImageAsGofeed parses every RSS feed of the test data and
// the shared corpus twice, with gofeed's own scan of item HTML for a
// first <img> and with the scan left to contentImage, and checks that
// every item gets the same picture.
func TestContentImageAsGofeed(t *testing.T) {
	t.Parallel() // a read-only corpus sweep, as TestCorpus
	dirs := []string{"testdata"}
	if _, err := os.Stat(filepath.Join("..", "..", "shared", "feeds")); err == nil {
		dirs = append(dirs, filepath.Join("..", "..", "shared", "feeds"))
	}
	base, _ := url.Parse("https://corpus.example/feeds/")
	var items, fromHTML int
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !feedExts[filepath.Ext(path)] {
				return err
			}
			if !testcorpus.SweepFile(path) {
				return nil // a race build reads a sample, as the other sweeps
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			text, _ := decodeBody(data, "")
			if isJSON(text) {
				return nil
			}
			guarded, _, err := guardXML(text)
			if err != nil {
				return nil
			}
			ours, err := parseFeed(guarded)
			if err != nil {
				return nil
			}
			p := gofeed.NewParser()
			p.KeepOriginalFeed = true
			theirs, err := p.Parse(bytes.NewReader(guarded))
			if err != nil || len(theirs.Items) != len(ours.Items) {
				t.Errorf("%s: gofeed with its image scan: %v, %d items against %d", path, err, len(theirs.Items), len(ours.Items))
				return nil
			}
			rf, ok := ours.OriginalFeed().(*rss.Feed)
			if !ok {
				return nil
			}
			for i, it := range ours.Items {
				if it == nil || i >= len(rf.Items) {
					continue
				}
				items++
				want := itemImage(theirs.Items[i], nil, base) // gofeed's choice as it was
				if got := itemImage(it, rf.Items[i], base); got != want {
					t.Errorf("%s: item %d: image %q, gofeed's scan %q", path, i, got, want)
				}
				if it.Image == nil && theirs.Items[i].Image != nil {
					fromHTML++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d RSS items, %d with a picture from their HTML", items, fromHTML)
	if fromHTML == 0 {
		t.Error("no item took its picture from its HTML: the test compares nothing")
	}
}
