package command

import "strings"

// A reply (Reply.Text) is written in a small markup: *bold* and `code`
// within one line, a backslash before an ASCII punctuation character for
// that character itself, and literal text everywhere else. The core
// escapes the text it quotes (headlines, names, errors) with defuse, so it
// never reads as markup; each platform renders the runs ParseReply finds
// in its own syntax. This file is the one reader of that markup.

// RunKind is what a run of a reply is.
type RunKind int

const (
	RunText RunKind = iota // literal text
	RunBold                // *bold*
	RunCode                // `code`
)

// Run is one piece of a reply, its text literal (escapes resolved).
type Run struct {
	Kind RunKind
	Text string
}

// ParseReply splits a command reply into runs. A marker without a partner
// later on its line, an empty pair, and a bold pair whose inside starts or
// ends with a space are literal text. Escapes work in text and bold; code
// is taken as written.
func ParseReply(s string) []Run {
	var out []Run
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, Run{RunText, lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			lit.WriteByte(s[i+1])
			i += 2
			continue
		case c == '`':
			if end := closing(s, i+1, '`', false); end > i+1 {
				flush()
				out = append(out, Run{RunCode, s[i+1 : end]})
				i = end + 1
				continue
			}
		case c == '*':
			if end := closing(s, i+1, '*', true); end > i+1 {
				if inner := s[i+1 : end]; inner == strings.TrimSpace(inner) {
					flush()
					out = append(out, Run{RunBold, UnescapeReply(inner)})
					i = end + 1
					continue
				}
			}
		}
		lit.WriteByte(c)
		i++
	}
	flush()
	return out
}

// closing returns the index of the first marker m at or after from on the
// same line, stepping over escaped characters when escapes is set, or -1.
func closing(s string, from int, m byte, escapes bool) int {
	for j := from; j < len(s); j++ {
		switch {
		case s[j] == '\n' || s[j] == '\r':
			return -1
		case escapes && s[j] == '\\' && j+1 < len(s) && isASCIIPunct(s[j+1]):
			j++
		case s[j] == m:
			return j
		}
	}
	return -1
}

// UnescapeReply resolves the escapes of a reply's text.
func UnescapeReply(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isASCIIPunct reports whether c is ASCII punctuation, which a backslash
// escapes in a reply.
func isASCIIPunct(c byte) bool {
	return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}
