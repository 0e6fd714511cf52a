package bot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// TestSentSince checks the paged read of a channel's sent deliveries
// against the story window: across several pages, pending rows and other
// channels left out, the window's edge on the creation time.
func TestSentSince(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.MemoryPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var ds []store.Delivery
	for i := range 300 {
		for _, ch := range []string{"team", "other"} {
			ds = append(ds, store.Delivery{Channel: ch, ItemKey: fmt.Sprint(i), Watch: "w", Feed: "f",
				Title: fmt.Sprint("story ", i), Created: t0.Add(time.Duration(i) * time.Minute), Due: t0})
		}
	}
	ins, err := st.Enqueue(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	// Rows 0–249 of each channel are sent, each ten minutes after it was
	// created; 250–299 stay pending.
	for _, d := range ins {
		var i int
		fmt.Sscan(d.ItemKey, &i)
		if i < 250 {
			if err := st.MarkSent(ctx, []int64{d.ID}, d.Created.Add(10*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, from := range []int{0, 5, 100, 249, 250, 400} {
		since := t0.Add(time.Duration(from) * time.Minute)
		got, err := sentSince(ctx, st, "team", since)
		if err != nil {
			t.Fatal(err)
		}
		want := max(0, 250-from)
		if len(got) != want {
			t.Errorf("since row %d: %d deliveries, want %d", from, len(got), want)
		}
		for _, d := range got {
			if d.Channel != "team" || d.Status != store.StatusSent || d.Created.Before(since) {
				t.Errorf("since row %d: got %+v", from, d)
				break
			}
		}
	}
}
