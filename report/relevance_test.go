package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// TestRelevance: the share of a watch's alerts voted "Not relevant" and
// the exclude terms suggested by the rule: a word of at least 2 rejected
// alerts that are at least 80% of the alerts with it, never one of the
// watch's own words.
func TestRelevance(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, sqlite.MemoryPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	from, end := Period(to, 7, kst, true)
	in := from.Add(26 * time.Hour) // inside the period

	// row enqueues a row (created in the period unless it says when) and
	// marks it sent unless sent is false.
	var seq int
	row := func(d store.Delivery, sent bool) store.Delivery {
		t.Helper()
		seq++
		d.Created = cmp.Or(d.Created, in.Add(time.Duration(seq)*time.Minute))
		ds, err := st.Enqueue(ctx, []store.Delivery{d})
		if err != nil || len(ds) != 1 {
			t.Fatalf("enqueue %+v: %v", d, err)
		}
		if sent {
			if err := st.MarkSent(ctx, []int64{ds[0].ID}, d.Created.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		return ds[0]
	}
	alert := func(watch, channel, key, title string) store.Delivery {
		return row(store.Delivery{Channel: channel, ItemKey: "yna\x00" + key, Watch: watch, Feed: "yna", Title: title}, true)
	}
	vote := func(d store.Delivery, voter string, at time.Time) {
		t.Helper()
		if err := st.RecordVote(ctx, store.Vote{Watch: d.Watch, Channel: d.Channel, Row: d.ID, ItemKey: d.ItemKey, Title: d.Title, Voter: voter, At: at}); err != nil {
			t.Fatal(err)
		}
	}

	rejected := []store.Delivery{
		alert("ai", "team", "r1", "[칼럼] 트럼프의 관세 정치"),
		alert("ai", "team", "r2", "[칼럼] 트럼프의 동맹 미래"),
		alert("ai", "team", "r3", "Trump 칼럼: 부고 미래"),
		alert("ai", "team", "r4", "TRUMP 부고 기사 모음"),
		alert("ai", "team", "r5", "사설 논평 하나"),
		alert("ai", "team", "r6", "사설 논평 둘"),
		alert("ai", "team", "r7", "사설 논평 셋"),
		alert("ai", "team", "r8", "사설 넷"),
	}
	for _, d := range rejected {
		vote(d, "slack:U1", d.Created.Add(time.Hour))
	}
	alert("ai", "team", "k1", "트럼프, 관세 25% 부과 발표 미래")
	alert("ai", "team", "k2", "트럼프 방한 일정 미래")
	alert("ai", "team", "k3", "트럼프 인터뷰 전문")
	k4 := alert("ai", "team", "k4", "트럼프 사설 논평")

	// Counted once: a second voter, the same item in another channel
	// voted there too.
	vote(rejected[0], "discord:9", in.Add(2*time.Hour))
	vote(alert("ai", "other", "r1", "[칼럼] 트럼프의 관세 정치"), "slack:U2", in.Add(3*time.Hour))
	// Not alerts of the period: a later copy growing a story, a pending
	// row, a surge alert (no feed), a row created before the period
	// (whose vote falls in it).
	row(store.Delivery{Channel: "team", ItemKey: "hani\x00grow", Watch: "ai", Feed: "hani", Title: "[칼럼] 성장", Parent: rejected[0].ID}, true)
	row(store.Delivery{Channel: "team", ItemKey: "yna\x00pending", Watch: "ai", Feed: "yna", Title: "[칼럼] 대기"}, false)
	row(store.Delivery{Channel: "team", ItemKey: "surge\x00ai", Watch: "ai", Title: "🔺 트럼프"}, true)
	old := row(store.Delivery{Channel: "team", ItemKey: "yna\x00old", Watch: "ai", Feed: "yna", Title: "[칼럼] 지난주", Created: from.Add(-time.Hour)}, true)
	vote(old, "slack:U1", in)
	// Not votes of the period or of this watch: one after its end, one on
	// the same item alerted under another watch.
	vote(k4, "slack:U3", end)
	chips := alert("chips", "chips-desk", "r2", "[칼럼] 트럼프의 동맹 미래")
	vote(chips, "slack:U1", in.Add(time.Hour))
	alert("quiet", "team", "q1", "조용한 소식")

	cfg := &config.Config{Location: kst, Synonyms: [][]string{{"트럼프", "Trump"}}, Watches: []config.Watch{
		{Name: "ai", Keywords: []string{"트럼프"}, Exclude: []string{"부고"}},
		{Name: "chips", Keywords: []string{"HBM"}},
	}}
	r, err := Build(ctx, st, cfg, []string{"ai", "chips", "quiet"}, from, end)
	if err != nil {
		t.Fatal(err)
	}
	ai, ch, quiet := r.Watches[0], r.Watches[1], r.Watches[2]
	if ai.Alerts != 12 || ai.NotRelevant != 8 || ai.NotRelevantShare != 8.0/12 {
		t.Errorf("ai: %d of %d alerts not relevant (share %v), want 8 of 12", ai.NotRelevant, ai.Alerts, ai.NotRelevantShare)
	}
	// 사설: 4 of its 5 alerts rejected (80%); 칼럼: 3 of 3. Not 미래 (2 of
	// 4: also in relevant alerts), 논평 (3 of 4, 75%), 관세 or 정치 (one
	// rejected alert each), 부고 (excluded already), 트럼프의 or Trump (the
	// watch's keyword and its synonym).
	if want := []string{"사설", "칼럼"}; !slices.Equal(ai.SuggestedExcludes, want) {
		t.Errorf("ai suggestions = %q, want %q", ai.SuggestedExcludes, want)
	}
	if ch.Alerts != 1 || ch.NotRelevant != 1 || len(ch.SuggestedExcludes) != 0 {
		t.Errorf("chips = %+v, want 1 of 1 alert, no suggestion from one alert", ch)
	}
	if quiet.Alerts != 1 || quiet.NotRelevant != 0 || quiet.NotRelevantShare != 0 || quiet.SuggestedExcludes == nil {
		t.Errorf("quiet = %+v, want 1 alert, none voted, an empty list", quiet)
	}

	text := r.Text()
	for _, want := range []string{
		"  Not relevant: 8 of 12 alerts (67%) · exclude? 사설, 칼럼\n",
		"  Not relevant: 1 of 1 alert (100%)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "Not relevant:") != 2 {
		t.Errorf("a watch without votes shows a relevance line:\n%s", text)
	}
	js, err := json.Marshal(r.Watches[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"alerts":12`, `"not_relevant":8`, `"not_relevant_share":0.666`, `"suggested_excludes":["사설","칼럼"]`} {
		if !strings.Contains(string(js), key) {
			t.Errorf("JSON lacks %s: %s", key, js)
		}
	}
}

// BenchmarkRelevance90Days measures a 90-day report of a watch with 300
// alerts a day (each with a 500-byte payload), one in twenty voted not
// relevant.
func BenchmarkRelevance90Days(b *testing.B) {
	ctx := b.Context()
	st, err := sqlite.Open(ctx, sqlite.MemoryPath)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	from, end := Period(to, 90, kst, true)
	payload := []byte(strings.Repeat("x", 500))
	var ds []store.Delivery
	for at, n := from, 0; at.Before(end); at, n = at.Add(288*time.Second), n+1 {
		ds = append(ds, store.Delivery{Channel: "team", ItemKey: fmt.Sprintf("yna\x00%d", n), Watch: "ai", Feed: "yna",
			Title: fmt.Sprintf("[칼럼] 사건 %d호 보도 트럼프 %d번째 발표", n, n*7919), Payload: payload, Created: at})
	}
	ins, err := st.Enqueue(ctx, ds)
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for i, d := range ins {
		ids = append(ids, d.ID)
		if i%20 == 0 {
			if err := st.RecordVote(ctx, store.Vote{Watch: "ai", Channel: "team", Row: d.ID, ItemKey: d.ItemKey, Title: d.Title, Voter: "slack:U1", At: d.Created.Add(time.Minute)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := st.MarkSent(ctx, ids, end); err != nil {
		b.Fatal(err)
	}
	cfg := &config.Config{Location: kst, Watches: []config.Watch{{Name: "ai", Keywords: []string{"트럼프"}}}}
	b.ReportMetric(float64(len(ds)), "alerts")
	for b.Loop() {
		r, err := Build(ctx, st, cfg, []string{"ai"}, from, end)
		if err != nil || r.Watches[0].NotRelevant == 0 {
			b.Fatal(r.Watches, err)
		}
	}
}
