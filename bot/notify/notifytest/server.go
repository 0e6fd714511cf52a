package notifytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one request a receiver got, or one write of a receiver
// without a server (Header is then nil).
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// Server is a fake platform endpoint for a Harness: it records every
// request and answers from a queue (see Answer), then with OK. Its error
// answers echo the request's URL and headers, as some real servers do, so
// that a notifier that copies an error body into its error text without
// redaction is caught by the suite's secret case.
type Server struct {
	*httptest.Server
	// OK writes the success answer; nil answers 200 "ok".
	OK func(w http.ResponseWriter, r *http.Request)

	mu      sync.Mutex
	reqs    []Request
	answers []answer
}

type answer struct {
	status int
	after  time.Duration
}

// NewServer starts a fake endpoint that is closed when t ends.
func NewServer(t *testing.T, ok func(w http.ResponseWriter, r *http.Request)) *Server {
	t.Helper()
	s := &Server{OK: ok}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Answer queues an answer for the next request without one: status, and
// for a 429 a Retry-After header and a JSON "retry_after" (both in
// seconds, as Slack and Discord send them) of after.
func (s *Server) Answer(status int, after time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers = append(s.answers, answer{status, after})
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	var a answer
	if len(s.answers) > 0 {
		a, s.answers = s.answers[0], s.answers[1:]
	}
	s.mu.Unlock()
	if a.status == 0 {
		if s.OK != nil {
			s.OK(w, r)
			return
		}
		_, _ = io.WriteString(w, "ok")
		return
	}
	msg := map[string]any{
		"ok": false, "error": "refused",
		"message": "refused " + r.Method + " " + r.URL.String() + " " + echoHeaders(r.Header) + " " + string(body),
	}
	if a.status == http.StatusTooManyRequests {
		secs := a.after.Seconds()
		w.Header().Set("Retry-After", fmt.Sprint(secs))
		msg["retry_after"], msg["global"] = secs, false
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_ = json.NewEncoder(w).Encode(msg)
}

// echoHeaders is the request's headers as one line.
func echoHeaders(h http.Header) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s;", k, strings.Join(h[k], ","))
	}
	return b.String()
}
