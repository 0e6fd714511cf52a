package config

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// column returns the file column of the col-th character (1-based) of
// value, the text of scalar n, so an error inside a query points at the
// offending character. It falls back to the scalar's own column when the
// value does not appear verbatim on the scalar's line: block scalars,
// scalars that span lines, values changed by ${NAME}, unknown escapes.
func (d *decoder) column(n *yaml.Node, value string, col int) int {
	r := resolve(n)
	if r != n || r.Value != value || r.Line < 1 || r.Line > len(d.lines) || col < 1 {
		return n.Column
	}
	line := []rune(d.lines[r.Line-1])
	if r.Column-1 >= len(line) {
		return n.Column
	}
	cols := sourceColumns(line[r.Column-1:], r.Style, value)
	if cols == nil || col > len(cols) {
		return n.Column
	}
	return r.Column + cols[col-1]
}

// sourceColumns maps each character of value, plus the position just past
// its end, to its offset in raw, the source text from where the scalar
// starts. It returns nil when raw does not hold value on one line.
func sourceColumns(raw []rune, style yaml.Style, value string) []int {
	want := []rune(value)
	cols := make([]int, 0, len(want)+1)
	i := 0
	switch style {
	case 0, yaml.FlowStyle:
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		i = 1
	default:
		return nil
	}
	for len(cols) < len(want) {
		if i >= len(raw) {
			return nil
		}
		c, width := raw[i], 1
		switch {
		case style == yaml.SingleQuotedStyle && c == '\'':
			if i+1 >= len(raw) || raw[i+1] != '\'' {
				return nil
			}
			width = 2
		case style == yaml.DoubleQuotedStyle && c == '\\':
			width = escapeWidth(raw[i+1:])
			if width == 0 {
				return nil
			}
		case c != want[len(cols)]:
			return nil
		}
		cols = append(cols, i)
		i += width
	}
	return append(cols, i)
}

// escapeWidth is the length in characters of the YAML double-quoted escape
// that starts with a backslash just before rest, or 0 for one that spans
// lines or is unknown.
func escapeWidth(rest []rune) int {
	if len(rest) == 0 {
		return 0
	}
	hex := map[rune]int{'x': 2, 'u': 4, 'U': 8}
	if n, ok := hex[rest[0]]; ok {
		if len(rest) <= n {
			return 0
		}
		return 2 + n
	}
	if strings.ContainsRune("0abtnvfre \"/\\N_LP\t", rest[0]) {
		return 2
	}
	return 0
}
