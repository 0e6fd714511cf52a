package match

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"
)

// queryKind says which list of its rule a query comes from.
type queryKind uint8

const (
	kindKeyword queryKind = iota
	kindUrgent
	kindExclude
)

// pattern is one distinct compact normalized string in the automaton.
type pattern struct {
	wordStart bool // first rune is a word rune: needs a boundary before it
	wordEnd   bool // last rune is a word rune: needs a boundary after it
}

// leafPatterns is a leaf compiled to its alternative patterns.
type leafPatterns struct {
	pats  []int32
	scope field
	neg   bool
}

// query is one compiled query of a rule.
type query struct {
	rule  int
	kind  queryKind
	feeds bool // its rule has a feed list
	index int  // position in its list
	// prog is the query's expression flattened into Matcher.prog (see
	// flatten), so that evaluating and explaining it read one piece of
	// memory.
	prog [2]int32
}

// compiledRule is a Rule with its feed filter as a set.
type compiledRule struct {
	watch   string
	feeds   map[string]bool
	queries [2][]string // keyword and urgent queries as written
}

// Matcher matches documents against compiled rules. It is immutable and
// safe for concurrent use.
type Matcher struct {
	rules    []compiledRule
	queries  []query
	patterns []pattern
	// byPattern lists the queries that have the pattern in a leaf: a query
	// can only match a document in which one of its patterns occurs.
	byPattern [][]int32
	prog      []int32 // the queries' flattened expressions
	ac        *automaton
	pool      sync.Pool
}

// Compile builds one Matcher for all rules. An invalid query is reported
// as "match: watch NAME: keywords: query N, column C: MESSAGE", wrapping a
// *QueryError whose Query is N.
func Compile(rules []Rule, synonyms [][]string) (*Matcher, error) {
	syn, err := newSynonymIndex(synonyms)
	if err != nil {
		return nil, err
	}
	m := &Matcher{}
	ids := map[string]int32{}
	var patterns []string
	var n normalizer
	for ri, r := range rules {
		if len(r.Keywords) == 0 && len(r.Urgent) == 0 {
			return nil, fmt.Errorf("match: watch %s: no keywords or urgent queries", r.Watch)
		}
		cr := compiledRule{watch: r.Watch, queries: [2][]string{r.Keywords, r.Urgent}}
		if len(r.Feeds) > 0 {
			cr.feeds = make(map[string]bool, len(r.Feeds))
			for _, f := range r.Feeds {
				cr.feeds[f] = true
			}
		}
		m.rules = append(m.rules, cr)
		lists := []struct {
			name string
			kind queryKind
			qs   []string
		}{{"keywords", kindKeyword, r.Keywords}, {"urgent", kindUrgent, r.Urgent}, {"exclude", kindExclude, r.Exclude}}
		for _, l := range lists {
			for qi, text := range l.qs {
				p, qerr := parseQuery(text, syn)
				if qerr != nil {
					qerr.Query = qi + 1
					return nil, fmt.Errorf("match: watch %s: %s: %w", r.Watch, l.name, qerr)
				}
				q := query{rule: ri, kind: l.kind, feeds: cr.feeds != nil, index: qi}
				id := int32(len(m.queries))
				var leaves []leafPatterns
				for _, lf := range p.leaves {
					lp := leafPatterns{scope: lf.scope, neg: lf.neg}
					for _, alt := range lf.alts {
						pid, ok := ids[alt]
						if !ok {
							pid = int32(len(patterns))
							ids[alt] = pid
							patterns = append(patterns, alt)
							m.patterns = append(m.patterns, newPattern(&n, alt))
							m.byPattern = append(m.byPattern, nil)
						}
						lp.pats = append(lp.pats, pid)
					}
					leaves = append(leaves, lp)
				}
				start := len(m.prog)
				m.prog = flatten(m.prog, p.root, leaves)
				q.prog = [2]int32{int32(start), int32(len(m.prog))}
				for _, pid := range triggers(p.root, leaves, patterns) {
					if l := m.byPattern[pid]; len(l) == 0 || l[len(l)-1] != id {
						m.byPattern[pid] = append(l, id)
					}
				}
				m.queries = append(m.queries, q)
			}
		}
	}
	if len(patterns) > 0 {
		m.ac = newAutomaton(patterns)
	}
	m.pool.New = func() any {
		return &scratch{
			mask:   make([]field, len(m.patterns)),
			last:   make([]int32, len(m.patterns)),
			qstamp: make([]uint32, len(m.queries)),
			rstamp: make([]uint32, len(m.rules)),
			rstate: make([]ruleState, len(m.rules)),
		}
	}
	return m, nil
}

// CompileQuery compiles a single query as a rule named "query", for
// trying a query out. An invalid query is reported as a *QueryError with
// Query 0.
func CompileQuery(q string, synonyms [][]string) (*Matcher, error) {
	m, err := Compile([]Rule{{Watch: "query", Keywords: []string{q}}}, synonyms)
	if qe, ok := errors.AsType[*QueryError](err); ok {
		qe.Query = 0
		return nil, qe
	}
	return m, err
}

// triggers returns patterns at least one of which occurs in every
// document the query matches, preferring specific (long) patterns so that
// a common word shared by many queries does not wake them all up. A
// query that matches is never missed: without a trigger it is false.
func triggers(root *node, leaves []leafPatterns, patterns []string) []int32 {
	if t, ok := triggerSet(root, leaves, patterns); ok {
		return t
	}
	var all []int32 // no positive structure to rely on: use every pattern
	for _, l := range leaves {
		all = append(all, l.pats...)
	}
	return all
}

// triggerSet computes the trigger patterns of n; ok is false when n can be
// true without any of its patterns (a negation).
func triggerSet(n *node, leaves []leafPatterns, patterns []string) (set []int32, ok bool) {
	switch n.op {
	case opLeaf:
		return leaves[n.leaf].pats, true
	case opNot:
		return nil, false
	case opOr:
		for _, k := range n.kids {
			t, ok := triggerSet(k, leaves, patterns)
			if !ok {
				return nil, false
			}
			set = append(set, t...)
		}
		return set, true
	default: // opAnd: any child's set will do; take the most specific
		best := -1
		for _, k := range n.kids {
			t, ok := triggerSet(k, leaves, patterns)
			if !ok {
				continue
			}
			score := 1 << 30
			for _, p := range t {
				score = min(score, len(patterns[p]))
			}
			if score > best || score == best && len(t) < len(set) {
				best, set = score, t
			}
		}
		return set, best >= 0
	}
}

// newPattern records the boundary needs of a compact pattern by
// normalizing it again to learn the class of its first and last runes.
func newPattern(n *normalizer, s string) pattern {
	st := n.run(s, true)
	return pattern{
		wordStart: len(st.info) > 0 && st.info[0].cls == clsWord,
		wordEnd:   len(st.info) > 0 && st.info[len(st.info)-1].cls == clsWord,
	}
}

// occurrence is an accepted automaton match in the title or body.
type occurrence struct {
	field      field
	start, end int32 // byte offsets in the normalized text, in the original once located
	next       int32 // previous occurrence of the same pattern, or -1
}

type ruleState struct {
	keyword int // index of the first matching keyword query, or -1
	urgent  int // index of the first matching urgent query, or -1
	exclude bool
}

// scratch is the per-call working memory of Match, reused through a pool.
type scratch struct {
	norm    normalizer
	mask    []field // fields each pattern was found in
	present []int32 // patterns with a non-zero mask
	found   []found // the automaton's matches in the field being scanned
	occ     []occurrence
	last    []int32 // last[p]: latest occurrence of pattern p, if mask[p] != 0
	spans   []occurrence
	stamp   uint32
	qstamp  []uint32 // qstamp[q] == stamp: query q was evaluated
	rstamp  []uint32 // rstamp[r] == stamp: rstate[r] is current
	rstate  []ruleState
	touched []int   // rules with a current rstate
	matched []int32 // matching keyword and urgent queries
	spanBuf []Span  // spans of the hits, in order
	termBuf []string
	ends    [][2]int // ends[i]: ends of hit i's spans and terms in spanBuf and termBuf
}

// Match returns the rules that match d, in rule order. A rule matches when
// one of its keyword or urgent queries matches, none of its exclude
// queries does, and its feed list is empty or names d.Source (any feed
// when d.AnyFeed).
func (m *Matcher) Match(d Document) []Hit {
	if m.ac == nil {
		return nil
	}
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	s.begin()
	m.scan(s, fieldTitle, d.Title)
	m.scan(s, fieldBody, d.Body)
	m.scan(s, fieldSource, d.Source)
	for _, p := range s.present {
		for _, qi := range m.byPattern[p] {
			if s.qstamp[qi] == s.stamp {
				continue
			}
			s.qstamp[qi] = s.stamp
			q := &m.queries[qi]
			if q.feeds && !d.AnyFeed && !m.rules[q.rule].feeds[d.Source] {
				continue
			}
			if !evalFlat(m.prog[q.prog[0]:q.prog[1]], s.mask) {
				continue
			}
			st := s.rule(q.rule)
			switch q.kind {
			case kindKeyword:
				if st.keyword < 0 || q.index < st.keyword {
					st.keyword = q.index
				}
				s.matched = append(s.matched, qi)
			case kindUrgent:
				if st.urgent < 0 || q.index < st.urgent {
					st.urgent = q.index
				}
				s.matched = append(s.matched, qi)
			case kindExclude:
				st.exclude = true
			}
		}
	}
	slices.Sort(s.touched)
	n := 0
	for _, ri := range s.touched {
		if s.rstate[ri].hit() {
			n++
		}
	}
	if n == 0 {
		s.clearMask()
		return nil
	}
	m.locate(s, d)
	// Explain the hits into scratch buffers first, so that they can share
	// one array of spans and one of terms of exactly the needed sizes.
	s.spanBuf, s.termBuf, s.ends = s.spanBuf[:0], s.termBuf[:0], s.ends[:0]
	for _, ri := range s.touched {
		if s.rstate[ri].hit() {
			s.spanBuf, s.termBuf = m.explain(s, d, ri, s.spanBuf, s.termBuf)
			s.ends = append(s.ends, [2]int{len(s.spanBuf), len(s.termBuf)})
		}
	}
	spans, terms := slices.Clone(s.spanBuf), slices.Clone(s.termBuf)
	clear(s.termBuf) // do not keep the document alive in the pool
	hits := make([]Hit, 0, n)
	var from [2]int
	for _, ri := range s.touched {
		st := &s.rstate[ri]
		if !st.hit() {
			continue
		}
		r := &m.rules[ri]
		h := Hit{Watch: r.watch, Urgent: st.urgent >= 0}
		if st.keyword >= 0 {
			h.Query = r.queries[kindKeyword][st.keyword]
		} else {
			h.Query = r.queries[kindUrgent][st.urgent]
		}
		to := s.ends[len(hits)]
		if from[0] < to[0] {
			h.Spans = spans[from[0]:to[0]:to[0]]
		}
		if from[1] < to[1] {
			h.Terms = terms[from[1]:to[1]:to[1]]
		}
		from = to
		hits = append(hits, h)
	}
	s.clearMask()
	return hits
}

// hit reports whether the rule matches.
func (st *ruleState) hit() bool {
	return !st.exclude && (st.keyword >= 0 || st.urgent >= 0)
}

func (s *scratch) clearMask() {
	for _, p := range s.present {
		s.mask[p] = 0
	}
}

func (s *scratch) begin() {
	s.stamp++
	if s.stamp == 0 { // wrapped: old stamps could look current
		clear(s.qstamp)
		clear(s.rstamp)
		s.stamp = 1
	}
	s.present, s.occ, s.touched, s.matched = s.present[:0], s.occ[:0], s.touched[:0], s.matched[:0]
}

func (s *scratch) rule(ri int) *ruleState {
	st := &s.rstate[ri]
	if s.rstamp[ri] != s.stamp {
		s.rstamp[ri] = s.stamp
		*st = ruleState{keyword: -1, urgent: -1}
		s.touched = append(s.touched, ri)
	}
	return st
}

// scan finds the patterns in one field of the document.
func (m *Matcher) scan(s *scratch, f field, text string) {
	if text == "" {
		return
	}
	st := s.norm.runClasses(text)
	s.found = m.ac.find(st.text, s.found[:0])
	for _, o := range s.found {
		p, i, j := o.p, int(o.start), int(o.end)
		if !st.accepts(m.patterns[p], i, j) {
			continue
		}
		if s.mask[p] == 0 {
			s.present = append(s.present, p)
			s.last[p] = -1
		}
		s.mask[p] |= f
		if f != fieldSource {
			s.occ = append(s.occ, occurrence{field: f, start: int32(i), end: int32(j), next: s.last[p]})
			s.last[p] = int32(len(s.occ) - 1)
		}
	}
}

// accepts applies the boundary rules to an automaton match text[i:j]:
// a pattern that begins (ends) with a word rune needs a non-word rune or
// the edge of the text before (after) it, and a match that spans a dropped
// space must begin at the start of a word.
// It needs the stream's classes (runClasses).
func (st *stream) accepts(p pattern, i, j int) bool {
	cls := st.classes
	if p.wordStart && i > 0 && class(cls[i-1]&^gapBit) == clsWord {
		return false
	}
	if p.wordEnd && j < len(cls) && class(cls[j]&^gapBit) == clsWord {
		return false
	}
	if i == 0 || cls[i]&gapBit != 0 || cls[i-1]&^gapBit != cls[i]&^gapBit {
		return true // starts a word
	}
	for k := i + 1; k < j; k++ {
		if cls[k]&gapBit != 0 {
			return false
		}
	}
	return true
}

// locate turns the offsets of the occurrences in the normalized title and
// body into offsets in d's text, for the spans of the hits: each field
// that has an occurrence is normalized again, this time with offsets.
func (m *Matcher) locate(s *scratch, d Document) {
	for _, f := range []field{fieldTitle, fieldBody} {
		text := d.Title
		if f == fieldBody {
			text = d.Body
		}
		var st *stream
		for k := range s.occ {
			o := &s.occ[k]
			if o.field != f {
				continue
			}
			if st == nil {
				st = s.norm.run(text, true)
			}
			o.start, o.end = st.info[o.start].start, st.info[o.end-1].end
		}
	}
}

// flatten appends n to prog in prefix order: a header word with the
// operator in its low byte and, for a leaf, its scope in the next byte
// and leafNeg if it is negated; the length in words of the node's
// encoding; then the kids, or the leaf's patterns.
func flatten(prog []int32, n *node, leaves []leafPatterns) []int32 {
	start := len(prog)
	switch n.op {
	case opLeaf:
		lp := leaves[n.leaf]
		h := int32(opLeaf) | int32(lp.scope)<<8
		if lp.neg {
			h |= leafNeg
		}
		prog = append(prog, h, 0)
		prog = append(prog, lp.pats...)
	default:
		prog = append(prog, int32(n.op), 0)
		for _, k := range n.kids {
			prog = flatten(prog, k, leaves)
		}
	}
	prog[start+1] = int32(len(prog) - start)
	return prog
}

// leafNeg marks a negated leaf in a flattened expression.
const leafNeg = 1 << 16

// evalFlat evaluates a flattened expression given the fields each
// pattern was found in.
func evalFlat(prog []int32, mask []field) bool {
	switch op(prog[0] & 0xFF) {
	case opLeaf:
		scope := field(prog[0] >> 8 & 0xFF)
		for _, p := range prog[2:] {
			if mask[p]&scope != 0 {
				return true
			}
		}
		return false
	case opNot:
		return !evalFlat(prog[2:], mask)
	case opAnd:
		for k := prog[2:]; len(k) > 0; k = k[k[1]:] {
			if !evalFlat(k[:k[1]], mask) {
				return false
			}
		}
		return true
	default:
		for k := prog[2:]; len(k) > 0; k = k[k[1]:] {
			if evalFlat(k[:k[1]], mask) {
				return true
			}
		}
		return false
	}
}

// explain appends to out and terms the spans and text pieces of the
// positive terms of the matching queries of rule ri, title spans first,
// overlapping spans merged, and returns the extended slices.
func (m *Matcher) explain(s *scratch, d Document, ri int, out []Span, terms []string) ([]Span, []string) {
	spans := s.spans[:0]
	for _, qi := range s.matched {
		q := &m.queries[qi]
		if q.rule != ri {
			continue
		}
		prog := m.prog[q.prog[0]:q.prog[1]]
		for i := 0; i < len(prog); {
			h := prog[i]
			if op(h&0xFF) != opLeaf {
				i += 2 // into the kids
				continue
			}
			pats := prog[i+2 : i+int(prog[i+1])]
			i += int(prog[i+1])
			scope := field(h >> 8 & 0xFF)
			if h&leafNeg != 0 {
				continue
			}
			for _, p := range pats {
				if s.mask[p]&scope&fieldText == 0 {
					continue
				}
				for o := s.last[p]; o >= 0; o = s.occ[o].next {
					if s.occ[o].field&scope != 0 {
						spans = append(spans, s.occ[o])
					}
				}
			}
		}
	}
	s.spans = spans
	slices.SortFunc(spans, func(a, b occurrence) int {
		if a.field != b.field {
			return int(a.field) - int(b.field)
		}
		return int(a.start - b.start)
	})
	first, firstTerm := len(out), len(terms)
	for _, o := range spans {
		name := "title"
		if o.field == fieldBody {
			name = "body"
		}
		if n := len(out); n > first && out[n-1].Field == name && int(o.start) < out[n-1].End {
			out[n-1].End = max(out[n-1].End, int(o.end))
			continue
		}
		out = append(out, Span{Field: name, Start: int(o.start), End: int(o.end)})
	}
	for _, sp := range out[first:] {
		text := d.Title
		if sp.Field == "body" {
			text = d.Body
		}
		if t := text[sp.Start:sp.End]; utf8.ValidString(t) && !slices.Contains(terms[firstTerm:], t) {
			terms = append(terms, t)
		}
	}
	return out, terms
}
