package notify_test

import (
	"strings"
	"testing"

	"github.com/newshound/newshound/bot/notify"
	_ "github.com/newshound/newshound/bot/receivers"
	"github.com/newshound/newshound/config"
)

// TestNew checks that a channel's notifier is built by its kind's
// constructor, and that a kind nothing registered is an error naming it.
func TestNew(t *testing.T) {
	t.Parallel()
	c, err := config.Parse("w.yaml", []byte("feeds: []\nchannels: {t: {console: {format: json}}}\nwatches: []\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	n, err := notify.New(c.Channels["t"], notify.Deps{Config: c, Stdout: &out})
	if err != nil || n == nil {
		t.Fatalf("console notifier: %v, %v", n, err)
	}
	if _, err := notify.New(config.Channel{Name: "x", Kind: "carrier-pigeon"}, notify.Deps{}); err == nil || !strings.Contains(err.Error(), `"carrier-pigeon"`) {
		t.Errorf("unknown kind: err = %v", err)
	}
	t.Run("twice", func(t *testing.T) {
		defer func() {
			if p := recover(); p == nil {
				t.Error("a second constructor for console was accepted")
			}
		}()
		notify.RegisterNotifier("console", func(string, config.Settings, notify.Deps) (notify.Notifier, error) { return nil, nil })
	})
}
