package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newshound/newshound/internal/testcorpus"
)

const sharedFeeds = "../shared/feeds"

func runWithStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := Main(ctx, args, env{tick: testTick, stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, lookup: func(string) (string, bool) { return "", false }})
	return code, out.String(), errb.String()
}

func TestFetchJSONWithMatches(t *testing.T) {
	fsrv := newFeedServer(t)
	fsrv.set("/a.xml", item(1, "트럼프, AI 국가안보각서 서명"), item(2, "날씨 맑음"))
	dir := t.TempDir()
	cfg := filepath.Join(dir, "w.yaml")
	writeFile(t, cfg, `
feeds: [{name: a, url: "https://example.com/rss"}]
channels: {out: {console: {}}}
watches:
  - {name: policy, keywords: ['"AI 국가안보각서"'], channels: [out]}
  - {name: people, keywords: [트럼프], channels: [out]}
`)
	code, out, errs := runCLI(t, "fetch", "--config", cfg, "--json", fsrv.url("/a.xml"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got:\n%s", out)
	}
	var first struct {
		Title, Link, ID string
		Published       time.Time
		Matches         []struct {
			Watch string
			Terms []string
		}
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Title != "트럼프, AI 국가안보각서 서명" || first.ID != "news-1" || first.Link == "" || first.Published.IsZero() {
		t.Errorf("item = %+v", first)
	}
	if len(first.Matches) != 2 || first.Matches[0].Watch != "policy" || first.Matches[1].Watch != "people" {
		t.Errorf("matches = %+v, want policy and people", first.Matches)
	}
	if !strings.Contains(lines[1], `"matches":[]`) {
		t.Errorf("non-matching item should have an empty matches list: %s", lines[1])
	}
}

func TestFetchUnparsableExits1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.xml")
	writeFile(t, path, "<html><body>no feed here")
	code, _, errs := runCLI(t, "fetch", path)
	if code != 1 || !strings.Contains(errs, "bad.xml") {
		t.Errorf("exit %d, stderr %q; want 1 naming the file", code, errs)
	}
}

// TestFetchCorpora puts every file of the shared corpora through the real
// fetch command: each either parses (exit 0) or is refused with a reason
// (exit 1), and none panics.
func TestFetchCorpora(t *testing.T) {
	t.Parallel() // a corpus sweep independent of every other test
	if _, err := os.Stat(sharedFeeds); err != nil {
		t.Skipf("shared corpora not found at %s: %v", sharedFeeds, err)
	}
	var files []string
	_ = filepath.WalkDir(sharedFeeds, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".xml") || strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".rdf")) {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 100 {
		t.Fatalf("found only %d corpus files", len(files))
	}
	all := len(files)
	files = slices.DeleteFunc(files, func(p string) bool { return !testcorpus.SweepFile(p) })
	testcorpus.Note(t, len(files), all)
	// Files are swept by a few workers: each run of the command is
	// independent of the others.
	var parsed atomic.Int64
	work := make(chan string)
	var wg sync.WaitGroup
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for f := range work {
				fetchCorpusFile(t, f, &parsed)
			}
		})
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	t.Logf("%d of %d corpus files parsed", parsed.Load(), len(files))
	if int(parsed.Load()) < len(files)*8/10 {
		t.Errorf("only %d of %d corpus files parsed", parsed.Load(), len(files))
	}
}

// fetchCorpusFile runs `fetch --json` on one corpus file: it parses
// (exit 0, counted in parsed, every line JSON) or is refused with a
// reason (exit 1).
func fetchCorpusFile(t *testing.T, f string, parsed *atomic.Int64) {
	code, out, errs := runCLI(t, "fetch", "--json", f)
	switch code {
	case 0:
		parsed.Add(1)
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line != "" && !json.Valid([]byte(line)) {
				t.Errorf("%s: invalid JSON line %q", f, line)
			}
		}
	case 1:
		if strings.TrimSpace(errs) == "" {
			t.Errorf("%s: refused without a reason", f)
		}
	default:
		t.Errorf("%s: exit %d: %s", f, code, errs)
	}
}

func TestMatchCommand(t *testing.T) {
	doc := "미 정부, ＡＩ국가안보각서 공개\n트럼프 행정부는 오픈소스를 장려한다고 밝혔다."
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string
	}{
		{"phrase across spacing and width", []string{"match", "--query", `"AI 국가안보각서"`}, doc, 0, []string{"title[", "ＡＩ국가안보각서"}},
		{"particle attached", []string{"match", "--query", "오픈소스"}, doc, 0, []string{`"오픈소스"`}},
		{"excluded", []string{"match", "--query", "트럼프 -오픈소스"}, doc, 1, []string{"no match"}},
		{"latin boundary", []string{"match", "--query", "AI"}, "He said so\nnothing maintained", 1, nil},
		{"invalid query", []string{"match", "--query", `트럼프 "AI`}, doc, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runWithStdin(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.code == 2 && !strings.Contains(errs, "column") {
				t.Errorf("invalid query error has no position: %s", errs)
			}
		})
	}
}

func TestMatchWithConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "w.yaml")
	writeFile(t, cfg, `
feeds: [{name: a, url: "https://example.com/rss"}]
channels: {out: {console: {}}}
synonyms: [[트럼프, Trump, 도널드 트럼프]]
watches:
  - {name: chips, keywords: [GPU OR 반도체], exclude: [주가], channels: [out]}
  - {name: people, keywords: [트럼프], channels: [out]}
`)
	code, out, _ := runWithStdin(t, "Trump says GPU가 부족\n", "match", "--config", cfg)
	if code != 0 || !strings.Contains(out, "match: chips") || !strings.Contains(out, "match: people") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	code, out, _ = runWithStdin(t, "반도체 주가 급락\n", "match", "--config", cfg)
	if code != 1 {
		t.Errorf("excluded document matched (exit %d):\n%s", code, out)
	}
}

func TestVersionAndUsage(t *testing.T) {
	if code, out, _ := runCLI(t, "version"); code != 0 || !strings.HasPrefix(out, "newshound ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errs)
	}
}
