package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
)

func testVotes(t *testing.T, s store.Store) {
	ctx := t.Context()
	v := func(watch, channel, key, voter string, at time.Time) store.Vote {
		return store.Vote{Watch: watch, Channel: channel, Row: 7, ItemKey: key, Title: "[칼럼] 트럼프와 " + watch,
			Snippet: "본문 첫 줄", Voter: voter, At: at}
	}
	check(t, s.RecordVote(ctx, v("ai", "slack", "yna\x00a\xff", "slack:U1", t0.In(kst).Add(987654321*time.Nanosecond))))
	check(t, s.RecordVote(ctx, v("ai", "slack", "yna\x00b", "slack:U1", t0.Add(-time.Hour))))
	check(t, s.RecordVote(ctx, v("ai", "slack", "yna\x00b", "slack:U2", t0.Add(-time.Hour)))) // another voter: its own vote
	check(t, s.RecordVote(ctx, v("ai", "discord", "yna\x00b", "slack:U1", t0)))               // another channel: another alert
	check(t, s.RecordVote(ctx, v("chips", "slack", "edaily\x00c", "slack:U1", t0.Add(2*time.Hour))))
	// The same voter on the same alert again counts once: the first vote stays.
	dup := v("other", "slack", "yna\x00b", "slack:U1", t0.Add(time.Minute))
	dup.Title = "changed"
	check(t, s.RecordVote(ctx, dup))

	got, err := s.VotesBetween(ctx, "ai", t0.Add(-24*time.Hour), t0.Add(24*time.Hour))
	check(t, err)
	var keys []string
	for _, g := range got {
		keys = append(keys, g.Channel+"/"+g.ItemKey+"/"+g.Voter)
	}
	want := []string{"slack/yna\x00b/slack:U1", "slack/yna\x00b/slack:U2", "discord/yna\x00b/slack:U1", "slack/yna\x00a\xff/slack:U1"}
	if !slices.Equal(keys, want) {
		t.Fatalf("VotesBetween(ai) = %q, want %q (oldest first, then recording order; a repeat skipped)", keys, want)
	}
	first := got[3]
	wantV := v("ai", "slack", "yna\x00a\xff", "slack:U1", t0.Add(987*time.Millisecond))
	if !first.At.Equal(wantV.At) || first.At.Location() != time.UTC {
		t.Errorf("At = %v (%v), want %v in UTC", first.At, first.At.Location(), wantV.At)
	}
	first.At = wantV.At
	if first != wantV {
		t.Errorf("read back %+v, want %+v", first, wantV)
	}
	if got[0].Title != "[칼럼] 트럼프와 ai" || got[0].Watch != "ai" {
		t.Errorf("a repeated vote replaced the first: %+v", got[0])
	}

	// [from, to): from is included, to is not; "" reads every watch.
	got, err = s.VotesBetween(ctx, "", t0.Add(-time.Hour), t0.Add(2*time.Hour))
	check(t, err)
	if len(got) != 4 {
		t.Errorf("VotesBetween(all, [t0-1h, t0+2h)) = %d votes, want 4", len(got))
	}
	got, err = s.VotesBetween(ctx, "", time.Time{}, t0.Add(2*time.Hour))
	check(t, err)
	if len(got) != 4 {
		t.Errorf("VotesBetween(all, [zero, t0+2h)) = %d votes, want 4 (a zero from is the beginning)", len(got))
	}
	got, err = s.VotesBetween(ctx, "", t0.Add(2*time.Hour), t0.Add(3*time.Hour))
	check(t, err)
	if len(got) != 1 || got[0].Watch != "chips" {
		t.Errorf("VotesBetween(all, [t0+2h, t0+3h)) = %+v, want the chips vote", got)
	}
	got, err = s.VotesBetween(ctx, "nope", t0.Add(-24*time.Hour), t0.Add(24*time.Hour))
	check(t, err)
	if len(got) != 0 {
		t.Errorf("VotesBetween of an unknown watch = %+v, want none", got)
	}

	// PruneVotes: a zero time deletes nothing; then what was cast before
	// the time goes, the rest stays.
	n, err := s.PruneVotes(ctx, time.Time{})
	check(t, err)
	if n != 0 {
		t.Errorf("PruneVotes(zero) deleted %d", n)
	}
	n, err = s.PruneVotes(ctx, t0)
	check(t, err)
	if n != 2 {
		t.Errorf("PruneVotes(t0) deleted %d, want the 2 votes of t0-1h", n)
	}
	got, err = s.VotesBetween(ctx, "", t0.Add(-24*time.Hour), t0.Add(24*time.Hour))
	check(t, err)
	if len(got) != 3 {
		t.Errorf("after pruning: %d votes, want 3", len(got))
	}

	// A zero At is stamped with the store's clock.
	before := time.Now().Add(-time.Second)
	check(t, s.RecordVote(ctx, v("stamp", "slack", "k", "discord:9", time.Time{})))
	got, err = s.VotesBetween(ctx, "stamp", before, time.Now().Add(time.Minute))
	check(t, err)
	if len(got) != 1 {
		t.Errorf("a vote recorded with a zero At was not stamped now: %+v", got)
	}
}
