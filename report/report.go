// Package report builds a report of the last days from the recorded
// matches (store.Matches): per watch the matches per day, the top stories
// by number of outlets, the busiest outlets and the change from the
// period before; and, where alerts were voted "Not relevant"
// (store.Votes), their share of the alerts delivered (read from the
// outbox) with exclude terms to consider. As text, as JSON and as the
// data of a chart.
package report

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/newshound/newshound/chart"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/trend"
)

// Limits of a report.
const (
	MinDays    = 1
	MaxDays    = 90
	TopStories = 5
	TopOutlets = 5
	// TopExcludes is how many exclude terms a watch's part suggests.
	TopExcludes = 5
)

// The rule of a suggested exclude term: a word of the headlines
// (match.HeadlineTerms) of at least MinRejected alerts voted "Not
// relevant", of which these make at least MinRejectedShare of the
// watch's alerts with the word (an alert counts once, voted or not).
const (
	MinRejected      = 2
	MinRejectedShare = 0.8
)

// Source is what a report reads: the recorded matches, the outbox (for
// the alerts delivered; Since as store.OutboxReader) and the "Not
// relevant" votes. A store.Store is one.
type Source interface {
	store.Matches
	store.Votes
	Since(ctx context.Context, channel string, t time.Time) ([]store.Delivery, error)
}

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
	// Alerts counts the items the watch alerted in the period: its outbox
	// rows created in the period and sent as alerts of their own (not
	// the later copies that grew a story's message, nor surge alerts or
	// reports), an item posted to several channels counting once.
	// Matches that were muted, held back as copies of a story or are
	// still pending are not alerts; an item matched by several watches
	// posting to one channel is one alert, under one of them.
	Alerts int `json:"alerts"`
	// NotRelevant counts those of the Alerts voted "Not relevant" (to
	// this watch, in the period), each once whatever the number of votes;
	// NotRelevantShare is NotRelevant / Alerts (0 without alerts).
	NotRelevant      int     `json:"not_relevant"`
	NotRelevantShare float64 `json:"not_relevant_share"`
	// SuggestedExcludes are at most TopExcludes words of the rejected
	// alerts' headlines that the rule of MinRejected and MinRejectedShare
	// finds, most rejected alerts first, never a word of the watch's own
	// queries or exclude list (nor one those match, such as 트럼프의 for
	// 트럼프).
	SuggestedExcludes []string `json:"suggested_excludes"`
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

// Build reports the given watches of cfg (in that order) over [from,
// to), from being a midnight in cfg's time zone (see Period), a day at a
// time. The change is measured against the span of the same length
// before from. cfg's watches give the queries never suggested as exclude
// terms; a watch cfg lacks is reported without that check.
func Build(ctx context.Context, src Source, cfg *config.Config, watches []string, from, to time.Time) (Report, error) {
	loc := time.UTC
	if cfg != nil && cfg.Location != nil {
		loc = cfg.Location
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
	votes, err := src.VotesBetween(ctx, "", from, to)
	if err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	rows, err := src.Since(ctx, "", from)
	if err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	var synonyms [][]string
	if cfg != nil {
		synonyms = cfg.Synonyms
	}
	for _, name := range watches {
		w := r.watch(name, byWatch[name])
		if err := r.relevance(&w, watchOf(cfg, name), synonyms, rows, votes); err != nil {
			return Report{}, err
		}
		r.Watches = append(r.Watches, w)
	}
	return r, nil
}

// watchOf is cfg's watch called name, or a watch of that name without
// queries.
func watchOf(cfg *config.Config, name string) config.Watch {
	if cfg != nil {
		for _, w := range cfg.Watches {
			if w.Name == name {
				return w
			}
		}
	}
	return config.Watch{Name: name}
}

// relevance fills in the alerts of w in the period (from the outbox rows
// created since its start), those voted "Not relevant" and the exclude
// terms suggested by them.
func (r Report) relevance(w *Watch, cw config.Watch, synonyms [][]string, rows []store.Delivery, votes []store.Vote) error {
	w.SuggestedExcludes = []string{}
	titles := map[string]string{} // the watch's alerts: title by item key
	for _, d := range rows {
		if d.Watch == w.Name && d.Feed != "" && d.Parent == 0 && d.Status == store.StatusSent && d.Created.Before(r.To) {
			if _, ok := titles[d.ItemKey]; !ok {
				titles[d.ItemKey] = d.Title
			}
		}
	}
	rejected := map[string]bool{}
	for _, v := range votes {
		if _, ok := titles[v.ItemKey]; ok && v.Watch == w.Name {
			rejected[v.ItemKey] = true
		}
	}
	w.Alerts, w.NotRelevant = len(titles), len(rejected)
	if w.NotRelevant == 0 {
		return nil
	}
	w.NotRelevantShare = float64(w.NotRelevant) / float64(w.Alerts)

	// Per word (ignoring case): the rejected and the other alerts with it.
	type count struct {
		word          string // as the first rejected headline wrote it
		rejected, all int
	}
	counts := map[string]*count{}
	for _, key := range slices.Sorted(maps.Keys(titles)) { // in order: the word's spelling is stable
		for _, t := range match.HeadlineTerms(titles[key]) {
			k := strings.ToLower(t)
			c := counts[k]
			if c == nil {
				c = &count{}
				counts[k] = c
			}
			c.all++
			if rejected[key] {
				c.rejected++
				if c.word == "" {
					c.word = t
				}
			}
		}
	}
	own, err := ownTerms(cw, synonyms)
	if err != nil {
		return err
	}
	var picks []count
	for _, c := range counts {
		if c.rejected >= MinRejected && float64(c.rejected) >= MinRejectedShare*float64(c.all) && !own(c.word) {
			picks = append(picks, *c)
		}
	}
	slices.SortFunc(picks, func(a, b count) int {
		return cmp.Or(cmp.Compare(b.rejected, a.rejected), cmp.Compare(a.all, b.all), strings.Compare(a.word, b.word))
	})
	for _, p := range picks[:min(len(picks), TopExcludes)] {
		w.SuggestedExcludes = append(w.SuggestedExcludes, p.word)
	}
	return nil
}

// ownTerms returns whether a word belongs to the watch already: the
// words of its keywords, urgent and exclude queries, compiled as queries
// (with the synonyms) so that a word they match counts too, as 트럼프의
// for 트럼프 or Trump for 트럼프 when the two are synonyms.
func ownTerms(w config.Watch, synonyms [][]string) (func(string) bool, error) {
	var words []string
	for _, q := range slices.Concat(w.Keywords, w.Urgent, w.Exclude) {
		words = append(words, match.HeadlineTerms(q)...)
	}
	if len(words) == 0 {
		return func(string) bool { return false }, nil
	}
	m, err := match.Compile([]match.Rule{{Watch: w.Name, Keywords: words}}, synonyms)
	if err != nil {
		return nil, fmt.Errorf("report: the words of watch %s: %w", w.Name, err)
	}
	return func(t string) bool { return len(m.Match(match.Document{Title: t, AnyFeed: true})) > 0 }, nil
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
		if w.NotRelevant > 0 {
			fmt.Fprintf(&b, "  Not relevant: %d of %d %s (%.0f%%)", w.NotRelevant, w.Alerts, plural(w.Alerts, "alert", "alerts"), math.Round(w.NotRelevantShare*100))
			if len(w.SuggestedExcludes) > 0 {
				b.WriteString(" · exclude? " + strings.Join(w.SuggestedExcludes, ", "))
			}
			b.WriteString("\n")
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
