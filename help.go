package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/newshound/newshound/suggest"
)

// summary is the first line of every help text.
const summary = "newshound watches news feeds and posts matches to Slack, Discord or the console."

// helpEntry describes one command. `COMMAND -h`, `newshound help` and
// `newshound help COMMAND` all print from this one table, so they cannot
// disagree; the flags come from the command's own flag set.
type helpEntry struct {
	name string
	// synopsis holds the usage lines, without the leading "newshound ".
	synopsis []string
	// desc says what the command does, in one line.
	desc string
	// examples are whole command lines a user can paste; text after " # "
	// is a comment.
	examples []string
}

// helpTable lists every command in the order newcomers need them.
func helpTable() []helpEntry {
	return []helpEntry{
		{
			name:     "demo",
			synopsis: []string{"demo [--for DURATION] [--every DURATION]"},
			desc:     "runs the real pipeline on two built-in feeds: an alert within 30 s, no network or account",
			examples: []string{
				"newshound demo",
				"newshound demo --for 1m",
			},
		},
		{
			name:     "init",
			synopsis: []string{"init [--slack|--discord|--console] [FILE]"},
			desc:     "writes a commented starter watchlist (keywords, Korean outlets, a Google News search, the chosen channel); never overwrites; prints the next steps",
			examples: []string{
				"newshound init",
				"newshound init --slack team.yaml",
			},
		},
		{
			name:     "run",
			synopsis: []string{"run --config FILE [--state DB] [--listen ADDR] [--once [--feed NAME]]"},
			desc:     "polls the feeds, matches new items against the watches and delivers the alerts; --once does one cycle",
			examples: []string{
				"newshound run --config watchlist.yaml",
				"newshound run --once --feed newsis --config watchlist.yaml   # poll one feed now, whatever its backoff",
			},
		},
		{
			name:     "check",
			synopsis: []string{"check --config FILE [--no-env]"},
			desc:     "validates a watchlist with the rules run uses; prints each error as FILE:LINE:COL and exits 1",
			examples: []string{
				"newshound check --config watchlist.yaml",
				"newshound check --no-env --config watchlist.yaml   # in CI, without the secrets",
			},
		},
		{
			name:     "status",
			synopsis: []string{"status --config FILE [--state DB] [--json] [--no-env]"},
			desc:     "shows each feed's last success, failures and next try, and the pending alerts; read-only beside a running bot",
			examples: []string{
				"newshound status --config watchlist.yaml",
				"newshound status --json --config watchlist.yaml --state newshound.db",
			},
		},
		{
			name:     "report",
			synopsis: []string{"report --config FILE [--state DB] [--watch W] [--since 7d] [--png FILE] [--json] [--send CHANNEL]"},
			desc:     "per watch the matches per day, top stories by outlets, busiest outlets, the change from the period before and the share of alerts voted Not relevant; writes the chart or posts it to a channel",
			examples: []string{
				"newshound report --config watchlist.yaml --png week.png",
				"newshound report --config watchlist.yaml --watch ai-policy --since 2w --send team-slack",
			},
		},
		{
			name:     "fetch",
			synopsis: []string{"fetch [--config FILE] [--json] URL|FILE"},
			desc:     "fetches (or reads) one feed and prints its items and, with a watchlist, which watches match",
			examples: []string{
				"newshound fetch https://www.yna.co.kr/rss/industry.xml",
				"newshound fetch --config watchlist.yaml --json saved-feed.xml",
			},
		},
		{
			name:     "match",
			synopsis: []string{"match --query Q | --config FILE   (the document on stdin)"},
			desc:     "matches a document read on stdin against a query or a watchlist; exits 0 on a match, 1 on none",
			examples: []string{
				"echo '트럼프, 관세 25% 예고' | newshound match --query '트럼프 OR Trump 관세'",
				"newshound match --config watchlist.yaml < article.txt",
			},
		},
		{
			name: "feeds",
			synopsis: []string{
				"feeds import --config FILE [--dry-run] LIST.opml",
				"feeds export --config FILE",
			},
			desc: "adds the feeds of an OPML file to the watchlist, or prints the watchlist's feeds as OPML",
			examples: []string{
				"newshound feeds import --dry-run --config watchlist.yaml subscriptions.opml",
				"newshound feeds export --config watchlist.yaml > feeds.opml",
			},
		},
		{
			name: "watchlist",
			synopsis: []string{
				"watchlist import [--config FILE] [--no-env] NEW.yaml",
				"watchlist export [--config FILE] [--version N]",
				"watchlist history [--config FILE] [--limit N]",
			},
			desc: "with PostgreSQL the watchlist lives in the database, shared by every replica: saves a file as its next version, prints a version (comments kept), or lists the versions",
			examples: []string{
				"newshound watchlist export --config watchlist.yaml > current.yaml",
				"newshound watchlist import --config watchlist.yaml current.yaml",
			},
		},
		{
			name:     "bench",
			synopsis: []string{"bench [--feeds N] [--queries N] [--concurrency N] [--per-host N] [--repeat N] [--growth N,N,...] [--json]"},
			desc:     "measures full cycles of the real pipeline on local feeds against the floor (fetch + parse) and a naive pipeline in the same run",
			examples: []string{
				"newshound bench --feeds 2000",
				"newshound bench --growth 1000,5000,10000,20000 --plot docs/bench-growth.png",
			},
		},
		{
			name:     "version",
			synopsis: []string{"version"},
			desc:     "prints the version",
			examples: []string{
				"newshound version",
				"newshound --version",
			},
		},
		{
			name:     "help",
			synopsis: []string{"help [COMMAND]"},
			desc:     "lists every command with examples, or shows one command's help",
			examples: []string{
				"newshound help",
				"newshound help run",
			},
		},
	}
}

// lookupHelp returns the entry of the command name.
func lookupHelp(name string) (helpEntry, bool) {
	for _, h := range helpTable() {
		if h.name == name {
			return h, true
		}
	}
	return helpEntry{}, false
}

// commandNames lists the commands that run, in table order, for
// suggestions.
func commandNames() []string {
	run := cmds()
	var names []string
	for _, h := range helpTable() {
		if _, ok := run[h.name]; ok {
			names = append(names, h.name)
		}
	}
	return names
}

// writeUsage prints the short list of commands, shown when no command or
// an unknown one is given.
func writeUsage(w io.Writer) {
	table := helpTable()
	width := 0
	for _, h := range table {
		width = max(width, len(h.name))
	}
	fmt.Fprintf(w, "%s\n\nUsage: newshound COMMAND [flags]\n\nCommands:\n", summary)
	for _, h := range table {
		fmt.Fprintf(w, "  %-*s  %s\n", width, h.name, h.desc)
	}
	fmt.Fprint(w, "\nRun \"newshound help\" for every command with examples, \"newshound COMMAND -h\" for one command and its flags.\n")
}

// writeHelpList prints every command with its usage, description and
// examples: `newshound help`.
func writeHelpList(w io.Writer) {
	fmt.Fprintf(w, "%s\n\nCommands:\n", summary)
	for _, h := range helpTable() {
		fmt.Fprintln(w)
		for _, s := range h.synopsis {
			fmt.Fprintf(w, "  newshound %s\n", s)
		}
		fmt.Fprintf(w, "      %s\n", h.desc)
		for _, ex := range h.examples {
			fmt.Fprintf(w, "      $ %s\n", ex)
		}
	}
	fmt.Fprint(w, "\nRun \"newshound COMMAND -h\" (or \"newshound help COMMAND\") for a command's flags.\n")
}

// writeHelp prints one command's help: usage, description, examples and,
// when fs is not nil, its flags.
func writeHelp(w io.Writer, h helpEntry, fs *flag.FlagSet) {
	fmt.Fprintln(w, "Usage:")
	for _, s := range h.synopsis {
		fmt.Fprintf(w, "  newshound %s\n", s)
	}
	fmt.Fprintf(w, "\n%s\n\nExamples:\n", capitalize(h.desc))
	for _, ex := range h.examples {
		fmt.Fprintf(w, "  %s\n", ex)
	}
	writeFlags(w, fs)
}

// writeFlags prints the flags of fs, if it has any, spelled with two
// dashes as the examples are (the flag package accepts one or two).
func writeFlags(w io.Writer, fs *flag.FlagSet) {
	if fs == nil {
		return
	}
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprintln(w, "\nFlags:")
			first = false
		}
		arg, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s", f.Name)
		if arg != "" {
			fmt.Fprintf(w, " %s", arg)
		}
		fmt.Fprintf(w, "\n      %s", usage)
		if g, ok := f.Value.(flag.Getter); ok {
			switch v := g.Get().(type) {
			case string:
				if v != "" {
					fmt.Fprintf(w, " (default %q)", v)
				}
			case bool:
				if v {
					fmt.Fprint(w, " (default true)")
				}
			default:
				if f.DefValue != "0" && f.DefValue != "0s" {
					fmt.Fprintf(w, " (default %s)", f.DefValue)
				}
			}
		} else if f.DefValue != "" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// capitalize makes a description a sentence.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// newFlagSet returns the flag set of a command (name as in the help table,
// or "feeds import" for a subcommand), whose errors go to e.stderr. Its
// Usage prints nothing: parseExit prints the help, to stdout when it was
// asked for with -h and to stderr after a bad flag.
func newFlagSet(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {}
	return fs
}

// parseExit is the exit code of a command whose flags failed to parse
// with err: 0 after printing the help for -h, -help or --help; 2 after a
// bad flag, naming the nearest known flag and the usage.
func parseExit(fs *flag.FlagSet, err error, e env) int {
	name, _, _ := strings.Cut(fs.Name(), " ")
	h, known := lookupHelp(name)
	if errors.Is(err, flag.ErrHelp) {
		if !known {
			writeFlags(e.stdout, fs)
			return 0
		}
		writeHelp(e.stdout, h, fs)
		return 0
	}
	// The flag package has printed err already.
	if bad, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: "); ok {
		var flags []string
		fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
		if s, ok := suggest.Closest(strings.TrimLeft(bad, "-"), flags); ok {
			fmt.Fprintf(e.stderr, "did you mean --%s?\n", s)
		}
	}
	if known {
		fmt.Fprintln(e.stderr, "\nUsage:")
		for _, s := range h.synopsis {
			fmt.Fprintf(e.stderr, "  newshound %s\n", s)
		}
	}
	writeFlags(e.stderr, fs)
	fmt.Fprintf(e.stderr, "\nRun \"newshound help %s\" for examples.\n", name)
	return 2
}

// cmdHelp is `newshound help [COMMAND]`: with no argument the list of
// every command with examples, else what `COMMAND -h` prints.
func cmdHelp(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("help", e)
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
	}
	switch fs.NArg() {
	case 0:
		writeHelpList(e.stdout)
		return 0
	case 1:
	default:
		fmt.Fprintln(e.stderr, "newshound help: give at most one command")
		return 2
	}
	name := fs.Arg(0)
	cmd, ok := cmds()[name]
	if !ok {
		unknownCommand(e.stderr, "newshound help", name)
		return 2
	}
	return cmd(ctx, []string{"-h"}, e)
}

// unknownCommand reports a command that does not exist, with the nearest
// one if any is near enough, else with the list of commands.
func unknownCommand(w io.Writer, prefix, name string) {
	if s, ok := suggest.Closest(name, commandNames()); ok {
		fmt.Fprintf(w, "%s: unknown command %q; did you mean %q?\nRun \"newshound help\" for every command.\n", prefix, name, s)
		return
	}
	fmt.Fprintf(w, "%s: unknown command %q\n\n", prefix, name)
	writeUsage(w)
}
