package discord

import (
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/command/commandtest"
	"github.com/newshound/newshound/store"
)

// coreChannel is the Discord channel bound to the watch chips in
// coreWatchlist.
const coreChannel = "123456789012345678"

// coreWatchlist is the watchlist of the tests that run the real command
// core.
const coreWatchlist = `timezone: Asia/Seoul
feeds:
  - name: local
    url: http://127.0.0.1:9/feed.xml
channels:
  desk:
    discord:
      channel_id: "123456789012345678"
watches:
  - name: chips
    keywords: [HBM]
    channels: [desk]
`

// newCore starts the real command core on coreWatchlist (see
// commandtest.New).
func newCore(t *testing.T) (*command.Core, *commandtest.Bot) {
	t.Helper()
	return commandtest.New(t, coreWatchlist, map[string]string{"DISCORD_BOT_TOKEN": "discord-test"})
}

// deliverSent records an alert of the watch chips as sent to a config
// channel, as the bot does after posting it.
func deliverSent(t *testing.T, st store.Store, channel, title, link string, at time.Time) {
	t.Helper()
	commandtest.DeliverSent(t, st, channel, "chips", title, link, at)
}

// coreInteraction is commandInteraction from coreChannel.
func coreInteraction(t *testing.T, sub string, opts map[string]string) *discordgo.Interaction {
	t.Helper()
	i := commandInteraction(t, sub, opts)
	i.ChannelID = coreChannel
	return i
}
