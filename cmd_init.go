package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/newshound/newshound/config"
)

// envHint is an example value for a variable the starters name.
func envHint(name string) string {
	switch name {
	case "SLACK_WEBHOOK_URL":
		return "https://hooks.slack.com/services/…   # Slack app → Incoming Webhooks"
	case "DISCORD_WEBHOOK_URL":
		return "https://discord.com/api/webhooks/…   # Server Settings → Integrations → Webhooks"
	}
	return "…"
}

// envRef finds ${NAME} references.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// cmdInit writes a commented starter watchlist (config.Starter) whose
// channel is the terminal, a Slack webhook or a Discord webhook, never
// over an existing file, and prints the next three steps: the variables
// to set, check, run.
func cmdInit(_ context.Context, args []string, e env) int {
	fset := newFlagSet("init", e)
	kinds := map[string]*bool{
		"console": fset.Bool("console", false, "alerts in the terminal that runs the bot (the default)"),
		"slack":   fset.Bool("slack", false, "alerts to a Slack channel through an incoming webhook (SLACK_WEBHOOK_URL)"),
		"discord": fset.Bool("discord", false, "alerts to a Discord channel through a webhook (DISCORD_WEBHOOK_URL)"),
	}
	// Flags may come before or after FILE.
	var files []string
	for rest := args; ; {
		if err := fset.Parse(rest); err != nil {
			return parseExit(fset, err, e)
		}
		if fset.NArg() == 0 {
			break
		}
		files = append(files, fset.Arg(0))
		rest = fset.Args()[1:]
	}
	kind := ""
	for _, k := range config.StarterKinds() {
		if *kinds[k] {
			if kind != "" {
				fmt.Fprintf(e.stderr, "newshound init: choose one of --console, --slack, --discord (got --%s and --%s)\n", kind, k)
				return 2
			}
			kind = k
		}
	}
	if kind == "" {
		kind = config.StarterKinds()[0]
	}
	path := "watchlist.yaml"
	switch len(files) {
	case 0:
	case 1:
		path = files[0]
	default:
		fmt.Fprintf(e.stderr, "newshound init: one FILE please, got %d: %s\n", len(files), strings.Join(files, " "))
		return 2
	}

	data, err := config.Starter(kind)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound init: %v\n", err)
		return 1
	}
	// The starter is checked as check --no-env would check the file, so
	// init never writes a file the bot would refuse.
	cfg, err := config.Validate(path, data, config.Env{Skip: true})
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound init: the %s starter is not valid (a bug): %v\n", kind, err)
		return 1
	}
	if err := writeNew(path, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			fmt.Fprintf(e.stderr, "newshound init: %s already exists and was left as it is; name another FILE, or move it away first\n", path)
		} else {
			fmt.Fprintf(e.stderr, "newshound init: %v\n", err)
		}
		return 1
	}

	fmt.Fprintf(e.stdout, "Wrote %s: %s\n\nNext steps:\n", path, cfg.Summary())
	vars := envVars(string(data))
	if len(vars) == 0 {
		fmt.Fprintf(e.stdout, "  1. Nothing to set: the %s channel needs no secret. (For Slack or Discord, run\n     newshound init --slack or --discord with another FILE.)\n", kind)
	} else {
		fmt.Fprintln(e.stdout, "  1. Set the environment variables the file names (never write their values into it):")
		for _, v := range vars {
			fmt.Fprintf(e.stdout, "       export %s=%s\n", v, envHint(v))
		}
	}
	q := shellQuote(path)
	fmt.Fprintf(e.stdout, "  2. Check the file:  newshound check --config %s\n", q)
	fmt.Fprintf(e.stdout, "  3. Start the bot:   newshound run --config %s\n", q)
	return 0
}

// writeNew creates path with data, failing with an fs.ErrExist error when
// the file exists; a partly written file is removed.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// envVars lists the ${NAME} variables of a watchlist's values (comment
// lines left out), each once, in order.
func envVars(text string) []string {
	var out []string
	seen := map[string]bool{}
	for line := range strings.Lines(text) {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, m := range envRef.FindAllStringSubmatch(line, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, m[1])
			}
		}
	}
	return out
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@+,=", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
