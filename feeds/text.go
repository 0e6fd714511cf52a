package feeds

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/charmap"
)

// Caps on normalized text, in runes.
const (
	maxTitleRunes   = 500
	maxSummaryRunes = 1000
	maxContentRunes = 5000
)

// plainText turns an HTML fragment (or plain text with entities) into one
// line of plain UTF-8 text: tags dropped, script and style contents dropped,
// entities decoded, control characters removed and whitespace collapsed.
func plainText(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.ContainsAny(s, "<&") {
		return collapse(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside script, style and similar
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return collapse(b.String())
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

// collapse replaces runs of whitespace and control characters with a single
// space and trims the ends.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r >= 0x80 && r <= 0x9f {
			// C1 controls in UTF-8 text are windows-1252 bytes that were
			// decoded as Latin-1: 0x92 is ’.
			r = charmap.Windows1252.DecodeByte(byte(r))
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u200b' || r == '\ufeff' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// truncate cuts s to at most n runes, ending with "…" when it was cut, and
// prefers to cut at a space in the last fifth.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
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
