package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
)

// fetchMatch is one watch that matched an item, for --json output.
type fetchMatch struct {
	Watch string   `json:"watch"`
	Terms []string `json:"terms"`
	Query string   `json:"query"`
}

// fetchLine is one item of `fetch --json`.
type fetchLine struct {
	Title string `json:"title"`
	Link  string `json:"link"`
	// Published is null for an item whose date could not be read; it is
	// then Undated and FirstSeen says when it was read.
	Published *time.Time   `json:"published"`
	Undated   bool         `json:"undated,omitempty"`
	FirstSeen time.Time    `json:"first_seen"`
	ID        string       `json:"id"`
	Source    string       `json:"source,omitempty"`
	Summary   string       `json:"summary,omitempty"`
	Matches   []fetchMatch `json:"matches"`
}

// cmdFetch fetches (or reads) one feed and prints its items and, with a
// config, which watches match. A feed that cannot be parsed exits 1.
func cmdFetch(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("fetch", e)
	path := fs.String("config", "", "watchlist `file` whose watches are matched")
	asJSON := fs.Bool("json", false, "print one JSON object per item")
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "newshound fetch: give one URL or FILE")
		return 2
	}
	target := fs.Arg(0)
	loc := time.UTC
	var m *match.Matcher
	name := "fetch"
	if *path != "" {
		cfg := loadConfig(*path, e)
		if cfg == nil {
			return 1
		}
		loc = cfg.Location
		var err error
		if m, err = bot.Compile(cfg); err != nil {
			fmt.Fprintf(e.stderr, "newshound fetch: %v\n", err)
			return 1
		}
		for _, f := range cfg.Feeds {
			if f.URL == target || f.Name == target {
				name, target = f.Name, f.URL
			}
		}
	}
	res, err := fetchOrRead(ctx, target, name, loc)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound fetch: %v\n", err)
		return 1
	}
	out := e.stdout
	for _, it := range res.Items {
		line := fetchLine{Title: it.Title, Link: it.Link, Undated: it.Undated, FirstSeen: it.FirstSeen, ID: it.Key, Source: it.Source,
			Summary: feeds.Snippet(it.Body(), 0, 300), Matches: []fetchMatch{}}
		if !it.Undated {
			line.Published = &it.Published
		}
		if m != nil {
			for _, h := range m.Match(match.ItemDocument(it)) {
				line.Matches = append(line.Matches, fetchMatch{Watch: h.Watch, Terms: h.Terms, Query: h.Query})
			}
		}
		if *asJSON {
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(line); err != nil {
				fmt.Fprintf(e.stderr, "newshound fetch: %v\n", err)
				return 1
			}
			continue
		}
		printItem(out, line, loc)
	}
	if !*asJSON {
		fmt.Fprintf(out, "%d items", len(res.Items))
		if res.Skipped > 0 {
			fmt.Fprintf(out, " (%d entries skipped: %s)", res.Skipped, reasons(res.Stats.SkippedReasons))
		}
		if res.Stats.Duplicates > 0 {
			fmt.Fprintf(out, " (%d duplicate entries merged)", res.Stats.Duplicates)
		}
		if n := res.Stats.Undated; n > 0 {
			fmt.Fprintf(out, " (%d undated)", n)
		}
		fmt.Fprintln(out)
		if res.Stats.Repairs > 0 || res.Stats.ForbiddenChars > 0 {
			fmt.Fprintf(out, "repaired: %d invalid byte run(s) at offsets %v, %d character(s) XML forbids dropped\n",
				res.Stats.Repairs, res.Stats.RepairOffsets, res.Stats.ForbiddenChars)
		}
		if len(res.Stats.Fixes) > 0 {
			fmt.Fprintf(out, "fixed: %s\n", reasons(res.Stats.Fixes))
		}
	}
	return 0
}

// reasons prints skip counts as "empty 2, unparseable 1", in name order.
func reasons(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func printItem(w io.Writer, l fetchLine, loc *time.Location) {
	when := "undated (first seen " + l.FirstSeen.In(loc).Format("2006-01-02 15:04 MST") + ")"
	if l.Published != nil {
		when = l.Published.In(loc).Format("2006-01-02 15:04 MST")
	}
	fmt.Fprintf(w, "%s\n  %s\n  %s  id=%s\n", l.Title, l.Link, when, l.ID)
	for _, m := range l.Matches {
		fmt.Fprintf(w, "  match: %s (%s)\n", m.Watch, strings.Join(m.Terms, ", "))
	}
}

// fetchOrRead fetches an http(s) URL or parses a local file.
func fetchOrRead(ctx context.Context, target, name string, loc *time.Location) (feeds.Result, error) {
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		f := feeds.NewHTTPFetcher(feeds.Options{Version: version, Location: loc})
		return f.Fetch(ctx, feeds.Source{Name: name, URL: target}, feeds.Validators{})
	}
	data, err := os.ReadFile(target)
	if err != nil {
		return feeds.Result{}, err
	}
	res, err := feeds.Parse(data, "", name, "", loc, time.Now())
	if err != nil {
		return feeds.Result{}, fmt.Errorf("%s: %w", target, err)
	}
	return res, nil
}
