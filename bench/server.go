package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newshound/newshound/bot/webhook"
)

// FeedServer serves a Corpus over HTTP: GET /feed/{i} is feed i in the
// current cycle, POST /cycle?n=C makes C the current cycle. It answers
// If-None-Match and If-Modified-Since for feeds with validators.
type FeedServer struct {
	c     Corpus
	cycle atomic.Int64
	// bodies caches each feed's latest body, as a real server would, so
	// serving it costs the benchmark no generating.
	bodies []atomic.Pointer[body]
}

type body struct {
	head                            int
	data                            []byte
	contentType, etag, lastModified string
}

// NewFeedServer returns the server of c, at cycle 0, with every body of
// cycle 0 generated.
func NewFeedServer(c Corpus) *FeedServer {
	s := &FeedServer{c: c, bodies: make([]atomic.Pointer[body], c.Feeds)}
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				s.body(i, 0)
			}
		})
	}
	for i := range c.Feeds {
		next <- i
	}
	close(next)
	wg.Wait()
	return s
}

// body returns feed i's body in cycle, from the cache when it is current.
func (s *FeedServer) body(i, cycle int) *body {
	head := s.c.Head(i, cycle)
	if b := s.bodies[i].Load(); b != nil && b.head == head {
		return b
	}
	data, ct, etag, lm := s.c.Body(i, cycle)
	b := &body{head: head, data: data, contentType: ct, etag: etag, lastModified: lm}
	s.bodies[i].Store(b)
	return b
}

// ServeHTTP implements http.Handler.
func (s *FeedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/cycle":
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 0 {
			http.Error(w, "bad cycle", http.StatusBadRequest)
			return
		}
		s.cycle.Store(int64(n))
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/feed/"):
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/feed/"))
		if err != nil || i < 0 || i >= s.c.Feeds {
			http.NotFound(w, r)
			return
		}
		cycle := int(s.cycle.Load())
		if s.c.Validators(i) {
			etag := fmt.Sprintf(`"%d-%d"`, i, s.c.Head(i, cycle))
			if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
				w.Header().Set("ETag", etag)
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		b := s.body(i, cycle)
		w.Header().Set("Content-Type", b.contentType)
		if b.etag != "" {
			w.Header().Set("ETag", b.etag)
			w.Header().Set("Last-Modified", b.lastModified)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b.data)))
		_, _ = w.Write(b.data)
	default:
		http.NotFound(w, r)
	}
}

// FeedHost is a running feed server, in this process or another.
type FeedHost interface {
	// URL is the server's base URL, without a trailing slash.
	URL() string
	// Close stops it.
	Close() error
}

// FeedURL is the address of feed i on a host.
func FeedURL(base string, i int) string { return base + "/feed/" + strconv.Itoa(i) }

// SetCycle makes cycle the current one on the feed server at base.
func SetCycle(ctx context.Context, hc *http.Client, base string, cycle int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/cycle?n="+strconv.Itoa(cycle), nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("bench: setting the feed server's cycle: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("bench: setting the feed server's cycle: HTTP %d", resp.StatusCode)
	}
	return nil
}

// localServer is an HTTP server on a loopback port of this process.
type localServer struct {
	srv *http.Server
	url string
}

func (l *localServer) URL() string { return l.url }

// Close stops the server at once. It is called when the run is over, so
// no request is left to finish; Shutdown would wait five seconds for a
// connection a client opened and never used.
func (l *localServer) Close() error { return l.srv.Close() }

// listen serves h on a free loopback port.
func listen(h http.Handler) (*localServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: listening: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &localServer{srv: srv, url: "http://" + ln.Addr().String()}, nil
}

// StartFeedServer serves c from this process.
func StartFeedServer(c Corpus) (FeedHost, error) { return listen(NewFeedServer(c)) }

// ServeFeeds serves c on a loopback port until ctx ends, after writing
// "listening URL" as one line to w. A parent process reads that line to
// find the server (see ReadListening).
func ServeFeeds(ctx context.Context, c Corpus, w io.Writer) error {
	l, err := listen(NewFeedServer(c))
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "listening %s\n", l.url); err != nil {
		_ = l.Close()
		return err
	}
	<-ctx.Done()
	return l.Close()
}

// ReadListening reads the "listening URL" line ServeFeeds writes.
func ReadListening(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("bench: feed server did not start: %w", err)
	}
	u, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if !ok {
		return "", fmt.Errorf("bench: feed server said %q", strings.TrimSpace(line))
	}
	if _, err := url.Parse(u); err != nil {
		return "", fmt.Errorf("bench: feed server address %q: %w", u, err)
	}
	return u, nil
}

// Receiver is the local webhook endpoint: it reads the signed JSON bodies
// the webhook channel posts and records, per story, how long after its
// item appeared on the feed server it arrived.
type Receiver struct {
	c      Corpus
	mu     sync.Mutex
	appear map[int]time.Time // by cycle: when the feed server made it current
	lat    []time.Duration
	// polled, if set, says when the poll of feed i that is being
	// delivered started; fromPoll holds arrival minus that.
	polled   func(i int) (time.Time, bool)
	fromPoll []time.Duration
	posts    int
	stores   int
	bad      int
}

// NewReceiver returns a receiver for the stories of c.
func NewReceiver(c Corpus) *Receiver { return &Receiver{c: c, appear: map[int]time.Time{}} }

// Appeared records that the items of cycle appeared at t.
func (r *Receiver) Appeared(cycle int, t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.appear[cycle] = t
}

// ServeHTTP implements http.Handler.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	now := time.Now()
	var body webhook.Body
	err := json.NewDecoder(io.LimitReader(req.Body, webhook.MaxBody+1)).Decode(&body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts++
	if err != nil || body.Version != webhook.Version {
		r.bad++
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	for _, st := range body.Stories {
		r.stores++
		u, err := url.Parse(st.Link)
		if err != nil {
			r.bad++
			continue
		}
		c, err := strconv.Atoi(u.Query().Get("c"))
		if err != nil {
			r.bad++
			continue
		}
		if t, ok := r.appear[c]; ok && c > 0 {
			r.lat = append(r.lat, now.Sub(t))
			var feed int
			if _, err := fmt.Sscanf(u.Path, "/%d/", &feed); err == nil && r.polled != nil {
				if p, ok := r.polled(feed); ok {
					r.fromPoll = append(r.fromPoll, now.Sub(p))
				}
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

// TrackPolls makes the receiver also record, per alert, the time since
// the poll of its feed started, as polled tells it.
func (r *Receiver) TrackPolls(polled func(i int) (time.Time, bool)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.polled = polled
}

// TakeFromPoll returns the poll→delivered times recorded since the last
// call.
func (r *Receiver) TakeFromPoll() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.fromPoll
	r.fromPoll = nil
	return l
}

// Take returns the latencies recorded since the last Take, and the posts,
// stories and unreadable bodies or stories received.
func (r *Receiver) Take() (lat []time.Duration, posts, stories, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lat, r.lat = r.lat, nil
	posts, stories, bad = r.posts, r.stores, r.bad
	r.posts, r.stores, r.bad = 0, 0, 0
	return lat, posts, stories, bad
}

// StartReceiver serves r on a loopback port.
func StartReceiver(r *Receiver) (FeedHost, error) { return listen(r) }
