package feeds

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestPlainTextInvisible(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"right-to-left override", "\u202Egnp.exe", "gnp.exe"},
		{"override in the middle", "invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"embeddings and pop", "a\u202Ab\u202Bc\u202Cd\u202De", "abcde"},
		{"isolate pairs", "\u2067\u2066역방향\u2069 제목\u2069 \u2068x\u2069", "역방향 제목 x"},
		{"bidi marks", "x\u200Ey\u200Fz\u061C!", "xyz!"},
		{"zero-width space separates words", "abc\u200bdef", "abc def"},
		{"zero-width space in Hangul", "삼성\u200b전자", "삼성 전자"},
		{"BOM at start", "\uFEFF제목", "제목"},
		{"BOM inside separates", "끝\uFEFF시작", "끝 시작"},
		{"word joiner glues", "word\u2060joiner", "wordjoiner"},
		{"mongolian vowel separator", "a\u180Eb", "ab"},
		{"soft hyphen", "infor\u00ADmation", "information"},
		{"invisible operators", "f\u2061(x)\u2062y", "f(x)y"},
		{"hangul filler as blank", "\u3164\u3164", ""},
		{"hangul filler between words", "뉴스\u3164속보", "뉴스 속보"},
		{"escaped override", "&#x202E;gnp.exe &#8203;x", "gnp.exe x"},
		{"override inside markup", "<b>\u202Eevil</b>", "evil"},
		{"ZWJ emoji sequence kept", "👩\u200D💻 개발자", "👩\u200D💻 개발자"},
		{"ZWJ after presentation selector kept", "🏳\uFE0F\u200D🌈", "🏳\uFE0F\u200D🌈"},
		{"ZWJ after skin tone kept", "👩🏽\u200D🔬", "👩🏽\u200D🔬"},
		{"ZWJ between letters dropped", "a\u200Db 가\u200D나", "ab 가나"},
		{"ZWJ at start dropped", "\u200D시작", "시작"},
		{"ZWJ before space dropped", "👩\u200D 💻", "👩 💻"},
		{"ZWNJ in Persian kept", "می\u200Cخواهم", "می\u200Cخواهم"},
		{"ZWNJ in Devanagari kept", "क्\u200Cष", "क्\u200Cष"},
		{"ZWNJ in Latin dropped", "ab\u200Ccd", "abcd"},
		{"ZWJ in Sinhala kept", "ශ්\u200Dරී", "ශ්\u200Dරී"},
		{"ZWNJ in Hangul dropped", "한\u200C글", "한글"},
		{"flag tag sequence kept", "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"},
		{"stray tag characters dropped", "a\U000E0041\U000E0042b", "ab"},
		{"decomposed Hangul composed", "\u1100\u1161\u1102\u1161", "가나"},
		{"C1 control read as windows-1252", "don\u0092t", "don’t"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := plainText(tc.in); got != tc.want {
				t.Errorf("plainText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	ko := "첫 문장입니다. 삼성전자가 새 반도체를 발표했다.그러나 주가는 내렸다. 왜 내렸을까?시장은 답하지 않았다. 마지막이에요"
	en := "The U.S. economy grew 3.5% last year. Mr. Smith said inflation fell. Prices rose! “Stop.” She left."
	ja := "今日は晴れ。明日は雨。"
	at := func(s, sub string) int {
		i := strings.Index(s, sub)
		if i < 0 {
			t.Fatalf("%q not in %q", sub, s)
		}
		return i
	}
	for _, tc := range []struct {
		name, text string
		at, n      int
		want       string
	}{
		{"korean start", ko, 0, 100, "첫 문장입니다."},
		{"korean middle", ko, at(ko, "반도체"), 100, "삼성전자가 새 반도체를 발표했다."},
		{"korean 다. without space", ko, at(ko, "주가"), 100, "그러나 주가는 내렸다."},
		{"korean ? before Hangul", ko, at(ko, "시장"), 100, "시장은 답하지 않았다."},
		{"korean end", ko, at(ko, "마지막"), 100, "마지막이에요"},
		{"offset at the end", ko, len(ko), 100, "마지막이에요"},
		{"offset past the end", ko, len(ko) + 10, 100, "마지막이에요"},
		{"negative offset", ko, -5, 100, "첫 문장입니다."},
		{"offset inside a rune", ko, at(ko, "삼성") + 1, 100, "삼성전자가 새 반도체를 발표했다."},
		{"offset on the space between sentences", ko, at(ko, " 삼성"), 100, "삼성전자가 새 반도체를 발표했다."},
		{"english abbreviations and decimals", en, at(en, "economy"), 100, "The U.S. economy grew 3.5% last year."},
		{"english title abbreviation", en, at(en, "inflation"), 100, "Mr. Smith said inflation fell."},
		{"english exclamation", en, at(en, "rose"), 100, "Prices rose!"},
		{"closing quote", en, at(en, "She"), 100, "She left."},
		{"ideographic full stop", ja, at(ja, "明日"), 100, "明日は雨。"},
		{"line break", "요약 문단\n본문 시작 문단", at("요약 문단\n본문 시작 문단", "본문"), 100, "본문 시작 문단"},
		{"korean date is one sentence", "2024. 11. 19. 오후 3시에 발표했다. 끝.", 0, 100, "2024. 11. 19. 오후 3시에 발표했다."},
		{"n zero", ko, 0, 0, ""},
		{"n one", ko, 0, 1, "…"},
		{"empty text", "", 0, 10, ""},
		{"blank text", "   ", 1, 10, ""},
		{"ideographic space trimmed", " 00! \u30000", 5, 3, "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Snippet(tc.text, tc.at, tc.n); got != tc.want {
				t.Errorf("Snippet(%q, %d, %d) = %q, want %q", tc.text, tc.at, tc.n, got, tc.want)
			}
		})
	}
}

func TestSnippetCut(t *testing.T) {
	t.Parallel()
	long := "In a statement released late on Tuesday the ministry said that the new semiconductor export rules " +
		"would take effect next month and that companies such as Samsung would need licences for every shipment " +
		"of advanced chips to the listed countries, a change analysts called the largest in a decade. Next sentence."
	koLong := "정부는 화요일 늦게 발표한 성명에서 새 반도체 수출 규정이 다음 달부터 시행되며 삼성전자 같은 기업은 " +
		"지정된 국가로 첨단 칩을 보낼 때마다 허가를 받아야 한다고 밝혔고 분석가들은 이를 10년 만의 가장 큰 변화라고 평가했다. 다음 문장."
	cjk := strings.Repeat("半導体輸出規制", 30) + "。次。"
	for _, tc := range []struct {
		name, text, term string
		n                int
		lead, trail      bool // whether "…" is expected before and after
	}{
		{"english start", long, "statement", 60, false, true},
		{"english middle", long, "Samsung", 60, true, true},
		{"english end of sentence", long, "decade", 60, true, false},
		{"korean start", koLong, "정부는", 40, false, true},
		{"korean middle", koLong, "삼성전자", 40, true, true},
		{"korean end of sentence", koLong, "평가했다", 40, true, false},
		{"text without spaces", cjk, "輸出", 20, false, true},
		{"text without spaces, deep", cjk, "規制半導体輸出規制。", 20, true, false},
		{"tiny window", long, "Samsung", 5, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := strings.Index(tc.text, tc.term)
			got := Snippet(tc.text, at, tc.n)
			if n := utf8.RuneCountInString(got); n > tc.n {
				t.Errorf("%q has %d runes, want at most %d", got, n, tc.n)
			}
			if strings.HasPrefix(got, "…") != tc.lead || strings.HasSuffix(got, "…") != tc.trail {
				t.Errorf("%q: leading ellipsis %v, trailing %v; want %v, %v", got, strings.HasPrefix(got, "…"), strings.HasSuffix(got, "…"), tc.lead, tc.trail)
			}
			first, _ := utf8.DecodeRuneInString(tc.term)
			if tc.n >= 8 && !strings.ContainsRune(got, first) {
				t.Errorf("%q lacks the start of %q", got, tc.term)
			}
			if tc.n >= 20 && !strings.Contains(got, tc.term) {
				t.Errorf("%q lacks %q", got, tc.term)
			}
			if strings.Contains(got, "Next") || strings.Contains(got, "다음 문장") || strings.Contains(got, "次") {
				t.Errorf("%q runs into the next sentence", got)
			}
			// Cut at spaces: every word shown is a whole word of the text.
			if tc.n >= 20 && strings.Contains(tc.text, " ") {
				words := map[string]bool{}
				for _, w := range strings.Fields(tc.text) {
					words[w] = true
				}
				for _, w := range strings.Fields(strings.Trim(got, "…")) {
					if !words[w] {
						t.Errorf("%q: %q is not a whole word of the text", got, w)
					}
				}
			}
		})
	}
}

func FuzzSnippet(f *testing.F) {
	f.Add("첫 문장입니다. 삼성전자가 새 반도체를 발표했다.그러나 주가는 내렸다.", 20, 10)
	f.Add("The U.S. economy grew 3.5% last year. Mr. Smith said inflation fell.", 40, 12)
	f.Add("今日は晴れ。明日は雨。", 5, 3)
	f.Fuzz(func(t *testing.T, text string, at, n int) {
		text = strings.ToValidUTF8(text, "")
		n = n % 400
		got := Snippet(text, at, n)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 %q", got)
		}
		if c := utf8.RuneCountInString(got); c > max(n, 0) {
			t.Fatalf("Snippet(%q, %d, %d) = %q: %d runes", text, at, n, got, c)
		}
		if got != strings.TrimSpace(got) {
			t.Fatalf("Snippet(%q, %d, %d) = %q: untrimmed", text, at, n, got)
		}
		if n >= 8 && at >= 0 && at < len(text) && utf8.RuneStart(text[at]) {
			if r, _ := utf8.DecodeRuneInString(text[at:]); unicode.IsLetter(r) && !strings.ContainsRune(got, r) {
				t.Fatalf("Snippet(%q, %d, %d) = %q lacks %q", text, at, n, got, r)
			}
		}
	})
}

// TestSimpleHTMLText checks that the tokenizer-free reading of simple
// HTML gives, after collapsing, what the tokenizer gives, on fragments
// mixing text, entities, block and inline tags in any case, attributes
// quoted and not (holding '>', '/', '='), stray '<' and '&', and that it
// declines what it does not handle.
func TestSimpleHTMLText(t *testing.T) {
	pieces := []string{"a", "본문", " ", "\n", "\r\n", "\t", "&amp;", "&lt;b&gt;", "&#44032;", "&nbsp;", "&amp", "&", "&zz;", "<", " < ", "<1",
		"<p>", "</p>", "<P>", "</DIV>", "<br>", "<br/>", "<br />", "<b>", "</b>", "<span class=x>", `<a href="u>v">`, `<a href='x"y'>`,
		"<img src=a/b.png>", `<img src="a.png" />`, "<p a=/>", "<a =\">\">", "<a b c=d>", "<x-y>", "<p\n>", "<td\tclass=k>",
		"<script>", "</script>", "<style>x</style>", "<!-- c -->", "<!doctype html>", "<?pi?>", "</>", "</ x>", "<title>t</title>",
		"<a href=\"", "<p", "</p", "\x00", "<p\x00q>", "<P Class=\"A\">"}
	r := rand.New(rand.NewPCG(5, 6))
	declined, took := 0, 0
	for range 30000 {
		var sb strings.Builder
		for range 1 + r.IntN(10) {
			sb.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := sb.String()
		var fast, slow strings.Builder
		if !simpleHTMLText(&fast, s) {
			declined++
			continue
		}
		took++
		tokenizedText(&slow, s)
		if got, want := collapse(fast.String()), collapse(slow.String()); got != want {
			t.Fatalf("text of %q = %q, tokenizer %q", s, got, want)
		}
	}
	if declined < 100 || took < 1000 {
		t.Errorf("took %d fragments, declined %d: the test mixes too few or too many unusual ones", took, declined)
	}
	for _, s := range []string{"<!-- x -->a", "a<script>x</script>", "<p", "</>", "<?x?>", "<title>a</title>"} {
		var b strings.Builder
		if simpleHTMLText(&b, s) {
			t.Errorf("simpleHTMLText(%q) took it", s)
		}
	}
}

// FuzzSimpleHTMLText checks the same on any input.
func FuzzSimpleHTMLText(f *testing.F) {
	for _, s := range []string{"<p>a &amp; b</p>", `<a href="x>y">t</a>`, "a < b", "<br/>c", "<p a=/>x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fast, slow strings.Builder
		if !simpleHTMLText(&fast, s) {
			return
		}
		tokenizedText(&slow, s)
		if got, want := collapse(fast.String()), collapse(slow.String()); got != want {
			t.Fatalf("text of %q = %q, tokenizer %q", s, got, want)
		}
	})
}
