package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a watchlist, at the position of the offending
// value.
type Error struct {
	File      string // as given to Parse; "" when unnamed
	Line, Col int    // 1-based; Col counts characters
	Path      string // such as "watches[2].keywords[0]"; "" for the whole file
	Msg       string
	// Var names the environment variable the problem is about, when it is
	// one that is not set or not usable (such as a bot token), so a
	// caller can say how to fix it. It is not part of Error().
	Var string
}

// Error formats the problem as "FILE:LINE:COL: PATH: MSG".
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Col)
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors lists every problem found in a watchlist, in file order.
type Errors []*Error

// Error formats the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, for errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sortByPosition puts es in file order, keeping the order of problems at the
// same position.
func sortByPosition(es Errors) {
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}
