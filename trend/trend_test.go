package trend

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// timeline is a store with a clock the test moves.
type timeline struct {
	t   *testing.T
	st  *sqlite.Store
	now time.Time
	n   int
}

func newTimeline(t *testing.T, start time.Time) *timeline {
	st, err := sqlite.Open(t.Context(), sqlite.MemoryPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &timeline{t: t, st: st, now: start}
}

func (tl *timeline) detector() *Detector {
	return &Detector{Store: tl.st, Now: func() time.Time { return tl.now }}
}

// publish records a distinct story matched by query, carried by outlets
// (one item each), at the current time.
func (tl *timeline) publish(query string, outlets ...string) {
	tl.n++
	var ms []store.Match
	for i, o := range outlets {
		ms = append(ms, store.Match{
			Watch: "ai", Query: query, Feed: o, Source: o,
			ItemKey: fmt.Sprintf("item-%d-%d", tl.n, i),
			// Distinct stories need distinct headlines (Headline.Same).
			Title: fmt.Sprintf("사건 %d호 보도 %s 속보 %d번째 발표", tl.n, query, tl.n*7919),
			Link:  fmt.Sprintf("https://%s.example/%d", o, tl.n),
			At:    tl.now,
		})
	}
	if err := tl.st.RecordMatches(context.Background(), ms); err != nil {
		tl.t.Fatal(err)
	}
}

var set = Settings{Factor: 4, MinStories: 5, Window: time.Hour}

func (tl *timeline) check(d *Detector, queries ...string) []Surge {
	tl.t.Helper()
	if len(queries) == 0 {
		queries = []string{"트럼프"}
	}
	ss, err := d.Check(tl.t.Context(), "ai", queries, set)
	if err != nil {
		tl.t.Fatal(err)
	}
	for _, s := range ss {
		if err := d.Record(tl.t.Context(), s); err != nil {
			tl.t.Fatal(err)
		}
	}
	return ss
}

// steady publishes 3 stories a day (one every 8 hours) for days days,
// checking after each.
func (tl *timeline) steady(d *Detector, days int) int {
	alerts := 0
	for range days * 3 {
		tl.now = tl.now.Add(8 * time.Hour)
		tl.publish("트럼프", "yna", "edaily")
		alerts += len(tl.check(d))
	}
	return alerts
}

func TestSteadyThenJumpThenRepeat(t *testing.T) {
	t.Parallel()
	tl := newTimeline(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	d := tl.detector()
	if n := tl.steady(d, 21); n != 0 {
		t.Fatalf("steady rate (3 stories a day for 3 weeks): %d surge alerts, want none", n)
	}
	// The jump: 18 stories from 9 outlets within 40 minutes.
	outlets := []string{"yna", "edaily", "hani", "chosun", "joongang", "donga", "khan", "mk", "hankyung"}
	var alerts []Surge
	for i := range 18 {
		tl.now = tl.now.Add(2 * time.Minute)
		tl.publish("트럼프", outlets[i%9], outlets[(i+1)%9])
		alerts = append(alerts, tl.check(d)...)
	}
	if len(alerts) != 1 {
		t.Fatalf("jump: %d surge alerts, want exactly 1: %+v", len(alerts), alerts)
	}
	s := alerts[0]
	if s.Watch != "ai" || s.Query != "" || s.Stories != 5 || s.Factor < 4 || s.Outlets < 2 {
		t.Errorf("surge = %+v; want the watch, 5 stories (the minimum, at the first check that reaches it), factor >= 4", s)
	}
	if s.Baseline != Floor {
		t.Errorf("baseline = %v, want the floor %v (no story in this hour on earlier days)", s.Baseline, Floor)
	}
	if len(s.Top) != TopStories || len(s.Top[0].Outlets) != 2 {
		t.Errorf("top stories = %+v, want %d with 2 outlets each", s.Top, TopStories)
	}
	// The jump goes on within the window: no second alert.
	for range 10 {
		tl.now = tl.now.Add(2 * time.Minute)
		tl.publish("트럼프", "yna", "hani", "khan")
		if ss := tl.check(d); len(ss) != 0 {
			t.Fatalf("repeat within the window (%v after the alert): alert %+v", tl.now.Sub(s.At), ss)
		}
	}
	// A window later, a new jump may alert again.
	tl.now = s.At.Add(time.Hour)
	var again int
	for range 6 {
		tl.now = tl.now.Add(time.Minute)
		tl.publish("트럼프", "yna")
		again += len(tl.check(d))
	}
	if again != 1 {
		t.Errorf("a new jump a window after the alert: %d alerts, want 1", again)
	}
}

func TestBaselineFromSameHour(t *testing.T) {
	t.Parallel()
	// A watch that has 6 stories every day between 09:00 and 10:00 does
	// not surge with 8 at that hour (8/6 < 4), but 8 at 03:00 does.
	tl := newTimeline(t, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	d := tl.detector()
	for day := range 14 {
		for i := range 6 {
			tl.now = time.Date(2026, 11, 1+day, 9, 5+i*5, 0, 0, time.UTC)
			tl.publish("트럼프", "yna")
		}
	}
	tl.now = time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)
	var alerts int
	for range 8 {
		tl.now = tl.now.Add(5 * time.Minute)
		tl.publish("트럼프", "yna")
		alerts += len(tl.check(d))
	}
	if alerts != 0 {
		t.Errorf("8 stories at the usual busy hour (baseline 6): %d alerts, want none", alerts)
	}
	tl.now = time.Date(2026, 11, 16, 3, 0, 0, 0, time.UTC)
	alerts = 0
	for range 8 {
		tl.now = tl.now.Add(5 * time.Minute)
		tl.publish("트럼프", "yna")
		alerts += len(tl.check(d))
	}
	if alerts != 1 {
		t.Errorf("8 stories at a quiet hour: %d alerts, want 1", alerts)
	}
}

func TestQuerySurge(t *testing.T) {
	t.Parallel()
	// One query of a busy watch jumps while the watch as a whole stays
	// within its rate: the alert names the query.
	tl := newTimeline(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	d := tl.detector()
	queries := []string{"트럼프", "반도체"}
	for day := range 14 {
		for i := range 12 {
			tl.now = time.Date(2026, 11, 1+day, 12, i*5, 0, 0, time.UTC)
			tl.publish("반도체", "yna")
		}
	}
	tl.now = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	var alerts []Surge
	for range 6 {
		tl.now = tl.now.Add(5 * time.Minute)
		tl.publish("트럼프", "yna", "edaily")
		alerts = append(alerts, tl.check(d, queries...)...)
	}
	if len(alerts) != 1 || alerts[0].Query != "트럼프" || alerts[0].Stories != 5 {
		t.Fatalf("alerts = %+v, want one for the query 트럼프 with 5 stories", alerts)
	}
}

func TestStoriesFoldCopies(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ms := []store.Match{
		{Watch: "ai", Query: "트럼프", Feed: "yna", Source: "연합뉴스", ItemKey: "1", Title: "트럼프, 한국 반도체에 관세 25% 부과 발표", Link: "https://a/1", At: at},
		{Watch: "ai", Query: "관세", Feed: "yna", Source: "연합뉴스", ItemKey: "1", Title: "트럼프, 한국 반도체에 관세 25% 부과 발표", Link: "https://a/1", At: at},
		{Watch: "ai", Query: "트럼프", Feed: "edaily", Source: "이데일리", ItemKey: "9", Title: "[속보] 트럼프, 한국 반도체에 관세 25% 부과 발표", Link: "https://b/9", At: at.Add(time.Minute)},
		{Watch: "ai", Query: "트럼프", Feed: "hani", Source: "한겨레", ItemKey: "3", Title: "오픈소스 AI 모델 공개", Link: "https://c/3", At: at.Add(2 * time.Minute)},
	}
	ss := Stories(ms)
	if len(ss) != 2 {
		t.Fatalf("Stories = %+v, want 2 (a copy with a wire tag and a second query's match fold in)", ss)
	}
	if ss[0].Matches != 2 || len(ss[0].Outlets) != 2 || ss[0].Source != "연합뉴스" {
		t.Errorf("first story = %+v, want 2 items from 연합뉴스 and 이데일리", ss[0])
	}
	if top := Top(ss, 1); top[0].Title != ss[0].Title {
		t.Errorf("Top = %+v, want the story with the most outlets", top)
	}
	if n := Outlets(ss); n != 3 {
		t.Errorf("Outlets = %d, want 3", n)
	}
}

// BenchmarkCheckBusyWatch measures one Check of a watch with 300 new
// stories a day (each carried by two outlets) for two weeks, in the
// middle of a burst, so that every window is read and clustered.
func BenchmarkCheckBusyWatch(b *testing.B) {
	st, err := sqlite.Open(context.Background(), sqlite.MemoryPath)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var ms []store.Match
	n := 0
	for at := start; at.Before(start.Add(15 * 24 * time.Hour)); at = at.Add(288 * time.Second) {
		n++
		for j, o := range []string{"yna", "edaily"} {
			ms = append(ms, store.Match{Watch: "ai", Query: "트럼프", Feed: o, Source: o, ItemKey: fmt.Sprintf("%d-%d", n, j),
				Title: fmt.Sprintf("사건 %d호 보도 트럼프 속보 %d번째 발표", n, n*7919), At: at})
		}
	}
	if err := st.RecordMatches(context.Background(), ms); err != nil {
		b.Fatal(err)
	}
	now := start.Add(15 * 24 * time.Hour)
	d := &Detector{Store: st, Now: func() time.Time { return now }}
	b.Run("windows", func(b *testing.B) {
		for b.Loop() {
			if _, err := d.Check(context.Background(), "ai", []string{"트럼프", "관세"}, Settings{Factor: 100, MinStories: 5, Window: time.Hour}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The baseline: clustering every match of the 14 days at once, as a
	// Check that read the whole span would.
	b.Run("whole-span", func(b *testing.B) {
		all, err := st.MatchesBetween(context.Background(), "ai", now.Add(-14*24*time.Hour-time.Hour), now)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(all)), "matches")
		for b.Loop() {
			Stories(all)
		}
	})
}
