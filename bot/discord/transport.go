package discord

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// apiTransport points discordgo at another API base without touching its
// package-level endpoint variables: a request for
// https://discord.com/api/v9/<rest> goes to <base>/<rest>. When observe is
// set it sees every response's rate-limit headers (and a 429's body) and
// then removes the X-RateLimit-* headers, so discordgo's own limiter, which
// sleeps without regard to the context, never waits: the notifier's
// context-aware Pacer is the only limiter.
type apiTransport struct {
	base    string // without trailing slash; "" keeps URLs unchanged
	next    http.RoundTripper
	observe func(status int, h http.Header, body []byte) // may be nil
}

// RoundTrip rewrites, forwards and observes one request.
func (t *apiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.base != "" {
		if rest, ok := strings.CutPrefix(req.URL.String(), discordgo.EndpointAPI); ok {
			u, err := url.Parse(t.base + "/" + rest)
			if err != nil {
				return nil, fmt.Errorf("discord: rewrite API URL: %w", err)
			}
			req = req.Clone(req.Context())
			req.URL, req.Host = u, u.Host
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil || t.observe == nil {
		return resp, err
	}
	var body []byte
	if resp.StatusCode == http.StatusTooManyRequests {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	t.observe(resp.StatusCode, resp.Header, body)
	for k := range resp.Header {
		if strings.HasPrefix(http.CanonicalHeaderKey(k), "X-Ratelimit-") {
			resp.Header.Del(k)
		}
	}
	return resp, nil
}

// apiClient returns a copy of c (nil: a default client) whose transport
// rewrites discordgo's API base to apiURL ("" keeps discord.com).
func apiClient(c *http.Client, apiURL string, observe func(int, http.Header, []byte)) (*http.Client, error) {
	out := &http.Client{Timeout: httpTimeout}
	if c != nil {
		cp := *c
		out = &cp
	}
	next := out.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	base := strings.TrimRight(apiURL, "/")
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("discord: api_url %q is not an http(s) URL", apiURL)
		}
	}
	out.Transport = &apiTransport{base: base, next: next, observe: observe}
	return out, nil
}

// newSession returns a REST-only discordgo session that makes one attempt
// per call: no retries on 429 or 502, so package bot decides.
func newSession(token, apiURL string, c *http.Client, observe func(int, http.Header, []byte)) (*discordgo.Session, error) {
	if token != "" && !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	if s.Client, err = apiClient(c, apiURL, observe); err != nil {
		return nil, err
	}
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	s.UserAgent = userAgent
	return s, nil
}
