package config

import (
	"embed"
	"fmt"
	"slices"
	"strings"
)

//go:embed starter/*.yaml
var starters embed.FS

// StarterKinds are the channel kinds a starter watchlist exists for, the
// default first.
func StarterKinds() []string { return []string{"console", "slack", "discord"} }

// Starter returns the commented starter watchlist whose channel is of the
// given kind ("console", "slack" or "discord"): the example's three
// keywords, a few Korean outlets, a Google News search, and the channel
// with the ${NAME} variables it needs.
func Starter(kind string) ([]byte, error) {
	if !slices.Contains(StarterKinds(), kind) {
		return nil, fmt.Errorf("config: no starter watchlist for channel kind %q (use %s)", kind, strings.Join(StarterKinds(), ", "))
	}
	b, err := starters.ReadFile("starter/" + kind + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("config: starter %s: %w", kind, err)
	}
	return b, nil
}
