// Package report builds a report of the last days from the recorded
// matches (store.Matches): per watch the matches per day, the top stories
// by number of outlets, the busiest outlets and the change from the
// period before; as text, as JSON and as the data of a chart.
package report

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/newshound/newshound/chart"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/trend"
)

// Limits of a report.
const (
	MinDays    = 1
	MaxDays    = 90
	TopStories = 5
	TopOutlets = 5
)

// Report is a report of [From, To) for some watches. Its JSON form is
// what `newshound report --json` prints.
type Report struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Days are the calendar days of the report in its time zone, oldest
	// first; the last one may be cut short at To.
	Days    []Day   `json:"days"`
	Watches []Watch `json:"watches"`
}

// Day is one calendar day of the report.
type Day struct {
	Start time.Time `json:"start"`
	Date  string    `json:"date"` // YYYY-MM-DD in the report's time zone
}

// Watch is one watch's part of a report.
type Watch struct {
	Name string `json:"name"`
	// PerDay counts the items matched each day (an item matched by
	// several queries counts once).
	PerDay  []int `json:"per_day"`
	Matches int   `json:"matches"`
	Stories int   `json:"stories"`
	// PrevMatches and PrevStories are the same counts for the period of
	// the same length before From.
	PrevMatches int       `json:"previous_matches"`
	PrevStories int       `json:"previous_stories"`
	Top         []Story   `json:"top_stories"`
	Outlets     []Outlets `json:"busiest_outlets"`
}

// Story is one of a watch's top stories.
type Story struct {
	Title   string    `json:"title"`
	Link    string    `json:"link"`
	Outlets []string  `json:"outlets"`
	First   time.Time `json:"first_seen"`
}

// Outlets is how many items an outlet carried for a watch.
type Outlets struct {
	Name    string `json:"name"`
	Matches int    `json:"matches"`
}

// Period is the span of a report of days calendar days in loc at now.
// A scheduled report (complete) covers the days before now's day, whole:
// a weekly report on Monday morning covers Monday to Sunday of the week
// before, so every match is in exactly one report. Otherwise the last
// day is now's own day, up to now.
func Period(now time.Time, days int, loc *time.Location, complete bool) (from, to time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	if complete {
		return midnight.AddDate(0, 0, -days), midnight
	}
	return midnight.AddDate(0, 0, 1-days), now
}

// Build reports the given watches (in that order) over [from, to), from
// being a midnight in loc (see Period), a day at a time. The change is
// measured against the span of the same length before from.
func Build(ctx context.Context, src store.Matches, watches []string, from, to time.Time, loc *time.Location) (Report, error) {
	if loc == nil {
		loc = time.UTC
	}
	if !to.After(from) {
		return Report{}, fmt.Errorf("report: empty period %v to %v", from, to)
	}
	r := Report{From: from.UTC(), To: to.UTC()}
	local := from.In(loc)
	for d := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc); d.Before(to); d = d.AddDate(0, 0, 1) {
		r.Days = append(r.Days, Day{Start: d.UTC(), Date: d.Format(time.DateOnly)})
		if len(r.Days) > MaxDays {
			return Report{}, fmt.Errorf("report: more than %d days", MaxDays)
		}
	}
	ms, err := src.MatchesBetween(ctx, "", from.Add(-to.Sub(from)), to)
	if err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	byWatch := map[string][]store.Match{}
	for _, m := range ms {
		byWatch[m.Watch] = append(byWatch[m.Watch], m)
	}
	for _, name := range watches {
		r.Watches = append(r.Watches, r.watch(name, byWatch[name]))
	}
	return r, nil
}

// dayOf is the index of the day t falls in.
func (r Report) dayOf(t time.Time) int {
	i, _ := slices.BinarySearchFunc(r.Days, t, func(d Day, t time.Time) int { return d.Start.Compare(t) })
	if i == len(r.Days) || !r.Days[i].Start.Equal(t) {
		i--
	}
	return max(i, 0)
}

// watch builds one watch's part from its matches of both periods.
func (r Report) watch(name string, ms []store.Match) Watch {
	w := Watch{Name: name, PerDay: make([]int, len(r.Days)), Top: []Story{}, Outlets: []Outlets{}}
	var cur, prev []store.Match
	for _, m := range ms {
		if m.At.Before(r.From) {
			prev = append(prev, m)
		} else {
			cur = append(cur, m)
		}
	}
	items := func(ms []store.Match, each func(store.Match)) int {
		seen := map[string]bool{}
		for _, m := range ms {
			k := m.Feed + "\x00" + m.ItemKey
			if !seen[k] {
				seen[k] = true
				each(m)
			}
		}
		return len(seen)
	}
	perOutlet := map[string]int{}
	w.Matches = items(cur, func(m store.Match) {
		w.PerDay[r.dayOf(m.At)]++
		perOutlet[cmp.Or(m.Source, m.Feed)]++
	})
	w.PrevMatches = items(prev, func(store.Match) {})
	stories := trend.Stories(cur)
	w.Stories, w.PrevStories = len(stories), len(trend.Stories(prev))
	for _, s := range trend.Top(stories, TopStories) {
		w.Top = append(w.Top, Story{Title: s.Title, Link: s.Link, Outlets: s.Outlets, First: s.First})
	}
	for name, n := range perOutlet {
		w.Outlets = append(w.Outlets, Outlets{Name: name, Matches: n})
	}
	slices.SortFunc(w.Outlets, func(a, b Outlets) int {
		return cmp.Or(cmp.Compare(b.Matches, a.Matches), strings.Compare(a.Name, b.Name))
	})
	w.Outlets = w.Outlets[:min(len(w.Outlets), TopOutlets)]
	return w
}

// Header is the report's first line, such as
// "Report 11/23 (월) – 11/29 (일): 2 watches".
func (r Report) Header() string {
	if len(r.Days) == 0 {
		return "Report"
	}
	first, last := r.dayTime(0), r.dayTime(len(r.Days)-1)
	span := chart.DayLabel(first)
	if len(r.Days) > 1 {
		span += " – " + chart.DayLabel(last)
	}
	n := len(r.Watches)
	s := "watches"
	if n == 1 {
		s = "watch"
	}
	return fmt.Sprintf("Report %s: %d %s", span, n, s)
}

// dayTime is the date of day i as a time (midnight UTC of that date).
func (r Report) dayTime(i int) time.Time {
	t, _ := time.Parse(time.DateOnly, r.Days[i].Date)
	return t
}

// Change says how a count moved from the period before: "+35%",
// "−20%", "same", or "new" when the period before had none.
func Change(cur, prev int) string {
	switch {
	case cur == prev:
		return "same"
	case prev == 0:
		return "new"
	}
	pct := math.Round(float64(cur-prev) / float64(prev) * 100)
	if pct > 0 {
		return fmt.Sprintf("+%.0f%%", pct)
	}
	return fmt.Sprintf("−%.0f%%", -pct)
}

// Text renders the report as plain text: the header, then Body.
func (r Report) Text() string {
	return r.Header() + "\n\n" + r.Body()
}

// Body renders the watches' parts as plain text, one after the other.
// Titles and names are feed text: a renderer escapes them.
func (r Report) Body() string {
	var b strings.Builder
	for i, w := range r.Watches {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "■ %s: %d matches, %d stories (%s vs the %d days before: %d matches)\n",
			w.Name, w.Matches, w.Stories, Change(w.Matches, w.PrevMatches), len(r.Days), w.PrevMatches)
		var days []string
		for i, n := range w.PerDay {
			days = append(days, fmt.Sprintf("%s %d", chart.DayLabel(r.dayTime(i)), n))
		}
		fmt.Fprintf(&b, "  per day: %s\n", strings.Join(days, " · "))
		if len(w.Top) > 0 {
			b.WriteString("  top stories:\n")
			for i, s := range w.Top {
				fmt.Fprintf(&b, "  %d. %s (%d %s: %s)", i+1, s.Title, len(s.Outlets), plural(len(s.Outlets), "outlet", "outlets"), strings.Join(s.Outlets, ", "))
				if s.Link != "" {
					b.WriteString(" " + s.Link)
				}
				b.WriteString("\n")
			}
		}
		if len(w.Outlets) > 0 {
			var os []string
			for _, o := range w.Outlets {
				os = append(os, fmt.Sprintf("%s %d", o.Name, o.Matches))
			}
			fmt.Fprintf(&b, "  busiest outlets: %s\n", strings.Join(os, " · "))
		}
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Chart is the data of the report's chart: matches per day per watch.
func (r Report) Chart() chart.Data {
	d := chart.Data{Title: r.Header()}
	for i := range r.Days {
		d.Days = append(d.Days, r.dayTime(i))
	}
	for _, w := range r.Watches {
		d.Series = append(d.Series, chart.Series{Name: w.Name, Counts: w.PerDay})
	}
	return d
}

// ParseSince reads a report's length such as "7d", "2w" or "24h" as a
// number of whole days (rounded up), from MinDays to MaxDays.
func ParseSince(s string) (int, error) {
	bad := fmt.Errorf("invalid --since %q (write 7d, 2w or 24h; from %dd to %dd)", s, MinDays, MaxDays)
	if len(s) < 2 {
		return 0, bad
	}
	var n int
	if _, err := fmt.Sscanf(s[:len(s)-1], "%d", &n); err != nil || fmt.Sprint(n) != s[:len(s)-1] || n <= 0 {
		return 0, bad
	}
	var days int
	switch s[len(s)-1] {
	case 'd':
		days = n
	case 'w':
		days = n * 7
	case 'h':
		days = (n + 23) / 24
	default:
		return 0, bad
	}
	if days < MinDays || days > MaxDays {
		return 0, bad
	}
	return days, nil
}
