package config

import (
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// chatChannelSchema compiles the committed schema.
func chatChannelSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
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
	s, err := comp.Compile("watchlist.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// chat_channel names the chat channel a webhook posts to; it is read as
// written (its refusals, with their positions, are in TestParseBadFiles:
// bad-chat-channel.yaml), and the schema agrees with the loader on it.
func TestChatChannel(t *testing.T) {
	t.Parallel()
	good := "feeds: []\nchannels:\n" +
		"  by-id: {slack: {webhook_url: 'https://hooks.slack.com/services/T/B/X', chat_channel: C0123ABCD}}\n" +
		"  by-name: {slack: {webhook_url: 'https://hooks.slack.com/services/T/B/Y', chat_channel: '#뉴스-desk'}}\n" +
		"  from-env: {slack: {webhook_url: 'https://hooks.slack.com/services/T/B/Z', chat_channel: '${DESK}'}}\n" +
		"  disc: {discord: {webhook_url: 'https://discord.com/api/webhooks/1/abc', chat_channel: '123456789012345678'}}\n" +
		"  plain: {slack: {webhook_url: 'https://hooks.slack.com/services/T/B/W'}}\n" +
		"watches: []\n"
	t.Run("good", func(t *testing.T) {
		c, err := Parse("w.yaml", []byte(good), func(k string) (string, bool) { return "G0DESK", k == "DESK" })
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{"by-id": "C0123ABCD", "by-name": "#뉴스-desk", "from-env": "G0DESK", "plain": ""} {
			if got := value(c.Channels[name], "chat_channel"); got != want {
				t.Errorf("%s chat_channel = %q, want %q", name, got, want)
			}
		}
		if got := value(c.Channels["disc"], "chat_channel"); got != "123456789012345678" {
			t.Errorf("discord chat_channel = %q", got)
		}
	})
	t.Run("schema", func(t *testing.T) {
		schema := chatChannelSchema(t)
		noEnv := strings.Replace(good, "'${DESK}'", "G0DESK", 1)
		if err := schema.Validate(schemaInstance(t, []byte(noEnv))); err != nil {
			t.Errorf("the schema refuses chat_channel: %v", err)
		}
		for _, bad := range []string{
			"feeds: []\nchannels: {s: {slack: {webhook_url: 'https://hooks.slack.com/services/T/B/X', chat_channel: general}}}\nwatches: []\n",
			"feeds: []\nchannels: {s: {slack: {webhook_url: 'https://hooks.slack.com/services/T/B/X', chat_channel: ''}}}\nwatches: []\n",
			"feeds: []\nchannels: {d: {discord: {webhook_url: 'https://discord.com/api/webhooks/1/abc', chat_channel: '#general'}}}\nwatches: []\n",
		} {
			if err := schema.Validate(schemaInstance(t, []byte(bad))); err == nil {
				t.Errorf("the schema accepts %q", bad)
			}
			if _, err := Parse("w.yaml", []byte(bad), nil); err == nil {
				t.Errorf("the loader accepts %q", bad)
			}
		}
	})
}
