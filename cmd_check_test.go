package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/bot/digest"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/store/sqlite"
)

// runStarts reports whether "run" would start on the watchlist at path in
// environment e: it loads the file as cmdRun does and builds the bot with
// the real notifiers, as cmdRun does. The error says why not.
func runStarts(t *testing.T, path string, e env) error {
	t.Helper()
	var stderr strings.Builder
	e.stderr = &stderr
	cfg := loadConfig(path, e)
	if cfg == nil {
		return fmt.Errorf("load: %s", stderr.String())
	}
	return buildBot(t, cfg, e)
}

// buildBot builds the runtime of cfg as cmdRun does: schedules, matcher
// and one notifier per channel.
func buildBot(t *testing.T, cfg *config.Config, e env) error {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logger := slog.New(slog.DiscardHandler)
	p := newPlatforms(e, logger, prometheus.NewRegistry(), redact.New())
	_, err = bot.New(bot.Options{
		Config:    cfg,
		Store:     st,
		Fetcher:   feeds.NewHTTPFetcher(feeds.Options{Logger: logger}),
		Notifiers: p.notifiers,
		Logger:    logger,
	})
	return err
}

// TestCheckAgreesWithRun: for each watchlist and environment, check's
// verdict is run's verdict, because both validate with config.Validate;
// and where a channel is refused for a missing token, building its
// notifier from the file alone fails too, so the rule is run's own.
func TestCheckAgreesWithRun(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	key := hex.EncodeToString(pub)
	const head = "feeds: [{name: a, url: 'https://example.com/rss'}]\n"
	watch := func(channel, digest string) string {
		return fmt.Sprintf("watches: [{name: w, keywords: [x], channels: [%s], digest: %s}]\n", channel, digest)
	}
	console := head + "channels: {out: {console: {}}}\n"
	slackBot := head + "channels: {desk: {slack: {channel: C0DESK}}}\n" + watch("desk", "instant")
	discordBot := head + "channels: {ops: {discord: {channel_id: \"111\"}}}\n" + watch("ops", "instant")
	app := console + watch("out", "instant") + "discord: {application_id: \"222\"}\n"
	listen := "server: {listen: \"127.0.0.1:0\"}\n"
	tests := []struct {
		name string
		yaml string
		vars map[string]string
		ok   bool
		// notifiersFail: building the channels from the file alone (no
		// environment rules) fails as well.
		notifiersFail bool
	}{
		{"console", console + watch("out", "instant"), nil, true, false},
		{"slack channel without token", slackBot, nil, false, true},
		{"slack channel with empty token", slackBot, map[string]string{"SLACK_BOT_TOKEN": ""}, false, true},
		{"slack channel with token", slackBot, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, true, false},
		{"discord channel without token", discordBot, nil, false, true},
		{"discord channel with token", discordBot, map[string]string{"DISCORD_BOT_TOKEN": "t"}, true, false},
		{"webhook from an unset variable", head + "channels: {h: {slack: {webhook_url: '${HOOK}'}}}\n" + watch("h", "instant"), nil, false, false},
		{"webhook from a set variable", head + "channels: {h: {slack: {webhook_url: '${HOOK}'}}}\n" + watch("h", "instant"), map[string]string{"HOOK": "https://hooks.slack.com/services/T/B/X"}, true, false},
		{"digest every 30s", console + watch("out", "{every: 30s}"), nil, false, false},
		{"digest every 2d on mondays", console + watch("out", "{every: 2d, days: [mon]}"), nil, false, false},
		{"digest every 1m on mondays", console + watch("out", "{every: 1m, days: [mon]}"), nil, true, false},
		{"discord /news without a way in", app, nil, false, false},
		{"discord /news over the gateway", app, map[string]string{"DISCORD_BOT_TOKEN": "t"}, true, false},
		{"discord /news over HTTP", app + listen, map[string]string{"DISCORD_PUBLIC_KEY": key}, true, false},
		{"discord public key that is not one", console + watch("out", "instant") + listen, map[string]string{"DISCORD_PUBLIC_KEY": "zz"}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.yaml")
			writeFile(t, path, tc.yaml)
			e := env{tick: testTick, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
				lookup: func(k string) (string, bool) { v, ok := tc.vars[k]; return v, ok }}
			var out, errb strings.Builder
			ce := e
			ce.stdout, ce.stderr = &out, &errb
			checkOK := Main(context.Background(), []string{"check", "--config", path}, ce) == 0
			runErr := runStarts(t, path, e)
			if checkOK != (runErr == nil) || checkOK != tc.ok {
				t.Fatalf("check ok %v, run error %v, want ok %v\ncheck said:\n%s%s", checkOK, runErr, tc.ok, out.String(), errb.String())
			}
			if !checkOK && !strings.Contains(errb.String(), path+":") {
				t.Errorf("check gave no position:\n%s", errb.String())
			}
			if tc.notifiersFail {
				cfg, err := config.Parse(path, []byte(tc.yaml), e.lookup)
				if err != nil {
					t.Fatal(err)
				}
				if err := buildBot(t, cfg, e); err == nil {
					t.Error("the runtime builds from the file alone; the rule is not run's")
				}
			}
		})
	}
}

// TestDigestRulesAgree: every digest schedule config accepts, package
// digest builds, and every one config refuses, digest refuses (digest
// checks a few rules config leaves to the file's syntax, e.g. "9:00").
func TestDigestRulesAgree(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		d    config.Digest
	}{
		{"{every: 30s}", config.Digest{Every: config.Duration(30 * time.Second)}},
		{"{every: 59s}", config.Digest{Every: config.Duration(59 * time.Second)}},
		{"{every: 1m}", config.Digest{Every: config.Duration(time.Minute)}},
		{"{every: 1d, days: [mon]}", config.Digest{Every: config.Duration(24 * time.Hour), Days: []string{"mon"}}},
		{"{every: 25h, days: [mon]}", config.Digest{Every: config.Duration(25 * time.Hour), Days: []string{"mon"}}},
		{"{every: 25h}", config.Digest{Every: config.Duration(25 * time.Hour)}},
		{`{at: ["09:00"], days: [sat, sun]}`, config.Digest{At: []string{"09:00"}, Days: []string{"sat", "sun"}}},
		{`{every: 1h, at: ["09:00"]}`, config.Digest{Every: config.Duration(time.Hour), At: []string{"09:00"}}},
		{`{quiet_hours: "22:00-22:00"}`, config.Digest{QuietHours: "22:00-22:00"}},
		{`{max_items: -1}`, config.Digest{MaxItems: -1}},
	} {
		t.Run(tc.yaml, func(t *testing.T) {
			src := "feeds: []\nchannels: {out: {console: {}}}\nwatches: [{name: w, keywords: [x], channels: [out], digest: " + tc.yaml + "}]\n"
			_, cerr := config.Validate("w.yaml", []byte(src), config.Env{})
			_, derr := digest.NewSchedule(tc.d, time.UTC)
			if (cerr == nil) != (derr == nil) {
				t.Errorf("config: %v; digest: %v", cerr, derr)
			}
		})
	}
}

// TestCheckEnvironment: check names a missing variable with its position,
// and --no-env skips the environment and says so.
func TestCheckEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.yaml")
	writeFile(t, path, `feeds: []
channels:
  desk:
    slack: {channel: C0DESK}
  hook:
    slack: {webhook_url: "${SLACK_WEBHOOK_URL}"}
watches: [{name: w, keywords: [x], channels: [desk, hook]}]
`)
	code, out, errs := runCLI(t, "check", "--config", path)
	for _, want := range []string{
		path + ":4:22: channels.desk.slack.channel: posting as the bot needs the environment variable SLACK_BOT_TOKEN, which is not set",
		path + ":6:26: channels.hook.slack.webhook_url: environment variable SLACK_WEBHOOK_URL is not set",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("check output lacks %q:\n%s", want, errs)
		}
	}
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	code, out, errs = runCLI(t, "check", "--no-env", "--config", path)
	if code != 0 || !strings.Contains(out, "2 channels") || !strings.Contains(out, "Environment not checked (--no-env)") {
		t.Errorf("--no-env: exit %d\n%s%s", code, out, errs)
	}
}
