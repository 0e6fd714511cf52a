package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/newshound/newshound/config"
)

// loadConfig reads and validates the watchlist as the bot runs it,
// printing every error with its position. It returns nil when the file is
// not valid.
func loadConfig(path string, e env) *config.Config {
	return loadConfigIn(path, e, config.Env{Lookup: e.lookup})
}

// loadConfigIn is loadConfig in the environment ce.
func loadConfigIn(path string, e env, ce config.Env) *config.Config {
	cfg, err := parseConfigIn(path, ce)
	if err != nil {
		var list config.Errors
		if errors.As(err, &list) {
			for _, le := range list {
				fmt.Fprintln(e.stderr, le.Error())
			}
			fmt.Fprintf(e.stderr, "%s: %d error(s)\n", path, len(list))
		} else {
			fmt.Fprintf(e.stderr, "%s: %v\n", path, err)
		}
		return nil
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w.Error())
	}
	return cfg
}

func cmdCheck(_ context.Context, args []string, e env) int {
	fs := newFlagSet("check", e)
	path := fs.String("config", "watchlist.yaml", "watchlist `file` to validate")
	noEnv := fs.Bool("no-env", false, "skip the checks that need the environment (${NAME} values, the bot tokens channels need), for CI jobs that hold no secrets")
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
	}
	cfg := loadConfigIn(*path, e, config.Env{Lookup: e.lookup, Skip: *noEnv})
	if cfg == nil {
		return 1
	}
	fmt.Fprintln(e.stdout, cfg.Summary())
	if *noEnv {
		fmt.Fprintln(e.stdout, "Environment not checked (--no-env): ${NAME} values and the variables channels and /news need were skipped; check again where the bot runs.")
	}
	return 0
}

// parseConfig reads the watchlist and validates it as the bot runs it, in
// the process environment of e: the one validation check, run, reloads
// and chat edits share (config.Validate).
func parseConfig(path string, e env) (*config.Config, error) {
	return parseConfigIn(path, config.Env{Lookup: e.lookup})
}

// parseConfigIn is parseConfig in the environment ce.
func parseConfigIn(path string, ce config.Env) (*config.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Validate(path, data, ce)
	if err != nil {
		return nil, err
	}
	cfg.Path = path
	return cfg, nil
}
