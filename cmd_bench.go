package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/newshound/newshound/bench"
)

// envBenchFeedServer, set to 1 in the environment of a child newshound
// bench, makes it serve the feeds instead of measuring: the parent runs
// its feed server in another process, so the server's CPU and memory are
// not counted as the pipeline's.
const envBenchFeedServer = "NEWSHOUND_BENCH_FEED_SERVER"

// cmdBench measures the pipeline against local feeds and a local webhook
// receiver, with the floor and naive baselines in the same run.
func cmdBench(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("bench", e)
	n := fs.Int("feeds", 10000, "`number` of local feeds")
	conc := fs.Int("concurrency", 8, "fetches in flight overall (poll.concurrency)")
	perHost := fs.Int("per-host", 8, "fetches in flight to the local feed host (poll.per_host)")
	queries := fs.Int("queries", 1000, "`number` of keyword queries")
	repeat := fs.Int("repeat", 1, "run the floor and the cold cycle this many `times`, reporting the fastest")
	var growth intList
	fs.Var(&growth, "growth", "also run the floor and cold and changed cycles at these feed `counts` (e.g. 1000,5000,10000,20000) and plot them")
	plotPath := fs.String("plot", "bench-growth.png", "with --growth, the PNG `file` the growth plot is written to")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	seed := fs.Uint64("seed", 1, "`seed` of the generated feeds")
	interval := fs.Duration("interval", 20*time.Second, "poll `interval` of the daemon phase that measures appear→delivered latency")
	inProcess := fs.Bool("server-in-process", false, "serve the feeds from this process (its CPU and memory then count in the figures)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of each pipeline cycle to `prefix`-PHASE.prof (go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a heap profile of each pipeline cycle, taken when its live heap was largest, to `prefix`-PHASE.heap (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "newshound bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	for _, v := range []struct {
		name string
		n    int
	}{{"--feeds", *n}, {"--concurrency", *conc}, {"--per-host", *perHost}, {"--queries", *queries}, {"--repeat", *repeat}} {
		if v.n < 1 {
			fmt.Fprintf(e.stderr, "newshound bench: %s must be at least 1\n", v.name)
			return 2
		}
	}
	if *interval < time.Second {
		fmt.Fprintln(e.stderr, "newshound bench: --interval must be at least 1s")
		return 2
	}
	if v, _ := e.lookup(envBenchFeedServer); v == "1" {
		maxFeeds := *n
		for _, g := range growth {
			maxFeeds = max(maxFeeds, g)
		}
		if err := bench.ServeFeeds(ctx, bench.NewCorpus(maxFeeds, *seed), e.stdout); err != nil {
			fmt.Fprintf(e.stderr, "newshound bench: feed server: %v\n", err)
			return 1
		}
		return 0
	}

	o := bench.Options{Feeds: *n, Concurrency: *conc, PerHost: *perHost, Queries: *queries, Repeat: *repeat,
		Growth: growth, Seed: *seed, Interval: *interval, Version: version}
	if *cpuProfile != "" || *memProfile != "" {
		o.Profile = func(phase string) func() {
			stopCPU, stopHeap := func() {}, func() {}
			if *cpuProfile != "" {
				stopCPU = startProfile(*cpuProfile, phase, e)
			}
			if *memProfile != "" {
				stopHeap = startHeapProfile(*memProfile, phase, e)
			}
			return func() { stopCPU(); stopHeap() }
		}
	}
	if !*inProcess {
		o.StartFeeds = func(c bench.Corpus) (bench.FeedHost, error) { return startFeedProcess(ctx, c, e) }
	}
	if f, ok := e.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		bar := &progressBar{w: e.stderr}
		o.Progress = bar.update
		defer bar.finish()
	}
	rep, err := bench.Run(ctx, o)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound bench: %v\n", err)
		return 1
	}
	if len(rep.Growth) > 0 {
		if err := writePlotFile(*plotPath, rep); err != nil {
			fmt.Fprintf(e.stderr, "newshound bench: %v\n", err)
			return 1
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(e.stderr, "newshound bench: %v\n", err)
			return 1
		}
		return 0
	}
	if err := rep.WriteText(e.stdout); err != nil {
		fmt.Fprintf(e.stderr, "newshound bench: %v\n", err)
		return 1
	}
	if len(rep.Growth) > 0 {
		fmt.Fprintf(e.stdout, "\ngrowth plot: %s\n", *plotPath)
	}
	return 0
}

// startProfile starts a CPU profile of one phase in prefix-PHASE.prof;
// a failure is reported and the phase runs unprofiled.
func startProfile(prefix, phase string, e env) func() {
	name := prefix + "-" + fileSafe(phase) + ".prof"
	f, err := os.Create(name)
	if err == nil {
		err = pprof.StartCPUProfile(f)
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound bench: profile of %s: %v\n", phase, err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(e.stderr, "newshound bench: profile of %s: %v\n", phase, err)
		}
	}
}

func writePlotFile(path string, rep *bench.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := bench.WritePlot(f, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// startHeapProfile watches the live heap during one phase and writes the
// heap profile taken when it was largest to prefix-PHASE.heap.
func startHeapProfile(prefix, phase string, e env) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	var best bytes.Buffer
	wg.Go(func() {
		var most uint64
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > most {
				most = v
				best.Reset()
				_ = pprof.Lookup("heap").WriteTo(&best, 0)
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		if err := os.WriteFile(prefix+"-"+fileSafe(phase)+".heap", best.Bytes(), 0o644); err != nil {
			fmt.Fprintf(e.stderr, "newshound bench: heap profile of %s: %v\n", phase, err)
		}
	}
}

// fileSafe keeps the letters and digits of a phase name for a file name.
func fileSafe(phase string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, phase)
}

// startFeedProcess starts this program again as the feed server and
// reads its address.
func startFeedProcess(ctx context.Context, c bench.Corpus, e env) (bench.FeedHost, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this program to start the feed server: %w", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(cctx, exe, "bench", "--feeds", strconv.Itoa(c.Feeds), "--seed", strconv.FormatUint(c.Seed, 10))
	cmd.Env = append(os.Environ(), envBenchFeedServer+"=1")
	cmd.Stderr = e.stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("starting the feed server: %w", err)
	}
	u, err := bench.ReadListening(out)
	if err != nil {
		cancel()
		_ = cmd.Wait()
		return nil, err
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return &feedProcess{url: u, cmd: cmd, cancel: cancel}, nil
}

type feedProcess struct {
	url    string
	cmd    *exec.Cmd
	cancel context.CancelFunc
}

func (p *feedProcess) URL() string { return p.url }

func (p *feedProcess) Close() error {
	p.cancel()
	_ = p.cmd.Wait() // interrupted on purpose: its exit status says nothing
	return nil
}

// intList is a flag of comma-separated positive integers.
type intList []int

func (l *intList) String() string {
	s := make([]string, len(*l))
	for i, v := range *l {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func (l *intList) Set(v string) error {
	for f := range strings.SplitSeq(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("%q is not a positive number", f)
		}
		*l = append(*l, n)
	}
	return nil
}

// progressBar draws one line per phase on a terminal.
type progressBar struct {
	w     io.Writer
	mu    sync.Mutex
	phase string
	last  time.Time
	drawn bool
}

func (b *progressBar) update(phase string, done, total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if phase == b.phase && done < total && now.Sub(b.last) < 100*time.Millisecond {
		return
	}
	if phase != b.phase && b.drawn {
		fmt.Fprintln(b.w)
	}
	b.phase, b.last, b.drawn = phase, now, true
	const width = 30
	filled := 0
	if total > 0 {
		filled = min(width, done*width/total)
	}
	fmt.Fprintf(b.w, "\r%-28s [%s%s] %d/%d", phase, strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
}

func (b *progressBar) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}
