// Command newshound watches news feeds and tells Slack, Discord and the
// console when something a team cares about is published.
//
//	newshound run --config watchlist.yaml [--state newshound.db] [--once]
//	newshound check --config watchlist.yaml [--no-env]
//	newshound fetch [--config watchlist.yaml] [--json] URL|FILE
//	newshound match --query 'Q' | --config watchlist.yaml   (document on stdin)
//	newshound status --config watchlist.yaml [--json]
//	newshound feeds import|export --config watchlist.yaml [FILE.opml]
//	newshound version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "0.1.0-dev"

// env is the process environment, injectable for tests.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookup         func(string) (string, bool)
	// environ lists the environment as NAME=value, to find every secret
	// in it; nil when it cannot be listed (tests).
	environ func() []string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, lookup: os.LookupEnv, environ: os.Environ})
	stop()
	os.Exit(code)
}

const usage = `newshound watches news feeds and posts matches to Slack, Discord or the console.

Usage:
  newshound run     --config FILE [--state DB] [--once]   poll, match and deliver
  newshound check   --config FILE [--no-env]              validate a watchlist
  newshound fetch   [--config FILE] [--json] URL|FILE     show a feed's items and matches
  newshound match   --query Q | --config FILE             match a document read on stdin
  newshound status  --config FILE [--state DB] [--json]   feeds, backlog and next tries, from the store (read-only)
  newshound feeds   import|export --config FILE [FILE.opml]  add feeds from OPML / print them as OPML
  newshound version

Run "newshound COMMAND -h" for the flags of a command.
`

// Main runs one newshound command and returns its exit code.
func Main(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	cmds := map[string]func(context.Context, []string, env) int{
		"run":     cmdRun,
		"check":   cmdCheck,
		"fetch":   cmdFetch,
		"match":   cmdMatch,
		"status":  cmdStatus,
		"feeds":   cmdFeeds,
		"version": cmdVersion,
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(e.stdout, usage)
		return 0
	case "-version", "--version":
		return cmdVersion(ctx, nil, e)
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "newshound: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	return cmd(ctx, args[1:], e)
}

func cmdVersion(_ context.Context, _ []string, e env) int {
	fmt.Fprintf(e.stdout, "newshound %s\n", version)
	return 0
}
