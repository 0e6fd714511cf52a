package match

import (
	"encoding/xml"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// corpusItems reads titles and bodies from a shared RSS file with a
// minimal decoder, skipping the test when the file is absent.
func corpusItems(t *testing.T, path string) []Document {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("shared corpus not available: %v", err)
	}
	defer f.Close()
	var rss struct {
		Items []struct {
			Title   string `xml:"title"`
			Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
		} `xml:"channel>item"`
	}
	if err := xml.NewDecoder(f).Decode(&rss); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	var docs []Document
	for _, it := range rss.Items {
		docs = append(docs, Document{Title: it.Title, Body: shorten(it.Content)})
	}
	if len(docs) < 100 {
		t.Fatalf("only %d items in %s", len(docs), path)
	}
	return docs
}

// TestKoreanCorpus checks, over a real feed that contains decomposed
// Hangul, that a Hangul term matches exactly the fields whose NFC text
// contains it (or contains it once spaces are removed), and that a Latin
// term matches exactly where a Hangul-aware word-boundary regexp does.
func TestKoreanCorpus(t *testing.T) {
	t.Parallel()
	docs := corpusItems(t, "../../shared/feeds/korean/knews-rss/publishers/sisain.xml")
	nfd := 0
	for _, d := range docs {
		if !norm.NFC.IsNormalString(d.Body) {
			nfd++
		}
	}
	if nfd == 0 {
		t.Fatal("corpus has no decomposed Hangul; the test would prove nothing about NFD")
	}
	type text struct{ raw, nfc, nfd, nfkc, joined string }
	var texts []text
	for _, d := range docs {
		for _, raw := range []string{d.Title, d.Body} {
			nfc := norm.NFC.String(raw)
			texts = append(texts, text{raw, nfc, norm.NFD.String(raw), norm.NFKC.String(raw), strings.Join(strings.Fields(nfc), "")})
		}
	}
	hangul := []string{"미국", "대통령", "인플레이션", "경제", "윤석열", "수사", "코로나", "정부"}
	latin := []string{"AI", "CPI", "LG", "OECD", "GDP", "EU", "Photo"}
	var rules []Rule
	for _, term := range append(hangul, latin...) {
		rules = append(rules, Rule{Watch: term, Keywords: []string{term}})
	}
	m, err := Compile(rules, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]map[string]bool, len(texts))
	for i, x := range texts {
		got[i] = watches(m.Match(Document{Title: x.raw}))
		if nfd := watches(m.Match(Document{Title: x.nfd})); !maps.Equal(nfd, got[i]) {
			t.Errorf("NFD form matches %v, NFC form %v: %.80q", nfd, got[i], x.nfc)
		}
	}
	for _, term := range append(hangul, latin...) {
		t.Run(term, func(t *testing.T) {
			boundary := regexp.MustCompile(`(?i)(?:^|[^\p{Latin}\p{N}])` + term + `(?:$|[^\p{Latin}\p{N}])`)
			isLatin := slices.Contains(latin, term)
			hit, miss := 0, 0
			for i, x := range texts {
				var must, may bool
				if isLatin {
					must = boundary.MatchString(x.nfkc)
					may = must
				} else {
					must = strings.Contains(x.nfc, term)
					may = strings.Contains(x.joined, term)
				}
				switch {
				case must && !got[i][term]:
					t.Errorf("%q misses %q", term, excerpt(x.nfc, term))
				case got[i][term] && !may:
					t.Errorf("%q falsely matches %.80q", term, x.nfc)
				}
				if got[i][term] {
					hit++
				} else {
					miss++
				}
			}
			if hit == 0 || miss == 0 {
				t.Errorf("%q: %d hits, %d misses: the term does not discriminate", term, hit, miss)
			}
		})
	}
}

func watches(hits []Hit) map[string]bool {
	w := map[string]bool{}
	for _, h := range hits {
		w[h.Watch] = true
	}
	return w
}

func excerpt(s, term string) string {
	i := strings.Index(s, term)
	if i < 0 {
		return s
	}
	return s[max(0, i-40):min(len(s), i+len(term)+40)]
}

// shorten keeps the test fast: the first lines of a body up to about 1,500
// bytes, and every line that holds decomposed Hangul.
func shorten(body string) string {
	var b strings.Builder
	for line := range strings.Lines(body) {
		if b.Len() < 1500 || !norm.NFC.IsNormalString(line) {
			b.WriteString(line)
		}
	}
	return b.String()
}
