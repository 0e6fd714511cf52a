package bot

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/store"
)

// scrapeTimeout bounds the store reads of one scrape.
const scrapeTimeout = 2 * time.Second

// Histogram buckets, in seconds. A poll is one fetch and parse, bounded by
// the feed timeout; a delivery's latency runs from the item first seen to
// the platform's acceptance, which includes any digest or quiet-hours hold.
var (
	pollBuckets    = [...]float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
	latencyBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600}
)

// pollResults and deliveryResults are the fixed result label values,
// initialized to zero for every feed and channel.
var (
	pollResults     = []string{"ok", "not_modified", "error"}
	deliveryResults = []string{"sent", "failed"}
	reloadResults   = []string{"ok", "error"}
	trendKinds      = []string{"surge", "report"}
	trendResults    = []string{"queued", "error"}
)

// Metrics are the bot's Prometheus metrics. A nil *Metrics records nothing.
//
// Every family is exposed from the start: New and every applied config
// create the label values of each feed and channel of the watchlist at
// zero, so absent() and rate() work before anything happened. The outbox
// and feed-schedule gauges are read from the store at scrape time, so they
// are right whichever replica did the work.
type Metrics struct {
	feeds      *feedCollector
	matches    *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	grownMsgs  *prometheus.CounterVec

	latency    *prometheus.HistogramVec
	reloads    *prometheus.CounterVec
	reloadOK   prometheus.Gauge
	configHash prometheus.Gauge
	leasesLost *prometheus.CounterVec
	unrecorded prometheus.Histogram
	trends     *prometheus.CounterVec
	state      *stateCollector
}

// NewMetrics creates the bot's metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		feeds: newFeedCollector(),
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_matches_queued_total",
			Help: "Deliveries written to the outbox, by channel.",
		}, []string{"channel"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_deliveries_total",
			Help: "Outbox rows by channel and result (sent, failed).",
		}, []string{"channel", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "newshound_delivery_latency_seconds",
			Help:    "Time from an item first seen to its alert accepted by the platform, by channel; digest and quiet-hours holds are included.",
			Buckets: latencyBuckets,
		}, []string{"channel"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_watchlist_reloads_total",
			Help: "Watchlist reloads by result (ok, error).",
		}, []string{"result"}),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newshound_watchlist_last_reload_success",
			Help: "1 when the last watchlist load or reload succeeded, 0 when it failed and the previous watchlist keeps running.",
		}),
		configHash: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newshound_watchlist_config_hash",
			Help: "The watchlist in force: the first 8 bytes of its SHA-256 as a big-endian unsigned integer (0 when unknown).",
		}),
		leasesLost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_leases_lost_total",
			Help: "Leases this replica lost while working under them (taken over, or not renewed in time), by kind (feed, channel, schedule, session, replica); the work under them stopped.",
		}, []string{"kind"}),
		unrecorded: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "newshound_delivery_unrecorded_seconds",
			Help:    "Time from a platform accepting a message to the store recording its rows as sent: the only window in which a crash makes another replica send the message again.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1},
		}),
		grownMsgs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_story_updates_total",
			Help: "Changes to alerts of stories other outlets reported later, by channel and kind: edit (the message edited in place), follow_up (a compact follow-up where the channel cannot edit), gone (the message was deleted; its story is no longer edited).",
		}, []string{"channel", "kind"}),
		trends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_trend_events_total",
			Help: "Surge alerts and reports by result: queued (in the outbox of every channel), or error (a check or a report that failed; it is tried again).",
		}, []string{"kind", "result"}),
		state: newStateCollector(),
	}
	for _, c := range []prometheus.Collector{m.feeds, m.matches, m.deliveries, m.grownMsgs, m.latency, m.reloads, m.reloadOK, m.configHash, m.leasesLost, m.unrecorded, m.trends, m.state} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("bot: register metrics: %w", err)
		}
	}
	for _, r := range reloadResults {
		m.reloads.WithLabelValues(r)
	}
	for _, k := range leaseKinds {
		m.leasesLost.WithLabelValues(k)
	}
	for _, k := range trendKinds {
		for _, r := range trendResults {
			m.trends.WithLabelValues(k, r)
		}
	}
	return m, nil
}

// grown counts one change to a story's alert.
func (m *Metrics) grown(channel, kind string) {
	if m == nil {
		return
	}
	m.grownMsgs.WithLabelValues(channel, kind).Inc()
}

// trend counts a surge alert or report queued (err nil) or failed.
func (m *Metrics) trend(kind string, err error) {
	if m == nil {
		return
	}
	result := "queued"
	if err != nil {
		result = "error"
	}
	m.trends.WithLabelValues(kind, result).Inc()
}

// attach makes b the source of the store-backed gauges.
func (m *Metrics) attach(b *Bot) {
	if m == nil {
		return
	}
	m.state.bot.Store(b)
}

// configured records cfg as the watchlist in force (at start, on reload
// and on a chat edit, which also clears a reload error): its hash, the
// last reload as a success, and a zero
// for every label value of its feeds and channels not yet exposed.
// Label values of feeds and channels removed since are kept: their
// counters stay monotonic.
func (m *Metrics) configured(cfg *config.Config) {
	if m == nil {
		return
	}
	m.configHash.Set(hashValue(cfg.Hash))
	m.reloadOK.Set(1)
	for _, f := range cfg.Feeds {
		m.feeds.add(f.Name)
	}
	for name := range cfg.Channels {
		m.matches.WithLabelValues(name)
		for _, r := range deliveryResults {
			m.deliveries.WithLabelValues(name, r)
		}
		m.latency.WithLabelValues(name)
	}
}

// reloaded records the result of a reload.
func (m *Metrics) reloaded(err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.reloads.WithLabelValues("error").Inc()
		m.reloadOK.Set(0)
		return
	}
	m.reloads.WithLabelValues("ok").Inc()
	m.reloadOK.Set(1)
}

// hashValue turns a hex SHA-256 into the gauge value: its first 8 bytes as
// a big-endian uint64 (a float64 keeps its top 53 bits, plenty to tell
// configs apart). An empty or malformed hash is 0.
func hashValue(h string) float64 {
	if len(h) < 16 {
		return 0
	}
	b, err := hex.DecodeString(h[:16])
	if err != nil {
		return 0
	}
	return float64(binary.BigEndian.Uint64(b))
}

// leaseKinds are the kinds of lease names ("feed:…", "channel:…",
// "session:…").
var leaseKinds = []string{"feed", "channel", "schedule", "session", "replica"}

// leaseLost counts a lease lost while working under it.
func (m *Metrics) leaseLost(name string) {
	if m == nil {
		return
	}
	kind, _, _ := strings.Cut(name, ":")
	if !slices.Contains(leaseKinds, kind) {
		kind = "other"
	}
	m.leasesLost.WithLabelValues(kind).Inc()
}

// markWindow records how long a message accepted by a platform waited
// for the store to record it as sent.
func (m *Metrics) markWindow(d time.Duration) {
	if m == nil {
		return
	}
	m.unrecorded.Observe(d.Seconds())
}

// polled records one poll and how long it took.
func (m *Metrics) polled(r PollResult, failures int, took time.Duration) {
	if m == nil {
		return
	}
	m.feeds.polled(r, failures, took)
}

// accepted records the latency of outbox rows a platform accepted at now.
func (m *Metrics) accepted(channel string, created []time.Time, now time.Time) {
	if m == nil {
		return
	}
	h := m.latency.WithLabelValues(channel)
	for _, c := range created {
		if c.IsZero() {
			continue
		}
		h.Observe(max(0, now.Sub(c).Seconds()))
	}
}

func (m *Metrics) queued(channel string) {
	if m == nil {
		return
	}
	m.matches.WithLabelValues(channel).Inc()
}

func (m *Metrics) delivered(r DeliverResult) {
	if m == nil {
		return
	}
	if r.Sent > 0 {
		m.deliveries.WithLabelValues(r.Channel, "sent").Add(float64(r.Sent))
	}
	if r.Pending > 0 {
		m.deliveries.WithLabelValues(r.Channel, "failed").Add(float64(r.Pending))
	}
}

// stateCollector exposes the outbox and feed-schedule gauges, read from
// the store at scrape time. A store that cannot be read within
// scrapeTimeout leaves those families out of that scrape, logs a warning
// and counts newshound_metrics_store_errors_total.
type stateCollector struct {
	bot         atomic.Pointer[Bot]
	pending     *prometheus.Desc
	oldest      *prometheus.Desc
	lastSuccess *prometheus.Desc
	nextPoll    *prometheus.Desc
	errors      prometheus.Counter
}

func newStateCollector() *stateCollector {
	return &stateCollector{
		pending: prometheus.NewDesc("newshound_outbox_pending",
			"Alerts in the outbox not yet accepted by the platform, by channel, including those held for a digest or quiet hours.",
			[]string{"channel"}, nil),
		oldest: prometheus.NewDesc("newshound_outbox_oldest_pending_seconds",
			"How long the oldest due but undelivered alert of a channel has been due (since first seen, or since its digest time); 0 when none is.",
			[]string{"channel"}, nil),
		lastSuccess: prometheus.NewDesc("newshound_feed_last_success_timestamp_seconds",
			"Unix time of the last successful poll of a feed; 0 when it never succeeded.",
			[]string{"feed"}, nil),
		nextPoll: prometheus.NewDesc("newshound_feed_next_poll_timestamp_seconds",
			"Unix time of the next scheduled poll of a feed; 0 when it was never polled (due now).",
			[]string{"feed"}, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "newshound_metrics_store_errors_total",
			Help: "Store reads for the outbox or feed gauges that failed at scrape time (the family read is left out of that scrape).",
		}),
	}
}

// Describe implements prometheus.Collector.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.oldest
	ch <- c.lastSuccess
	ch <- c.nextPoll
	c.errors.Describe(ch)
}

// Collect implements prometheus.Collector. It exposes every feed and
// channel of the watchlist in force, and any other channel that still
// has pending alerts.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	defer c.errors.Collect(ch)
	b := c.bot.Load()
	if b == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	rt := b.rt.Load()
	now := b.opt.Now()

	if states, err := b.opt.Store.FeedStates(ctx); err != nil {
		c.errors.Inc()
		b.log.Warn("metrics: reading feed states", "error", err.Error())
	} else {
		byFeed := make(map[string]store.FeedState, len(states))
		for _, s := range states {
			byFeed[s.Feed] = s
		}
		for _, f := range rt.cfg.Feeds {
			s := byFeed[f.Name]
			ch <- prometheus.MustNewConstMetric(c.lastSuccess, prometheus.GaugeValue, unixSeconds(s.LastSuccess), f.Name)
			ch <- prometheus.MustNewConstMetric(c.nextPoll, prometheus.GaugeValue, unixSeconds(s.NextPoll), f.Name)
		}
	}

	rows, err := b.opt.Store.PendingAll(ctx, "")
	if err != nil {
		c.errors.Inc()
		b.log.Warn("metrics: reading the outbox", "error", err.Error())
		return
	}
	count := map[string]int{}
	oldest := map[string]time.Duration{}
	channels := slices.Clone(rt.cfg.ChannelOrder)
	for _, name := range channels {
		count[name] = 0
	}
	for _, r := range rows {
		if _, ok := count[r.Channel]; !ok {
			channels = append(channels, r.Channel)
		}
		count[r.Channel]++
		since := r.Created
		if r.Due.After(since) {
			since = r.Due
		}
		if since.IsZero() || since.After(now) {
			continue // held for a digest or quiet hours: not late
		}
		oldest[r.Channel] = max(oldest[r.Channel], now.Sub(since))
	}
	for _, name := range channels {
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(count[name]), name)
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, oldest[name].Seconds(), name)
	}
}

// unixSeconds is t as Unix seconds, 0 for the zero time.
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMilli()) / 1e3
}
