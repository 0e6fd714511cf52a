package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
	"go.yaml.in/yaml/v3"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/store/sqlite"
)

const (
	rulesFile     = "prometheus/rules.yaml"
	dashboardFile = "grafana/newshound.json"
)

// noFetch is a fetcher for a bot that never polls.
type noFetch struct{}

func (noFetch) Fetch(context.Context, feeds.Source, feeds.Validators) (feeds.Result, error) {
	return feeds.Result{}, nil
}

// exposed returns the metric families a freshly started bot exposes, by
// name, with the collectors `newshound run` registers.
func exposed(t *testing.T) map[string]dto.MetricType {
	t.Helper()
	cfg, err := config.Parse("watchlist.yaml", []byte(`
feeds:
  - {name: yna, url: "https://yna.example/rss"}
channels:
  team: {console: {}}
watches:
  - {name: policy, keywords: [반도체], channels: [team]}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := bot.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.New(bot.Options{
		Config:    cfg,
		Store:     st,
		Fetcher:   noFetch{},
		Metrics:   m,
		Notifiers: func(*config.Config) (map[string]notify.Notifier, error) { return map[string]notify.Notifier{}, nil },
	}); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]dto.MetricType{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf.GetType()
	}
	return out
}

// metricName finds the metric names in a PromQL expression.
var metricName = regexp.MustCompile(`\b(?:newshound|process|go)_[a-zA-Z0-9_:]*`)

// unknownMetrics returns the metric names of expr that the bot does not
// expose; a histogram's _bucket, _sum and _count series count as its own.
func unknownMetrics(expr string, have map[string]dto.MetricType) []string {
	var out []string
	for _, name := range metricName.FindAllString(expr, -1) {
		if _, ok := have[name]; ok {
			continue
		}
		known := false
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			base, ok := strings.CutSuffix(name, suffix)
			if ok && have[base] == dto.MetricType_HISTOGRAM {
				_, known = have[base]
			}
		}
		if !known {
			out = append(out, name)
		}
	}
	return out
}

func TestUnknownMetrics(t *testing.T) {
	t.Parallel()
	have := map[string]dto.MetricType{"newshound_a": dto.MetricType_GAUGE, "newshound_h": dto.MetricType_HISTOGRAM}
	cases := []struct {
		expr string
		want []string
	}{
		{"newshound_a > 1", nil},
		{"rate(newshound_h_bucket[5m]) / newshound_h_count", nil},
		{"newshound_a_bucket", []string{"newshound_a_bucket"}},
		{"time() - newshound_b", []string{"newshound_b"}},
		{"go_goroutines + process_open_fds", []string{"go_goroutines", "process_open_fds"}},
		{`sum by (feed) (rate(x{job="newshound"}[$__rate_interval]))`, nil},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			if got := unknownMetrics(c.expr, have); !slices.Equal(got, c.want) {
				t.Errorf("unknownMetrics = %v, want %v", got, c.want)
			}
		})
	}
}

// ruleFile is the Prometheus rule file format, strictly.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// TestAlertRules: the example rules parse, use only metrics the bot
// exposes from the start, and cover a stuck outbox, a stale feed and a
// failed reload.
func TestAlertRules(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&rf); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	have := exposed(t)
	uses := map[string]string{} // alert name → expression
	for _, g := range rf.Groups {
		if g.Name == "" || len(g.Rules) == 0 {
			t.Errorf("group %q: needs a name and rules", g.Name)
		}
		for _, r := range g.Rules {
			t.Run(r.Alert, func(t *testing.T) {
				if r.Alert == "" || strings.TrimSpace(r.Expr) == "" {
					t.Fatalf("rule without alert name or expression: %+v", r)
				}
				if _, dup := uses[r.Alert]; dup {
					t.Errorf("alert %s defined twice", r.Alert)
				}
				uses[r.Alert] = r.Expr
				if r.For != "" {
					if _, err := time.ParseDuration(r.For); err != nil {
						t.Errorf("for: %v", err)
					}
				}
				if s := r.Labels["severity"]; s != "warning" && s != "critical" {
					t.Errorf("severity %q, want warning or critical", s)
				}
				if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
					t.Error("needs a summary and a description")
				}
				if len(metricName.FindAllString(r.Expr, -1)) == 0 {
					t.Errorf("expression %q uses no newshound metric", r.Expr)
				}
				if bad := unknownMetrics(r.Expr, have); len(bad) > 0 {
					t.Errorf("expression %q uses metrics the bot does not expose at start: %v", r.Expr, bad)
				}
			})
		}
	}
	for alert, metric := range map[string]string{
		"NewshoundOutboxStuck":           "newshound_outbox_oldest_pending_seconds",
		"NewshoundFeedStale":             "newshound_feed_last_success_timestamp_seconds",
		"NewshoundWatchlistReloadFailed": "newshound_watchlist_last_reload_success",
	} {
		if !strings.Contains(uses[alert], metric) {
			t.Errorf("alert %s: want an expression on %s, have %q", alert, metric, uses[alert])
		}
	}
}

// TestAlertRulesPromtool checks the rules with promtool when it is
// installed.
func TestAlertRulesPromtool(t *testing.T) {
	t.Parallel()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed; TestAlertRules checks the file without it")
	}
	out, err := exec.Command(promtool, "check", "rules", rulesFile).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

// dashboard is the part of a Grafana dashboard the test reads.
type dashboard struct {
	UID         string  `json:"uid"`
	Title       string  `json:"title"`
	Panels      []panel `json:"panels"`
	Annotations struct {
		List []struct {
			Expr string `json:"expr"`
		} `json:"list"`
	} `json:"annotations"`
}

type panel struct {
	ID      int     `json:"id"`
	Type    string  `json:"type"`
	Title   string  `json:"title"`
	Panels  []panel `json:"panels"`
	GridPos struct {
		X, Y, W, H int
	} `json:"gridPos"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
}

// TestDashboard: the Grafana dashboard parses, its panels fit the grid
// and have queries, and every query uses only metrics the bot exposes.
func TestDashboard(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.UID == "" || d.Title == "" {
		t.Errorf("dashboard needs a uid and a title: %q, %q", d.UID, d.Title)
	}
	have := exposed(t)
	ids := map[int]bool{}
	used := map[string]bool{}
	var check func(ps []panel)
	check = func(ps []panel) {
		for _, p := range ps {
			if ids[p.ID] {
				t.Errorf("panel id %d used twice", p.ID)
			}
			ids[p.ID] = true
			if p.GridPos.W <= 0 || p.GridPos.X < 0 || p.GridPos.X+p.GridPos.W > 24 {
				t.Errorf("panel %q: gridPos %+v does not fit 24 columns", p.Title, p.GridPos)
			}
			if p.Type == "row" {
				check(p.Panels)
				continue
			}
			if p.Title == "" || len(p.Targets) == 0 {
				t.Errorf("panel %d (%q): needs a title and a query", p.ID, p.Title)
			}
			for _, q := range p.Targets {
				for _, n := range metricName.FindAllString(q.Expr, -1) {
					used[n] = true
				}
				if bad := unknownMetrics(q.Expr, have); len(bad) > 0 {
					t.Errorf("panel %q: %q uses metrics the bot does not expose at start: %v", p.Title, q.Expr, bad)
				}
			}
		}
	}
	check(d.Panels)
	for _, a := range d.Annotations.List {
		if bad := unknownMetrics(a.Expr, have); len(bad) > 0 {
			t.Errorf("annotation %q uses unknown metrics: %v", a.Expr, bad)
		}
	}
	for _, want := range []string{
		"newshound_outbox_pending", "newshound_outbox_oldest_pending_seconds",
		"newshound_feed_last_success_timestamp_seconds", "newshound_feed_next_poll_timestamp_seconds",
		"newshound_poll_duration_seconds_bucket", "newshound_delivery_latency_seconds_bucket",
		"newshound_watchlist_last_reload_success", "newshound_watchlist_reloads_total",
	} {
		if !used[want] {
			t.Errorf("no panel shows %s", want)
		}
	}
}
