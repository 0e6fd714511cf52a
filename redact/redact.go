// Package redact removes secrets from text before it leaves the process:
// log lines, chat replies, errors and status output. A Redactor knows the
// bot's own secrets (tokens, signing secrets, webhook URLs, passwords) and
// replaces every occurrence of them, in plain, URL-escaped and
// JSON-escaped form; pattern rules also catch secrets it was never told
// about: Slack tokens, Discord bot tokens, webhook and interaction URLs,
// credentials in URLs, password= pairs and secret-looking query
// parameters.
//
// One Redactor is built at start and shared by the logger and every
// transport; it is safe for concurrent use, and secrets learnt later (a
// reloaded watchlist) are added with Add. A nil *Redactor applies the
// pattern rules only.
package redact

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
)

// Mark replaces a redacted secret.
const Mark = "[REDACTED]"

// MinLen is the shortest literal secret the Redactor replaces anywhere in
// text: shorter values would garble ordinary words. Short passwords in a
// URL's user info are still removed by the URL rule.
const MinLen = 6

// Redactor removes known secrets and secret-shaped text from strings. The
// zero value and nil apply the pattern rules only.
type Redactor struct {
	set atomic.Pointer[literals]
}

// literals is an immutable set of secret strings.
type literals struct {
	values []string // every form of every secret, longest first
}

// New returns a Redactor for the given secrets (see Add).
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add teaches r more secrets. Each value of at least MinLen bytes is
// replaced wherever it appears, also URL-escaped and JSON-escaped; a
// value that is a URL also gives its password. Values shorter than MinLen
// are ignored (but see the URL rule), as are values already known.
func (r *Redactor) Add(secrets ...string) {
	r.add(false, secrets)
}

// AddURL teaches r secret URLs, such as webhook URLs, whose path or query
// is the secret: besides the whole URL (as Add), their path, query and
// last path segment (a token) are replaced on their own.
func (r *Redactor) AddURL(urls ...string) {
	r.add(true, urls)
}

// With returns a new Redactor that knows r's secrets and the given ones,
// for a secret that lives only as long as one request (an interaction
// token). r is not changed.
func (r *Redactor) With(secrets ...string) *Redactor {
	out := &Redactor{}
	if r != nil {
		if cur := r.set.Load(); cur != nil {
			out.set.Store(cur)
		}
	}
	out.Add(secrets...)
	return out
}

func (r *Redactor) add(isURL bool, secrets []string) {
	if r == nil {
		return
	}
	for {
		cur := r.set.Load()
		var have []string
		if cur != nil {
			have = cur.values
		}
		next := slices.Clone(have)
		for _, s := range secrets {
			next = appendForms(next, s, isURL)
		}
		slices.SortFunc(next, func(a, b string) int {
			if c := cmp.Compare(len(b), len(a)); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		next = slices.Compact(next)
		if len(next) == len(have) {
			return // nothing new
		}
		if r.set.CompareAndSwap(cur, &literals{values: next}) {
			return
		}
	}
}

// appendForms appends every form of secret s worth replacing.
func appendForms(out []string, s string, isURL bool) []string {
	s = strings.TrimSpace(s)
	for _, p := range []string{"Bot ", "Bearer "} {
		s = strings.TrimPrefix(s, p)
	}
	if len(s) < MinLen {
		return out
	}
	out = appendEscaped(out, s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return out
	}
	if pw, ok := u.User.Password(); ok && len(pw) >= MinLen {
		out = appendEscaped(out, pw)
	}
	if !isURL {
		return out
	}
	if len(u.Path) > 1 {
		out = appendEscaped(out, u.Path)
		out = appendEscaped(out, u.EscapedPath())
		if last := u.Path[strings.LastIndexByte(u.Path, '/')+1:]; len(last) >= 16 {
			out = appendEscaped(out, last)
		}
	}
	if len(u.RawQuery) >= MinLen {
		out = appendEscaped(out, u.RawQuery)
	}
	return out
}

// appendEscaped appends s and its URL- and JSON-escaped forms.
func appendEscaped(out []string, s string) []string {
	if len(s) < MinLen {
		return out
	}
	out = append(out, s, url.QueryEscape(s), url.PathEscape(s))
	if b, err := json.Marshal(s); err == nil {
		out = append(out, string(b[1:len(b)-1]))
	}
	return out
}

// String returns s with every known secret and every secret-shaped piece
// of text replaced by Mark.
func (r *Redactor) String(s string) string {
	if r != nil {
		if l := r.set.Load(); l != nil {
			s = l.replace(s)
		}
	}
	return patterns(s)
}

// replace replaces every occurrence of every literal. Occurrences that
// overlap (two secrets sharing characters) are replaced as one, so no
// part of either survives.
func (l *literals) replace(s string) string {
	var spans [][2]int
	for _, v := range l.values {
		for from := 0; from+len(v) <= len(s); {
			i := strings.Index(s[from:], v)
			if i < 0 {
				break
			}
			spans = append(spans, [2]int{from + i, from + i + len(v)})
			from += i + 1
		}
	}
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	var b strings.Builder
	last := 0
	for k := 0; k < len(spans); {
		start, end := spans[k][0], spans[k][1]
		for k++; k < len(spans) && spans[k][0] < end; k++ {
			end = max(end, spans[k][1])
		}
		b.WriteString(s[last:start])
		b.WriteString(Mark)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// Error returns err when its message holds nothing to redact, else an
// error whose message is err's, redacted; nil for nil. A redacted error
// matches (errors.Is) what err matches, but does not unwrap to it, so the
// unredacted text cannot be reached through errors.As.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := r.String(msg)
	if red == msg {
		return err
	}
	return &redactedError{msg: red, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the original error matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

// rule is one pattern for secrets the Redactor was not told about.
type rule struct {
	// hint is a substring every match contains (lower case), a cheap
	// test before the regexp runs.
	hint string
	re   *regexp.Regexp
	repl string
}

// rules are the pattern rules, applied in order after the URL rule.
var rules = []rule{
	// Slack tokens: bot, user, app-level, configuration, refresh.
	{"xox", regexp.MustCompile(`\b(xox[abeoprs](?:\.xox[a-z])?)-[0-9A-Za-z-]{4,}`), "${1}-" + Mark},
	{"xapp-", regexp.MustCompile(`\bxapp-[0-9A-Za-z-]{4,}`), "xapp-" + Mark},
	// Slack webhook and response URLs, plain or query-escaped.
	{"hooks.slack", regexp.MustCompile(`(?i)(hooks\.slack(?:-gov)?\.com(?:/|%2F)(?:services|commands|workflows|triggers|actions)(?:/|%2F))[0-9A-Za-z_%/.-]+`), "${1}" + Mark},
	// Discord webhook, follow-up and interaction callback URLs: the token
	// after the numeric ID.
	{"webhooks", regexp.MustCompile(`(?i)((?:/|%2F)webhooks(?:/|%2F)[0-9]+(?:/|%2F))[0-9A-Za-z._-]+`), "${1}" + Mark},
	{"interactions", regexp.MustCompile(`(?i)((?:/|%2F)interactions(?:/|%2F)[0-9]+(?:/|%2F))[0-9A-Za-z._-]+`), "${1}" + Mark},
	// Discord bot tokens: base64 user ID, timestamp, HMAC.
	{".", regexp.MustCompile(`\b[0-9A-Za-z_-]{23,28}\.[0-9A-Za-z_-]{6,7}\.[0-9A-Za-z_-]{27,}`), Mark},
	// Authorization header values.
	{"b", regexp.MustCompile(`(?i)\b(bearer|bot|basic)\s+[0-9A-Za-z._~+/-]{16,}=*`), "${1} " + Mark},
	// password=… in DSNs and query strings.
	{"pass", regexp.MustCompile(`(?i)\b(password|passwd)=[^\s&"';]+`), "${1}=" + Mark},
	// Query parameters named like secrets (see IsSecretParam).
	{"=", regexp.MustCompile(`(?i)([?&](?:[0-9a-z_.-]*(?:token|secret|_key|password)|key|apikey|sig|signature|auth|pass|passwd|session|sessionid|code|credential)=)[^&\s"'#<>]+`), "${1}" + Mark},
}

// patterns applies the URL rule and the pattern rules.
func patterns(s string) string {
	s = userInfo(s)
	lower := ""
	for _, r := range rules {
		if lower == "" {
			lower = strings.ToLower(s)
		}
		if !strings.Contains(lower, r.hint) {
			continue
		}
		if t := r.re.ReplaceAllString(s, r.repl); t != s {
			s, lower = t, ""
		}
	}
	return s
}

// userInfo replaces the user info of every URL in s that carries a
// password ("user:pass@host"), or a long user name that may be a token
// ("ghp_…@host"), in plain or query-escaped form.
func userInfo(s string) string {
	if !strings.Contains(s, "://") && indexFold(s, "%3A%2F%2F") < 0 {
		return s
	}
	var b strings.Builder
	rest := s
	for {
		i, sepLen, escaped := nextScheme(rest)
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		start := i + sepLen
		b.WriteString(rest[:start])
		rest = rest[start:]
		end := authorityEnd(rest, escaped)
		auth := rest[:end]
		at, atLen := strings.LastIndex(auth, "@"), 1
		if escaped {
			if j := lastIndexFold(auth, "%40"); j > at {
				at, atLen = j, 3
			}
		}
		if at < 0 {
			continue
		}
		info := auth[:at]
		if secretUserInfo(info, escaped) {
			b.WriteString(Mark)
		} else {
			b.WriteString(info)
		}
		b.WriteString(auth[at : at+atLen])
		rest = rest[at+atLen:]
	}
}

// nextScheme finds the next "://" (or escaped "%3A%2F%2F") in s.
func nextScheme(s string) (i, n int, escaped bool) {
	i = strings.Index(s, "://")
	j := indexFold(s, "%3A%2F%2F")
	if j >= 0 && (i < 0 || j < i) {
		return j, 9, true
	}
	return i, 3, false
}

// authorityEnd is where the authority (user info and host) after a
// scheme separator ends.
func authorityEnd(s string, escaped bool) int {
	for k := 0; k < len(s); k++ {
		switch s[k] {
		case '/', '?', '#', ' ', '\t', '\n', '\r', '"', '\'', '<', '>', '`', '\\':
			return k
		case '&':
			if escaped {
				return k
			}
		case '%':
			if escaped {
				for _, enc := range []string{"%2F", "%3F", "%23", "%26", "%20"} {
					if hasPrefixFold(s[k:], enc) {
						return k
					}
				}
			}
		}
	}
	return len(s)
}

// secretUserInfo reports whether URL user info should be hidden: it has a
// password, or is long enough to be a token used as a user name.
func secretUserInfo(info string, escaped bool) bool {
	if info == "" || info == Mark {
		return false
	}
	if strings.Contains(info, ":") || (escaped && indexFold(info, "%3A") >= 0) {
		return true
	}
	return len(info) >= 16
}

// indexFold is the index of the first match of sub (upper-case ASCII) in
// s, ignoring ASCII case, or -1.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return i
		}
	}
	return -1
}

// lastIndexFold is the index of the last match of sub (upper-case ASCII)
// in s, ignoring ASCII case, or -1.
func lastIndexFold(s, sub string) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if hasPrefixFold(s[i:], sub) {
			return i
		}
	}
	return -1
}

func hasPrefixFold(s, upper string) bool {
	if len(s) < len(upper) {
		return false
	}
	for k := 0; k < len(upper); k++ {
		c := s[k]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[k] {
			return false
		}
	}
	return true
}
