package config

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
)

// envOf is a lookup over a fixed set of variables.
func envOf(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// problems returns the lines of an Errors and the Var of each.
func problems(t *testing.T, err error) (lines, vars []string) {
	t.Helper()
	if err == nil {
		return nil, nil
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v (%T) is not Errors", err, err)
	}
	for _, e := range errs {
		lines = append(lines, e.Error())
		vars = append(vars, e.Var)
	}
	return lines, vars
}

func TestValidateEnv(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	key := hex.EncodeToString(pub)
	const (
		slackMissing   = "needs-env.yaml:7:22: channels.desk.slack.channel: posting as the bot needs the environment variable SLACK_BOT_TOKEN, which is not set (set it, or post with webhook_url)"
		discordMissing = "needs-env.yaml:9:27: channels.ops.discord.channel_id: posting as the bot needs the environment variable DISCORD_BOT_TOKEN, which is not set (set it, or post with webhook_url)"
		appMissing     = "needs-env.yaml:10:27: discord.application_id: /news on Discord needs the environment variable DISCORD_BOT_TOKEN (gateway), or DISCORD_PUBLIC_KEY with server.listen (interactions endpoint); neither is set"
		badKey         = "needs-env.yaml:3:18: server.listen: the environment variable DISCORD_PUBLIC_KEY is not an Ed25519 public key (64 hex digits), so /discord/interactions cannot verify requests"
	)
	tests := []struct {
		name     string
		env      map[string]string
		want     []string // the errors, in file order
		wantVars []string // Error.Var of each
	}{
		{"nothing set", nil,
			[]string{slackMissing, discordMissing, appMissing},
			[]string{"SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN", "DISCORD_BOT_TOKEN"}},
		{"both tokens", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "DISCORD_BOT_TOKEN": "d"}, nil, nil},
		{"a token of spaces", map[string]string{"SLACK_BOT_TOKEN": " ", "DISCORD_BOT_TOKEN": "d"},
			[]string{strings.Replace(slackMissing, "is not set", "is empty", 1)},
			[]string{"SLACK_BOT_TOKEN"}},
		{"the public key serves /news on Discord", map[string]string{"SLACK_BOT_TOKEN": "x", "DISCORD_PUBLIC_KEY": key},
			[]string{discordMissing},
			[]string{"DISCORD_BOT_TOKEN"}},
		{"a public key that is not one", map[string]string{"SLACK_BOT_TOKEN": "x", "DISCORD_BOT_TOKEN": "d", "DISCORD_PUBLIC_KEY": key[:62]},
			[]string{badKey},
			[]string{"DISCORD_PUBLIC_KEY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Validate("needs-env.yaml", readFixture(t, "needs-env.yaml"), Env{Lookup: envOf(tt.env)})
			lines, vars := problems(t, err)
			if !slices.Equal(lines, tt.want) || !slices.Equal(vars, tt.wantVars) {
				t.Errorf("errors:\n%s\nvars %q\nwant:\n%s\nvars %q", strings.Join(lines, "\n"), vars, strings.Join(tt.want, "\n"), tt.wantVars)
			}
			if (err == nil) != (c != nil) {
				t.Errorf("config %v with error %v", c != nil, err)
			}
		})
	}

	// Parse checks the file alone: the same file loads with nothing set.
	if _, err := Parse("needs-env.yaml", readFixture(t, "needs-env.yaml"), nil); err != nil {
		t.Errorf("Parse: %v", err)
	}
}

// A secret for an endpoint that is not served is a warning, not an error.
func TestValidateEnvWarnings(t *testing.T) {
	t.Parallel()
	src := []byte("feeds: []\nchannels: {out: {console: {}}}\nwatches: []\n")
	c, err := Validate("w.yaml", src, Env{Lookup: envOf(map[string]string{"SLACK_SIGNING_SECRET": "s", "DISCORD_PUBLIC_KEY": "k"})})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"w.yaml:1:1: server.listen: the environment variable DISCORD_PUBLIC_KEY is set but server.listen is not, so /discord/interactions is not served",
		"w.yaml:1:1: server.listen: the environment variable SLACK_SIGNING_SECRET is set but server.listen is not, so /slack/commands is not served",
	}
	if got := strings.Split(Errors(c.Warnings).Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c, err = Validate("w.yaml", src, Env{})
	if err != nil || len(c.Warnings) != 0 {
		t.Errorf("with nothing set: %v, warnings %v", err, c.Warnings)
	}
}

// Skip checks a file without reading the environment at all: unset
// references and missing tokens pass, broken ${ syntax does not.
func TestValidateSkipEnv(t *testing.T) {
	t.Parallel()
	calls := 0
	lookup := func(string) (string, bool) { calls++; return "", false }
	for _, file := range []string{"needs-env.yaml", "good-env.yaml"} {
		c, err := Validate(file, readFixture(t, file), Env{Lookup: lookup, Skip: true})
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if file == "good-env.yaml" && (c.Feeds[0].URL != "" || value(c.Channels["team"], "webhook_url") != "") {
			t.Errorf("values with a reference are unknown, got %q and %q", c.Feeds[0].URL, value(c.Channels["team"], "webhook_url"))
		}
		if file == "good-env.yaml" && !slices.Equal(c.Watches[0].Keywords, []string{`"US$100"`, `"$5"`}) {
			t.Errorf("$$ is still a literal $: %q", c.Watches[0].Keywords)
		}
	}
	if calls != 0 {
		t.Errorf("the environment was read %d times", calls)
	}
	_, err := Validate("bad-env.yaml", readFixture(t, "bad-env.yaml"), Env{Skip: true})
	lines, _ := problems(t, err)
	want := []string{
		"bad-env.yaml:8:20: channels.other.discord.webhook_url: unterminated ${ (write $$ for a literal $)",
		`bad-env.yaml:11:20: channels.third.discord.webhook_url: invalid variable name "1BAD" in ${...}`,
	}
	if !slices.Equal(lines, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// The file's own rules still apply.
	_, err = Validate("bad-schedule.yaml", readFixture(t, "bad-schedule.yaml"), Env{Skip: true})
	if lines, _ := problems(t, err); len(lines) != 2 {
		t.Errorf("schedule errors with Skip: %q", lines)
	}
}

// An unset ${NAME} names its variable in Error.Var.
func TestUnsetReferenceVar(t *testing.T) {
	t.Parallel()
	_, err := Validate("good-env.yaml", readFixture(t, "good-env.yaml"), Env{Lookup: envOf(map[string]string{"FEED_BASE": "https://x"})})
	_, vars := problems(t, err)
	if want := []string{"SLACK_WEBHOOK_URL", "DB_PASSWORD"}; !slices.Equal(vars, want) {
		t.Errorf("vars = %q, want %q", vars, want)
	}
}
