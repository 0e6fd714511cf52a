package feeds

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/newshound/newshound/internal/testcorpus"
)

// rssOf wraps items in an RSS 2.0 channel.
func rssOf(items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>채널</title><link>https://news.example.kr/</link>` +
		strings.Join(items, "\n") + `</channel></rss>`
}

func titlesOf(f *gofeed.Feed) []string {
	var ts []string
	for _, it := range f.Items {
		ts = append(ts, it.Title)
	}
	return ts
}

// TestForbiddenChars covers characters XML forbids, raw and as references,
// which gofeed otherwise refuses a whole feed for.
func TestForbiddenChars(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, title string
		want        string
		forbidden   int
	}{
		{"raw control", "속보\x01 발표", "속보 발표", 1},
		{"raw NUL, VT, FF, US", "a\x00b\x0bc\x0cd\x1fe", "abcde", 4},
		{"decimal reference", "속보&#31; 발표", "속보 발표", 1},
		{"hex reference", "속보&#x1F; 발표", "속보 발표", 1},
		{"NUL reference", "속보&#0; 발표", "속보 발표", 1},
		{"leading zeros", "속보&#00031; 발표", "속보 발표", 1},
		{"U+FFFE reference", "속보&#xFFFE; 발표", "속보 발표", 1},
		{"raw U+FFFF", "속보\uFFFF 발표", "속보 발표", 1},
		{"allowed references kept", "a&#9;b&#x7F;c&#38;", "a\tb\u007fc&", 0},
		{"reference in CDATA is text", "<![CDATA[속보&#31; 발표]]>", "속보&#31; 발표", 0},
		{"raw control in CDATA", "<![CDATA[속보\x01 발표]]>", "속보 발표", 1},
		{"reference in a comment", "속보<!-- &#1; -->발표", "속보<!--  -->발표", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := rssOf(`<item><title>`+tc.title+`</title><link>https://news.example.kr/1</link></item>`,
				`<item><title>둘째</title></item>`)
			feed, rep, err := parseBodyReport([]byte(body), "")
			if err != nil {
				t.Fatal(err)
			}
			if got := titlesOf(feed); fmt.Sprint(got) != fmt.Sprint([]string{tc.want, "둘째"}) {
				t.Errorf("titles %q, want %q", got, tc.want)
			}
			if st := rep.stats(); st.ForbiddenChars != tc.forbidden {
				t.Errorf("ForbiddenChars = %d, want %d", st.ForbiddenChars, tc.forbidden)
			}
		})
	}
	t.Run("malformed references left to the parser", func(t *testing.T) {
		body := []byte(rssOf(`<item><title>a&#x;b &#1 c &#99999999999999999999; &#x110001;</title></item>`))
		if out, g, err := guardXML(body); err != nil || !bytes.Equal(out, body) || g.Forbidden != 0 {
			t.Errorf("guard changed %s to %s (%v)", body, out, err)
		}
	})
	t.Run("reference in an attribute", func(t *testing.T) {
		body := rssOf(`<item><title>첫째</title><enclosure url="https://x.example/a&#1;.jpg" type="image/jpeg"/></item>`)
		feed, rep, err := parseBodyReport([]byte(body), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(feed.Items) != 1 || len(feed.Items[0].Enclosures) != 1 || feed.Items[0].Enclosures[0].URL != "https://x.example/a.jpg" || rep.XML.Forbidden != 1 {
			t.Errorf("items %+v, forbidden %d", feed.Items, rep.XML.Forbidden)
		}
	})
	t.Run("JSON keeps references, drops raw controls", func(t *testing.T) {
		body := `{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","title":"a&#31;b\u0001c` + "\x01" + `d"}]}`
		feed, rep, err := parseBodyReport([]byte(body), "")
		if err != nil {
			t.Fatal(err)
		}
		if got := feed.Items[0].Title; got != "a&#31;b\x01cd" || rep.stats().ForbiddenChars != 1 {
			t.Errorf("title %q, forbidden %d", got, rep.stats().ForbiddenChars)
		}
	})
}

// TestNestingDepth checks the depth guard against what the parser would
// nest, for XML and JSON.
func TestNestingDepth(t *testing.T) {
	t.Parallel()
	nested := func(open, close string, n int) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
	item := func(inner string) string {
		return rssOf(`<item><title>제목</title><description>` + inner + `</description></item>`)
	}
	// The item's description sits at depth 4 (rss, channel, item,
	// description), so 252 more elements reach the limit.
	for _, tc := range []struct {
		name, body string
		refuse     bool
	}{
		{"at the limit", item(nested("<div>", "</div>", maxDepth-4)), false},
		{"one deeper", item(nested("<div>", "</div>", maxDepth-3)), true},
		{"self-closing tags do not nest", item(strings.Repeat("<div/>", 5000)), false},
		{"comments, CDATA and processing instructions do not nest", item(strings.Repeat("<!-- <a> --><![CDATA[<a>]]><?pi <a>?>", 5000)), false},
		{"escaped markup does not nest", item(strings.Repeat("&lt;div&gt;", 5000)), false},
		{"open void elements do not nest", item(strings.Repeat("줄<br>", 5000)), false},
		{"an open non-void element nests", item(strings.Repeat("<p>줄", 300)), true},
		{"quoted > inside a start tag", item(nested(`<div title="a>b">`, "</div>", 300)), true},
		{"closed siblings do not nest", item(strings.Repeat(nested("<div>", "</div>", 100), 100)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseBodyReport([]byte(tc.body), "")
			if refused := err != nil && strings.Contains(err.Error(), "element nesting deeper than 256 at byte "); refused != tc.refuse {
				t.Errorf("err = %v, want refused %v", err, tc.refuse)
			}
		})
	}
	t.Run("the offset is the element that goes too deep", func(t *testing.T) {
		body := strings.Repeat("<a>", 300)
		_, _, err := guardXML([]byte(body))
		if want := fmt.Sprintf("element nesting deeper than 256 at byte %d", 256*3); err == nil || err.Error() != want {
			t.Errorf("err = %v, want %s", err, want)
		}
	})
	t.Run("json", func(t *testing.T) {
		// The value of "_x" sits at depth 3 (feed, items, item).
		ok := `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"a","_x":` + nested("[", "]", maxDepth-3) + `}]}`
		if _, _, err := parseBodyReport([]byte(ok), ""); err != nil {
			t.Errorf("at the limit: %v", err)
		}
		deep := `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"[[[[","_x":` + nested("[", "]", maxDepth-2) + `}]}`
		_, _, err := parseBodyReport([]byte(deep), "")
		if err == nil || !strings.Contains(err.Error(), "json nesting deeper than 256 at byte ") {
			t.Errorf("one deeper: %v", err)
		}
	})
}

// TestRecoverEntries covers bodies where one flaw would otherwise lose
// the entries after it, or the whole feed.
func TestRecoverEntries(t *testing.T) {
	t.Parallel()
	good := func(n int) string {
		return fmt.Sprintf(`<item><title>기사 %d</title><link>https://news.example.kr/%d</link></item>`, n, n)
	}
	atom := func(entries ...string) string {
		return `<feed xmlns="http://www.w3.org/2005/Atom"><title>아톰</title>` + strings.Join(entries, "") + `</feed>`
	}
	for _, tc := range []struct {
		name        string
		body        string
		want        []string
		unparseable int
		truncated   int
	}{
		{"unclosed item before the next", rssOf(good(1), `<item><title>기사 2</title>`, good(3), good(4)),
			[]string{"기사 1", "기사 2", "기사 3", "기사 4"}, 0, 0},
		{"unclosed description", rssOf(good(1), `<item><title>기사 2</title><description>본문`, good(3)),
			[]string{"기사 1", "기사 2", "기사 3"}, 0, 0},
		{"unclosed description and item at the end", rssOf(good(1), `<item><title>기사 2</title><description>본문`),
			[]string{"기사 1", "기사 2"}, 0, 0},
		{"unclosed channel title", `<rss version="2.0"><channel><title>채널` + good(1) + good(2) + `</channel></rss>`,
			[]string{"기사 1", "기사 2"}, 0, 0},
		{"unclosed Atom entry", atom(`<entry><title>하나</title>`, `<entry><title>둘</title></entry>`),
			[]string{"하나", "둘"}, 0, 0},
		{"body cut inside an item", strings.TrimSuffix(rssOf(good(1), good(2), good(3)), "3</link></item></channel></rss>"),
			[]string{"기사 1", "기사 2"}, 0, 1},
		{"body cut inside a tag", strings.TrimSuffix(rssOf(good(1), good(2)), "channel></rss>"),
			[]string{"기사 1", "기사 2"}, 0, 0},
		{"body cut inside CDATA", strings.TrimSuffix(rssOf(good(1)), "</channel></rss>") + "<item><title><![CDATA[기사 2",
			[]string{"기사 1"}, 0, 1},
		{"stray < refused outright", rssOf(good(1), `<item><title>1 < 2</title></item>`, good(3)),
			[]string{"기사 1", "기사 3"}, 1, 0},
		{"< in a quoted attribute refused outright", rssOf(good(1), `<item><title>기사 2</title><enclosure url="a<b"/></item>`, good(3)),
			[]string{"기사 1", "기사 3"}, 1, 0},
		{"stray end tag", rssOf(good(1), `<item><title>기사 2</title></p></item>`, good(3)),
			[]string{"기사 1", "기사 2", "기사 3"}, 0, 0},
		{"end tag of another namespace", rssOf(good(1), `<item><title>기사 2</title><a:x></b:x></item>`, good(3)),
			[]string{"기사 1", "기사 2", "기사 3"}, 0, 0},
		{"channel header refused outright", `<rss version="2.0"><channel><title>1 < 2</title>` + good(1) + good(2) + `</channel></rss>`,
			[]string{"기사 1", "기사 2"}, 0, 0},
		{"comment holding --", rssOf(good(1), `<!-- a -- b -->`, good(2)),
			[]string{"기사 1", "기사 2"}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			feed, rep, err := parseBodyReport([]byte(tc.body), "")
			if err != nil {
				t.Fatal(err)
			}
			if got := titlesOf(feed); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("titles %q, want %q", got, tc.want)
			}
			st := rep.stats()
			if st.SkippedReasons[SkipUnparseable] != tc.unparseable || st.SkippedReasons[SkipTruncated] != tc.truncated {
				t.Errorf("skipped %v, want %d unparseable, %d truncated", st.SkippedReasons, tc.unparseable, tc.truncated)
			}
			if tc.name == "unclosed channel title" && feed.Title != "채널" {
				t.Errorf("feed title %q", feed.Title)
			}
			if len(rep.fixes()) == 0 && st.SkippedReasons == nil {
				t.Errorf("repair not reported: %+v", rep.XML)
			}
			if tc.name == "channel header refused outright" && rep.fixes()["feed-header-dropped"] != 1 {
				t.Errorf("fixes %v, want the dropped header counted", rep.fixes())
			}
		})
	}
	t.Run("recovered entries keep their RSS source", func(t *testing.T) {
		body := rssOf(`<item><title>기사 1</title><source url="https://a.example/">연합뉴스</source>`, good(2))
		feed, _, err := parseBodyReport([]byte(body), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(feed.Items) != 2 || feed.Items[0].Title != "기사 1" {
			t.Fatalf("items %q", titlesOf(feed))
		}
		if feed.Items[0].Description != "" || feed.Items[1].Link != "https://news.example.kr/2" {
			t.Errorf("items %+v", feed.Items)
		}
	})
	t.Run("a body cut before its first whole entry stays an error", func(t *testing.T) {
		_, _, err := parseBodyReport([]byte(`<rss><channel><title>t</title><item><title>un`), "")
		if err == nil || !strings.Contains(err.Error(), "XML syntax error") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("open void elements keep the description whole", func(t *testing.T) {
		body := rssOf(`<item><title>기사</title><description>첫 줄<br>둘째 줄<img src="a.jpg"><br/>끝</description></item>`, good(2))
		feed, rep, err := parseBodyReport([]byte(body), "")
		if err != nil {
			t.Fatal(err)
		}
		if d := feed.Items[0].Description; d != `첫 줄<br/>둘째 줄<img src="a.jpg"/><br/>끝` || len(feed.Items) != 2 || rep.XML.Voids != 2 {
			t.Errorf("description %q, %d items, %d voids", d, len(feed.Items), rep.XML.Voids)
		}
	})
}

// TestIllformedCorpus runs the feedparser ill-formed cases: each file's
// header says what a parser should make of it ("bozo" means the parser
// must notice the flaw: an error, or a visible repair).
func TestIllformedCorpus(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(sharedFeeds(t), "feedparser", "tests", "illformed")
	for _, tc := range []struct {
		file  string
		check func(*gofeed.Feed, bodyReport, error) string
	}{
		{"aaa_illformed.xml", wantError},
		{"rss_empty_document.xml", wantError},
		{"rss_incomplete_cdata.xml", wantError},
		{"always_strip_doctype.xml", func(f *gofeed.Feed, _ bodyReport, err error) string {
			if err != nil || f.Title != "found" {
				return fmt.Sprintf("err %v, feed %+v", err, f)
			}
			return ""
		}},
		{"rss_item_link_corrupted_ampersands.xml", func(f *gofeed.Feed, r bodyReport, err error) string {
			if err != nil || len(f.Items) != 1 || f.Items[0].Link != "http://link/get?a=1&b=2" || !r.XML.Truncated {
				return fmt.Sprintf("err %v, feed %+v, report %+v", err, f, r.XML)
			}
			return ""
		}},
		{"rdf_channel_empty_textinput.xml", func(f *gofeed.Feed, r bodyReport, err error) string {
			if err != nil || len(f.Items) != 1 || f.Items[0].Title != "crashes here" || !r.XML.Truncated {
				return fmt.Sprintf("err %v, feed %+v, report %+v", err, f, r.XML)
			}
			return ""
		}},
		{"http_high_bit_date.xml", func(f *gofeed.Feed, r bodyReport, err error) string {
			if err != nil || r.Decode.Charset != "iso-8859-7" || !strings.Contains(f.Published, "2004 12:53:00 GMT") {
				return fmt.Sprintf("err %v, feed %+v, charset %s", err, f, r.Decode.Charset)
			}
			return ""
		}},
		{"chardet/euckr.xml", func(f *gofeed.Feed, r bodyReport, err error) string {
			if err != nil || len(f.Items) != 1 || f.Items[0].Title != "EUC-KR 에서 TypeKey 한글닉네임 표시하기" || !r.Decode.Guessed {
				return fmt.Sprintf("err %v, feed %+v, report %+v", err, f, r.Decode)
			}
			return ""
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			f, rep, err := parseBodyReport(data, "")
			if msg := tc.check(f, rep, err); msg != "" {
				t.Error(msg)
			}
		})
	}
	// The other undeclared legacy charsets (Big5, GB2312, EUC-JP, ...)
	// cannot be told apart reliably; their feeds must still not be lost.
	t.Run("other undeclared charsets", func(t *testing.T) {
		paths, _ := filepath.Glob(filepath.Join(dir, "chardet", "*.xml"))
		if len(paths) < 2 {
			t.Skip("no chardet cases")
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f, _, err := parseBodyReport(data, "")
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			for _, it := range f.Items {
				if !utf8.ValidString(it.Title) || !utf8.ValidString(it.Description) {
					t.Errorf("%s: invalid UTF-8 in %+v", p, it)
				}
			}
		}
	})
}

func wantError(_ *gofeed.Feed, _ bodyReport, err error) string {
	if err == nil {
		return "parsed, want an error"
	}
	return ""
}

// TestGuardCountsMatchParser checks on every shared feed that gofeed
// parses as it is that guardXML sees as many entries as gofeed parses (so
// the recovery never runs on a sound feed), that it changes nothing it
// does not report, and that gofeed reads the same feed from its output.
func TestGuardCountsMatchParser(t *testing.T) {
	t.Parallel() // a read-only corpus sweep: the sweeps share the cores
	dir := sharedFeeds(t)
	files, total := 0, 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(path) != ".xml" && filepath.Ext(path) != ".rss" && filepath.Ext(path) != ".atom") {
			return err
		}
		if total++; !testcorpus.SweepFile(path) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := toUTF8(data, "")
		direct, err := parseFeed(text)
		if err != nil {
			return nil
		}
		files++
		guarded, g, err := guardXML(text)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if len(g.Items) != len(direct.Items) {
			t.Errorf("%s: guard saw %d entries, gofeed %d", path, len(g.Items), len(direct.Items))
		}
		if g.Voids == 0 && g.Forbidden == 0 && g.Closed == 0 && !g.Truncated && g.BadComments == 0 && g.StrayEnds == 0 && !bytes.Equal(guarded, text) {
			t.Errorf("%s: body changed without a reported change", path)
		}
		// gofeed reads bytes alone: an unchanged body reads as it did.
		after := direct
		if !bytes.Equal(guarded, text) {
			if after, err = parseFeed(guarded); err != nil {
				t.Errorf("%s: guarded body refused: %v", path, err)
				return nil
			}
		}
		summary := func(f *gofeed.Feed) string {
			var b strings.Builder
			fmt.Fprintf(&b, "%q %q %q\n", f.Title, f.Link, f.Language)
			for _, it := range f.Items {
				fmt.Fprintf(&b, "%q %q %q %q %q\n", it.Title, it.Link, it.GUID, it.Published, it.Description)
			}
			return b.String()
		}
		if g.Voids == 0 && summary(after) != summary(direct) {
			t.Errorf("%s: guarded body reads differently:\n%s\nwant\n%s", path, summary(after), summary(direct))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	testcorpus.Note(t, files, total)
	if files < 100 {
		t.Errorf("only %d feeds parsed", files)
	}
}

// deepFeed is an RSS body of about size bytes whose one item nests <div>
// elements all the way down.
func deepFeed(size int) []byte {
	head := `<?xml version="1.0"?><rss version="2.0"><channel><title>deep</title><item><title>x</title><description>`
	tail := `</description></item></channel></rss>`
	n := (size - len(head) - len(tail)) / len("<div></div>")
	return []byte(head + strings.Repeat("<div>", n) + strings.Repeat("</div>", n) + tail)
}

// wideFeed is a legal RSS body of about size bytes: many items, each with
// a little nested markup.
func wideFeed(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>big</title>`)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `<item><title>뉴스 제목 %d</title><link>https://news.example.kr/%d</link><guid>g%d</guid>`+
			`<description><div><p><span><b><i>기사 본문 %d</i></b></span></p></div></description>`+
			`<pubDate>Mon, 18 Nov 2024 10:00:00 +0900</pubDate></item>`+"\n", i, i, i, i)
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// TestDeepBodyRefusedCheaply checks that a 5 MB body nested 450,000 deep
// is refused after allocating little more than the body itself.
func TestDeepBodyRefusedCheaply(t *testing.T) {
	body := deepFeed(5 << 20)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := parseBody(body, "")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "element nesting deeper than") {
		t.Fatalf("err = %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(len(body)) {
		t.Errorf("refusing allocated %d bytes for a %d-byte body", alloc, len(body))
	}
}

// BenchmarkParseBodyDeep measures refusing the deep 5 MB body.
func BenchmarkParseBodyDeep(b *testing.B) {
	body := deepFeed(5 << 20)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parseBody(body, ""); err == nil {
			b.Fatal("deep body parsed")
		}
	}
}

// BenchmarkParseBodyWide measures a legal 5 MB body of 21,000 items.
func BenchmarkParseBodyWide(b *testing.B) {
	body := wideFeed(5 << 20)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parseBody(body, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzGuardXML checks that guardXML never panics, that what it passes
// never nests deeper than maxDepth in encoding/xml's non-strict reading
// (the one gofeed uses), that it leaves no forbidden raw character, and
// that parsing what it passes never panics.
func FuzzGuardXML(f *testing.F) {
	f.Add([]byte(rssOf(`<item><title>a&#1;<br>b</title>`, `<item><![CDATA[x]]><!-- a -- b --></p><img src="x">`)))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title><entry><a:b></c:b>`))
	f.Add([]byte(`<!DOCTYPE rss [<!ENTITY a "<b>">]><rss><channel><item><title x='>' y="<">` + strings.Repeat("<a>", 300)))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, g, err := guardXML(data)
		if err != nil {
			return
		}
		for i := range out {
			if forbiddenAt(out, i) > 0 {
				t.Fatalf("forbidden character at %d of %q", i, out)
			}
		}
		for _, it := range g.Items {
			if it.Start < 0 || it.End > len(out) || it.End < it.Start {
				t.Fatalf("item span %+v out of %d bytes", it, len(out))
			}
		}
		d := xml.NewDecoder(bytes.NewReader(out))
		d.Strict = false
		d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
		depth := 0
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			switch tok.(type) {
			case xml.StartElement:
				if depth++; depth > maxDepth {
					t.Fatalf("parser nests %d deep in %q", depth, out)
				}
			case xml.EndElement:
				depth--
			}
		}
		if _, err := parseFeed(out); err != nil && strings.Contains(err.Error(), "panic") {
			t.Fatal(err)
		}
	})
}
