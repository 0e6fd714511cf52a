package match

import (
	"fmt"
	"strings"
	"unicode"
)

// maxDepth bounds parenthesis nesting so that parsing stays shallow.
const maxDepth = 32

// field is a bit set of the document fields a term is looked up in.
type field uint8

const (
	fieldTitle field = 1 << iota
	fieldBody
	fieldSource
	fieldText = fieldTitle | fieldBody
)

// fieldNames maps a field scope (without the colon) to its fields.
var fieldNames = map[string]field{"title": fieldTitle, "source": fieldSource}

type tokKind uint8

const (
	tokWord tokKind = iota
	tokPhrase
	tokLParen
	tokRParen
	tokOr
	tokAnd
	tokMinus
	tokField
)

type token struct {
	kind  tokKind
	text  string
	col   int // 1-based rune column of the token's first rune
	field field
}

// op is the kind of a query node.
type op uint8

const (
	opLeaf op = iota
	opAnd
	opOr
	opNot
)

// node is a query expression.
type node struct {
	op   op
	kids []*node
	leaf int // index into parsed.leaves for opLeaf
}

// leaf is one term or phrase of a query, normalized, with its synonyms.
type leaf struct {
	alts  []string // compact normalized forms; alts[0] is the term itself
	scope field
	neg   bool // under an odd number of negations
}

// parsed is a parsed query.
type parsed struct {
	root   *node
	leaves []leaf
}

// synonymIndex maps a compact normalized term to the members of every
// synonym group that contains it.
type synonymIndex map[string][]string

func newSynonymIndex(groups [][]string) (synonymIndex, error) {
	var n normalizer
	idx := synonymIndex{}
	for gi, g := range groups {
		members := make([]string, 0, len(g))
		for mi, m := range g {
			c := string(n.run(m, true).text)
			if c == "" {
				return nil, fmt.Errorf("match: synonyms: group %d, member %d: %q has no letters, digits or symbols", gi+1, mi+1, m)
			}
			members = append(members, c)
		}
		for _, m := range members {
			for _, o := range members {
				if !containsString(idx[m], o) {
					idx[m] = append(idx[m], o)
				}
			}
		}
	}
	return idx, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CheckQuery reports whether q is a valid query, returning a *QueryError
// (Query 0) with the column of the problem when it is not. Synonym groups
// are those of the watchlist; an invalid group is reported as a plain error.
func CheckQuery(q string, synonyms [][]string) error {
	syn, err := newSynonymIndex(synonyms)
	if err != nil {
		return err
	}
	_, qerr := parseQuery(q, syn)
	if qerr != nil {
		return qerr
	}
	return nil
}

func qerror(col int, format string, args ...any) *QueryError {
	return &QueryError{Column: col, Msg: fmt.Sprintf(format, args...)}
}

// parseQuery parses and validates one query.
func parseQuery(q string, syn synonymIndex) (*parsed, *QueryError) {
	toks, err := lex([]rune(q))
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, qerror(1, "empty query")
	}
	p := &parser{toks: toks, syn: syn, out: &parsed{}}
	root, err := p.parseAnd(ctx{scope: fieldText})
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) { // only a ')' stops parseAnd at the top level
		return nil, qerror(p.toks[p.pos].col, "unmatched closing parenthesis")
	}
	p.out.root = root
	if eval(root, func(int) bool { return false }) {
		return nil, qerror(1, "query matches items that contain none of its terms; it needs a term that must appear")
	}
	return p.out, nil
}

func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '＂' }

func isQuerySpace(r rune) bool {
	return unicode.IsSpace(r) || r == 0xFEFF || r == 0x200B
}

func isBreak(r rune) bool {
	return isQuerySpace(r) || isQuote(r) || r == '(' || r == ')' || r == '（' || r == '）'
}

// lex splits a query into tokens.
func lex(src []rune) ([]token, *QueryError) {
	var toks []token
	atStart := true // at the start of a term: '-' means exclusion here
	for i := 0; i < len(src); {
		r := src[i]
		col := i + 1
		switch {
		case isQuerySpace(r):
			i++
			atStart = true
			continue
		case r == '(' || r == '（':
			toks = append(toks, token{kind: tokLParen, col: col})
			i++
			atStart = true
			continue
		case r == ')' || r == '）':
			toks = append(toks, token{kind: tokRParen, col: col})
			i++
			atStart = true
			continue
		case isQuote(r):
			j := i + 1
			for j < len(src) && !isQuote(src[j]) {
				j++
			}
			if j == len(src) {
				return nil, qerror(col, "unbalanced quote")
			}
			toks = append(toks, token{kind: tokPhrase, text: string(src[i+1 : j]), col: col})
			i = j + 1
			atStart = false
			continue
		case atStart && (r == '-' || r == '－'):
			if i+1 == len(src) || isQuerySpace(src[i+1]) || src[i+1] == ')' || src[i+1] == '）' {
				return nil, qerror(col, "nothing to exclude after -")
			}
			toks = append(toks, token{kind: tokMinus, col: col})
			i++
			continue // the excluded term follows directly
		}
		j := i
		for j < len(src) && !isBreak(src[j]) {
			if src[j] == ':' || src[j] == '：' {
				if f, ok, err := fieldScope(src, i, j); err != nil {
					return nil, err
				} else if ok {
					toks = append(toks, token{kind: tokField, text: string(src[i:j]), col: col, field: f})
					break
				}
			}
			j++
		}
		if j < len(src) && (src[j] == ':' || src[j] == '：') { // a field scope ended the word
			i = j + 1
			atStart = true
			continue
		}
		word := string(src[i:j])
		switch word {
		case "OR":
			toks = append(toks, token{kind: tokOr, col: col})
		case "AND":
			toks = append(toks, token{kind: tokAnd, col: col})
		default:
			toks = append(toks, token{kind: tokWord, text: word, col: col})
		}
		i = j
		atStart = false
	}
	return toks, nil
}

// fieldScope decides whether src[start:colon] followed by the colon at
// src[colon] is a field scope such as "title:". Only ASCII letters before
// the colon make a field name; a name followed by a space or the end is a
// plain word ("note:"), unless it is a known field, which must be followed
// directly by what it scopes.
func fieldScope(src []rune, start, colon int) (field, bool, *QueryError) {
	if colon == start {
		return 0, false, nil
	}
	for _, r := range src[start:colon] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return 0, false, nil
		}
	}
	name := strings.ToLower(string(src[start:colon]))
	f, known := fieldNames[name]
	if colon+1 == len(src) || isQuerySpace(src[colon+1]) || src[colon+1] == ')' || src[colon+1] == '）' {
		if known {
			return 0, false, qerror(start+1, "%s: must be followed directly by a term, a \"phrase\" or (...)", name)
		}
		return 0, false, nil
	}
	if !known {
		return 0, false, qerror(start+1, "unknown field %q (use title: or source:, or put the term in quotes)", name+":")
	}
	return f, true, nil
}

type parser struct {
	toks  []token
	pos   int
	depth int
	syn   synonymIndex
	out   *parsed
	norm  normalizer
}

// ctx is what enclosing operators impose on the terms inside them.
type ctx struct {
	scope  field // fields the terms are looked up in
	scoped bool  // inside a field scope: another one is an error
	neg    bool  // under an odd number of negations
}

func (p *parser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{}, false
}

// startsTerm reports whether t can begin a term of an AND or OR.
func startsTerm(t token) bool {
	switch t.kind {
	case tokWord, tokPhrase, tokLParen, tokMinus, tokField:
		return true
	}
	return false
}

// parseAnd parses terms joined by spaces or AND, up to ')' or the end.
func (p *parser) parseAnd(c ctx) (*node, *QueryError) {
	var kids []*node
	for {
		t, ok := p.peek()
		if !ok || t.kind == tokRParen {
			break
		}
		switch t.kind {
		case tokOr:
			return nil, qerror(t.col, "OR needs a term before it")
		case tokAnd:
			if len(kids) == 0 {
				return nil, qerror(t.col, "AND needs a term before it")
			}
			p.pos++
			if n, ok := p.peek(); !ok || !startsTerm(n) {
				return nil, qerror(t.col, "AND needs a term after it")
			}
			continue
		}
		n, err := p.parseOr(c)
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return kids[0], nil
	}
	return &node{op: opAnd, kids: kids}, nil
}

// parseOr parses unary terms joined by OR; OR binds tighter than AND.
func (p *parser) parseOr(c ctx) (*node, *QueryError) {
	first, err := p.parseUnary(c)
	if err != nil {
		return nil, err
	}
	kids := []*node{first}
	for {
		t, ok := p.peek()
		if !ok || t.kind != tokOr {
			break
		}
		p.pos++
		if n, ok := p.peek(); !ok || !startsTerm(n) {
			return nil, qerror(t.col, "OR needs a term after it")
		}
		n, err := p.parseUnary(c)
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &node{op: opOr, kids: kids}, nil
}

// parseUnary parses an atom, negated by a leading '-'.
func (p *parser) parseUnary(c ctx) (*node, *QueryError) {
	t, _ := p.peek()
	if t.kind != tokMinus {
		return p.parseAtom(c)
	}
	p.pos++
	if n, ok := p.peek(); !ok || n.kind == tokMinus || !startsTerm(n) {
		return nil, qerror(t.col, "nothing to exclude after -")
	}
	c.neg = !c.neg
	n, err := p.parseAtom(c)
	if err != nil {
		return nil, err
	}
	return &node{op: opNot, kids: []*node{n}}, nil
}

// parseAtom parses a term, a phrase, a group or a field scope.
func (p *parser) parseAtom(c ctx) (*node, *QueryError) {
	t, _ := p.peek()
	p.pos++
	switch t.kind {
	case tokWord, tokPhrase:
		return p.leaf(t, c)
	case tokField:
		n, ok := p.peek()
		if c.scoped || ok && n.kind == tokField {
			if !c.scoped {
				t = n
			}
			return nil, qerror(t.col, "%s: inside another field scope", strings.ToLower(t.text))
		}
		if !ok || (n.kind != tokWord && n.kind != tokPhrase && n.kind != tokLParen) {
			return nil, qerror(t.col, "%s: must be followed directly by a term, a \"phrase\" or (...)", strings.ToLower(t.text))
		}
		c.scope, c.scoped = t.field, true
		return p.parseAtom(c)
	case tokLParen:
		p.depth++
		if p.depth > maxDepth {
			return nil, qerror(t.col, "parentheses nested more than %d deep", maxDepth)
		}
		if n, ok := p.peek(); ok && n.kind == tokRParen {
			return nil, qerror(t.col, "empty parentheses")
		}
		n, err := p.parseAnd(c)
		if err != nil {
			return nil, err
		}
		if r, ok := p.peek(); !ok || r.kind != tokRParen {
			return nil, qerror(t.col, "unclosed parenthesis")
		}
		p.pos++
		p.depth--
		return n, nil
	case tokRParen:
		return nil, qerror(t.col, "unmatched closing parenthesis")
	}
	return nil, qerror(t.col, "misplaced %s", map[tokKind]string{tokOr: "OR", tokAnd: "AND", tokMinus: "-"}[t.kind])
}

// leaf normalizes a term or phrase and expands its synonyms.
func (p *parser) leaf(t token, c ctx) (*node, *QueryError) {
	text := string(p.norm.run(t.text, true).text)
	if text == "" {
		if t.kind == tokPhrase && strings.TrimSpace(t.text) == "" {
			return nil, qerror(t.col, "empty phrase")
		}
		return nil, qerror(t.col, "%q has no letters, digits or symbols to match", t.text)
	}
	alts := []string{text}
	for _, s := range p.syn[text] {
		if !containsString(alts, s) {
			alts = append(alts, s)
		}
	}
	p.out.leaves = append(p.out.leaves, leaf{alts: alts, scope: c.scope, neg: c.neg})
	return &node{op: opLeaf, leaf: len(p.out.leaves) - 1}, nil
}

// eval evaluates a query given which of its leaves are present.
func eval(n *node, present func(int) bool) bool {
	switch n.op {
	case opLeaf:
		return present(n.leaf)
	case opNot:
		return !eval(n.kids[0], present)
	case opAnd:
		for _, k := range n.kids {
			if !eval(k, present) {
				return false
			}
		}
		return true
	default:
		for _, k := range n.kids {
			if eval(k, present) {
				return true
			}
		}
		return false
	}
}
