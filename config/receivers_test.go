package config_test

// The channel types register themselves with package config; the tests
// of this package load watchlists that use them.
import _ "github.com/newshound/newshound/bot/receivers"
