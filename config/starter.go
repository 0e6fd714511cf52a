package config

import (
	"fmt"
	"strings"
)

// StarterReceiver is a [Receiver] that has a starter watchlist: a
// commented file whose channel is of its kind, with the example's
// keywords, a few Korean outlets, a Google News search, and the ${NAME}
// variables the channel needs (newshound init).
type StarterReceiver interface {
	Receiver
	// Starter returns the starter watchlist.
	Starter() []byte
}

// StarterKinds are the channel kinds a starter watchlist exists for,
// sorted.
func StarterKinds() []string {
	var out []string
	for _, r := range Receivers() {
		if _, ok := r.(StarterReceiver); ok {
			out = append(out, r.Kind())
		}
	}
	return out
}

// Starter returns the starter watchlist of the channel kind.
func Starter(kind string) ([]byte, error) {
	r, ok := ReceiverOf(kind)
	s, isStarter := r.(StarterReceiver)
	if !ok || !isStarter {
		return nil, fmt.Errorf("config: no starter watchlist for channel kind %q (use %s)", kind, strings.Join(StarterKinds(), ", "))
	}
	return s.Starter(), nil
}
