package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
)

// cmdMatch matches one document read on stdin (first line the title, the
// rest the body). Exit 0 if it matches, 1 if not, 2 on an invalid query.
func cmdMatch(_ context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	query := fs.String("query", "", "a keyword `query` to test")
	path := fs.String("config", "", "match every watch of this watchlist `file`")
	source := fs.String("source", "", "feed `name` the document comes from (for source: scopes)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if (*query == "") == (*path == "") {
		fmt.Fprintln(e.stderr, "newshound match: give exactly one of --query and --config")
		return 2
	}
	var m *match.Matcher
	if *query != "" {
		var err error
		m, err = match.CompileQuery(*query, nil)
		if err != nil {
			var qe *match.QueryError
			if errors.As(err, &qe) {
				fmt.Fprintf(e.stderr, "newshound match: invalid query: %s\n", qe.Error())
			} else {
				fmt.Fprintf(e.stderr, "newshound match: %v\n", err)
			}
			return 2
		}
	} else {
		cfg := loadConfig(*path, e)
		if cfg == nil {
			return 2
		}
		var err error
		if m, err = bot.Compile(cfg); err != nil {
			fmt.Fprintf(e.stderr, "newshound match: %v\n", err)
			return 2
		}
	}
	title, body, err := readDocument(e.stdin)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound match: reading stdin: %v\n", err)
		return 2
	}
	doc := match.ItemDocument(feeds.Item{Title: title, Summary: body, Feed: *source})
	hits := m.Match(doc)
	if len(hits) == 0 {
		fmt.Fprintln(e.stdout, "no match")
		return 1
	}
	for _, h := range hits {
		printHit(e.stdout, doc, h)
	}
	return 0
}

// readDocument splits stdin into a title (first line) and a body.
func readDocument(r io.Reader) (title, body string, err error) {
	data, err := io.ReadAll(bufio.NewReader(io.LimitReader(r, 16<<20)))
	if err != nil {
		return "", "", err
	}
	s := strings.TrimPrefix(string(data), "\ufeff")
	title, body, _ = strings.Cut(s, "\n")
	return strings.TrimRight(title, "\r"), body, nil
}

// printHit shows a watch that matched, the query that hit and the spans.
func printHit(w io.Writer, doc match.Document, h match.Hit) {
	fmt.Fprintf(w, "match: %s\n", h.Watch)
	fmt.Fprintf(w, "  query: %s\n", h.Query)
	if h.Urgent {
		fmt.Fprintln(w, "  urgent: yes")
	}
	for _, sp := range h.Spans {
		text := doc.Title
		if sp.Field == "body" {
			text = doc.Body
		}
		if sp.Start < 0 || sp.End > len(text) || sp.Start > sp.End {
			continue
		}
		fmt.Fprintf(w, "  %s[%d:%d]: %q\n", sp.Field, sp.Start, sp.End, text[sp.Start:sp.End])
	}
}
