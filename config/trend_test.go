package config

import (
	"strings"
	"testing"
	"time"
)

func TestSurgeAndReport(t *testing.T) {
	t.Parallel()
	src := `feeds: [{name: a, url: "https://example.com/rss"}]
channels:
  t: {console: {}, report: {at: "fri 17:30"}}
watches:
  - name: w
    keywords: [트럼프]
    channels: [t]
    surge: {factor: 6, min_stories: 3, window: 2h}
    report: {at: "Mon 09:00"}
  - name: defaults
    keywords: [x]
    channels: [t]
    surge: {}
`
	c, err := Parse("w.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Watches[0].Surge; s == nil || s.Factor != 6 || s.MinStories != 3 || s.Window.D() != 2*time.Hour {
		t.Errorf("surge = %+v, want factor 6, min_stories 3, window 2h", s)
	}
	if s := c.Watches[1].Surge; s == nil || *s != (Surge{}) {
		t.Errorf("surge: {} = %+v, want on with every key left to its default", s)
	}
	if c.Watches[1].Report != nil {
		t.Errorf("report of a watch without one = %+v, want nil", c.Watches[1].Report)
	}
	if r := c.Watches[0].Report; r == nil || r.At != "Mon 09:00" {
		t.Errorf("watch report = %+v", r)
	}
	if r := c.Channels["t"].Report; r == nil || r.At != "fri 17:30" || c.Channels["t"].Kind != "console" {
		t.Errorf("channel = %+v, want console with report fri 17:30", c.Channels["t"])
	}
}

func TestSurgeAndReportErrors(t *testing.T) {
	t.Parallel()
	src := `feeds: [{name: a, url: "https://example.com/rss"}]
channels:
  t: {console: {}, report: {at: "Monday 9:00"}}
watches:
  - name: w
    keywords: [x]
    channels: [t]
    surge: {factor: 1.2, min_stories: 0, window: 5m, every: 1h}
    report: {at: "25:00"}
`
	_, err := Parse("w.yaml", []byte(src), nil)
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`w.yaml:3:33: channels.t.report.at: invalid report time "Monday 9:00"`,
		`w.yaml:8:21: watches[0].surge.factor: factor must be between 1.5 and 1000`,
		`w.yaml:8:39: watches[0].surge.min_stories: must be at least 1`,
		`w.yaml:8:50: watches[0].surge.window: window must be between 10m and 24h`,
		`w.yaml:8:54: watches[0].surge.every: unknown key (known keys: factor, min_stories, window)`,
		`w.yaml:9:18: watches[0].report.at: invalid report time "25:00"`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("errors:\n%s\nwant %d", err, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d = %q, want prefix %q", i, lines[i], w)
		}
	}
}

func TestParseReportAt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in     string
		day    time.Weekday
		weekly bool
		clock  time.Duration
		bad    bool
	}{
		{in: "Mon 09:00", day: time.Monday, weekly: true, clock: 9 * time.Hour},
		{in: "sun 23:59", day: time.Sunday, weekly: true, clock: 23*time.Hour + 59*time.Minute},
		{in: "07:30", clock: 7*time.Hour + 30*time.Minute},
		{in: "MON 09:00", bad: true}, {in: "Mon  09:00", bad: true}, {in: "Mon 9:00", bad: true},
		{in: "월 09:00", bad: true}, {in: "", bad: true}, {in: "Mon", bad: true},
	} {
		day, weekly, clock, err := ParseReportAt(tc.in)
		if (err != nil) != tc.bad || !tc.bad && (day != tc.day || weekly != tc.weekly || clock != tc.clock) {
			t.Errorf("ParseReportAt(%q) = %v, %v, %v, %v", tc.in, day, weekly, clock, err)
		}
	}
}

func FuzzParseReportAt(f *testing.F) {
	for _, s := range []string{"Mon 09:00", "09:00", "sun 23:59", "MON 09:00", "월 09:00", "Mon 24:00", " ", "Mon  09:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		day, weekly, clock, err := ParseReportAt(s)
		if err != nil {
			return
		}
		if clock < 0 || clock >= 24*time.Hour || day < time.Sunday || day > time.Saturday || !weekly && day != 0 {
			t.Errorf("ParseReportAt(%q) = %v, %v, %v", s, day, weekly, clock)
		}
	})
}
