package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/store"
)

// envReloadToken enables POST /-/reload for requests that carry its value
// as "Authorization: Bearer <token>".
const envReloadToken = "NEWSHOUND_RELOAD_TOKEN"

// readyTimeout bounds the store check of one /readyz request.
const readyTimeout = 2 * time.Second

// reloadDisabled is the answer of POST /-/reload when nothing enables it.
const reloadDisabled = "reload disabled: set server.reload: true or " + envReloadToken

// opsBot is what the operations endpoints need of the running bot.
type opsBot interface {
	Config() *config.Config
	Store() store.Store
	Reload(ctx context.Context) error
	ConfigError() error
}

// readyHandler answers GET /readyz: 200 when a watchlist is in force and
// the store answers, else 503 with a one-line reason. A failed reload
// leaves the last good watchlist running, which is ready; the 200 body
// says so.
func readyHandler(b opsBot, red *redact.Redactor) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cfg := b.Config()
		if cfg == nil {
			plain(w, http.StatusServiceUnavailable, "not ready: no watchlist loaded")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := pingStore(ctx, b.Store()); err != nil {
			plain(w, http.StatusServiceUnavailable, "not ready: the store does not answer: "+oneLine(red.String(err.Error())))
			return
		}
		if err := b.ConfigError(); err != nil {
			plain(w, http.StatusOK, "ready; the last reload failed and the last good watchlist keeps running: "+oneLine(red.String(firstError(err))))
			return
		}
		plain(w, http.StatusOK, "ready")
	})
}

// pingStore is a cheap read: a missing meta key (ErrNotFound) is an
// answer as good as a value.
func pingStore(ctx context.Context, st store.Store) error {
	if st == nil {
		return errors.New("no store")
	}
	if _, err := st.GetMeta(ctx, "readyz"); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// reloadHandler answers POST /-/reload: it reloads the watchlist and
// answers 200 "reloaded", or 400 with the watchlist's errors one a line
// (FILE:LINE:COL: message). With open set (server.reload: true) anyone
// who reaches the listener may reload; else a non-empty token enables it
// for requests that carry it as a bearer token (403 otherwise); with
// neither it answers 404.
func reloadHandler(b opsBot, red *redact.Redactor, open bool, token string) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case open:
		case token == "":
			plain(w, http.StatusNotFound, reloadDisabled)
			return
		default:
			got, ok := bearer(r.Header.Get("Authorization"))
			// Hashes are compared, so that the time taken tells
			// nothing about the token, its length included.
			g := sha256.Sum256([]byte(got))
			if subtle.ConstantTimeCompare(g[:], want[:]) != 1 || !ok {
				plain(w, http.StatusForbidden, "reload refused: missing or wrong bearer token")
				return
			}
		}
		before := b.Config().Hash
		if err := b.Reload(r.Context()); err != nil {
			plain(w, http.StatusBadRequest, red.String(errorLines(err)))
			return
		}
		if after := b.Config().Hash; after != "" && after == before {
			plain(w, http.StatusOK, "reloaded (unchanged)")
			return
		}
		plain(w, http.StatusOK, "reloaded")
	})
}

// errorLines formats a reload error: a watchlist's problems one a line
// and their count, or the error itself.
func errorLines(err error) string {
	var list config.Errors
	if errors.As(err, &list) && len(list) > 0 {
		var b strings.Builder
		for _, e := range list {
			b.WriteString(e.Error())
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%d error(s); the last good watchlist keeps running", len(list))
		return b.String()
	}
	return err.Error() + "\nthe last good watchlist keeps running"
}

// firstError is the first problem of a reload error, with the count of
// the others.
func firstError(err error) string {
	var list config.Errors
	if errors.As(err, &list) && len(list) > 0 {
		if len(list) == 1 {
			return list[0].Error()
		}
		return fmt.Sprintf("%s (and %d more)", list[0].Error(), len(list)-1)
	}
	return err.Error()
}

// bearer returns the token of an "Authorization: Bearer <token>" header
// (the scheme is case-insensitive).
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	tok = strings.TrimSpace(tok)
	return tok, ok && strings.EqualFold(scheme, "bearer") && tok != ""
}

// oneLine joins the lines of s with "; ".
func oneLine(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")
}

// plain writes a text/plain answer of one or more lines.
func plain(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	fmt.Fprintln(w, strings.TrimRight(body, "\n"))
}
