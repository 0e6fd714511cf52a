package notify

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newshound/newshound/redact"
)

const guardSecret = "guard-test-secret-value"

// newTestGuard returns a Guard whose log and counter the test can read.
// syncBuffer is a log sink that handlers on other goroutines may write
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func newTestGuard(t *testing.T) (*Guard, *syncBuffer, func(handler string) float64) {
	t.Helper()
	var buf syncBuffer
	g := NewGuard(slog.New(slog.NewTextHandler(&buf, nil)), redact.New(guardSecret))
	reg := prometheus.NewRegistry()
	if err := g.Register(reg); err != nil {
		t.Fatal(err)
	}
	count := func(handler string) float64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != "newshound_handler_panics_total" {
				continue
			}
			for _, m := range mf.GetMetric() {
				for _, lp := range m.GetLabel() {
					if lp.GetName() == "handler" && lp.GetValue() == handler {
						return m.GetCounter().GetValue()
					}
				}
			}
		}
		return 0
	}
	return g, &buf, count
}

func TestGuardRecover(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		value any
	}{
		{"string", "boom " + guardSecret},
		{"error", errors.New("index out of range, token " + guardSecret)},
		{"runtime error", nil}, // a real nil dereference
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, logs, count := newTestGuard(t)
			answered := false
			func() {
				defer g.Recover("test_handler", func() { answered = true })
				if tc.value == nil {
					var m map[string]*int
					_ = *m["x"]
				}
				panic(tc.value)
			}()
			if !answered {
				t.Error("answer not called")
			}
			if got := count("test_handler"); got != 1 {
				t.Errorf("counter = %v, want 1", got)
			}
			out := logs.String()
			if strings.Count(out, "\n") != 1 || !strings.Contains(out, "handler=test_handler") || !strings.Contains(out, "panic=") {
				t.Errorf("want one log line naming the handler and the panic:\n%s", out)
			}
			if strings.Contains(out, guardSecret) {
				t.Errorf("panic value not redacted:\n%s", out)
			}
		})
	}
}

func TestGuardNoPanic(t *testing.T) {
	t.Parallel()
	g, logs, count := newTestGuard(t)
	func() {
		defer g.Recover("quiet", func() { t.Error("answer called without a panic") })
	}()
	if logs.Len() != 0 || count("quiet") != 0 {
		t.Errorf("reported without a panic: %q", logs)
	}
}

func TestGuardAnswerPanics(t *testing.T) {
	t.Parallel()
	g, logs, count := newTestGuard(t)
	func() {
		defer g.Recover("h", func() { panic("answer failed too") })
		panic("first")
	}()
	if count("h") != 1 || count("h error answer") != 1 || strings.Count(logs.String(), "\n") != 2 {
		t.Errorf("both panics should be reported once each:\n%s", logs)
	}
}

func TestGuardPassesAbortHandler(t *testing.T) {
	t.Parallel()
	g, _, count := newTestGuard(t)
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler passed on", v)
		}
		if count("h") != 0 {
			t.Error("ErrAbortHandler counted as a panic")
		}
	}()
	func() {
		defer g.Recover("h", nil)
		panic(http.ErrAbortHandler)
	}()
}

func TestGuardNil(t *testing.T) {
	t.Parallel()
	var g *Guard
	done := false
	func() {
		defer g.Recover("h", func() { done = true })
		panic("x")
	}()
	if !done {
		t.Error("nil Guard did not recover and answer")
	}
}

func TestGuardHTTP(t *testing.T) {
	t.Parallel()
	g, logs, count := newTestGuard(t)
	mux := http.NewServeMux()
	mux.Handle("/before", g.HTTP("before", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("before writing " + guardSecret)
	})))
	var afterCalls atomic.Int32
	mux.Handle("/after", g.HTTP("after", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		afterCalls.Add(1) // the client may retry a GET whose connection broke
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, "partial")
		panic("after writing")
	})))
	mux.Handle("/ok", g.HTTP("ok", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "fine")
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/before")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || strings.TrimSpace(string(body)) != "internal error" {
		t.Errorf("/before: %d %q, want 500 internal error", resp.StatusCode, body)
	}

	resp, err = http.Get(srv.URL + "/after")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Error("/after: a half-written response looked complete")
	}

	resp, err = http.Get(srv.URL + "/ok")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "fine" {
		t.Errorf("/ok: %d %q", resp.StatusCode, body)
	}
	// The client may retry the aborted GET; Close waits for every handler.
	srv.Close()
	if count("before") != 1 || count("after") != float64(afterCalls.Load()) || afterCalls.Load() == 0 || count("ok") != 0 {
		t.Errorf("counts before=%v after=%v ok=%v", count("before"), count("after"), count("ok"))
	}
	if strings.Contains(logs.String(), guardSecret) {
		t.Errorf("secret logged:\n%s", logs)
	}
}

func TestGuardConcurrent(t *testing.T) {
	t.Parallel()
	g, _, count := newTestGuard(t)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			defer g.Recover("c", nil)
			panic("x")
		})
	}
	wg.Wait()
	if got := count("c"); got != 20 {
		t.Errorf("counted %v panics, want 20", got)
	}
}
