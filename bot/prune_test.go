package bot

import (
	"context"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
)

// TestPruneMatchesAndVotes: the daily clean-up drops matches and votes
// older than a report reads (store.MatchRetention) and keeps the rest.
func TestPruneMatchesAndVotes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	ctx := context.Background()
	now := h.clock.Now()
	old, kept := now.Add(-store.MatchRetention-time.Hour), now.Add(-store.MatchRetention+time.Hour)
	if err := h.store.RecordMatches(ctx, []store.Match{
		{Watch: "policy", Query: "트럼프", Feed: "yna", ItemKey: "old", At: old},
		{Watch: "policy", Query: "트럼프", Feed: "yna", ItemKey: "kept", At: kept},
	}); err != nil {
		t.Fatal(err)
	}
	for key, at := range map[string]time.Time{"old": old, "kept": kept} {
		if err := h.store.RecordVote(ctx, store.Vote{Watch: "policy", Channel: "team", ItemKey: "yna\x00" + key, Voter: "slack:U1", At: at}); err != nil {
			t.Fatal(err)
		}
	}
	h.bot.prune(ctx, now)
	ms, err := h.store.MatchesBetween(ctx, "", time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := h.store.VotesBetween(ctx, "", time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].ItemKey != "kept" {
		t.Errorf("matches after pruning: %+v, want the kept one", ms)
	}
	if len(vs) != 1 || vs[0].ItemKey != "yna\x00kept" {
		t.Errorf("votes after pruning: %+v, want the kept one", vs)
	}
}
