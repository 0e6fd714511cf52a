package redact

import (
	"net/url"
	"strings"
)

// secretParams are query parameters whose values URL hides, besides any
// whose name ends in "token", "secret", "_key" or "password".
var secretParams = map[string]bool{
	"key": true, "apikey": true, "sig": true, "signature": true, "auth": true, "pass": true,
	"passwd": true, "session": true, "sessionid": true, "code": true, "credential": true,
}

// IsSecretParam reports whether a query parameter of this name carries a
// secret (an API key, a token, a signature).
func IsSecretParam(name string) bool {
	n := strings.ToLower(name)
	return secretParams[n] || strings.HasSuffix(n, "token") || strings.HasSuffix(n, "secret") ||
		strings.HasSuffix(n, "_key") || strings.HasSuffix(n, "password")
}

// URL returns raw for display: user info becomes "redacted" and so does
// the value of every query parameter IsSecretParam names; the rest is
// kept, so the URL still says which feed or host it is. An unparsable
// URL gives "<invalid URL>".
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	if u.User != nil {
		u.User = url.User("redacted")
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		changed := err != nil
		for k := range q {
			if IsSecretParam(k) {
				q[k] = []string{"redacted"}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

// Origin shows only the scheme and host of a secret URL (a webhook or a
// response_url), for logs: "https://hooks.slack.com/[REDACTED]".
func Origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Mark
	}
	return u.Scheme + "://" + u.Host + "/" + Mark
}
