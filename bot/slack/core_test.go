package slack

import (
	"testing"
	"time"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/command/commandtest"
	"github.com/newshound/newshound/store"
)

// coreChannel is the Slack channel bound to the watch chips in
// coreWatchlist.
const coreChannel = "C0DESK"

// coreWatchlist is the watchlist of the tests that run the real command
// core.
const coreWatchlist = `timezone: Asia/Seoul
feeds:
  - name: local
    url: http://127.0.0.1:9/feed.xml
channels:
  desk:
    slack:
      channel: C0DESK
watches:
  - name: chips
    keywords: [HBM]
    channels: [desk]
`

// newCore starts the real command core on coreWatchlist (see
// commandtest.New).
func newCore(t *testing.T) (*command.Core, *commandtest.Bot) {
	t.Helper()
	return commandtest.New(t, coreWatchlist, map[string]string{"SLACK_BOT_TOKEN": "xoxb-test"})
}

// deliverSent records an alert of the watch chips as sent to a config
// channel, as the bot does after posting it.
func deliverSent(t *testing.T, st store.Store, channel, title, link string, at time.Time) {
	t.Helper()
	commandtest.DeliverSent(t, st, channel, "chips", title, link, at)
}
