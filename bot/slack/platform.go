package slack

import (
	"encoding/json"

	"github.com/newshound/newshound/config"
)

// Environment variables of Slack.
const (
	// EnvBotToken posts to Slack channels given as channel: (xoxb-…).
	EnvBotToken = "SLACK_BOT_TOKEN"
	// EnvSigningSecret verifies /news over HTTP (/slack/commands).
	EnvSigningSecret = "SLACK_SIGNING_SECRET"
	// EnvAppToken turns on Socket Mode (xapp-…).
	EnvAppToken = "SLACK_APP_TOKEN"
)

// Platform is the name of the Slack platform: its admins: key and the
// Platform of its requests.
const Platform = "slack"

func init() { config.RegisterPlatform(platform{}) }

// platform is Slack as a chat platform of the watchlist.
type platform struct{}

func (platform) Name() string { return Platform }

// AdminID accepts any user ID (such as U012AB3CD); the loader refuses an
// empty one.
func (platform) AdminID(string) error { return nil }

func (platform) AdminSchema() json.RawMessage {
	return json.RawMessage(`{"type": "string", "minLength": 1, "description": "Slack user IDs (such as U012AB3CD) that may edit the watchlist."}`)
}

// CheckEnv warns of a signing secret without server.listen: /news over
// HTTP is then not served.
func (platform) CheckEnv(_ *config.Config, e *config.EnvCheck) {
	if e.Has(EnvSigningSecret) && !e.Listen() {
		e.Unserved(EnvSigningSecret, "/slack/commands")
	}
}
