package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/newshound/newshound/suggest"
)

// parseDuration reads a Go duration ("90s", "1h30m") optionally preceded
// by whole days ("1d", "1d12h").
func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("invalid duration %q (write it like 90s, 5m, 1h30m or 1d)", s)
	if s == "" {
		return 0, bad
	}
	rest := s
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 16)
		if err != nil {
			return 0, bad
		}
		days, rest = time.Duration(n)*24*time.Hour, s[i+1:]
	}
	if rest == "" {
		return days, nil
	}
	if rest[0] == '-' && days != 0 || rest[0] == '+' {
		return 0, bad
	}
	d, err := time.ParseDuration(rest)
	if err != nil {
		return 0, bad
	}
	return days + d, nil
}

// fmtDuration writes d without zero units: 1m, 90s, 1h30m.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// parseClock reads "HH:MM" (00:00 to 23:59) as the time since midnight.
func parseClock(s string) (time.Duration, error) {
	bad := fmt.Errorf("invalid time %q (write HH:MM, from 00:00 to 23:59)", s)
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	if !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, bad
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	if h > 23 || m > 59 {
		return 0, bad
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// checkQuietHours checks a "HH:MM-HH:MM" range; it may cross midnight.
func checkQuietHours(s string) error {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return fmt.Errorf("invalid quiet hours %q (write HH:MM-HH:MM, like 22:00-07:00)", s)
	}
	start, err := parseClock(from)
	if err != nil {
		return err
	}
	end, err := parseClock(to)
	if err != nil {
		return err
	}
	if start == end {
		return errors.New("quiet hours start and end at the same time")
	}
	return nil
}

// dayNames are the day names Digest.Days accepts, in week order.
var dayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// checkURL accepts an absolute http or https URL with a host. Its message
// never quotes the URL, which may hold a secret.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Hostname() == "" {
		return errors.New("must be an http:// or https:// address with a host")
	}
	return nil
}

// googleNewsURL is the RSS address of a Google News search, Korean edition.
func googleNewsURL(query string) string {
	return "https://news.google.com/rss/search?q=" + url.QueryEscape(query) + "&hl=ko&gl=KR&ceid=KR:ko"
}

// expandEnv replaces ${NAME} with the variable's value and $$ with $; any
// other $ is kept. Every unset variable is named in the error.
func expandEnv(s string, getenv func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	var unset []string
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 == len(s) || s[i+1] != '$' && s[i+1] != '{' {
			b.WriteByte(s[i])
			i++
			continue
		}
		if s[i+1] == '$' {
			b.WriteByte('$')
			i += 2
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", errors.New("unterminated ${ (write $$ for a literal $)")
		}
		name := s[i+2 : i+2+end]
		if !isEnvName(name) {
			return "", fmt.Errorf("invalid variable name %q in ${...}", name)
		}
		v, ok := getenv(name)
		if !ok {
			unset = append(unset, name)
		}
		b.WriteString(v)
		i += end + 3
	}
	if len(unset) > 0 {
		return "", &unsetError{names: unset}
	}
	return b.String(), nil
}

// unsetError names the variables of ${NAME} references that are not set.
type unsetError struct{ names []string }

func (e *unsetError) Error() string {
	if len(e.names) == 1 {
		return fmt.Sprintf("environment variable %s is not set", e.names[0])
	}
	return fmt.Sprintf("environment variables %s are not set", strings.Join(e.names, ", "))
}

// escapeEnv writes s so that expandEnv gives it back unchanged: every $ is
// doubled, so no ${NAME} in it is ever looked up. The editor writes every
// value through it: text typed in chat is data, never a reference.
func escapeEnv(s string) string {
	return strings.ReplaceAll(s, "$", "$$")
}

func isEnvName(s string) bool {
	for i, r := range s {
		if r != '_' && !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return s != ""
}

// checkName accepts a feed, watch or channel name: not empty, without
// spaces or control characters, so chat commands can name it.
func checkName(s string) error {
	switch {
	case s == "":
		return errors.New("name is empty")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return fmt.Errorf("name %q contains a space or control character", s)
	}
	return nil
}

// isDigits reports whether s is a non-empty string of ASCII digits.
func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// isColor reports whether s is "#RRGGBB".
func isColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	_, err := strconv.ParseUint(s[1:], 16, 32)
	return err == nil
}

// didYouMean returns ` (did you mean "x"?)` for the candidate closest to
// s (suggest.Closest, the rule every "did you mean" follows), or "".
func didYouMean(s string, candidates []string) string {
	best, ok := suggest.Closest(s, candidates)
	if !ok {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
