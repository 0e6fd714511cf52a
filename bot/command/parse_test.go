package command

import (
	"testing"
	"time"
)

func TestSplitLast(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

func TestSplitUntil(t *testing.T) {
	t.Parallel()
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 5, 1, 18, 30, 0, 0, seoul) // 18:30 KST
	today := func(h, m int) time.Time { return time.Date(2025, 5, 1, h, m, 0, 0, seoul) }
	tomorrow := func(h, m int) time.Time { return time.Date(2025, 5, 2, h, m, 0, 0, seoul) }
	tests := []struct {
		in, rest string
		until    time.Time // zero: not timed
		bad      string
	}{
		{"chips for 2h", "chips", now.Add(2 * time.Hour), ""},
		{"chips 2h", "chips", now.Add(2 * time.Hour), ""},
		{"반도체 2시간 동안", "반도체", now.Add(2 * time.Hour), ""},
		{"반도체 2시간동안", "반도체", now.Add(2 * time.Hour), ""},
		{`"AI 규제" for 1d`, `"AI 규제"`, now.Add(24 * time.Hour), ""},
		{"chips until 09:00", "chips", tomorrow(9, 0), ""},
		{"chips until 9:00", "chips", tomorrow(9, 0), ""},
		{"chips until 19:05", "chips", today(19, 5), ""},
		{"chips until 18:30", "chips", tomorrow(18, 30), ""},
		{"chips UNTIL 23:59", "chips", today(23, 59), ""},
		{"반도체 09:00까지", "반도체", tomorrow(9, 0), ""},
		{"반도체 09:00 까지", "반도체", tomorrow(9, 0), ""},
		{"chips 07:15", "chips", tomorrow(7, 15), ""},
		{"chips", "chips", time.Time{}, ""},
		{"2h", "2h", time.Time{}, ""},
		{`chips "2h"`, `chips "2h"`, time.Time{}, ""},
		{"AI for everyone", "AI for everyone", time.Time{}, "for everyone"},
		{"chips for 2x", "chips for 2x", time.Time{}, "for 2x"},
		{"chips until 9", "chips until 9", time.Time{}, "until 9"},
		{"chips until 24:00", "chips until 24:00", time.Time{}, "until 24:00"},
		{"chips until 9:5", "chips until 9:5", time.Time{}, "until 9:5"},
		{"chips 2x", "chips 2x", time.Time{}, "2x"},
		{"chips 400d", "chips 400d", time.Time{}, "400d"},
		{"반도체 내일까지", "반도체 내일까지", time.Time{}, "내일까지"},
		{"AI 2030", "AI 2030", time.Time{}, "2030"},
		{"ai 규제", "ai 규제", time.Time{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			rest, until, timed, bad := splitUntil(tc.in, now, seoul)
			if rest != tc.rest || !until.Equal(tc.until) || timed != !tc.until.IsZero() || bad != tc.bad {
				t.Errorf("splitUntil = %q, %v, %v, bad %q; want %q, %v, bad %q", rest, until, timed, bad, tc.rest, tc.until, tc.bad)
			}
		})
	}
}

// A time of day is the next one on the wall clock of the watchlist's
// zone, across a daylight saving change too.
func TestParseUntilZones(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// 2025-03-09 02:00 EST became 03:00 EDT.
	now := time.Date(2025, 3, 8, 22, 0, 0, 0, ny)
	got, err := parseUntil("until 09:00", now, ny)
	if want := time.Date(2025, 3, 9, 9, 0, 0, 0, ny); err != nil || !got.Equal(want) || got.Sub(now) != 10*time.Hour {
		t.Errorf("until 09:00 = %v (%v after), %v; want %v, 10h after", got, got.Sub(now), err, want)
	}
	got, err = parseUntil("until 09:00", now.In(time.UTC), time.UTC)
	if want := time.Date(2025, 3, 9, 9, 0, 0, 0, time.UTC); err != nil || !got.Equal(want) {
		t.Errorf("in UTC: %v, %v; want %v", got, err, want)
	}
}

func TestSanitizeName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"general": "general", "#Random News": "random-news", "AI 정책팀": "ai-정책팀", " --x-- ": "x", "!!!": "", "a_b.c": "a_b-c",
	} {
		if got := sanitizeName(in); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefuse(t *testing.T) {
	t.Parallel()
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
