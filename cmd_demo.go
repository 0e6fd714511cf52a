package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/demo"
)

// demoPoll is how often the demo's bot polls: far too often for a real
// site (the watchlist warns so), right for a feed in the same process.
const demoPoll = 2 * time.Second

// demoWatchlist is the watchlist newshound demo runs, with the feeds
// served at base: the example watchlist's watches and the terminal.
func demoWatchlist(base string) string {
	return fmt.Sprintf(`# The watchlist newshound demo runs: two feeds served from inside the
# process, the watches of config/watchlist.example.yaml, and this terminal.
timezone: Asia/Seoul
poll:
  interval: %s              # a local feed; real sites want 1m or more
  timeout: 5s
feeds:
  - name: demo-ko
    url: %s%s
  - name: demo-en
    url: %s%s
channels:
  terminal:
    console: {}
watches:
  - name: ai-policy
    keywords: [오픈소스, 트럼프, '"AI 국가안보각서"']
    exclude: [주가]
    channels: [terminal]
  - name: open-source-en
    keywords: ['"open source"', 'Linux', '"AI Action Plan"']
    feeds: [demo-en]
    channels: [terminal]
`, demoPoll, base, demo.PathKorean, base, demo.PathEnglish)
}

// cmdDemo runs the real pipeline, as `run` does (fetch, parse, match,
// outbox, console), on two feeds served from inside the process that
// publish a recorded-style headline every few seconds: an alert within
// 30 s, with no network and no account.
func cmdDemo(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("demo", e)
	dur := fs.Duration("for", 0, "stop after this `duration`, e.g. 1m (default: until Ctrl-C)")
	every := fs.Duration("every", 4*time.Second, "publish a new headline every `duration`")
	level := fs.String("log-level", "info", "the bot's log `level`: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return parseExit(fs, err, e)
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(e.stderr, "newshound demo: unexpected argument %q\n", fs.Arg(0))
		return 2
	case *dur < 0:
		fmt.Fprintf(e.stderr, "newshound demo: --for %v is negative\n", *dur)
		return 2
	case *every <= 0:
		fmt.Fprintf(e.stderr, "newshound demo: --every must be positive, got %v\n", *every)
		return 2
	}
	if *dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *dur)
		defer cancel()
	}
	// The console channel and the demo's own lines share stdout.
	out := &lockedWriter{w: e.stdout}
	e.stdout = out

	dir, err := os.MkdirTemp("", "newshound-demo-")
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound demo: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound demo: starting the feed server: %v\n", err)
		return 1
	}
	published := 0
	srv := demo.New(demo.Options{Initial: demo.DefaultInitial, OnPublish: func(st demo.Story) {
		published++ // OnPublish runs on the one publishing goroutine
		feed := "demo-ko"
		if st.Lang == "en" {
			feed = "demo-en"
		}
		fmt.Fprintf(out, "· new on %s: %s\n", feed, st.Title)
	}})
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	base := "http://" + ln.Addr().String()
	path := filepath.Join(dir, "watchlist.yaml")
	text := demoWatchlist(base)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		fmt.Fprintf(e.stderr, "newshound demo: %v\n", err)
		return 1
	}
	cfg, err := config.Parse(path, []byte(text), nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "newshound demo: the demo watchlist is not valid (a bug): %v\n", err)
		return 1
	}
	demoIntro(out, base, cfg, *every, *dur)

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		// Publish only after the first poll of both feeds, so every
		// published headline is news to the bot.
		select {
		case <-srv.FirstRead():
		case <-runCtx.Done():
			return
		}
		t := time.NewTicker(*every)
		defer t.Stop()
		if srv.Run(runCtx, t.C) == nil {
			fmt.Fprintf(out, "· all %d headlines of the demo are out; the bot keeps polling. Stop with Ctrl-C.\n", len(demo.Headlines()))
		}
	})
	code := cmdRun(ctx, []string{"--config", path, "--state", filepath.Join(dir, "newshound.db"), "--log-level", *level}, e)
	stop()
	wg.Wait()
	fmt.Fprintf(out, "\nnewshound demo: stopped after %d new headline(s).\n", published)
	fmt.Fprint(out, demoNext)
	return code
}

// demoNext says how to go on from the demo.
const demoNext = `To watch your own feeds:
  newshound init                              # writes watchlist.yaml (--slack or --discord for a chat channel)
  newshound check --config watchlist.yaml
  newshound run --config watchlist.yaml
`

// demoIntro says what the demo does and how to go on.
func demoIntro(w io.Writer, base string, cfg *config.Config, every, dur time.Duration) {
	fmt.Fprintf(w, `newshound demo: the real bot (fetch, parse, match, outbox, console) on two feeds served
from inside this process, replaying headlines written for the demo. No network, no account.

  feeds    %s%s (RSS, 한국어), %s%s (Atom, English)
  timing   a new headline every %v; the bot polls every %v (it warns below that this is
           too often for a real site: those want 1m or more)
  state    a temporary SQLite file, removed at exit
`, base, demo.PathKorean, base, demo.PathEnglish, every, demoPoll)
	for i, wt := range cfg.Watches {
		label := "watches "
		if i > 0 {
			label = "        "
		}
		var ex string
		if len(wt.Exclude) > 0 {
			ex = " (not " + strings.Join(wt.Exclude, ", ") + ")"
		}
		fmt.Fprintf(w, "  %s %s: %s%s\n", label, wt.Name, strings.Join(wt.Keywords, ", "), ex)
	}
	stop := "Stop with Ctrl-C"
	if dur > 0 {
		stop = fmt.Sprintf("It stops after %v, or with Ctrl-C", dur)
	}
	fmt.Fprintf(w, `
The first poll records the %d headlines already there without alerting, as with any new
feed; each later one that a watch matches is printed below as an alert. %s.
Next, to watch your own feeds: newshound init (then check and run; see newshound help init).

`, demo.DefaultInitial, stop)
}

// lockedWriter serializes writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
