package feeds

import (
	"bytes"
	"fmt"
	"strconv"
)

// maxDepth bounds the element nesting of an XML body and the array and
// object nesting of a JSON body. Feeds nest a dozen levels deep; the XML
// parser's memory grows with every open element, so a feed nested deeper
// is refused before it is parsed.
const maxDepth = 256

// maxEnvelope bounds the start tags that wrap each item when items are
// parsed one by one, keeping recovery linear in the body size.
const maxEnvelope = 64 << 10

// guardReport says what guardXML changed in a body and where its items are.
type guardReport struct {
	// Forbidden counts characters XML forbids that were dropped: C0
	// controls other than tab, LF and CR, U+FFFE and U+FFFF, raw or as
	// character references (outside CDATA sections, where a reference is
	// literal text).
	Forbidden int
	// Voids counts HTML void elements (<br>, <hr>, <img>, <wbr>) left open
	// in the markup that were made self-closing.
	Voids int
	// BadComments counts comments holding "--", which XML forbids, that
	// were dropped.
	BadComments int
	// StrayEnds counts end tags matching no open element that were
	// dropped.
	StrayEnds int
	// Closed counts elements left open: closed before the next item start
	// tag (an item, or a channel element such as <title>, that would
	// swallow the items after it), or by the end tag of an element
	// around them, as the parser closes them.
	Closed int
	// Truncated is true when the body ended inside an element: an item
	// left open at the end was cut and the open elements closed.
	Truncated bool
	// CutItem is true when that cut removed an incomplete item.
	CutItem bool
	// Items are the item (RSS) or entry (Atom) elements of the output.
	Items []span
	// Envelope is the output range of each start tag open around the
	// first item, and EnvelopeNames their names, outermost first.
	Envelope      []span
	EnvelopeNames [][]byte
}

// span is a byte range [Start, End) of guardXML's output.
type span struct{ Start, End int }

// openTag is an element open in guardXML's scan.
type openTag struct {
	name  []byte
	tag   span // the start tag, in the output
	item  bool
	index int // index in guardReport.Items, for an item
}

// guardXML prepares an XML body for the parser in one pass: it drops the
// characters XML forbids, makes open HTML void elements self-closing,
// drops comments holding "--", closes an item left open before the next
// item, and closes a body that ends inside an element (cutting an item it
// ends in). It refuses a body nested deeper than maxDepth, with the byte
// offset of the element that goes too deep. Its view of the markup (start
// and end tags, comments, CDATA sections, processing instructions,
// declarations) follows encoding/xml's non-strict mode, so the depth it
// sees is the depth the parser would reach. The result is data itself when
// nothing changed.
func guardXML(data []byte) ([]byte, guardReport, error) {
	g := xmlGuard{in: data}
	err := g.run()
	if err != nil {
		return nil, guardReport{}, err
	}
	return g.finish(), g.rep, nil
}

// xmlGuard is the state of one guardXML scan. Output is built lazily: out
// stays nil until the first change, and in[:done] is then reflected in out.
type xmlGuard struct {
	in    []byte
	out   []byte
	done  int
	stack []openTag
	rep   guardReport
	// itemName is the local name of an entry, from the root element:
	// "item" for RSS and RDF, "entry" for Atom, nil before the root.
	itemName   []byte
	rootPrefix []byte
	seenRoot   bool
}

// textSpecial marks the bytes the text scan stops at.
var textSpecial = func() (t [256]bool) {
	for b := range 0x20 {
		t[b] = b != '\t' && b != '\n' && b != '\r'
	}
	t['<'], t['&'], t[0xEF] = true, true, true
	return t
}()

func (g *xmlGuard) run() error {
	in := g.in
	for i := 0; i < len(in); {
		c := in[i]
		if !textSpecial[c] {
			i++
			continue
		}
		switch c {
		case '<':
			next, err := g.markup(i)
			if err != nil {
				return err
			}
			if next < 0 { // the body ends inside this construct
				g.cut(i)
				return nil
			}
			i = next
		case '&':
			i = g.charRef(i)
		default:
			i = g.forbiddenRaw(i)
		}
	}
	g.closeAtEOF(len(in))
	return nil
}

// forbiddenRaw drops the forbidden character at i, if it is one, and
// returns where scanning goes on.
func (g *xmlGuard) forbiddenRaw(i int) int {
	if n := forbiddenAt(g.in, i); n > 0 {
		g.drop(i, i+n)
		g.rep.Forbidden++
		return i + n
	}
	return i + 1
}

// forbiddenAt returns the length of the forbidden raw character at in[i],
// or 0.
func forbiddenAt(in []byte, i int) int {
	c := in[i]
	switch {
	case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
		return 1
	case c == 0xEF && i+2 < len(in) && in[i+1] == 0xBF && (in[i+2] == 0xBE || in[i+2] == 0xBF):
		return 3
	}
	return 0
}

// scrub drops the forbidden raw characters of in[i:j], and also forbidden
// character references when refs is set.
func (g *xmlGuard) scrub(i, j int, refs bool) {
	for k := i; k < j; {
		c := g.in[k]
		switch {
		case refs && c == '&':
			k = g.charRefWithin(k, j)
		case c < 0x20 || c == 0xEF:
			k = g.forbiddenRaw(k)
		default:
			k++
		}
	}
}

// charRef drops the character reference at i if it names a character XML
// forbids, and returns where scanning goes on.
func (g *xmlGuard) charRef(i int) int { return g.charRefWithin(i, len(g.in)) }

func (g *xmlGuard) charRefWithin(i, limit int) int {
	in := g.in[:limit]
	// encoding/xml reads "&#" digits ";" or "&#x" hex digits ";"; anything
	// else is left alone in non-strict mode.
	if i+3 >= len(in) || in[i+1] != '#' {
		return i + 1
	}
	j, base := i+2, 10
	if in[j] == 'x' {
		j, base = j+1, 16
	}
	start := j
	for j < len(in) && (in[j] >= '0' && in[j] <= '9' || base == 16 && (in[j]|0x20 >= 'a' && in[j]|0x20 <= 'f')) {
		j++
	}
	if j >= len(in) || in[j] != ';' || j == start {
		return j
	}
	n, err := strconv.ParseUint(string(in[start:j]), base, 64)
	if err == nil && n <= 0x10FFFF && forbiddenRune(rune(n)) {
		g.drop(i, j+1)
		g.rep.Forbidden++
	}
	return j + 1
}

// forbiddenRune reports whether XML 1.0 forbids r in a document (the
// surrogates aside, which the parser turns into U+FFFD).
func forbiddenRune(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF
}

// markup handles the construct starting with the "<" at i and returns
// where scanning goes on, or -1 when the body ends inside it.
func (g *xmlGuard) markup(i int) (int, error) {
	in := g.in
	if i+1 >= len(in) {
		return -1, nil
	}
	switch c := in[i+1]; {
	case c == '/':
		return g.endTag(i), nil
	case c == '?':
		return g.skipTo(i, i+2, "?>"), nil
	case c == '!':
		switch {
		case bytes.HasPrefix(in[i+2:], []byte("--")):
			return g.comment(i), nil
		case bytes.HasPrefix(in[i+2:], []byte("[CDATA[")):
			return g.skipTo(i, i+9, "]]>"), nil
		case len(in) < i+9 && bytes.HasPrefix([]byte("[CDATA["), in[i+2:]):
			return -1, nil
		}
		return g.directive(i), nil
	case isNameStart(c):
		return g.startTag(i)
	}
	return i + 1, nil // a stray "<": the parser refuses it
}

// skipTo skips to just after the terminator term searched from j, dropping
// forbidden raw characters on the way.
func (g *xmlGuard) skipTo(i, j int, term string) int {
	k := bytes.Index(g.in[j:], []byte(term))
	if k < 0 {
		return -1
	}
	end := j + k + len(term)
	g.scrub(i, end, false)
	return end
}

// comment skips the comment at i; one holding "--" before its end, which
// the parser refuses even in non-strict mode, is dropped.
func (g *xmlGuard) comment(i int) int {
	in := g.in
	k := bytes.Index(in[i+4:], []byte("--"))
	if k < 0 {
		return -1
	}
	if d := i + 4 + k; d+2 < len(in) && in[d+2] == '>' {
		// gofeed keeps a comment inside an element in its text, with
		// its references decoded, so they are scrubbed too.
		g.scrub(i, d+3, true)
		return d + 3
	}
	e := bytes.Index(in[i+4:], []byte("-->"))
	if e < 0 {
		return -1
	}
	end := i + 4 + e + 3
	g.drop(i, end)
	g.rep.BadComments++
	return end
}

// directive skips a declaration such as <!DOCTYPE ...> with its internal
// subset: quoted text and nested declarations and comments, up to the ">"
// at nesting depth zero.
func (g *xmlGuard) directive(i int) int {
	in := g.in
	depth := 0
	for j := i + 2; j < len(in); j++ {
		switch in[j] {
		case '"', '\'':
			k := bytes.IndexByte(in[j+1:], in[j])
			if k < 0 {
				return -1
			}
			j += k + 1
		case '<':
			if bytes.HasPrefix(in[j+1:], []byte("!--")) {
				k := bytes.Index(in[j+4:], []byte("-->"))
				if k < 0 {
					return -1
				}
				j += 4 + k + 2
				continue
			}
			depth++
		case '>':
			if depth == 0 {
				g.scrub(i, j+1, false)
				return j + 1
			}
			depth--
		}
	}
	return -1
}

// endTag handles the end tag at i: it closes the innermost open element
// of that name and every element opened inside it, as the non-strict
// parser does. An end tag matching no open element is dropped: the parser
// would close every open element for it and stop, losing the rest.
func (g *xmlGuard) endTag(i int) int {
	in := g.in
	nameEnd := i + 2
	for nameEnd < len(in) && isNameByte(in[nameEnd]) {
		nameEnd++
	}
	k := bytes.IndexByte(in[nameEnd:], '>')
	if k < 0 {
		return -1
	}
	end := nameEnd + k + 1
	name := in[i+2 : nameEnd]
	for d := len(g.stack) - 1; d >= 0; d-- {
		if bytes.Equal(g.stack[d].name, name) {
			start := g.pos(i)
			g.scrub(i, end, false)
			if t := g.stack[d]; t.item {
				g.rep.Items[t.index].End = g.pos(end)
			}
			g.rep.Closed += len(g.stack) - d - 1
			g.popTo(d+1, start)
			g.stack = g.stack[:d]
			return end
		}
	}
	g.drop(i, end)
	g.rep.StrayEnds++
	return end
}

// popTo closes the open elements from depth d up, which end at output
// position end (before the end tag or the start tag that closes them).
func (g *xmlGuard) popTo(d, end int) {
	for _, t := range g.stack[d:] {
		if t.item {
			g.rep.Items[t.index].End = end
		}
	}
	g.stack = g.stack[:d]
}

// voidElements are the HTML elements that never have content and that
// feeds carry in unescaped markup; an open one would otherwise nest the
// rest of its parent inside it.
var voidElements = [][]byte{[]byte("br"), []byte("hr"), []byte("img"), []byte("wbr")}

// startTag handles the start tag at i.
func (g *xmlGuard) startTag(i int) (int, error) {
	in := g.in
	nameEnd := i + 1
	for nameEnd < len(in) && isNameByte(in[nameEnd]) {
		nameEnd++
	}
	name := in[i+1 : nameEnd]
	gt, selfClosing := tagEnd(in, nameEnd)
	if gt == -1 {
		return -1, nil
	}
	if gt == -2 { // a "<" before the tag's ">": the parser refuses it
		return nameEnd, nil
	}
	end := gt + 1
	prefix, local := splitName(name)

	if !g.seenRoot {
		g.seenRoot = true
		g.rootPrefix = prefix
		switch string(bytes.ToLower(local)) {
		case "rss", "rdf":
			g.itemName = []byte("item")
		case "feed":
			g.itemName = []byte("entry")
		}
	}
	isItem := g.itemName != nil && bytes.EqualFold(local, g.itemName) &&
		(len(prefix) == 0 || bytes.Equal(prefix, g.rootPrefix))
	if isItem {
		g.closeBeforeItem(i)
	}

	startPos := g.pos(i)
	g.scrub(i, gt, true)
	if selfClosing {
		return end, nil
	}
	if len(prefix) == 0 && isVoid(local) && !closedRightAfter(in, end, name) {
		g.insert(gt, "/")
		g.rep.Voids++
		return end, nil
	}
	if len(g.stack) >= maxDepth {
		return 0, fmt.Errorf("element nesting deeper than %d at byte %d", maxDepth, i)
	}
	t := openTag{name: name, tag: span{startPos, g.pos(end)}, item: isItem}
	if isItem {
		if len(g.rep.Items) == 0 {
			for _, e := range g.stack {
				g.rep.Envelope = append(g.rep.Envelope, e.tag)
				g.rep.EnvelopeNames = append(g.rep.EnvelopeNames, e.name)
			}
		}
		t.index = len(g.rep.Items)
		g.rep.Items = append(g.rep.Items, span{Start: startPos, End: -1})
	}
	g.stack = append(g.stack, t)
	return end, nil
}

// itemParents are the elements entries sit in: the channel of RSS 2.0,
// the root of RSS 1.0 and Atom.
var itemParents = [][]byte{[]byte("channel"), []byte("rss"), []byte("rdf"), []byte("feed")}

// closeBeforeItem closes, before the item start tag at i, every element
// still open inside the item's parent: the channel (RSS 2.0) or the root.
// Only an earlier item left open (or a channel element such as an open
// <title>) can be there; left open, it would swallow the items after it.
func (g *xmlGuard) closeBeforeItem(i int) {
	parent := -1
	for d := len(g.stack) - 1; d >= 0 && parent < 0; d-- {
		_, local := splitName(g.stack[d].name)
		for _, p := range itemParents {
			if bytes.EqualFold(local, p) {
				parent = d
			}
		}
	}
	if parent < 0 || parent == len(g.stack)-1 {
		return
	}
	var closers []byte
	for d := len(g.stack) - 1; d > parent; d-- {
		closers = append(closers, "</"...)
		closers = append(closers, g.stack[d].name...)
		closers = append(closers, '>')
	}
	g.insert(i, string(closers))
	g.rep.Closed += len(g.stack) - parent - 1
	g.popTo(parent+1, g.pos(i))
}

// closeAtEOF closes the elements still open at the end of the body. An
// item open there is incomplete (the body was cut short), so it is cut.
func (g *xmlGuard) closeAtEOF(i int) {
	if len(g.stack) == 0 {
		return
	}
	g.rep.Truncated = true
	for d, t := range g.stack {
		if t.item {
			g.cutItem(d)
			break
		}
	}
	closers := make([]byte, 0, 16*len(g.stack))
	for d := len(g.stack) - 1; d >= 0; d-- {
		closers = append(closers, "</"...)
		closers = append(closers, g.stack[d].name...)
		closers = append(closers, '>')
	}
	if g.out == nil {
		g.out = append(make([]byte, 0, len(g.in)+len(closers)), g.in...)
	} else {
		g.out = append(g.out, g.in[g.done:]...)
	}
	g.done = len(g.in)
	g.out = append(g.out, closers...)
	g.stack = g.stack[:0]
}

// cut drops the body from the construct at i that it ends inside, then
// closes what is open.
func (g *xmlGuard) cut(i int) {
	g.drop(i, len(g.in))
	g.closeAtEOF(len(g.in))
}

// cutItem drops the open item at depth d and everything after it.
func (g *xmlGuard) cutItem(d int) {
	t := g.stack[d]
	if g.out == nil {
		g.out = append(make([]byte, 0, t.tag.Start+256), g.in[:t.tag.Start]...)
	} else {
		g.out = g.out[:t.tag.Start]
	}
	g.done = len(g.in)
	g.rep.Items = g.rep.Items[:t.index]
	g.rep.CutItem = true
	g.stack = g.stack[:d]
}

// pos is the output position of input position i (i >= done).
func (g *xmlGuard) pos(i int) int {
	if g.out == nil {
		return i
	}
	return len(g.out) + i - g.done
}

// flush brings out up to input position i.
func (g *xmlGuard) flush(i int) {
	if g.out == nil {
		g.out = append(make([]byte, 0, len(g.in)+64), g.in[:i]...)
	} else {
		g.out = append(g.out, g.in[g.done:i]...)
	}
	g.done = i
}

// drop leaves in[i:j] out of the output.
func (g *xmlGuard) drop(i, j int) {
	g.flush(i)
	g.done = j
}

// insert puts s into the output before input position i.
func (g *xmlGuard) insert(i int, s string) {
	g.flush(i)
	g.out = append(g.out, s...)
}

func (g *xmlGuard) finish() []byte {
	if g.out == nil {
		return g.in
	}
	return append(g.out, g.in[g.done:]...)
}

// tagEnd finds the ">" of a start tag whose attributes begin at j, reading
// attributes as encoding/xml does: a quoted value may hold ">". It returns
// -1 when the body ends first and -2 at a "<", which the parser refuses.
func tagEnd(in []byte, j int) (gt int, selfClosing bool) {
	for j < len(in) {
		switch c := in[j]; c {
		case '>':
			return j, j > 0 && in[j-1] == '/'
		case '<':
			return -2, false
		case '=':
			j++
			for j < len(in) && isSpace(in[j]) {
				j++
			}
			if j < len(in) && (in[j] == '"' || in[j] == '\'') {
				// The parser refuses a "<" in a quoted value.
				k := bytes.IndexAny(in[j+1:], string(in[j])+"<")
				switch {
				case k < 0:
					return -1, false
				case in[j+1+k] == '<':
					return -2, false
				}
				j += k + 2
			}
		default:
			j++
		}
	}
	return -1, false
}

// closedRightAfter reports whether the end tag of name follows position
// j, after white space only.
func closedRightAfter(in []byte, j int, name []byte) bool {
	for j < len(in) && isSpace(in[j]) {
		j++
	}
	rest := in[j:]
	if !bytes.HasPrefix(rest, []byte("</")) || !bytes.HasPrefix(rest[2:], name) {
		return false
	}
	rest = bytes.TrimLeft(rest[2+len(name):], " \t\r\n")
	return len(rest) > 0 && rest[0] == '>'
}

func isVoid(local []byte) bool {
	for _, v := range voidElements {
		if bytes.EqualFold(local, v) {
			return true
		}
	}
	return false
}

// splitName splits a qualified name at its first colon.
func splitName(name []byte) (prefix, local []byte) {
	if k := bytes.IndexByte(name, ':'); k > 0 && k < len(name)-1 {
		return name[:k], name[k+1:]
	}
	return nil, name
}

// isNameStart reports whether c can begin an element name: a letter, "_",
// ":" or any byte of a non-ASCII character.
func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

// isNameByte reports whether c can continue a name.
func isNameByte(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '.' || c == '-'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
