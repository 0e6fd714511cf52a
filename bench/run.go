package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/newshound/newshound/bot"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/bot/webhook"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// Options configure a benchmark run. Zero fields take the defaults of
// the newshound bench command.
type Options struct {
	Feeds       int // default 10,000
	Concurrency int // fetches in flight overall (default 8)
	PerHost     int // fetches in flight to the one local host (default 8)
	Queries     int // default 1,000
	// Changed and Unchanged are how many cycles of each kind to run
	// after the cold one (default 2 each).
	Changed, Unchanged int
	// Interval is the poll interval of the daemon phase that measures
	// appear→delivered latency (default 20s).
	Interval time.Duration
	// Repeat runs the floor and the cold cycle this many times (default
	// 1); the fastest of each is reported, all are listed.
	Repeat int
	// QueryFeeds is how many feeds the 3-versus-1,000-queries comparison
	// polls (default min(Feeds, 1,000)); NaiveFeeds how many the naive
	// pipeline fetches (default min(Feeds, 40)), scaled per 1,000 feeds.
	QueryFeeds, NaiveFeeds int
	// Growth lists feed counts for the growth series (floor and cold
	// cycle at each); empty means none.
	Growth []int
	Seed   uint64
	// TopicRate is the share of items that name a topic, some of which
	// the queries look for (default 0.04: about 1% of items match 1,000
	// queries).
	TopicRate float64
	// Topics is how many topics items name (default 4,000); the queries
	// look for the first ones.
	Topics int
	// Dir holds the SQLite files (a temporary folder when empty).
	Dir string
	// StartFeeds starts the feed server (in this process when nil).
	StartFeeds func(Corpus) (FeedHost, error)
	// Progress, if set, is told how far each phase is.
	Progress func(phase string, done, total int)
	// Profile, if set, is called as each measured pipeline cycle starts
	// (with the phase name) and its result when the cycle ends, e.g. to
	// take a CPU profile of the phase.
	Profile func(phase string) (stop func())
	// Version is put in User-Agent headers.
	Version string
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Feeds, 10000)
	def(&o.Concurrency, 8)
	def(&o.PerHost, 8)
	def(&o.Queries, 1000)
	def(&o.Changed, 2)
	def(&o.Unchanged, 2)
	def(&o.Repeat, 1)
	def(&o.QueryFeeds, min(o.Feeds, 1000))
	def(&o.NaiveFeeds, min(o.Feeds, 40))
	o.QueryFeeds = min(o.QueryFeeds, o.Feeds)
	o.NaiveFeeds = min(o.NaiveFeeds, o.Feeds)
	if o.Interval <= 0 {
		o.Interval = 20 * time.Second
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.StartFeeds == nil {
		o.StartFeeds = StartFeedServer
	}
	return o
}

// Run runs the benchmark and returns its report.
func Run(ctx context.Context, o Options) (*Report, error) {
	o = o.withDefaults()
	maxFeeds := o.Feeds
	for _, n := range o.Growth {
		maxFeeds = max(maxFeeds, n)
	}
	corpus := NewCorpus(maxFeeds, o.Seed)
	if o.TopicRate > 0 {
		corpus.TopicRate = o.TopicRate
	}
	if o.Topics > 0 {
		corpus.Topics = o.Topics
	}
	host, err := o.StartFeeds(corpus)
	if err != nil {
		return nil, err
	}
	defer host.Close()
	recv := NewReceiver(corpus)
	hook, err := StartReceiver(recv)
	if err != nil {
		return nil, err
	}
	defer hook.Close()
	dir := o.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "newshound-bench-"); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	r := &runner{o: o, corpus: corpus, base: host.URL(), hook: hook.URL(), recv: recv, dir: dir,
		ctl: &http.Client{Timeout: 30 * time.Second}}
	return r.run(ctx)
}

type runner struct {
	o      Options
	corpus Corpus
	base   string
	hook   string
	recv   *Receiver
	dir    string
	ctl    *http.Client
	dbs    int
}

func (r *runner) progress(phase string, done, total int) {
	if r.o.Progress != nil {
		r.o.Progress(phase, done, total)
	}
}

func (r *runner) run(ctx context.Context) (*Report, error) {
	o := r.o
	rep := &Report{Machine: machine(), Feeds: o.Feeds, Concurrency: o.Concurrency, PerHost: o.PerHost,
		Queries: o.Queries, Repeat: o.Repeat}
	if err := SetCycle(ctx, r.ctl, r.base, 0); err != nil {
		return nil, err
	}
	all := seq(o.Feeds)
	queries := Queries(o.Queries)

	// One unmeasured pass first, so that no phase pays for the feed
	// server's first answers and the first connections. (The first floor
	// of a run was often slower than the second; most of that turned out
	// to be the collector, see the floors below.)
	if _, err := r.fetchAll(ctx, "warm-up", all, func(int, []byte) error { return nil }); err != nil {
		return nil, err
	}

	// The floor and the cold cycle, alternately, Repeat times. Every floor
	// runs with no pipeline left in the process: "nothing else". A
	// pipeline still reachable during a floor (its store, matcher and
	// caches, tens of megabytes) made the floor's garbage collector run a
	// third as often, and that floor up to a third faster than one in a
	// process of its own (see BENCHMARKS.md, "The floor and the garbage
	// collector").
	var floors, colds []Phase
	var p *pipeline
	defer func() { p.close() }()
	for k := range o.Repeat {
		p.close()
		p = nil
		f, err := r.floor(ctx, "floor", all)
		if err != nil {
			return nil, err
		}
		floors = append(floors, f)
		if p, err = r.newPipeline(ctx, all, queries); err != nil {
			return nil, err
		}
		c, err := r.cycle(ctx, p, "cold", 0, k == 0)
		if err != nil {
			return nil, err
		}
		colds = append(colds, c)
	}
	rep.add(best(floors), floors)
	rep.add(best(colds), colds)
	rep.Items = rep.Phases[1].Items
	rep.BodyBytes = rep.Phases[0].Bytes

	for k := 1; k <= o.Changed; k++ {
		if err := SetCycle(ctx, r.ctl, r.base, k); err != nil {
			return nil, err
		}
		c, err := r.cycle(ctx, p, "changed", k, false)
		if err != nil {
			return nil, err
		}
		rep.add(c, nil)
	}
	var unchanged []Phase
	for range o.Unchanged {
		c, err := r.cycle(ctx, p, "unchanged", o.Changed, false)
		if err != nil {
			return nil, err
		}
		unchanged = append(unchanged, c)
	}
	rep.add(best(unchanged), unchanged)
	lat, err := r.daemon(ctx, p, o.Changed+1)
	if err != nil {
		return nil, err
	}
	rep.Latency = lat
	p.close()
	p = nil // the growth floors run without it, as the floors above

	// 3 against 1,000 queries: a cold cycle of the same feeds each.
	qf := seq(o.QueryFeeds)
	var q3, qn Phase
	for _, set := range []struct {
		out *Phase
		qs  []string
	}{{&q3, queries[:min(3, len(queries))]}, {&qn, queries}} {
		if err := SetCycle(ctx, r.ctl, r.base, 0); err != nil {
			return nil, err
		}
		qp, err := r.newPipeline(ctx, qf, set.qs)
		if err != nil {
			return nil, err
		}
		c, err := r.cycle(ctx, qp, fmt.Sprintf("cold, %d queries", len(set.qs)), 0, false)
		qp.close()
		if err != nil {
			return nil, err
		}
		*set.out = c
	}
	rep.QueryCost = QueryCost{Feeds: o.QueryFeeds, Few: q3, Many: qn}

	naive, err := r.naive(ctx, seq(o.NaiveFeeds), queries)
	if err != nil {
		return nil, err
	}
	rep.add(naive, nil)

	for _, n := range o.Growth {
		g, err := r.growth(ctx, n, queries)
		if err != nil {
			return nil, err
		}
		rep.Growth = append(rep.Growth, g)
	}
	rep.finish()
	return rep, nil
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// best is the fastest of repeated phases (wall time), with every run's
// wall time listed.
func best(ps []Phase) Phase {
	b := ps[0]
	for _, p := range ps[1:] {
		if p.WallSeconds < b.WallSeconds {
			b = p
		}
	}
	for _, p := range ps {
		b.Runs = append(b.Runs, p.WallSeconds)
	}
	return b
}

func (r *runner) growth(ctx context.Context, n int, queries []string) (Growth, error) {
	if err := SetCycle(ctx, r.ctl, r.base, 0); err != nil {
		return Growth{}, err
	}
	fs := seq(n)
	f, err := r.floor(ctx, fmt.Sprintf("growth %d: floor", n), fs)
	if err != nil {
		return Growth{}, err
	}
	p, err := r.newPipeline(ctx, fs, queries)
	if err != nil {
		return Growth{}, err
	}
	defer p.close()
	c, err := r.cycle(ctx, p, fmt.Sprintf("growth %d: cold", n), 0, false)
	if err != nil {
		return Growth{}, err
	}
	if err := SetCycle(ctx, r.ctl, r.base, 1); err != nil {
		return Growth{}, err
	}
	ch, err := r.cycle(ctx, p, fmt.Sprintf("growth %d: changed", n), 1, false)
	if err != nil {
		return Growth{}, err
	}
	return Growth{Feeds: n, Floor: f, Cold: c, Changed: ch}, nil
}

// pipeline is the real bot over a fresh SQLite file, as newshound run
// builds it, with a fetcher that counts finished fetches for progress.
type pipeline struct {
	bot     *bot.Bot
	st      *sqlite.Store
	fetched atomic.Int64
	feeds   int
	// started holds, by feed name, when its latest fetch started.
	started sync.Map
}

func (r *runner) newPipeline(ctx context.Context, fs []int, queries []string) (*pipeline, error) {
	r.dbs++
	path := filepath.Join(r.dir, "state-"+strconv.Itoa(r.dbs)+".db")
	st, err := sqlite.OpenWriter(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	cfg, err := config.Parse("bench.yaml", watchlist(r.base, r.hook, fs, queries, r.o), func(string) (string, bool) { return "", false })
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("bench: the generated watchlist: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	metrics, err := bot.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("bench: %w", err)
	}
	p := &pipeline{st: st, feeds: len(fs)}
	b, err := bot.New(bot.Options{
		Config:  cfg,
		Store:   st,
		Metrics: metrics,
		NewFetcher: func(cfg *config.Config) feeds.Fetcher {
			return &countingFetcher{p: p, f: feeds.NewHTTPFetcher(feeds.Options{
				Version: r.o.Version, MaxBytes: cfg.Poll.MaxBytes, Timeout: cfg.Poll.Timeout.D(),
				Concurrency: cfg.Poll.Concurrency, PerHost: cfg.Poll.PerHost, Location: cfg.Location,
				AllowPrivate: cfg.Security.AllowPrivateFeeds, Logger: logger,
			})}
		},
		Notifiers: func(cfg *config.Config) (map[string]notify.Notifier, error) {
			// The real webhook channel; only its pacing (5 posts a second,
			// a politeness limit for remote services) is lifted for the
			// local receiver.
			n, err := webhook.New("hook", webhook.Config{URL: r.hook, Secret: "bench-secret"},
				webhook.Options{Logger: logger, Version: r.o.Version, Pacer: notify.NewPacer(1000, time.Second)})
			if err != nil {
				return nil, err
			}
			return map[string]notify.Notifier{"hook": n}, nil
		},
		Version: r.o.Version,
		Logger:  logger,
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("bench: %w", err)
	}
	p.bot = b
	return p, nil
}

// polledSince reports whether every feed's last poll ended after t.
func (p *pipeline) polledSince(ctx context.Context, t time.Time) bool {
	sts, err := p.st.FeedStates(ctx)
	if err != nil || len(sts) < p.feeds {
		return false
	}
	for _, st := range sts {
		if st.LastSuccess.Before(t.Truncate(time.Millisecond)) {
			return false
		}
	}
	return true
}

func (p *pipeline) close() {
	if p != nil && p.st != nil {
		_ = p.st.Close()
		p.st = nil
	}
}

type countingFetcher struct {
	p *pipeline
	f feeds.Fetcher
}

func (c *countingFetcher) Fetch(ctx context.Context, src feeds.Source, prev feeds.Validators) (feeds.Result, error) {
	c.p.started.Store(src.Name, time.Now())
	res, err := c.f.Fetch(ctx, src, prev)
	c.p.fetched.Add(1)
	return res, err
}

// watchlist writes the benchmark's watchlist: the feeds (every item of the
// first poll matched, so the cold cycle does all the work), one webhook
// channel, and the queries as watches of ten keywords each.
func watchlist(base, hook string, fs []int, queries []string, o Options) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "poll: {interval: %s, timeout: 60s, concurrency: %d, per_host: %d}\n", o.Interval, o.Concurrency, o.PerHost)
	b.WriteString("feeds:\n")
	for _, i := range fs {
		fmt.Fprintf(&b, "  - {name: f%d, url: %q, backfill: 100}\n", i, FeedURL(base, i))
	}
	fmt.Fprintf(&b, "channels:\n  hook:\n    webhook: {url: %q, secret: bench-secret}\n", hook)
	b.WriteString("watches:\n")
	for w := 0; w*10 < len(queries); w++ {
		fmt.Fprintf(&b, "  - name: w%d\n    channels: [hook]\n    keywords:\n", w)
		for _, q := range queries[w*10 : min(len(queries), w*10+10)] {
			fmt.Fprintf(&b, "      - %q\n", q)
		}
	}
	return b.Bytes()
}

// cycle runs one cycle of the pipeline (RunOnce, as newshound run --once
// does) and measures it.
func (r *runner) cycle(ctx context.Context, p *pipeline, name string, cycle int, first bool) (Phase, error) {
	p.fetched.Store(0)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			r.progress(name, int(p.fetched.Load()), p.feeds)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	var res bot.CycleResult
	stop := func() {}
	if r.o.Profile != nil {
		stop = r.o.Profile(name)
	}
	u, err := measure(func() error {
		res = p.bot.RunOnce(ctx)
		return ctx.Err()
	})
	stop()
	close(done)
	wg.Wait()
	r.progress(name, p.feeds, p.feeds)
	if err != nil {
		return Phase{}, err
	}
	ph := phase(name, u, p.feeds)
	for _, pr := range res.Polls {
		ph.Items += pr.Items
		ph.NewItems += pr.New
		ph.Matches += pr.Matches
		if pr.NotModified {
			ph.NotModified++
		}
		if pr.Err != nil {
			ph.Errors++
			if ph.FirstError == "" {
				ph.FirstError = pr.Err.Error()
			}
		}
	}
	for _, d := range res.Deliveries {
		ph.Delivered += d.Sent
		if d.Err != nil {
			ph.Errors++
			if ph.FirstError == "" {
				ph.FirstError = d.Err.Error()
			}
		}
	}
	ph.Undelivered = res.Overdue()
	if ph.NewItems > 0 {
		ph.AllocsPerItem = float64(u.Allocs) / float64(ph.NewItems)
	}
	_ = first
	_ = cycle
	return ph, nil
}

// daemon runs the bot as newshound run does (a tick every second, each
// feed polled when its interval has passed, due alerts delivered on every
// tick) while the feed server moves to cycle, and measures the time from
// the change to each new alert's arrival at the receiver. It stops once
// every feed has been polled since the change and nothing is pending.
func (r *runner) daemon(ctx context.Context, p *pipeline, cycle int) (Latency, error) {
	name := "daemon"
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.recv.Take()
	r.recv.TakeFromPoll()
	r.recv.TrackPolls(func(i int) (time.Time, bool) {
		v, ok := p.started.Load("f" + strconv.Itoa(i))
		if !ok {
			return time.Time{}, false
		}
		return v.(time.Time), true
	})
	defer r.recv.TrackPolls(nil)
	// The change comes first, so every fetch the daemon makes sees it.
	if err := SetCycle(ctx, r.ctl, r.base, cycle); err != nil {
		return Latency{}, err
	}
	start := time.Now()
	r.recv.Appeared(cycle, start)
	p.fetched.Store(0)
	var wg sync.WaitGroup
	wg.Go(func() { _ = p.bot.Run(dctx) })
	deadline := start.Add(3*r.o.Interval + time.Minute)
	for {
		n := int(p.fetched.Load())
		r.progress(name, min(n, p.feeds), p.feeds)
		if n >= p.feeds && p.polledSince(ctx, start) {
			// Later copies of stories already alerted wait, by design,
			// for the minute between two edits of a message: the phase
			// measures new alerts.
			pending, err := p.st.PendingAll(ctx, "hook")
			if err == nil && !slices.ContainsFunc(pending, func(d store.Delivery) bool { return d.Parent == 0 }) {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			wg.Wait()
			return Latency{}, fmt.Errorf("bench: daemon: %d of %d feeds polled, alerts still pending after %s", n, p.feeds, time.Since(start).Round(time.Second))
		}
		select {
		case <-ctx.Done():
			cancel()
			wg.Wait()
			return Latency{}, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	cancel()
	wg.Wait()
	l, _, _, bad := r.recv.Take()
	if bad > 0 {
		return Latency{}, fmt.Errorf("bench: the receiver could not read %d bodies or stories", bad)
	}
	lat := latencies(l)
	lat.Interval = r.o.Interval.Seconds()
	fp := latencies(r.recv.TakeFromPoll())
	lat.FromPollP50, lat.FromPollP99 = fp.P50, fp.P99
	return lat, nil
}

// fetchAll fetches every feed of fs unconditionally with conc workers and
// hands each body to fn.
func (r *runner) fetchAll(ctx context.Context, name string, fs []int, fn func(i int, body []byte) error) (bytes int64, err error) {
	conc := r.o.Concurrency
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = min(conc, r.o.PerHost)
	tr.MaxIdleConnsPerHost = conc
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	defer tr.CloseIdleConnections()
	next := make(chan int)
	var total atomic.Int64
	var done atomic.Int64
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for i := range next {
				body, err := get(ctx, hc, FeedURL(r.base, i))
				if err == nil {
					total.Add(int64(len(body)))
					err = fn(i, body)
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("feed %d: %w", i, err))
					mu.Unlock()
				}
				if n := done.Add(1); n%50 == 0 {
					r.progress(name, int(n), len(fs))
				}
			}
		})
	}
	for _, i := range fs {
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	r.progress(name, len(fs), len(fs))
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if len(errs) > 0 {
		return total.Load(), fmt.Errorf("bench: %s: %d of %d feeds failed, first: %w", name, len(errs), len(fs), errs[0])
	}
	return total.Load(), nil
}

func get(ctx context.Context, hc *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return body, nil
}

// floor fetches and parses every feed with gofeed at the same concurrency,
// and does nothing else: no charset repair, normalizing, matching, state
// or delivery. It is the least any feed reader must do.
func (r *runner) floor(ctx context.Context, name string, fs []int) (Phase, error) {
	var items atomic.Int64
	var n int64
	u, err := measure(func() error {
		var err error
		n, err = r.fetchAll(ctx, name, fs, func(_ int, body []byte) error {
			f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
			if err != nil {
				return err
			}
			items.Add(int64(len(f.Items)))
			return nil
		})
		return err
	})
	if err != nil {
		return Phase{}, err
	}
	ph := phase(name, u, len(fs))
	ph.Items = int(items.Load())
	ph.NewItems = ph.Items
	ph.Bytes = n
	if ph.Items > 0 {
		ph.AllocsPerItem = float64(u.Allocs) / float64(ph.Items)
	}
	return ph, nil
}

// naive is how a first attempt would do it: download and parse every feed
// every time, and run one regular expression per query over each item's
// title and description.
func (r *runner) naive(ctx context.Context, fs []int, queries []string) (Phase, error) {
	res := make([]*regexp.Regexp, len(queries))
	for i, q := range queries {
		term := strings.TrimPrefix(strings.Fields(q)[0], "title:")
		res[i] = regexp.MustCompile("(?i)" + regexp.QuoteMeta(term))
	}
	var items, matches atomic.Int64
	name := fmt.Sprintf("naive (%d feeds)", len(fs))
	u, err := measure(func() error {
		_, err := r.fetchAll(ctx, name, fs, func(_ int, body []byte) error {
			f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
			if err != nil {
				return err
			}
			for _, it := range f.Items {
				text := it.Title + "\n" + it.Description + "\n" + it.Content
				for _, re := range res {
					if re.MatchString(text) {
						matches.Add(1)
					}
				}
			}
			items.Add(int64(len(f.Items)))
			return nil
		})
		return err
	})
	if err != nil {
		return Phase{}, err
	}
	ph := phase("naive", u, len(fs))
	ph.Items = int(items.Load())
	ph.NewItems = ph.Items
	ph.Matches = int(matches.Load())
	ph.Sampled = true
	if ph.Items > 0 {
		ph.AllocsPerItem = float64(u.Allocs) / float64(ph.Items)
	}
	return ph, nil
}

func phase(name string, u usage, feeds int) Phase {
	p := Phase{Name: name, Feeds: feeds, WallSeconds: u.Wall.Seconds(), CPUSeconds: u.CPU.Seconds(),
		PeakRSSMB: float64(u.PeakRSS) / (1 << 20), PeakExact: u.PeakExact}
	if u.Wall > 0 {
		p.FeedsPerSecond = float64(feeds) / u.Wall.Seconds()
	}
	if feeds > 0 {
		p.CPUPer1000 = u.CPU.Seconds() * 1000 / float64(feeds)
		p.WallPer1000 = u.Wall.Seconds() * 1000 / float64(feeds)
	}
	return p
}

// latencies summarizes appear→delivered times.
func latencies(l []time.Duration) Latency {
	if len(l) == 0 {
		return Latency{}
	}
	slices.Sort(l)
	q := func(p float64) float64 {
		i := min(len(l)-1, int(p*float64(len(l))))
		return l[i].Seconds()
	}
	return Latency{Stories: len(l), P50: q(0.5), P99: q(0.99), Max: l[len(l)-1].Seconds()}
}

// machine describes where the run happened.
func machine() Machine {
	m := Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				if err == nil {
					m.MemoryGB = float64(kb) / (1 << 20)
				}
			}
		}
	}
	return m
}
