package feeds

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// collapseSlow is collapse as it was before the fast path: the same
// cleaning, then NFC whenever the text is not ASCII.
func collapseSlow(s string) string {
	out := collapse(s)
	return norm.NFC.String(out)
}

// TestCollapseNFC checks that collapse always returns NFC text, also for
// text where the fast path (Latin and precomposed Hangul) meets runes
// that compose with what comes before them.
func TestCollapseNFC(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"decomposed hangul":            "\u1112\u1161\u11ab\u1100\u1173\u11af", // 한글 in jamo
		"syllable then trailing jamo":  "\uac00\u11a8",                         // 가 + ᆨ = 각
		"e and combining acute":        "cafe\u0301",
		"latin only":                   "plain text, nothing to do",
		"hangul only":                  "오픈소스를 공개했다",
		"singleton U+2000":             "a\u2000b", // NFC maps it to U+2002
		"ohm sign":                     "\u2126",   // NFC maps it to Ω
		"cjk compatibility ideograph":  "\uf900",
		"hangul then combining mark":   "한\u0301",
		"fullwidth and hangul":         "ＡＩ 국가안보각서",
		"precomposed latin and hangul": "Café 서울",
	}
	for name, in := range cases {
		got := collapse(in)
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("%s: collapse(%q) = %q, not NFC", name, in, got)
		}
		if want := collapseSlow(in); got != want {
			t.Errorf("%s: collapse(%q) = %q, want %q", name, in, got, want)
		}
	}
	if got := collapse("\uac00\u11a8"); got != "각" {
		t.Errorf("collapse(가 + ᆨ) = %q, want 각", got)
	}
}

// FuzzCollapseNFC checks on any input that collapse's output is valid
// UTF-8 in NFC and does not change when normalized again.
func FuzzCollapseNFC(f *testing.F) {
	for _, s := range []string{"", "abc", "한글", "\u1112\u1161\u11ab", "\uac00\u11a8", "cafe\u0301", "a\u2000b", "\u212b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := collapse(s)
		if !utf8.ValidString(got) {
			t.Fatalf("collapse(%q) = %q: invalid UTF-8", s, got)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("collapse(%q) = %q: not NFC", s, got)
		}
	})
}

// randomText mixes the runes feed text is made of: ASCII, Hangul
// syllables, conjoining jamo, combining marks and other scripts.
func randomText(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		switch r.IntN(10) {
		case 0:
			b.WriteRune(rune(0x1100 + r.IntN(0x100))) // conjoining jamo
		case 1:
			b.WriteRune(rune(0x300 + r.IntN(0x70))) // combining marks
		case 2:
			b.WriteRune(rune(0x2000 + r.IntN(0x100))) // punctuation, singletons
		case 3, 4, 5:
			b.WriteRune(rune(0xAC00 + r.IntN(11172))) // Hangul syllables
		default:
			b.WriteRune(rune(0x20 + r.IntN(0x2e0))) // Latin
		}
	}
	return b.String()
}

func TestCollapseNFCRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		s := randomText(r, 1+r.IntN(40))
		if got, want := collapse(s), collapseSlow(s); got != want {
			t.Fatalf("collapse(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestCollapseRuns checks that copying runs of printable ASCII and
// Hangul syllables whole gives what looking at each rune gives, on text
// that mixes them with spaces, controls, invisible characters, joiners,
// C1 controls and invalid bytes.
func TestCollapseRuns(t *testing.T) {
	pieces := []string{"a", "Z", "~", "!", " ", "\t", "\n", "\x00", "\x7f", "\x1f", "가", "힣", "한국", "\u200b", "\u200c", "\u200d",
		"\ufeff", "\u202e", "\u00ad", "\u0092", "\u0301", "\u1100", "\u11a8", "👩", "💻", "\U0001F3F4", "\U000E0067", "می",
		"\xff", "\xed\xa0\x80", "\xea\xb0", "é", "\u3000", "\u00a0", "ＡＩ"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := collapseRuns(s, true), collapseRuns(s, false); got != want {
			t.Fatalf("collapse(%q) = %q, rune by rune %q", s, got, want)
		}
	}
}

// FuzzCollapseRuns checks the same on any input.
func FuzzCollapseRuns(f *testing.F) {
	for _, s := range []string{"", "abc 가나", "a\u200db", "\xea\xb0\x80\xed", "👩\u200d💻"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapseRuns(s, true), collapseRuns(s, false); got != want {
			t.Fatalf("collapse(%q) = %q, rune by rune %q", s, got, want)
		}
	})
}

// koreanText is a typical Korean news paragraph, already in NFC.
var koreanText = strings.Repeat("정부는 반도체 수출이 지난해보다 증가했다고 밝혔다. 관계자는 AI 국가안보각서를 통해 공급망을 강화할 계획이라고 말했다. ", 20)

// BenchmarkCollapseKorean measures collapse on composed Korean text, with
// the NFC pass the fast path skips as the baseline in the same run.
func BenchmarkCollapseKorean(b *testing.B) {
	b.Run("collapse", func(b *testing.B) {
		b.SetBytes(int64(len(koreanText)))
		for b.Loop() {
			collapse(koreanText)
		}
	})
	b.Run("rune by rune", func(b *testing.B) {
		b.SetBytes(int64(len(koreanText)))
		for b.Loop() {
			collapseRuns(koreanText, false)
		}
	})
	b.Run("baseline=collapse+NFC", func(b *testing.B) {
		b.SetBytes(int64(len(koreanText)))
		for b.Loop() {
			collapseSlow(koreanText)
		}
	})
}

// TestNFCStable checks every rune nfcStable accepts: NFC leaves it
// unchanged, it has no combining class and it composes with nothing
// before it, so NFC leaves any text of such runes unchanged.
func TestNFCStable(t *testing.T) {
	t.Parallel()
	accepted := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !nfcStable(r) {
			continue
		}
		accepted++
		s := string(r)
		if p := norm.NFC.PropertiesString(s); !norm.NFC.IsNormalString(s) || !p.BoundaryBefore() || p.CCC() != 0 {
			t.Errorf("nfcStable(%U) is true, but NFC may change it or compose it with what precedes it", r)
		}
	}
	if accepted < 30000 {
		t.Errorf("nfcStable accepts %d runes: the ranges are missing", accepted)
	}
}
