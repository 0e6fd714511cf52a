package console

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/newshound/newshound/bot/notify"
)

func TestSendPrintsEachFieldOnce(t *testing.T) {
	t.Parallel()
	seoul := time.FixedZone("KST", 9*3600)
	m := notify.Message{
		Header:   "ai-policy: 1 new",
		Location: seoul,
		Entries: []notify.Entry{{
			Watch: "ai-policy", Source: "연합뉴스", Title: "트럼프, \x1b[31mAI 국가안보각서\x1b[0m 서명",
			Link: "https://www.yna.co.kr/view/AKR1", Published: time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC),
			Terms: []string{"트럼프", "AI 국가안보각서"}, Also: []notify.Source{{Name: "뉴스1"}},
		}},
		More: 2,
	}
	var buf bytes.Buffer
	n, err := New("terminal", Config{}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if parts := n.Split(m); len(parts) != 1 {
		t.Fatalf("split into %d parts, want 1", len(parts))
	}
	if err := n.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for want, count := range map[string]int{
		"트럼프, [31mAI 국가안보각서[0m 서명":        1, // escape byte removed
		"https://www.yna.co.kr/view/AKR1": 1,
		"2024-11-19 10:00 KST":            1,
		"matched: 트럼프, AI 국가안보각서":         1,
		"+1: 뉴스1":    1,
		"and 2 more": 1,
		"\x1b":       0,
	} {
		if got := strings.Count(out, want); got != count {
			t.Errorf("%q appears %d times, want %d:\n%s", want, got, count, out)
		}
	}
}

func TestJSONFormat(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	n, err := New("terminal", Config{Format: "json"}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	m := notify.Message{Entries: []notify.Entry{{Watch: "w", Title: "<b>오픈소스</b>", Link: "https://a.example/?a=1&b=2"}, {Watch: "w", Title: "둘"}}}
	if err := n.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want one per entry:\n%s", len(lines), buf.String())
	}
	var e struct {
		Channel, Title, Link string
	}
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
		t.Fatal(err)
	}
	if e.Channel != "terminal" || e.Title != "<b>오픈소스</b>" || e.Link != "https://a.example/?a=1&b=2" {
		t.Errorf("decoded %+v", e)
	}
	if _, err := New("x", Config{Format: "xml"}, &buf); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestSnippetLineMarksTerms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		snippet string
		terms   []string
		want    string // the snippet line(s), without the label
	}{
		{"korean terms with particles", "백악관은 트럼프 대통령이 AI 국가안보각서에 서명했다고 밝혔다.", []string{"트럼프", "AI 국가안보각서"},
			"백악관은 [트럼프] 대통령이 [AI 국가안보각서]에 서명했다고 밝혔다."},
		{"case as written in the text", "The Open Source Initiative said so.", []string{"open source"},
			"The [Open Source] Initiative said so."},
		{"longest term wins", "AI 국가안보각서 공개", []string{"AI", "AI 국가안보각서"},
			"[AI 국가안보각서] 공개"},
		{"every occurrence", "트럼프와 트럼프", []string{"트럼프"}, "[트럼프]와 [트럼프]"},
		{"no term in the snippet", "관세 발표", []string{"트럼프"}, "관세 발표"},
		{"control characters and line breaks", "트럼프\x1b[31m 발표\n둘째 줄", []string{"트럼프"}, "[트럼프][31m 발표 둘째 줄"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := send(t, notify.Entry{Watch: "w", Title: "제목", Snippet: tt.snippet, Terms: tt.terms})
			line := "    snippet: " + tt.want + "\n"
			if !strings.Contains(out, line) {
				t.Errorf("output lacks %q:\n%s", line, out)
			}
			if strings.Contains(out, "\x1b") {
				t.Errorf("escape byte in the output:\n%q", out)
			}
		})
	}
	if out := send(t, notify.Entry{Watch: "w", Title: "제목", Snippet: "  \n "}); strings.Contains(out, "snippet:") {
		t.Errorf("empty snippet printed:\n%s", out)
	}
}

func TestLongSnippetIsWrappedToTheTerminal(t *testing.T) {
	t.Parallel()
	word := "반도체 수출이 석 달 연속 늘었다고 산업통상자원부가 밝혔다. "
	long := strings.Repeat(word, 12) // far more than three lines
	tests := []struct {
		name    string
		snippet string
		cut     bool
	}{
		{"korean, cut", long, true},
		{"english, cut", strings.Repeat("Chip exports rose for a third month, the ministry said. ", 10), true},
		{"no spaces", strings.Repeat("반도체", 60), true},
		{"fits in two lines", strings.Repeat(word, 2), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := send(t, notify.Entry{Watch: "w", Title: "제목", Snippet: tt.snippet, Terms: []string{"반도체", "Chip"}})
			var lines []string
			in := false
			for l := range strings.SplitSeq(out, "\n") {
				switch {
				case strings.HasPrefix(l, "    snippet: "):
					in = true
				case in && strings.HasPrefix(l, strings.Repeat(" ", 13)):
				default:
					in = false
				}
				if in {
					lines = append(lines, l)
				}
			}
			if len(lines) == 0 || len(lines) > 3 {
				t.Fatalf("%d snippet lines, want 1 to 3:\n%s", len(lines), out)
			}
			var text strings.Builder
			for i, l := range lines {
				if c := columns(l); c > 80 {
					t.Errorf("line %d is %d columns wide: %q", i+1, c, l)
				}
				text.WriteString(strings.TrimSpace(strings.TrimPrefix(l, "    snippet: ")) + " ")
			}
			last := lines[len(lines)-1]
			if got := strings.HasSuffix(last, "…"); got != tt.cut {
				t.Errorf("last line ends with …: %v, want %v: %q", got, tt.cut, last)
			}
			// What is shown is the start of the snippet, marks removed.
			shown := strings.NewReplacer("[", "", "]", "", "…", "").Replace(text.String())
			if !strings.HasPrefix(strings.Join(strings.Fields(tt.snippet), ""), strings.Join(strings.Fields(shown), "")) {
				t.Errorf("shown text is not the snippet's start:\n%s", shown)
			}
			if !tt.cut && len(lines) != 2 {
				t.Errorf("%d lines for a snippet that fits in two", len(lines))
			}
		})
	}
}

func TestBoldOnATerminal(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	writeSnippet(&b, "트럼프, AI 국가안보각서 서명", []string{"트럼프", "AI 국가안보각서"}, true)
	if want := "    snippet: \x1b[1m트럼프\x1b[22m, \x1b[1mAI 국가안보각서\x1b[22m 서명\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []io.Writer{&bytes.Buffer{}, f} {
		if IsTerminal(w) {
			t.Errorf("%T is taken for a terminal", w)
		}
	}
}

// send prints one entry with a text console channel and returns the text.
func send(t *testing.T, e notify.Entry) string {
	t.Helper()
	var buf bytes.Buffer
	n, err := New("terminal", Config{}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), notify.Message{Header: "w: 1 new", Entries: []notify.Entry{e}}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// columns counts terminal columns: two for Hangul syllables, one else.
func columns(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			n += 2
		} else {
			n++
		}
	}
	return n
}
