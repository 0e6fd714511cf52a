package feeds

import (
	"fmt"
	"html"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"
)

// Vocabulary of benchFeed's items, the kind of text the load benchmark
// generates: Korean news words with particles, English words, coined
// headline words.
var (
	benchKoWords = []string{"정부", "시장", "기업", "발표", "경제", "정책", "기술", "투자", "수출", "반도체", "배터리",
		"전기차", "인공지능", "서울", "부산", "국회", "대통령", "장관", "협상", "회의", "계획", "지원", "산업",
		"연구", "개발", "증가", "감소", "전망", "분석", "관계자", "밝혔다", "했다", "있다", "위해", "통해", "대한"}
	benchEnWords = []string{"market", "government", "policy", "energy", "report", "company", "growth", "minister",
		"election", "security", "technology", "investment", "analysts", "export", "network", "climate",
		"the", "a", "of", "and", "to", "in", "on", "for", "with", "said", "will", "after", "new", "year"}
	benchParticles = []string{"", "", "", "는", "를", "가", "의", "에", "와", "도"}
	benchSyllables = []rune("가나다라마바사아자차카타파하강남동리민박서성세소수승신안양영오우원유윤은이인임장전정조주준지진창채최태한현호홍화희")
)

// benchFeed returns an RSS body of n items like the load benchmark's:
// Korean (or, with ko false, English) headlines and descriptions of
// paragraphs in <p> tags, escaped into the XML.
func benchFeed(n int, ko bool, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	words := func(n int, headline bool) string {
		var b strings.Builder
		for w := range n {
			if w > 0 {
				b.WriteByte(' ')
			}
			switch {
			case headline && ko:
				b.WriteString(string([]rune{benchSyllables[r.IntN(len(benchSyllables))], benchSyllables[r.IntN(len(benchSyllables))]}))
				b.WriteString(benchParticles[r.IntN(len(benchParticles))])
			case ko && r.IntN(5) > 0:
				b.WriteString(benchKoWords[r.IntN(len(benchKoWords))])
				b.WriteString(benchParticles[r.IntN(len(benchParticles))])
			default:
				b.WriteString(benchEnWords[r.IntN(len(benchEnWords))])
			}
		}
		return b.String()
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Bench feed 뉴스</title><link>https://news.example.com/1</link><description>bench</description>\n")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var desc strings.Builder
		desc.WriteString("<p>")
		for p := 0; desc.Len() < 1200; p++ {
			if p > 0 {
				desc.WriteString("</p><p>")
			}
			desc.WriteString(words(12+r.IntN(12), false))
			desc.WriteString(".")
		}
		desc.WriteString("</p>")
		fmt.Fprintf(&b, "<item><title>%s</title><link>https://news.example.com/1/%d</link><guid isPermaLink=\"false\">bench-1-%d</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			html.EscapeString(words(6+r.IntN(6), true)), i, i, base.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), html.EscapeString(desc.String()))
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

// benchSources are the feeds the normalizing benchmarks read: generated
// Korean and English ones, and the shared corpus's large Korean feed when
// present.
func benchSources(b *testing.B) map[string]*gofeed.Feed {
	b.Helper()
	bodies := map[string][]byte{"gen-ko": benchFeed(40, true, 1), "gen-en": benchFeed(40, false, 2)}
	if data := knewsAllOrNil(); data != nil {
		bodies["knews"] = data
	}
	out := map[string]*gofeed.Feed{}
	for name, data := range bodies {
		feed, _, err := parseBody(data, "")
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		out[name] = feed
	}
	return out
}

// BenchmarkNormalize measures turning parsed entries into Items, one
// feed's entries per op.
func BenchmarkNormalize(b *testing.B) {
	for _, name := range []string{"gen-ko", "gen-en", "knews"} {
		feed, ok := benchSources(b)[name]
		if !ok {
			continue
		}
		var rssItems []*rss.Item
		if rf, ok := feed.OriginalFeed().(*rss.Feed); ok {
			rssItems = rf.Items
		}
		n := normalizer{name: "bench", base: baseURL("https://news.example.com/feed", feed.Link), loc: seoul, now: testNow}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i, it := range feed.Items {
					var ri *rss.Item
					if i < len(rssItems) {
						ri = rssItems[i]
					}
					n.normalize(it, ri)
				}
			}
		})
	}
}

// BenchmarkPlainText measures plainText on the titles, descriptions and
// contents of the same feeds, all of one feed's per op.
func BenchmarkPlainText(b *testing.B) {
	for _, name := range []string{"gen-ko", "gen-en", "knews"} {
		feed, ok := benchSources(b)[name]
		if !ok {
			continue
		}
		var texts []string
		size := 0
		for _, it := range feed.Items {
			for _, s := range []string{it.Title, it.Description, it.Content} {
				if s != "" {
					texts = append(texts, s)
					size += len(s)
				}
			}
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range texts {
					plainText(s)
				}
			}
		})
	}
}
