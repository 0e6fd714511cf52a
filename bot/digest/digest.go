// Package digest holds the pure, clock-free pieces of digest delivery:
// per-watch schedules (instant, every, at, days, quiet hours) that say
// when a match is due, story signatures that recognise the same story
// carried by several outlets, and Build, which turns due outbox entries
// into one message grouped by watch with syndicated copies folded into
// one entry.
//
// Nothing here reads the clock, the store or the network: the bot passes
// times and entries in.
package digest

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/newshound/newshound/bot/notify"
)

// Digest is a message built from outbox rows, with the rows each entry of
// it stands for, so the bot can mark exactly the delivered rows as sent.
type Digest struct {
	Message notify.Message
	// Rows maps the ID of every shown entry to the IDs of the outbox rows
	// it stands for: its own and those of the copies folded into it.
	Rows map[int64][]int64
	// Hidden lists the rows left out by max_items; Message.More counts
	// their stories.
	Hidden []int64
}

// IDs returns the outbox rows a part of the message (from Notifier.Split)
// stands for: those of its entries and, when the part carries the "and N
// more" line (More > 0), the hidden rows.
func (d Digest) IDs(part notify.Message) []int64 {
	var ids []int64
	for _, e := range part.Entries {
		ids = append(ids, d.Rows[e.ID]...)
	}
	if part.More > 0 {
		ids = append(ids, d.Hidden...)
	}
	return ids
}

// story is one entry with the copies folded into it.
type story struct {
	entry notify.Entry
	heads []Story
	rows  []int64
	order int // position of the kept entry in the input
}

// Build makes one message from due entries (each with a unique ID, its
// outbox row). Taken in publication order, an entry whose title tells
// the same story (Headline.Same) as that of any copy already in a story,
// or whose link is the same, joins that story: the earliest copy is kept, the other
// outlets are listed in Also (by source name, without repeats), and the
// story is urgent if any copy is. Stories are grouped by the kept entry's watch,
// newest first within a watch; watches are ordered by their newest story.
// maxItems gives each watch's limit (0 or nil: none); the stories past it
// are counted in More. The header counts stories: "ai-policy: 5 new" or
// "3 watches, 12 new". Channel and Location are left to the caller.
func Build(entries []notify.Entry, maxItems func(watch string) int) Digest {
	d := Digest{Rows: map[int64][]int64{}}
	if len(entries) == 0 {
		return d
	}
	// Cluster in publication order so the earliest copy is kept.
	idx := make([]int, len(entries))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return entries[a].Published.Compare(entries[b].Published)
	})
	var stories []*story
	for _, i := range idx {
		e := entries[i]
		h := NewStory(e.Title, e.Lead, e.Link, e.Published)
		if s := findStory(stories, e, h); s != nil {
			s.add(e, h)
			continue
		}
		e.Also = slices.Clone(e.Also)
		stories = append(stories, &story{entry: e, heads: []Story{h}, rows: []int64{e.ID}, order: i})
	}

	byWatch := map[string][]*story{}
	var watches []string
	for _, s := range stories {
		w := s.entry.Watch
		if _, ok := byWatch[w]; !ok {
			watches = append(watches, w)
		}
		byWatch[w] = append(byWatch[w], s)
	}
	for _, ss := range byWatch {
		slices.SortStableFunc(ss, newestFirst)
	}
	slices.SortStableFunc(watches, func(a, b string) int {
		if c := newestFirst(byWatch[a][0], byWatch[b][0]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})

	m := &d.Message
	for _, w := range watches {
		ss := byWatch[w]
		if maxItems != nil {
			if n := maxItems(w); n > 0 && len(ss) > n {
				for _, s := range ss[n:] {
					d.Hidden = append(d.Hidden, s.rows...)
				}
				m.More += len(ss) - n
				ss = ss[:n]
			}
		}
		for _, s := range ss {
			m.Entries = append(m.Entries, s.entry)
			d.Rows[s.entry.ID] = s.rows
		}
	}
	if len(watches) == 1 {
		m.Header = fmt.Sprintf("%s: %d new", watches[0], len(stories))
	} else {
		m.Header = fmt.Sprintf("%d watches, %d new", len(watches), len(stories))
	}
	return d
}

// findStory returns the story an entry belongs to: one with a copy of
// the same story (Story.Same: title, lead, link and time).
func findStory(stories []*story, e notify.Entry, h Story) *story {
	for _, s := range stories {
		if e.Link != "" && e.Link == s.entry.Link {
			return s
		}
		for _, x := range s.heads {
			if h.Same(x) {
				return s
			}
		}
	}
	return nil
}

// add folds a copy into the story.
func (s *story) add(e notify.Entry, h Story) {
	s.heads = append(s.heads, h)
	s.rows = append(s.rows, e.ID)
	s.entry.Urgent = s.entry.Urgent || e.Urgent
	name := cmp.Or(e.Source, e.Feed)
	if name == cmp.Or(s.entry.Source, s.entry.Feed) {
		return
	}
	for _, a := range s.entry.Also {
		if a.Name == name {
			return
		}
	}
	s.entry.Also = append(s.entry.Also, notify.Source{Name: name, Link: e.Link})
}

func newestFirst(a, b *story) int {
	if c := b.entry.Published.Compare(a.entry.Published); c != 0 {
		return c
	}
	return cmp.Compare(a.order, b.order)
}
