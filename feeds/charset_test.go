package feeds

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"github.com/newshound/newshound/internal/testmain"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"
)

// damageTitles are the titles of the feed the damage cases corrupt one of.
var damageTitles = []string{
	"정부, 반도체 수출 규제 완화 발표",
	"서울 아파트값 3주 연속 상승",
	"삼성전자가 새 스마트폰 공개",
	"카페 창업 열풍에 골목 상권 변화",
	"청년 고용률 두 달째 하락",
}

// damageFeedTitle is the title of the feed.
const damageFeedTitle = "피해 시험"

// damageFeed returns an RSS body with the feed title and the item titles
// as raw bytes, and the offset of each item title in it.
func damageFeed(prolog string, feedTitle []byte, titles [][]byte) ([]byte, []int) {
	var b bytes.Buffer
	b.WriteString(prolog)
	b.WriteString(`<rss version="2.0"><channel><title>`)
	b.Write(feedTitle)
	b.WriteString(`</title><link>https://news.example.kr/</link>`)
	offsets := make([]int, len(titles))
	for i, t := range titles {
		fmt.Fprintf(&b, "<item><guid>https://news.example.kr/%d</guid><title>", i)
		offsets[i] = b.Len()
		b.Write(t)
		b.WriteString("</title></item>")
	}
	b.WriteString("</channel></rss>")
	return b.Bytes(), offsets
}

func cp949(t testing.TB, s string) []byte {
	t.Helper()
	b, err := korean.EUCKR.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestRepairDamagedTitle corrupts one title of a UTF-8 feed in the ways
// real feeds are corrupted, and checks that the other titles come out
// intact, the damaged one as well as it can be, and that the repair is
// counted at the right offset.
func TestRepairDamagedTitle(t *testing.T) {
	t.Parallel()
	s := func(x string) []byte { return []byte(x) }
	for _, tc := range []struct {
		name    string
		damaged []byte // replaces damageTitles[1]
		at      int    // offset of the repair within damaged
		want    string
		kind    repairKind
	}{
		{"syllable cut at the end of the field", s(damageTitles[1])[:len(damageTitles[1])-1],
			len(damageTitles[1]) - 3, "서울 아파트값 3주 연속 상\uFFFD", repairReplaced},
		{"only the lead byte of the last syllable left", s(damageTitles[1])[:len(damageTitles[1])-2],
			len(damageTitles[1]) - 3, "서울 아파트값 3주 연속 상\uFFFD", repairReplaced},
		{"stray Latin-1 byte", s("caf\xe9 창업 열풍에 골목 상권 변화"), 3, "café 창업 열풍에 골목 상권 변화", repairWindows1252},
		{"windows-1252 apostrophe", s("Apple\x92s 새 아이폰 공개"), 5, "Apple’s 새 아이폰 공개", repairWindows1252},
		{"one word pasted in CP949", cat(s("삼성전자가 새 "), cp949(t, "스마트폰"), s(" 공개")),
			len("삼성전자가 새 "), "삼성전자가 새 스마트폰 공개", repairCP949},
		{"CP949 word glued to a UTF-8 particle", cat(cp949(t, "삼성전자"), s("가 새 스마트폰 공개")),
			0, "삼성전자가 새 스마트폰 공개", repairCP949},
		{"CP949 after Latin letters", cat(s("LG"), cp949(t, "전자"), s(" 실적 발표")), 2, "LG전자 실적 발표", repairCP949},
		{"CP949 extension syllable with an ASCII trail byte", cat(cp949(t, "똠양꿍"), s(" 맛집 인기")),
			0, "똠양꿍 맛집 인기", repairCP949},
		{"whole title in CP949", cp949(t, "청년 고용률 두 달째 하락"), 0, "청년 고용률 두 달째 하락", repairCP949},
		{"CP949 quote marks", cat(s("“"), cp949(t, "‘단독’"), s(" 보도”")), 3, "“‘단독’ 보도”", repairCP949},
		{"lone continuation byte", s("청년 고용률\x80 두 달째 하락"), len("청년 고용률"), "청년 고용률\uFFFD 두 달째 하락", repairReplaced},
		{"overlong 3-byte slash", s("경로 \xe0\x80\xaf 우회"), len("경로 "), "경로 \uFFFD 우회", repairReplaced},
		{"overlong 4-byte slash", s("경로 \xf0\x80\x80\xaf 우회"), len("경로 "), "경로 \uFFFD 우회", repairReplaced},
		{"surrogate encoded in UTF-8", s("경로 \xed\xa0\x80 우회"), len("경로 "), "경로 \uFFFD 우회", repairReplaced},
		// 0xC0 0xAF is an overlong "/" and also the CP949 syllable 유;
		// it never becomes "/".
		{"overlong 2-byte slash", s("경로 \xc0\xaf 우회"), len("경로 "), "경로 유 우회", repairCP949},
	} {
		t.Run(tc.name, func(t *testing.T) {
			titles := make([][]byte, len(damageTitles))
			for i, x := range damageTitles {
				titles[i] = []byte(x)
			}
			titles[1] = tc.damaged
			body, offsets := damageFeed(`<?xml version="1.0" encoding="UTF-8"?>`, []byte(damageFeedTitle), titles)
			feed, rep, err := parseBodyReport(body, "application/rss+xml; charset=utf-8")
			if err != nil {
				t.Fatal(err)
			}
			if len(feed.Items) != len(damageTitles) {
				t.Fatalf("%d items, want %d", len(feed.Items), len(damageTitles))
			}
			for i, it := range feed.Items {
				want := damageTitles[i]
				if i == 1 {
					want = tc.want
				}
				if it.Title != want {
					t.Errorf("title %d = %q, want %q", i, it.Title, want)
				}
			}
			st := rep.stats()
			if st.Repairs != 1 || rep.Decode.ByKind[tc.kind] != 1 {
				t.Errorf("repairs %d by kind %v, want 1 %s", st.Repairs, rep.Decode.ByKind, tc.kind)
			}
			if want := []int{offsets[1] + tc.at}; fmt.Sprint(st.RepairOffsets) != fmt.Sprint(want) {
				t.Errorf("repair offsets %v, want %v", st.RepairOffsets, want)
			}
		})
	}
}

// TestDecodeWholeBody covers bodies decoded as a whole.
func TestDecodeWholeBody(t *testing.T) {
	t.Parallel()
	eucTitles := make([][]byte, len(damageTitles))
	utfTitles := make([][]byte, len(damageTitles))
	for i, x := range damageTitles {
		eucTitles[i] = cp949(t, x)
		utfTitles[i] = []byte(x)
	}
	eucFeedTitle, utfFeedTitle := cp949(t, damageFeedTitle), []byte(damageFeedTitle)
	for _, tc := range []struct {
		name, prolog, contentType string
		feedTitle                 []byte
		titles                    [][]byte
		charset                   string
		guessed                   bool
		repairs                   int
	}{
		{"EUC-KR declared UTF-8", `<?xml version="1.0" encoding="UTF-8"?>`, "", eucFeedTitle, eucTitles, "euc-kr", true, 0},
		{"EUC-KR undeclared", "", "text/xml", eucFeedTitle, eucTitles, "euc-kr", true, 0},
		{"EUC-KR with a Content-Type saying UTF-8", "", "text/xml; charset=utf-8", eucFeedTitle, eucTitles, "euc-kr", true, 0},
		{"EUC-KR declared", `<?xml version="1.0" encoding="ks_c_5601-1987"?>`, "", eucFeedTitle, eucTitles, "euc-kr", false, 0},
		{"UTF-8 declared EUC-KR", `<?xml version="1.0" encoding="euc-kr"?>`, "", utfFeedTitle, utfTitles, "utf-8", false, 0},
		// Most non-ASCII is CP949, but the feed title is UTF-8: not EUC-KR
		// as a whole, so each CP949 title is a repair.
		{"UTF-8 feed of CP949 titles", "", "", utfFeedTitle, eucTitles, "utf-8", false, len(eucTitles)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := damageFeed(tc.prolog, tc.feedTitle, tc.titles)
			feed, rep, err := parseBodyReport(body, tc.contentType)
			if err != nil {
				t.Fatal(err)
			}
			for i, it := range feed.Items {
				if it.Title != damageTitles[i] {
					t.Errorf("title %d = %q, want %q", i, it.Title, damageTitles[i])
				}
			}
			if len(feed.Items) != len(damageTitles) || feed.Title != damageFeedTitle {
				t.Errorf("feed %q with %d items", feed.Title, len(feed.Items))
			}
			if d := rep.Decode; d.Charset != tc.charset || d.Guessed != tc.guessed || d.Repairs != tc.repairs || d.ByKind[repairCP949] != tc.repairs {
				t.Errorf("report %+v, want charset %s guessed %v and %d repairs", d, tc.charset, tc.guessed, tc.repairs)
			}
		})
	}

	t.Run("valid UTF-8 unchanged byte for byte", func(t *testing.T) {
		body, _ := damageFeed(`<?xml version="1.0" encoding="UTF-8"?>`, utfFeedTitle, utfTitles)
		out, rep := decodeBody(body, "")
		if !bytes.Equal(out, body) || rep.Repairs != 0 || rep.Charset != "utf-8" {
			t.Errorf("changed: %s, %+v", out, rep)
		}
	})
	t.Run("UTF-8 declared EUC-KR with one damaged byte stays UTF-8", func(t *testing.T) {
		titles := append([][]byte{}, utfTitles...)
		titles[3] = []byte("caf\xe9 창업 열풍에 골목 상권 변화")
		body, _ := damageFeed(`<?xml version="1.0" encoding="euc-kr"?>`, utfFeedTitle, titles)
		out, rep := decodeBody(body, "")
		if !bytes.Contains(out, []byte("<title>café 창업")) || !bytes.Contains(out, []byte(damageTitles[4])) || rep.Repairs != 1 {
			t.Errorf("decoded %s, %+v", out, rep)
		}
	})
	t.Run("windows-1252 body with some UTF-8", func(t *testing.T) {
		body := []byte("<rss><channel><title>Caf\xe9 na\xefve r\xe9sum\xe9 \xa9 2024 \xe2\x80\x93 ok</title></channel></rss>")
		out, rep := decodeBody(body, "")
		if want := "<title>Café naïve résumé © 2024 – ok</title>"; !bytes.Contains(out, []byte(want)) {
			t.Errorf("decoded %s, want %s", out, want)
		}
		if rep.Repairs != 5 || rep.ByKind[repairWindows1252] != 5 {
			t.Errorf("report %+v", rep)
		}
	})
	t.Run("UTF-8 BOM with a damaged byte", func(t *testing.T) {
		body := []byte("\xef\xbb\xbf<rss><channel><title>caf\xe9 한글</title></channel></rss>")
		out, rep := decodeBody(body, "")
		if !bytes.Equal(out, []byte("<rss><channel><title>café 한글</title></channel></rss>")) {
			t.Errorf("decoded %s", out)
		}
		if fmt.Sprint(rep.Offsets) != "[27]" {
			t.Errorf("offsets %v, want [27] (counted from the BOM)", rep.Offsets)
		}
	})
	t.Run("offsets kept for the first ten repairs only", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("<rss><channel>")
		for range 25 {
			b.WriteString("<title>뉴스\x80 속보</title>")
		}
		b.WriteString("</channel></rss>")
		_, rep := decodeBody([]byte(b.String()), "")
		if rep.Repairs != 25 || len(rep.Offsets) != maxRepairOffsets {
			t.Errorf("%d repairs, %d offsets", rep.Repairs, len(rep.Offsets))
		}
	})
}

// koreanTitles returns the titles of the largest shared Korean feed, or
// skips the test.
func koreanTitles(t *testing.T) []string {
	t.Helper()
	path := filepath.Join(sharedFeeds(t), "korean", "knews-rss", "categories", "_all_.xml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s absent: %v", path, err)
	}
	var doc struct {
		Titles []string `xml:"channel>item>title"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Titles
}

// TestRepairCP949PastesInRealTitles pastes each Hangul word of real
// titles, then each whole title, in CP949 into UTF-8 text. The text around
// the paste must always come back intact; the paste itself must come back
// for nearly all: the ones that cannot are words whose CP949 bytes happen
// to be valid UTF-8 as a whole (첫 is "ù", 회 is "ȸ"), with nothing to show
// the damage.
func TestRepairCP949PastesInRealTitles(t *testing.T) {
	t.Parallel() // a read-only corpus sweep: the sweeps share the cores
	titles := koreanTitles(t)
	keep := 2000
	if testmain.Race {
		keep = 600 // the rates are statistics of the data, checked on all 2,000 without -race
	}
	titles = titles[:min(len(titles), keep)]
	hangul := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) >= 0
	}
	t.Run("words", func(t *testing.T) {
		total, ok := 0, 0
		for _, title := range titles {
			words := strings.Fields(title)
			for i, w := range words {
				enc, err := korean.EUCKR.NewEncoder().Bytes([]byte(w))
				if err != nil || !hangul(w) {
					continue
				}
				before := "<t>" + strings.Join(words[:i], " ") + " "
				after := " " + strings.Join(words[i+1:], " ") + "</t>"
				out, _ := decodeBody([]byte(before+string(enc)+after), "")
				total++
				if !utf8.Valid(out) || !bytes.HasPrefix(out, []byte(before)) || !bytes.HasSuffix(out, []byte(after)) {
					t.Fatalf("text around %q damaged: %q", w, out)
				}
				if string(out) == before+w+after {
					ok++
				}
			}
		}
		t.Logf("%d of %d words restored", ok, total)
		if total < 1000 || ok*100 < total*98 {
			t.Errorf("%d of %d words restored, want 98%%", ok, total)
		}
	})
	t.Run("titles", func(t *testing.T) {
		total, ok := 0, 0
		for i, title := range titles {
			enc, err := korean.EUCKR.NewEncoder().Bytes([]byte(title))
			if err != nil || !hangul(title) {
				continue
			}
			before := "<t>" + titles[(i+1)%len(titles)] + "</t><t>"
			after := "</t><t>" + titles[(i+2)%len(titles)] + "</t>"
			out, _ := decodeBody([]byte(before+string(enc)+after), "")
			total++
			if !utf8.Valid(out) || !bytes.HasPrefix(out, []byte(before)) || !bytes.HasSuffix(out, []byte(after)) {
				t.Fatalf("titles around %q damaged: %q", title, out)
			}
			if string(out) == before+title+after {
				ok++
			}
		}
		t.Logf("%d of %d titles restored", ok, total)
		if total < 500 || ok*1000 < total*995 {
			t.Errorf("%d of %d titles restored, want 99.5%%", ok, total)
		}
	})
}

// FuzzToUTF8 checks that decoding never panics, always gives valid UTF-8,
// and gives valid UTF-8 back unchanged apart from the prolog, unless a
// byte-order mark, the NUL bytes of UTF-16/32 or a declared legacy charset
// on ASCII text says otherwise.
func FuzzToUTF8(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="euc-kr"?><rss><title>한글</title></rss>`), "")
	f.Add([]byte("<rss><title>caf\xe9 \xbd\xba\xb8\xb6Ʈ\xc6\xf9 \x8cc\xbe\xe7</title></rss>"), "text/xml; charset=utf-8")
	f.Add([]byte("<t>\xc7\xd1\xb1\xdb</t><t>\xed\x95\x9c\xea\xb8</t>"), "")
	f.Add([]byte("\xef\xbb\xbf<t>\xe0\x80\xaf\xc0\xaf</t>"), "text/xml; charset=windows-1252")
	f.Fuzz(func(t *testing.T, data []byte, contentType string) {
		out, rep := decodeBody(data, contentType)
		if !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", data, out)
		}
		if rep.Repairs < len(rep.Offsets) || len(rep.Offsets) > maxRepairOffsets {
			t.Fatalf("report %+v", rep)
		}
		for i, o := range rep.Offsets {
			if o < 0 || o >= len(data) || i > 0 && o <= rep.Offsets[i-1] {
				t.Fatalf("offsets %v out of order or range for %d bytes", rep.Offsets, len(data))
			}
		}
		wide := bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) ||
			bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}) ||
			bytes.HasPrefix(data, []byte{'<', 0}) || bytes.HasPrefix(data, []byte{0, '<'}) || bytes.HasPrefix(data, []byte{0, 0, 0, '<'})
		enc, _ := lookupEncoding(declaredLabel(data, contentType))
		if utf8.Valid(data) && !wide && (enc == nil || hasNonASCII(data)) {
			if want := fixProlog(data); !bytes.Equal(out, want) || rep.Repairs != 0 {
				t.Fatalf("valid UTF-8 %q changed to %q (%+v)", data, out, rep)
			}
		}
	})
}
