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

	// Poll holds the polling settings every feed starts from.
	Poll Poll `yaml:"poll" json:"poll,omitempty"`
	// Feeds are the news feeds to read, each with a unique name.
	Feeds []Feed `yaml:"feeds" json:"feeds"`
	// Channels are the places alerts go, by name; each has exactly one
	// block, keyed by its channel type.
	Channels map[string]Channel `yaml:"channels" json:"channels"`
	// ChannelOrder lists channel names in file order.
	ChannelOrder []string `yaml:"-" json:"-"`
	// Watches are the keyword searches and where their matches go.
	Watches []Watch `yaml:"watches" json:"watches"`
	// Synonyms are groups of words that match each other in keywords,
	// such as [AI, 인공지능].
	Synonyms [][]string `yaml:"synonyms" json:"synonyms,omitempty"`
	// StoryWindow is how long a delivered story holds back its copies from
	// other outlets (default 24h).
	StoryWindow Duration `yaml:"story_window" json:"story_window,omitempty"`

	// Server is the bot's web listener for chat commands and metrics.
	Server Server `yaml:"server" json:"server,omitempty"`
	// Admins may change the watchlist from chat.
	Admins Admins `yaml:"admins" json:"admins,omitempty"`
	// Security holds safety switches.
	Security Security `yaml:"security" json:"security,omitempty"`
	// Store selects where the bot keeps its state.
	Store Store `yaml:"store" json:"store,omitempty"`
	// Apps holds, by platform name, the top-level blocks of the chat
	// platforms that have one ([AppPlatform]), as each decodes it.
	Apps map[string]any `yaml:"-" json:"-"`

	// Warnings are problems that do not stop the watchlist from loading,
	// such as a poll interval under a minute, in file order.
	Warnings []*Error `yaml:"-" json:"-"`
}

// Poll holds the polling defaults for every feed.
type Poll struct {
	// Interval is how often each feed is read (default 5m).
	Interval Duration `yaml:"interval" json:"interval,omitempty"`
	// Timeout is how long one read of a feed may take (default 20s).
	Timeout Duration `yaml:"timeout" json:"timeout,omitempty"`
	// MaxBytes caps the size of a feed in bytes (default 10 MiB).
	MaxBytes int64 `yaml:"max_bytes" json:"max_bytes,omitempty" jsonschema:"minimum=1"`
	// Concurrency is how many feeds are read at once (default 8).
	Concurrency int `yaml:"concurrency" json:"concurrency,omitempty" jsonschema:"minimum=1"`
	// PerHost is how many feeds of one web site are read at once (default 2).
	PerHost int `yaml:"per_host" json:"per_host,omitempty" jsonschema:"minimum=1"`
}

// Feed is one feed to poll. Exactly one of URL and GoogleNews is set in
// the file; after loading URL is always set.
type Feed struct {
	// Name is the feed's unique name, used in watches and commands.
	Name string `yaml:"name" json:"name" jsonschema:"minLength=1"`
	// URL is the address of the RSS, Atom or JSON feed (http or https).
	URL string `yaml:"url" json:"url,omitempty" jsonschema:"format=uri,oneof_required=url"`
	// GoogleNews is a Google News search (Korean edition) to read instead
	// of a URL, such as "AI 국가안보각서".
	GoogleNews string `yaml:"google_news" json:"google_news,omitempty" jsonschema:"minLength=1,oneof_required=google_news"`
	// Interval is how often to read this feed (default: poll.interval).
	Interval Duration `yaml:"interval" json:"interval,omitempty"`
	// Timeout is how long one read may take (default: poll.timeout).
	Timeout Duration `yaml:"timeout" json:"timeout,omitempty"`
	// Backfill is how many items of the first read to deliver (default 0:
	// only items that appear later are delivered).
	Backfill int `yaml:"backfill" json:"backfill,omitempty" jsonschema:"minimum=0"`
	// Untrusted is set for feeds added from chat (never from the file).
	Untrusted bool `yaml:"-" json:"-"`
}

// Channel is a named destination with exactly one block, keyed by its
// channel type.
type Channel struct {
	Name string `yaml:"-" json:"-"`
	// Kind is the channel type, the key of its block.
	Kind string `yaml:"-" json:"-"`
	// Settings is the decoded block; the channel type's package knows
	// its concrete type.
	Settings Settings `yaml:"-" json:"-"`
	// Report posts a report of every watch that posts to the channel on
	// a schedule, such as {at: "Mon 09:00"}.
	Report *Report `yaml:"report" json:"report,omitempty"`
}

// Type names the channel type (the key of its block).
func (c Channel) Type() string { return c.Kind }

// Watch is a set of keyword queries and where their matches go.
type Watch struct {
	// Name is the watch's unique name.
	Name string `yaml:"name" json:"name" jsonschema:"minLength=1"`
	// Keywords are the searches; an item matching any one of them is sent.
	// Put a phrase in double quotes to match it exactly.
	Keywords []string `yaml:"keywords" json:"keywords" jsonschema:"minItems=1,minLength=1"`
	// Exclude are searches that must not match; an item matching any one
	// of them is not sent.
	Exclude []string `yaml:"exclude" json:"exclude,omitempty" jsonschema:"minLength=1"`
	// Feeds limits the watch to these feed names (default: every feed).
	Feeds []string `yaml:"feeds" json:"feeds,omitempty"`
	// Channels are the channel names matches are sent to.
	Channels []string `yaml:"channels" json:"channels" jsonschema:"minItems=1"`
	// Digest is "instant" (send each match at once, the default) or a
	// schedule such as {every: 30m} or {at: ["09:00"]}.
	Digest Digest `yaml:"digest" json:"digest,omitempty"`
	// Urgent lists keywords (copied from keywords) whose matches are sent at
	// once, even during quiet hours or with a digest schedule.
	Urgent []string `yaml:"urgent" json:"urgent,omitempty"`
	// Color is the colour bar of the watch's alerts where a channel shows
	// one, "#RRGGBB" (default derived from the name).
	Color string `yaml:"color" json:"color,omitempty" jsonschema:"pattern=^#[0-9A-Fa-f]{6}$"`
	// Surge sends one alert when the watch's topic suddenly spreads: many
	// more new stories across outlets in a window than at that hour on
	// other days, such as {factor: 4, min_stories: 5, window: 1h}.
	Surge *Surge `yaml:"surge" json:"surge,omitempty"`
	// Report posts the watch's report to its channels on a schedule, such
	// as {at: "Mon 09:00"}.
	Report *Report `yaml:"report" json:"report,omitempty"`
}

// Surge says when a watch's topic surges. Every key has a default, so
// surge: {} turns the alerts on with the defaults.
type Surge struct {
	// Factor is how many times the usual number of new stories makes a
	// surge (default 4; at least 1.5).
	Factor float64 `yaml:"factor" json:"factor,omitempty" jsonschema:"minimum=1.5,maximum=1000"`
	// MinStories is the least number of new stories in the window for a
	// surge (default 5).
	MinStories int `yaml:"min_stories" json:"min_stories,omitempty" jsonschema:"minimum=1"`
	// Window is how far back new stories are counted (default 1h; from 10m
	// to 24h); a watch surges at most once per window.
	Window Duration `yaml:"window" json:"window,omitempty"`
}

// Report is when a report is posted: "Mon 09:00" every week (the last 7
// days) or "09:00" every day (the last 24 hours), in the watchlist
// timezone.
type Report struct {
	// At is "DAY HH:MM" (day mon..sun) for a weekly report or "HH:MM" for
	// a daily one.
	At string `yaml:"at" json:"at" jsonschema:"pattern=^((mon|tue|wed|thu|fri|sat|sun|Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?([01][0-9]|2[0-3]):[0-5][0-9]$"`
}

// Digest is a watch's delivery schedule. In the file it is either the
// string "instant" or a mapping; a mapping with neither Every nor At is
// instant delivery with the other settings (quiet hours, say).
type Digest struct {
	// Every sends the collected matches at this interval, such as 30m; at
	// least 1m.
	Every Duration `yaml:"every" json:"every,omitempty"`
	// At sends the collected matches at these times of day, "HH:MM" in the
	// watchlist timezone.
	At []string `yaml:"at" json:"at,omitempty" jsonschema:"pattern=^([01][0-9]|2[0-3]):[0-5][0-9]$"`
	// Days limits sending to these days: mon, tue, wed, thu, fri, sat, sun
	// (default every day); not with every longer than 24h.
	Days []string `yaml:"days" json:"days,omitempty" jsonschema:"enum=mon,enum=tue,enum=wed,enum=thu,enum=fri,enum=sat,enum=sun"`
	// QuietHours holds back matches during these hours, "22:00-07:00", and
	// sends them when the quiet hours end.
	QuietHours string `yaml:"quiet_hours" json:"quiet_hours,omitempty" jsonschema:"pattern=^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$"`
	// MaxItems caps the items in one message (default 0: no cap).
	MaxItems int `yaml:"max_items" json:"max_items,omitempty" jsonschema:"minimum=0"`
}

// Instant reports whether matches are sent as soon as they are found.
func (d Digest) Instant() bool { return d.Every == 0 && len(d.At) == 0 }

// Server is the bot's HTTP listener (slash commands, interactions, metrics).
type Server struct {
	// Listen is the address to listen on, host:port such as ":8080".
	Listen string `yaml:"listen" json:"listen,omitempty"`
	// Reload enables POST /-/reload without a token. The endpoint is also
	// enabled, token required, when NEWSHOUND_RELOAD_TOKEN is set.
	Reload bool `yaml:"reload" json:"reload,omitempty"`
	// StopGrace is how long a stop (SIGINT, SIGTERM) waits for sends
	// already under way; default 20s. Deployments give the process at
	// least 10s more before they kill it.
	StopGrace Duration `yaml:"stop_grace" json:"stop_grace,omitempty"`
}

// Security holds safety switches.
type Security struct {
	// AllowPrivateFeeds lets feeds added from chat reach private addresses.
	AllowPrivateFeeds bool `yaml:"allow_private_feeds" json:"allow_private_feeds,omitempty"`
}

// Store selects the state backend: SQLite at --state by default, or
// PostgreSQL when Postgres (a DSN) is set.
type Store struct {
	// Postgres is a PostgreSQL connection string; keep it secret and write
	// it as ${DATABASE_URL}.
	Postgres string `yaml:"postgres" json:"postgres,omitempty"`
}

// Duration is a time.Duration written as "90s", "5m", "1h30m" (also "1d").
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
