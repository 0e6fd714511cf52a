package config

import (
	"fmt"
	"strings"
)

// maxListed bounds the names Summary lists per kind.
const maxListed = 10

// Summary describes the watchlist in one short paragraph: its feeds,
// watches (with keyword counts) and channels (with platforms), and its
// time zone. It never shows URLs, which may hold secrets.
func (c *Config) Summary() string {
	feeds := make([]string, len(c.Feeds))
	for i, f := range c.Feeds {
		feeds[i] = f.Name
	}
	watches := make([]string, len(c.Watches))
	for i, w := range c.Watches {
		watches[i] = fmt.Sprintf("%s: %s", w.Name, count(len(w.Keywords), "keyword"))
	}
	chans := make([]string, len(c.ChannelOrder))
	for i, name := range c.ChannelOrder {
		chans[i] = name + ":" + c.Channels[name].Type()
	}
	return fmt.Sprintf("%s%s, %s%s, %s%s; timezone %s.",
		count(len(feeds), "feed"), listed(feeds),
		count(len(watches), "watch"), listed(watches),
		count(len(chans), "channel"), listed(chans),
		c.Timezone)
}

// count is "1 feed", "2 feeds", "0 watches".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "ch") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// listed is " (a, b, c)", shortened past maxListed names.
func listed(names []string) string {
	switch {
	case len(names) == 0:
		return ""
	case len(names) > maxListed:
		return fmt.Sprintf(" (%s and %d more)", strings.Join(names[:maxListed], ", "), len(names)-maxListed)
	}
	return " (" + strings.Join(names, ", ") + ")"
}

// FeedByName returns the feed called name.
func (c *Config) FeedByName(name string) (Feed, bool) {
	for _, f := range c.Feeds {
		if f.Name == name {
			return f, true
		}
	}
	return Feed{}, false
}

// WatchByName returns the watch called name.
func (c *Config) WatchByName(name string) (Watch, bool) {
	for _, w := range c.Watches {
		if w.Name == name {
			return w, true
		}
	}
	return Watch{}, false
}

// ChannelByName returns the channel called name.
func (c *Config) ChannelByName(name string) (Channel, bool) {
	ch, ok := c.Channels[name]
	return ch, ok
}
