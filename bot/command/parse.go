package command

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// token is one word of a command, with its byte range in the text.
type token struct {
	text       string // without the quotes
	start, end int
	quoted     bool
}

// openQuotes maps the quote characters a user may type (or a phone may
// substitute) to the one that closes them.
var openQuotes = map[rune]rune{'"': '"', '“': '”', '”': '”', '＂': '＂', '\'': '\'', '‘': '’'}

// tokenize splits s on spaces, keeping quoted stretches together. An
// unterminated quote runs to the end.
func tokenize(s string) []token {
	var out []token
	rs := []rune(s)
	byteAt := make([]int, len(rs)+1)
	for i, n := 0, 0; i < len(rs); i++ {
		byteAt[i] = n
		n += len(string(rs[i]))
		byteAt[i+1] = n
	}
	// skipQuote returns the index after the quote opening at i.
	skipQuote := func(i int) (int, bool) {
		closer := openQuotes[rs[i]]
		for j := i + 1; j < len(rs); j++ {
			if rs[j] == closer || closer == '”' && rs[j] == '"' {
				return j + 1, true
			}
		}
		return len(rs), false
	}
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		start := i
		if _, ok := openQuotes[rs[i]]; ok {
			j, closed := skipQuote(i)
			inner := rs[i+1 : j]
			if closed {
				inner = rs[i+1 : j-1]
			}
			out = append(out, token{text: string(inner), start: byteAt[start], end: byteAt[j], quoted: true})
			i = j
			continue
		}
		for i < len(rs) && !unicode.IsSpace(rs[i]) {
			if _, ok := openQuotes[rs[i]]; ok && rs[i] != '\'' {
				i, _ = skipQuote(i)
				continue
			}
			i++
		}
		out = append(out, token{text: string(rs[start:i]), start: byteAt[start], end: byteAt[i]})
	}
	return out
}

// splitLast splits args at the last unquoted separator word (such as "to")
// that has words on both sides. head is the raw text before it (quotes
// kept, so a query keeps its phrase syntax); tail is the text after it
// with one level of quotes removed.
func splitLast(args string, seps ...string) (head, tail string, ok bool) {
	toks := tokenize(args)
	for i := len(toks) - 2; i >= 1; i-- {
		t := toks[i]
		if t.quoted || !isWord(t.text, seps...) {
			continue
		}
		return strings.TrimSpace(args[:t.start]), unquote(args[t.end:]), true
	}
	return strings.TrimSpace(args), "", false
}

// arg returns the one argument of a word: Args[key] when the platform
// typed the arguments, else the text after the word.
func (cl *call) arg(key string) string {
	if cl.req.Args != nil {
		return strings.TrimSpace(cl.req.Args[key])
	}
	return cl.args
}

// pair returns the arguments of "<first> [sep <second>]" (add, remove)
// as splitLast does: from Args when typed, else split at the last
// unquoted sep. a keeps its quotes; b loses one level; named reports
// whether b was given.
func (cl *call) pair(first, second, sep string) (a, b string, named bool) {
	if cl.req.Args == nil {
		return splitLast(cl.args, sep)
	}
	b = unquote(cl.req.Args[second])
	return strings.TrimSpace(cl.req.Args[first]), b, b != ""
}

// unquote trims s and removes one pair of surrounding quotes.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	toks := tokenize(s)
	if len(toks) == 1 && toks[0].quoted && toks[0].end == len(s) {
		return toks[0].text
	}
	return s
}

func isWord(s string, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// maxMute bounds a timed mute; longer ones are refused as likely typos.
const maxMute = 366 * 24 * time.Hour

// durationUnits are the units parseDuration accepts, longest first.
var durationUnits = []struct {
	name string
	d    time.Duration
}{
	{"시간", time.Hour}, {"초", time.Second}, {"분", time.Minute}, {"일", 24 * time.Hour}, {"주", 7 * 24 * time.Hour},
	{"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour},
}

// parseDuration reads "30m", "2h", "1d", "1w", "1h30m", "2시간", "30분",
// "1일" or "2시간30분": positive, and at most a year.
func parseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, fmt.Errorf("command: empty duration")
	}
	var total time.Duration
	for rest := s; rest != ""; {
		i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return 0, fmt.Errorf("command: bad duration %q", s)
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil {
			return 0, fmt.Errorf("command: bad duration %q: %w", s, err)
		}
		rest = strings.TrimLeft(rest[i:], " ")
		found := false
		for _, u := range durationUnits {
			if strings.HasPrefix(rest, u.name) {
				total += time.Duration(n) * u.d
				rest = strings.TrimLeft(rest[len(u.name):], " ")
				found = true
				break
			}
		}
		if !found || total > maxMute {
			return 0, fmt.Errorf("command: bad duration %q", s)
		}
	}
	if total <= 0 {
		return 0, fmt.Errorf("command: bad duration %q", s)
	}
	return total, nil
}

// splitDuration takes a trailing "for 2h", "2시간 동안", "2시간동안" or a
// bare trailing duration off args.
func splitDuration(args string) (rest string, d time.Duration, ok bool) {
	toks := tokenize(args)
	n := len(toks)
	if n >= 2 && !toks[n-1].quoted {
		last := toks[n-1]
		if dur, err := parseDuration(strings.TrimSuffix(last.text, "동안")); err == nil {
			cut := last.start
			if n >= 3 && !toks[n-2].quoted && isWord(toks[n-2].text, "for") {
				cut = toks[n-2].start
			}
			return strings.TrimSpace(args[:cut]), dur, true
		}
		if n >= 3 && last.text == "동안" && !toks[n-2].quoted {
			if dur, err := parseDuration(toks[n-2].text); err == nil {
				return strings.TrimSpace(args[:toks[n-2].start]), dur, true
			}
		}
	}
	return strings.TrimSpace(args), 0, false
}

// muteArgs returns mute's target (quotes kept) and duration: from Args
// when typed, else taken off the end of the text by splitDuration. ok is
// false when a typed duration is not one.
func (cl *call) muteArgs() (rest string, d time.Duration, timed, ok bool) {
	if cl.req.Args == nil {
		rest, d, timed = splitDuration(cl.args)
		return rest, d, timed, true
	}
	rest = strings.TrimSpace(cl.req.Args[ArgTarget])
	s := strings.TrimSpace(cl.req.Args[ArgDuration])
	if s == "" {
		return rest, 0, false, true
	}
	// The option may be typed as the text form has it: "for 2h", "2시간 동안".
	if f := strings.Fields(s); len(f) > 1 && isWord(f[0], "for") {
		s = strings.Join(f[1:], " ")
	}
	d, err := parseDuration(strings.TrimSuffix(s, "동안"))
	return rest, d, err == nil, err == nil
}

// feedAddArgs returns feed add's URL and name ("" when not given): from
// Args when typed, else the first word of the text and the rest.
func (cl *call) feedAddArgs() (rawURL, name string) {
	if cl.req.Args != nil {
		return unquote(cl.req.Args[ArgURL]), unquote(cl.req.Args[ArgName])
	}
	toks := tokenize(cl.args)
	if len(toks) == 0 {
		return "", ""
	}
	if len(toks) > 1 {
		name = unquote(cl.args[toks[1].start:])
	}
	return toks[0].text, name
}

// sanitizeName makes a watchlist name (no spaces, lowercase, letters,
// digits and dashes) from a chat channel name.
func sanitizeName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimLeft(s, "#")) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}
