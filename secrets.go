package main

import (
	"net/url"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/newshound/newshound/bot/discord"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/bot/slack"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/redact"
)

// trust is what keeps the daemon's output free of secrets and its
// handlers of network input from ending the process: one Redactor for
// every secret the bot knows, and one Guard for every handler.
type trust struct {
	redact *redact.Redactor
	guard  *notify.Guard
}

// knownSecrets are the environment variables the bot reads secrets from.
// DISCORD_PUBLIC_KEY is public and not among them.
var knownSecrets = []string{slack.EnvBotToken, slack.EnvAppToken, slack.EnvSigningSecret, discord.EnvBotToken, "DATABASE_URL", envReloadToken}

// notSecret are NEWSHOUND_* variables that hold no secret.
var notSecret = map[string]bool{"NEWSHOUND_REPLICA": true, "NEWSHOUND_VERSION": true}

// secretEnvName reports whether an environment variable's name says it
// holds a secret: every NEWSHOUND_* variable but the few known not to,
// and any name with TOKEN, SECRET, PASSWORD or PASSWD in it or ending in
// _KEY, _DSN, DATABASE_URL or WEBHOOK_URL (but not PUBLIC_KEY).
func secretEnvName(name string) bool {
	n := strings.ToUpper(name)
	switch {
	case notSecret[n] || strings.HasSuffix(n, "PUBLIC_KEY"):
		return false
	case strings.HasPrefix(n, "NEWSHOUND_"):
		return true
	}
	for _, w := range []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	for _, s := range []string{"_KEY", "_DSN", "DATABASE_URL", "WEBHOOK_URL"} {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

// addEnvSecrets teaches r the values of the known secret variables and,
// when the environment can be listed, of every variable whose name
// secretEnvName accepts.
func addEnvSecrets(r *redact.Redactor, e env) {
	for _, name := range knownSecrets {
		if v, ok := e.lookup(name); ok {
			r.Add(v)
		}
	}
	if e.environ == nil {
		return
	}
	for _, kv := range e.environ() {
		if name, v, ok := strings.Cut(kv, "="); ok && secretEnvName(name) {
			r.Add(v)
		}
	}
}

// recordingLookup returns e with a lookup that teaches r every value it
// returns: the values the watchlist substitutes for ${NAME}.
func recordingLookup(e env, r *redact.Redactor) env {
	lookup := e.lookup
	e.lookup = func(name string) (string, bool) {
		v, ok := lookup(name)
		if ok {
			r.Add(v)
		}
		return v, ok
	}
	return e
}

// addConfigSecrets teaches r the secrets a loaded watchlist holds: its
// channels' webhook URLs (the path is the secret), the store's
// DSN, and the password and secret query values of every feed URL.
func addConfigSecrets(r *redact.Redactor, cfg *config.Config) {
	for _, c := range cfg.Channels {
		if c.Settings == nil {
			continue
		}
		for _, u := range c.Settings.Secrets() {
			r.AddURL(u)
		}
	}
	r.Add(cfg.Store.Postgres)
	for _, f := range cfg.Feeds {
		u, err := url.Parse(f.URL)
		if err != nil {
			continue
		}
		if pw, ok := u.User.Password(); ok {
			r.Add(pw)
		}
		for k, vs := range u.Query() {
			if redact.IsSecretParam(k) {
				r.Add(vs...)
			}
		}
	}
}

// redactedGatherer redacts every label value of the metrics it gathers,
// so no name or value in /metrics can carry a secret.
type redactedGatherer struct {
	g prometheus.Gatherer
	r *redact.Redactor
}

// Gather gathers from g and redacts label values in place (each Gather
// returns fresh metric families).
func (rg redactedGatherer) Gather() ([]*dto.MetricFamily, error) {
	mfs, err := rg.g.Gather()
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v := lp.GetValue(); rg.r.String(v) != v {
					red := rg.r.String(v)
					lp.Value = &red
				}
			}
		}
	}
	return mfs, err
}
