package config

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// Removing a watch, or one feed or channel of a watch, changes those
// lines only; the last feed or channel of a watch is refused.
func TestDocRemoveWatchEntries(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/edit-watchlist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// chips reads two feeds and posts to two channels, in both list styles.
	src = bytes.Replace(src, []byte("    feeds: [yonhap]\n    channels:\n    - dev\n"), []byte("    feeds: [yonhap, gn-ai]\n    channels:\n    - dev\n    - general\n"), 1)
	tests := []struct {
		name    string
		edit    func(d *Doc) error
		changed int // original lines changed or removed, at most
		check   func(t *testing.T, c *Config)
	}{
		{"remove a watch", func(d *Doc) error { return d.RemoveWatch("ai-policy") }, 11, func(t *testing.T, c *Config) {
			if _, ok := c.WatchByName("ai-policy"); ok || len(c.Watches) != 1 {
				t.Errorf("watches = %+v", c.Watches)
			}
		}},
		{"remove the last watch", func(d *Doc) error { return d.RemoveWatch("chips") }, 7, func(t *testing.T, c *Config) {
			if _, ok := c.WatchByName("chips"); ok {
				t.Errorf("chips is still there")
			}
		}},
		{"remove a feed of a watch (flow)", func(d *Doc) error { return d.RemoveWatchFeed("chips", "yonhap") }, 1, func(t *testing.T, c *Config) {
			if w, _ := c.WatchByName("chips"); !slices.Equal(w.Feeds, []string{"gn-ai"}) {
				t.Errorf("feeds = %q", w.Feeds)
			}
		}},
		{"remove a channel of a watch (block)", func(d *Doc) error { return d.RemoveWatchChannel("chips", "dev") }, 1, func(t *testing.T, c *Config) {
			if w, _ := c.WatchByName("chips"); !slices.Equal(w.Channels, []string{"general"}) {
				t.Errorf("channels = %q", w.Channels)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := newDoc("test.yaml", src, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.edit(d); err != nil {
				t.Fatal(err)
			}
			if n := untouched(src, d.Bytes()); n > tc.changed {
				t.Errorf("%d lines changed, want at most %d:\n%s", n, tc.changed, d.Bytes())
			}
			if !bytes.Contains(d.Bytes(), []byte("# end of watches")) || !bytes.Contains(d.Bytes(), []byte("# AI policy, for the policy team.")) {
				t.Errorf("comments around the edit were lost:\n%s", d.Bytes())
			}
			c, err := Parse("test.yaml", d.Bytes(), nil)
			if err != nil {
				t.Fatalf("the edited file does not load: %v\n%s", err, d.Bytes())
			}
			tc.check(t, c)
		})
	}

	refused := []struct {
		name string
		edit func(d *Doc) error
		want error
	}{
		{"no watch", func(d *Doc) error { return d.RemoveWatch("nope") }, ErrNoSuchEntry},
		{"feed not in the watch", func(d *Doc) error { return d.RemoveWatchFeed("ai-policy", "yonhap") }, ErrNoSuchEntry},
		{"channel not in the watch", func(d *Doc) error { return d.RemoveWatchChannel("ai-policy", "dev") }, ErrNoSuchEntry},
		{"last channel", func(d *Doc) error { return d.RemoveWatchChannel("ai-policy", "general") }, ErrLastEntry},
		{"last feed", func(d *Doc) error {
			if err := d.RemoveWatchFeed("chips", "gn-ai"); err != nil {
				return err
			}
			return d.RemoveWatchFeed("chips", "yonhap")
		}, ErrLastEntry},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			d, err := newDoc("test.yaml", src, nil)
			if err != nil {
				t.Fatal(err)
			}
			before := bytes.Clone(d.Bytes())
			if tc.name == "last feed" {
				before = nil
			}
			if err := tc.edit(d); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if before != nil && !bytes.Equal(before, d.Bytes()) {
				t.Errorf("a refused edit changed the text:\n%s", d.Bytes())
			}
			if !strings.Contains(string(d.Bytes()), "feeds: [") {
				t.Errorf("a watch's feed list was emptied:\n%s", d.Bytes())
			}
		})
	}
}
