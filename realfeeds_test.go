package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"

	"github.com/newshound/newshound/internal/testcorpus"
)

// realQueries are the keywords the real-feed test matches. Hangul terms
// match inside words, so plain containment in the item's text is the
// oracle; Latin terms match between non-letters.
var realQueries = []string{
	"오픈소스", "트럼프", "반도체", "인공지능", "대통령", "정부", "경제", "북한", "코로나", "서울",
	"국가안보", "Trump", "Google", "RSS", "AI",
}

// TestRealFeedsEndToEnd serves every file of the shared corpora from a
// local feed host and runs it through fetch, parse, normalize and match as
// the bot does, asserting what a news alert must never get wrong: no
// mojibake, no empty title, no date silently replaced by the time of the
// poll, and no item missed whose text holds a keyword.
func TestRealFeedsEndToEnd(t *testing.T) {
	t.Parallel() // a corpus sweep independent of every other test
	if _, err := os.Stat(sharedFeeds); err != nil {
		t.Skipf("skipping: the shared feed corpora are not at %s (%v)", sharedFeeds, err)
	}
	var files []string
	err := filepath.WalkDir(sharedFeeds, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".xml", ".rss", ".atom", ".rdf", ".json":
			if !strings.HasSuffix(p, ".expected.json") && !d.IsDir() {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := len(files)
	files = slices.DeleteFunc(files, func(p string) bool { return !testcorpus.SweepFile(p) })
	testcorpus.Note(t, len(files), all)
	srv := httptest.NewServer(http.FileServer(http.Dir(sharedFeeds)))
	t.Cleanup(srv.Close)

	rules := []match.Rule{}
	for _, q := range realQueries {
		rules = append(rules, match.Rule{Watch: q, Keywords: []string{q}})
	}
	m, err := match.Compile(rules, nil)
	if err != nil {
		t.Fatal(err)
	}
	oracles := map[string]func(string) bool{}
	fold := newASCIIFold()
	for _, q := range realQueries {
		if isHangul(q) {
			q := q
			oracles[q] = func(s string) bool { return strings.Contains(s, q) }
			continue
		}
		re := regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}_]|\p{Hangul})` + regexp.QuoteMeta(q) + `($|[^\p{L}\p{N}_]|\p{Hangul})`)
		oracles[q] = re.MatchString
		if asciiLetters(q) {
			// The regexp only decides where the folded word occurs; most
			// texts hold no folded copy of it at all, so that is checked
			// first, and exactly (see asciiFold.key).
			key := fold.key(q)
			oracles[q] = func(s string) bool { return strings.Contains(fold.key(s), key) && re.MatchString(s) }
		}
	}

	f := feeds.NewHTTPFetcher(feeds.Options{Version: "test"})
	// Files are swept by a few workers: the assertions are independent.
	var parsed, items, undated, keywordHits atomic.Int64
	sweep := func(path string) {
		rel, _ := filepath.Rel(sharedFeeds, path)
		res, err := f.Fetch(context.Background(), feeds.Source{Name: rel, URL: srv.URL + "/" + filepath.ToSlash(rel)}, feeds.Validators{})
		if err != nil {
			return // not every test file is a feed; refusals are named in the error and tested in feeds
		}
		parsed.Add(1)
		var dated map[string]bool // read on the first undated item: most files have none
		for _, it := range res.Items {
			items.Add(1)
			if strings.TrimSpace(it.Title) == "" {
				t.Errorf("%s: item %q has an empty title", rel, it.Key)
			}
			for _, field := range []string{it.Title, it.Summary, it.Content} {
				if mj := mojibake(field); mj != "" {
					t.Errorf("%s: item %q has Latin-1-decoded Hangul %q", rel, it.Key, mj)
					break
				}
			}
			if it.Undated {
				undated.Add(1)
				if dated == nil {
					dated = datedEntries(t, path)
				}
				if dated[it.Key] || dated[it.Link] {
					t.Errorf("%s: item %q had a date element but is undated", rel, it.Key)
				}
			} else if it.Published.Equal(it.FirstSeen) {
				t.Errorf("%s: item %q was given the time of the poll as its date", rel, it.Key)
			}
			doc := match.ItemDocument(it)
			text := norm.NFKC.String(doc.Title + "\n" + doc.Body)
			hit := map[string]bool{}
			for _, h := range m.Match(doc) {
				hit[h.Watch] = true
			}
			for _, q := range realQueries {
				if oracles[q](text) {
					keywordHits.Add(1)
					if !hit[q] {
						t.Errorf("%s: item %q holds %q in its text but did not match", rel, it.Key, q)
					}
				}
			}
		}
	}
	work := make(chan string)
	var wg sync.WaitGroup
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for p := range work {
				sweep(p)
			}
		})
	}
	for _, p := range files {
		work <- p
	}
	close(work)
	wg.Wait()
	t.Logf("%d files, %d parsed, %d items (%d undated), %d keyword occurrences all matched", len(files), parsed.Load(), items.Load(), undated.Load(), keywordHits.Load())
	if int(parsed.Load()) < len(files)/2 || keywordHits.Load() == 0 {
		t.Errorf("the sweep saw too little: %d of %d files parsed, %d keyword hits", parsed.Load(), len(files), keywordHits.Load())
	}
}

// datedEntries lists the GUIDs and links of the entries of a file that
// carry a date element with text, as gofeed reads the file, so the test
// knows which items were dated by their feed. A file gofeed cannot read
// gives none.
func datedEntries(t *testing.T, path string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	fh, err := os.Open(path)
	if err != nil {
		return out
	}
	defer fh.Close()
	feed, err := gofeed.NewParser().Parse(fh)
	if err != nil {
		return out
	}
	for _, it := range feed.Items {
		if it == nil || strings.TrimSpace(it.Published+it.Updated) == "" || it.PublishedParsed == nil && it.UpdatedParsed == nil {
			continue
		}
		if g := strings.TrimSpace(it.GUID); g != "" {
			out[g] = true
		}
		if l := strings.TrimSpace(it.Link); l != "" {
			out[l] = true
		}
	}
	return out
}

// mojibake returns the first run of s that is Hangul decoded as
// windows-1252 or Latin-1 ("ì˜¤í”ˆ" for "오픈"), or "": a run of characters
// all encodable in windows-1252 whose bytes are valid UTF-8 holding Hangul.
func mojibake(s string) string {
	enc := charmap.Windows1252.NewEncoder()
	var run []rune
	check := func() string {
		defer func() { run = run[:0] }()
		if len(run) < 3 {
			return ""
		}
		b, err := enc.Bytes([]byte(string(run)))
		if err != nil {
			// Latin-1 C1 controls are not in windows-1252: map them as bytes.
			b = b[:0]
			for _, r := range run {
				b = append(b, byte(r))
			}
		}
		for i := 0; i < len(b); {
			r, size := utf8.DecodeRune(b[i:])
			if size == 3 && unicode.Is(unicode.Hangul, r) {
				return string(run)
			}
			i += size
		}
		return ""
	}
	for _, r := range s {
		if r >= 0x80 && r <= 0xFF || r > 0xFF && isWindows1252(r) {
			run = append(run, r)
			continue
		}
		if mj := check(); mj != "" {
			return mj
		}
	}
	return check()
}

// asciiFold maps each non-ASCII rune that case-folds to an ASCII letter
// (ſ to S, the Kelvin sign to K) to that letter, upper case.
type asciiFold map[rune]rune

func newASCIIFold() asciiFold {
	m := asciiFold{}
	for c := 'A'; c <= 'Z'; c++ {
		for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
			if f >= utf8.RuneSelf {
				m[f] = c
			}
		}
	}
	return m
}

// key maps s so that a run of s equal to an ASCII word under (?i) maps to
// that word in upper case: ASCII letters are upper-cased and the runes of
// the fold mapped, one rune for one. If a (?i) regexp for an ASCII word
// matches s, then key(s) holds key(word).
func (f asciiFold) key(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case r >= utf8.RuneSelf:
			if c, ok := f[r]; ok {
				return c
			}
		}
		return r
	}, s)
}

// asciiLetters reports whether s is non-empty and all ASCII letters.
func asciiLetters(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

func isWindows1252(r rune) bool {
	_, ok := charmap.Windows1252.EncodeRune(r)
	return ok
}

func isHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

func TestMojibakeDetector(t *testing.T) {
	bad, _ := charmap.Windows1252.NewDecoder().String("오픈소스 재단")
	for _, c := range []struct {
		in   string
		want bool
	}{
		{bad, true},
		{"오픈소스 재단", false},
		{"café déjà vu — “quoted”", false},
		{"Ã©tÃ©", false}, // Latin mojibake, not Hangul
	} {
		if got := mojibake(c.in) != ""; got != c.want {
			t.Errorf("mojibake(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestASCIIFoldKeyIsANecessaryCondition keeps the oracle's shortcut exact:
// wherever the (?i) regexp for an ASCII word matches, the folded text
// holds the folded word, including through ſ and the Kelvin sign.
func TestASCIIFoldKeyIsANecessaryCondition(t *testing.T) {
	fold := newASCIIFold()
	for _, c := range []struct {
		word, text string
		match      bool
	}{
		{"RSS", "the rss feed", true},
		{"RSS", "the Rſſ feed", true},
		{"Kit", "a \u212Ait", true},
		{"AI", "한국AI 정책", true},
		{"Trump", "트럼프 관세", false},
		{"Google", "Gooogle", false},
	} {
		re := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(c.word))
		if got := re.MatchString(c.text); got != c.match {
			t.Fatalf("regexp %q on %q = %v, the case is wrong", c.word, c.text, got)
		}
		if got := strings.Contains(fold.key(c.text), fold.key(c.word)); got != c.match {
			t.Errorf("fold key of %q holds %q: %v, want %v", c.text, c.word, got, c.match)
		}
	}
	if !asciiLetters("Trump") || asciiLetters("트럼프") || asciiLetters("") || asciiLetters("A.I") {
		t.Error("asciiLetters is wrong")
	}
}
