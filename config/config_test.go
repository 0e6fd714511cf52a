package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/newshound/newshound/match"
)

// queryMsg is the matcher's message for an invalid query, so these tests
// pin positions without copying the matcher's wording.
func queryMsg(t *testing.T, q string) string {
	t.Helper()
	var qe *match.QueryError
	if !errors.As(match.CheckQuery(q, nil), &qe) {
		t.Fatalf("match.CheckQuery(%q) accepts the query; the fixture needs an invalid one", q)
	}
	return "invalid query: " + qe.Msg
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseBadFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []string
	}{
		{"bad-syntax.yaml", []string{
			"bad-syntax.yaml:6:20: invalid YAML: ',' or ']' must be specified",
		}},
		{"bad-multidoc.yaml", []string{
			"bad-multidoc.yaml:4:1: only one YAML document is allowed (remove the ---)",
		}},
		{"bad-unknown-key.yaml", []string{
			`bad-unknown-key.yaml:1:1: timezon: unknown key (did you mean "timezone"?)`,
			"bad-unknown-key.yaml:3:5: feeds[0]: feed needs url or google_news",
			`bad-unknown-key.yaml:4:5: feeds[0].urll: unknown key (did you mean "url"?)`,
			`bad-unknown-key.yaml:7:15: channels.terminal.console.formatt: unknown key (did you mean "format"?)`,
			`bad-unknown-key.yaml:12:5: watches[0].colour: unknown key (did you mean "color"?)`,
			"bad-unknown-key.yaml:13:5: watches[0].bogus: unknown key (known keys: name, keywords, exclude, feeds, channels, digest, urgent, color, surge, report)",
		}},
		{"bad-type.yaml", []string{
			"bad-type.yaml:2:16: poll.concurrency: expected a whole number, found text",
			"bad-type.yaml:3:14: poll.max_bytes: expected a whole number, found a decimal number",
			"bad-type.yaml:5:3: feeds: expected a list, like [a, b], found a mapping",
			"bad-type.yaml:10:11: watches[0].name: expected text, found a list",
			"bad-type.yaml:11:15: watches[0].keywords: expected a list, like [a, b], found text",
			"bad-type.yaml:13:5: watches[1]: expected a mapping (key: value), found text",
			"bad-type.yaml:15:24: security.allow_private_feeds: expected true or false, found text",
			"bad-type.yaml:16:15: story_window: a duration needs a unit, like 24s or 24m",
		}},
		{"bad-duplicate-key.yaml", []string{
			"bad-duplicate-key.yaml:4:5: feeds[0].name: duplicate key (first at line 2)",
			"bad-duplicate-key.yaml:8:3: channels.terminal: duplicate key (first at line 6)",
			"bad-duplicate-key.yaml:14:1: feeds: duplicate key (first at line 1)",
		}},
		{"bad-duplicate-name.yaml", []string{
			`bad-duplicate-name.yaml:6:11: feeds[2].name: duplicate feed name "a" (first at line 2)`,
			`bad-duplicate-name.yaml:15:11: watches[1].name: duplicate watch name "w" (first at line 12)`,
		}},
		{"bad-reference.yaml", []string{
			`bad-reference.yaml:10:21: watches[0].feeds[1]: unknown feed "yna-itt" (did you mean "yna-it"?)`,
			`bad-reference.yaml:10:30: watches[0].feeds[2]: unknown feed "zzz"`,
			`bad-reference.yaml:10:35: watches[0].feeds[3]: feed "yna-it" is listed twice`,
			`bad-reference.yaml:11:16: watches[0].channels[0]: unknown channel "terminl" (did you mean "terminal"?)`,
			`bad-reference.yaml:11:25: watches[0].channels[1]: channel name is empty`,
		}},
		{"bad-channel.yaml", []string{
			"bad-channel.yaml:3:9: channels.none: channel needs one of console, discord, slack or webhook",
			"bad-channel.yaml:6:5: channels.both.slack: channel has both console and slack; keep one (use another channel for the other)",
			"bad-channel.yaml:8:9: channels.text: expected a mapping (key: value), found text",
			`bad-channel.yaml:9:3: channels["my team"]: name "my team" contains a space or control character`,
			"bad-channel.yaml:11:10: channels.nulled: channel needs one of console, discord, slack or webhook",
		}},
		{"bad-platform.yaml", []string{
			"bad-platform.yaml:4:12: channels.empty-slack.slack: needs webhook_url (post with a webhook) or channel (post as the bot)",
			"bad-platform.yaml:7:7: channels.both-slack.slack: set webhook_url or channel, not both",
			"bad-platform.yaml:12:16: channels.api-with-hook.slack.api_url: api_url is used only with channel",
			"bad-platform.yaml:14:13: channels.empty-discord.discord: needs webhook_url (post with a webhook) or channel_id (post as the bot)",
			"bad-platform.yaml:16:27: channels.bad-id.discord.channel_id: a Discord ID is a number, like 123456789012345678",
			`bad-platform.yaml:18:23: channels.bad-format.console.format: format must be "text" or "json"`,
			"bad-platform.yaml:20:22: channels.blank-channel.slack.channel: channel is empty",
		}},
		{"bad-chat-channel.yaml", []string{
			"bad-chat-channel.yaml:4:45: channels.with-bot-channel.slack.chat_channel: chat_channel is used only with webhook_url (channel already names the chat channel commands come from)",
			`bad-chat-channel.yaml:6:82: channels.bare-name.slack.chat_channel: chat_channel must be a Slack channel ID, like C0123ABCD, or #name, found "general"`,
			`bad-chat-channel.yaml:8:82: channels.spaced.slack.chat_channel: chat_channel must be a Slack channel ID, like C0123ABCD, or #name, found "#news desk"`,
			"bad-chat-channel.yaml:12:20: channels.empty.slack.chat_channel: chat_channel is empty",
			`bad-chat-channel.yaml:14:82: channels.lower-id.slack.chat_channel: chat_channel must be a Slack channel ID, like C0123ABCD, or #name, found "c0123abcd"`,
			"bad-chat-channel.yaml:16:84: channels.discord-name.discord.chat_channel: a Discord ID is a number, like 123456789012345678",
			"bad-chat-channel.yaml:18:48: channels.discord-bot.discord.chat_channel: chat_channel is used only with webhook_url (channel_id already names the chat channel commands come from)",
			`bad-chat-channel.yaml:20:70: channels.discord-typo.discord.chat_chanel: unknown key (did you mean "chat_channel"?)`,
		}},
		{"bad-feed-source.yaml", []string{
			"bad-feed-source.yaml:2:5: feeds[0]: feed has both url and google_news; keep one",
			"bad-feed-source.yaml:5:5: feeds[1]: feed needs url or google_news",
			"bad-feed-source.yaml:8:18: feeds[2].google_news: google_news search is empty",
		}},
		{"bad-duration.yaml", []string{
			`bad-duration.yaml:2:13: poll.interval: invalid duration "5 minutes" (write it like 90s, 5m, 1h30m or 1d)`,
			"bad-duration.yaml:3:12: poll.timeout: duration must be positive",
			"bad-duration.yaml:7:15: feeds[0].interval: duration must be positive",
			"bad-duration.yaml:8:14: feeds[0].timeout: a duration needs a unit, like 300s or 300m",
			`bad-duration.yaml:11:15: feeds[1].interval: invalid duration "" (write it like 90s, 5m, 1h30m or 1d)`,
			`bad-duration.yaml:19:21: watches[0].digest.every: invalid duration "1w" (write it like 90s, 5m, 1h30m or 1d)`,
			`bad-duration.yaml:20:15: story_window: invalid duration "1.5d" (write it like 90s, 5m, 1h30m or 1d)`,
		}},
		{"bad-url.yaml", []string{
			"bad-url.yaml:3:10: feeds[0].url: must be an http:// or https:// address with a host",
			"bad-url.yaml:5:10: feeds[1].url: must be an http:// or https:// address with a host",
			"bad-url.yaml:7:10: feeds[2].url: must be an http:// or https:// address with a host",
			"bad-url.yaml:11:20: channels.hook.slack.webhook_url: must be an http:// or https:// address with a host",
			"bad-url.yaml:15:16: channels.bot.discord.api_url: must be an http:// or https:// address with a host",
		}},
		{"bad-timezone.yaml", []string{
			`bad-timezone.yaml:1:11: timezone: unknown time zone "Asia/Seol" (use an IANA name such as Asia/Seoul or UTC)`,
		}},
		{"bad-clock.yaml", []string{
			`bad-clock.yaml:10:12: watches[0].digest.at[0]: invalid time "9:00" (write HH:MM, from 00:00 to 23:59)`,
			`bad-clock.yaml:10:20: watches[0].digest.at[1]: invalid time "24:00" (write HH:MM, from 00:00 to 23:59)`,
			`bad-clock.yaml:10:29: watches[0].digest.at[2]: invalid time "12:60" (write HH:MM, from 00:00 to 23:59)`,
			`bad-clock.yaml:11:20: watches[0].digest.quiet_hours: invalid quiet hours "22:00~07:00" (write HH:MM-HH:MM, like 22:00-07:00)`,
			"bad-clock.yaml:15:13: watches[1].digest: set every or at, not both",
			"bad-clock.yaml:15:53: watches[1].digest.quiet_hours: quiet hours start and end at the same time",
		}},
		{"bad-days.yaml", []string{
			`bad-days.yaml:9:36: watches[0].digest.days[0]: invalid day "Mon" (use mon, tue, wed, thu, fri, sat, sun)`,
			`bad-days.yaml:9:41: watches[0].digest.days[1]: invalid day "funday" (use mon, tue, wed, thu, fri, sat, sun)`,
			`bad-days.yaml:9:54: watches[0].digest.days[3]: day "tue" is listed twice`,
		}},
		{"bad-schedule.yaml", []string{
			"bad-schedule.yaml:8:21: watches[0].digest.every: every must be at least 1m (30s is shorter; for alerts as they come, use digest: instant)",
			"bad-schedule.yaml:12:31: watches[1].digest.days: days cannot be combined with every longer than 24h",
		}},
		{"bad-negative.yaml", []string{
			"bad-negative.yaml:2:14: poll.max_bytes: must be at least 1",
			"bad-negative.yaml:3:16: poll.concurrency: must be at least 1",
			"bad-negative.yaml:4:13: poll.per_host: must be at least 1",
			"bad-negative.yaml:8:15: feeds[0].backfill: must not be negative",
			"bad-negative.yaml:16:37: watches[0].digest.max_items: must not be negative",
		}},
		{"bad-keyword.yaml", []string{
			"bad-keyword.yaml:7:16: watches[0].keywords[0]: keyword is empty",
			"bad-keyword.yaml:7:20: watches[0].keywords[1]: keyword is empty",
			"bad-keyword.yaml:8:15: watches[0].exclude[0]: exclude keyword is empty",
			"bad-keyword.yaml:11:15: watches[1].keywords: list is empty; add at least one",
			"bad-keyword.yaml:12:15: watches[1].channels: list is empty; add at least one",
			"bad-keyword.yaml:14:14: watches[2].keywords: list is empty; add at least one",
			"bad-keyword.yaml:16:14: watches[2].urgent[0]: urgent keyword is empty",
		}},
		{"bad-query.yaml", []string{
			"bad-query.yaml:8:10: watches[0].keywords[0]: " + queryMsg(t, `"AI 국가안보각서`),
			"bad-query.yaml:9:13: watches[0].keywords[1]: " + queryMsg(t, "AI OR"),
			"bad-query.yaml:10:13: watches[0].keywords[2]: " + queryMsg(t, "트럼프 (관세"),
			"bad-query.yaml:11:9: watches[0].keywords[3]: " + queryMsg(t, "block )\n"),
			"bad-query.yaml:13:15: watches[0].exclude[0]: " + queryMsg(t, "-"),
			"bad-query.yaml:17:16: watches[1].keywords[0]: " + queryMsg(t, "it's (x"),
			"bad-query.yaml:18:18: watches[1].keywords[1]: " + queryMsg(t, "AI (x"),
		}},
		{"bad-env.yaml", []string{
			"bad-env.yaml:5:20: channels.team.slack.webhook_url: environment variable SLACK_WEBHOOK_URL is not set",
			"bad-env.yaml:8:20: channels.other.discord.webhook_url: unterminated ${ (write $$ for a literal $)",
			`bad-env.yaml:11:20: channels.third.discord.webhook_url: invalid variable name "1BAD" in ${...}`,
		}},
		{"bad-misc.yaml", []string{
			`bad-misc.yaml:9:12: watches[0].color: color must be "#RRGGBB", like "#1f8b4c"`,
			`bad-misc.yaml:10:13: watches[0].digest: digest must be "instant" or a schedule like {every: 30m} or {at: ["09:00"]}`,
			"bad-misc.yaml:11:9: watches[1]: a << merge needs a mapping or a list of mappings, found a whole number",
			"bad-misc.yaml:16:5: synonyms[0]: a synonym group needs at least two words",
			"bad-misc.yaml:17:10: synonyms[1][1]: synonym is empty",
			`bad-misc.yaml:17:14: synonyms[1][2]: synonym "---" has no letters, digits or symbols to match`,
			`bad-misc.yaml:19:11: server.listen: invalid listen address "8080" (write host:port, like :8080)`,
			"bad-misc.yaml:21:11: admins.slack[0]: ID is empty",
			"bad-misc.yaml:22:13: admins.discord[0]: a Discord ID is a number, like 123456789012345678",
			"bad-misc.yaml:24:19: discord.application_id: unsupported tag !env",
		}},
		{"bad-required.yaml", []string{
			`bad-required.yaml:1:1: missing "channels"`,
			`bad-required.yaml:3:5: feeds[0]: missing "name"`,
			`bad-required.yaml:5:5: watches[0]: missing "keywords"`,
			`bad-required.yaml:5:5: watches[0]: missing "channels"`,
		}},
		// Every class at once: all are reported, in file order.
		{"bad-many.yaml", []string{
			`bad-many.yaml:1:11: timezone: unknown time zone "Mars/Olympus" (use an IANA name such as Asia/Seoul or UTC)`,
			`bad-many.yaml:3:13: poll.interval: invalid duration "soon" (write it like 90s, 5m, 1h30m or 1d)`,
			"bad-many.yaml:7:15: feeds[0].backfill: must not be negative",
			`bad-many.yaml:8:11: feeds[1].name: duplicate feed name "yna-it" (first at line 5)`,
			"bad-many.yaml:13:5: channels.terminal.discord: channel has both console and discord; keep one (use another channel for the other)",
			"bad-many.yaml:13:28: channels.terminal.discord.webhook_url: environment variable DISCORD_WEBHOOK_URL is not set",
			"bad-many.yaml:16:22: watches[0].keywords[1]: keyword is empty",
			"bad-many.yaml:16:27: watches[0].keywords[2]: " + queryMsg(t, `"AI 국가안보각서`),
			`bad-many.yaml:17:21: watches[0].feeds[1]: unknown feed "gnews"`,
			`bad-many.yaml:18:26: watches[0].channels[1]: unknown channel "slack"`,
			`bad-many.yaml:19:19: watches[0].digest.at[0]: invalid time "25:00" (write HH:MM, from 00:00 to 23:59)`,
			`bad-many.yaml:19:36: watches[0].digest.days[0]: invalid day "someday" (use mon, tue, wed, thu, fri, sat, sun)`,
			"bad-many.yaml:20:5: watches[0].extra: unknown key (known keys: name, keywords, exclude, feeds, channels, digest, urgent, color, surge, report)",
		}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			c, err := Parse(tt.file, readFixture(t, tt.file), nil)
			if c != nil {
				t.Errorf("Parse returned a config along with the error")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse error = %v (%T), want Errors", err, err)
			}
			got := strings.Split(errs.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	files, _ := filepath.Glob("testdata/bad-*.yaml")
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no expected errors in this table", f)
		}
	}
}

// TestErrorPathsFindTheirNode checks that the path of an error about a
// value leads nodeAt to the node at the error's position, the contract an
// editor relies on.
func TestErrorPathsFindTheirNode(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"bad-many.yaml", "bad-reference.yaml", "bad-clock.yaml", "bad-url.yaml"} {
		data := readFixture(t, file)
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			t.Fatal(err)
		}
		_, err := Parse(file, data, nil)
		var errs Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("%s: Parse error = %v, want Errors", file, err)
		}
		for _, e := range errs {
			if strings.Contains(e.Msg, "unknown key") || strings.Contains(e.Msg, "channel has both") || strings.HasPrefix(e.Msg, "invalid query") {
				continue // positioned at the key, or inside the value
			}
			n := nodeAt(&root, e.Path)
			if n == nil || n.Line != e.Line || n.Column != e.Col {
				t.Errorf("%s: nodeAt(%q) = %v, want the node at %d:%d", file, e.Path, n, e.Line, e.Col)
			}
		}
	}
}

func TestNodeAt(t *testing.T) {
	t.Parallel()
	data := readFixture(t, "good-full.yaml")
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path      string
		line, col int
	}{
		{"timezone", 1, 11},
		{"poll.max_bytes", 2, 47},
		{"feeds[1].google_news", 11, 18},
		{`channels["디스코드"].discord.webhook_url`, 20, 28},
		{"channels.디스코드", 20, 5},
		{"watches[1].digest.at[1]", 36, 21},
		{"synonyms[0][1]", 45, 10},
		{"watches[9]", 0, 0},
		{"watches[1].nope", 0, 0},
		{"watches[x]", 0, 0},
		{`channels["unterminated]`, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			n := nodeAt(&root, tt.path)
			switch {
			case tt.line == 0 && n != nil:
				t.Errorf("nodeAt = %d:%d, want nil", n.Line, n.Column)
			case tt.line != 0 && (n == nil || n.Line != tt.line || n.Column != tt.col):
				t.Errorf("nodeAt = %v, want %d:%d", n, tt.line, tt.col)
			}
		})
	}
}

func TestParseDefaults(t *testing.T) {
	t.Parallel()
	data := readFixture(t, "good-minimal.yaml")
	c, err := Parse("good-minimal.yaml", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Timezone != "UTC" || c.Location != time.UTC {
		t.Errorf("timezone = %q, %v; want UTC", c.Timezone, c.Location)
	}
	wantPoll := Poll{Interval: Duration(5 * time.Minute), Timeout: Duration(20 * time.Second), MaxBytes: 10 << 20, Concurrency: 8, PerHost: 2}
	if c.Poll != wantPoll {
		t.Errorf("poll = %+v, want %+v", c.Poll, wantPoll)
	}
	if c.StoryWindow.D() != 24*time.Hour {
		t.Errorf("story_window = %v, want 24h", c.StoryWindow.D())
	}
	wantFeeds := []Feed{
		{Name: "yna-it", URL: "https://www.yna.co.kr/rss/industry.xml", Interval: wantPoll.Interval, Timeout: wantPoll.Timeout},
		{Name: "gnews-ai-memo", GoogleNews: "AI 국가안보각서", Interval: wantPoll.Interval, Timeout: wantPoll.Timeout,
			URL: "https://news.google.com/rss/search?q=AI+%EA%B5%AD%EA%B0%80%EC%95%88%EB%B3%B4%EA%B0%81%EC%84%9C&hl=ko&gl=KR&ceid=KR:ko"},
	}
	if !reflect.DeepEqual(c.Feeds, wantFeeds) {
		t.Errorf("feeds = %+v\nwant %+v", c.Feeds, wantFeeds)
	}
	if ch, ok := c.ChannelByName("terminal"); !ok || ch.Name != "terminal" || ch.Kind != "console" || value(ch, "format") != "text" {
		t.Errorf("terminal channel = %+v, %v; want a text console named terminal", ch, ok)
	}
	w, ok := c.WatchByName("ai-policy")
	if !ok || len(w.Feeds) != 0 || !w.Digest.Instant() || !reflect.DeepEqual(w.Keywords, []string{"오픈소스", "트럼프", `"AI 국가안보각서"`}) {
		t.Errorf("watch = %+v, %v", w, ok)
	}
	if sum := sha256.Sum256(data); !bytes.Equal(c.Source, data) || c.Hash != hex.EncodeToString(sum[:]) {
		t.Errorf("source/hash not set: %d bytes, hash %q", len(c.Source), c.Hash)
	}
	if c.Path != "" || len(c.Warnings) != 0 {
		t.Errorf("path = %q, warnings = %v; want none", c.Path, c.Warnings)
	}
	if _, ok := c.FeedByName("nope"); ok {
		t.Error("FeedByName found a feed that does not exist")
	}
}

func TestParseFull(t *testing.T) {
	t.Parallel()
	c, err := Parse("good-full.yaml", readFixture(t, "good-full.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Timezone != "Asia/Seoul" || c.Location.String() != "Asia/Seoul" {
		t.Errorf("timezone = %q, %v", c.Timezone, c.Location)
	}
	wantPoll := Poll{Interval: Duration(2 * time.Minute), Timeout: Duration(15 * time.Second), MaxBytes: 1 << 20, Concurrency: 4, PerHost: 1}
	if c.Poll != wantPoll || c.StoryWindow.D() != 36*time.Hour {
		t.Errorf("poll = %+v, story_window = %v", c.Poll, c.StoryWindow.D())
	}
	if f, _ := c.FeedByName("yna-it"); f.Interval.D() != 10*time.Minute || f.Timeout.D() != 30*time.Second || f.Backfill != 5 {
		t.Errorf("yna-it = %+v", f)
	}
	if f, _ := c.FeedByName("gnews"); f.URL != googleNewsURL(`"AI 국가안보각서" 트럼프`) || f.Interval != wantPoll.Interval {
		t.Errorf("gnews = %+v", f)
	}
	if got, want := c.ChannelOrder, []string{"json-out", "team", "desk", "디스코드", "bot"}; !reflect.DeepEqual(got, want) {
		t.Errorf("channel order = %v, want %v", got, want)
	}
	wantChans := map[string]map[string]string{
		"json-out": {"": "console", "format": "json"},
		"team":     {"": "slack", "webhook_url": "https://hooks.slack.com/services/T0/B0/XYZ"},
		"desk":     {"": "slack", "channel": "#news-desk", "api_url": "http://127.0.0.1:9000/api/"},
		"디스코드":     {"": "discord", "webhook_url": "https://discord.com/api/webhooks/1/abc"},
		"bot":      {"": "discord", "channel_id": "123456789012345678", "api_url": "http://127.0.0.1:9001/"},
	}
	gotChans := map[string]map[string]string{}
	for name, ch := range c.Channels {
		if ch.Name != name {
			t.Errorf("channel %q is named %q", name, ch.Name)
		}
		gotChans[name] = blockOf(ch)
	}
	if !reflect.DeepEqual(gotChans, wantChans) {
		t.Errorf("channels = %+v\nwant %+v", gotChans, wantChans)
	}
	wantWatches := []Watch{
		{Name: "ai-policy", Keywords: []string{"오픈소스", "트럼프", `"AI 국가안보각서"`}, Exclude: []string{"주가"},
			Feeds: []string{"yna-it"}, Channels: []string{"json-out", "team"}, Urgent: []string{"트럼프"}, Color: "#1f8b4c"},
		{Name: "chips", Keywords: []string{"반도체", "HBM"}, Channels: []string{"desk", "디스코드", "bot"},
			Digest: Digest{At: []string{"09:00", "18:30"}, Days: []string{"mon", "tue", "wed", "thu", "fri"}, QuietHours: "22:00-07:00", MaxItems: 20}},
		{Name: "ai", Keywords: []string{"AI"}, Channels: []string{"team"}, Digest: Digest{Every: Duration(30 * time.Minute)}},
	}
	if !reflect.DeepEqual(c.Watches, wantWatches) {
		t.Errorf("watches = %+v\nwant %+v", c.Watches, wantWatches)
	}
	want := struct {
		syn    [][]string
		server Server
		admins Admins
		sec    Security
		store  Store
		app    string
	}{
		[][]string{{"AI", "인공지능"}}, Server{Listen: ":8080", StopGrace: Duration(DefaultStopGrace)}, Admins{"slack": {"U012AB3CD"}, "discord": {"112233445566778899"}},
		Security{true}, Store{"postgres://postgres@127.0.0.1:5432/test"}, "{998877665544332211 111}",
	}
	// The discord: block is decoded by its platform's package, which this
	// package cannot name: it is compared in its printed form.
	app := fmt.Sprint(c.Apps["discord"])
	if !reflect.DeepEqual(c.Synonyms, want.syn) || c.Server != want.server || !reflect.DeepEqual(c.Admins, want.admins) ||
		c.Security != want.sec || c.Store != want.store || app != want.app {
		t.Errorf("got %v %v %v %v %v %v", c.Synonyms, c.Server, c.Admins, c.Security, c.Store, app)
	}
}

func TestParseAnchors(t *testing.T) {
	t.Parallel()
	c, err := Parse("good-anchors.yaml", readFixture(t, "good-anchors.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	morning := Digest{At: []string{"09:00"}}
	want := []Watch{
		{Name: "one", Keywords: []string{"x"}, Channels: []string{"terminal"}, Digest: morning},
		{Name: "two", Keywords: []string{"y"}, Channels: []string{"terminal"}},
		{Name: "three", Keywords: []string{"x"}, Channels: []string{"terminal"}, Digest: morning},
		{Name: "four", Keywords: []string{"z"}, Channels: []string{"terminal"}, Digest: morning},
	}
	if !reflect.DeepEqual(c.Watches, want) {
		t.Errorf("watches = %+v\nwant %+v", c.Watches, want)
	}
}

func TestParseEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"FEED_BASE":         "https://example.com/news",
		"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T1/B1/SECRET",
		"DB_PASSWORD":       "p@ss",
	}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c, err := Parse("good-env.yaml", readFixture(t, "good-env.yaml"), getenv)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Feeds[0].URL; got != "https://example.com/news/rss.xml" {
		t.Errorf("feed url = %q", got)
	}
	if got := value(c.Channels["team"], "webhook_url"); got != env["SLACK_WEBHOOK_URL"] {
		t.Errorf("webhook = %q", got)
	}
	if got := c.Watches[0].Keywords; !reflect.DeepEqual(got, []string{`"US$100"`, `"$5"`}) {
		t.Errorf("keywords = %q, want $$ read as $ and a lone $ kept", got)
	}
	if got := c.Store.Postgres; got != "postgres://app:p@ss@db:5432/news" {
		t.Errorf("postgres = %q", got)
	}
	if bytes.Contains(c.Source, []byte("SECRET")) || strings.Contains(c.Summary(), "SECRET") {
		t.Error("the expanded secret leaked into Source or Summary")
	}

	// An unset variable is reported by name, every time it is used; the
	// message never holds another variable's value.
	delete(env, "SLACK_WEBHOOK_URL")
	delete(env, "FEED_BASE")
	_, err = Parse("good-env.yaml", readFixture(t, "good-env.yaml"), getenv)
	want := "good-env.yaml:3:10: feeds[0].url: environment variable FEED_BASE is not set\n" +
		"good-env.yaml:7:20: channels.team.slack.webhook_url: environment variable SLACK_WEBHOOK_URL is not set"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func TestExpandEnv(t *testing.T) {
	t.Parallel()
	getenv := func(k string) (string, bool) {
		return map[string]string{"A": "x", "EMPTY": ""}[k], k == "A" || k == "EMPTY"
	}
	tests := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${A}-${A}", "x-x", ""},
		{"[${EMPTY}]", "[]", ""},
		{"$$", "$", ""},
		{"$${A}", "${A}", ""},
		{"cost $5 $", "cost $5 $", ""},
		{"${B}", "", "environment variable B is not set"},
		{"${B}${A}${C}", "", "environment variables B, C are not set"},
		{"${A", "", "unterminated ${ (write $$ for a literal $)"},
		{"${}", "", `invalid variable name "" in ${...}`},
		{"${A-B}", "", `invalid variable name "A-B" in ${...}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := expandEnv(tt.in, getenv)
			if (err != nil || tt.err != "") && (err == nil || err.Error() != tt.err) {
				t.Fatalf("error = %v, want %q", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90s", 90 * time.Second, true},
		{"1h30m", 90 * time.Minute, true},
		{"1d", 24 * time.Hour, true},
		{"2d12h", 60 * time.Hour, true},
		{"1.5h", 90 * time.Minute, true},
		{"-5m", -5 * time.Minute, true}, // parsed; rejected as not positive by the decoder
		{"", 0, false},
		{"d", 0, false},
		{"1d-5m", 0, false},
		{"+5m", 0, false},
		{"5", 0, false},
		{"1w", 0, false},
		{"99999d", 0, false},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	c, err := Parse("good-warnings.yaml", readFixture(t, "good-warnings.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := Errors(c.Warnings).Error()
	want := "good-warnings.yaml:2:13: poll.interval: interval 30s is under 1m; many sites block readers that poll this often\n" +
		"good-warnings.yaml:6:15: feeds[0].interval: interval 10s is under 1m; many sites block readers that poll this often"
	if got != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
	}
	if f, _ := c.FeedByName("normal"); f.Interval.D() != 30*time.Second {
		t.Errorf("normal feed interval = %v, want the poll's 30s", f.Interval.D())
	}
}

func TestParseEmptyAndInvalidRoots(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{"", `w.yaml:1:1: missing "feeds"` + "\n" + `w.yaml:1:1: missing "channels"` + "\n" + `w.yaml:1:1: missing "watches"`},
		{"# only a comment\n", `w.yaml:1:1: missing "feeds"` + "\n" + `w.yaml:1:1: missing "channels"` + "\n" + `w.yaml:1:1: missing "watches"`},
		{"- a\n- b\n", "w.yaml:1:1: expected a mapping (key: value), found a list"},
		{"key: value: other\n", "w.yaml:1:6: invalid YAML: mapping value is not allowed in this context"},
		{"a:\n\tb: 1\n", "w.yaml:2:1: invalid YAML: found character '\t' that cannot start any token"},
		{"a: *nope\n", "w.yaml:1:1: invalid YAML: unknown anchor 'nope' referenced"},
		{"feeds: []\nchannels: {}\nwatches: []\npoll: {max_bytes: 9999999999999999999}\n", "w.yaml:4:19: poll.max_bytes: number is too large"},
		{"feeds: &x [*x]\nchannels: {}\nwatches: [&w {<<: *w, name: a}]\n", "w.yaml:1:12: feeds[0]: expected a mapping (key: value), found a list\n" +
			`w.yaml:3:11: watches[0]: missing "keywords"` + "\n" + `w.yaml:3:11: watches[0]: missing "channels"`},
		{"feeds: []\nchannels: {}\nwatches: []\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(tt.src), nil)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestUnquotedIDs checks that Discord IDs written as bare numbers keep
// every digit (the schema asks for quotes; the loader forgives them).
func TestUnquotedIDs(t *testing.T) {
	t.Parallel()
	src := "feeds: []\nchannels: {d: {discord: {channel_id: 123456789012345678901}}}\nwatches: []\ndiscord: {guild_id: 987654321098765432}\n"
	c, err := Parse("w.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if value(c.Channels["d"], "channel_id") != "123456789012345678901" || !strings.Contains(fmt.Sprint(c.Apps["discord"]), " 987654321098765432}") {
		t.Errorf("ids = %q, %v", value(c.Channels["d"], "channel_id"), c.Apps["discord"])
	}
}

func TestExampleLoads(t *testing.T) {
	for _, k := range []string{"SLACK_WEBHOOK_URL", "DISCORD_WEBHOOK_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	data, err := os.ReadFile("watchlist.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Validate("watchlist.example.yaml", data, Env{Lookup: os.LookupEnv})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %v", Errors(c.Warnings))
	}
	first, _, _ := bytes.Cut(c.Source, []byte("\n"))
	if string(first) != "# yaml-language-server: $schema=./watchlist.schema.json" {
		t.Errorf("first line = %q", first)
	}
	w, ok := c.WatchByName("ai-policy")
	if !ok || !w.Digest.Instant() || !reflect.DeepEqual(w.Keywords, []string{"오픈소스", "트럼프", `"AI 국가안보각서"`}) {
		t.Errorf("ai-policy = %+v", w)
	}
	if ch, ok := c.ChannelByName("terminal"); !ok || ch.Type() != "console" {
		t.Errorf("terminal = %+v", ch)
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	c, err := Parse("good-full.yaml", readFixture(t, "good-full.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "2 feeds (yna-it, gnews), 3 watches (ai-policy: 3 keywords, chips: 2 keywords, ai: 1 keyword), " +
		"5 channels (json-out:console, team:slack, desk:slack, 디스코드:discord, bot:discord); timezone Asia/Seoul."
	if got := c.Summary(); got != want {
		t.Errorf("Summary:\n%s\nwant:\n%s", got, want)
	}
	many := &Config{Timezone: "UTC"}
	for _, n := range strings.Fields("a b c d e f g h i j k l") {
		many.Feeds = append(many.Feeds, Feed{Name: n})
	}
	want = "12 feeds (a, b, c, d, e, f, g, h, i, j and 2 more), 0 watches, 0 channels; timezone UTC."
	if got := many.Summary(); got != want {
		t.Errorf("Summary:\n%s\nwant:\n%s", got, want)
	}
}

// schemaInstance reads a YAML file as the JSON value the schema describes.
func schemaInstance(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestSchemaValidation(t *testing.T) {
	t.Parallel()
	f, err := os.Open("watchlist.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	comp := jsonschema.NewCompiler()
	if err := comp.AddResource("watchlist.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := comp.Compile("watchlist.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"watchlist.example.yaml", "testdata/good-minimal.yaml", "testdata/good-full.yaml", "testdata/good-env.yaml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(schemaInstance(t, data)); err != nil {
			t.Errorf("%s does not match the schema: %v", file, err)
		}
	}
	base := "feeds: [{name: a, url: 'https://example.com'}]\nchannels: {t: {console: {}}}\n"
	bad := map[string]string{
		"two platform blocks":    "feeds: []\nchannels: {t: {console: {}, slack: {channel: x}}}\nwatches: []\n",
		"no platform block":      "feeds: []\nchannels: {t: {}}\nwatches: []\n",
		"url and google_news":    "feeds: [{name: a, url: 'https://x', google_news: q}]\nchannels: {}\nwatches: []\n",
		"unknown key":            base + "watches: []\nextra: 1\n",
		"digest word":            base + "watches: [{name: w, keywords: [x], channels: [t], digest: weekly}]\n",
		"digest unknown key":     base + "watches: [{name: w, keywords: [x], channels: [t], digest: {evry: 5m}}]\n",
		"bad duration":           base + "watches: []\nstory_window: soon\n",
		"bad day":                base + "watches: [{name: w, keywords: [x], channels: [t], digest: {days: [Mon]}}]\n",
		"missing keywords":       base + "watches: [{name: w, channels: [t]}]\n",
		"slack hook and channel": "feeds: []\nchannels: {t: {slack: {webhook_url: x, channel: y}}}\nwatches: []\n",
		"negative backfill":      "feeds: [{name: a, url: 'https://x', backfill: -1}]\nchannels: {}\nwatches: []\n",
	}
	for name, src := range bad {
		if err := schema.Validate(schemaInstance(t, []byte(src))); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// FuzzParse checks that no input makes Parse panic, and that every problem
// it reports has a position inside the input.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("watches: [&w {<<: *w}]\nfeeds: &f [*f, *f]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// With every variable set but empty, the environment rules report
		// too, with positions inside the input.
		if _, err := Validate("f.yaml", data, Env{Lookup: func(string) (string, bool) { return "", true }}); err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("Validate error %v (%T) is not a non-empty Errors", err, err)
			}
			lines := bytes.Count(data, []byte("\n")) + 2
			for _, e := range errs {
				if e.Line < 1 || e.Line > lines || e.Col < 1 {
					t.Errorf("Validate: position %d:%d outside the input: %v", e.Line, e.Col, e)
				}
			}
		}
		c, err := Parse("f.yaml", data, func(string) (string, bool) { return "v", true })
		if err == nil {
			if c == nil || c.Location == nil {
				t.Fatal("Parse returned no config and no error")
			}
			return
		}
		var errs Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("error %v (%T) is not a non-empty Errors", err, err)
		}
		lines := bytes.Count(data, []byte("\n")) + 2
		for _, e := range errs {
			if e.Line < 1 || e.Line > lines || e.Col < 1 {
				t.Errorf("position %d:%d outside the input: %v", e.Line, e.Col, e)
			}
		}
	})
}

func BenchmarkParseExample(b *testing.B) {
	data, err := os.ReadFile("watchlist.example.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Parse("watchlist.example.yaml", data, nil); err != nil {
			b.Fatal(err)
		}
	}
}
