// Package trend finds when a watch's topic suddenly spreads. It groups a
// watch's recorded matches (store.Matches) into stories — copies of one
// headline from several outlets are one story — and compares the number
// of new distinct stories in the last window with the same window of the
// day over the previous days: a jump of a given factor, with at least a
// given number of stories, is a surge. A surge of one target (a watch, or
// one query of it) is reported at most once per window.
package trend

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/newshound/newshound/bot/digest"
	"github.com/newshound/newshound/store"
)

// Defaults of a watch's surge settings.
const (
	DefaultFactor     = 4.0
	DefaultMinStories = 5
	DefaultWindow     = time.Hour
	// BaselineDays is how many previous days the baseline is taken from.
	BaselineDays = 14
	// Floor is the least baseline in stories per window: a new or quiet
	// watch is compared with one story per window, never with zero.
	Floor = 1.0
	// TopStories is how many stories a surge alert lists.
	TopStories = 3
)

// Settings say when a watch surges: at least MinStories new stories in
// Window, and at least Factor times the baseline.
type Settings struct {
	Factor     float64
	MinStories int
	Window     time.Duration
}

// Story is one story: the matches of several outlets (or several items of
// one outlet) that report the same thing.
type Story struct {
	Title   string
	Link    string
	Source  string   // the outlet of the first copy
	Outlets []string // every outlet that carried it, first copy first
	First   time.Time
	Matches int
}

// StoryHorizon is how long after its first copy a match can still join a
// story; a copy later than that starts a new one. It bounds the work of
// grouping a long period to the stories of a day at a time, the default
// story_window of the watchlist.
const StoryHorizon = 24 * time.Hour

// Stories groups matches (oldest first) into stories: the same link, or
// headlines that digest.Headline.Same deems the same story, within
// StoryHorizon of the story's first copy. A match found by several
// queries counts once. Stories are returned in order of their first copy.
func Stories(ms []store.Match) []Story {
	type group struct {
		Story
		heads []digest.Headline
		items map[string]bool
	}
	var gs []*group
	for _, m := range ms {
		item := m.Feed + "\x00" + m.ItemKey
		h := digest.NewHeadline(m.Title)
		var g *group
	find:
		for i := len(gs) - 1; i >= 0; i-- {
			c := gs[i]
			if c.First.Before(m.At.Add(-StoryHorizon)) {
				break // groups are in order of their first copy
			}
			if c.items[item] || m.Link != "" && m.Link == c.Link {
				g = c
				break
			}
			for _, x := range c.heads {
				if h.Same(x) {
					g = c
					break find
				}
			}
		}
		outlet := cmp.Or(m.Source, m.Feed)
		if g == nil {
			g = &group{Story: Story{Title: m.Title, Link: m.Link, Source: outlet, First: m.At}, items: map[string]bool{}}
			gs = append(gs, g)
		}
		if g.items[item] {
			continue
		}
		g.items[item] = true
		g.heads = append(g.heads, h)
		g.Matches++
		if !slices.Contains(g.Outlets, outlet) {
			g.Outlets = append(g.Outlets, outlet)
		}
	}
	out := make([]Story, len(gs))
	for i, g := range gs {
		out[i] = g.Story
	}
	return out
}

// Top returns up to n stories carried by the most outlets, then the most
// recent first.
func Top(stories []Story, n int) []Story {
	s := slices.Clone(stories)
	slices.SortStableFunc(s, func(a, b Story) int {
		return cmp.Or(cmp.Compare(len(b.Outlets), len(a.Outlets)), b.First.Compare(a.First))
	})
	return s[:min(n, len(s))]
}

// Outlets counts the distinct outlets of stories.
func Outlets(stories []Story) int {
	seen := map[string]bool{}
	for _, s := range stories {
		for _, o := range s.Outlets {
			seen[o] = true
		}
	}
	return len(seen)
}

// Surge is one detected jump.
type Surge struct {
	Watch string
	// Query is the keyword that surged, or "" for the watch as a whole.
	Query    string
	Stories  int     // distinct stories in the window
	Outlets  int     // distinct outlets that carried them
	Baseline float64 // stories per window on an ordinary day
	Factor   float64 // Stories / Baseline
	Window   time.Duration
	At       time.Time // when it was detected: the window's end
	Top      []Story
}

// Key identifies the surge's target: the watch, or watch and query.
func (s Surge) Key() string {
	if s.Query == "" {
		return s.Watch
	}
	return s.Watch + "\x00" + s.Query
}

// Source is what the Detector reads and writes.
type Source interface {
	store.Matches
	store.Meta
}

// Detector finds surges in the recorded matches. Its Now is the clock
// (time.Now when nil).
type Detector struct {
	Store Source
	Now   func() time.Time
}

// metaKey is the Meta key holding the time of a target's last surge.
func metaKey(target string) string { return "surge:" + target }

// Check looks for a surge of a watch as a whole and, when the watch has
// more than one query, of each query. A target that surged less than a
// window ago is not checked again. When the watch as a whole surges, its
// queries are not reported separately. Check changes nothing: call Record
// once a surge's alert is queued.
//
// It reads only the windows it compares (the current one and the same
// window on each of the BaselineDays days before), each with one window
// before it, so that a story that began just before a window is not new
// in it; a busy watch costs the same as a quiet one per window.
func (d *Detector) Check(ctx context.Context, watch string, queries []string, set Settings) ([]Surge, error) {
	now := d.now()
	set = set.withDefaults()
	windows := make([][]store.Match, BaselineDays+1) // 0: the current window; d: d days before
	for i := range windows {
		end := now.Add(-time.Duration(i) * 24 * time.Hour)
		ms, err := d.Store.MatchesBetween(ctx, watch, end.Add(-2*set.Window), end)
		if err != nil {
			return nil, fmt.Errorf("trend: watch %s: %w", watch, err)
		}
		windows[i] = ms
		if i == 0 && items(ms, end.Add(-set.Window)) < set.MinStories {
			return nil, nil // too few items for enough stories: no baseline needed
		}
	}
	targets := []string{""}
	if len(queries) > 1 {
		targets = append(targets, queries...)
	}
	var out []Surge
	for _, q := range targets {
		s, ok := evaluate(watch, q, windows, now, set)
		if !ok {
			continue
		}
		recent, err := d.recentlySurged(ctx, s.Key(), now, set.Window)
		if err != nil {
			return nil, err
		}
		if recent {
			continue
		}
		out = append(out, s)
		if q == "" {
			break // the watch as a whole: its queries need no alert of their own
		}
	}
	return out, nil
}

// items counts the distinct items matched at or after from.
func items(ms []store.Match, from time.Time) int {
	seen := map[string]bool{}
	for _, m := range ms {
		if !m.At.Before(from) {
			seen[m.Feed+"\x00"+m.ItemKey] = true
		}
	}
	return len(seen)
}

// Record notes that s was alerted, so its target is quiet for a window.
func (d *Detector) Record(ctx context.Context, s Surge) error {
	if err := d.Store.SetMeta(ctx, metaKey(s.Key()), strconv.FormatInt(s.At.UnixMilli(), 10)); err != nil {
		return fmt.Errorf("trend: record surge of %s: %w", s.Watch, err)
	}
	return nil
}

// recentlySurged reports whether target surged less than window before now.
func (d *Detector) recentlySurged(ctx context.Context, target string, now time.Time, window time.Duration) (bool, error) {
	v, err := d.Store.GetMeta(ctx, metaKey(target))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("trend: last surge: %w", err)
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return false, nil // unreadable bookkeeping: as if none
	}
	return now.Sub(time.UnixMilli(ms)) < window, nil
}

func (d *Detector) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (s Settings) withDefaults() Settings {
	s.Factor = cmp.Or(s.Factor, DefaultFactor)
	s.MinStories = cmp.Or(s.MinStories, DefaultMinStories)
	s.Window = cmp.Or(s.Window, DefaultWindow)
	return s
}

// evaluate decides on one target (query, or "" for every match) from
// the windows Check read: windows[i] holds the matches of the two windows
// ending i days before now, oldest first. A story counts in the window
// where its first copy appeared.
func evaluate(watch, query string, windows [][]store.Match, now time.Time, set Settings) (Surge, bool) {
	newIn := func(i int) []Story {
		end := now.Add(-time.Duration(i) * 24 * time.Hour)
		var sel []store.Match
		for _, m := range windows[i] {
			if query == "" || m.Query == query {
				sel = append(sel, m)
			}
		}
		var out []Story
		for _, s := range Stories(sel) {
			if !s.First.Before(end.Add(-set.Window)) && s.First.Before(end) {
				out = append(out, s)
			}
		}
		return out
	}
	current := newIn(0)
	if len(current) < set.MinStories {
		return Surge{}, false
	}
	total := 0
	for i := 1; i <= BaselineDays; i++ {
		total += len(newIn(i))
	}
	base := max(float64(total)/BaselineDays, Floor)
	factor := float64(len(current)) / base
	if factor < set.Factor {
		return Surge{}, false
	}
	return Surge{
		Watch: watch, Query: query,
		Stories: len(current), Outlets: Outlets(current),
		Baseline: base, Factor: factor, Window: set.Window, At: now,
		Top: Top(current, TopStories),
	}, true
}
