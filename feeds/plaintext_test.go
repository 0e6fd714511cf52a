package feeds

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/newshound/newshound/internal/testcorpus"
	"github.com/newshound/newshound/internal/testmain"
)

// plainTextPieces are what TestPlainTextOnePass builds its inputs from:
// text, entities, tags simpleHTMLText takes and declines, spaces,
// controls, invisible characters, joiners at what become piece ends,
// C1 controls, runes NFC changes, and invalid UTF-8 of every kind next
// to each other and to tags.
var plainTextPieces = []string{"a", "Z", "~", "본문", "한국", " ", "  ", "\n", "\t", "\x00", "\x7f",
	"&amp;", "&lt;b&gt;", "&#44032;", "&nbsp;", "&amp", "&", "&zwj;", "&#x200d;", "&#xff;", "<", " < ",
	"<p>", "</p>", "<P>", "<br/>", "<b>", "</b>", `<a href="u>v">`, "<img src=a.png>", "<span class=\"\xff\">",
	"<script>", "</script>", "<!-- c -->", "<title>t</title>", "<p",
	"\u200b", "\u200c", "\u200d", "\ufeff", "\u202e", "\u00ad", "\u0092", "\u0301", "\u1100", "\u11a8",
	"👩", "💻", "\U0001F3F4", "\U000E0067", "می", "क्", "é", "\u3000", "\u00a0", "ＡＩ", "\u2126", "\ufffd",
	"\xff", "\xfe", "\xed\xa0\x80", "\xea\xb0", "\xe0", "\xa0\x80", "\xc3", "\xa9", "\xf0\x9f", "\x80"}

// TestPlainTextOnePass checks that plainText's one pass gives what the
// separate passes of plainTextRef give, on fragments mixing the pieces
// above.
func TestPlainTextOnePass(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	n := 40000
	if testmain.Race {
		n = 10000 // the same sequence, shorter: the race detector finds nothing in one goroutine
	}
	for range n {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			b.WriteString(plainTextPieces[r.IntN(len(plainTextPieces))])
		}
		s := b.String()
		if got, want := plainText(s), plainTextRef(s); got != want {
			t.Fatalf("plainText(%q) = %q, in separate passes %q", s, got, want)
		}
	}
}

// FuzzPlainTextOnePass checks the same on any input.
func FuzzPlainTextOnePass(f *testing.F) {
	for _, s := range []string{"", "abc 가나", "<p>a &amp; b</p>", "a\xff\xfeb", "\xff<b>\xfe", "\xe0<b>\xa0\x80",
		"👩\u200d<b>💻", "می\u200c</b>خواهم", " lead  and trail ", "don\u0092t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := plainText(s), plainTextRef(s); got != want {
			t.Fatalf("plainText(%q) = %q, in separate passes %q", s, got, want)
		}
	})
}

// TestPlainTextOnePassCorpus checks the same on every text field of every
// entry of the test data and the shared corpus.
func TestPlainTextOnePassCorpus(t *testing.T) {
	t.Parallel() // a read-only corpus sweep, as TestCorpus
	dirs := []string{"testdata"}
	if _, err := os.Stat(filepath.Join("..", "..", "shared", "feeds")); err == nil {
		dirs = append(dirs, filepath.Join("..", "..", "shared", "feeds"))
	}
	var files, texts, html int
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !feedExts[filepath.Ext(path)] || !testcorpus.SweepFile(path) {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			feed, _, err := parseBody(data, "")
			if err != nil {
				return nil
			}
			files++
			check := func(s string) {
				if s == "" {
					return
				}
				texts++
				if strings.ContainsAny(s, "<&") {
					html++
				}
				if got, want := plainText(s), plainTextRef(s); got != want {
					t.Errorf("%s: plainText(%q) = %q, in separate passes %q", path, s, got, want)
				}
			}
			check(feed.Title)
			for _, it := range feed.Items {
				if it == nil {
					continue
				}
				for _, s := range []string{it.Title, it.Description, it.Content} {
					check(s)
				}
				for _, p := range it.Authors {
					if p != nil {
						check(p.Name)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d files, %d texts, %d of them with markup or entities", files, texts, html)
	minTexts, minHTML := 1000, 100
	if testmain.Race {
		minTexts, minHTML = 250, 50 // a sample of the corpora: testcorpus.SweepFile
	}
	if texts < minTexts || html < minHTML {
		t.Errorf("%d texts, %d with markup: the sweep compares too little", texts, html)
	}
}

// TestHangulAt checks hangulAt against decoding on every three-byte
// string with a lead byte near the Hangul syllables' and every two
// bytes after it.
func TestHangulAt(t *testing.T) {
	t.Parallel()
	for c := 0xE0; c <= 0xEF; c++ {
		for c1 := range 256 {
			for _, c2 := range []int{0x00, 0x7f, 0x80, 0x9e, 0xa3, 0xa4, 0xbf, 0xc0, 0xff} {
				s := string([]byte{byte(c), byte(c1), byte(c2)})
				r, size := utf8.DecodeRuneInString(s)
				want := size == 3 && r >= 0xAC00 && r <= 0xD7A3
				if got := hangulAt(s, 0); got != want {
					t.Errorf("hangulAt(%q) = %v, want %v", s, got, want)
				}
				if hangulAt(s[:2], 0) {
					t.Errorf("hangulAt(%q) is true on a cut sequence", s[:2])
				}
			}
		}
	}
}
