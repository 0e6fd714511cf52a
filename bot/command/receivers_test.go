package command_test

// The channel types register themselves with package config; the tests
// of this package bind chat channels through them.
import _ "github.com/newshound/newshound/bot/receivers"
