package command

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/newshound/newshound/config"
)

// typedDollars are texts that look like environment references, typed in
// chat as keywords and inside feed URLs.
var typedDollars = []string{"${SLACK_BOT_TOKEN}", "$SLACK_BOT_TOKEN", "${NAME:-x}", "$${X}", "${${X}}", "$", "$$"}

// Chat input is data: whatever a user types is written so that loading
// the file, in an environment where every reference would resolve, gives
// back exactly the typed text. No reply shows a secret, and every feed
// added from chat keeps its "added from chat" mark.
func TestTypedDollarIsData(t *testing.T) {
	t.Parallel()
	const secret = "xoxb-the-real-bot-token"
	vars := map[string]string{
		"SLACK_BOT_TOKEN":   secret,
		"DISCORD_BOT_TOKEN": "discord-bot-secret",
		"X":                 "x-secret",
		"NAME":              "name-secret",
	}
	secrets := []string{secret, "discord-bot-secret", "x-secret", "name-secret"}
	srv := feedServer(t)
	e := setupEnv(t, allowPrivate, nil, vars)
	var replies []Reply
	run := func(req Request, text string) Reply {
		t.Helper()
		r := e.run(req, text)
		replies = append(replies, r)
		return r
	}
	for i, v := range typedDollars {
		contains(t, run(adminGeneral, "add "+v+" to chips"), "Added")
		// The same through Discord's typed options.
		req := adminOps
		req.Args = map[string]string{ArgQuery: "x" + v, ArgWatch: "ai-policy"}
		contains(t, run(req, "add x"+v+" to ai-policy"), "Added")
		contains(t, run(adminGeneral, fmt.Sprintf("feed add %s/feed.xml?t=%s chat%d", srv.URL, v, i)), "Added feed")
	}
	contains(t, run(adminGeneral, "list"), "chips")
	run(adminGeneral, "feeds")
	run(adminGeneral, "status")
	contains(t, run(adminGeneral, "remove ${SLACK_BOT_TOKEN} from chips"), "Removed")
	contains(t, run(adminGeneral, "add ${SLACK_BOT_TOKEN} to chips"), "Added")
	for _, r := range replies {
		for _, s := range secrets {
			if strings.Contains(r.Text, s) {
				t.Errorf("reply shows a secret: %q", r.Text)
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(string(e.file()), s) || strings.Contains(e.logs.String(), s) {
			t.Errorf("the file or the log holds %q", s)
		}
	}

	// The file as the bot loads it, with every variable set.
	cfg, err := config.Validate(e.path, e.file(), config.Env{Lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }})
	if err != nil {
		t.Fatal(err)
	}
	chips, _ := cfg.WatchByName("chips")
	policy, _ := cfg.WatchByName("ai-policy")
	for i, v := range typedDollars {
		t.Run(v, func(t *testing.T) {
			if !slices.Contains(chips.Keywords, v) {
				t.Errorf("chips keywords %q lack %q", chips.Keywords, v)
			}
			if !slices.Contains(policy.Keywords, "x"+v) {
				t.Errorf("ai-policy keywords %q lack %q", policy.Keywords, "x"+v)
			}
			name := fmt.Sprintf("chat%d", i)
			f, ok := cfg.FeedByName(name)
			if want := srv.URL + "/feed.xml?t=" + v; !ok || f.URL != want {
				t.Fatalf("feed %s url = %q, want %q", name, f.URL, want)
			}
			// The bot polls a feed as untrusted when the mark equals the URL
			// it loaded.
			mark, err := e.bot.st.GetMeta(context.Background(), UntrustedFeedKey(name))
			if err != nil || mark != f.URL {
				t.Errorf("mark = %q (%v), loaded url %q", mark, err, f.URL)
			}
		})
	}
	// The config in force (reloaded after each edit) agrees.
	if got := e.keywords("chips"); len(got) != 1+len(typedDollars) || got[len(got)-1] != "${SLACK_BOT_TOKEN}" {
		t.Errorf("keywords in force = %q", got)
	}
}

// webhookOnly makes the fixture's channels webhooks, so it needs no bot
// token and no chat channel is bound to a watch.
func webhookOnly(s string) string {
	s = strings.Replace(s, "      channel: C0GENERAL   # #general", "      webhook_url: https://hooks.slack.com/services/T0/B0/X", 1)
	return strings.Replace(s, `      channel_id: "111"`, "      webhook_url: https://discord.com/api/webhooks/1/x", 1)
}

// An add from a chat channel the watchlist does not know binds that
// channel only when the bot can post there; otherwise it is refused with
// what to do, and the file is not touched.
func TestAddFromUnknownChannel(t *testing.T) {
	t.Parallel()
	discordNew := Request{Platform: "discord", User: "555", Roles: []string{"999"}, ChannelID: "222", ChannelName: "news"}
	for _, tc := range []struct {
		name string
		vars map[string]string
		req  Request
		want []string // in the reply; nil: the channel is bound
	}{
		{"slack without a bot token", nil, adminNew,
			[]string{"no SLACK_BOT_TOKEN to post here", "`add 속보 to <watch>`", "ai-policy, chips", "set SLACK_BOT_TOKEN"}},
		{"discord without a bot token", map[string]string{"SLACK_BOT_TOKEN": "x"}, discordNew,
			[]string{"no DISCORD_BOT_TOKEN to post here"}},
		{"korean", nil, Request{Platform: "slack", User: "UADMIN", ChannelID: "C0NEW", ChannelName: "속보"},
			[]string{"SLACK_BOT_TOKEN 값이 없어"}},
		{"slack with a bot token", map[string]string{"SLACK_BOT_TOKEN": "x"}, adminNew, nil},
		{"discord with a bot token", map[string]string{"DISCORD_BOT_TOKEN": "x"}, discordNew, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setupEnv(t, webhookOnly, nil, tc.vars)
			text := "add 속보"
			if strings.HasPrefix(tc.name, "korean") {
				text = "추가 속보"
			}
			r := e.run(tc.req, text)
			if tc.want != nil {
				contains(t, r, tc.want...)
				e.unchanged()
				return
			}
			contains(t, r, "Created watch")
			// What was written is what run accepts in this environment.
			if _, err := config.Validate(e.path, e.file(), config.Env{Lookup: e.bot.getenv}); err != nil {
				t.Errorf("the edited file does not validate: %v", err)
			}
			if err := e.bot.ConfigError(); err != nil {
				t.Errorf("the edit did not apply: %v", err)
			}
		})
	}
}

// An edit is validated with the bot's environment before it is written:
// a file the bot can no longer run is not edited at all.
func TestEditsNeedTheBotsEnvironment(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"SLACK_BOT_TOKEN": "x", "DISCORD_BOT_TOKEN": "y"}
	e := setupEnv(t, nil, nil, vars)
	delete(vars, "DISCORD_BOT_TOKEN") // the bot restarted without it, say
	contains(t, e.run(adminGeneral, "add 반도체 to chips"), "won't edit it", "DISCORD_BOT_TOKEN")
	e.unchanged()
	if _, err := os.Stat(e.path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
}
