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
	}
	for _, c := range []prometheus.Collector{m.polls, m.failures, m.items, m.matches, m.deliveries} {
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
