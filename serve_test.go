package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// addrHandler is a slog.Handler that passes on the "addr" attribute of
// the records it sees.
type addrHandler struct{ addr chan string }

func (h addrHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h addrHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h addrHandler) WithGroup(string) slog.Handler            { return h }
func (h addrHandler) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "addr" {
			h.addr <- a.Value.String()
		}
		return true
	})
	return nil
}

// TestServeWaitsForHandlers checks that serve, once its context ends,
// returns only after the requests under way have been answered, so a
// command's store write finishes before the store closes.
func TestServeWaitsForHandlers(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		finished.Store(true)
		w.WriteHeader(http.StatusNoContent)
	})}
	logs := addrHandler{addr: make(chan string, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan error, 1)
	go func() { returned <- serve(ctx, srv, slog.New(logs)) }()
	addr := <-logs.addr
	answered := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	<-started
	cancel()
	// The handler is still running, so serve must still be waiting. (A
	// bounded wait: a wrong return shows up within it, a right one never
	// does.)
	select {
	case err := <-returned:
		t.Fatalf("serve returned while a request was under way: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-returned; err != nil {
		t.Errorf("serve: %v", err)
	}
	if !finished.Load() {
		t.Error("serve returned before the handler finished")
	}
	if err := <-answered; err != nil {
		t.Errorf("the request under way was not answered: %v", err)
	}
}
