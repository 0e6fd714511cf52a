package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/newshound/newshound/config"
)

// loadConfig reads and validates the watchlist, printing every error with
// its position. It returns nil when the file is not valid.
func loadConfig(path string, e env) *config.Config {
	cfg, err := parseConfig(path, e)
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
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	path := fs.String("config", "watchlist.yaml", "watchlist `file` to validate")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg := loadConfig(*path, e)
	if cfg == nil {
		return 1
	}
	fmt.Fprintln(e.stdout, cfg.Summary())
	return 0
}

// parseConfig reads and validates the watchlist with the process
// environment of e.
func parseConfig(path string, e env) (*config.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Parse(path, data, e.lookup)
	if err != nil {
		return nil, err
	}
	cfg.Path = path
	return cfg, nil
}
