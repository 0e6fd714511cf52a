package config

import (
	"crypto/ed25519"
	"encoding/hex"
	"strings"
	"time"
)

// Environment variables the bot reads besides the file's own ${NAME}
// references. Validate requires them where the watchlist needs them.
const (
	// EnvSlackBotToken posts to Slack channels given as channel: (xoxb-…).
	EnvSlackBotToken = "SLACK_BOT_TOKEN"
	// EnvSlackSigningSecret verifies /news over HTTP (/slack/commands).
	EnvSlackSigningSecret = "SLACK_SIGNING_SECRET"
	// EnvSlackAppToken turns on Slack Socket Mode (xapp-…).
	EnvSlackAppToken = "SLACK_APP_TOKEN"
	// EnvDiscordBotToken posts to Discord channels given as channel_id: and
	// runs the gateway.
	EnvDiscordBotToken = "DISCORD_BOT_TOKEN"
	// EnvDiscordPublicKey verifies /news over HTTP (/discord/interactions).
	EnvDiscordPublicKey = "DISCORD_PUBLIC_KEY"
)

// MinDigestEvery is the shortest digest interval (digest: {every: …}).
const MinDigestEvery = time.Minute

// Env is the environment a watchlist is validated in.
type Env struct {
	// Lookup returns an environment variable's value and whether it is set;
	// nil means no variable is set. It is used for ${NAME} and for the
	// variables the channels and commands need.
	Lookup func(string) (string, bool)
	// Skip checks the file without its environment, for CI jobs that hold
	// no secrets: ${NAME} is checked for its syntax only (a value holding
	// one is not checked further), and the variables the channels and
	// commands need are not required. Lookup is not called.
	Skip bool
}

func (e Env) lookup(name string) (string, bool) {
	if e.Lookup == nil || e.Skip {
		return "", false
	}
	return e.Lookup(name)
}

// has reports whether variable name is set to something other than spaces.
func (e Env) has(name string) bool {
	v, ok := e.lookup(name)
	return ok && strings.TrimSpace(v) != ""
}

// state says why variable name cannot be used: "is not set" or "is empty".
func (e Env) state(name string) string {
	if _, ok := e.lookup(name); ok {
		return "is empty"
	}
	return "is not set"
}

// Validate decodes and checks a watchlist as the bot runs it: the file's
// own rules (see [Parse]) and, unless env.Skip is set, the rules that need
// the environment:
//
//   - each channel block needs the variables its type asks for
//     ([Settings.Needs]; posting as the bot needs its token);
//   - discord.application_id (the /news command on Discord) needs
//     DISCORD_BOT_TOKEN (gateway) or DISCORD_PUBLIC_KEY with server.listen
//     (interactions endpoint);
//   - DISCORD_PUBLIC_KEY, when set with server.listen, must be an Ed25519
//     public key (64 hex digits);
//   - SLACK_SIGNING_SECRET or DISCORD_PUBLIC_KEY without server.listen is a
//     warning: /news over HTTP is not served.
//
// `check`, `run`, reloads and chat edits all validate through this
// function, so a file one accepts the others accept. An error about a
// variable names it in its message and in [Error.Var].
func Validate(name string, data []byte, env Env) (*Config, error) {
	return parse(name, data, env, !env.Skip)
}

// checkEnv reports what c needs from the environment and does not get.
func (d *decoder) checkEnv(c *Config) {
	for _, name := range c.ChannelOrder {
		ch := c.Channels[name]
		cp := joinKey("channels", name)
		if ch.Settings == nil {
			continue
		}
		for _, need := range ch.Settings.Needs() {
			if d.env.has(need.Var) {
				continue
			}
			d.envErrorAt(joinKey(joinKey(cp, ch.Kind), need.Key), need.Var,
				"%s needs the environment variable %s, which %s (set it, or %s)", need.Why, need.Var, d.env.state(need.Var), need.Hint)
			break
		}
	}
	key, hasKey := d.env.lookup(EnvDiscordPublicKey)
	hasKey = hasKey && strings.TrimSpace(key) != ""
	listen := c.Server.Listen != ""
	if c.Discord.ApplicationID != "" && !d.env.has(EnvDiscordBotToken) && !(hasKey && listen) {
		d.envErrorAt("discord.application_id", EnvDiscordBotToken,
			"/news on Discord needs the environment variable %s (gateway), or %s with server.listen (interactions endpoint); neither is set",
			EnvDiscordBotToken, EnvDiscordPublicKey)
	}
	switch {
	case hasKey && listen && !isPublicKey(key):
		d.envErrorAt("server.listen", EnvDiscordPublicKey,
			"the environment variable %s is not an Ed25519 public key (64 hex digits), so /discord/interactions cannot verify requests", EnvDiscordPublicKey)
	case hasKey && !listen:
		d.envWarn(EnvDiscordPublicKey, "/discord/interactions")
	}
	if d.env.has(EnvSlackSigningSecret) && !listen {
		d.envWarn(EnvSlackSigningSecret, "/slack/commands")
	}
}

// envErrorAt reports a problem with variable at the value at path.
func (d *decoder) envErrorAt(path, variable, format string, args ...any) {
	d.errorAt(path, format, args...)
	d.errs[len(d.errs)-1].Var = variable
}

// envWarn warns that variable is set for an endpoint nothing serves.
func (d *decoder) envWarn(variable, endpoint string) {
	n := d.root
	if top := resolve(d.root); top != nil {
		n = top
	}
	d.warnf(n, "server.listen", "the environment variable %s is set but server.listen is not, so %s is not served", variable, endpoint)
	d.warns[len(d.warns)-1].Var = variable
}

// isPublicKey reports whether s is a hex-encoded Ed25519 public key, as
// Discord shows an application's public key.
func isPublicKey(s string) bool {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	return err == nil && len(b) == ed25519.PublicKeySize
}
