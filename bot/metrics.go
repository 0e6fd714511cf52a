package bot

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	polls      *prometheus.CounterVec
	failures   *prometheus.GaugeVec
	items      *prometheus.CounterVec
	matches    *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	undated    *prometheus.CounterVec
	repairs    *prometheus.CounterVec
	skipped    *prometheus.CounterVec
}

// NewMetrics creates the bot's metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_feed_polls_total",
			Help: "Feed polls by feed and result (ok, not_modified, error).",
		}, []string{"feed", "result"}),
		failures: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newshound_feed_consecutive_failures",
			Help: "Consecutive failed polls of a feed (0 when healthy).",
		}, []string{"feed"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_items_new_total",
			Help: "Items seen for the first time, by feed.",
		}, []string{"feed"}),
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_matches_queued_total",
			Help: "Deliveries written to the outbox, by channel.",
		}, []string{"channel"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_deliveries_total",
			Help: "Outbox rows by channel and result (sent, failed).",
		}, []string{"channel", "result"}),
		undated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_items_undated_total",
			Help: "New items whose date could not be read (shown with the time first seen), by feed.",
		}, []string{"feed"}),
		repairs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_feed_repairs_total",
			Help: "Repairs made while parsing a feed body, by feed and kind (charset: an invalid byte run decoded another way; forbidden_char: a character XML forbids, dropped; and markup fixes such as unclosed-element-closed or stray-end-tag-dropped).",
		}, []string{"feed", "kind"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newshound_items_skipped_total",
			Help: "Feed entries not turned into items, by feed and reason (duplicate: merged into an entry with the same identity; empty: nothing usable; unparseable: damaged beyond repair).",
		}, []string{"feed", "reason"}),
	}
	for _, c := range []prometheus.Collector{m.polls, m.failures, m.items, m.matches, m.deliveries, m.undated, m.repairs, m.skipped} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) poll(r PollResult, failures int) {
	if m == nil {
		return
	}
	result := "ok"
	switch {
	case r.Err != nil:
		result = "error"
	case r.NotModified:
		result = "not_modified"
	}
	m.polls.WithLabelValues(r.Feed, result).Inc()
	m.failures.WithLabelValues(r.Feed).Set(float64(failures))
	if r.New > 0 {
		m.items.WithLabelValues(r.Feed).Add(float64(r.New))
	}
	if r.Undated > 0 {
		m.undated.WithLabelValues(r.Feed).Add(float64(r.Undated))
	}
	if n := r.Stats.Repairs; n > 0 {
		m.repairs.WithLabelValues(r.Feed, "charset").Add(float64(n))
	}
	if n := r.Stats.ForbiddenChars; n > 0 {
		m.repairs.WithLabelValues(r.Feed, "forbidden_char").Add(float64(n))
	}
	for kind, n := range r.Stats.Fixes {
		if n > 0 {
			m.repairs.WithLabelValues(r.Feed, kind).Add(float64(n))
		}
	}
	if n := r.Stats.Duplicates; n > 0 {
		m.skipped.WithLabelValues(r.Feed, "duplicate").Add(float64(n))
	}
	for reason, n := range r.Stats.SkippedReasons {
		if n > 0 {
			m.skipped.WithLabelValues(r.Feed, reason).Add(float64(n))
		}
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
