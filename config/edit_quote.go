package config

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scalarText writes s plain when that is unambiguous in both block and
// flow context, and single-quoted otherwise.
func scalarText(s string) string {
	if plainSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// valueText writes value s so that loading gives back exactly s: $ is
// escaped (see escapeEnv), then the text is quoted as needed. Every value
// the editor writes goes through it; keys, which are never expanded, go
// through scalarText alone.
func valueText(s string) string {
	return scalarText(escapeEnv(s))
}

func plainSafe(s string) bool {
	if s == "" || s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" -_./", r) {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return false
	}
	// A leading digit with only number-like characters may read as a
	// YAML 1.1 number, date or time (1e3, 0x1F, 2024-01-01, 1:30).
	return r > '9' || r < '0' || strings.IndexFunc(s, func(r rune) bool {
		return !strings.ContainsRune("0123456789abcdefABCDEF.:_-xXoO+ ", r)
	}) >= 0
}

func flowText(v any) string {
	switch v := v.(type) {
	case string:
		return valueText(v)
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = valueText(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []entry:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = scalarText(e.k) + ": " + flowText(e.v)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case [][]entry:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = flowText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	panic(fmt.Sprintf("config: flowText: unexpected %T", v))
}

// writeEntry writes key: value as block lines with the key at column col.
func writeEntry(b *strings.Builder, e entry, col int, lay layout) {
	pad := strings.Repeat(" ", col)
	b.WriteString(pad + scalarText(e.k) + ":")
	switch v := e.v.(type) {
	case string:
		b.WriteString(" " + valueText(v) + "\n")
	case []string:
		if lay.flow {
			b.WriteString(" " + flowText(v) + "\n")
			return
		}
		b.WriteString("\n")
		for _, s := range v {
			b.WriteString(strings.Repeat(" ", col+lay.seqOff) + "- " + valueText(s) + "\n")
		}
	case []entry:
		b.WriteString("\n")
		for _, c := range v {
			writeEntry(b, c, col+lay.step, lay)
		}
	case [][]entry:
		b.WriteString("\n")
		for _, es := range v {
			b.WriteString(blockItem(es, col+lay.seqOff, lay))
		}
	}
}

// blockItem writes a mapping as a block sequence item with its dash at
// column dash.
func blockItem(es []entry, dash int, lay layout) string {
	var b strings.Builder
	for _, e := range es {
		writeEntry(&b, e, dash+lay.item, lay)
	}
	s := b.String()
	return strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", lay.item-1) + s[dash+lay.item:]
}
