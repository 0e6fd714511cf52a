package notify

import (
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/redact"
)

// Deps are what the program gives a channel type's notifier constructor.
type Deps struct {
	// Config is the watchlist the notifier is built for.
	Config *config.Config
	// Stdout is the program's standard output.
	Stdout io.Writer
	// Secret returns an environment variable the channel needs (a bot
	// token), "" when it is not set.
	Secret func(name string) string
	// Logger logs the notifier's events.
	Logger *slog.Logger
	// Redactor knows every secret of the process.
	Redactor *redact.Redactor
	// Version is the program's version, for User-Agent headers.
	Version string
	// Shared returns the value kept under key for the life of the
	// process, across reloads, calling create once to make it: state
	// every channel of a type shares, such as a platform's global rate
	// limit.
	Shared func(key string, create func() any) any
}

// Constructor builds the notifier of the channel called name from its
// block s, which the same channel type's package decoded.
type Constructor func(name string, s config.Settings, d Deps) (Notifier, error)

// constructors holds the notifier constructors by channel kind. It is
// written only by init functions (through RegisterNotifier) and read
// afterwards.
var constructors = struct {
	sync.RWMutex
	m map[string]Constructor
}{m: map[string]Constructor{}}

// RegisterNotifier makes the notifier of channel kind known; call it from
// the init function of the package that registers the kind's block with
// config.Register. It panics when kind is registered twice.
func RegisterNotifier(kind string, c Constructor) {
	constructors.Lock()
	defer constructors.Unlock()
	if _, dup := constructors.m[kind]; dup || kind == "" || c == nil {
		panic(fmt.Sprintf("notify: RegisterNotifier: kind %q is empty, nil or registered twice", kind))
	}
	constructors.m[kind] = c
}

// New builds the notifier of channel ch with the constructor its kind
// registered.
func New(ch config.Channel, d Deps) (Notifier, error) {
	constructors.RLock()
	c, ok := constructors.m[ch.Kind]
	constructors.RUnlock()
	if !ok {
		return nil, fmt.Errorf("notify: channel %s: no notifier for channel type %q", ch.Name, ch.Kind)
	}
	n, err := c(ch.Name, ch.Settings, d)
	if err != nil {
		return nil, err
	}
	return n, nil
}
