package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
)

// BenchmarkPutFeedState measures what an unchanged poll costs the store,
// one state written in its own statement, on a table of 2,000 feeds:
// putFeedStateSQL against the INSERT OR REPLACE it replaced (baseline,
// same run), which deletes the row and its primary-key entry and inserts
// both again.
func BenchmarkPutFeedState(b *testing.B) {
	ctx := context.Background()
	const feeds = 2000
	for _, c := range []struct{ name, sql string }{
		{"upsert", putFeedStateSQL},
		{"baseline=replace", `INSERT OR REPLACE INTO feed_states (` + feedStateColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, err := Open(ctx, filepath.Join(b.TempDir(), "states.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			q, err := s.prepared(ctx, s.w, c.sql)
			if err != nil {
				b.Fatal(err)
			}
			st := store.FeedState{URL: "https://news.example.com/rss", ETag: `"abc"`, BodyHash: "xxh64:0123456789abcdef", Initialized: true, ItemsSeen: 35}
			at := time.UnixMilli(1_700_000_000_000)
			for i := range feeds {
				st.Feed = fmt.Sprintf("feed-%d", i)
				if err := putFeedState(ctx, q, st); err != nil {
					b.Fatal(err)
				}
			}
			i := 0
			for b.Loop() {
				st.Feed = fmt.Sprintf("feed-%d", i%feeds)
				at = at.Add(time.Second)
				st.LastAttempt, st.LastSuccess, st.NextPoll = at, at, at.Add(5*time.Minute)
				if err := putFeedState(ctx, q, st); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
