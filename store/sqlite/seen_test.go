package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestSeenBatches checks Unseen and MarkSeen across several statements:
// more keys than one statement binds, repeats within and across chunks,
// and keys already seen mixed in, all answered in input order.
func TestSeenBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "seen.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var keys []string
	for i := range 2*seenChunk + 17 {
		keys = append(keys, fmt.Sprintf("k%04d", i))
	}
	// Every third key is seen already; key 5 is repeated in a later chunk.
	var old []string
	for i := 0; i < len(keys); i += 3 {
		old = append(old, keys[i])
	}
	at := time.UnixMilli(1_700_000_000_000)
	if _, err := s.MarkSeen(ctx, "f", old, at); err != nil {
		t.Fatal(err)
	}
	in := append(slices.Clone(keys), keys[5], keys[3])
	var want []string
	for i, k := range keys {
		if i%3 != 0 {
			want = append(want, k)
		}
	}
	got, err := s.Unseen(ctx, "f", in)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Unseen: got %d keys %v…, want %d %v…", len(got), head(got), len(want), head(want))
	}
	fresh, err := s.MarkSeen(ctx, "f", in, at)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fresh, want) {
		t.Fatalf("MarkSeen: got %d keys %v…, want %d %v…", len(fresh), head(fresh), len(want), head(want))
	}
	if got, err := s.Unseen(ctx, "f", in); err != nil || len(got) != 0 {
		t.Fatalf("Unseen after MarkSeen = %v, %v; want none", head(got), err)
	}
	// Another feed's keys are its own.
	if got, err := s.Unseen(ctx, "g", keys[:3]); err != nil || !slices.Equal(got, keys[:3]) {
		t.Fatalf("Unseen of another feed = %v, %v; want %v", got, err, keys[:3])
	}
}

func head(s []string) []string { return s[:min(len(s), 4)] }

// markSeenPerKey and unseenPerKey are the one-statement-per-key versions
// the batched ones replaced, the baseline of the benchmarks below.
func (s *Store) markSeenPerKey(ctx context.Context, feed string, keys []string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO seen_items (feed, item_key, seen_at) VALUES (?, ?, ?)
				ON CONFLICT (feed, item_key) DO NOTHING`, feed, k, millis(at)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) unseenPerKey(ctx context.Context, feed string, keys []string) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, k := range keys {
		var seen bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM seen_items WHERE feed = ? AND item_key = ?)`, feed, k).Scan(&seen); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkSeen measures what a poll of a 35-item feed costs the seen
// table: Unseen, then MarkSeen of new keys, batched and (baseline, same
// run) one statement per key.
func BenchmarkSeen(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "seen.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	at := time.UnixMilli(1_700_000_000_000)
	n := 0
	batch := func() []string {
		keys := make([]string, 35)
		for i := range keys {
			keys[i] = fmt.Sprintf("https://news.example.com/article/%d", n)
			n++
		}
		return keys
	}
	b.Run("batched", func(b *testing.B) {
		for b.Loop() {
			keys := batch()
			if _, err := s.Unseen(ctx, "f", keys); err != nil {
				b.Fatal(err)
			}
			if _, err := s.MarkSeen(ctx, "f", keys, at); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline=per-key", func(b *testing.B) {
		for b.Loop() {
			keys := batch()
			if err := s.unseenPerKey(ctx, "f", keys); err != nil {
				b.Fatal(err)
			}
			if err := s.markSeenPerKey(ctx, "f", keys, at); err != nil {
				b.Fatal(err)
			}
		}
	})
}
