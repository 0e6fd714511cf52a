package discord

import (
	_ "embed"
	"encoding/json"
	"errors"
	"strings"

	"github.com/newshound/newshound/config"
)

// Environment variables of Discord.
const (
	// EnvBotToken posts to Discord channels given as channel_id: and runs
	// the gateway.
	EnvBotToken = "DISCORD_BOT_TOKEN"
	// EnvPublicKey verifies /news over HTTP (/discord/interactions).
	EnvPublicKey = "DISCORD_PUBLIC_KEY"
)

// Platform is the name of the Discord platform: its admins: key, its
// top-level block and the Platform of its requests.
const Platform = "discord"

func init() { config.RegisterPlatform(platform{}) }

// App is the top-level discord: block, the application that owns /news.
type App struct {
	// ApplicationID is the Discord application's number; /news then needs
	// DISCORD_BOT_TOKEN, or DISCORD_PUBLIC_KEY with server.listen.
	ApplicationID string
	// GuildID registers the command in this server only (faster to
	// update); empty registers it everywhere.
	GuildID string
}

// AppOf returns the discord: block of c (zero when it has none).
func AppOf(c *config.Config) App {
	a, _ := c.Apps[Platform].(App)
	return a
}

// platform is Discord as a chat platform of the watchlist.
type platform struct{}

func (platform) Name() string { return Platform }

// errID is the problem of an ID that is not one.
var errID = errors.New("a Discord ID is a number, like 123456789012345678")

// isID reports whether s is a Discord ID: a non-empty string of digits.
func isID(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// id decodes key of b as a Discord ID, written as text or as a bare
// number (every digit kept), reporting one that is not.
func id(b *config.Block, key string) string {
	s, ok := b.Text(key)
	if ok && !isID(s) {
		b.Errorf(key, "%v", errID)
		return ""
	}
	return s
}

// AdminID accepts user and role IDs (numbers).
func (platform) AdminID(s string) error {
	if !isID(s) {
		return errID
	}
	return nil
}

func (platform) AdminSchema() json.RawMessage {
	return json.RawMessage(`{"type": "string", "pattern": "^[0-9]+$", "description": "Discord user or role IDs (numbers) that may edit the watchlist."}`)
}

func (platform) DecodeApp(b *config.Block) any {
	if !b.Fields("application_id", "guild_id") {
		return nil
	}
	return App{ApplicationID: id(b, "application_id"), GuildID: id(b, "guild_id")}
}

//go:embed app.schema.json
var appSchema []byte

func (platform) AppSchema() config.SchemaFragment {
	return config.SchemaFragment{
		Definition:  "DiscordApp",
		Description: "Discord identifies the Discord application for the /news command.",
		Schema:      appSchema,
		Examples:    []string{"{application_id: '123456789012345678', guild_id: '987654321098765432'}"},
	}
}

// CheckEnv: discord.application_id needs DISCORD_BOT_TOKEN (gateway) or
// DISCORD_PUBLIC_KEY with server.listen (interactions endpoint); the key,
// when it is to be used, must be an Ed25519 public key; a key without
// server.listen is a warning.
func (platform) CheckEnv(c *config.Config, e *config.EnvCheck) {
	key, hasKey := e.Lookup(EnvPublicKey)
	listen := e.Listen()
	if AppOf(c).ApplicationID != "" && !e.Has(EnvBotToken) && !(hasKey && listen) {
		e.ErrorAt("discord.application_id", EnvBotToken,
			"/news on Discord needs the environment variable %s (gateway), or %s with server.listen (interactions endpoint); neither is set",
			EnvBotToken, EnvPublicKey)
	}
	switch {
	case hasKey && listen:
		if _, err := ParsePublicKey(key); err != nil {
			e.ErrorAt("server.listen", EnvPublicKey,
				"the environment variable %s is not an Ed25519 public key (64 hex digits), so /discord/interactions cannot verify requests", EnvPublicKey)
		}
	case hasKey:
		e.Unserved(EnvPublicKey, "/discord/interactions")
	}
}
