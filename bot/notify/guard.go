package notify

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newshound/newshound/redact"
)

// InternalErrorText is what a user sees when a handler failed
// unexpectedly: it names no internals.
const InternalErrorText = "Sorry, something went wrong (internal error). It has been logged; please try again."

// maxStack bounds the stack logged with a panic.
const maxStack = 4096

// Guard keeps a panic in a handler of network input (an HTTP request, a
// gateway or Socket Mode event, a command run for one) from ending the
// process: it recovers, logs one line naming the handler and the redacted
// panic value, counts it in newshound_handler_panics_total{handler}, and
// lets the caller answer with an error. It is safe for concurrent use; a
// nil *Guard logs to slog.Default() and counts nothing.
type Guard struct {
	logger *slog.Logger
	redact *redact.Redactor
	panics *prometheus.CounterVec
}

// NewGuard returns a Guard logging to logger (nil: slog.Default()) with
// panic values redacted by r (nil: pattern rules only). Its counter is
// exported once registered with Register.
func NewGuard(logger *slog.Logger, r *redact.Redactor) *Guard {
	if logger == nil {
		logger = slog.Default()
	}
	return &Guard{logger: logger, redact: r, panics: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "newshound_handler_panics_total",
		Help: "Panics recovered in handlers of network input (HTTP requests, chat events), by handler.",
	}, []string{"handler"})}
}

// Register exports the panic counter through reg.
func (g *Guard) Register(reg prometheus.Registerer) error {
	if err := reg.Register(g.panics); err != nil {
		return fmt.Errorf("notify: register the panic counter: %w", err)
	}
	return nil
}

// Recover must be deferred directly (defer g.Recover("slack command",
// answer)) at the top of a handler or of a goroutine it starts. On a
// panic it reports it and then calls answer (when not nil), which should
// send the user an error; a panic in answer is reported too. The panic
// http.ErrAbortHandler, net/http's way to abort a response, is passed on.
func (g *Guard) Recover(handler string, answer func()) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	g.report(handler, v, debug.Stack())
	if answer != nil {
		g.run(handler+" error answer", answer)
	}
}

// run calls f, reporting a panic in it.
func (g *Guard) run(handler string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			g.report(handler, v, debug.Stack())
		}
	}()
	f()
}

// report logs and counts one panic.
func (g *Guard) report(handler string, v any, stack []byte) {
	logger := slog.Default()
	var r *redact.Redactor
	if g != nil {
		logger, r = g.logger, g.redact
		g.panics.WithLabelValues(handler).Inc()
	}
	if len(stack) > maxStack {
		stack = stack[:maxStack]
	}
	logger.Error("handler panic recovered", "handler", handler,
		"panic", r.String(Truncate(fmt.Sprint(v), 500)),
		"stack", r.String(string(bytes.TrimSpace(stack))))
}

// HTTP wraps h so that a panic answers 500 "internal error" when nothing
// was written yet, or aborts the response when it was, instead of ending
// the process.
func (g *Guard) HTTP(handler string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &trackingWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v != http.ErrAbortHandler {
				g.report(handler, v, debug.Stack())
			}
			if v == http.ErrAbortHandler || tw.wrote {
				panic(http.ErrAbortHandler) // a half-written answer must not look complete
			}
			http.Error(w, "internal error", http.StatusInternalServerError)
		}()
		h.ServeHTTP(tw, r)
	})
}

// trackingWriter records whether the response was started.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *trackingWriter) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *trackingWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *trackingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
