package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/korean"
)

// newFetcher returns a fetcher with quiet logs and a fixed clock.
func newFetcher(o Options) *HTTPFetcher {
	o.Logger = slog.New(slog.DiscardHandler)
	if o.Now == nil {
		o.Now = func() time.Time { return testNow }
	}
	if o.Location == nil {
		o.Location = seoul
	}
	return NewHTTPFetcher(o)
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchConditional(t *testing.T) {
	t.Parallel()
	body := readFixture(t, "rss.xml")
	var mu sync.Mutex
	var seen []http.Header
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Tue, 19 Nov 2024 01:00:00 GMT")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	})
	f := newFetcher(Options{Version: "1.2.3"})
	src := Source{Name: "t", URL: srv.URL}

	first, err := f.Fetch(context.Background(), src, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || len(first.Items) != 5 || first.Validators.ETag != `"v1"` ||
		first.Validators.LastModified == "" || first.Validators.BodyHash == "" || first.Items[0].Feed != "t" {
		t.Fatalf("first fetch = %+v", first)
	}
	second, err := f.Fetch(context.Background(), src, first.Validators)
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || len(second.Items) != 0 || second.Validators != first.Validators {
		t.Errorf("second fetch = %+v, want NotModified with the same validators", second)
	}
	if got := seen[1].Get("If-None-Match"); got != `"v1"` {
		t.Errorf("If-None-Match = %q", got)
	}
	if got := seen[1].Get("If-Modified-Since"); got != "Tue, 19 Nov 2024 01:00:00 GMT" {
		t.Errorf("If-Modified-Since = %q", got)
	}
	if seen[0].Get("If-None-Match") != "" {
		t.Errorf("first request sent validators")
	}
	if got, want := seen[0].Get("User-Agent"), "newshound/1.2.3 (+https://github.com/newshound/newshound)"; got != want {
		t.Errorf("User-Agent = %q, want %q", got, want)
	}
}

func TestFetchBodyHash(t *testing.T) {
	t.Parallel()
	body := readFixture(t, "atom.xml")
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(body) // ignores validators
	})
	f := newFetcher(Options{})
	src := Source{Name: "t", URL: srv.URL}
	first, err := f.Fetch(context.Background(), src, Validators{})
	if err != nil || len(first.Items) != 1 || first.RetryAfter != 5*time.Minute {
		t.Fatalf("first = %+v, %v", first, err)
	}
	second, err := f.Fetch(context.Background(), src, first.Validators)
	if err != nil || !second.NotModified || second.Validators.BodyHash != first.Validators.BodyHash {
		t.Errorf("second = %+v, %v; want NotModified by body hash", second, err)
	}
	third, err := f.Fetch(context.Background(), src, Validators{BodyHash: "other"})
	if err != nil || third.NotModified || len(third.Items) != 1 {
		t.Errorf("changed hash = %+v, %v; want parsed", third, err)
	}
	// A state stored by an older release holds the hex of the body's
	// SHA-256: the same body is parsed once more, then known again.
	sum := sha256.Sum256(body)
	old, err := f.Fetch(context.Background(), src, Validators{BodyHash: hex.EncodeToString(sum[:])})
	if err != nil || old.NotModified || len(old.Items) != 1 || old.Validators.BodyHash != first.Validators.BodyHash {
		t.Errorf("after an older release's hash = %+v, %v; want parsed, with the new hash", old, err)
	}
}

// TestBodyHash pins the form of a body hash, which feed states store
// across releases: a change of form makes every body without validators
// parse once more.
func TestBodyHash(t *testing.T) {
	t.Parallel()
	// The XXH64 of nothing and of "abc", from the algorithm's reference.
	for in, want := range map[string]string{"": "xxh64:ef46db3751d8e999", "abc": "xxh64:44bc2cf5ad770999"} {
		if got := bodyHash([]byte(in)); got != want {
			t.Errorf("bodyHash(%q) = %s, want %s", in, got, want)
		}
	}
	if bodyHash([]byte("<rss/>")) == bodyHash([]byte("<rss/> ")) {
		t.Error("two bodies have the same hash")
	}
}

func TestFetchLimits(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("x"), 4000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte(" "), 1<<20))
	zw.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write(big) })
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for range 4 {
			w.Write(big[:1000])
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes())
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	mux.HandleFunc("/redirect/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/redirect/%d", &n)
		if n == 0 {
			w.Write(readFixture(t, "atom.xml"))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/redirect/%d", n-1), http.StatusFound)
	})
	srv := serve(t, mux.ServeHTTP)
	f := newFetcher(Options{MaxBytes: 3000})

	for _, tc := range []struct {
		name, path string
		timeout    time.Duration
		want       string
	}{
		{"content-length over cap", "/big", 0, "exceeds the limit of 3000 bytes"},
		{"streamed over cap", "/chunked", 0, "exceeds the limit of 3000 bytes"},
		{"gzip bomb over cap", "/bomb", 0, "exceeds the limit of 3000 bytes"},
		{"slow server", "/slow", 50 * time.Millisecond, "timed out after 50ms"},
		{"six redirects", "/redirect/6", 0, "stopped after 5 redirects"},
		{"five redirects", "/redirect/5", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := srv.URL + tc.path + "?token=s3cret"
			_, err := f.Fetch(context.Background(), Source{Name: "t", URL: url, Timeout: tc.timeout}, Validators{})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "feeds: "+srv.URL+tc.path) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("err = %v, want the redacted URL", err)
			}
		})
	}
}

func TestFetchStatus(t *testing.T) {
	t.Parallel()
	retryAt := testNow.Add(90 * time.Second).Format(http.TimeFormat)
	mux := http.NewServeMux()
	mux.HandleFunc("/429", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/503", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", retryAt)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/404", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.NotFound(w, r)
	})
	srv := serve(t, mux.ServeHTTP)
	f := newFetcher(Options{})
	for _, tc := range []struct {
		path  string
		code  int
		after time.Duration
	}{
		{"/429", 429, 2 * time.Minute},
		{"/503", 503, 90 * time.Second},
		{"/404", 404, 0},
	} {
		t.Run(tc.path, func(t *testing.T) {
			u := strings.Replace(srv.URL, "http://", "http://user:hunter2@", 1) + tc.path
			_, err := f.Fetch(context.Background(), Source{URL: u}, Validators{})
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *StatusError", err)
			}
			if se.Code != tc.code || se.RetryAfter != tc.after {
				t.Errorf("got %+v, want code %d retry %v", se, tc.code, tc.after)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("password leaked: %v", err)
			}
		})
	}
}

func TestFetchEncodings(t *testing.T) {
	t.Parallel()
	feed := strings.Replace(koreanFeed, "%s", "", 1)
	euckr, err := korean.EUCKR.NewEncoder().Bytes([]byte(feed))
	if err != nil {
		t.Fatal(err)
	}
	var acceptEncoding atomic.Value
	mux := http.NewServeMux()
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		acceptEncoding.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write([]byte(feed))
		zw.Close()
	})
	mux.HandleFunc("/euckr", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=EUC-KR")
		w.Write(euckr)
	})
	srv := serve(t, mux.ServeHTTP)
	f := newFetcher(Options{})
	for _, path := range []string{"/gzip", "/euckr"} {
		t.Run(path, func(t *testing.T) {
			res, err := f.Fetch(context.Background(), Source{URL: srv.URL + path}, Validators{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Title != "한글 피드" || len(res.Items) != 1 || res.Items[0].Title != "똠방각하 펲시 뉴스" {
				t.Errorf("result = %+v", res)
			}
		})
	}
	if got, _ := acceptEncoding.Load().(string); !strings.Contains(got, "gzip") {
		t.Errorf("Accept-Encoding = %q", got)
	}
}

// gate is a handler that holds every request until released, recording the
// most requests it saw at once.
type gate struct {
	body             []byte
	cur, max         atomic.Int32
	arrived, release chan struct{}
}

func newGate(t *testing.T) *gate {
	return &gate{body: readFixture(t, "atom.xml"), arrived: make(chan struct{}, 100), release: make(chan struct{}, 100)}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := g.cur.Add(1)
	for m := g.max.Load(); n > m && !g.max.CompareAndSwap(m, n); m = g.max.Load() {
	}
	g.arrived <- struct{}{}
	<-g.release
	g.cur.Add(-1)
	w.Write(g.body)
}

func TestFetchConcurrency(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name               string
		servers, perServer int
		o                  Options
		want               int32
	}{
		{"per host", 1, 6, Options{PerHost: 2, Concurrency: 8}, 2},
		{"overall", 3, 3, Options{PerHost: 2, Concurrency: 3}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGate(t)
			f := newFetcher(tc.o)
			var wg sync.WaitGroup
			errs := make(chan error, tc.servers*tc.perServer)
			for range tc.servers {
				srv := serve(t, g.ServeHTTP)
				for range tc.perServer {
					wg.Go(func() {
						_, err := f.Fetch(context.Background(), Source{URL: srv.URL}, Validators{})
						errs <- err
					})
				}
			}
			total := tc.servers * tc.perServer
			for range tc.want {
				<-g.arrived
			}
			select {
			case <-g.arrived:
				t.Fatalf("more than %d requests in flight", tc.want)
			case <-time.After(50 * time.Millisecond):
			}
			for i := int(tc.want); i < total; i++ {
				g.release <- struct{}{}
				<-g.arrived
			}
			for range tc.want {
				g.release <- struct{}{}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if got := g.max.Load(); got != tc.want {
				t.Errorf("max in flight = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestFetchWaitHonoursContext(t *testing.T) {
	t.Parallel()
	g := newGate(t)
	srv := serve(t, g.ServeHTTP)
	f := newFetcher(Options{PerHost: 1})
	done := make(chan error, 1)
	go func() {
		_, err := f.Fetch(context.Background(), Source{URL: srv.URL}, Validators{})
		done <- err
	}()
	<-g.arrived
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Fetch(ctx, Source{URL: srv.URL}, Validators{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled while waiting for a slot", err)
	}
	g.release <- struct{}{}
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// fakeLookup answers every name from a table.
func fakeLookup(table map[string][]string) LookupFunc {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		var out []netip.Addr
		for _, s := range table[host] {
			out = append(out, netip.MustParseAddr(s))
		}
		if out == nil {
			return nil, errors.New("no such host")
		}
		return out, nil
	}
}

func TestFetchUntrusted(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write(readFixture(t, "atom.xml")) })
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	var calls atomic.Int32
	rebind := func(_ context.Context, host string) ([]netip.Addr, error) {
		if calls.Add(1) == 1 {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	for _, tc := range []struct {
		name      string
		url       string
		untrusted bool
		o         Options
		want      string
	}{
		{"loopback untrusted", srv.URL, true, Options{}, "address 127.0.0.1 is not public"},
		{"loopback trusted", srv.URL, false, Options{}, ""},
		{"loopback allowed", srv.URL, true, Options{AllowPrivate: true}, ""},
		{"name to private", "http://feed.example" + port, true,
			Options{LookupIP: fakeLookup(map[string][]string{"feed.example": {"10.1.2.3", "127.0.0.1"}})}, "address 10.1.2.3 is not public"},
		{"name to mapped loopback", "http://feed.example" + port, true,
			Options{LookupIP: fakeLookup(map[string][]string{"feed.example": {"::ffff:127.0.0.1"}})}, "address 127.0.0.1 is not public"},
		{"name trusted", "http://feed.example" + port, false,
			Options{LookupIP: fakeLookup(map[string][]string{"feed.example": {"127.0.0.1"}})}, ""},
		{"dns rebinding", "http://rebind.example" + port, true, Options{LookupIP: rebind}, "address 127.0.0.1 is not public"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFetcher(tc.o)
			if tc.name == "dns rebinding" {
				if err := CheckPublicURL(context.Background(), tc.url, rebind); err != nil {
					t.Fatalf("early check: %v", err)
				}
			}
			res, err := f.Fetch(context.Background(), Source{URL: tc.url, Untrusted: tc.untrusted}, Validators{})
			if tc.want == "" {
				if err != nil || len(res.Items) != 1 {
					t.Errorf("res = %+v, err = %v", res, err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrNotPublic) || !strings.Contains(err.Error(), tc.want) ||
				!strings.HasPrefix(err.Error(), "feeds: "+tc.url+": ") {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestFetchBadURL(t *testing.T) {
	t.Parallel()
	f := newFetcher(Options{})
	for _, u := range []string{"ftp://example.com/feed", "file:///etc/passwd", "::bad", "http://"} {
		if _, err := f.Fetch(context.Background(), Source{URL: u}, Validators{}); err == nil {
			t.Errorf("Fetch(%q) succeeded", u)
		}
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"https://u:p@h.example/x?api_key=1&q=2&access_token=3", "https://redacted@h.example/x?access_token=redacted&api_key=redacted&q=2"},
		{"https://h.example/rss?q=%EB%B0%98", "https://h.example/rss?q=%EB%B0%98"},
		{"%zz", "<invalid URL>"},
	} {
		if got := redactURL(tc.in); got != tc.want {
			t.Errorf("redactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFetchSlotWaitIsNotTimeout: feeds queued behind others of the same
// host get their whole timeout once they start. 12 feeds, 2 at a time, of
// 250 ms each queue for up to 1.25 s, past the 1 s timeout; each fetch
// has 750 ms to spare, so a loaded machine does not fail it.
func TestFetchSlotWaitIsNotTimeout(t *testing.T) {
	body := readFixture(t, "rss.xml")
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(250 * time.Millisecond)
		w.Write(body)
	})
	f := newFetcher(Options{PerHost: 2, Timeout: time.Second})
	var wg sync.WaitGroup
	const n = 12
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := f.Fetch(context.Background(), Source{Name: fmt.Sprint(i), URL: srv.URL + "/" + fmt.Sprint(i)}, Validators{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a queued feed failed: %v", err)
		}
	}
}
