// Package receivers imports every channel type, so that each registers
// its block with package config. Importing it is how a program (or a
// test) gets the full set; adding a channel type is a package under bot/
// and one line here.
package receivers

import (
	// Channel types register themselves with config from init.
	_ "github.com/newshound/newshound/bot/console"
	_ "github.com/newshound/newshound/bot/discord"
	_ "github.com/newshound/newshound/bot/slack"
	_ "github.com/newshound/newshound/bot/webhook"
)
