package main

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/redact"
)

func TestSecretEnvName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"SLACK_BOT_TOKEN", true},
		{"SLACK_SIGNING_SECRET", true},
		{"NEWSHOUND_API_TOKEN", true},
		{"NEWSHOUND_ANYTHING", true},
		{"DATABASE_URL", true},
		{"SLACK_WEBHOOK_URL", true},
		{"SMTP_PASSWORD", true},
		{"AWS_ACCESS_KEY", true},
		{"PG_DSN", true},
		{"DISCORD_PUBLIC_KEY", false},
		{"NEWSHOUND_REPLICA", false},
		{"HOME", false},
		{"PATH", false},
		{"LANG", false},
	} {
		if got := secretEnvName(tc.name); got != tc.want {
			t.Errorf("secretEnvName(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestEnvSecrets(t *testing.T) {
	vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-known-token-1", "DISCORD_PUBLIC_KEY": "abcdef0123456789", "WATCH_HOOK": "https://h.example/hook/abcdef"}
	e := env{
		tick:   testTick,
		lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		environ: func() []string {
			return []string{"NEWSHOUND_X_TOKEN=from-environ-1", "NEWSHOUND_REPLICA=replica-a", "HOME=/home/someone"}
		},
	}
	r := redact.New()
	addEnvSecrets(r, e)
	cfgEnv := recordingLookup(e, r)
	if v, ok := cfgEnv.lookup("WATCH_HOOK"); !ok || v != vars["WATCH_HOOK"] {
		t.Fatalf("recording lookup changed the value: %q %v", v, ok)
	}
	for _, s := range []string{"xoxb-known-token-1", "from-environ-1", "https://h.example/hook/abcdef"} {
		if got := r.String("x " + s + " y"); got != "x "+redact.Mark+" y" {
			t.Errorf("%q not redacted: %q", s, got)
		}
	}
	for _, s := range []string{"abcdef0123456789", "replica-a", "/home/someone"} {
		if got := r.String(s); got != s {
			t.Errorf("%q is not secret but became %q", s, got)
		}
	}
}

func TestConfigSecrets(t *testing.T) {
	src := `
feeds:
  - {name: a, url: "https://reader:feedpw@feeds.example/rss?api_key=feedkey123&q=ai"}
channels:
  s: {slack: {webhook_url: "https://hooks.example/services/T0/B0/slackhookpart123"}}
  d: {discord: {webhook_url: "https://discord.example/api/webhooks/1/discordhooktoken123"}}
watches:
  - {name: w, keywords: [ai], channels: [s, d]}
store: {postgres: "postgres://app:dbpassword9@db.example/nh"}
`
	cfg, err := config.Parse("w.yaml", []byte(src), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	r := redact.New()
	addConfigSecrets(r, cfg)
	for _, s := range []string{"slackhookpart123", "/services/T0/B0/slackhookpart123", "discordhooktoken123", "dbpassword9", "feedkey123"} {
		if got := r.String("err: " + s); strings.Contains(got, s) {
			t.Errorf("%q not redacted: %q", s, got)
		}
	}
	if got := r.String("https://reader:feedpw@feeds.example/rss"); strings.Contains(got, "feedpw") {
		t.Errorf("short feed password kept: %q", got)
	}
	if got := r.String("feeds.example db.example"); got != "feeds.example db.example" {
		t.Errorf("host names redacted: %q", got)
	}
}

func TestRedactedGatherer(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "x_total", Help: "x"}, []string{"feed"})
	reg.MustRegister(c)
	c.WithLabelValues("leaky-label-secret").Inc()
	c.WithLabelValues("plain").Inc()
	mfs, err := redactedGatherer{reg, redact.New("leaky-label-secret")}.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				values = append(values, lp.GetValue())
			}
		}
	}
	if got := strings.Join(values, ","); got != redact.Mark+",plain" && got != "plain,"+redact.Mark {
		t.Errorf("label values = %s", got)
	}
}
