package slack

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
)

// Kind is the key of a Slack channel's block.
const Kind = "slack"

func init() {
	config.Register(receiver{})
	notify.RegisterNotifier(Kind, newNotifier)
}

// newNotifier builds a Slack channel's notifier, with the bot token from
// SLACK_BOT_TOKEN.
func newNotifier(name string, s config.Settings, d notify.Deps) (notify.Notifier, error) {
	c, ok := s.(*Config)
	if !ok {
		return nil, fmt.Errorf("slack: channel %s: settings %T are not a slack block", name, s)
	}
	return New(name, *c, Options{Token: d.Secret(EnvBotToken), Logger: d.Logger, Redactor: d.Redactor})
}

// Config is a Slack channel's block: it posts through an incoming
// webhook, or to a channel with the bot token from SLACK_BOT_TOKEN.
type Config struct {
	// WebhookURL is a Slack incoming webhook address; keep it secret and
	// write it as ${SLACK_WEBHOOK_URL}.
	WebhookURL string
	// Channel is the Slack channel ID or #name the bot posts to; it needs
	// SLACK_BOT_TOKEN in the environment.
	Channel string
	// APIURL replaces the Slack API address (for tests); only with channel.
	APIURL string
	// ChatChannel names the Slack channel a webhook posts to, as a channel
	// ID (C0123ABCD) or #name, so that /news typed there finds the watches
	// of this channel; only with webhook_url.
	ChatChannel string
}

//go:embed schema.json
var schema []byte

// receiver is the Slack channel type.
type receiver struct{}

func (receiver) Kind() string { return Kind }

func (receiver) Decode(b *config.Block) config.Settings {
	ok := b.Fields("webhook_url", "channel", "api_url", "chat_channel")
	s := &Config{WebhookURL: b.URL("webhook_url"), APIURL: b.URL("api_url")}
	if b.Has("channel") {
		var ok bool
		if s.Channel, ok = b.Text("channel"); ok && strings.TrimSpace(s.Channel) == "" {
			b.Errorf("channel", "channel is empty")
		}
	}
	if b.Has("chat_channel") {
		switch v, ok := b.Text("chat_channel"); {
		case ok && v == "":
			b.Errorf("chat_channel", "chat_channel is empty")
		case ok && !isChatChannel(v):
			b.Errorf("chat_channel", "chat_channel must be a Slack channel ID, like C0123ABCD, or #name, found %q", v)
		default:
			s.ChatChannel = v
		}
	}
	if ok {
		b.Target("webhook_url", "channel")
	}
	return s
}

// isChatChannel reports whether s names a Slack channel: an ID
// (C0123ABCD; G… for older private channels, D… for direct messages) or
// #name.
func isChatChannel(s string) bool {
	if name, ok := strings.CutPrefix(s, "#"); ok {
		return name != "" && !strings.ContainsFunc(name, func(r rune) bool { return r == '#' || unicode.IsSpace(r) || unicode.IsControl(r) })
	}
	return len(s) > 1 && strings.ContainsRune("CGD", rune(s[0])) &&
		strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == ""
}

//go:embed starter.yaml
var starter []byte

// Starter returns the starter watchlist of a slack channel (newshound init).
func (receiver) Starter() []byte { return starter }

func (receiver) Schema() config.SchemaFragment {
	return config.SchemaFragment{
		Definition:  "SlackChannel",
		Description: "Slack posts alerts to Slack.",
		Schema:      schema,
		Examples:    []string{"{slack: {webhook_url: '${SLACK_WEBHOOK_URL}'}}", "{slack: {channel: '#news-desk'}}"},
	}
}

// BotChannel returns the block that posts as the bot to Slack channel id.
func (receiver) BotChannel(platform, id string) (config.Settings, bool) {
	if platform != Platform || id == "" {
		return nil, false
	}
	return &Config{Channel: id}, true
}

// Needs asks for the bot token when the block posts as the bot.
func (c *Config) Needs() []config.EnvNeed {
	if c.Channel == "" {
		return nil
	}
	return []config.EnvNeed{{Var: EnvBotToken, Key: "channel", Why: "posting as the bot", Hint: "post with webhook_url"}}
}

// Entries are the block's keys, in the order they are written back.
func (c *Config) Entries() []config.Entry {
	return []config.Entry{{Key: "webhook_url", Value: c.WebhookURL}, {Key: "channel", Value: c.Channel}, {Key: "api_url", Value: c.APIURL}, {Key: "chat_channel", Value: c.ChatChannel}}
}

// Binds reports whether the block posts to the Slack channel a command
// came from, as the bot or through a webhook whose chat_channel names it.
func (c *Config) Binds(platform, id, chatName, _ string) bool {
	return platform == Platform && (is(c.Channel, id, chatName) || is(c.ChatChannel, id, chatName))
}

// is reports whether v, a Slack channel ID or #name from the watchlist,
// is the channel (id, chatName) a command came from.
func is(v, id, chatName string) bool {
	if v == "" {
		return false
	}
	if v == id {
		return true
	}
	name := strings.TrimPrefix(chatName, "#")
	return name != "" && strings.EqualFold(strings.TrimPrefix(v, "#"), name)
}

// Secrets is the webhook URL, whose path is the secret.
func (c *Config) Secrets() []string { return []string{c.WebhookURL} }
