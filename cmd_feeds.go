package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/opml"
	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/suggest"
)

const feedsUsage = `Usage:
  newshound feeds import --config FILE [--dry-run] LIST.opml   add the feeds of an OPML file
  newshound feeds export --config FILE                         print the feeds as OPML 2.0
`

// cmdFeeds moves feeds between the watchlist and OPML files, the format
// feed readers import and export.
func cmdFeeds(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, feedsUsage)
		return 2
	}
	switch args[0] {
	case "import":
		return feedsImport(ctx, args[1:], e)
	case "export":
		return feedsExport(ctx, args[1:], e)
	case "-h", "-help", "--help", "help":
		return parseExit(newFlagSet("feeds", e), flag.ErrHelp, e)
	}
	if s, ok := suggest.Closest(args[0], []string{"import", "export"}); ok {
		fmt.Fprintf(e.stderr, "newshound feeds: unknown subcommand %q; did you mean %q?\n\n%s", args[0], s, feedsUsage)
		return 2
	}
	fmt.Fprintf(e.stderr, "newshound feeds: unknown subcommand %q\n\n%s", args[0], feedsUsage)
	return 2
}

// parseInterleaved parses flags written before or after the positional
// arguments ("import FILE --dry-run" as well as "import --dry-run FILE").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// lookupOf is e's environment, never nil: the editor would read the
// process environment for a nil one.
func lookupOf(e env) func(string) (string, bool) {
	if e.lookup != nil {
		return e.lookup
	}
	return func(string) (string, bool) { return "", false }
}

// errDryRun ends a dry run's edit after it has been checked.
var errDryRun = errors.New("dry run")

func feedsImport(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("feeds import", e)
	path := fs.String("config", "watchlist.yaml", "watchlist `file` to add the feeds to")
	dryRun := fs.Bool("dry-run", false, "check and report what would be added, without writing the watchlist")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseExit(fs, err, e)
	}
	if len(pos) != 1 {
		fmt.Fprintf(e.stderr, "newshound feeds import: give one OPML file\n\n%s", feedsUsage)
		return 2
	}
	f, err := os.Open(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound feeds import: %v\n", err)
		return 1
	}
	doc, err := opml.Parse(f)
	_ = f.Close()
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", pos[0], err)
		return 1
	}

	getenv := lookupOf(e)
	ed := &config.Editor{Path: *path, Getenv: getenv}
	// With PostgreSQL the watchlist lives in the database: the feeds are
	// added there (every replica applies them), not to this file.
	if docs, closeDocs, err := databaseDocs(ctx, *path, getenv, "feeds import of "+pos[0]); err != nil {
		fmt.Fprintf(e.stderr, "newshound feeds import: %v\n", err)
		return 1
	} else if docs != nil {
		defer closeDocs()
		ed.Docs = docs
	}
	var plan importPlan
	res, err := ed.Update(ctx, func(d *config.Doc) error {
		// Planned on the file as it is now; a retry after a concurrent
		// hand edit plans again.
		plan = planImport(d.Config().Feeds, doc.Feeds)
		for _, a := range plan.added {
			if err := d.AddFeed(config.Feed{Name: a.name, URL: a.feed.XMLURL}); err != nil {
				return fmt.Errorf("line %d: %w", a.feed.Line, err)
			}
		}
		if *dryRun {
			if len(plan.added) > 0 {
				if _, err := config.Validate(*path, d.Bytes(), config.Env{Lookup: getenv}); err != nil {
					return fmt.Errorf("%w: %w", config.ErrEditInvalid, err)
				}
			}
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		printEditError(e, *path, err)
		return 1
	}
	verb := "added"
	if *dryRun {
		verb = "would add"
	}
	for _, a := range plan.added {
		fmt.Fprintf(e.stdout, "%s feed %q: %s (line %d, %q)\n", verb, a.name, redact.URL(a.feed.XMLURL), a.feed.Line, a.feed.Title)
	}
	for _, d := range plan.dups {
		fmt.Fprintf(e.stdout, "skipped line %d: %s is %s\n", d.feed.Line, redact.URL(d.feed.XMLURL), d.reason)
	}
	for _, s := range doc.Skipped {
		fmt.Fprintf(e.stdout, "invalid outline, line %d %q: %s\n", s.Line, s.Text, s.Reason)
	}
	summary := fmt.Sprintf("%s: %d %s, %d duplicate(s) skipped, %d invalid outline(s)", *path, len(plan.added), verb, len(plan.dups), len(doc.Skipped))
	switch {
	case *dryRun:
		summary += "; nothing written (--dry-run)"
	case res != nil && res.Before == res.After:
		summary += "; nothing to write"
	}
	fmt.Fprintln(e.stdout, summary)
	return 0
}

// printEditError prints a failed edit, each validation error on its own
// line with its position.
func printEditError(e env, path string, err error) {
	var list config.Errors
	if errors.As(err, &list) {
		switch {
		case errors.Is(err, config.ErrFileInvalid):
			fmt.Fprintf(e.stderr, "%s: the watchlist has errors; nothing was changed\n", path)
		case errors.Is(err, config.ErrEditInvalid):
			fmt.Fprintf(e.stderr, "%s: the feeds would make the watchlist invalid; nothing was changed\n", path)
		}
		for _, le := range list {
			fmt.Fprintln(e.stderr, le.Error())
		}
		return
	}
	fmt.Fprintf(e.stderr, "newshound feeds import: %v\n", err)
}

// plannedFeed is a feed an import adds.
type plannedFeed struct {
	name string
	feed opml.Feed
}

// skippedFeed is a feed an import leaves out, and why.
type skippedFeed struct {
	feed   opml.Feed
	reason string
}

// importPlan is what an import does to a watchlist.
type importPlan struct {
	added []plannedFeed
	dups  []skippedFeed
}

// planImport picks the feeds of in whose address (compared in canonical
// form, see feeds.CanonicalURL) is neither in the watchlist nor earlier in
// the file, and names each from its title.
func planImport(existing []config.Feed, in []opml.Feed) importPlan {
	var p importPlan
	byURL := map[string]string{} // canonical URL → what holds it
	names := map[string]bool{}
	for _, f := range existing {
		names[f.Name] = true
		if c := feeds.CanonicalURL(f.URL); c != "" {
			if _, ok := byURL[c]; !ok {
				byURL[c] = fmt.Sprintf("already in the watchlist as feed %q", f.Name)
			}
		}
	}
	for _, f := range in {
		c := feeds.CanonicalURL(f.XMLURL)
		if held, ok := byURL[c]; ok {
			p.dups = append(p.dups, skippedFeed{f, held})
			continue
		}
		name := uniqueName(feedSlug(f.Title, f.XMLURL), names)
		names[name] = true
		byURL[c] = fmt.Sprintf("a duplicate of line %d (feed %q)", f.Line, name)
		p.added = append(p.added, plannedFeed{name, f})
	}
	return p
}

// maxSlug is the longest name an import makes, in characters.
const maxSlug = 40

// feedSlug makes a feed name from a title: NFKC, lower case, letters and
// digits of every script kept (Hangul included), '_' and '.' kept, every
// other run of characters (spaces, punctuation, symbols) made one '-'. A
// title with nothing left gives the first label of the feed's host, as
// chat does (not for an IP address), and then "feed". The result is a valid name: no spaces or
// control characters.
func feedSlug(title, rawURL string) string {
	if s := slug(title); s != "" {
		return s
	}
	if u, err := url.Parse(rawURL); err == nil && net.ParseIP(u.Hostname()) == nil {
		host, _, _ := strings.Cut(strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."), ".")
		if s := slug(host); s != "" {
			return s
		}
	}
	return "feed"
}

func slug(s string) string {
	var b strings.Builder
	n, dash := 0, false
	for _, r := range strings.ToLower(norm.NFKC.String(s)) {
		if n >= maxSlug {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_' || r == '.' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
				n++
			}
			dash = false
			b.WriteRune(r)
			n++
			continue
		}
		dash = true
	}
	return strings.Trim(b.String(), "-._")
}

// uniqueName returns base, or base-2, base-3, … the first not in taken.
func uniqueName(base string, taken map[string]bool) string {
	if !taken[base] {
		return base
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s-%d", base, i); !taken[n] {
			return n
		}
	}
}

func feedsExport(_ context.Context, args []string, e env) int {
	fs := newFlagSet("feeds export", e)
	path := fs.String("config", "watchlist.yaml", "watchlist `file` whose feeds to print")
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "newshound feeds export: unexpected argument %q\n\n%s", fs.Arg(0), feedsUsage)
		return 2
	}
	cfg := loadConfigIn(*path, e, config.Env{Lookup: lookupOf(e)})
	if cfg == nil {
		return 1
	}
	if err := opml.Write(e.stdout, exportDoc(cfg, time.Now())); err != nil {
		fmt.Fprintf(e.stderr, "newshound feeds export: %v\n", err)
		return 1
	}
	return 0
}

// exportDoc is the OPML of cfg's feeds: each under its name, at the
// address the bot reads (a google_news feed's search URL).
func exportDoc(cfg *config.Config, now time.Time) *opml.Document {
	doc := &opml.Document{Title: "newshound feeds", DateCreated: opml.FormatDate(now.UTC())}
	for _, f := range cfg.Feeds {
		doc.Feeds = append(doc.Feeds, opml.Feed{Text: f.Name, Title: f.Name, XMLURL: f.URL, Type: "rss"})
	}
	return doc
}
