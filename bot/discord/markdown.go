package discord

import (
	"strings"
	"unicode/utf8"

	"github.com/newshound/newshound/bot/notify"
)

// zwsp is a zero-width space, put after "@" in @everyone and @here so the
// text can never become a mass mention.
const zwsp = "\u200b"

// Discord markdown escaping works on "tokens": the escaped form of one
// rune (or of a whole URL), which truncation never cuts apart, so a cut
// cannot leave a dangling backslash or half a mention guard.

// mdAlways are the characters escaped wherever they appear: emphasis,
// strike, code, spoiler, masked links and angle-bracket syntax (<@id>,
// <#id>, <t:…>, <https://…>).
const mdAlways = "\\*_~`|[]()<>"

// mdLineStart are markers that only format at the start of a line:
// headings, block quotes, lists and "-#" subtext.
const mdLineStart = "#>-+"

// escapeTokens returns the Discord-escaped tokens of untrusted text.
// Newlines are kept when keepNewlines is set and folded to spaces
// otherwise; raw http(s) URLs are kept whole so they still link, showing
// their real address.
func escapeTokens(s string, keepNewlines bool) []string {
	return escapeTokensAt(s, keepNewlines, true)
}

// escapeTokensAt is escapeTokens for text that starts at the start of a
// line (lineStart) or after other text on it, where line-start markers
// such as "-" or "#" do not format.
func escapeTokensAt(s string, keepNewlines, lineStart bool) []string {
	toks := make([]string, 0, len(s))
	for i := 0; i < len(s); {
		rest := s[i:]
		if n := urlLen(rest); n > 0 && (i == 0 || !isURLChar(s[i-1])) {
			toks = append(toks, rest[:n])
			i += n
			lineStart = false
			continue
		}
		if n := massMention(rest); n > 0 {
			toks = append(toks, "@"+zwsp)
			toks = append(toks, rest[1:n])
			i += n
			lineStart = false
			continue
		}
		r, size := utf8.DecodeRuneInString(rest)
		i += size
		switch {
		case r == '\n' || r == '\r':
			if keepNewlines {
				toks = append(toks, "\n")
				lineStart = true
			} else {
				toks = append(toks, " ")
			}
			if r == '\r' && strings.HasPrefix(s[i:], "\n") {
				i++
			}
		case r == ' ' || r == '\t':
			toks = append(toks, string(r))
		case r < 0x80 && strings.ContainsRune(mdAlways, r):
			toks = append(toks, "\\"+string(r))
			lineStart = false
		case lineStart && r < 0x80 && strings.ContainsRune(mdLineStart, r):
			toks = append(toks, "\\"+string(r))
			lineStart = false
		case lineStart && r >= '0' && r <= '9':
			// "1. item" is an ordered list: escape the dot after the digits.
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			toks = append(toks, s[i-size:j])
			if j < len(s) && s[j] == '.' {
				toks = append(toks, "\\.")
				j++
			}
			i = j
			lineStart = false
		case r == utf8.RuneError && size == 1:
			toks = append(toks, "\uFFFD")
			lineStart = false
		default:
			toks = append(toks, string(r))
			lineStart = false
		}
	}
	return toks
}

// massMention returns the length of "@everyone" or "@here" at the start
// of s, or 0.
func massMention(s string) int {
	for _, m := range []string{"@everyone", "@here"} {
		if len(s) >= len(m) && strings.EqualFold(s[:len(m)], m) {
			return len(m)
		}
	}
	return 0
}

// urlLen returns the length of an http(s) URL at the start of s, or 0.
// Like Discord's autolinker, it stops at whitespace or '<' and does not
// end in closing punctuation.
func urlLen(s string) int {
	var n int
	switch {
	case len(s) > 8 && strings.EqualFold(s[:8], "https://"):
		n = 8
	case len(s) > 7 && strings.EqualFold(s[:7], "http://"):
		n = 7
	default:
		return 0
	}
	start := n
	for n < len(s) && isURLChar(s[n]) {
		n++
	}
	for n > start && strings.IndexByte(".,:;\"')]!?*_~|", s[n-1]) >= 0 {
		n--
	}
	if n == start {
		return 0
	}
	return n
}

// isURLChar reports whether b may continue a URL: printable ASCII other
// than space, '<' and '>', or a byte of a non-ASCII rune.
func isURLChar(b byte) bool {
	return b > ' ' && b != '<' && b != '>' && b != 0x7f
}

// Escape makes untrusted text safe to show as Discord markdown: it cannot
// format, build masked links or mention anyone.
func Escape(s string) string {
	return strings.Join(escapeTokens(s, true), "")
}

// joinTokens joins toks, cutting so the result is at most max UTF-16
// units including a closing "…" when cut. It reports whether it cut.
func joinTokens(toks []string, max int) (string, bool) {
	total := 0
	for _, t := range toks {
		total += notify.UTF16Len(t)
	}
	if total <= max {
		return strings.Join(toks, ""), false
	}
	var b strings.Builder
	n := 0
	for _, t := range toks {
		w := notify.UTF16Len(t)
		if n+w > max-1 {
			break
		}
		b.WriteString(t)
		n += w
	}
	if max <= 0 {
		return "", true
	}
	return strings.TrimRight(b.String(), " \t\n") + "…", true
}

// escapeTrunc escapes s and cuts it to max UTF-16 units, never inside an
// escape, a URL or a mention guard. Newlines become spaces.
func escapeTrunc(s string, max int) string {
	out, _ := joinTokens(escapeTokens(s, false), max)
	return out
}

// plainTrunc is for fields Discord shows without markdown (author name,
// footer): mentions are still neutralized.
func plainTrunc(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if n := massMention(s[i:]); n > 0 {
			b.WriteString("@" + zwsp + s[i+1:i+n])
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\n' || r == '\r' {
			r = ' '
		}
		b.WriteRune(r)
		i += size
	}
	return notify.TruncateUTF16(strings.TrimSpace(b.String()), max)
}

// highlight escapes s and puts the matched terms in bold, cut to max
// UTF-16 units. Terms are found as written (case-insensitively for
// ASCII), the longest first, and never overlap.
func highlight(s string, terms []string, max int) string {
	type span struct{ from, to int }
	var spans []span
	for i := 0; i < len(s); {
		best := 0
		for _, t := range terms {
			if len(t) > best && len(t) <= len(s)-i && strings.EqualFold(s[i:i+len(t)], t) {
				best = len(t)
			}
		}
		if best > 0 && strings.TrimSpace(s[i:i+best]) != "" {
			spans = append(spans, span{i, i + best})
			i += best
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	// Tokens of plain text, with each bold run as one token so a cut never
	// leaves "**" unclosed.
	var toks []string
	prev := 0
	for _, sp := range spans {
		toks = append(toks, escapeTokens(s[prev:sp.from], false)...)
		inner := strings.TrimSpace(Escape(strings.Join(strings.Fields(s[sp.from:sp.to]), " ")))
		toks = append(toks, "**"+inner+"**")
		prev = sp.to
	}
	toks = append(toks, escapeTokens(s[prev:], false)...)
	out, _ := joinTokens(toks, max)
	return out
}
