package feeds

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	feedPassword = "feed-Passw0rd"
	feedKey      = "FEEDKEY1234567"
)

// requestLog records every request a test server receives, in full.
type requestLog struct {
	mu   sync.Mutex
	reqs []string
	auth []string
}

func (l *requestLog) add(r *http.Request) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\n", r.Method, r.Host, r.URL.String())
	_ = r.Header.Write(&b)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, b.String())
	l.auth = append(l.auth, r.Header.Get("Authorization"))
}

func (l *requestLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.reqs, "\n")
}

// secretForms are the ways a feed's password or key could travel.
func secretForms() []string {
	return []string{feedPassword, feedKey, base64.StdEncoding.EncodeToString([]byte("user:" + feedPassword))}
}

// TestFeedCredentialsStayWithTheirHost fetches a feed whose URL carries a
// password and an API key and whose server redirects to another host:
// the other host sees neither (no Authorization, no Referer), and no
// error or log line shows them.
func TestFeedCredentialsStayWithTheirHost(t *testing.T) {
	t.Parallel()
	var other requestLog
	otherSrv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		other.add(r)
		if r.URL.Path == "/gone" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write(readFixture(t, "rss.xml"))
	})
	var own requestLog
	ownSrv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		own.add(r)
		http.Redirect(w, r, otherSrv.URL+strings.TrimPrefix(r.URL.Path, "/feed"), http.StatusFound)
	})
	for _, path := range []string{"/feed/ok", "/feed/gone"} {
		t.Run(path, func(t *testing.T) {
			var logs bytes.Buffer
			f := NewHTTPFetcher(Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			u := strings.Replace(ownSrv.URL, "http://", "http://user:"+feedPassword+"@", 1) + path + "?q=ai&api_key=" + feedKey
			_, err := f.Fetch(context.Background(), Source{Name: "private", URL: u}, Validators{})
			if path == "/feed/ok" && err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if path == "/feed/gone" && err == nil {
				t.Fatal("Fetch of a 404 succeeded")
			}
			seen := other.String()
			text := logs.String()
			if err != nil {
				text += err.Error()
			}
			for _, s := range secretForms() {
				if strings.Contains(seen, s) {
					t.Errorf("the redirect target received %q:\n%s", s, seen)
				}
				if strings.Contains(text, s) {
					t.Errorf("error or log holds %q:\n%s", s, text)
				}
			}
			// The feed's own host got its credentials: the guard above is
			// about where else they go.
			if a := own.auth; len(a) == 0 || a[len(a)-1] != "Basic "+secretForms()[2] {
				t.Errorf("the feed's own host got Authorization %q", a)
			}
		})
	}
}

// TestFetchErrorsHideCredentials provokes every kind of fetch failure on
// a URL with a password and a key in it.
func TestFetchErrorsHideCredentials(t *testing.T) {
	t.Parallel()
	badLocation := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://other:"+feedPassword+"@%zz/x?token="+feedKey)
		w.WriteHeader(http.StatusFound)
	})
	slow := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	withCreds := func(base, path string) string {
		return strings.Replace(base, "http://", "http://user:"+feedPassword+"@", 1) + path + "?access_token=" + feedKey
	}
	for _, tc := range []struct {
		name string
		src  Source
		o    Options
	}{
		{"bad location", Source{URL: withCreds(badLocation.URL, "/r")}, Options{}},
		{"timeout", Source{URL: withCreds(slow.URL, "/s"), Timeout: 50 * time.Millisecond}, Options{}},
		{"connection refused", Source{URL: withCreds(closed.URL, "/c")}, Options{}},
		{"refused private address", Source{URL: "http://user:" + feedPassword + "@private.example/rss?key=" + feedKey, Untrusted: true},
			Options{LookupIP: fakeLookup(map[string][]string{"private.example": {"10.0.0.7"}})}},
		{"unresolvable", Source{URL: "http://user:" + feedPassword + "@nowhere.example/rss?key=" + feedKey, Untrusted: true},
			Options{LookupIP: fakeLookup(nil)}},
		{"not http", Source{URL: "ftp://user:" + feedPassword + "@h.example/rss"}, Options{}},
		{"unparsable", Source{URL: "http://user:" + feedPassword + "@h.example:port/rss"}, Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			tc.o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			_, err := NewHTTPFetcher(tc.o).Fetch(context.Background(), tc.src, Validators{})
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			for _, s := range secretForms() {
				if strings.Contains(err.Error()+logs.String(), s) {
					t.Errorf("error or log holds %q: %v\n%s", s, err, logs.String())
				}
			}
		})
	}
	t.Run("CheckPublicURL", func(t *testing.T) {
		lookup := fakeLookup(map[string][]string{"private.example": {"10.0.0.7"}})
		for _, u := range []string{
			"http://user:" + feedPassword + "@private.example/rss?key=" + feedKey,
			"gopher://user:" + feedPassword + "@private.example/",
			"http://user:" + feedPassword + "@unknown.example/",
			"http://user:" + feedPassword + "@private.example:port/",
		} {
			err := CheckPublicURL(context.Background(), u, lookup)
			if err == nil {
				t.Fatalf("CheckPublicURL(%q) accepted it", u)
			}
			for _, s := range secretForms() {
				if strings.Contains(err.Error(), s) {
					t.Errorf("CheckPublicURL error holds %q: %v", s, err)
				}
			}
		}
	})
}
