package discord

import (
	_ "embed"
	"fmt"
	"time"

	"github.com/newshound/newshound/bot/notify"

	"github.com/newshound/newshound/config"
)

// Kind is the key of a Discord channel's block.
const Kind = "discord"

func init() {
	config.Register(receiver{})
	notify.RegisterNotifier(Kind, newNotifier)
}

// globalKey keeps Discord's per-bot global limit in notify.Deps.Shared:
// one pacer for every Discord channel, across reloads.
const globalKey = "discord.global"

// newNotifier builds a Discord channel's notifier, with the bot token
// from DISCORD_BOT_TOKEN, the watches' colours and the shared global
// limit of 50 requests per second.
func newNotifier(name string, s config.Settings, d notify.Deps) (notify.Notifier, error) {
	c, ok := s.(*Config)
	if !ok {
		return nil, fmt.Errorf("discord: channel %s: settings %T are not a discord block", name, s)
	}
	o := Options{Token: d.Secret(EnvBotToken), Logger: d.Logger, Redactor: d.Redactor}
	if d.Config != nil {
		o.Colors = WatchColors(d.Config.Watches)
	}
	if d.Shared != nil {
		o.Global, _ = d.Shared(globalKey, func() any { return notify.NewPacer(50, time.Second) }).(*notify.Pacer)
	}
	return New(name, *c, o)
}

// Config is a Discord channel's block: it posts through a webhook, or to
// a channel with the bot token from DISCORD_BOT_TOKEN.
type Config struct {
	// WebhookURL is a Discord webhook address; keep it secret and write it
	// as ${DISCORD_WEBHOOK_URL}.
	WebhookURL string
	// ChannelID is the number of the Discord channel the bot posts to; it
	// needs DISCORD_BOT_TOKEN in the environment.
	ChannelID string
	// APIURL replaces the Discord API address (for tests); only with
	// channel_id.
	APIURL string
	// ChatChannel is the number of the Discord channel a webhook posts
	// to, so that /news typed there finds the watches of this channel;
	// only with webhook_url.
	ChatChannel string
}

//go:embed schema.json
var schema []byte

// receiver is the Discord channel type.
type receiver struct{}

func (receiver) Kind() string { return Kind }

func (receiver) Decode(b *config.Block) config.Settings {
	ok := b.Fields("webhook_url", "channel_id", "api_url", "chat_channel")
	c := &Config{
		WebhookURL:  b.URL("webhook_url"),
		ChannelID:   id(b, "channel_id"),
		APIURL:      b.URL("api_url"),
		ChatChannel: id(b, "chat_channel"),
	}
	if ok {
		b.Target("webhook_url", "channel_id")
	}
	return c
}

//go:embed starter.yaml
var starter []byte

// Starter returns the starter watchlist of a discord channel (newshound init).
func (receiver) Starter() []byte { return starter }

func (receiver) Schema() config.SchemaFragment {
	return config.SchemaFragment{
		Definition:  "DiscordChannel",
		Description: "Discord posts alerts to Discord.",
		Schema:      schema,
		Examples:    []string{"{discord: {webhook_url: '${DISCORD_WEBHOOK_URL}'}}", "{discord: {channel_id: '123456789012345678'}}"},
	}
}

// BotChannel returns the block that posts as the bot to Discord channel
// id.
func (receiver) BotChannel(platform, id string) (config.Settings, bool) {
	if platform != Platform || id == "" {
		return nil, false
	}
	return &Config{ChannelID: id}, true
}

// Needs asks for the bot token when the block posts as the bot.
func (c *Config) Needs() []config.EnvNeed {
	if c.ChannelID == "" {
		return nil
	}
	return []config.EnvNeed{{Var: EnvBotToken, Key: "channel_id", Why: "posting as the bot", Hint: "post with webhook_url"}}
}

// Entries are the block's keys, in the order they are written back.
func (c *Config) Entries() []config.Entry {
	return []config.Entry{{Key: "webhook_url", Value: c.WebhookURL}, {Key: "channel_id", Value: c.ChannelID}, {Key: "api_url", Value: c.APIURL}, {Key: "chat_channel", Value: c.ChatChannel}}
}

// Binds reports whether the block posts to the Discord channel a command
// came from, as the bot or through a webhook whose chat_channel names it.
func (c *Config) Binds(platform, id, _, _ string) bool {
	return platform == Platform && id != "" && (c.ChannelID == id || c.ChatChannel == id)
}

// Secrets is the webhook URL, whose path is the secret.
func (c *Config) Secrets() []string { return []string{c.WebhookURL} }
