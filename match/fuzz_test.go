package match

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// widen turns ASCII into its fullwidth forms, as East Asian input
// methods do.
func widen(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ':
			return '\u3000'
		case r > ' ' && r < 0x7F:
			return r - 0x21 + 0xFF01
		}
		return r
	}, s)
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"AI 국가안보각서", norm.NFD.String("트럼프가"), "ＡＩ\u00a0x", "Straße ǰ ᾳ", "‘오픈소스’", "-\u0301a", "가\u11a8", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Errorf("not idempotent: %q -> %q -> %q", s, n, again)
		}
		if utf8.ValidString(s) {
			if got := Normalize(norm.NFD.String(s)); got != n {
				t.Errorf("NFD changes the result: %q -> %q, NFD -> %q", s, n, got)
			}
			if got := Normalize(widen(s)); got != n {
				t.Errorf("widening changes the result: %q -> %q, wide -> %q", s, n, got)
			}
		}
		var nz normalizer
		st := nz.run(s, true)
		for i, b := range st.info {
			if b.start < 0 || b.end > int32(len(s)) || b.start > b.end || i > 0 && b.start < st.info[i-1].start {
				t.Fatalf("bad offset map at %d: %+v for %q", i, b, s)
			}
		}
	})
}

func FuzzQuery(f *testing.F) {
	for _, q := range []string{`트럼프 OR Trump 관세`, `"AI 국가안보각서" -title:(폐기 OR 철회)`, `source:yonhap (a OR -b) c`, `((`, `"`, `-`, `title:`, `a OR`, `x:y`} {
		f.Add(q, "트럼프가 AI 관세를 발표 said 오픈 소스")
	}
	f.Fuzz(func(t *testing.T, q, text string) {
		err := CheckQuery(q, nil)
		m, cerr := CompileQuery(q, nil)
		if (err == nil) != (cerr == nil) {
			t.Fatalf("CheckQuery = %v but CompileQuery = %v", err, cerr)
		}
		if err != nil {
			qe, ok := errors.AsType[*QueryError](err)
			if !ok || qe.Column < 1 || qe.Column > utf8.RuneCountInString(q)+1 {
				t.Fatalf("CheckQuery(%q) = %v: want a *QueryError with a column inside the query", q, err)
			}
			return
		}
		if !utf8.ValidString(text) {
			return
		}
		hits := m.Match(Document{Title: text, Body: text})
		for _, variant := range []string{norm.NFD.String(text), norm.NFC.String(text), widen(text)} {
			if got := m.Match(Document{Title: variant, Body: variant}); len(got) != len(hits) {
				t.Errorf("query %q: %q matches %v but its variant %q matches %v", q, text, len(hits) > 0, variant, len(got) > 0)
			}
		}
		for _, h := range hits {
			for _, sp := range h.Spans {
				src := map[string]string{"title": text, "body": text}[sp.Field]
				if sp.Start < 0 || sp.End > len(src) || sp.Start >= sp.End {
					t.Fatalf("bad span %+v in %q", sp, text)
				}
			}
			if len(h.Spans) > 0 && len(h.Terms) == 0 {
				t.Fatalf("spans without terms: %+v", h)
			}
		}
	})
}

// sameStream reports whether the fast path of stable runs gives s the
// stream, offsets and classes that rune-by-rune normalizing gives, and
// normalizing without offsets the same text and classes.
func sameStream(t *testing.T, s string) {
	t.Helper()
	for _, compact := range []bool{false, true} {
		var fast, slow normalizer
		a, b := fast.runWith(s, compact, withOffsets, true), slow.runWith(s, compact, withOffsets, false)
		if string(a.text) != string(b.text) || !slices.Equal(a.info, b.info) {
			t.Fatalf("%q (compact %v): fast %q %+v, rune by rune %q %+v", s, compact, a.text, a.info, b.text, b.info)
		}
		if len(a.info) != len(a.text) {
			t.Fatalf("%q (compact %v): %d bytes of text, %d of info", s, compact, len(a.text), len(a.info))
		}
	}
	// Without offsets, the same text and classes.
	var full, light normalizer
	want := full.run(s, true)
	for _, fast := range []bool{false, true} {
		got := light.runWith(s, true, withClasses, fast)
		if string(got.text) != string(want.text) || len(got.info) != 0 || len(got.classes) != len(want.info) {
			t.Fatalf("%q classes only (fast %v): %q with %d info, %d classes; want %q, %d classes", s, fast,
				got.text, len(got.info), len(got.classes), want.text, len(want.info))
		}
		for k, bi := range want.info {
			if c := got.classes[k]; class(c&^gapBit) != bi.cls || (c&gapBit != 0) != bi.gap {
				t.Fatalf("%q byte %d (fast %v): class %d, want %+v", s, k, fast, c, bi)
			}
		}
	}
}

// TestNormalizeStableRuns checks the fast path on text mixing ASCII,
// Hangul syllables, separators, and runes that combine with them.
func TestNormalizeStableRuns(t *testing.T) {
	pieces := []string{"a", "Z", "9", "$", "#", " ", "-", ".", "\t", "가", "힣", "한국", "\u0301", "\u1100", "\u11a8", "\u3000",
		"Ａ", "\u200b", "\u00a0", "é", "ß", "漢", "カ", "\xff", "\xea\xb0", "👩", "\u318d"}
	r := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		sameStream(t, b.String())
	}
}

// FuzzNormalizeStableRuns checks the same on any input.
func FuzzNormalizeStableRuns(f *testing.F) {
	for _, s := range []string{"AI 국가안보각서", "e\u0301 가\u11a8", "ＡＩ x", "\xff가"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { sameStream(t, s) })
}
