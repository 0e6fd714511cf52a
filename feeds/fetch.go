package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newshound/newshound/internal/retryafter"
	"github.com/newshound/newshound/redact"
)

// Defaults for a zero Options field.
const (
	DefaultMaxBytes     = 10 << 20
	DefaultMaxRedirects = 5
	DefaultTimeout      = 20 * time.Second
	DefaultConcurrency  = 8
	DefaultPerHost      = 2
)

// maxSlotWait bounds how long a fetch waits for a free slot before its
// own timeout starts.
const maxSlotWait = 10 * time.Minute

// Options configures an HTTPFetcher. The zero value is usable.
type Options struct {
	// Version is the version put in the User-Agent header
	// "newshound/<version> (+https://github.com/newshound/newshound)";
	// empty means "dev".
	Version string
	// MaxBytes caps a body after decompression (DefaultMaxBytes).
	MaxBytes int64
	// MaxRedirects is how many redirects one fetch follows
	// (DefaultMaxRedirects; negative means none).
	MaxRedirects int
	// Timeout bounds one fetch when Source.Timeout is zero (DefaultTimeout).
	Timeout time.Duration
	// Concurrency bounds fetches in flight overall (DefaultConcurrency), and
	// PerHost those to one host (DefaultPerHost).
	Concurrency int
	PerHost     int
	// Location is the zone for dates that carry none (UTC); pass the
	// watchlist's time zone.
	Location *time.Location
	// AllowPrivate lets untrusted sources reach any address.
	AllowPrivate bool
	// LookupIP resolves host names (the system resolver); tests inject one.
	LookupIP LookupFunc
	// Transport replaces the HTTP transport, for tests. The address guard
	// for untrusted sources lives in the default transport's dialer, so it
	// does not apply when Transport is set.
	Transport http.RoundTripper
	// Logger receives one debug line per fetch (slog.Default()).
	Logger *slog.Logger
	// Now is the clock (time.Now).
	Now func() time.Time
}

// HTTPFetcher is the Fetcher used in production: conditional GET with the
// previous validators, bounded time, size, redirects and concurrency, an
// address guard for untrusted sources, and Parse on the body.
type HTTPFetcher struct {
	o         Options
	userAgent string
	trusted   *http.Client
	untrusted *http.Client
	global    chan struct{}
	hosts     hostLimiter
	// parsing bounds the bodies parsed at once to the processors: parsing
	// is CPU-bound, so more at once only holds more parse trees in memory
	// without finishing sooner.
	parsing chan struct{}
}

var _ Fetcher = (*HTTPFetcher)(nil)

// NewHTTPFetcher returns a fetcher with o's zero fields set to defaults.
func NewHTTPFetcher(o Options) *HTTPFetcher {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	version := o.Version
	if version == "" {
		version = "dev"
	}
	f := &HTTPFetcher{
		o:         o,
		userAgent: "newshound/" + version + " (+https://github.com/newshound/newshound)",
		global:    make(chan struct{}, o.Concurrency),
		hosts:     hostLimiter{size: o.PerHost, m: map[string]*hostSlot{}},
		parsing:   make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
	f.trusted = f.client(false)
	f.untrusted = f.client(!o.AllowPrivate)
	return f
}

// client builds an HTTP client; guarded clients refuse non-public addresses
// on every connection, redirects included, and never use a proxy.
func (f *HTTPFetcher) client(guarded bool) *http.Client {
	rt := f.o.Transport
	if rt == nil {
		d := &dialer{lookup: f.o.LookupIP, guarded: guarded}
		d.net.Timeout = 10 * time.Second
		d.net.KeepAlive = 30 * time.Second
		if guarded {
			d.net.Control = publicOnly
		}
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = d.DialContext
		t.MaxConnsPerHost = f.o.PerHost
		// Every connection a host may have stays open for the next
		// poll, instead of the transport's default two.
		t.MaxIdleConnsPerHost = f.o.PerHost
		if guarded {
			t.Proxy = nil
		}
		rt = t
	}
	return &http.Client{
		Transport: rt,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > f.o.MaxRedirects {
				return fmt.Errorf("stopped after %d redirects", max(f.o.MaxRedirects, 0))
			}
			// The Referer would carry the previous URL (its query may hold
			// a key) to whatever host the redirect names.
			req.Header.Del("Referer")
			return nil
		},
	}
}

// Fetch fetches src with the validators of the previous poll and parses it.
func (f *HTTPFetcher) Fetch(ctx context.Context, src Source, prev Validators) (Result, error) {
	u, safe, timeout, ctx, done, err := f.begin(ctx, src)
	if err != nil {
		return Result{}, err
	}
	defer done()

	start := f.o.Now()
	res, status, n, err := f.fetch(ctx, u, src, prev)
	attrs := []slog.Attr{slog.String("feed", src.Name), slog.String("url", safe), slog.Int("status", status),
		slog.Int("bytes", n), slog.Bool("not_modified", res.NotModified), slog.Int("items", len(res.Items)),
		slog.Int64("duration_ms", f.o.Now().Sub(start).Milliseconds())}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	f.o.Logger.LogAttrs(ctx, slog.LevelDebug, "feed fetched", attrs...)
	if err != nil {
		var se *StatusError
		if errors.As(err, &se) {
			return Result{}, se
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			err = fmt.Errorf("timed out after %s: %w", timeout, err)
		}
		return Result{}, fmt.Errorf("feeds: %s: %w", safe, err)
	}
	return res, nil
}

// begin checks src's URL, waits for a fetch slot of its host and bounds
// ctx by the source's timeout, for Fetch and FetchPage alike. Waiting for
// a slot (other feeds of the same host) does not eat into the timeout; the
// wait has its own, longer bound. done frees the slot and the context.
func (f *HTTPFetcher) begin(ctx context.Context, src Source) (u *url.URL, safe string, timeout time.Duration, rctx context.Context, done func(), err error) {
	safe = redactURL(src.URL)
	u, err = url.Parse(src.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, safe, 0, nil, nil, fmt.Errorf("feeds: %s: not an http or https URL", safe)
	}
	timeout = src.Timeout
	if timeout <= 0 {
		timeout = f.o.Timeout
	}
	wctx, wcancel := context.WithTimeout(ctx, maxSlotWait)
	release, err := f.acquire(wctx, strings.ToLower(u.Host))
	wcancel()
	if err != nil {
		return nil, safe, 0, nil, nil, fmt.Errorf("feeds: %s: waiting for a fetch slot: %w", safe, err)
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	return u, safe, timeout, rctx, func() { cancel(); release() }, nil
}

// fetch does the request; it returns the status and body size for the log.
func (f *HTTPFetcher) fetch(ctx context.Context, u *url.URL, src Source, prev Validators) (Result, int, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Result{}, 0, 0, errors.New("invalid request")
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, "+
		"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	cl := f.trusted
	if src.Untrusted {
		cl = f.untrusted
	}
	resp, err := cl.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text carries the unredacted URL
		}
		// What remains may still quote a URL (a bad Location header).
		return Result{}, 0, 0, (*redact.Redactor)(nil).Error(err)
	}
	defer resp.Body.Close()

	next := Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		if next.ETag == "" {
			next.ETag = prev.ETag
		}
		if next.LastModified == "" {
			next.LastModified = prev.LastModified
		}
		next.BodyHash = prev.BodyHash
		return Result{NotModified: true, Validators: next, RetryAfter: maxAge(resp.Header)}, resp.StatusCode, 0, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		se := &StatusError{URL: redactURL(resp.Request.URL.String()), Code: resp.StatusCode}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			se.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), f.o.Now())
		}
		return Result{}, resp.StatusCode, 0, se
	}

	buf := getBuffer()
	defer putBuffer(buf)
	body, err := readCappedInto(buf, resp, f.o.MaxBytes)
	if err != nil {
		return Result{}, resp.StatusCode, len(body), err
	}
	next.BodyHash = bodyHash(body)
	if prev.BodyHash != "" && next.BodyHash == prev.BodyHash {
		return Result{NotModified: true, Validators: next, RetryAfter: maxAge(resp.Header)}, resp.StatusCode, len(body), nil
	}
	// The fetch slot stays held while waiting, so bodies read but not yet
	// parsed are bounded by the fetch concurrency.
	select {
	case f.parsing <- struct{}{}:
	case <-ctx.Done():
		return Result{}, resp.StatusCode, len(body), ctx.Err()
	}
	res, err := parse(body, resp.Header.Get("Content-Type"), src.Name, resp.Request.URL.String(), f.o.Location, f.o.Now())
	<-f.parsing
	if err != nil {
		return Result{}, resp.StatusCode, len(body), err
	}
	res.Validators = next
	res.RetryAfter = max(res.RetryAfter, maxAge(resp.Header))
	return res, resp.StatusCode, len(body), nil
}

// readCapped reads the (already decompressed) body, failing once it exceeds
// limit bytes.
func readCapped(resp *http.Response, limit int64) ([]byte, error) {
	return readCappedInto(nil, resp, limit)
}

// bodyBuffers holds read buffers for bodies, so a poll reuses the memory
// of an earlier one instead of growing a new buffer through every size up
// to its body's. A body never outlives its poll: parsing copies what it
// keeps.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer put back in the pool; a rare huge
// body is left to the collector instead of being held.
const maxPooledBuffer = 4 << 20

func getBuffer() *bytes.Buffer { return bodyBuffers.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		b.Reset()
		bodyBuffers.Put(b)
	}
}

// readCappedInto is readCapped reading into buf (a fresh buffer when nil);
// the result aliases buf.
func readCappedInto(buf *bytes.Buffer, resp *http.Response, limit int64) ([]byte, error) {
	tooBig := fmt.Errorf("response body exceeds the limit of %d bytes", limit)
	if resp.ContentLength > limit && resp.Header.Get("Content-Encoding") == "" {
		return nil, tooBig
	}
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength) + 1) // +1: the read that sees EOF
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	body := buf.Bytes()
	if err != nil {
		return body, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > limit {
		return body[:limit], tooBig
	}
	return body, nil
}

// retryAfter reads a Retry-After value (package retryafter); an
// unreadable one is no delay.
func retryAfter(v string, now time.Time) time.Duration {
	d, _ := retryafter.Parse(v, now)
	return d
}

// maxAge is the Cache-Control max-age of a response, a hint for polling.
func maxAge(h http.Header) time.Duration {
	for _, d := range strings.Split(h.Get("Cache-Control"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(d), "=")
		if strings.EqualFold(k, "max-age") {
			if s, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && s > 0 {
				return min(time.Duration(s)*time.Second, MaxRetryAfter)
			}
		}
	}
	return 0
}

// acquire takes a per-host slot, then a global one (in that order, so a
// fetch waiting for a busy host holds no global slot).
func (f *HTTPFetcher) acquire(ctx context.Context, host string) (func(), error) {
	slot := f.hosts.get(host)
	select {
	case slot.ch <- struct{}{}:
	case <-ctx.Done():
		f.hosts.put(host)
		return nil, ctx.Err()
	}
	select {
	case f.global <- struct{}{}:
	case <-ctx.Done():
		<-slot.ch
		f.hosts.put(host)
		return nil, ctx.Err()
	}
	return func() {
		<-f.global
		<-slot.ch
		f.hosts.put(host)
	}, nil
}

// hostLimiter hands out one semaphore per host, dropped when unused.
type hostLimiter struct {
	size int
	mu   sync.Mutex
	m    map[string]*hostSlot
}

type hostSlot struct {
	ch   chan struct{}
	refs int
}

func (l *hostLimiter) get(host string) *hostSlot {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.m[host]
	if s == nil {
		s = &hostSlot{ch: make(chan struct{}, l.size)}
		l.m[host] = s
	}
	s.refs++
	return s
}

func (l *hostLimiter) put(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.m[host]; s != nil {
		if s.refs--; s.refs == 0 {
			delete(l.m, host)
		}
	}
}

// redactURL hides user info and secret-looking query values of a URL.
func redactURL(raw string) string { return redact.URL(raw) }
