package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/newshound/newshound/config"
)

// TestReceivers checks the registry the channel types fill: sorted by
// kind, each kind once, a second registration refused.
func TestReceivers(t *testing.T) {
	t.Parallel()
	var kinds []string
	for _, r := range config.Receivers() {
		kinds = append(kinds, r.Kind())
	}
	if !slices.IsSorted(kinds) || len(slices.Compact(slices.Clone(kinds))) != len(kinds) {
		t.Errorf("kinds = %v, want sorted and unique", kinds)
	}
	for _, k := range []string{"console", "discord", "slack"} {
		if _, ok := config.ReceiverOf(k); !ok {
			t.Errorf("kind %s is not registered", k)
		}
	}
	t.Run("twice", func(t *testing.T) {
		r, _ := config.ReceiverOf("console")
		defer func() {
			if p := recover(); p == nil || !strings.Contains(p.(string), "twice") {
				t.Errorf("second registration: panic %v, want one saying twice", p)
			}
		}()
		config.Register(r)
	})
}

// TestChannelKinds checks that a channel's key picks its type's decoder
// and that an unknown key lists the registered kinds.
func TestChannelKinds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, block, kind, err string
	}{
		{"console", "{console: {format: json}}", "console", ""},
		{"slack", "{slack: {channel: C0123}}", "slack", ""},
		{"discord", "{discord: {channel_id: '42'}}", "discord", ""},
		{"webhook", "{webhook: {url: 'https://hooks.example/x'}}", "webhook", ""},
		{"unknown", "{telegram: {chat: 1}}", "", "w.yaml:2:16: channels.c.telegram: unknown key (known keys: console, discord, slack, webhook, report)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := "feeds: []\nchannels: {c: " + tt.block + "}\nwatches: []\n"
			c, err := config.Parse("w.yaml", []byte(src), nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ch := c.Channels["c"]; ch.Kind != tt.kind || ch.Settings == nil || ch.Type() != tt.kind {
				t.Errorf("channel = %+v, want kind %s", ch, tt.kind)
			}
		})
	}
}
