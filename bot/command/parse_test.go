package command

import (
	"testing"
	"time"
)

func TestSplitLast(t *testing.T) {
	tests := []struct {
		in, head, tail string
		ok             bool
	}{
		{"반도체 to ai-policy", "반도체", "ai-policy", true},
		{`"AI 국가안보각서" to ai-policy`, `"AI 국가안보각서"`, "ai-policy", true},
		{`“AI 국가안보각서” to ai-policy`, `“AI 국가안보각서”`, "ai-policy", true},
		{`"trip to seoul" to travel`, `"trip to seoul"`, "travel", true},
		{`title:"road to seoul"`, `title:"road to seoul"`, "", false},
		{"a to b to c", "a to b", "c", true},
		{"a TO b", "a", "b", true},
		{"to b", "to b", "", false},
		{"a to", "a to", "", false},
		{`a to "my watch"`, "a", "my watch", true},
		{`"unterminated to x`, `"unterminated to x`, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			h, tl, ok := splitLast(tc.in, "to")
			if h != tc.head || tl != tc.tail || ok != tc.ok {
				t.Errorf("splitLast(%q) = %q, %q, %v; want %q, %q, %v", tc.in, h, tl, ok, tc.head, tc.tail, tc.ok)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"30m", 30 * time.Minute}, {"2h", 2 * time.Hour}, {"1d", 24 * time.Hour}, {"1w", 7 * 24 * time.Hour},
		{"1h30m", 90 * time.Minute}, {"2시간", 2 * time.Hour}, {"30분", 30 * time.Minute}, {"1일", 24 * time.Hour},
		{"2시간30분", 150 * time.Minute}, {"2H", 2 * time.Hour}, {"90s", 90 * time.Second},
		{"", 0}, {"h", 0}, {"2", 0}, {"2x", 0}, {"0m", 0}, {"-1h", 0}, {"400d", 0}, {"1.5h", 0}, {"5G", 0},
	}
	for _, tc := range tests {
		got, err := parseDuration(tc.in)
		if (err != nil) != (tc.want == 0) || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestSplitDuration(t *testing.T) {
	tests := []struct {
		in, rest string
		d        time.Duration
	}{
		{"chips for 2h", "chips", 2 * time.Hour},
		{"chips 2h", "chips", 2 * time.Hour},
		{"반도체 2시간 동안", "반도체", 2 * time.Hour},
		{"반도체 2시간동안", "반도체", 2 * time.Hour},
		{`"AI 규제" for 1d`, `"AI 규제"`, 24 * time.Hour},
		{"chips", "chips", 0},
		{"2h", "2h", 0},
		{`chips "2h"`, `chips "2h"`, 0},
		{"AI for everyone", "AI for everyone", 0},
	}
	for _, tc := range tests {
		rest, d, ok := splitDuration(tc.in)
		if rest != tc.rest || d != tc.d || ok != (tc.d != 0) {
			t.Errorf("splitDuration(%q) = %q, %v, %v", tc.in, rest, d, ok)
		}
	}
}

func TestSanitizeName(t *testing.T) {
	for in, want := range map[string]string{
		"general": "general", "#Random News": "random-news", "AI 정책팀": "ai-정책팀", " --x-- ": "x", "!!!": "", "a_b.c": "a_b-c",
	} {
		if got := sanitizeName(in); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefuse(t *testing.T) {
	for in, bad := range map[string]string{
		"hi @everyone": "@everyone", "@HERE now": "@HERE", "<!channel>": "<!", "<@U123>": "<@", "<#C1>": "<#", "@Channel": "@Channel",
	} {
		if got := defuse(in); got == in || contains1(got, bad) {
			t.Errorf("defuse(%q) = %q", in, got)
		}
	}
	if got := defuse("메일 a@b.com"); got != "메일 a@b.com" {
		t.Errorf("defuse changed harmless text: %q", got)
	}
}

func contains1(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
