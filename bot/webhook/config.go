package webhook

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
)

// Kind is the key of a webhook channel's block.
const Kind = "webhook"

func init() {
	config.Register(receiver{})
	notify.RegisterNotifier(Kind, newNotifier)
}

// newNotifier builds a webhook channel's notifier.
func newNotifier(name string, s config.Settings, d notify.Deps) (notify.Notifier, error) {
	c, ok := s.(*Config)
	if !ok {
		return nil, fmt.Errorf("webhook: channel %s: settings %T are not a webhook block", name, s)
	}
	return New(name, *c, Options{Logger: d.Logger, Redactor: d.Redactor, Version: d.Version})
}

// Config is a webhook channel's block: it POSTs each alert or digest as
// JSON to a URL, signed with a shared secret.
type Config struct {
	// URL is the http or https address the JSON body is posted to; it
	// often carries a token, so write it as ${HOOK_URL}.
	URL string
	// Secret signs every request (X-Newshound-Signature, an HMAC-SHA256
	// of the timestamp and the body); optional but recommended, write it
	// as ${HOOK_SECRET}.
	Secret string
}

//go:embed schema.json
var schema []byte

// receiver is the webhook channel type.
type receiver struct{}

func (receiver) Kind() string { return Kind }

func (receiver) Decode(b *config.Block) config.Settings {
	c := &Config{}
	if !b.Fields("url", "secret") {
		return c
	}
	if b.Has("url") {
		c.URL = b.URL("url")
	} else {
		b.Errorf("", "a webhook channel needs url, the address alerts are posted to")
	}
	if b.Has("secret") {
		if s, ok := b.Text("secret"); ok && strings.TrimSpace(s) == "" {
			b.Errorf("secret", "secret is empty; remove it or set it, as ${HOOK_SECRET}")
		} else {
			c.Secret = s
		}
	} else {
		b.Warnf("", "no secret: requests are unsigned, so the receiver cannot tell them from forgeries (add secret: ${HOOK_SECRET})")
	}
	return c
}

func (receiver) Schema() config.SchemaFragment {
	return config.SchemaFragment{
		Definition:  "WebhookChannel",
		Description: "Webhook posts alerts as signed JSON to any HTTP service.",
		Schema:      schema,
		Examples:    []string{"{webhook: {url: '${HOOK_URL}', secret: '${HOOK_SECRET}'}}"},
	}
}

// BotChannel answers no platform: a webhook channel is named in the
// file, not bound from chat.
func (receiver) BotChannel(string, string) (config.Settings, bool) { return nil, false }

// Needs is empty: the URL and secret are in the block.
func (c *Config) Needs() []config.EnvNeed { return nil }

// Entries are the block's keys, in the order they are written back.
func (c *Config) Entries() []config.Entry {
	return []config.Entry{{Key: "url", Value: c.URL}, {Key: "secret", Value: c.Secret}}
}

// Binds reports false: no chat command comes from a webhook.
func (c *Config) Binds(string, string, string, string) bool { return false }

// Secrets are the URL (its path or query often holds a token) and the
// signing secret.
func (c *Config) Secrets() []string { return []string{c.URL, c.Secret} }
