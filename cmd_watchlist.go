package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/postgres"
	"github.com/newshound/newshound/suggest"
)

const watchlistUsage = `Usage:
  newshound watchlist import [--config FILE] [--no-env] NEW.yaml   save NEW.yaml as the next version in the database
  newshound watchlist export [--config FILE] [--version N]         print the version in force (or version N)
  newshound watchlist history [--config FILE] [--limit N]          list the saved versions, newest first
`

// cmdWatchlist moves the watchlist in and out of the database, where it
// lives when the store is PostgreSQL (docs/replicas.md).
func cmdWatchlist(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, watchlistUsage)
		return 2
	}
	subs := []string{"import", "export", "history"}
	switch args[0] {
	case "import", "export", "history":
		return watchlistSub(ctx, args[0], args[1:], e)
	case "-h", "-help", "--help", "help":
		return parseExit(newFlagSet("watchlist", e), flag.ErrHelp, e)
	}
	if s, ok := suggest.Closest(args[0], subs); ok {
		fmt.Fprintf(e.stderr, "newshound watchlist: unknown subcommand %q; did you mean %q?\n\n%s", args[0], s, watchlistUsage)
		return 2
	}
	fmt.Fprintf(e.stderr, "newshound watchlist: unknown subcommand %q\n\n%s", args[0], watchlistUsage)
	return 2
}

func watchlistSub(ctx context.Context, sub string, args []string, e env) int {
	fs := newFlagSet("watchlist "+sub, e)
	path := fs.String("config", "watchlist.yaml", "watchlist `file` naming the database (store.postgres)")
	noEnv := fs.Bool("no-env", false, "import: skip the checks that need the environment, as check --no-env")
	ver := fs.Int64("version", 0, "export: the `version` to print (default: the one in force)")
	limit := fs.Int("limit", 20, "history: how many `versions` to list (0: all)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseExit(fs, err, e)
	}
	prog := "newshound watchlist " + sub
	wantArgs := 0
	if sub == "import" {
		wantArgs = 1
	}
	if len(pos) != wantArgs {
		fmt.Fprintf(e.stderr, "%s: want %d file argument(s), got %d\n\n%s", prog, wantArgs, len(pos), watchlistUsage)
		return 2
	}
	red := redact.New()
	addEnvSecrets(red, e)
	e.stderr = redact.Writer(e.stderr, red)
	cfgEnv := recordingLookup(e, red)

	// The database is named by --config; an import without a local
	// watchlist may name it in the imported file itself.
	dsnFile := *path
	if sub == "import" && !flagGiven(fs, "config") {
		if _, err := os.Stat(dsnFile); errors.Is(err, os.ErrNotExist) {
			dsnFile = pos[0]
		}
	}
	data, err := os.ReadFile(dsnFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", prog, err)
		return 1
	}
	cfg, err := config.Parse(dsnFile, data, cfgEnv.lookup)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", prog, err)
		return 1
	}
	if cfg.Store.Postgres == "" {
		fmt.Fprintf(e.stderr, "%s: %s sets no store.postgres: without PostgreSQL the watchlist is the file itself; edit it there\n", prog, dsnFile)
		return 1
	}
	st, err := postgres.Open(ctx, cfg.Store.Postgres)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", prog, err)
		return 1
	}
	defer st.Close()

	switch sub {
	case "export":
		d, err := st.Watchlist(ctx)
		if *ver > 0 {
			d, err = st.WatchlistVersion(ctx, *ver)
		}
		if errors.Is(err, store.ErrNotFound) {
			fmt.Fprintf(e.stderr, "%s: no such version in the database (a bot seeds it from its file on first start)\n", prog)
			return 1
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", prog, err)
			return 1
		}
		_, _ = e.stdout.Write(d.Text)
		return 0
	case "history":
		hist, err := st.WatchlistHistory(ctx, *limit)
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", prog, err)
			return 1
		}
		out := redact.Writer(e.stdout, red)
		for _, d := range hist {
			fmt.Fprintf(out, "version %d  %s  sha256 %s  %s\n", d.Version, d.At.Format("2006-01-02 15:04:05 MST"), d.Hash[:12], plainLine(d.By))
		}
		if len(hist) == 0 {
			fmt.Fprintln(out, "no version saved yet (a bot seeds it from its file on first start)")
		}
		return 0
	}

	// import
	src, err := os.ReadFile(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", prog, err)
		return 1
	}
	if _, err := config.Validate(pos[0], src, config.Env{Lookup: cfgEnv.lookup, Skip: *noEnv}); err != nil {
		var list config.Errors
		if errors.As(err, &list) {
			for _, le := range list {
				fmt.Fprintln(e.stderr, le.Error())
			}
		} else {
			fmt.Fprintln(e.stderr, err)
		}
		fmt.Fprintf(e.stderr, "%s: %s does not validate: nothing imported\n", prog, pos[0])
		return 1
	}
	var base int64
	head, err := st.Watchlist(ctx)
	switch {
	case err == nil:
		base = head.Version
		if head.Hash == config.SourceHash(src) {
			fmt.Fprintf(e.stdout, "%s is already version %d, the one in force: nothing to do\n", pos[0], head.Version)
			return 0
		}
	case !errors.Is(err, store.ErrNotFound):
		fmt.Fprintf(e.stderr, "%s: %v\n", prog, err)
		return 1
	}
	host, _ := os.Hostname()
	d, err := st.PutWatchlist(ctx, base, src, fmt.Sprintf("import of %s on %s", pos[0], host))
	if errors.Is(err, store.ErrConflict) {
		fmt.Fprintf(e.stderr, "%s: another version was saved while importing: nothing imported; export it, merge, and import again\n", prog)
		return 1
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", prog, err)
		return 1
	}
	fmt.Fprintf(e.stdout, "imported %s as version %d; every running replica applies it within seconds\n", pos[0], d.Version)
	return 0
}

// flagGiven reports whether the flag called name was set on the command
// line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
