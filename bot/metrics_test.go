package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
)

// sample is one series of a gathered family: a gauge or counter value, or
// a histogram's count and sum.
type sample struct {
	value, count, sum float64
}

// gather returns the series of family name in reg, keyed by the value of
// its one label ("" for a family without labels).
func gather(t *testing.T, reg prometheus.Gatherer, name string) map[string]sample {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	return family(mfs, name)
}

// family returns the series of family name in mfs, as gather does.
func family(mfs []*dto.MetricFamily, name string) map[string]sample {
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		out := map[string]sample{}
		for _, m := range mf.GetMetric() {
			key := ""
			for _, lp := range m.GetLabel() {
				if key != "" {
					key += ","
				}
				key += lp.GetValue()
			}
			out[key] = toSample(m)
		}
		return out
	}
	return nil
}

func toSample(m *dto.Metric) sample {
	switch {
	case m.GetGauge() != nil:
		return sample{value: m.GetGauge().GetValue()}
	case m.GetCounter() != nil:
		return sample{value: m.GetCounter().GetValue()}
	case m.GetHistogram() != nil:
		return sample{count: float64(m.GetHistogram().GetSampleCount()), sum: m.GetHistogram().GetSampleSum()}
	}
	return sample{}
}

// TestMetricsExposedFromStart: before any poll or delivery, every family
// has a zero series for each feed and channel of the watchlist, so that
// absent() and rate() alerts work from the first scrape.
func TestMetricsExposedFromStart(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	feedsWant := []string{"yna", "newsis"}
	chansWant := []string{"team", "other"}
	cases := []struct {
		family string
		keys   []string
		want   sample
	}{
		{"newshound_outbox_pending", chansWant, sample{}},
		{"newshound_outbox_oldest_pending_seconds", chansWant, sample{}},
		{"newshound_feed_last_success_timestamp_seconds", feedsWant, sample{}},
		{"newshound_feed_next_poll_timestamp_seconds", feedsWant, sample{}},
		{"newshound_poll_duration_seconds", feedsWant, sample{}},
		{"newshound_delivery_latency_seconds", chansWant, sample{}},
		{"newshound_items_undated_total", feedsWant, sample{}},
		{"newshound_feed_consecutive_failures", feedsWant, sample{}},
		{"newshound_matches_queued_total", chansWant, sample{}},
		{"newshound_deliveries_total", []string{"team,sent", "team,failed", "other,sent", "other,failed"}, sample{}},
		{"newshound_feed_polls_total", []string{"yna,ok", "yna,not_modified", "yna,error", "newsis,ok"}, sample{}},
		{"newshound_watchlist_reloads_total", []string{"ok", "error"}, sample{}},
		{"newshound_watchlist_last_reload_success", []string{""}, sample{value: 1}},
		{"newshound_watchlist_config_hash", []string{""}, sample{value: hashValue(h.bot.Config().Hash)}},
		{"newshound_metrics_store_errors_total", []string{""}, sample{}},
	}
	for _, c := range cases {
		t.Run(c.family, func(t *testing.T) {
			got := gather(t, h.reg, c.family)
			if got == nil {
				t.Fatalf("family %s not exposed", c.family)
			}
			for _, k := range c.keys {
				s, ok := got[k]
				if !ok {
					t.Errorf("%s{%s} not exposed; have %v", c.family, k, got)
					continue
				}
				if s != c.want {
					t.Errorf("%s{%s} = %+v, want %+v", c.family, k, s, c.want)
				}
			}
		})
	}
	if h.bot.Config().Hash == "" || hashValue(h.bot.Config().Hash) == 0 {
		t.Error("the config hash gauge is 0 for a parsed watchlist")
	}
	// 2 feeds × 2 gauges, 2 channels × 2 gauges, and the error counter.
	if n := testutil.CollectAndCount(h.bot.opt.Metrics.state); n != 9 {
		t.Errorf("store-backed series = %d, want 9", n)
	}
}

const instantAndDigest = `
feeds:
  - {name: yna, url: "https://yna.example/rss"}
channels:
  team: {console: {}}
  later: {console: {}}
watches:
  - {name: now, keywords: [트럼프], channels: [team]}
  - {name: hourly, keywords: [트럼프], channels: [later], digest: {every: 1h}}
`

// TestMetricsOutboxFeedsAndLatency follows one alert per channel through
// the outbox: a failed instant send that waits, and a digest that is held.
// The held one is pending but not late; latency runs from first seen to
// the platform's acceptance.
func TestMetricsOutboxFeedsAndLatency(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantAndDigest)
	ctx := context.Background()

	h.at(10, 0)
	h.cycle() // first poll: backfill only
	st, err := h.store.FeedState(ctx, "yna")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := gather(t, h.reg, "newshound_feed_last_success_timestamp_seconds")["yna"].value, float64(h.clock.Now().Unix()); got != want {
		t.Errorf("last success = %v, want %v", got, want)
	}
	if got, want := gather(t, h.reg, "newshound_feed_next_poll_timestamp_seconds")["yna"].value, float64(st.NextPoll.Unix()); got != want || !st.NextPoll.After(h.clock.Now()) {
		t.Errorf("next poll = %v, want %v (after now)", got, want)
	}

	h.at(10, 5)
	h.feeds.set("yna", news("a", "트럼프 관세 발표", h.clock.Now()))
	h.chans["team"].fail = []error{notify.Permanent(errors.New("400 invalid_blocks"))}
	h.cycle()

	type want struct{ pending, oldest float64 }
	steps := []struct {
		name      string
		hh, mm    int
		cycle     bool
		outbox    map[string]want
		latencies map[string]sample
	}{
		{"right after the failed send", 10, 5, false,
			map[string]want{"team": {1, 0}, "later": {1, 0}},
			map[string]sample{"team": {}, "later": {}}},
		{"20 minutes later, before the retry", 10, 25, false,
			map[string]want{"team": {1, 1200}, "later": {1, 0}},
			map[string]sample{"team": {}, "later": {}}},
		{"the retry is accepted", 10, 25, true,
			map[string]want{"team": {0, 0}, "later": {1, 0}},
			map[string]sample{"team": {count: 1, sum: 1200}, "later": {}}},
		{"the digest is due but not sent yet", 11, 10, false,
			map[string]want{"team": {0, 0}, "later": {1, 600}},
			map[string]sample{"team": {count: 1, sum: 1200}, "later": {}}},
		{"the digest is sent", 11, 30, true,
			map[string]want{"team": {0, 0}, "later": {0, 0}},
			map[string]sample{"team": {count: 1, sum: 1200}, "later": {count: 1, sum: 85 * 60}}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			h.at(s.hh, s.mm)
			if s.cycle {
				h.cycle()
			}
			pending := gather(t, h.reg, "newshound_outbox_pending")
			oldest := gather(t, h.reg, "newshound_outbox_oldest_pending_seconds")
			for ch, w := range s.outbox {
				if got := (want{pending[ch].value, oldest[ch].value}); got != w {
					t.Errorf("%s: pending, oldest = %v, want %v", ch, got, w)
				}
			}
			lat := gather(t, h.reg, "newshound_delivery_latency_seconds")
			for ch, w := range s.latencies {
				if lat[ch] != w {
					t.Errorf("%s: latency = %+v, want %+v", ch, lat[ch], w)
				}
			}
		})
	}
}

// TestMetricsOrphanChannel: alerts pending for a channel no longer in the
// watchlist stay visible.
func TestMetricsOrphanChannel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantAndDigest)
	h.at(10, 0)
	h.cycle()
	h.at(10, 5)
	h.feeds.set("yna", news("a", "트럼프 관세 발표", h.clock.Now()))
	h.cycle()
	cfg, err := config.Parse("watchlist.yaml", []byte(`
feeds:
  - {name: yna, url: "https://yna.example/rss"}
channels:
  team: {console: {}}
watches:
  - {name: now, keywords: [트럼프], channels: [team]}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.bot.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	h.at(10, 10)
	pending := gather(t, h.reg, "newshound_outbox_pending")
	if got := pending["later"].value; got != 1 {
		t.Errorf("pending for the removed channel = %v, want 1 (all: %v)", got, pending)
	}
	if _, ok := pending["team"]; !ok {
		t.Errorf("channel team missing: %v", pending)
	}
}

// clockedFetcher takes d of the fake clock per fetch.
type clockedFetcher struct {
	feeds.Fetcher
	clock *clock
	d     time.Duration
}

func (f clockedFetcher) Fetch(ctx context.Context, src feeds.Source, v feeds.Validators) (feeds.Result, error) {
	_ = f.clock.Sleep(ctx, f.d)
	return f.Fetcher.Fetch(ctx, src, v)
}

// TestMetricsPollDuration: every poll, failed or not, is timed.
func TestMetricsPollDuration(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.bot.rt.Load().fetcher = clockedFetcher{h.feeds, h.clock, 3 * time.Second}
	h.feeds.errs["newsis"] = errors.New("connection refused")
	h.cycle()
	got := gather(t, h.reg, "newshound_poll_duration_seconds")
	// The two polls run at once on one fake clock: each takes 3 s or 6 s.
	for _, feed := range []string{"yna", "newsis"} {
		if s := got[feed]; s.count != 1 || s.sum < 3 || s.sum > 6 {
			t.Errorf("%s: poll duration = %+v, want one poll of 3 to 6 s", feed, s)
		}
	}
}

// TestMetricsReload records reload results and the config hash, and adds
// the label values of new feeds and channels.
func TestMetricsReload(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	first := h.bot.Config().Hash
	grown := oneFeed + `
  - name: tech
    keywords: [반도체]
    channels: [news2]
`
	grown = replaceOnce(t, grown, "channels:\n  team:", "channels:\n  news2: {console: {}}\n  team:")
	grown = replaceOnce(t, grown, "feeds:\n", "feeds:\n  - {name: hani, url: \"https://hani.example/rss\"}\n")
	next, err := config.Parse("watchlist.yaml", []byte(grown), nil)
	if err != nil {
		t.Fatal(err)
	}
	var load func() (*config.Config, error)
	h.bot.opt.Load = func() (*config.Config, error) { return load() }
	bad := errors.New("watchlist.yaml:3:5: unknown key")

	steps := []struct {
		name              string
		load              func() (*config.Config, error)
		ok, failed, last  float64
		hash              string
		feed, channel     string // label values that must be exposed
		pollDurationCount int    // feeds with a poll-duration series
	}{
		{"a new watchlist", func() (*config.Config, error) { return next, nil }, 1, 0, 1, next.Hash, "hani", "news2", 3},
		{"an invalid watchlist", func() (*config.Config, error) { return nil, bad }, 1, 1, 0, next.Hash, "hani", "news2", 3},
		{"the same watchlist again", func() (*config.Config, error) { return next, nil }, 2, 1, 1, next.Hash, "hani", "news2", 3},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			load = s.load
			_ = h.bot.Reload(context.Background())
			m := h.bot.opt.Metrics
			if got := testutil.ToFloat64(m.reloads.WithLabelValues("ok")); got != s.ok {
				t.Errorf("ok reloads = %v, want %v", got, s.ok)
			}
			if got := testutil.ToFloat64(m.reloads.WithLabelValues("error")); got != s.failed {
				t.Errorf("failed reloads = %v, want %v", got, s.failed)
			}
			if got := testutil.ToFloat64(m.reloadOK); got != s.last {
				t.Errorf("last reload success = %v, want %v", got, s.last)
			}
			if got := testutil.ToFloat64(m.configHash); got != hashValue(s.hash) || got == hashValue(first) {
				t.Errorf("config hash = %v, want %v (first was %v)", got, hashValue(s.hash), hashValue(first))
			}
			if n := len(gather(t, h.reg, "newshound_poll_duration_seconds")); n != s.pollDurationCount {
				t.Errorf("poll duration series = %d, want %d", n, s.pollDurationCount)
			}
			if _, ok := gather(t, h.reg, "newshound_feed_last_success_timestamp_seconds")[s.feed]; !ok {
				t.Errorf("feed %s has no last-success series", s.feed)
			}
			if _, ok := gather(t, h.reg, "newshound_outbox_pending")[s.channel]; !ok {
				t.Errorf("channel %s has no pending series", s.channel)
			}
			if _, ok := gather(t, h.reg, "newshound_delivery_latency_seconds")[s.channel]; !ok {
				t.Errorf("channel %s has no latency series", s.channel)
			}
		})
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	t.Fatalf("%q not in the watchlist", old)
	return ""
}

// TestMetricsStoreDown: a store that cannot be read leaves the
// store-backed families out of the scrape and counts the failure; the
// rest of the scrape still works.
func TestMetricsStoreDown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	if err := h.store.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		t.Run(fmt.Sprintf("scrape %d", i), func(t *testing.T) {
			mfs, err := h.reg.Gather()
			if err != nil {
				t.Fatalf("the scrape failed as a whole: %v", err)
			}
			for _, fam := range []string{"newshound_outbox_pending", "newshound_feed_last_success_timestamp_seconds"} {
				if got := family(mfs, fam); got != nil {
					t.Errorf("%s exposed from a closed store: %v", fam, got)
				}
			}
			// Each scrape fails two reads: feed states and the outbox.
			if got, want := family(mfs, "newshound_metrics_store_errors_total")[""].value, float64(2*i); got != want {
				t.Errorf("store errors = %v, want %v", got, want)
			}
			if family(mfs, "newshound_feed_polls_total") == nil {
				t.Error("the other families are gone too")
			}
		})
	}
}

func TestHashValue(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want float64
	}{
		{"", 0},
		{"0000000000000001", 1},
		{"00000000000001000000", 256},
		{"ff00000000000000" + "aa", 0xff00000000000000},
		{"zz00000000000000", 0},
		{"abc", 0},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := hashValue(c.in); got != c.want {
				t.Errorf("hashValue(%q) = %v, want %v", c.in, got, c.want)
			}
		})
	}
}

// TestMetricsNil: a bot without metrics records nothing and does not fail.
func TestMetricsNil(t *testing.T) {
	t.Parallel()
	var m *Metrics
	m.attach(nil)
	m.configured(&config.Config{})
	m.reloaded(errors.New("x"))
	m.polled(PollResult{Feed: "f"}, 0, time.Second)
	m.accepted("c", []time.Time{time.Now()}, time.Now())
}

// TestFeedCollectorMatchesVectors feeds the same polls to the compact
// per-feed collector and to client_golang's own vectors (how the series
// were kept before) and checks that both expose the same families,
// series, values and histogram buckets.
func TestFeedCollectorMatchesVectors(t *testing.T) {
	polls := []struct {
		r        PollResult
		failures int
		took     time.Duration
	}{
		{PollResult{Feed: "yna", New: 3, Undated: 1, Stats: feeds.Stats{Repairs: 2, ForbiddenChars: 1, Duplicates: 4,
			Fixes: map[string]int{"unclosed-element-closed": 1, "charset": 5}, SkippedReasons: map[string]int{"empty": 2, "duplicate": 1}}}, 0, 50 * time.Millisecond},
		{PollResult{Feed: "yna", NotModified: true}, 0, 70 * time.Millisecond},
		{PollResult{Feed: "yna", Err: errors.New("timeout")}, 1, 100 * time.Second},
		{PollResult{Feed: "gone"}, 0, 3 * time.Second}, // not in the watchlist (removed)
	}
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.configured(&config.Config{Feeds: []config.Feed{{Name: "yna"}, {Name: "newsis"}}})

	// The reference: the vectors and label values the bot used to keep.
	ref := prometheus.NewRegistry()
	polled := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newshound_feed_polls_total"}, []string{"feed", "result"})
	failures := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "newshound_feed_consecutive_failures"}, []string{"feed"})
	items := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newshound_items_new_total"}, []string{"feed"})
	undated := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newshound_items_undated_total"}, []string{"feed"})
	repairs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newshound_feed_repairs_total"}, []string{"feed", "kind"})
	skipped := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newshound_items_skipped_total"}, []string{"feed", "reason"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "newshound_poll_duration_seconds", Buckets: pollBuckets[:]}, []string{"feed"})
	ref.MustRegister(polled, failures, items, undated, repairs, skipped, duration)
	for _, f := range []string{"yna", "newsis", "gone"} {
		for _, r := range pollResults {
			polled.WithLabelValues(f, r)
		}
		failures.WithLabelValues(f)
		items.WithLabelValues(f)
		undated.WithLabelValues(f)
		repairs.WithLabelValues(f, "charset")
		repairs.WithLabelValues(f, "forbidden_char")
		skipped.WithLabelValues(f, "duplicate")
		duration.WithLabelValues(f)
	}
	for _, p := range polls {
		m.polled(p.r, p.failures, p.took)
		r := p.r
		duration.WithLabelValues(r.Feed).Observe(p.took.Seconds())
		result := "ok"
		if r.Err != nil {
			result = "error"
		} else if r.NotModified {
			result = "not_modified"
		}
		polled.WithLabelValues(r.Feed, result).Inc()
		failures.WithLabelValues(r.Feed).Set(float64(p.failures))
		items.WithLabelValues(r.Feed).Add(float64(r.New))
		undated.WithLabelValues(r.Feed).Add(float64(r.Undated))
		repairs.WithLabelValues(r.Feed, "charset").Add(float64(r.Stats.Repairs))
		repairs.WithLabelValues(r.Feed, "forbidden_char").Add(float64(r.Stats.ForbiddenChars))
		for k, n := range r.Stats.Fixes {
			repairs.WithLabelValues(r.Feed, k).Add(float64(n))
		}
		skipped.WithLabelValues(r.Feed, "duplicate").Add(float64(r.Stats.Duplicates))
		for k, n := range r.Stats.SkippedReasons {
			skipped.WithLabelValues(r.Feed, k).Add(float64(n))
		}
	}
	series := func(g prometheus.Gatherer) map[string]string {
		mfs, err := g.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, mf := range mfs {
			for _, mt := range mf.GetMetric() {
				key := mf.GetName() + fmt.Sprint(mt.GetLabel())
				switch {
				case mt.GetHistogram() != nil:
					h := mt.GetHistogram()
					v := fmt.Sprint(h.GetSampleCount(), h.GetSampleSum())
					for _, b := range h.GetBucket() {
						v += fmt.Sprintf(" %g:%d", b.GetUpperBound(), b.GetCumulativeCount())
					}
					out[key] = v
				default:
					out[key] = fmt.Sprint(mt.GetCounter().GetValue(), mt.GetGauge().GetValue())
				}
			}
		}
		return out
	}
	want := series(ref)
	got := series(reg)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && familyOfFeeds(k) {
			t.Errorf("unexpected series %s = %q", k, got[k])
		}
	}
	if len(want) < 30 {
		t.Fatalf("the reference has only %d series", len(want))
	}
}

// familyOfFeeds reports whether a series key belongs to a per-feed
// family the collector keeps.
func familyOfFeeds(key string) bool {
	for _, f := range []string{"newshound_feed_polls_total", "newshound_feed_consecutive_failures", "newshound_items_new_total",
		"newshound_items_undated_total", "newshound_feed_repairs_total", "newshound_items_skipped_total", "newshound_poll_duration_seconds"} {
		if strings.HasPrefix(key, f+"[") {
			return true
		}
	}
	return false
}
