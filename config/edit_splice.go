package config

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// offset converts a node position (1-based line, 1-based column counted
// in characters) to a byte offset.
func (d *Doc) offset(line, col int) int {
	off := d.lines[line-1]
	for range col - 1 {
		_, n := utf8.DecodeRune(d.src[off:])
		off += n
	}
	return off
}

// line returns line i (0-based) without its line break.
func (d *Doc) line(i int) []byte {
	end := len(d.src)
	if i+1 < len(d.lines) {
		end = d.lines[i+1]
	}
	return bytes.TrimRight(d.src[d.lines[i]:end], "\r\n")
}

func (d *Doc) indent(i int) int {
	l := d.line(i)
	return len(l) - len(bytes.TrimLeft(l, " "))
}

func (d *Doc) blankOrComment(i int) bool {
	l := bytes.TrimSpace(d.line(i))
	return len(l) == 0 || l[0] == '#'
}

func (d *Doc) dashLine(i int) bool {
	l := bytes.TrimLeft(d.line(i), " ")
	return len(l) > 0 && l[0] == '-' && (len(l) == 1 || l[1] == ' ' || l[1] == '\t')
}

// blockEnd returns the 0-based line after the block node that starts on
// line first and is owned by column col (a "- " or a key): the lines that
// follow it indented deeper, or at the same column with "- " for a key's
// sequence. Comment and blank lines after its last line are not part of it.
func (d *Doc) blockEnd(first, col int, key bool) int {
	last := first
	for i := first + 1; i < len(d.lines); i++ {
		if d.blankOrComment(i) {
			continue
		}
		if ind := d.indent(i); ind > col || key && ind == col && d.dashLine(i) {
			last = i
			continue
		}
		break
	}
	return last + 1
}

// lineStart returns the byte offset of line i, or the end of the text.
func (d *Doc) lineStart(i int) int {
	if i < len(d.lines) {
		return d.lines[i]
	}
	return len(d.src)
}

// insertLines inserts whole lines before line i, with the file's line
// breaks.
func (d *Doc) insertLines(i int, text string) error {
	at := d.lineStart(i)
	if at == len(d.src) && len(d.src) > 0 && d.src[len(d.src)-1] != '\n' {
		text = "\n" + text
	}
	if bytes.Contains(d.src, []byte("\r\n")) {
		text = strings.ReplaceAll(text, "\n", "\r\n")
	}
	return d.splice(at, at, text)
}

func (d *Doc) splice(start, end int, text string) error {
	out := make([]byte, 0, len(d.src)-(end-start)+len(text))
	out = append(out, d.src[:start]...)
	out = append(out, text...)
	out = append(out, d.src[end:]...)
	d.src = out
	return d.reparse()
}

// itemLine returns the 0-based line of the "-" of a block sequence item:
// the item's own line, or a line above it holding only the dash.
func (d *Doc) itemLine(seq, item *yaml.Node) (int, error) {
	dash := seq.Column - 1
	i := item.Line - 1
	if d.indent(i) == dash && d.dashLine(i) {
		return i, nil
	}
	for i--; i >= seq.Line-1; i-- {
		if d.blankOrComment(i) {
			continue
		}
		rest := bytes.TrimSpace(bytes.TrimLeft(d.line(i), " ")[1:])
		if d.indent(i) == dash && d.dashLine(i) && (len(rest) == 0 || rest[0] == '#') {
			return i, nil
		}
		break
	}
	return 0, fmt.Errorf("%w: line %d: cannot find the item's dash", ErrUnsupportedLayout, item.Line)
}

// --- edits ---

// entry is a key and a value to write: a string, []string or []entry.
type entry struct {
	k string
	v any
}

// layout is how the file indents nested blocks, learnt from the file.
type layout struct {
	step   int  // a nested mapping's keys, relative to its parent key
	seqOff int  // a block sequence's dash, relative to its key
	item   int  // a mapping's keys in a sequence item, relative to the dash
	flow   bool // write lists in flow style
}

func (d *Doc) layout() layout {
	l := layout{step: -1, seqOff: -1}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Line <= k.Line || v.Style&yaml.FlowStyle != 0 {
					continue
				}
				if v.Kind == yaml.MappingNode && l.step < 0 && v.Column > k.Column {
					l.step = v.Column - k.Column
				}
				if v.Kind == yaml.SequenceNode && l.seqOff < 0 {
					l.seqOff = v.Column - k.Column
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(d.root)
	switch {
	case l.step < 1 && l.seqOff > 0:
		l.step = l.seqOff
	case l.step < 1:
		l.step = 2
	}
	if l.seqOff < 0 {
		l.seqOff = l.step
	}
	l.item = 2
	return l
}

// appendString appends s to the sequence under key in mapping m, creating
// the key when missing or null.
func (d *Doc) appendString(m *yaml.Node, key, s string) error {
	seq := mapValue(m, key)
	if err := editable(seq); err != nil {
		return err
	}
	if seq == nil || seq.Kind == yaml.ScalarNode && seq.ShortTag() == "!!null" {
		return d.addKey(m, key, []string{s})
	}
	if seq.Kind != yaml.SequenceNode {
		return fmt.Errorf("%w: line %d: %s is not a list", ErrUnsupportedLayout, seq.Line, key)
	}
	if seq.Style&yaml.FlowStyle != 0 {
		return d.flowAppend(seq, valueText(s))
	}
	last := seq.Content[len(seq.Content)-1]
	first, err := d.itemLine(seq, last)
	if err != nil {
		return err
	}
	dash := seq.Column - 1
	return d.insertLines(d.blockEnd(first, dash, false), strings.Repeat(" ", dash)+"- "+valueText(s)+"\n")
}

// appendItem appends a mapping to the top-level sequence under key.
func (d *Doc) appendItem(key string, es []entry) error {
	seq := mapValue(d.root, key)
	if err := editable(seq); err != nil {
		return err
	}
	lay := d.layout()
	if seq == nil || seq.Kind == yaml.ScalarNode && seq.ShortTag() == "!!null" {
		return d.addKey(d.root, key, [][]entry{es})
	}
	if seq.Kind != yaml.SequenceNode {
		return fmt.Errorf("%w: line %d: %s is not a list", ErrUnsupportedLayout, seq.Line, key)
	}
	if seq.Style&yaml.FlowStyle != 0 {
		return d.flowAppend(seq, flowText(es))
	}
	last := seq.Content[len(seq.Content)-1]
	lay.flow = lastFlowList(last)
	first, err := d.itemLine(seq, last)
	if err != nil {
		return err
	}
	dash := seq.Column - 1
	if last.Kind == yaml.MappingNode && last.Line-1 == first {
		lay.item = last.Column - 1 - dash
	}
	return d.insertLines(d.blockEnd(first, dash, false), blockItem(es, dash, lay))
}

// lastFlowList reports whether a sibling writes its lists in flow style.
func lastFlowList(n *yaml.Node) bool {
	for i := 1; i < len(n.Content); i += 2 {
		if v := n.Content[i]; v.Kind == yaml.SequenceNode {
			return v.Style&yaml.FlowStyle != 0
		}
	}
	return false
}

// addKey adds key: v to mapping m, or fills the key's null value.
func (d *Doc) addKey(m *yaml.Node, key string, v any) error {
	lay := d.layout()
	k := mapKey(m, key)
	if k != nil {
		val := mapValue(m, key)
		if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!null" {
			return d.addToMapping(val, v)
		}
		return d.fillNull(m, k, val, v, lay)
	}
	if m.Style&yaml.FlowStyle != 0 {
		return d.flowAppend(m, scalarText(key)+": "+flowText(v))
	}
	col := m.Column - 1
	lastKey := m.Content[len(m.Content)-2]
	end := d.blockEnd(lastKey.Line-1, col, true)
	var b strings.Builder
	writeEntry(&b, entry{key, v}, col, lay)
	return d.insertLines(end, b.String())
}

// addToMapping adds the entries in v to an existing mapping value.
func (d *Doc) addToMapping(m *yaml.Node, v any) error {
	es, ok := v.([]entry)
	if !ok || m.Kind != yaml.MappingNode {
		return fmt.Errorf("%w: line %d: unexpected kind of value", ErrUnsupportedLayout, m.Line)
	}
	if err := editable(m); err != nil {
		return err
	}
	for _, e := range es {
		if err := d.addKey(m, e.k, e.v); err != nil {
			return err
		}
		m = d.find(m)
	}
	return nil
}

// find returns the node at the position n had before a re-parse; edits
// only add text after the nodes they are given.
func (d *Doc) find(n *yaml.Node) *yaml.Node {
	var out *yaml.Node
	var walk func(c *yaml.Node)
	walk = func(c *yaml.Node) {
		if out != nil {
			return
		}
		if c.Line == n.Line && c.Column == n.Column && c.Kind == n.Kind {
			out = c
			return
		}
		for _, x := range c.Content {
			walk(x)
		}
	}
	walk(d.root)
	return out
}

// fillNull writes value v for key k whose value is null ("key:" or
// "key: ~"), keeping whatever follows on the key's line (a comment).
func (d *Doc) fillNull(m, k, val *yaml.Node, v any, lay layout) error {
	if m.Style&yaml.FlowStyle != 0 || val.Line != k.Line {
		return fmt.Errorf("%w: line %d: empty %s", ErrUnsupportedLayout, k.Line, k.Value)
	}
	start := d.offset(val.Line, val.Column)
	end := start + len(val.Value)
	var b strings.Builder
	writeEntry(&b, entry{k.Value, v}, k.Column-1, lay)
	head, more, _ := strings.Cut(b.String(), "\n")
	_, inline, _ := strings.Cut(head, ":")
	if inline == "" {
		for start > 0 && d.src[start-1] == ' ' {
			start--
		}
	} else if start > 0 && d.src[start-1] == ' ' {
		inline = inline[1:]
	}
	if err := d.splice(start, end, inline); err != nil {
		return err
	}
	if more == "" {
		return nil
	}
	return d.insertLines(k.Line, more)
}

// removeItem deletes item i of a sequence.
func (d *Doc) removeItem(seq *yaml.Node, i int) error {
	if err := editable(seq); err != nil {
		return err
	}
	if seq.Style&yaml.FlowStyle != 0 {
		return d.flowRemove(seq, i)
	}
	first, err := d.itemLine(seq, seq.Content[i])
	if err != nil {
		return err
	}
	end := d.blockEnd(first, seq.Column-1, false)
	return d.splice(d.lineStart(first), d.lineStart(end), "")
}

// --- flow collections ---

type flowSpan struct {
	close int      // offset of the closing bracket
	elems [][2]int // byte ranges of the top-level elements
}

// scanFlow finds the elements of the flow collection opening at off.
func (d *Doc) scanFlow(off int) (flowSpan, error) {
	var fs flowSpan
	src := d.src
	depth := 0
	start, end := -1, -1
	prev := byte('[')
	flush := func() {
		if start >= 0 {
			fs.elems = append(fs.elems, [2]int{start, end})
		}
		start, end = -1, -1
	}
	for i := off + 1; i < len(src); i++ {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			continue
		case c == '#' && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n'):
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		}
		if depth == 0 && (c == ']' || c == '}') {
			flush()
			fs.close = i
			return fs, nil
		}
		if depth == 0 && c == ',' {
			flush()
			prev = c
			continue
		}
		if start < 0 {
			start = i
		}
		switch {
		case (c == '"' || c == '\'') && strings.IndexByte("[{,:", prev) >= 0:
			j := i + 1
			for ; j < len(src); j++ {
				if c == '"' && src[j] == '\\' {
					j++
					continue
				}
				if src[j] == c {
					if c == '\'' && j+1 < len(src) && src[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			i = j
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		}
		end = i + 1
		prev = src[i]
	}
	return fs, fmt.Errorf("%w: unterminated flow collection", ErrUnsupportedLayout)
}

// flowAppend appends element text to a flow collection.
func (d *Doc) flowAppend(n *yaml.Node, text string) error {
	off := d.offset(n.Line, n.Column)
	fs, err := d.scanFlow(off)
	if err != nil {
		return err
	}
	if len(fs.elems) == 0 {
		return d.splice(off+1, fs.close, text)
	}
	at := fs.elems[len(fs.elems)-1][1]
	return d.splice(at, at, ", "+text)
}

// flowRemove deletes element i of a flow sequence with its comma.
func (d *Doc) flowRemove(n *yaml.Node, i int) error {
	off := d.offset(n.Line, n.Column)
	fs, err := d.scanFlow(off)
	if err != nil {
		return err
	}
	if len(fs.elems) != len(n.Content) {
		return fmt.Errorf("%w: line %d: cannot split the list", ErrUnsupportedLayout, n.Line)
	}
	switch e := fs.elems; {
	case len(e) == 1:
		return d.splice(off+1, fs.close, "")
	case i+1 < len(e):
		return d.splice(e[i][0], e[i+1][0], "")
	default:
		return d.splice(e[i-1][1], e[i][1], "")
	}
}
