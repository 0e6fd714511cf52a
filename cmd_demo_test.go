package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/demo"
	"github.com/newshound/newshound/match"
)

// alertLine is a story line of a console alert: "[watch] title".
var alertLine = regexp.MustCompile(`^(?:\[urgent\] )?\[([a-z0-9-]+)\] (.+)$`)

type demoAlert struct {
	watch, title string
	at           time.Time
}

// demoOutput is the demo's stdout: it keeps everything, collects the
// alerts the console channel prints, and calls stop once enough says so.
type demoOutput struct {
	mu     sync.Mutex
	all    bytes.Buffer
	alerts []demoAlert
	enough func([]demoAlert) bool
	stop   context.CancelFunc
}

func (o *demoOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all.Write(p)
	for line := range strings.Lines(string(p)) {
		if m := alertLine.FindStringSubmatch(strings.TrimRight(line, "\n")); m != nil {
			o.alerts = append(o.alerts, demoAlert{watch: m[1], title: m[2], at: time.Now()})
		}
	}
	if o.enough(o.alerts) {
		o.stop()
	}
	return len(p), nil
}

// runDemo runs Main(demo args…) until enough alerts are printed or --for
// ends, and returns the exit code, the alerts, stdout and stderr.
func runDemo(t *testing.T, enough func([]demoAlert) bool, args ...string) (int, []demoAlert, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &demoOutput{enough: enough, stop: cancel}
	var errb bytes.Buffer
	e := env{tick: testTick, stdin: strings.NewReader(""), stdout: out, stderr: &lockedWriter{w: &errb}, lookup: func(string) (string, bool) { return "", false }}
	code := Main(ctx, append([]string{"demo"}, args...), e)
	out.mu.Lock()
	defer out.mu.Unlock()
	return code, slices.Clone(out.alerts), out.all.String(), errb.String()
}

// TestDemoFirstAlertWithin30s is the promise of the demo as a newcomer
// runs it, default settings: an alert for a watched keyword within 30 s,
// from a feed on 127.0.0.1, and words on how to go on.
func TestDemoFirstAlertWithin30s(t *testing.T) {
	t.Parallel() // mostly waits on the daemon's real clocks: overlaps the other tests
	start := time.Now()
	code, alerts, out, errs := runDemo(t, func(a []demoAlert) bool { return len(a) > 0 }, "--for", "30s")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if len(alerts) == 0 {
		t.Fatalf("no alert within 30s:\n%s\n%s", out, errs)
	}
	t.Logf("first alert after %v: [%s] %s", alerts[0].at.Sub(start).Round(time.Millisecond), alerts[0].watch, alerts[0].title)
	block := out[strings.Index(out, "["+alerts[0].watch+"]"):]
	if !slices.ContainsFunc([]string{"오픈소스", "트럼프", "국가안보각서", "open source", "linux", "ai action plan"}, func(k string) bool {
		return strings.Contains(strings.ToLower(block), k)
	}) {
		t.Errorf("the first alert shows none of the keywords:\n%s", block)
	}
	for _, want := range []string{"http://127.0.0.1:", "newshound init", "No network, no account", "newshound demo: stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestDemoReplaysEveryMatch runs the whole replay fast and checks the
// alerts against the watchlist the demo runs: every published story a
// watch matches is alerted once, under that watch; the stories present
// at the first poll and those an exclude word holds back never are.
func TestDemoReplaysEveryMatch(t *testing.T) {
	t.Parallel() // mostly waits on the daemon's real clocks: overlaps the other tests
	cfg, err := config.Parse("demo.yaml", []byte(demoWatchlist("http://127.0.0.1:1")), nil)
	if err != nil {
		t.Fatal(err)
	}
	var rules []match.Rule
	for _, w := range cfg.Watches {
		rules = append(rules, match.Rule{Watch: w.Name, Keywords: w.Keywords, Exclude: w.Exclude, Feeds: w.Feeds})
	}
	m, err := match.Compile(rules, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // title → watch
	var never []string
	hs := demo.Headlines()
	for i, h := range hs {
		feed := "demo-" + h.Lang
		hits := m.Match(match.Document{Title: h.Title, Body: h.Body, Source: feed})
		switch {
		case i < demo.DefaultInitial:
			never = append(never, h.Title)
		case len(hits) > 0:
			want[h.Title] = hits[0].Watch
		default:
			never = append(never, h.Title)
		}
	}
	if len(want) < 5 {
		t.Fatalf("only %d stories match; the demo shows too little", len(want))
	}
	// The run stops once every wanted story is alerted. For an unwanted
	// alert to be caught however late, the last story of each feed must
	// be a wanted one: its alert comes after every poll that matters.
	for _, lang := range []string{"ko", "en"} {
		for i := len(hs) - 1; i >= 0; i-- {
			if hs[i].Lang != lang {
				continue
			}
			if _, ok := want[hs[i].Title]; !ok {
				t.Fatalf("the last %s story, %q, matches no watch: the run could stop before a late unwanted alert", lang, hs[i].Title)
			}
			break
		}
	}
	allSeen := func(a []demoAlert) bool {
		n := 0
		for title := range want {
			if slices.ContainsFunc(a, func(x demoAlert) bool { return x.title == title }) {
				n++
			}
		}
		return n == len(want)
	}
	code, alerts, out, errs := runDemo(t, allSeen, "--every", "50ms", "--for", "90s")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	got := map[string]string{}
	for _, a := range alerts {
		if _, dup := got[a.title]; dup {
			t.Errorf("alerted twice: %s", a.title)
		}
		got[a.title] = a.watch
	}
	for title, watch := range want {
		if got[title] != watch {
			t.Errorf("story %q: alerted under %q, want %q", title, got[title], watch)
		}
	}
	for _, title := range never {
		if w, ok := got[title]; ok {
			t.Errorf("story %q alerted under %s; it was there at the first poll or is excluded", title, w)
		}
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", out, errs)
	}
}

// TestDemoWatchesAreTheExample keeps the demo's watches those of the
// example watchlist, whose keywords the README and the headlines use.
func TestDemoWatchesAreTheExample(t *testing.T) {
	demoCfg, err := config.Parse("demo.yaml", []byte(demoWatchlist("http://127.0.0.1:1")), nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("config", "watchlist.example.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	example, err := config.Parse(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(demoCfg.Watches) != len(example.Watches) {
		t.Fatalf("demo has %d watches, the example %d", len(demoCfg.Watches), len(example.Watches))
	}
	for i, w := range example.Watches {
		d := demoCfg.Watches[i]
		if d.Name != w.Name || !slices.Equal(d.Keywords, w.Keywords) || !slices.Equal(d.Exclude, w.Exclude) {
			t.Errorf("demo watch %d = %s %q -%q, example %s %q -%q", i, d.Name, d.Keywords, d.Exclude, w.Name, w.Keywords, w.Exclude)
		}
	}
}

func TestDemoFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"negative duration", []string{"--for", "-1s"}, "negative"},
		{"zero interval", []string{"--every", "0s"}, "positive"},
		{"stray argument", []string{"now"}, `unexpected argument "now"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCLI(t, append([]string{"demo"}, tt.args...)...)
			if code != 2 || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 with %q", code, errs, tt.want)
			}
		})
	}
}
