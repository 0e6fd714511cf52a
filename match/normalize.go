package match

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// class is what the matcher needs to know about one normalized rune.
type class uint8

const (
	// clsSpace is the single space that stands for any run of spaces and
	// separator punctuation.
	clsSpace class = iota
	// clsSym is a symbol that is kept but is not part of a word ($, +, #, emoji).
	clsSym
	// clsWord is a letter or digit of a spaced script (Latin, digits, Greek,
	// Cyrillic, ...): such words match on word boundaries.
	clsWord
	// clsCJK is a letter of an unspaced script (Hangul, Han, Kana, Thai, ...):
	// it matches anywhere, and spaces around it are not significant.
	clsCJK
)

// kind is how the normalizer treats a rune after NFKC.
type kind uint8

const (
	kindDrop kind = iota // invisible joiners and format characters: removed
	kindSep              // spaces and separator punctuation: one space
	kindMark             // combining mark: takes the class of the rune before it
	kindSym
	kindWord
	kindCJK
)

// asciiKinds classifies ASCII after NFKC. Letters and digits are words;
// '#' and the ASCII symbols (S* categories) are kept; every other
// punctuation character and control character separates words.
var asciiKinds = func() (t [utf8.RuneSelf]kind) {
	for r := range rune(utf8.RuneSelf) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			t[r] = kindWord
		case r == '#' || unicode.IsSymbol(r):
			t[r] = kindSym
		default:
			t[r] = kindSep
		}
	}
	return t
}()

// unspaced lists the scripts written without spaces between words.
var unspaced = []*unicode.RangeTable{
	unicode.Hangul, unicode.Han, unicode.Hiragana, unicode.Katakana,
	unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar,
}

// runeKind classifies a rune of NFKC text.
func runeKind(r rune) kind {
	if r < utf8.RuneSelf {
		return asciiKinds[r]
	}
	if r >= 0xAC00 && r <= 0xD7A3 { // Hangul syllables, the common case
		return kindCJK
	}
	switch r {
	case 0xFEFF, 0x200B: // zero-width no-break space (BOM), zero-width space
		return kindSep
	case 0x318D, 0x119E: // HANGUL LETTER ARAEA, used as a middle dot (한ㆍ미)
		return kindSep
	case 0x30FC, 0x3005: // katakana long vowel mark, ideographic iteration mark
		return kindCJK
	}
	switch {
	case unicode.Is(unicode.Cf, r):
		return kindDrop
	case unicode.IsSpace(r), unicode.IsControl(r), unicode.In(r, unicode.Z), unicode.IsPunct(r):
		return kindSep
	case unicode.IsMark(r):
		return kindMark
	case unicode.IsLetter(r), unicode.IsNumber(r):
		if unicode.In(r, unspaced...) {
			return kindCJK
		}
		return kindWord
	}
	return kindSym
}

// joins reports whether a space between runes of classes a and b is
// insignificant: between two unspaced-script letters, or between an
// unspaced-script letter and a word (Hangul next to Latin or digits).
func joins(a, b class) bool {
	return (a == clsCJK && (b == clsCJK || b == clsWord)) || (a == clsWord && b == clsCJK)
}

// stream is normalized text with, for each byte, where it came from in the
// original text and its class (info), or its class only (classes).
type stream struct {
	text    []byte
	info    []byteInfo // parallel to text, when normalized withOffsets
	classes []uint8    // parallel to text, when normalized withClasses: the class, and gapBit
}

// gapBit marks in stream.classes a byte with byteInfo.gap set.
const gapBit = 1 << 2

// infoMode is what a stream records besides its text.
type infoMode uint8

const (
	withOffsets infoMode = iota // info: offsets and classes
	withClasses                 // classes only, all the boundary rules need
)

// byteInfo describes one byte of a stream.
type byteInfo struct {
	start, end int32 // the original bytes the byte's rune came from
	cls        class // class of the rune the byte belongs to
	// gap is set when an insignificant space was dropped just before this
	// byte (compact streams only).
	gap bool
}

// normalizer turns text into a stream. It holds a Caser, which is
// stateful, so a normalizer must not be shared between goroutines.
type normalizer struct {
	fold    cases.Caser
	hasFold bool
	buf     [utf8.UTFMax]byte
	tmp     []byte
	tmp2    []byte
	st      stream
	it      norm.Iter // kept here: it is large and would escape from run

	// state of the run in progress
	mode                           infoMode
	compact, emitted, pending, gap bool
	prev                           class
	pendStart, pendEnd             int
}

// Normalize returns the canonical form used for matching: NFKC, Unicode
// case folding, every run of spaces, invisible separators and separator
// punctuation (hyphens, slashes, quotes, middle dots, ...) turned into one
// space, leading and trailing spaces removed. Normalize is idempotent.
func Normalize(s string) string {
	var n normalizer
	return string(n.run(s, false).text)
}

// run normalizes s. With compact set, insignificant spaces (see joins) are
// dropped and recorded in gap instead of being written out. The returned
// stream is valid until the next call.
func (n *normalizer) run(s string, compact bool) *stream {
	return n.runWith(s, compact, withOffsets, true)
}

// runClasses is run in compact mode recording the classes of the
// stream's bytes but not where they came from (info is empty): the
// automaton and the boundary rules need no more, and the offsets only
// for the spans of a hit, which few documents have.
func (n *normalizer) runClasses(s string) *stream { return n.runWith(s, true, withClasses, true) }

// runWith is run recording what mode says besides the text; with fast
// false every rune goes through add, the reference the fast path of
// stable runs is tested against.
func (n *normalizer) runWith(s string, compact bool, mode infoMode, fast bool) *stream {
	st := &n.st
	st.text, st.info, st.classes = st.text[:0], st.info[:0], st.classes[:0]
	n.mode, n.compact, n.emitted, n.pending, n.gap = mode, compact, false, false, false
	for i := 0; i < len(s); {
		if fast {
			if i = n.stableRun(s, i); i == len(s) {
				break
			}
		}
		r, size := decodeRune(s, i)
		if stable(r) {
			next, _ := decodeRune(s, i+size)
			if i+size == len(s) || stable(next) {
				n.add(r, i, i+size)
				i += size
				continue
			}
		}
		// A run up to the next stable rune, which starts a segment
		// that never combines with what precedes it, needs NFKC.
		j := i + size
		for j < len(s) {
			r, size := decodeRune(s, j)
			if stable(r) {
				break
			}
			j += size
		}
		it := &n.it
		it.InitString(norm.NFKC, s[i:j])
		for !it.Done() {
			segStart := i + it.Pos()
			seg := it.Next()
			segEnd := i + it.Pos()
			for k := 0; k < len(seg); {
				r, size := utf8.DecodeRune(seg[k:])
				k += size
				n.add(r, segStart, segEnd)
			}
		}
		i = j
	}
	return st
}

// stableRun adds the runes from s[i:] on that are ASCII or Hangul
// syllables and followed by another such rune or the end of s (NFKC
// leaves them alone), as add would, and returns where it stopped. It is
// the bulk of most text, so it writes the stream directly.
func (n *normalizer) stableRun(s string, i int) int {
	st := &n.st
	text, info, classes := st.text, st.info, st.classes
	for i < len(s) {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			if r, size = decodeRune(s, i); !stable(r) {
				break
			}
		}
		if j := i + size; j < len(s) && s[j] >= utf8.RuneSelf {
			if next, _ := decodeRune(s, j); !stable(next) {
				break // the next rune may combine with this one
			}
		}
		k := kindCJK
		if r < utf8.RuneSelf {
			k = asciiKinds[r]
		}
		var cls class
		switch k {
		case kindSep:
			if n.emitted && !n.pending {
				n.pending, n.pendStart, n.pendEnd = true, i, i+size
			}
			i += size
			continue
		case kindSym:
			cls = clsSym
		case kindWord:
			cls = clsWord
		default:
			cls = clsCJK
		}
		if n.pending {
			n.pending = false
			if n.compact && joins(n.prev, cls) {
				n.gap = true
			} else {
				text = append(text, ' ')
				switch n.mode {
				case withOffsets:
					info = append(info, byteInfo{start: int32(n.pendStart), end: int32(n.pendEnd), cls: clsSpace})
				case withClasses:
					classes = append(classes, uint8(clsSpace))
				}
			}
		}
		if size == 1 {
			c := byte(r)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			text = append(text, c)
		} else {
			text = append(text, s[i:i+3]...)
		}
		switch n.mode {
		case withOffsets:
			bi := byteInfo{start: int32(i), end: int32(i + size), cls: cls, gap: n.gap}
			if size == 1 {
				info = append(info, bi)
			} else {
				rest := bi
				rest.gap = false
				info = append(info, bi, rest, rest)
			}
		case withClasses:
			first := uint8(cls)
			if n.gap {
				first |= gapBit
			}
			if size == 1 {
				classes = append(classes, first)
			} else {
				classes = append(classes, first, uint8(cls), uint8(cls))
			}
		}
		n.gap, n.emitted, n.prev = false, true, cls
		i += size
		if n.mode == withClasses {
			i, text, classes = wordRest(s, i, cls, text, classes)
		}
	}
	st.text, st.info, st.classes = text, info, classes
	return i
}

// wordRest appends to the text and classes of a stream normalized
// withClasses the runes from s[i:] on that go on a word of class cls
// just written (ASCII letters and digits of a word, or Hangul syllables)
// and are followed by a stable rune or the end, as stableRun would write
// them, and returns where it stopped: the bulk of text, with none of the
// other checks.
func wordRest(s string, i int, cls class, text []byte, classes []uint8) (int, []byte, []uint8) {
	// followed reports whether the rune after s[:j] is stable (or the end).
	followed := func(j int) bool {
		if j >= len(s) || s[j] < utf8.RuneSelf {
			return true
		}
		next, _ := decodeRune(s, j)
		return stable(next)
	}
	switch cls {
	case clsWord:
		for i < len(s) {
			c := s[i]
			if c >= utf8.RuneSelf || asciiKinds[c] != kindWord || !followed(i+1) {
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			text = append(text, c)
			classes = append(classes, uint8(clsWord))
			i++
		}
	case clsCJK:
		for i < len(s) {
			if r, size := decodeRune(s, i); size != 3 || r < 0xAC00 || r > 0xD7A3 || !followed(i+3) {
				break
			}
			text = append(text, s[i:i+3]...)
			classes = append(classes, uint8(clsCJK), uint8(clsCJK), uint8(clsCJK))
			i += 3
		}
	}
	return i, text, classes
}

// stable reports whether r is NFKC-normal and never combines with its
// neighbours unless they are unstable (ASCII and Hangul syllables): text
// made of stable runes only is already NFKC and may skip the normalizer.
func stable(r rune) bool {
	return r < utf8.RuneSelf || r >= 0xAC00 && r <= 0xD7A3
}

// decodeRune decodes the rune at s[i:], quickly for ASCII and Hangul
// syllables; past the end it returns utf8.RuneError and size 0.
func decodeRune(s string, i int) (rune, int) {
	if i >= len(s) {
		return utf8.RuneError, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	} else if c >= 0xEA && c <= 0xED && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
		if r := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F); r >= 0xAC00 && r <= 0xD7A3 {
			return r, 3
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

// add appends the NFKC rune r, which came from s[start:end].
func (n *normalizer) add(r rune, start, end int) {
	var c class
	switch runeKind(r) {
	case kindDrop:
		return
	case kindSep:
		if n.emitted && !n.pending {
			n.pending, n.pendStart, n.pendEnd = true, start, end
		}
		return
	case kindMark:
		c = clsSym
		if n.emitted {
			c = n.prev
		}
	case kindSym:
		c = clsSym
	case kindWord:
		c = clsWord
	case kindCJK:
		c = clsCJK
	}
	if n.pending {
		n.pending = false
		if n.compact && joins(n.prev, c) {
			n.gap = true
		} else {
			n.emit([]byte{' '}, clsSpace, n.pendStart, n.pendEnd, false)
		}
	}
	n.emit(n.foldRune(r, c), c, start, end, n.gap)
	n.gap, n.emitted, n.prev = false, true, c
}

// foldRune returns the case-folded UTF-8 encoding of r.
func (n *normalizer) foldRune(r rune, c class) []byte {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		n.buf[0] = byte(r)
		return n.buf[:1]
	}
	enc := n.buf[:utf8.EncodeRune(n.buf[:], r)]
	if c == clsCJK || c == clsSym && !unicode.IsMark(r) {
		return enc
	}
	if !n.hasFold {
		n.fold, n.hasFold = cases.Fold(), true
	}
	out := n.foldBytes(n.tmp[:0], enc)
	if !bytes.Equal(out, enc) {
		// Folding is not always idempotent in x/text (Cherokee folds back
		// and forth); settle a cycle on its smaller member.
		n.tmp2 = n.foldBytes(n.tmp2[:0], out)
		if bytes.Compare(n.tmp2, out) < 0 {
			out = append(out[:0], n.tmp2...)
		}
	}
	n.tmp = out
	return out
}

func (n *normalizer) foldBytes(dst, src []byte) []byte {
	n.fold.Reset()
	out, _, err := transform.Append(n.fold, dst, src)
	if err != nil {
		return append(dst[:0], src...)
	}
	return out
}

func (n *normalizer) emit(b []byte, c class, start, end int, gap bool) {
	st := &n.st
	st.text = append(st.text, b...)
	switch n.mode {
	case withOffsets:
		for i := range b {
			st.info = append(st.info, byteInfo{start: int32(start), end: int32(end), cls: c, gap: gap && i == 0})
		}
	case withClasses:
		for i := range b {
			k := uint8(c)
			if gap && i == 0 {
				k |= gapBit
			}
			st.classes = append(st.classes, k)
		}
	}
}
