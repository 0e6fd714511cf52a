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

// TestStoryCache: the stories of a channel's rows are those storyOf
// builds, a row's story is built once and then reused, and rows that
// left the window are forgotten.
func TestStoryCache(t *testing.T) {
	row := func(id int64, title string) store.Delivery {
		return store.Delivery{ID: id, Channel: "team", Title: title, Link: fmt.Sprint("https://news.example/", id),
			Payload: []byte(`{"lead":"삼성전자가 새 반도체를 발표했다.","published":"2026-03-01T09:00:00Z"}`)}
	}
	rows := []store.Delivery{row(1, "삼성전자 반도체 발표"), row(2, "트럼프 관세 발표"), row(3, "오픈소스 재단 설립")}
	var c storyCache
	got := c.of("team", rows)
	for i, d := range rows {
		if want := storyOf(d); !got[i].Same(want) || !want.Same(got[i]) {
			t.Errorf("story of row %d differs from storyOf", d.ID)
		}
	}
	// A kept story is reused: plant another story under row 2's ID.
	c.byChannel["team"][2] = storyOf(row(9, "전혀 다른 기사 제목입니다"))
	again := c.of("team", rows[1:])
	if again[0].Same(storyOf(rows[1])) {
		t.Error("row 2's story was built again instead of reused")
	}
	if _, ok := c.byChannel["team"][1]; ok || len(c.byChannel["team"]) != 2 {
		t.Errorf("kept rows %v after row 1 left the window", c.byChannel["team"])
	}
}
