package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/chart"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

var kst = time.FixedZone("KST", 9*3600)

// to is Monday 2026-11-30 09:00 KST, when a weekly report goes out.
var to = time.Date(2026, 11, 30, 9, 0, 0, 0, kst)

func build(t *testing.T, ms []store.Match, watches ...string) Report {
	t.Helper()
	st, err := sqlite.Open(t.Context(), sqlite.MemoryPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.RecordMatches(t.Context(), ms); err != nil {
		t.Fatal(err)
	}
	from, end := Period(to, 7, kst, true)
	r, err := Build(t.Context(), st, &config.Config{Location: kst}, watches, from, end)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func m(watch, query, outlet, key, title string, at time.Time) store.Match {
	return store.Match{Watch: watch, Query: query, Feed: outlet, Source: outlet, ItemKey: key, Title: title,
		Link: "https://" + outlet + ".example/" + key, At: at}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	day := func(d int) time.Time { return to.Add(-time.Duration(7-d)*24*time.Hour + time.Hour) } // inside day d (0..6)
	ms := []store.Match{
		// The week before: 2 items.
		m("ai", "트럼프", "yna", "p1", "트럼프, 캐나다와 무역협정 재협상 착수", to.Add(-10*24*time.Hour)),
		m("ai", "트럼프", "yna", "p2", "미 연준 금리 동결에 트럼프 반발 성명", to.Add(-8*24*time.Hour)),
		// This week: one story carried by three outlets on day 4, an item
		// matched by two queries (counts once), another story on day 6.
		m("ai", "트럼프", "yna", "1", "트럼프, 한국 반도체에 관세 25% 부과 발표", day(4)),
		m("ai", "트럼프", "edaily", "2", "[속보] 트럼프, 한국 반도체에 관세 25% 부과 발표", day(4).Add(time.Minute)),
		m("ai", "트럼프", "hani", "3", "트럼프, 한국 반도체에 관세 25% 부과 발표 - 한겨레", day(4).Add(2*time.Minute)),
		m("ai", "트럼프", "yna", "4", "트럼프 방한 일정 확정", day(6)),
		m("ai", "방한", "yna", "4", "트럼프 방한 일정 확정", day(6)),
		m("chips", "반도체", "edaily", "5", "HBM 수출 사상 최대", day(0)),
		// Outside the report: at to itself and later.
		m("ai", "트럼프", "yna", "late", "트럼프 늦은 소식", to),
	}
	r := build(t, ms, "ai", "chips", "quiet")
	if len(r.Days) != 7 || r.Days[0].Date != "2026-11-23" || r.Days[6].Date != "2026-11-29" {
		t.Fatalf("days = %+v, want Monday 11-23 … Sunday 11-29: the week before the Monday report", r.Days)
	}
	ai := r.Watches[0]
	if want := []int{0, 0, 0, 0, 3, 0, 1}; !slices.Equal(ai.PerDay, want) {
		t.Errorf("ai per day = %v, want %v", ai.PerDay, want)
	}
	if ai.Matches != 4 || ai.Stories != 2 || ai.PrevMatches != 2 || ai.PrevStories != 2 {
		t.Errorf("ai = %+v, want 4 matches in 2 stories, 2 the week before", ai)
	}
	if len(ai.Top) != 2 || len(ai.Top[0].Outlets) != 3 || ai.Top[0].Outlets[0] != "yna" {
		t.Errorf("ai top = %+v, want the story of 3 outlets first", ai.Top)
	}
	if want := []Outlets{{"yna", 2}, {"edaily", 1}, {"hani", 1}}; !slices.Equal(ai.Outlets, want) {
		t.Errorf("ai outlets = %+v, want %+v", ai.Outlets, want)
	}
	if q := r.Watches[2]; q.Name != "quiet" || q.Matches != 0 || len(q.PerDay) != 7 || q.Top == nil {
		t.Errorf("a watch without matches = %+v, want zeros (and empty lists, not null)", q)
	}

	text := r.Text()
	for _, want := range []string{
		"Report 11/23 (월) – 11/29 (일): 3 watches",
		"■ ai: 4 matches, 2 stories (+100% vs the 7 days before: 2 matches)",
		"per day: 11/23 (월) 0 · 11/24 (화) 0",
		"1. 트럼프, 한국 반도체에 관세 25% 부과 발표 (3 outlets: yna, edaily, hani) https://yna.example/1",
		"busiest outlets: yna 2 · edaily 1 · hani 1",
		"■ chips: 1 matches, 1 stories (new vs the 7 days before: 0 matches)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"per_day":[0,0,0,0,3,0,1]`, `"top_stories":[`, `"busiest_outlets":[`, `"previous_matches":2`} {
		if !strings.Contains(string(js), key) {
			t.Errorf("JSON lacks %s: %s", key, js)
		}
	}
	d := r.Chart()
	if err := d.Check(); err != nil || len(d.Series) != 3 || d.Days[0].Weekday() != time.Monday {
		t.Errorf("chart data = %+v (%v)", d, err)
	}
	if _, err := chart.PNG(d); err != nil {
		t.Errorf("chart: %v", err)
	}
}

func TestChange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cur, prev int
		want      string
	}{{4, 2, "+100%"}, {1, 4, "−75%"}, {3, 3, "same"}, {2, 0, "new"}, {0, 0, "same"}, {0, 5, "−100%"}} {
		if got := Change(tc.cur, tc.prev); got != tc.want {
			t.Errorf("Change(%d, %d) = %q, want %q", tc.cur, tc.prev, got, tc.want)
		}
	}
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"7d": 7, "2w": 14, "24h": 1, "25h": 2, "90d": 90, "1d": 1} {
		if got, err := ParseSince(in); err != nil || got != want {
			t.Errorf("ParseSince(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "0d", "-1d", "91d", "7", "7x", "1.5d", "+7d", "07d", " 7d"} {
		if got, err := ParseSince(in); err == nil {
			t.Errorf("ParseSince(%q) = %d, want an error", in, got)
		}
	}
}

func TestBuildLimits(t *testing.T) {
	t.Parallel()
	if _, err := Build(t.Context(), nil, nil, nil, to, to); err == nil {
		t.Error("Build of an empty period: no error")
	}
	if _, err := Build(t.Context(), nil, nil, nil, to.AddDate(0, 0, -91), to); err == nil {
		t.Error("Build of 92 days: no error")
	}
}

func TestPeriod(t *testing.T) {
	t.Parallel()
	from, end := Period(to, 7, kst, true)
	if want := time.Date(2026, 11, 23, 0, 0, 0, 0, kst); !from.Equal(want) || !end.Equal(want.AddDate(0, 0, 7)) {
		t.Errorf("complete week = %v – %v, want Monday 11-23 to Monday 11-30, midnight", from, end)
	}
	from, end = Period(to, 7, kst, false)
	if want := time.Date(2026, 11, 24, 0, 0, 0, 0, kst); !from.Equal(want) || !end.Equal(to) {
		t.Errorf("last 7 days = %v – %v, want 11-24 midnight to now", from, end)
	}
	from, end = Period(to, 1, kst, true)
	if want := time.Date(2026, 11, 29, 0, 0, 0, 0, kst); !from.Equal(want) || !end.Equal(want.AddDate(0, 0, 1)) {
		t.Errorf("complete day = %v – %v, want yesterday", from, end)
	}
	// A DST change: days are calendar days, not 24 hours.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	from, end = Period(time.Date(2026, 11, 2, 9, 0, 0, 0, ny), 7, ny, true)
	if from.In(ny).Hour() != 0 || end.In(ny).Hour() != 0 || end.Sub(from) != 7*24*time.Hour+time.Hour {
		t.Errorf("week over the end of DST = %v – %v", from, end)
	}
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"7d", "2w", "24h", "", "9999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseSince(s)
		if err == nil && (d < MinDays || d > MaxDays) {
			t.Errorf("ParseSince(%q) = %d, outside the limits", s, d)
		}
	})
}

// BenchmarkBuild90Days measures a 90-day report of a watch with 300
// stories a day (two outlets each), compared with its previous 90 days.
func BenchmarkBuild90Days(b *testing.B) {
	st, err := sqlite.Open(b.Context(), sqlite.MemoryPath)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := to.AddDate(0, 0, -180)
	var ms []store.Match
	n := 0
	for at := start; at.Before(to); at = at.Add(288 * time.Second) {
		n++
		for j, o := range []string{"yna", "edaily"} {
			ms = append(ms, m("ai", "트럼프", o, fmt.Sprintf("%d-%d", n, j), fmt.Sprintf("사건 %d호 보도 트럼프 속보 %d번째 발표", n, n*7919), at))
		}
	}
	if err := st.RecordMatches(b.Context(), ms); err != nil {
		b.Fatal(err)
	}
	from, end := Period(to, 90, kst, true)
	b.ReportMetric(float64(len(ms)), "matches")
	for b.Loop() {
		if _, err := Build(b.Context(), st, &config.Config{Location: kst}, []string{"ai"}, from, end); err != nil {
			b.Fatal(err)
		}
	}
}
