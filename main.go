// Command newshound watches news feeds and tells Slack, Discord and the
// console when something a team cares about is published.
//
//	newshound demo [--for DURATION]
//	newshound init [--slack|--discord|--console] [FILE]
//	newshound run --config watchlist.yaml [--state newshound.db] [--listen ADDR] [--once]
//	newshound check --config watchlist.yaml [--no-env]
//	newshound fetch [--config watchlist.yaml] [--json] URL|FILE
//	newshound match --query 'Q' | --config watchlist.yaml   (document on stdin)
//	newshound status --config watchlist.yaml [--json]
//	newshound feeds import|export --config watchlist.yaml [FILE.opml]
//	newshound watchlist import|export|history [--config watchlist.yaml] [FILE]
//	newshound bench [--feeds N] [--json] [--growth 1000,5000,...]
//	newshound version
//	newshound help [COMMAND]
//
// Every command answers -h with what it does, two examples and its flags.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
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
	// tick, when set, is the daemon's scheduling tick (bot.Options.Tick),
	// shortened by tests; zero is the default.
	tick time.Duration
	// editInterval, when set, replaces the one minute between two edits
	// of an alert (tests).
	editInterval time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, lookup: os.LookupEnv, environ: os.Environ})
	stop()
	os.Exit(code)
}

// cmdFunc runs one command with its arguments and returns the exit code.
type cmdFunc func(context.Context, []string, env) int

// cmds maps each command name to its function. Every name has an entry in
// helpTable (help.go), and a test checks both ways.
func cmds() map[string]cmdFunc {
	return map[string]cmdFunc{
		"demo":      cmdDemo,
		"init":      cmdInit,
		"run":       cmdRun,
		"check":     cmdCheck,
		"fetch":     cmdFetch,
		"match":     cmdMatch,
		"status":    cmdStatus,
		"report":    cmdReport,
		"feeds":     cmdFeeds,
		"bench":     cmdBench,
		"watchlist": cmdWatchlist,
		"version":   cmdVersion,
		"help":      cmdHelp,
	}
}

// Main runs one newshound command and returns its exit code.
func Main(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		writeUsage(e.stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		return cmdHelp(ctx, args[1:], e)
	case "-version", "--version":
		return cmdVersion(ctx, args[1:], e)
	}
	cmd, ok := cmds()[args[0]]
	if !ok {
		unknownCommand(e.stderr, "newshound", args[0])
		return 2
	}
	return cmd(ctx, args[1:], e)
}

func cmdVersion(_ context.Context, args []string, e env) int {
	fs := newFlagSet("version", e)
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "newshound version: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	fmt.Fprintf(e.stdout, "newshound %s\n", version)
	return 0
}
