// Package command is the platform-neutral core of the /news command: it
// parses the command words, checks who may use them, runs them against the
// bot and the watchlist file, and returns a short reply. The chat
// platforms' packages only carry requests to it and replies back.
package command

import "context"

// Request is one /news invocation, as any platform delivers it.
type Request struct {
	Platform string   // the platform's name (config.Platform), as admins: keys it
	User     string   // platform user ID
	UserName string   // display name, for history
	Roles    []string // role IDs of the user, where the platform has roles
	// Operator marks a request from whoever runs the process (the
	// terminal): it may always edit.
	Operator    bool
	ChannelID   string // platform channel ID the command came from
	ChannelName string // its name, when known
	// Text is everything after "/news", e.g. "add 반도체 to ai-policy".
	Text string
	// Args, when not nil, holds the command word's arguments as the
	// platform typed them (typed command options), by the Arg* keys; a
	// missing or empty key is an argument not given. The core then reads
	// the word from Text and its arguments from Args only, so a value may
	// contain the separator words ("to", "from", "for") and quotes. Text
	// must still carry the whole command: the history and the logs show
	// it. Nil (free-text platforms) means the arguments are parsed from
	// Text.
	Args map[string]string
}

// Keys of Request.Args, one per typed argument of the command words.
const (
	ArgQuery    = "query"    // add, remove, recent, watch add: a keyword query, quotes kept as query syntax
	ArgWatch    = "watch"    // add, remove, watch add, watch remove: a watch name
	ArgURL      = "url"      // feed add: the feed's URL, or a web page that advertises it
	ArgName     = "name"     // feed add, feed remove, poll: a feed name
	ArgTarget   = "target"   // mute, unmute: a query or a watch name
	ArgDuration = "duration" // mute: how long or until when, e.g. 2h, 1d, 2시간, until 09:00, 09:00까지
	ArgText     = "text"     // test: text or a feed URL
)

// Reply is what the user sees. Text is plain text with minimal markdown
// (*bold* is rendered by each platform); it never contains internal errors.
type Reply struct {
	Text string
	// Public asks for a message visible to the channel instead of an
	// ephemeral one.
	Public bool
	// Buttons are one-click follow-ups shown under the reply (button
	// actions only).
	Buttons []Button
}

// Actor runs button clicks; *Core is one. Platform handlers of buttons
// depend on this interface only.
type Actor interface {
	Act(ctx context.Context, req Request, a Action) Reply
}

// Runner executes commands. Platform handlers depend on this interface
// only; implementations must be safe for concurrent use and should return
// quickly, but may take longer than a platform's deadline (the transport
// then acknowledges first and answers later).
type Runner interface {
	Run(ctx context.Context, req Request) Reply
}

// RunnerFunc adapts a function to Runner.
type RunnerFunc func(ctx context.Context, req Request) Reply

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context, req Request) Reply { return f(ctx, req) }
