package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/postgres"
	"github.com/newshound/newshound/store/postgres/pgtest"
)

// pgSchema is a PostgreSQL schema of the test's own (pgtest.Schema).
func pgSchema(t testing.TB) string { return pgtest.Schema(t) }

// daemon is one `newshound run` started in-process.
type daemon struct {
	cancel context.CancelFunc
	done   chan int
	stdout *syncBuffer
	stderr *syncBuffer
}

func startDaemon(t *testing.T, lookup func(string) (string, bool), args ...string) *daemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemon{cancel: cancel, done: make(chan int, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	go func() {
		d.done <- Main(ctx, append([]string{"run"}, args...), env{stdin: strings.NewReader(""), stdout: d.stdout, stderr: d.stderr, lookup: lookup})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-d.done:
			if code != 0 {
				t.Errorf("daemon exit %d\n%s", code, d.stderr.String())
			} else if t.Failed() {
				t.Logf("daemon %v log:\n%s", args, d.stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("daemon did not stop")
		}
	})
	return d
}

// TestSharedWatchlistAcrossReplicas runs two replicas on one database,
// each with its own copy of the watchlist file: a /news add sent to one
// is applied by the other (its file rewritten, comments kept) and a new
// matching item is delivered once; a hand edit of the other's file is
// imported and reaches the first.
func TestSharedWatchlistAcrossReplicas(t *testing.T) {
	t.Parallel()
	dsn := pgSchema(t)
	fs := newFeedServer(t)
	fs.set("/it.xml", item(1, "반도체 업황 회복"))
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	lookup := func(k string) (string, bool) {
		switch k {
		case "SLACK_SIGNING_SECRET":
			return secret, true
		case "DATABASE_URL":
			return dsn, true
		}
		return "", false
	}
	original := fmt.Sprintf(`# 공유 워치리스트
store: {postgres: "${DATABASE_URL}"}
feeds:
  - name: it
    url: %s
    interval: 200ms
channels:
  terminal: {console: {}}
watches:
  - name: ai-policy
    keywords:
      - 오픈소스   # 기본 키워드
    channels: [terminal]
`, fs.url("/it.xml"))
	var files []string
	var ds []*daemon
	var addrs []string
	for i := range 2 {
		dir := t.TempDir()
		path := filepath.Join(dir, "watchlist.yaml")
		writeFile(t, path, original)
		addr := freeAddr(t)
		files, addrs = append(files, path), append(addrs, addr)
		ds = append(ds, startDaemon(t, lookup, "--config", path, "--listen", addr))
		if i == 0 {
			waitFor(t, "the first replica to seed the database", func() bool {
				return strings.Contains(ds[0].stderr.String(), "watchlist seeded into the database")
			})
		}
	}
	for i, addr := range addrs {
		waitFor(t, fmt.Sprintf("replica %d's listener", i), func() bool {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
			}
			return err == nil
		})
	}
	waitFor(t, "the first poll", func() bool {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		return fs.requests["/it.xml"] > 0
	})

	applied := strings.Count(ds[1].stderr.String(), "watchlist applied")
	appliedFirst := strings.Count(ds[0].stderr.String(), "watchlist applied")
	form := url.Values{"text": {"add 반도체 to ai-policy"}, "user_id": {"U1"}, "user_name": {"kim"}, "channel_id": {"C1"}, "channel_name": {"policy"}, "command": {"/news"}}
	body := form.Encode()
	ts := time.Now().Unix()
	req, _ := http.NewRequest("POST", "http://"+addrs[0]+"/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", signSlack(secret, ts, body))
	sent := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/news add: %d %s", resp.StatusCode, reply)
	}
	waitFor(t, "the other replica to apply the edit", func() bool {
		return strings.Count(ds[1].stderr.String(), "watchlist applied") > applied
	})
	t.Logf("/news add sent to replica 0 applied on replica 1 within %s", time.Since(sent).Round(time.Millisecond))
	for i, f := range files {
		data, _ := os.ReadFile(f)
		if !strings.Contains(string(data), "반도체") || !strings.Contains(string(data), "# 기본 키워드") {
			t.Errorf("replica %d's file lacks the edit or its comments:\n%s", i, data)
		}
	}
	// The first replica applied it too (its own reload after the edit).
	waitFor(t, "the first replica's file", func() bool {
		data, _ := os.ReadFile(files[0])
		return strings.Contains(string(data), "반도체")
	})
	waitFor(t, "the first replica to apply the edit", func() bool {
		return strings.Count(ds[0].stderr.String(), "watchlist applied") > appliedFirst
	})

	fs.set("/it.xml", item(1, "반도체 업황 회복"), item(2, "정부, 반도체 특별법 처리 촉구"))
	both := func() string { return ds[0].stdout.String() + ds[1].stdout.String() }
	waitFor(t, "the alert on the new keyword", func() bool { return strings.Contains(both(), "반도체 특별법") })

	// A hand edit of replica 1's file is imported and reaches replica 0.
	// Items seen before an edit applies are not alerted after it, and
	// either replica may poll next: the new item is published once both
	// have applied the edit.
	applied0 := strings.Count(ds[0].stderr.String(), "watchlist applied")
	applied1 := strings.Count(ds[1].stderr.String(), "watchlist applied")
	data, _ := os.ReadFile(files[1])
	writeFile(t, files[1], strings.Replace(string(data), "      - 오픈소스   # 기본 키워드", "      - 오픈소스   # 기본 키워드\n      - 엔비디아", 1))
	waitFor(t, "the hand edit to reach replica 0", func() bool {
		return strings.Count(ds[0].stderr.String(), "watchlist applied") > applied0
	})
	waitFor(t, "replica 1 to apply its own import", func() bool {
		return strings.Count(ds[1].stderr.String(), "watchlist applied") > applied1
	})
	if !strings.Contains(ds[1].stderr.String(), "imported into the database") {
		t.Errorf("replica 1 did not log the import:\n%s", ds[1].stderr.String())
	}
	fs.set("/it.xml", item(1, "반도체 업황 회복"), item(2, "정부, 반도체 특별법 처리 촉구"), item(3, "엔비디아 신형 GPU 공개"))
	waitFor(t, "the alert on the hand-added keyword", func() bool { return strings.Contains(both(), "엔비디아 신형 GPU") })
	time.Sleep(1500 * time.Millisecond) // a second delivery would show by now
	for _, title := range []string{"정부, 반도체 특별법 처리 촉구", "엔비디아 신형 GPU 공개"} {
		if n := strings.Count(both(), title); n != 1 {
			t.Errorf("%q delivered %d times, want once", title, n)
		}
	}
	if strings.Contains(both(), "반도체 업황 회복") {
		t.Error("an item seen before the edit was alerted")
	}
}

// TestSharedWatchlistFileEdits: a hand edit made on the version in force
// is imported; one made on an older version, or while no bot ran, is
// refused, kept beside the file and replaced by the version in force; an
// invalid one is left in place and reported.
func TestSharedWatchlistFileEdits(t *testing.T) {
	t.Parallel()
	dsn := pgSchema(t)
	ctx := t.Context()
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "watchlist.yaml")
	const v1 = "# 팀\nfeeds:\n  - {name: yna, url: \"https://yna.example/rss\"}\nchannels:\n  team: {console: {}}\nwatches:\n  - {name: p, keywords: [오픈소스], channels: [team]}\n"
	writeFile(t, path, v1)
	log := &syncBuffer{}
	w := &sharedWatchlist{path: path, docs: st, owner: "test", env: configEnv(), logger: newTestLogger(log)}
	if _, err := w.start(ctx); err != nil {
		t.Fatal(err)
	}
	head, err := st.Watchlist(ctx)
	if err != nil || head.Version != 1 || string(head.Text) != v1 {
		t.Fatalf("seeded %+v, %v", head, err)
	}

	// Edited on the version in force: imported.
	v2 := strings.Replace(v1, "[오픈소스]", "[오픈소스, 반도체]", 1)
	writeFile(t, path, v2)
	cfg, err := w.load(ctx)
	if err != nil || len(cfg.Watches[0].Keywords) != 2 {
		t.Fatalf("load after a hand edit: %v, %v", cfg, err)
	}
	if head, _ = st.Watchlist(ctx); head.Version != 2 || string(head.Text) != v2 {
		t.Errorf("after the import the database holds version %d:\n%s", head.Version, head.Text)
	}

	// Invalid: left in place, reported once, nothing saved.
	bad := strings.Replace(v2, "channels: [team]", "channels: [nowhere]", 1)
	writeFile(t, path, bad)
	if _, err := w.load(ctx); err != nil {
		t.Fatal(err)
	}
	if head, _ = st.Watchlist(ctx); head.Version != 2 {
		t.Errorf("an invalid hand edit was saved as version %d", head.Version)
	}
	if data, _ := os.ReadFile(path); string(data) != bad {
		t.Error("the invalid hand edit was overwritten; its author could not fix it")
	}
	if !strings.Contains(log.String(), "does not validate: not imported") {
		t.Errorf("no message for the invalid edit:\n%s", log.String())
	}

	// Edited while another version was saved elsewhere: refused.
	if _, err := st.PutWatchlist(ctx, 2, []byte(strings.Replace(v2, "반도체]", "반도체, 트럼프]", 1)), "elsewhere"); err != nil {
		t.Fatal(err)
	}
	late := strings.Replace(v2, "[오픈소스, 반도체]", "[엔비디아]", 1)
	writeFile(t, path, late)
	if _, err := w.load(ctx); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "트럼프") {
		t.Errorf("the file does not hold the version in force:\n%s", data)
	}
	kept, _ := filepath.Glob(path + ".rejected-*")
	if len(kept) != 1 {
		t.Fatalf("refused edit kept in %v, want one file", kept)
	}
	if k, _ := os.ReadFile(kept[0]); string(k) != late {
		t.Errorf("the kept file does not hold the refused edit:\n%s", k)
	}
	if !strings.Contains(log.String(), "the edit is refused") {
		t.Errorf("no message for the refused edit:\n%s", log.String())
	}

	// At start, a file that is no saved version is refused too; an older
	// version is just brought up to date.
	for _, tc := range []struct {
		file    string
		refused bool
	}{{v1, false}, {"# 손으로\n" + v1, true}} {
		writeFile(t, path, tc.file)
		w2 := &sharedWatchlist{path: path, docs: st, owner: "test2", env: configEnv(), logger: newTestLogger(log)}
		if _, err := w2.start(ctx); err != nil {
			t.Fatal(err)
		}
		if data, _ := os.ReadFile(path); !strings.Contains(string(data), "트럼프") {
			t.Errorf("start with %q: the file was not brought to the version in force", tc.file[:10])
		}
		kept, _ := filepath.Glob(path + ".rejected-*")
		if want := map[bool]int{false: 1, true: 2}[tc.refused]; len(kept) != want {
			t.Errorf("start with %q: %d refused edits kept, want %d", tc.file[:10], len(kept), want)
		}
	}

}

// configEnv is an empty environment for validation.
func configEnv() config.Env {
	return config.Env{Lookup: func(string) (string, bool) { return "", false }}
}

// newTestLogger logs text to w.
func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}

// countingReloader counts reloads.
type countingReloader struct{ n atomic.Int64 }

func (r *countingReloader) Reload(context.Context) error {
	r.n.Add(1)
	return nil
}

// deafStore is a store whose LISTEN always fails, as when notifications
// cannot get through.
type deafStore struct{ *postgres.Store }

func (deafStore) ListenWatchlist(context.Context, func(int64)) error {
	return errors.New("listen: connection reset")
}

// TestSharedWatchlistFollow: a version saved elsewhere reloads the bot,
// told by NOTIFY (the poll set to an hour), or by the poll when
// notifications fail.
func TestSharedWatchlistFollow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		deaf bool
		poll time.Duration
	}{{"notify", false, time.Hour}, {"poll fallback", true, 50 * time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := postgres.Open(t.Context(), pgSchema(t))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var docs store.Watchlists = st
			if tc.deaf {
				docs = deafStore{st}
			}
			if _, err := st.PutWatchlist(t.Context(), 0, []byte("feeds: []\n"), "seed"); err != nil {
				t.Fatal(err)
			}
			w := &sharedWatchlist{path: filepath.Join(t.TempDir(), "w.yaml"), docs: docs, owner: "test", env: configEnv(), logger: newTestLogger(io.Discard), base: 1}
			r := &countingReloader{}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan struct{})
			go func() { w.follow(ctx, r, tc.poll); close(done) }()
			defer func() { cancel(); <-done }()
			// Save until a reload happens: the listener may not be up for the
			// first save.
			base := int64(1)
			waitFor(t, "a reload after a save elsewhere", func() bool {
				if r.n.Load() > 0 {
					return true
				}
				if d, err := st.PutWatchlist(t.Context(), base, []byte(fmt.Sprintf("feeds: [] # %d\n", base)), "elsewhere"); err == nil {
					base = d.Version
				}
				time.Sleep(100 * time.Millisecond)
				return r.n.Load() > 0
			})
		})
	}
}

// TestSharedWatchlistUnwritableCopy: a replica whose copy of the watchlist
// cannot be written still runs the version in force, and says so.
func TestSharedWatchlistUnwritableCopy(t *testing.T) {
	t.Parallel()
	st, err := postgres.Open(t.Context(), pgSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const v1 = "feeds: []\nchannels:\n  team: {console: {}}\nwatches: []\n"
	if _, err := st.PutWatchlist(t.Context(), 0, []byte(v1), "seed"); err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	w := &sharedWatchlist{path: filepath.Join(t.TempDir(), "missing-folder", "w.yaml"), docs: st, owner: "test", env: configEnv(), logger: newTestLogger(log)}
	cfg, err := w.start(t.Context())
	if err != nil {
		t.Fatalf("start with an unwritable copy: %v", err)
	}
	if _, ok := cfg.Channels["team"]; !ok {
		t.Fatalf("start with an unwritable copy: config %+v", cfg)
	}
	if !strings.Contains(log.String(), "could not be written") || w.version() != 1 {
		t.Errorf("version %d; log:\n%s", w.version(), log.String())
	}
}
