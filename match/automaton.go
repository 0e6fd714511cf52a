package match

import "unicode/utf8"

// automaton is an Aho-Corasick automaton over the runes of normalized
// text. Runes are mapped to dense symbols (0 for a rune in no pattern), so
// a Hangul syllable is one step, the root's transitions are one array
// lookup and the other states' transitions share one small hash table:
// its size follows the number of pattern runes, not states × alphabet,
// and it stays in cache with thousands of patterns.
type automaton struct {
	ascii  [utf8.RuneSelf]int32
	hangul []int32 // symbols of the Hangul syllables from U+AC00, if any pattern has one
	other  map[rune]int32
	root   []int32 // root[sym] is the state after sym from the root (0: the root)
	edges  []edge  // transitions from the other states, open addressing
	mask   uint32  // len(edges) - 1
	states []acState
	// kids[s] has bit sym%64 set for the symbol of every transition from
	// state s, so most missing transitions need no look-up in edges; it is
	// apart from states to keep this hot check dense.
	kids []uint64
	// dense holds the full rows of transitions, fail links resolved, of
	// states 1 to rows: the shallowest states, where most steps start
	// (breadth-first numbering), take one look-up and no fail chain.
	dense []int32
	rows  int32
	plen  []int32 // byte length of each pattern
}

// maxDense bounds the size of automaton.dense in entries.
const maxDense = 1 << 17

// edge is a transition; from is 0 in an empty slot.
type edge struct{ from, sym, to int32 }

// acState is a state of the automaton; state 0 is the root.
type acState struct {
	fail int32 // state of the longest proper suffix in the trie
	out  int32 // pattern that ends here, or -1
	emit int32 // first state with an output on the fail chain from here, or 0
	next int32 // emit of fail
}

// newAutomaton builds the automaton of distinct patterns; pattern i is
// reported as i. Empty patterns never match.
func newAutomaton(patterns []string) *automaton {
	a := &automaton{other: map[rune]int32{}, root: []int32{0}, states: []acState{{out: -1}}}
	syms := make([][]int32, len(patterns))
	for i, p := range patterns {
		a.plen = append(a.plen, int32(len(p)))
		for _, r := range p {
			syms[i] = append(syms[i], a.addSymbol(r))
		}
	}
	// Build the trie one depth at a time so that states are numbered
	// breadth first: the shallow states, visited most, sit together.
	kids := map[[2]int32]int32{}
	at := make([]int32, len(patterns))
	var order [][2]int32 // (parent, sym) of each state after the root
	for depth, more := 0, true; more; depth++ {
		more = false
		for i, ps := range syms {
			if depth >= len(ps) {
				continue
			}
			more = true
			k := [2]int32{at[i], ps[depth]}
			s, ok := kids[k]
			if !ok {
				s = int32(len(a.states))
				kids[k] = s
				a.states = append(a.states, acState{out: -1})
				order = append(order, k)
			}
			at[i] = s
			if depth == len(ps)-1 {
				a.states[s].out = int32(i)
			}
		}
	}
	size := 1
	for size < 2*len(order) {
		size *= 2
	}
	a.edges, a.mask = make([]edge, size), uint32(size-1)
	a.kids = make([]uint64, len(a.states))
	for i, k := range order {
		s := int32(i + 1)
		if k[0] == 0 {
			a.root[k[1]] = s
			continue
		}
		j := a.slot(k[0], k[1])
		for a.edges[j].from != 0 {
			j = (j + 1) & a.mask
		}
		a.edges[j] = edge{from: k[0], sym: k[1], to: s}
		a.kids[k[0]] |= 1 << (k[1] % 64)
	}
	// Breadth-first order means a state's fail target is done before it.
	for i, k := range order {
		s := int32(i + 1)
		st := &a.states[s]
		if k[0] != 0 {
			st.fail = a.step(a.states[k[0]].fail, k[1])
		}
		st.next = a.states[st.fail].emit
		st.emit = st.next
		if st.out >= 0 {
			st.emit = s
		}
	}
	// Flag the transitions into states with an output, so that find
	// looks at the target state only when it reports something.
	for i, t := range a.root {
		if a.states[t].emit != 0 {
			a.root[i] |= hasOutput
		}
	}
	for i, e := range a.edges {
		if e.from != 0 && a.states[e.to].emit != 0 {
			a.edges[i].to |= hasOutput
		}
	}
	// Rows for the first states, as many as maxDense allows.
	nsym := int32(len(a.root))
	var rows int32
	for rows < int32(len(order)) && (rows+1)*nsym <= maxDense {
		rows++
	}
	a.dense = make([]int32, rows*nsym)
	for s := int32(1); s <= rows; s++ {
		for sym := int32(1); sym < nsym; sym++ {
			a.dense[(s-1)*nsym+sym] = a.step(s, sym)
		}
	}
	a.rows = rows
	return a
}

// hasOutput is set in a transition's target when that state has an output.
const hasOutput = 1 << 30

// addSymbol returns the symbol of r, assigning the next one if r is new.
func (a *automaton) addSymbol(r rune) int32 {
	if s := a.symbolOf(r); s != 0 {
		return s
	}
	s := int32(len(a.root))
	a.root = append(a.root, 0)
	switch {
	case r < utf8.RuneSelf:
		a.ascii[r] = s
	case r >= 0xAC00 && r <= 0xD7A3:
		if a.hangul == nil {
			a.hangul = make([]int32, 0xD7A4-0xAC00)
		}
		a.hangul[r-0xAC00] = s
	default:
		a.other[r] = s
	}
	return s
}

func (a *automaton) symbolOf(r rune) int32 {
	switch {
	case r < utf8.RuneSelf:
		return a.ascii[r]
	case r >= 0xAC00 && r <= 0xD7A3:
		if a.hangul == nil {
			return 0
		}
		return a.hangul[r-0xAC00]
	}
	return a.other[r]
}

// symbol decodes the rune at text[i:] and returns its symbol and size.
func (a *automaton) symbol(text []byte, i int) (int32, int) {
	c := text[i]
	if c < utf8.RuneSelf {
		return a.ascii[c], 1
	}
	r, size := utf8.DecodeRune(text[i:])
	return a.symbolOf(r), size
}

// hangulAt reports whether text[i:i+3], a lead byte from 0xEA to 0xED and
// two more bytes, encodes a Hangul syllable.
func hangulAt(text []byte, i int) bool {
	if text[i+1]&0xC0 != 0x80 || text[i+2]&0xC0 != 0x80 {
		return false
	}
	r := rune(text[i]&0x0F)<<12 | rune(text[i+1]&0x3F)<<6 | rune(text[i+2]&0x3F)
	return r >= 0xAC00 && r <= 0xD7A3
}

func (a *automaton) slot(from, sym int32) uint32 {
	h := uint32(from)*0x9E3779B1 ^ uint32(sym)*0x85EBCA77
	return (h ^ h>>15) & a.mask
}

// step returns the state after sym from state s, flagged with hasOutput
// once the automaton is built.
func (a *automaton) step(s, sym int32) int32 {
	for ; s != 0; s = a.states[s].fail {
		if s <= a.rows {
			return a.dense[(s-1)*int32(len(a.root))+sym]
		}
		if a.kids[s]&(1<<(sym%64)) == 0 {
			continue
		}
		for j := a.slot(s, sym); ; j = (j + 1) & a.mask {
			e := &a.edges[j]
			if e.from == s && e.sym == sym {
				return e.to
			}
			if e.from == 0 {
				break
			}
		}
	}
	return a.root[sym]
}

// found is an occurrence text[start:end] of pattern p.
type found struct{ p, start, end int32 }

// find appends to out every occurrence of every pattern in text,
// overlapping ones included, and returns the extended slice.
func (a *automaton) find(text []byte, out []found) []found {
	s := int32(0)
	for i := 0; i < len(text); {
		var sym int32
		if c := text[i]; c < utf8.RuneSelf { // the common cases, inline
			sym = a.ascii[c]
			i++
		} else if c >= 0xEA && c <= 0xED && a.hangul != nil && i+2 < len(text) && hangulAt(text, i) {
			sym = a.hangul[rune(c&0x0F)<<12|rune(text[i+1]&0x3F)<<6|rune(text[i+2]&0x3F)-0xAC00]
			i += 3
		} else {
			var size int
			sym, size = a.symbol(text, i)
			i += size
		}
		if sym == 0 {
			s = 0
			continue
		}
		if s == 0 {
			s = a.root[sym]
		} else {
			s = a.step(s, sym)
		}
		if s&hasOutput == 0 {
			continue
		}
		s &^= hasOutput
		for t := a.states[s].emit; t != 0; t = a.states[t].next {
			p := a.states[t].out
			out = append(out, found{p: p, start: int32(i) - a.plen[p], end: int32(i)})
		}
	}
	return out
}
