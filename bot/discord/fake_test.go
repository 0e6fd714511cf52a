package discord

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a manual clock whose Sleep advances time at once.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	return ctx.Err()
}

func (c *fakeClock) totalSlept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum time.Duration
	for _, d := range c.slept {
		sum += d
	}
	return sum
}

// recorded is one request the fake Discord received.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// canned is a response the fake Discord gives instead of its default.
type canned struct {
	status int
	header map[string]string
	body   string
}

// fakeDiscord is a local Discord REST and webhook server. Responses are
// taken from queue in order, then default to success.
type fakeDiscord struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []recorded
	queue []canned
}

func newFakeDiscord(t *testing.T, queue ...canned) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{queue: queue}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
	var c canned
	if len(f.queue) > 0 {
		c, f.queue = f.queue[0], f.queue[1:]
	}
	f.mu.Unlock()
	for k, v := range c.header {
		w.Header().Set(k, v)
	}
	switch {
	case c.status != 0:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(c.status)
		io.WriteString(w, c.body)
	case strings.HasSuffix(r.URL.Path, "/callback"):
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "[]")
	default:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"900","channel_id":"123"}`)
	}
}

// requests returns what was received so far.
func (f *fakeDiscord) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// Which request schema of the spec applies to a method and path.
var schemaRoutes = []struct {
	method string
	path   *regexp.Regexp
	ptr    string
}{
	{"POST", regexp.MustCompile(`/channels/[^/]+/messages$`), schemaCreateMessage},
	{"POST", regexp.MustCompile(`/interactions/[^/]+/[^/]+/callback$`), schemaCallback},
	{"PATCH", regexp.MustCompile(`/webhooks/[^/]+/[^/]+/messages/@original$`), schemaEditOriginal},
	{"PATCH", regexp.MustCompile(`/webhooks/[^/]+/[^/]+/messages/[0-9]+$`), schemaEditWebhookMsg},
	{"PATCH", regexp.MustCompile(`/channels/[^/]+/messages/[0-9]+$`), schemaEditMessage},
	{"PUT", regexp.MustCompile(`/applications/[^/]+/guilds/[^/]+/commands$`), schemaBulkGuildCommand},
	{"PUT", regexp.MustCompile(`/applications/[^/]+/commands$`), schemaBulkCommand},
	{"POST", regexp.MustCompile(`/webhooks/[^/]+/[^/]+$`), schemaExecuteWebhook},
}

// validateAll checks every recorded body against its schema in the
// official spec and fails on a request no route covers.
func (f *fakeDiscord) validateAll(t *testing.T) {
	t.Helper()
	for _, r := range f.requests() {
		ptr := ""
		for _, rt := range schemaRoutes {
			if rt.method == r.Method && rt.path.MatchString(r.Path) {
				ptr = rt.ptr
				break
			}
		}
		if ptr == "" {
			t.Errorf("no schema for %s %s", r.Method, r.Path)
			continue
		}
		validatePayload(t, ptr, r.Body)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
