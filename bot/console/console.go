// Package console prints alerts and digests to a terminal or a log file,
// so newshound can be tried without any chat account.
package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/newshound/newshound/bot/notify"
)

// Text layout: a snippet is wrapped to lineWidth terminal columns (Hangul
// and other wide characters count two) in at most snippetLines lines.
const (
	lineWidth    = 80
	snippetLines = 3
	fieldIndent  = "    "
	snippetLabel = "snippet: "
)

// Notifier writes each message to W. It is safe for concurrent use.
type Notifier struct {
	name   string
	format string
	// bold marks matched terms with ANSI bold (on a terminal) instead of
	// [brackets].
	bold bool
	mu   sync.Mutex
	w    io.Writer
}

var _ notify.Notifier = (*Notifier)(nil)

// New returns a console notifier for the named channel writing to w.
func New(name string, c Config, w io.Writer) (*Notifier, error) {
	switch c.Format {
	case "", "text", "json":
	default:
		return nil, fmt.Errorf("console: channel %s: unknown format %q", name, c.Format)
	}
	return &Notifier{name: name, format: c.Format, bold: IsTerminal(w), w: w}, nil
}

// IsTerminal reports whether w is a terminal (a character device), where
// ANSI bold shows; files and pipes get plain brackets.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Split returns the message whole: a terminal has no size limit.
func (n *Notifier) Split(m notify.Message) []notify.Message { return []notify.Message{m} }

// Send writes the message. Text is printed as given, with control
// characters removed so feed text cannot drive the terminal.
func (n *Notifier) Send(_ context.Context, m notify.Message) error {
	var b strings.Builder
	if n.format == "json" {
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if m.Kind == notify.KindReport {
			if err := enc.Encode(jsonReport{Channel: n.name, Kind: m.Kind, Header: m.Header, Text: m.Text}); err != nil {
				return notify.Permanent(fmt.Errorf("console: %w", err))
			}
		}
		for _, e := range m.Entries {
			if err := enc.Encode(jsonEntry{Channel: n.name, Kind: m.Kind, Entry: e}); err != nil {
				return notify.Permanent(fmt.Errorf("console: %w", err))
			}
		}
	} else {
		writeText(&b, m, n.bold)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.WriteString(n.w, b.String()); err != nil {
		return notify.Retry(fmt.Errorf("console: channel %s: %w", n.name, err), 0)
	}
	return nil
}

type jsonEntry struct {
	Channel string `json:"channel"`
	// Kind is "surge" for the top stories of a surge alert.
	Kind string `json:"kind,omitempty"`
	notify.Entry
}

// jsonReport is a report in the json format.
type jsonReport struct {
	Channel string `json:"channel"`
	Kind    string `json:"kind"`
	Header  string `json:"header"`
	Text    string `json:"text"`
}

func writeText(b *strings.Builder, m notify.Message, bold bool) {
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	fmt.Fprintf(b, "━━ %s\n", clean(m.Header))
	for line := range strings.Lines(m.Text) {
		fmt.Fprintf(b, "%s\n", clean(strings.TrimSuffix(line, "\n")))
	}
	for _, e := range m.Entries {
		mark := ""
		if e.Urgent {
			mark = "[urgent] "
		}
		fmt.Fprintf(b, "%s[%s] %s\n", mark, clean(e.Watch), clean(e.Title))
		when := e.Published.In(loc).Format("2006-01-02 15:04 MST")
		if e.Undated {
			when = "first seen " + when + " (undated)"
		}
		fmt.Fprintf(b, "    source:  %s · %s\n", clean(e.Source), when)
		fmt.Fprintf(b, "    link:    %s\n", clean(e.Link))
		writeSnippet(b, clean(e.Snippet), e.Terms, bold)
		if len(e.Terms) > 0 {
			fmt.Fprintf(b, "    matched: %s\n", clean(strings.Join(e.Terms, ", ")))
		}
		if len(e.Also) > 0 {
			names := make([]string, len(e.Also))
			for i, s := range e.Also {
				names[i] = clean(s.Name)
			}
			fmt.Fprintf(b, "    also:    +%d: %s\n", len(e.Also), strings.Join(names, ", "))
		}
	}
	if m.More > 0 {
		fmt.Fprintf(b, "    … and %d more (see recent)\n", m.More)
	}
}

// clean drops control characters (ANSI escapes, bells) from feed text.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			if r == '\n' || r == '\t' {
				return ' '
			}
			return -1
		}
		return r
	}, s)
}

// cell is one rune of a snippet and whether it is part of a matched term.
type cell struct {
	r    rune
	mark bool
}

// writeSnippet writes the snippet line of an entry, wrapped under its
// label to lineWidth columns in at most snippetLines lines (cut with
// "…"), with the matched terms marked. Nothing is written for an empty
// snippet.
func writeSnippet(b *strings.Builder, s string, terms []string, bold bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return
	}
	indent := fieldIndent + strings.Repeat(" ", len(snippetLabel))
	markCols := 2 // [ and ]
	if bold {
		markCols = 0
	}
	lines := wrap(markTerms(s, terms), lineWidth-len(indent), snippetLines, markCols)
	for i, line := range lines {
		if i == 0 {
			b.WriteString(fieldIndent + snippetLabel)
		} else {
			b.WriteString(indent)
		}
		b.WriteString(render(line, bold))
		b.WriteByte('\n')
	}
}

// markTerms splits s into cells, marking every occurrence of a term: the
// longest term that matches at a position wins, compared without case,
// and marks never overlap.
func markTerms(s string, terms []string) []cell {
	var out []cell
	for i := 0; i < len(s); {
		best := 0
		for _, t := range terms {
			if n := len(t); n > best && n <= len(s)-i && strings.TrimSpace(t) != "" && strings.EqualFold(s[i:i+n], t) {
				best = n
			}
		}
		if best > 0 {
			for _, r := range s[i : i+best] {
				out = append(out, cell{r, true})
			}
			i += best
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		out = append(out, cell{r, false})
		i += size
	}
	return out
}

// wrap breaks cells into lines of at most cols terminal columns, at
// spaces where it can (mid-word only for a word longer than a line), and
// keeps at most maxLines lines, the last ending with "…" when text was
// left out. markCols is what the marks of one marked run take (2 for
// brackets, 0 for bold).
func wrap(cells []cell, cols, maxLines, markCols int) [][]cell {
	var lines [][]cell
	for len(cells) > 0 {
		n, w, lastSpace := 0, 0, -1
		for n < len(cells) && w+cellWidth(cells, n, markCols) <= cols {
			if cells[n].r == ' ' {
				lastSpace = n
			}
			w += cellWidth(cells, n, markCols)
			n++
		}
		end, next := n, n
		if n < len(cells) {
			if cells[n].r == ' ' {
				next = n + 1
			} else if lastSpace > 0 {
				end, next = lastSpace, lastSpace+1
			}
		}
		if end == 0 { // a line too narrow for one character
			end, next = 1, 1
		}
		lines = append(lines, cells[:end:end])
		cells = cells[next:]
		if len(lines) == maxLines && len(cells) > 0 {
			last := lines[maxLines-1]
			for len(last) > 0 && (lineCols(last, markCols)+1 > cols || last[len(last)-1].r == ' ') {
				last = last[:len(last)-1]
			}
			lines[maxLines-1] = append(last, cell{'…', false})
			break
		}
	}
	return lines
}

// cellWidth is the columns cells[i] takes at the end of a line that
// holds cells[:i+1]: its rune, and the marks when it starts a marked run.
func cellWidth(cells []cell, i, markCols int) int {
	w := runeWidth(cells[i].r)
	if cells[i].mark && (i == 0 || !cells[i-1].mark) {
		w += markCols
	}
	return w
}

// lineCols is the terminal width of one line of cells.
func lineCols(cells []cell, markCols int) int {
	w := 0
	for i := range cells {
		w += cellWidth(cells, i, markCols)
	}
	return w
}

// runeWidth is the number of terminal columns r takes: two for East
// Asian wide and fullwidth characters (Hangul, Han), none for combining
// and format characters, else one.
func runeWidth(r rune) int {
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// render writes cells with the marked runs in ANSI bold or [brackets].
func render(cells []cell, bold bool) string {
	open, closing := "[", "]"
	if bold {
		open, closing = "\x1b[1m", "\x1b[22m"
	}
	var b strings.Builder
	for i, c := range cells {
		if c.mark && (i == 0 || !cells[i-1].mark) {
			b.WriteString(open)
		}
		b.WriteRune(c.r)
		if c.mark && (i == len(cells)-1 || !cells[i+1].mark) {
			b.WriteString(closing)
		}
	}
	return b.String()
}
