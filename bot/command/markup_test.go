package command

import (
	"slices"
	"testing"
)

func TestParseReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []Run
	}{
		{"plain 반도체", []Run{{RunText, "plain 반도체"}}},
		{"Added `반도체` to *ai-policy*.", []Run{{RunText, "Added "}, {RunCode, "반도체"}, {RunText, " to "}, {RunBold, "ai-policy"}, {RunText, "."}}},
		{`\*\*속보\*\* _단독_ \` + "`x\\`", []Run{{RunText, "**속보** _단독_ `x`"}}},
		{`*a\*b* and *c\\*`, []Run{{RunBold, "a*b"}, {RunText, " and "}, {RunBold, `c\`}}},
		{"`code keeps \\* as written`", []Run{{RunCode, `code keeps \* as written`}}},
		{"2 * 3 = 6", []Run{{RunText, "2 * 3 = 6"}}},
		{"* not bold*", []Run{{RunText, "* not bold*"}}},
		{"** and ``", []Run{{RunText, "** and ``"}}},
		{"*across\nlines*", []Run{{RunText, "*across\nlines*"}}},
		{"`across\nlines`", []Run{{RunText, "`across\nlines`"}}},
		{`C:\dir \q trailing \`, []Run{{RunText, `C:\dir \q trailing \`}}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := ParseReply(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParseReply(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzReplyLiteral checks the contract between the command core and the
// renderers: any text escaped as the core quotes it (a backslash before
// \, * and `) reads back as one literal run, exactly that text.
func FuzzReplyLiteral(f *testing.F) {
	for _, s := range []string{"**속보** _단독_ `x`", `a\b\*c`, "*", "`", `\`, "x\n*y*\n", "\xff*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		runs := ParseReply(markupEscaper.Replace(s))
		if s == "" && len(runs) == 0 {
			return
		}
		if len(runs) != 1 || runs[0] != (Run{RunText, s}) {
			t.Fatalf("%q reads as %+v", s, runs)
		}
	})
}
