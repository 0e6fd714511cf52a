package feeds

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Caps on normalized text, in runes. Summary and content are not capped
// here: an item keeps its whole text (bounded by the body size the fetcher
// accepts) so that a keyword in the last paragraph still matches. Display
// caps belong to the renderers; see Snippet.
const (
	// maxTitleRunes bounds an item title. It is generous so that matching
	// sees a long title whole; renderers cut it shorter for display.
	maxTitleRunes = 2000
	// maxFeedTitleRunes bounds the feed's own title, which is only shown.
	maxFeedTitleRunes = 500
	// faceRunes bounds a title made up from an item's text, link or id.
	faceRunes = 100
)

// plainText turns an HTML fragment (or plain text with entities) into one
// line of plain UTF-8 text: tags dropped, script and style contents dropped,
// entities decoded, invisible and control characters removed, whitespace
// collapsed and the result in Unicode NFC.
func plainText(s string) string {
	if s == "" {
		return ""
	}
	if !strings.ContainsAny(s, "<&") {
		// Plain text: one pass, which also replaces invalid UTF-8 as
		// strings.ToValidUTF8 does, and returns (part of) s itself when
		// nothing in it changes.
		c := collapser{src: s, alias: true, composed: true}
		c.write(s, true)
		if !c.cut {
			return c.String()
		}
		return plainTextRef(s)
	}
	// HTML: its text goes to the collapser piece by piece, as
	// simpleHTMLText finds it, without a copy in between.
	c := collapser{composed: true}
	c.b.Grow(len(s))
	if !simpleHTMLText(&c, s) {
		// As plainTextRef, which would decline it too.
		var b strings.Builder
		b.Grow(len(s))
		tokenizedText(&b, strings.ToValidUTF8(s, "\uFFFD"))
		return collapse(b.String())
	}
	if c.cut {
		return plainTextRef(s)
	}
	return c.String()
}

// plainTextRef is plainText in separate passes: invalid UTF-8 replaced,
// the text of the HTML written out, then collapsed. It is what plainText
// falls back on where its one pass cannot decide, and the reference that
// pass is tested against.
func plainTextRef(s string) string {
	if s == "" {
		return ""
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !strings.ContainsAny(s, "<&") {
		return collapse(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	if !simpleHTMLText(&b, s) {
		b.Reset()
		tokenizedText(&b, s)
	}
	return collapse(b.String())
}

// textWriter is where simpleHTMLText writes: a strings.Builder, or a
// collapser that collapses the text as it comes.
type textWriter interface {
	WriteString(s string) (int, error)
	WriteByte(c byte) error
}

// tokenizedText writes the text of the HTML fragment s to b: tags
// dropped, a space for a block tag, script, style and similar contents
// dropped, entities decoded.
func tokenizedText(b *strings.Builder, s string) {
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside script, style and similar
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			default:
				if isBlock(a) {
					b.WriteByte(' ')
				}
			}
		}
	}
}

// simpleHTMLText writes the text of s to b as the tokenizer loop of
// plainText would (tags dropped, a space for block tags, entities
// decoded), without building a tokenizer, for HTML made of text and tags
// only, as feeds' summaries are. It reports false, having written part of
// s, on anything else: comments, doctypes, end tags not followed by a
// name, a tag cut off by the end of s, and the elements whose contents
// the tokenizer reads raw or plainText drops (script, style, title, ...).
func simpleHTMLText(b textWriter, s string) bool {
	text := func(t string) {
		if strings.IndexByte(t, '&') >= 0 {
			t = html.UnescapeString(t)
		}
		b.WriteString(t)
	}
	start := 0 // of the text not yet written
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			break
		}
		i += lt
		if i+1 >= len(s) {
			break // a final "<" is text
		}
		c := s[i+1]
		end := false
		switch {
		case isASCIILetter(c):
		case c == '/' && i+2 < len(s) && isASCIILetter(s[i+2]):
			end = true
		case c == '/', c == '!', c == '?':
			return false
		default:
			i++ // "<" before anything else is text
			continue
		}
		text(s[start:i])
		nameStart := i + 1
		if end {
			nameStart++
		}
		name, next, ok := readTag(s, nameStart)
		if !ok {
			return false
		}
		switch a := lowerAtom(name); {
		case rawText(a):
			return false
		case isBlock(a):
			b.WriteByte(' ')
		}
		i, start = next, next
	}
	text(s[start:])
	return true
}

// readTag reads the tag whose name starts at s[i] as html.Tokenizer does
// (attribute values may be quoted and then hold '>'), and returns the
// name and the offset after the closing '>'; ok is false when s ends
// inside the tag.
func readTag(s string, i int) (name string, next int, ok bool) {
	start := i
	for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '/' && s[i] != '>' {
		i++
	}
	name = s[start:i]
	skip := func() {
		for i < len(s) && isHTMLSpace(s[i]) {
			i++
		}
	}
	skip()
	for {
		if i >= len(s) {
			return "", 0, false
		}
		if s[i] == '>' {
			return name, i + 1, true
		}
		// An attribute's name: up to a space, '/', '=' (unless first) or '>'.
		k := i
		for i < len(s) {
			c := s[i]
			if c == '=' && i == k {
				i++
				continue
			}
			if isHTMLSpace(c) || c == '/' || c == '=' || c == '>' {
				break
			}
			i++
		}
		// Its value, if an '=' follows.
		skip()
		if i >= len(s) {
			return "", 0, false
		}
		switch s[i] {
		case '/':
			i++
		case '=':
			i++
			skip()
			if i >= len(s) {
				return "", 0, false
			}
			switch q := s[i]; q {
			case '>':
			case '\'', '"':
				j := strings.IndexByte(s[i+1:], q)
				if j < 0 {
					return "", 0, false
				}
				i += j + 2
			default:
				for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '>' {
					i++
				}
			}
		}
		skip()
	}
}

// lowerAtom returns the atom of a tag name in any case, 0 for a name no
// atom has.
func lowerAtom(name string) atom.Atom {
	var buf [16]byte
	if len(name) > len(buf) {
		return 0
	}
	for i := range len(name) {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return atom.Lookup(buf[:len(name)])
}

// rawText reports whether the tokenizer reads the contents of element a
// as raw text, or plainText drops them.
func rawText(a atom.Atom) bool {
	switch a {
	case atom.Iframe, atom.Noembed, atom.Noframes, atom.Noscript, atom.Plaintext, atom.Script, atom.Style,
		atom.Textarea, atom.Title, atom.Xmp, atom.Template:
		return true
	}
	return false
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

// isBlock reports whether a tag separates words when rendered.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Br, atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Tr, atom.Td, atom.Th,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote,
		atom.Hr, atom.Img, atom.Figure, atom.Figcaption, atom.Section, atom.Article,
		atom.Table, atom.Dd, atom.Dt, atom.Pre:
		return true
	}
	return false
}

// invisible classifies the invisible characters of feed text. They are
// treated in one of three ways:
//
//   - Separators (U+200B zero-width space, U+FEFF BOM or zero-width
//     no-break space, and the Hangul fillers U+3164 and U+FFA0, which
//     render blank) become a space, like whitespace: feeds use them as
//     invisible breaks between words, and removing them would glue two
//     words into one that no keyword matches. drop and space are true.
//   - Format characters are removed (drop is true, space false): bidi
//     embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
//     and marks (U+200E, U+200F, U+061C), which can make a headline
//     display reversed ("\u202Egnp.exe" shows as "exe.png"); U+2060 word
//     joiner, U+180E Mongolian vowel separator, U+00AD soft hyphen,
//     invisible operators U+2061–U+2064, deprecated format characters
//     U+206A–U+206F and interlinear annotation controls U+FFF9–U+FFFB.
//     They never separate words.
//   - Joiners depend on their neighbours, so collapse decides: U+200C
//     zero-width non-joiner is kept only between two letters of a script
//     that uses it (Arabic script for Persian, the Indic scripts), U+200D
//     zero-width joiner there too and between two emoji (U+1F469 U+200D
//     U+1F4BB is one picture). Elsewhere both are removed. Tag characters
//     (U+E0000–U+E007F) are kept only after U+1F3F4 (subdivision flags
//     such as England's).
func invisible(r rune) (drop, space bool) {
	switch {
	case r == '\u200b', r == '\ufeff', r == '\u3164', r == '\uffa0':
		return true, true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069',
		r == '\u200e', r == '\u200f', r == '\u061c', r == '\u2060', r == '\u180e', r == '\u00ad',
		r >= '\u2061' && r <= '\u2064', r >= '\u206a' && r <= '\u206f', r >= '\ufff9' && r <= '\ufffb':
		return true, false
	}
	return false, false
}

// collapse replaces runs of whitespace, control characters and invisible
// separators with a single space, removes the other invisible characters
// (see invisible), trims the ends and returns the text in NFC, so that
// decomposed Hangul from a Mac-made feed displays and compares as composed.
func collapse(s string) string { return collapseRuns(s, true) }

// collapseRuns is collapse; with runs false it looks at every rune on its
// own, the reference the fast path of plain runs is tested against.
func collapseRuns(s string, runs bool) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	var prev rune // last rune written, 0 at a space
	// composed stays true while every rune written is one that NFC
	// leaves alone whatever follows it, so the normalization pass
	// (the costliest part for Korean text) can be skipped.
	composed := true
	for i := 0; i < len(s); {
		// Runs of printable ASCII and precomposed Hangul syllables, most
		// of any feed's text, need none of the checks below: they are
		// copied whole.
		if j := plainRun(s, i); runs && j > i {
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteString(s[i:j])
			prev, _ = utf8.DecodeLastRuneInString(s[i:j])
			i = j
			continue
		}
		if c := s[i]; runs && c < utf8.RuneSelf {
			// The rest of ASCII is spaces and control characters.
			space = b.Len() > 0
			prev = 0
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= 0x80 && r <= 0x9f {
			// C1 controls in UTF-8 text are windows-1252 bytes that were
			// decoded as Latin-1: 0x92 is ’.
			r = charmap.Windows1252.DecodeByte(byte(r))
		}
		if drop, sep := invisible(r); drop {
			if sep {
				space = b.Len() > 0
				prev = 0
			}
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			prev = 0
			continue
		}
		if space && (r == '\u200d' || r == '\u200c' || isTag(r)) {
			continue // a joiner after a space joins nothing
		}
		switch {
		case r == '\u200d':
			if next, _ := utf8.DecodeRuneInString(s[i:]); !(isEmojiPart(prev) && isPictographic(next)) && !(usesZWNJ(prev) && usesZWNJ(next)) {
				continue
			}
		case r == '\u200c':
			if next, _ := utf8.DecodeRuneInString(s[i:]); !(usesZWNJ(prev) && usesZWNJ(next)) {
				continue
			}
		case isTag(r):
			if prev != '\U0001F3F4' && !isTag(prev) {
				continue
			}
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case size == 3 && r >= 0xAC00 && r <= 0xD7A3:
			b.WriteString(s[i-size : i]) // a Hangul syllable, as it came
		default:
			b.WriteRune(r)
			composed = composed && nfcStable(r)
		}
		prev = r
	}
	out := b.String()
	if !composed {
		out = norm.NFC.String(out)
	}
	return out
}

// collapser is collapse in one pass over text given in pieces (the text
// between the tags of an HTML fragment), which also replaces invalid
// UTF-8 as strings.ToValidUTF8 does before collapsing: each run of
// invalid bytes within a piece becomes one U+FFFD. A run never spans an
// ASCII byte, so pieces cut at tags run the same as the whole text.
//
// With alias set, the whole input is src, given as one piece, and the
// output stays the substring src[lo:hi] until it first differs from
// one, so text that needs no change is returned without a copy.
type collapser struct {
	b        strings.Builder
	src      string
	lo, hi   int
	alias    bool
	space    bool // a space is due before the next visible rune
	prev     rune // last rune written, 0 at a space
	composed bool // as in collapseRuns
	// cut is set when a joiner ends a piece that may not be the last:
	// whether it stays depends on the rune after it, which the next piece
	// holds. The collapser then ignores the rest, and its caller starts
	// over with plainTextRef.
	cut bool
}

// WriteString collapses the next piece of text.
func (c *collapser) WriteString(s string) (int, error) {
	c.write(s, false)
	return len(s), nil
}

// WriteByte collapses a piece of one byte, such as the space of a block
// tag.
func (c *collapser) WriteByte(b byte) error {
	if b == ' ' {
		c.space = c.len() > 0
		c.prev = 0
		return nil
	}
	c.write(string(rune(b)), false)
	return nil
}

func (c *collapser) len() int {
	if c.alias {
		return c.hi - c.lo
	}
	return c.b.Len()
}

// materialize copies the output aliased so far to the builder.
func (c *collapser) materialize() {
	c.alias = false
	c.b.Grow(len(c.src))
	c.b.WriteString(c.src[c.lo:c.hi])
}

// copy appends s[i:j], extending the alias when s is src and s[i:j]
// follows it.
func (c *collapser) copy(s string, i, j int) {
	if c.alias {
		if c.lo == c.hi {
			c.lo, c.hi = i, j
			return
		}
		if c.hi == i {
			c.hi = j
			return
		}
		c.materialize()
	}
	c.b.WriteString(s[i:j])
}

// writeSpace appends the space due before s[i].
func (c *collapser) writeSpace(s string, i int) {
	c.space = false
	if c.alias && c.hi == i-1 && s[i-1] == ' ' {
		c.hi = i
		return
	}
	if c.alias {
		c.materialize()
	}
	c.b.WriteByte(' ')
}

// writeRune appends r, which does not come as it is from the input.
func (c *collapser) writeRune(r rune) {
	if c.alias {
		c.materialize()
	}
	c.b.WriteRune(r)
}

// write collapses the piece s as collapseRuns does, last telling whether
// no piece follows.
func (c *collapser) write(s string, last bool) {
	if c.cut {
		return
	}
	badEnd := -1 // end of the invalid byte last read
	for i := 0; i < len(s); {
		if j := plainRun(s, i); j > i {
			if c.space {
				c.writeSpace(s, i)
			}
			c.copy(s, i, j)
			if s[j-1] < utf8.RuneSelf {
				c.prev = rune(s[j-1])
			} else {
				c.prev, _ = utf8.DecodeLastRuneInString(s[j-3 : j])
			}
			i = j
			continue
		}
		if s[i] < utf8.RuneSelf {
			// The rest of ASCII is spaces and control characters.
			c.space = c.len() > 0
			c.prev = 0
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		asIs := true // r is s[i-size:i]
		if r == utf8.RuneError && size == 1 {
			if badEnd == i-1 {
				badEnd = i
				continue // the same run of invalid bytes: one U+FFFD for it
			}
			badEnd = i
			asIs = false
		}
		if r >= 0x80 && r <= 0x9f {
			r = charmap.Windows1252.DecodeByte(byte(r))
			asIs = false
		}
		if drop, sep := invisible(r); drop {
			if sep {
				c.space = c.len() > 0
				c.prev = 0
			}
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			c.space = c.len() > 0
			c.prev = 0
			continue
		}
		if c.space && (r == '\u200d' || r == '\u200c' || isTag(r)) {
			continue
		}
		switch {
		case r == '\u200d', r == '\u200c':
			if i == len(s) && !last {
				c.cut = true
				return
			}
			next, _ := utf8.DecodeRuneInString(s[i:])
			if r == '\u200d' && isEmojiPart(c.prev) && isPictographic(next) {
				break
			}
			if !(usesZWNJ(c.prev) && usesZWNJ(next)) {
				continue
			}
		case isTag(r):
			if c.prev != '\U0001F3F4' && !isTag(c.prev) {
				continue
			}
		}
		if c.space {
			c.writeSpace(s, i-size)
		}
		if asIs {
			c.copy(s, i-size, i)
		} else {
			c.writeRune(r)
		}
		if r >= utf8.RuneSelf && !(size == 3 && r >= 0xAC00 && r <= 0xD7A3) {
			c.composed = c.composed && nfcStable(r)
		}
		c.prev = r
	}
}

// String returns the collapsed text, in NFC.
func (c *collapser) String() string {
	var out string
	if c.alias {
		out = c.src[c.lo:c.hi]
	} else {
		out = c.b.String()
	}
	if !c.composed {
		out = norm.NFC.String(out)
	}
	return out
}

// plainRun returns the end of the run of printable ASCII characters
// (U+0021–U+007E) and precomposed Hangul syllables (U+AC00–U+D7A3), with
// single spaces between them, that starts at s[i:], i itself when there
// is none. Such runes are visible, never separators or joiners, and NFC
// leaves them alone; a single space between two of them is what collapse
// makes of it.
func plainRun(s string, i int) int {
	start := i
	for i < len(s) {
		c := s[i]
		switch {
		case c > ' ' && c < 0x7f:
			i++
			continue
		case c >= 0xEA && c <= 0xED:
			if hangulAt(s, i) {
				i += 3
				continue
			}
		case c == ' ':
			if i > start && i+1 < len(s) {
				if n := s[i+1]; n > ' ' && n < 0x7f || hangulAt(s, i+1) {
					i++ // a single space between words stays as it is
					continue
				}
			}
		}
		break
	}
	return i
}

// hangulAt reports whether a precomposed Hangul syllable (U+AC00–U+D7A3)
// starts at s[i].
func hangulAt(s string, i int) bool {
	if i+2 >= len(s) {
		return false
	}
	// Valid three-byte sequences sort as their runes do: U+AC00 is EA B0
	// 80, U+D7A3 ED 9E A3.
	c1, c2 := s[i+1], s[i+2]
	v := uint32(s[i])<<16 | uint32(c1)<<8 | uint32(c2)
	return v-0xEAB080 <= 0xED9EA3-0xEAB080 && c1&0xC0 == 0x80 && c2&0xC0 == 0x80
}

// nfcStable reports whether NFC leaves r unchanged and never composes it
// with the rune before it, so that NFC leaves alone any text made of such
// runes: Latin below the combining marks (U+0300), precomposed Hangul
// syllables, and the punctuation, symbols, Hangul compatibility jamo, CJK
// ideographs, fullwidth forms and emoji that Korean and English news
// text holds (‘’“”…, 「」, ㈜, 漢字). TestNFCStable checks every rune it
// accepts against the normalization tables. It is a fast path only: false
// for a rune that is in fact stable costs a normalization pass, never a
// wrong result.
func nfcStable(r rune) bool {
	switch {
	case r < 0x300,
		r >= 0xAC00 && r <= 0xD7A3,
		r >= 0x2010 && r <= 0x205E,   // general punctuation
		r >= 0x2190 && r <= 0x22FF,   // arrows, mathematical operators
		r >= 0x2460 && r <= 0x27BF,   // enclosed alphanumerics, box drawing, shapes, symbols, dingbats
		r >= 0x3001 && r <= 0x3029,   // CJK punctuation
		r >= 0x3131 && r <= 0x318E,   // Hangul compatibility jamo
		r >= 0x3200 && r <= 0x32FF,   // enclosed CJK letters
		r >= 0x4E00 && r <= 0x9FFF,   // CJK unified ideographs
		r >= 0xFF01 && r <= 0xFFEF,   // fullwidth and halfwidth forms
		r >= 0x1F300 && r <= 0x1FAFF: // pictographs, emoticons
		return true
	}
	return false
}

// isTag reports whether r is a tag character (U+E0000–U+E007F).
func isTag(r rune) bool { return r >= 0xE0000 && r <= 0xE007F }

// isPictographic approximates Unicode's Extended_Pictographic property,
// which the standard library lacks: the blocks where emoji live.
func isPictographic(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, // emoticons, pictographs, transport, supplemental symbols
		r >= 0x2600 && r <= 0x27BF, // miscellaneous symbols, dingbats
		r >= 0x2300 && r <= 0x23FF, // miscellaneous technical (⌚, ⏩)
		r >= 0x2B00 && r <= 0x2BFF, // arrows and stars (⬛, ⭐)
		r >= 0x2190 && r <= 0x21FF, // arrows
		r == 0x00A9, r == 0x00AE, r == 0x203C, r == 0x2049, r == 0x2122, r == 0x2139,
		r == 0x3030, r == 0x303D, r == 0x3297, r == 0x3299:
		return true
	}
	return false
}

// isEmojiPart reports whether r may end an emoji that a ZWJ extends: a
// pictograph, the emoji presentation selector or a skin-tone modifier
// (which lies in the pictographic range).
func isEmojiPart(r rune) bool {
	return r == '\uFE0F' || isPictographic(r) || isTag(r)
}

// zwnjScripts are the scripts where U+200C is part of correct spelling.
var zwnjScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Devanagari, unicode.Bengali, unicode.Gurmukhi,
	unicode.Gujarati, unicode.Oriya, unicode.Tamil, unicode.Telugu, unicode.Kannada,
	unicode.Malayalam, unicode.Sinhala,
}

// usesZWNJ reports whether r is a letter or mark of a script in zwnjScripts.
func usesZWNJ(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsMark(r)) && unicode.In(r, zwnjScripts...)
}

// truncate cuts s to at most n runes, ending with "…" when it was cut, and
// prefers to cut at a space in the last fifth.
func truncate(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, runes := 0, 0
	for i := range s {
		if runes == n-1 {
			cut = i
			break
		}
		runes++
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut*4/5 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ") + "…"
}

// Snippet returns the sentence of text that holds byte offset at (such as
// the start of a keyword match), in at most n runes. A sentence that fits
// is returned whole, without ellipses. A longer one is cut at spaces
// (between words; mid-word only in text without spaces, such as Chinese)
// to a window that shows some words before at and as many after as fit,
// with "…" where it was cut. An offset inside a multi-byte character counts
// as that character's start; one outside text is clamped to it.
//
// Sentences end at a line break, at "。", "！" or "？", at ".", "?" or "!"
// followed by a space (closing quotes and brackets may come between), and,
// as Korean text often has no space after a sentence, at "다.", "요.", "?"
// and "!" followed by Hangul. A period after a lone letter or a common
// title ("U.S.", "Mr.") does not end a sentence, nor does one between
// numbers ("3.5", "2024. 11. 19.").
func Snippet(text string, at, n int) string {
	if n <= 0 || strings.TrimSpace(text) == "" {
		return ""
	}
	at = max(0, min(at, len(text)))
	for at > 0 && at < len(text) && !utf8.RuneStart(text[at]) {
		at--
	}
	if last := len(strings.TrimRightFunc(text, unicode.IsSpace)); at >= last {
		at = backRunes(text, last, 1) // trailing space: the last sentence
	}
	start, end := sentenceAround(text, at)
	sentence := strings.TrimRightFunc(text[start:end], unicode.IsSpace)
	end = start + len(sentence)
	at = max(start, min(at, end))
	if utf8.RuneCountInString(sentence) <= n {
		return sentence
	}
	if n < 3 {
		return strings.TrimSpace(text[at:forwardRunes(text, at, n-1)]) + "…"
	}
	// Keep the window at the sentence start while a third of it is left
	// for at and what follows; else start a third of the window before
	// at, at a word.
	third := n / 3
	ws, lcut := start, false
	if runesBetween(text, start, at) > n-1-third {
		ws, lcut = wordAfter(text, backRunes(text, at, third), at), true
	}
	avail := n - 1 // room for the closing "…"
	if lcut {
		avail-- // and the opening one
	}
	we := forwardRunes(text, ws, avail)
	if we >= end {
		// The sentence's end is within reach: show it, with as much
		// before at as the window holds.
		ws = wordAfter(text, backRunes(text, end, n-1), at)
		return "…" + strings.TrimSpace(text[ws:end])
	}
	if next, _ := utf8.DecodeRuneInString(text[we:]); !unicode.IsSpace(next) {
		// The window ends inside a word: end it at the last space.
		if sp := strings.LastIndexFunc(text[ws:we], unicode.IsSpace); sp > 0 && ws+sp > at && runesBetween(text, ws, ws+sp) >= avail/2 {
			we = ws + sp
		}
	}
	return ellipsis(lcut) + strings.TrimSpace(text[ws:we]) + "…"
}

// wordAfter returns the start of the first word after byte offset i,
// unless there is none before limit; then i.
func wordAfter(text string, i, limit int) int {
	if r, _ := utf8.DecodeLastRuneInString(text[:i]); i == 0 || unicode.IsSpace(r) {
		return i
	}
	if sp := strings.IndexFunc(text[i:limit], unicode.IsSpace); sp >= 0 {
		_, size := utf8.DecodeRuneInString(text[i+sp:])
		return i + sp + size
	}
	return i
}

func ellipsis(cut bool) string {
	if cut {
		return "…"
	}
	return ""
}

// runesBetween counts the runes in s[i:j].
func runesBetween(s string, i, j int) int { return utf8.RuneCountInString(s[i:j]) }

// forwardRunes returns the byte offset n runes after i, or len(s).
func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// backRunes returns the byte offset n runes before i, or 0.
func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// sentenceAround returns the byte range of the sentence that holds
// offset at, without the spaces before it.
func sentenceAround(text string, at int) (start, end int) {
	end = len(text)
	for i := 0; i < len(text); {
		next, ok := sentenceBreak(text, i)
		if !ok {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			continue
		}
		if next > at || (next == at && at == len(text)) {
			end = next
			break
		}
		start = next
		i = next
	}
	start = end - len(strings.TrimLeftFunc(text[start:end], unicode.IsSpace))
	return start, end
}

// closers may follow a sentence's final punctuation.
const closers = "\"'”’)]」』》〉】"

// sentenceBreak reports whether a sentence ends with the rune at i, and if
// so where the next one starts (after closing quotes and spaces).
func sentenceBreak(text string, i int) (next int, ok bool) {
	r, size := utf8.DecodeRuneInString(text[i:])
	j := i + size
	switch r {
	case '\n':
		return j, true
	case '。', '！', '？':
		return skipClosers(text, j), true
	case '.', '?', '!':
	default:
		return 0, false
	}
	k := skipClosers(text, j)
	if k == len(text) {
		return k, true
	}
	after, _ := utf8.DecodeRuneInString(text[k:])
	before, _ := utf8.DecodeLastRuneInString(text[:i])
	switch {
	case unicode.IsSpace(after):
		if r == '.' && (abbreviation(text[:i]) || unicode.IsDigit(before) && (digitFollows(text[k:]) || dottedDate.MatchString(text[max(0, i-16):i]))) {
			return 0, false // "U.S. officials", "2024. 11. 19. 오후"
		}
		return k, true
	case unicode.Is(unicode.Hangul, after) && (r != '.' || before == '다' || before == '요'):
		return k, true
	}
	return 0, false
}

// dottedDate matches the end of a Korean dotted date, "2024. 11. 19".
var dottedDate = regexp.MustCompile(`(?:^|\D)\d{2,4}\. ?\d{1,2}\. ?\d{1,2}$`)

// digitFollows reports whether s is spaces and then a digit.
func digitFollows(s string) bool {
	s = strings.TrimLeft(s, " \t")
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsDigit(r)
}

func skipClosers(text string, j int) int {
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if !strings.ContainsRune(closers, r) {
			break
		}
		j += size
	}
	return j
}

// abbreviation reports whether the word before a period is a lone letter
// ("U.S", "J") or a common title, after which a period ends no sentence.
func abbreviation(before string) bool {
	w := before[strings.LastIndexAny(before, " \t(\"'“‘")+1:]
	if i := strings.LastIndexByte(w, '.'); i >= 0 {
		w = w[i+1:]
	}
	if utf8.RuneCountInString(w) == 1 {
		r, _ := utf8.DecodeRuneInString(w)
		return unicode.IsLetter(r) && !unicode.Is(unicode.Hangul, r) && !unicode.Is(unicode.Han, r)
	}
	switch strings.ToLower(w) {
	case "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "no", "gen", "sen", "rep", "gov":
		return true
	}
	return false
}
