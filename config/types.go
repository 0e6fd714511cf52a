package config

import (
	"time"
)

// Config is a validated watchlist. Every field has its default applied.
type Config struct {
	// Path is the file the config was loaded from ("" when parsed from memory).
	Path string `yaml:"-" json:"-"`
	// Source is the exact bytes it was parsed from, and Hash their SHA-256
	// (hex), used for compare-and-swap edits.
	Source []byte `yaml:"-" json:"-"`
	Hash   string `yaml:"-" json:"-"`

	Timezone string         `yaml:"timezone" json:"timezone,omitempty" jsonschema:"description=IANA timezone for digests and times (default UTC)"`
	Location *time.Location `yaml:"-" json:"-"`

	Poll     Poll               `yaml:"poll" json:"poll,omitempty"`
	Feeds    []Feed             `yaml:"feeds" json:"feeds"`
	Channels map[string]Channel `yaml:"channels" json:"channels"`
	// ChannelOrder lists channel names in file order.
	ChannelOrder []string   `yaml:"-" json:"-"`
	Watches      []Watch    `yaml:"watches" json:"watches"`
	Synonyms     [][]string `yaml:"synonyms" json:"synonyms,omitempty"`
	// StoryWindow is how long a delivered story holds back its copies from
	// other outlets (default 24h).
	StoryWindow Duration `yaml:"story_window" json:"story_window,omitempty"`

	Server   Server     `yaml:"server" json:"server,omitempty"`
	Admins   Admins     `yaml:"admins" json:"admins,omitempty"`
	Security Security   `yaml:"security" json:"security,omitempty"`
	Store    Store      `yaml:"store" json:"store,omitempty"`
	Discord  DiscordApp `yaml:"discord" json:"discord,omitempty"`
}

// Poll holds the polling defaults for every feed.
type Poll struct {
	Interval Duration `yaml:"interval" json:"interval,omitempty"` // default 5m
	Timeout  Duration `yaml:"timeout" json:"timeout,omitempty"`   // default 20s
	// MaxBytes caps a feed body (default 10 MiB).
	MaxBytes int64 `yaml:"max_bytes" json:"max_bytes,omitempty"`
	// Concurrency bounds fetches in flight overall (default 8) and per
	// host (default 2).
	Concurrency int `yaml:"concurrency" json:"concurrency,omitempty"`
	PerHost     int `yaml:"per_host" json:"per_host,omitempty"`
}

// Feed is one feed to poll. Exactly one of URL and GoogleNews is set in
// the file; after loading URL is always set.
type Feed struct {
	Name       string   `yaml:"name" json:"name"`
	URL        string   `yaml:"url" json:"url,omitempty"`
	GoogleNews string   `yaml:"google_news" json:"google_news,omitempty"`
	Interval   Duration `yaml:"interval" json:"interval,omitempty"` // default Poll.Interval
	Timeout    Duration `yaml:"timeout" json:"timeout,omitempty"`   // default Poll.Timeout
	Backfill   int      `yaml:"backfill" json:"backfill,omitempty"`
	// Untrusted is set for feeds added from chat (never from the file).
	Untrusted bool `yaml:"-" json:"-"`
}

// Channel is a named destination with exactly one platform block.
type Channel struct {
	Name    string          `yaml:"-" json:"-"`
	Console *ConsoleChannel `yaml:"console" json:"console,omitempty"`
	Slack   *SlackChannel   `yaml:"slack" json:"slack,omitempty"`
	Discord *DiscordChannel `yaml:"discord" json:"discord,omitempty"`
}

// Type names the platform of the channel ("console", "slack", "discord").
func (c Channel) Type() string {
	switch {
	case c.Console != nil:
		return "console"
	case c.Slack != nil:
		return "slack"
	case c.Discord != nil:
		return "discord"
	}
	return ""
}

// ConsoleChannel prints alerts to standard output.
type ConsoleChannel struct {
	// Format is "text" (default) or "json" (one object per line).
	Format string `yaml:"format" json:"format,omitempty"`
}

// SlackChannel posts to Slack through an incoming webhook, or to a channel
// with the bot token from SLACK_BOT_TOKEN.
type SlackChannel struct {
	WebhookURL string `yaml:"webhook_url" json:"webhook_url,omitempty"`
	Channel    string `yaml:"channel" json:"channel,omitempty"` // ID or #name
	APIURL     string `yaml:"api_url" json:"api_url,omitempty"`
}

// DiscordChannel posts to Discord through a webhook, or to a channel with
// the bot token from DISCORD_BOT_TOKEN.
type DiscordChannel struct {
	WebhookURL string `yaml:"webhook_url" json:"webhook_url,omitempty"`
	ChannelID  string `yaml:"channel_id" json:"channel_id,omitempty"`
	APIURL     string `yaml:"api_url" json:"api_url,omitempty"`
}

// Watch is a set of keyword queries and where their matches go.
type Watch struct {
	Name     string   `yaml:"name" json:"name"`
	Keywords []string `yaml:"keywords" json:"keywords"`
	Exclude  []string `yaml:"exclude" json:"exclude,omitempty"`
	Feeds    []string `yaml:"feeds" json:"feeds,omitempty"`
	Channels []string `yaml:"channels" json:"channels"`
	Digest   Digest   `yaml:"digest" json:"digest,omitempty"`
	// Urgent queries bypass the digest schedule and quiet hours.
	Urgent []string `yaml:"urgent" json:"urgent,omitempty"`
	// Color is the Discord embed colour, "#RRGGBB" (default derived from the name).
	Color string `yaml:"color" json:"color,omitempty"`
}

// Digest is a watch's delivery schedule. In the file it is either the
// string "instant" or a mapping; a mapping with neither Every nor At is
// instant delivery with the other settings (quiet hours, say).
type Digest struct {
	Every      Duration `yaml:"every" json:"every,omitempty"`
	At         []string `yaml:"at" json:"at,omitempty"`                   // "HH:MM" in the watchlist timezone
	Days       []string `yaml:"days" json:"days,omitempty"`               // mon..sun; empty: every day
	QuietHours string   `yaml:"quiet_hours" json:"quiet_hours,omitempty"` // "22:00-07:00"
	MaxItems   int      `yaml:"max_items" json:"max_items,omitempty"`
}

// Instant reports whether matches are sent as soon as they are found.
func (d Digest) Instant() bool { return d.Every == 0 && len(d.At) == 0 }

// Server is the bot's HTTP listener (slash commands, interactions, metrics).
type Server struct {
	Listen string `yaml:"listen" json:"listen,omitempty"`
}

// Admins may use the editing commands; when a list is empty everyone may.
type Admins struct {
	Slack   []string `yaml:"slack" json:"slack,omitempty"`
	Discord []string `yaml:"discord" json:"discord,omitempty"` // user or role IDs
}

// Security holds safety switches.
type Security struct {
	// AllowPrivateFeeds lets feeds added from chat reach private addresses.
	AllowPrivateFeeds bool `yaml:"allow_private_feeds" json:"allow_private_feeds,omitempty"`
}

// Store selects the state backend: SQLite at --state by default, or
// PostgreSQL when Postgres (a DSN) is set.
type Store struct {
	Postgres string `yaml:"postgres" json:"postgres,omitempty"`
}

// DiscordApp identifies the Discord application for the /news command.
type DiscordApp struct {
	ApplicationID string `yaml:"application_id" json:"application_id,omitempty"`
	GuildID       string `yaml:"guild_id" json:"guild_id,omitempty"`
}

// Duration is a time.Duration written as "90s", "5m", "1h30m" (also "1d").
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
