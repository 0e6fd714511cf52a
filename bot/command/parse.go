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

// clockTime reads "09:00" or "9:00" (24-hour) as hour and minute.
func clockTime(s string) (h, m int, ok bool) {
	hs, ms, found := strings.Cut(s, ":")
	if !found || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || strings.Trim(hs+ms, "0123456789") != "" || h > 23 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// nextClock returns the first time after now that is h:m in loc.
func nextClock(now time.Time, loc *time.Location, h, m int) time.Time {
	local := now.In(loc)
	t := time.Date(local.Year(), local.Month(), local.Day(), h, m, 0, 0, loc)
	if !t.After(now) {
		t = time.Date(local.Year(), local.Month(), local.Day()+1, h, m, 0, 0, loc)
	}
	return t
}

// parseUntil reads when a mute ends: a duration from now ("2h", "for
// 2h", "2시간 동안"; see parseDuration) or a time of day ("until 09:00",
// "09:00까지", or "09:00" alone), the next such time in loc.
func parseUntil(s string, now time.Time, loc *time.Location) (time.Time, error) {
	f := strings.Fields(strings.ToLower(s))
	clock := false
	if len(f) > 1 && (f[0] == "for" || f[0] == "until") {
		clock = f[0] == "until"
		f = f[1:]
	}
	t := strings.Join(f, "")
	if c, ok := strings.CutSuffix(t, "까지"); ok {
		t, clock = c, true
	}
	if clock || strings.Contains(t, ":") {
		h, m, ok := clockTime(t)
		if !ok {
			return time.Time{}, fmt.Errorf("command: bad time of day %q", s)
		}
		return nextClock(now, loc, h, m), nil
	}
	d, err := parseDuration(strings.TrimSuffix(t, "동안"))
	if err != nil {
		return time.Time{}, err
	}
	return now.Add(d), nil
}

// markedLength reports whether s says it is a mute length ("for …",
// "until …", "… 동안", "… 까지"), so that failing to read it is an error
// rather than part of a target.
func markedLength(s string) bool {
	f := strings.Fields(strings.ToLower(s))
	return len(f) > 0 && (len(f) > 1 && (f[0] == "for" || f[0] == "until") ||
		strings.HasSuffix(f[len(f)-1], "동안") || strings.HasSuffix(f[len(f)-1], "까지"))
}

// splitUntil takes a trailing mute length off args: "for 2h", "2h",
// "2시간 동안", "2시간동안", "until 09:00", "09:00까지" or "09:00 까지".
// When it finds none, bad is a trailing text that looks like a failed one
// ("for 2x", "until 9", "2x"), a suffix of args, for the caller to report
// unless args as a whole names a target.
func splitUntil(args string, now time.Time, loc *time.Location) (rest string, until time.Time, timed bool, bad string) {
	toks := tokenize(args)
	n := len(toks)
	// Two words: "for 2h", "until 09:00", "2시간 동안", "09:00 까지".
	if n >= 3 && !toks[n-1].quoted && !toks[n-2].quoted {
		a, b := toks[n-2].text, toks[n-1].text
		if isWord(a, "for", "until") || b == "동안" || b == "까지" {
			tail := args[toks[n-2].start:]
			if t, err := parseUntil(tail, now, loc); err == nil {
				return strings.TrimSpace(args[:toks[n-2].start]), t, true, ""
			}
			bad = strings.TrimSpace(tail)
		}
	}
	// One word: "2h", "2시간동안", "09:00까지".
	if n >= 2 && !toks[n-1].quoted && bad == "" {
		last := toks[n-1].text
		if t, err := parseUntil(last, now, loc); err == nil {
			return strings.TrimSpace(args[:toks[n-1].start]), t, true, ""
		}
		if markedLength(last) || last[0] >= '0' && last[0] <= '9' {
			bad = last
		}
	}
	return strings.TrimSpace(args), time.Time{}, false, bad
}

// muteArgs returns mute's target (quotes kept) and when it ends: from
// Args when typed, else taken off the end of the text by splitUntil.
// bad is a length that could not be read (typed, or trailing the text;
// see splitUntil).
func (cl *call) muteArgs(now time.Time) (rest string, until time.Time, timed bool, bad string) {
	loc := cl.cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	if cl.req.Args == nil {
		return splitUntil(cl.args, now, loc)
	}
	rest = strings.TrimSpace(cl.req.Args[ArgTarget])
	s := strings.TrimSpace(cl.req.Args[ArgDuration])
	if s == "" {
		return rest, time.Time{}, false, ""
	}
	t, err := parseUntil(s, now, loc)
	if err != nil {
		return rest, time.Time{}, false, s
	}
	return rest, t, true, ""
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
