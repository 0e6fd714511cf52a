// Package match compiles the watchlist's keyword queries into one automaton
// over normalized text and matches feed items against all of them at once.
//
// Text and queries are normalized the same way (NFKC, Unicode case folding,
// every space and separator punctuation folded to a space), Hangul terms
// match inside longer words so particles attach, and Latin terms match on
// word boundaries.
//
// HeadlineTerms picks the words of a headline that can be exclude: terms,
// for the "Not relevant" button and the report's suggestions.
package match

import "fmt"

// Rule is one watch's queries, as written in the watchlist.
type Rule struct {
	Watch    string
	Keywords []string // any one may match
	Exclude  []string // none may match
	// Urgent queries match like Keywords and, when one matches, mark the
	// hit urgent.
	Urgent []string
	// Feeds limits the rule to these feed names; empty means every feed.
	Feeds []string
}

// Document is the text of one item to match.
type Document struct {
	Title  string
	Body   string // summary and content, already plain text
	Source string // feed name, for source: scopes and Rule.Feeds
	// AnyFeed tests text that comes from no feed (typed into `/news test`
	// or `match`) against every rule, whatever its Feeds list.
	AnyFeed bool
}

// Span is a byte range [Start, End) in the original, un-normalized text of
// a field of the Document ("title" or "body").
type Span struct {
	Field string `json:"field"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Hit is one watch that matched a Document.
type Hit struct {
	Watch string `json:"watch"`
	// Query is the keyword query (as written) that matched first.
	Query string `json:"query"`
	// Terms are the matched pieces of text as they appear in the document,
	// in order of appearance, without duplicates.
	Terms  []string `json:"terms"`
	Spans  []Span   `json:"spans"`
	Urgent bool     `json:"urgent,omitempty"`
}

// QueryError reports an invalid query with its 1-based column (in runes).
type QueryError struct {
	Query  int // 1-based index of the query in its list; 0 when alone
	Column int
	Msg    string
}

func (e *QueryError) Error() string {
	if e.Query > 0 {
		return fmt.Sprintf("query %d, column %d: %s", e.Query, e.Column, e.Msg)
	}
	return fmt.Sprintf("column %d: %s", e.Column, e.Msg)
}
