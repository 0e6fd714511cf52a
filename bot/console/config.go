package console

import (
	_ "embed"
	"fmt"

	"github.com/newshound/newshound/bot/notify"

	"github.com/newshound/newshound/config"
)

// Kind is the key of a console channel's block.
const Kind = "console"

func init() {
	config.Register(receiver{})
	notify.RegisterNotifier(Kind, newNotifier)
}

// newNotifier builds a console channel's notifier, writing to the
// program's standard output.
func newNotifier(name string, s config.Settings, d notify.Deps) (notify.Notifier, error) {
	c, ok := s.(*Config)
	if !ok {
		return nil, fmt.Errorf("console: channel %s: settings %T are not a console block", name, s)
	}
	return New(name, *c, d.Stdout)
}

// Config is a console channel's block: it prints alerts to standard
// output.
type Config struct {
	// Format is "text" (default) or "json" (one object per line).
	Format string
}

//go:embed schema.json
var schema []byte

// receiver is the console channel type.
type receiver struct{}

func (receiver) Kind() string { return Kind }

func (receiver) Decode(b *config.Block) config.Settings {
	c := &Config{Format: "text"}
	b.Fields("format")
	if b.Has("format") {
		if s, ok := b.Text("format"); ok && s != "text" && s != "json" {
			b.Errorf("format", `format must be "text" or "json"`)
		} else if s != "" {
			c.Format = s
		}
	}
	return c
}

//go:embed starter.yaml
var starter []byte

// Starter returns the starter watchlist of a console channel (newshound init).
func (receiver) Starter() []byte { return starter }

func (receiver) Schema() config.SchemaFragment {
	return config.SchemaFragment{
		Definition:  "ConsoleChannel",
		Description: "Console prints alerts in the terminal.",
		Schema:      schema,
		Examples:    []string{"console:\n", "{console: {format: json}}"},
	}
}

// BotChannel answers no platform: a console channel is named in the
// file, not bound from chat.
func (receiver) BotChannel(string, string) (config.Settings, bool) { return nil, false }

// Needs is empty: the console needs nothing from the environment.
func (c *Config) Needs() []config.EnvNeed { return nil }

// Entries writes the format back.
func (c *Config) Entries() []config.Entry { return []config.Entry{{Key: "format", Value: c.Format}} }

// Binds reports whether a console command names this channel.
func (c *Config) Binds(platform, id, chatName, name string) bool {
	return platform == Kind && (name == id || name == chatName)
}

// Secrets is empty: a console channel holds no secret.
func (c *Config) Secrets() []string { return nil }
