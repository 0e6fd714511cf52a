package redact

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Handler wraps next so that every record's message, attribute keys and
// values (in groups too, and attributes added with With) are redacted by
// r before next sees them. Errors, Stringers and other values are
// replaced by their redacted text when it differs from their own.
func Handler(next slog.Handler, r *Redactor) slog.Handler {
	return &handler{next: next, r: r}
}

type handler struct {
	next slog.Handler
	r    *Redactor
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = h.attr(a)
	}
	return &handler{next: h.next.WithAttrs(red), r: h.r}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(h.r.String(name)), r: h.r}
}

// attr redacts one attribute.
func (h *handler) attr(a slog.Attr) slog.Attr {
	a.Key = h.r.String(a.Key)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(h.r.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]slog.Attr, len(g))
		for i, ga := range g {
			red[i] = h.attr(ga)
		}
		a.Value = slog.GroupValue(red...)
	case slog.KindAny:
		a.Value = h.any(v)
	default:
		a.Value = v
	}
	return a
}

// any redacts a value of kind Any: an error or Stringer by its text,
// anything else by its printed and JSON forms (a value is kept as it is
// when neither holds a secret, so handlers still encode it natively).
func (h *handler) any(v slog.Value) slog.Value {
	switch x := v.Any().(type) {
	case nil:
		return v
	case error:
		return slog.StringValue(h.r.String(x.Error()))
	case fmt.Stringer:
		return slog.StringValue(h.r.String(x.String()))
	case []byte:
		return slog.StringValue(h.r.String(string(x)))
	}
	text := fmt.Sprintf("%+v", v.Any())
	if red := h.r.String(text); red != text {
		return slog.StringValue(red)
	}
	if b, err := json.Marshal(v.Any()); err == nil {
		if s := string(b); h.r.String(s) != s {
			return slog.StringValue(h.r.String(text))
		}
	}
	return v
}

// Writer returns a writer that redacts each write with r before passing
// it to w. Each write must hold whole lines (as slog handlers and
// fmt.Fprintln write them), so that no secret is split across writes.
func Writer(w io.Writer, r *Redactor) io.Writer {
	return &writer{w: w, r: r}
}

type writer struct {
	w io.Writer
	r *Redactor
}

func (w *writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.r.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
