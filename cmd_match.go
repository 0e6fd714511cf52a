package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/bot/console"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
)

// cmdMatch matches one document read on stdin (first line the title, the
// rest the body). Exit 0 if it matches, 1 if not, 2 on an invalid query.
func cmdMatch(_ context.Context, args []string, e env) int {
	fs := newFlagSet("match", e)
	query := fs.String("query", "", "a keyword `query` to test")
	path := fs.String("config", "", "match every watch of this watchlist `file`")
	source := fs.String("source", "", "feed `name` the document comes from (for source: scopes)")
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
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
	bold := console.IsTerminal(e.stdout) && !noColor(e)
	for _, h := range hits {
		printHit(e.stdout, doc, h, bold)
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

// printHit shows a watch that matched, the query that hit, and each
// span: where it is on stdin (line, and 1-based columns counted in
// characters, as editors count them; the title is line 1), the matched
// text, and its line with the match marked, in bold when bold is set,
// else in [brackets].
func printHit(w io.Writer, doc match.Document, h match.Hit, bold bool) {
	fmt.Fprintf(w, "match: %s\n", h.Watch)
	fmt.Fprintf(w, "  query: %s\n", h.Query)
	if h.Urgent {
		fmt.Fprintln(w, "  urgent: yes")
	}
	for _, sp := range h.Spans {
		text, firstLine := doc.Title, 1
		if sp.Field == "body" {
			text, firstLine = doc.Body, 2
		}
		if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End || !utf8.RuneStart(text[sp.Start]) || sp.End < len(text) && !utf8.RuneStart(text[sp.End]) {
			continue
		}
		fromLine, fromCol := lineCol(text, sp.Start)
		toLine, toCol := lineCol(text, sp.End)
		toCol-- // the column of the last character
		where := fmt.Sprintf("line %d, col %d-%d", firstLine+fromLine-1, fromCol, toCol)
		if toLine != fromLine {
			where = fmt.Sprintf("line %d, col %d to line %d, col %d", firstLine+fromLine-1, fromCol, firstLine+toLine-1, toCol)
		}
		fmt.Fprintf(w, "  %s[%s]: %q\n", sp.Field, where, text[sp.Start:sp.End])
		// The lines that hold the span, each with its part marked.
		lineStart := strings.LastIndexByte(text[:sp.Start], '\n') + 1
		for lineStart <= sp.End && lineStart < len(text) {
			lineEnd := len(text)
			if i := strings.IndexByte(text[lineStart:], '\n'); i >= 0 {
				lineEnd = lineStart + i
			}
			line := strings.TrimRight(text[lineStart:lineEnd], "\r")
			a := max(sp.Start, lineStart) - lineStart
			b := min(sp.End, lineStart+len(line)) - lineStart
			fmt.Fprintf(w, "    %s\n", markedLine(line, a, max(a, b), bold))
			lineStart = lineEnd + 1
		}
	}
}

// lineCol returns the 1-based line and character column of byte offset
// off in text.
func lineCol(text string, off int) (line, col int) {
	before := text[:off]
	line = strings.Count(before, "\n") + 1
	col = utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

// contextRunes bounds the part of a long line shown around a match.
const contextRunes = 120

// markedLine returns line with bytes [a, b) marked, cut to contextRunes
// characters around the mark. Control and format characters in the
// document become spaces, so its text cannot drive the terminal.
func markedLine(line string, a, b int, bold bool) string {
	open, closing := "[", "]"
	if bold {
		open, closing = "\x1b[1m", "\x1b[22m"
	}
	safe := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				return ' '
			}
			return r
		}, s)
	}
	pre, mid, post := []rune(line[:a]), line[a:b], []rune(line[b:])
	room := max(0, contextRunes-utf8.RuneCountInString(mid))
	keepPre := min(len(pre), max(room/3, room-len(post)))
	keepPost := min(len(post), room-keepPre)
	head, tail := string(pre[len(pre)-keepPre:]), string(post[:keepPost])
	if keepPre < len(pre) {
		head = "…" + head
	}
	if keepPost < len(post) {
		tail += "…"
	}
	return safe(head) + open + safe(mid) + closing + safe(tail)
}

// noColor reports whether the user asked for no terminal styling
// (NO_COLOR set and not empty, https://no-color.org).
func noColor(e env) bool {
	v, ok := e.lookup("NO_COLOR")
	return ok && v != ""
}
