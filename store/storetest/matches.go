package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
)

func testMatches(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := func(watch, query, feed, key string, at time.Time) store.Match {
		label := strings.ToValidUTF8(strings.ReplaceAll(key, "\x00", ""), "")
		return store.Match{Watch: watch, Query: query, Feed: feed, Source: feed + " 뉴스", ItemKey: key,
			Title: "트럼프 " + label, Link: "https://example.com/" + label, At: at}
	}
	check(t, s.RecordMatches(ctx, nil))
	check(t, s.RecordMatches(ctx, []store.Match{
		m("ai", "트럼프", "yna", "a\x00\xff", t0.In(kst).Add(987654321*time.Nanosecond)),
		m("ai", "트럼프", "yna", "b", t0.Add(-time.Hour)),
		m("ai", "오픈소스", "yna", "b", t0.Add(-time.Hour)), // another query: its own row
		m("chips", "반도체", "edaily", "c", t0.Add(2*time.Hour)),
	}))
	// A repeat (same watch, query, feed, key) is skipped, whatever else differs.
	dup := m("ai", "트럼프", "yna", "b", t0.Add(5*time.Hour))
	dup.Title = "changed"
	check(t, s.RecordMatches(ctx, []store.Match{dup}))

	got, err := s.MatchesBetween(ctx, "ai", t0.Add(-24*time.Hour), t0.Add(24*time.Hour))
	check(t, err)
	var keys []string
	for _, g := range got {
		keys = append(keys, g.Query+"/"+g.ItemKey)
	}
	if want := []string{"트럼프/b", "오픈소스/b", "트럼프/a\x00\xff"}; !slices.Equal(keys, want) {
		t.Fatalf("MatchesBetween(ai) = %q, want %q (oldest first, then recording order)", keys, want)
	}
	first := got[2]
	want := m("ai", "트럼프", "yna", "a\x00\xff", t0.Add(987*time.Millisecond))
	if first.Watch != want.Watch || first.Query != want.Query || first.Feed != want.Feed || first.Source != want.Source ||
		first.ItemKey != want.ItemKey || first.Title != want.Title || first.Link != want.Link {
		t.Errorf("read back %+v, want %+v", first, want)
	}
	if !first.At.Equal(want.At) || first.At.Location() != time.UTC {
		t.Errorf("At = %v (%v), want %v in UTC", first.At, first.At.Location(), want.At)
	}
	if got[0].Title != "트럼프 b" {
		t.Errorf("a repeated match replaced the first: title %q", got[0].Title)
	}

	// [from, to): from is included, to is not; "" reads every watch.
	got, err = s.MatchesBetween(ctx, "", t0.Add(-time.Hour), t0.Add(2*time.Hour))
	check(t, err)
	if len(got) != 3 {
		t.Errorf("MatchesBetween(all, [t0-1h, t0+2h)) = %d matches, want 3", len(got))
	}
	got, err = s.MatchesBetween(ctx, "", t0.Add(2*time.Hour), t0.Add(3*time.Hour))
	check(t, err)
	if len(got) != 1 || got[0].Watch != "chips" {
		t.Errorf("MatchesBetween(all, [t0+2h, t0+3h)) = %+v, want the chips match", got)
	}
	// A zero from means "since the beginning", in every store.
	got, err = s.MatchesBetween(ctx, "", time.Time{}, t0.Add(2*time.Hour))
	check(t, err)
	if len(got) != 3 {
		t.Errorf("MatchesBetween(all, [zero, t0+2h)) = %d matches, want 3", len(got))
	}
	got, err = s.MatchesBetween(ctx, "nope", t0.Add(-24*time.Hour), t0.Add(24*time.Hour))
	check(t, err)
	if len(got) != 0 {
		t.Errorf("MatchesBetween of an unknown watch = %+v, want none", got)
	}

	// PruneMatches: a zero time deletes nothing; then what was found
	// before the time goes, the rest stays.
	n, err := s.PruneMatches(ctx, time.Time{})
	check(t, err)
	if n != 0 {
		t.Errorf("PruneMatches(zero) deleted %d", n)
	}
	n, err = s.PruneMatches(ctx, t0)
	check(t, err)
	if n != 2 {
		t.Errorf("PruneMatches(t0) deleted %d, want the 2 matches of t0-1h", n)
	}
	got, err = s.MatchesBetween(ctx, "", t0.Add(-24*time.Hour), t0.Add(24*time.Hour))
	check(t, err)
	if len(got) != 2 {
		t.Errorf("after pruning: %d matches, want 2 (at t0 and t0+2h)", len(got))
	}

	// A zero At is stamped with the store's clock.
	before := time.Now().Add(-time.Second)
	check(t, s.RecordMatches(ctx, []store.Match{m("stamp", "q", "f", "k", time.Time{})}))
	got, err = s.MatchesBetween(ctx, "stamp", before, time.Now().Add(time.Minute))
	check(t, err)
	if len(got) != 1 {
		t.Errorf("a match recorded with a zero At was not stamped now: %+v", got)
	}
}
