package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/newshound/newshound/bot/console"
)

// TestMatchPrintsCharacterPositions checks that match reports stdin lines
// and 1-based character columns (not byte offsets) and shows the line
// with the match in brackets when stdout is not a terminal.
func TestMatchPrintsCharacterPositions(t *testing.T) {
	long := strings.Repeat("가", 150) + " 오픈소스 " + strings.Repeat("나", 150)
	tests := []struct {
		name  string
		query string
		stdin string
		want  []string
		not   []string
	}{
		{"title, wide and Hangul characters", `"AI 국가안보각서"`, "미 정부, ＡＩ국가안보각서 공개\n", []string{
			`  title[line 1, col 7-14]: "ＡＩ국가안보각서"` + "\n",
			"    미 정부, [ＡＩ국가안보각서] 공개\n",
		}, []string{"[12:"}},
		{"body lines count from 2", "오픈소스", "제목\n첫 줄\n트럼프는 오픈소스를 장려한다.\n", []string{
			`  body[line 3, col 6-9]: "오픈소스"` + "\n",
			"    트럼프는 [오픈소스]를 장려한다.\n",
		}, nil},
		{"each occurrence", "트럼프", "트럼프와 트럼프\n", []string{
			"title[line 1, col 1-3]", "    [트럼프]와 트럼프\n",
			"title[line 1, col 6-8]", "    트럼프와 [트럼프]\n",
		}, nil},
		{"phrase across a line break", `"AI 국가안보각서"`, "제목\n정부는 AI\n국가안보각서를 공개했다\n", []string{
			`  body[line 2, col 5 to line 3, col 6]: "AI\n국가안보각서"` + "\n",
			"    정부는 [AI]\n", "    [국가안보각서]를 공개했다\n",
		}, nil},
		{"long line cut around the match", "오픈소스", "제목\n" + long + "\n", []string{
			`  body[line 2, col 152-155]: "오픈소스"`,
			"…" + strings.Repeat("가", 37) + " [오픈소스] " + strings.Repeat("나", 77) + "…\n", // 120 characters
		}, nil},
		{"control characters shown as spaces", "오픈소스", "\x1b[2J오픈소스\u202e 공개\n", []string{
			"     [2J[오픈소스]  공개\n",
		}, []string{"\x1b", "\u202e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runWithStdin(t, tt.stdin, "match", "--query", tt.query)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestMatchHighlightStyle(t *testing.T) {
	if got, want := markedLine("미 정부, 오픈소스 공개", len("미 정부, "), len("미 정부, 오픈소스"), true), "미 정부, \x1b[1m오픈소스\x1b[22m 공개"; got != want {
		t.Errorf("bold: got %q, want %q", got, want)
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		name string
		w    io.Writer
		want bool
	}{
		{"buffer", &bytes.Buffer{}, false},
		{"file", f, false},
	}
	if dev, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		defer dev.Close()
		tests = append(tests, struct {
			name string
			w    io.Writer
			want bool
		}{"character device", dev, true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := console.IsTerminal(tt.w); got != tt.want {
				t.Errorf("isTerminal = %v, want %v", got, tt.want)
			}
		})
	}
	for v, want := range map[string]bool{"": false, "1": true} {
		e := env{lookup: func(k string) (string, bool) { return v, k == "NO_COLOR" }}
		if got := noColor(e); got != want {
			t.Errorf("NO_COLOR=%q: noColor = %v, want %v", v, got, want)
		}
	}
}
