package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/redact"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// statusWatchlist has three feeds (one with a secret in its URL), two
// channels in file order, an instant watch and a daily digest.
const statusWatchlist = `timezone: Asia/Seoul
feeds:
  - {name: zeta, url: 'https://news.example.com/rss?token=s3cr3t-feed-token'}
  - {name: alpha, url: 'https://alpha.example.com/feed'}
  - {name: fresh, url: 'https://fresh.example.com/atom'}
channels:
  out: {console: {}}
  desk: {console: {}}
watches:
  - {name: now, keywords: [x], channels: [out]}
  - {name: daily, keywords: [y], channels: [desk], digest: {at: ["09:00"]}}
`

// dbSecret is a secret the environment holds; status must never print it.
const dbSecret = "hunter2-db-password"

// statusEnv runs commands with DATABASE_URL set to a value holding
// dbSecret, and more variables from vars.
func statusEnv(vars map[string]string) (env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return env{
		tick:  testTick,
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		lookup: func(name string) (string, bool) {
			if name == "DATABASE_URL" {
				return "postgres://u:" + dbSecret + "@db/newshound", true
			}
			v, ok := vars[name]
			return v, ok
		},
	}, &out, &errb
}

// statusFixture is a watchlist and a state file as a running daemon
// leaves them, with the times written.
type statusFixture struct {
	config, state string
	now           time.Time // when the rows were written
	success       time.Time // zeta's last success
	nextPoll      time.Time // zeta's next poll
	retry         time.Time // out's next retry
}

// newStatusFixture writes the fixture through the store API. The store
// stays open as the daemon's would, writer lock included, until the test
// ends.
func newStatusFixture(t *testing.T, watchlist string) statusFixture {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	f := statusFixture{config: filepath.Join(dir, "watchlist.yaml"), state: filepath.Join(dir, "newshound.db")}
	writeFile(t, f.config, watchlist)
	st, err := sqlite.OpenWriter(ctx, f.state)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	f.now = time.Now().UTC().Truncate(time.Millisecond)
	f.success = f.now.Add(-3 * time.Minute)
	f.nextPoll = f.now.Add(2 * time.Minute)
	f.retry = f.now.Add(time.Hour)
	states := []store.FeedState{
		{Feed: "zeta", URL: "https://news.example.com/rss?token=s3cr3t-feed-token", Initialized: true, LastSuccess: f.success, LastAttempt: f.success, NextPoll: f.nextPoll},
		{Feed: "alpha", URL: "https://alpha.example.com/feed", Initialized: true, LastSuccess: f.now.Add(-26 * time.Hour), LastAttempt: f.now.Add(-time.Minute),
			Failures: 4, LastError: "HTTP 503 from db " + dbSecret + "\x1b[31m", NextPoll: f.now.Add(8 * time.Minute)},
		{Feed: "removed", URL: "https://gone.example.com/rss", Initialized: true, LastSuccess: f.now},
	}
	for _, s := range states {
		if err := st.PutFeedState(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := st.Enqueue(ctx, []store.Delivery{
		{Channel: "out", ItemKey: "a", Feed: "zeta", Title: "old", Created: f.now.Add(-90 * time.Minute)},
		{Channel: "out", ItemKey: "b", Feed: "zeta", Title: "new", Created: f.now.Add(-10 * time.Minute)},
		{Channel: "desk", ItemKey: "c", Feed: "alpha", Title: "held", Created: f.now.Add(-5 * time.Minute), Due: f.now.Add(5 * time.Hour)},
		{Channel: "desk", ItemKey: "d", Feed: "alpha", Title: "sent", Created: f.now.Add(-2 * time.Hour)},
		{Channel: "old-channel", ItemKey: "e", Feed: "alpha", Title: "left", Created: f.now.Add(-time.Minute)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MarkFailed(ctx, []int64{ds[0].ID, ds[1].ID}, "console: broken pipe", f.retry); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkSent(ctx, []int64{ds[3].ID}, f.now); err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct{ name, owner string }{
		{"replica:web-1@host-a/41/abcd", "web-1@host-a/41/abcd"},
		{"replica:web-1@host-a/42/efgh", "web-1@host-a/42/efgh"},
		{"channel:out", "web-1@host-a/42/efgh"},
	} {
		if ok, err := st.Lease(ctx, l.name, l.owner, time.Time{}, time.Now().Add(time.Hour)); err != nil || !ok {
			t.Fatalf("lease %s: %v, %v", l.name, ok, err)
		}
	}
	if ok, err := st.Lease(ctx, "feed:zeta", "dead", time.Now().Add(-time.Hour), time.Now().Add(-time.Minute)); err != nil || !ok {
		t.Fatalf("expired lease: %v, %v", ok, err)
	}
	return f
}

// statusJSON runs status --json and decodes its one object generically,
// so that the test reads the keys scripts read.
func statusJSON(t *testing.T, e env, out, errb *bytes.Buffer, args ...string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if code := Main(ctx, append([]string{"status", "--json"}, args...), e); code != 0 {
		t.Fatalf("status exited %d; stderr:\n%s", code, errb)
	}
	dec := json.NewDecoder(bytes.NewReader(out.Bytes()))
	var got map[string]any
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("status --json printed no JSON object: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("status --json printed more than one JSON value:\n%s", out)
	}
	if strings.Contains(out.String(), dbSecret) || strings.Contains(out.String(), "s3cr3t") {
		t.Errorf("status --json printed a secret:\n%s", out)
	}
	return got
}

// list returns the objects of the array at key.
func list(t *testing.T, obj map[string]any, key string) []map[string]any {
	t.Helper()
	arr, ok := obj[key].([]any)
	if !ok {
		t.Fatalf("%q is %T, want an array", key, obj[key])
	}
	out := make([]map[string]any, len(arr))
	for i, v := range arr {
		if out[i], ok = v.(map[string]any); !ok {
			t.Fatalf("%s[%d] is %T, want an object", key, i, v)
		}
	}
	return out
}

// rfc3339 formats t as encoding/json does.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func TestStatusJSON(t *testing.T) {
	f := newStatusFixture(t, statusWatchlist)
	e, out, errb := statusEnv(nil)
	got := statusJSON(t, e, out, errb, "--config", f.config, "--state", f.state)
	if reps, _ := got["replicas"].([]any); len(reps) != 2 || reps[0] != "web-1@host-a/41/abcd" {
		t.Errorf("replicas = %v", got["replicas"])
	}
	if ls := list(t, got, "leases"); len(ls) != 1 || ls[0]["name"] != "channel:out" || ls[0]["owner"] != "web-1@host-a/42/efgh" || ls[0]["until"] == nil {
		t.Errorf("leases = %v", ls)
	}

	top := []struct {
		key  string
		want any
	}{
		{"version", version},
		{"store", "sqlite"},
		{"state", f.state},
		{"feeds_ok", 2.0},
		{"feeds_failing", 1.0},
	}
	for _, tc := range top {
		if got[tc.key] != tc.want {
			t.Errorf("%s = %v, want %v", tc.key, got[tc.key], tc.want)
		}
	}
	if wl, _ := got["watchlist"].(map[string]any); wl["ok"] != true || wl["env_checked"] != true || fmt.Sprint(wl["errors"]) != "[]" || wl["file"] != f.config {
		t.Errorf("watchlist = %v, want ok, checked with the environment, no errors", wl)
	}

	feeds := list(t, got, "feeds")
	wantFeeds := []map[string]any{
		{"name": "zeta", "url": "https://news.example.com/rss?token=" + redact.Mark, "last_success": rfc3339(f.success),
			"last_error": "", "failures": 0.0, "next_poll": rfc3339(f.nextPoll)},
		{"name": "alpha", "url": "https://alpha.example.com/feed", "last_success": rfc3339(f.now.Add(-26 * time.Hour)),
			"last_error": "HTTP 503 from db [REDACTED]\x1b[31m", "failures": 4.0, "next_poll": rfc3339(f.now.Add(8 * time.Minute))},
		{"name": "fresh", "url": "https://fresh.example.com/atom", "last_success": nil, "last_error": "", "failures": 0.0, "next_poll": nil},
	}
	if len(feeds) != len(wantFeeds) {
		t.Fatalf("feeds = %v, want the 3 watchlist feeds in file order", feeds)
	}
	for i, want := range wantFeeds {
		for k, v := range want {
			if k == "last_error" && v != "" {
				// The redaction mark is the redactor's business: check
				// that the secret is gone and the rest kept.
				s, _ := feeds[i][k].(string)
				if !strings.HasPrefix(s, "HTTP 503 from db ") || strings.Contains(s, dbSecret) {
					t.Errorf("feeds[%d].%s = %q, want the error without the secret", i, k, s)
				}
				continue
			}
			if feeds[i][k] != v {
				t.Errorf("feeds[%d].%s = %#v, want %#v", i, k, feeds[i][k], v)
			}
		}
	}

	channels := list(t, got, "channels")
	var names []string
	for _, c := range channels {
		names = append(names, c["name"].(string))
	}
	if strings.Join(names, " ") != "out desk old-channel" {
		t.Fatalf("channels = %q, want the watchlist's in file order, then old-channel", names)
	}
	out0, desk, old := channels[0], channels[1], channels[2]
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"out.pending", out0["pending"], 2.0},
		{"out.due", out0["due"], 2.0},
		{"out.held", out0["held"], 0.0},
		{"out.next_retry", out0["next_retry"], rfc3339(f.retry)},
		{"out.last_error", out0["last_error"], "console: broken pipe"},
		{"out.next_digest", out0["next_digest"], nil},
		{"out.in_watchlist", out0["in_watchlist"], true},
		{"desk.pending", desk["pending"], 1.0},
		{"desk.held", desk["held"], 1.0},
		{"desk.next_retry", desk["next_retry"], nil},
		{"old-channel.pending", old["pending"], 1.0},
		{"old-channel.in_watchlist", old["in_watchlist"], false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	// Ages are measured against the clock when status runs: the oldest
	// pending alert of out was created 90 minutes before the fixture.
	elapsed := time.Since(f.now).Seconds()
	ages := []struct {
		name string
		ch   map[string]any
		want float64
	}{{"out", out0, 90 * 60}, {"desk", desk, 5 * 60}, {"old-channel", old, 60}}
	for _, a := range ages {
		age, ok := a.ch["oldest_pending_age_seconds"].(float64)
		if !ok || age < a.want || age > a.want+elapsed+1 {
			t.Errorf("%s.oldest_pending_age_seconds = %v, want %v (+%.0fs elapsed)", a.name, a.ch["oldest_pending_age_seconds"], a.want, elapsed)
		}
	}
	// The next 09:00 in Seoul after now.
	next, err := time.Parse(time.RFC3339, fmt.Sprint(desk["next_digest"]))
	if loc, _ := time.LoadLocation("Asia/Seoul"); err != nil || next.In(loc).Format("15:04") != "09:00" || !next.After(f.now) || next.Sub(f.now) > 24*time.Hour {
		t.Errorf("desk.next_digest = %v (%v), want the next 09:00 Asia/Seoul", desk["next_digest"], err)
	}
}

// TestStatusBesideWriter runs status while the daemon's store holds the
// file (writer lock and connection) and another connection is in the
// middle of a write transaction: status must answer at once from what is
// committed, and leave the file unchanged.
func TestStatusBesideWriter(t *testing.T) {
	f := newStatusFixture(t, statusWatchlist)
	u := url.URL{Scheme: "file", Path: f.state}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT OR REPLACE INTO feed_states (feed, url, failures, last_error) VALUES ('fresh', 'x', 9, 'uncommitted')`); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(f.state)
	if err != nil {
		t.Fatal(err)
	}

	e, out, errb := statusEnv(nil)
	start := time.Now()
	got := statusJSON(t, e, out, errb, "--config", f.config, "--state", f.state)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("status took %v beside a writer; it must not wait for the write lock", d)
	}
	feeds := list(t, got, "feeds")
	if len(feeds) != 3 || feeds[2]["name"] != "fresh" || feeds[2]["failures"] != 0.0 || feeds[2]["last_error"] != "" {
		t.Errorf("feeds = %v, want fresh as committed (never polled), not the uncommitted row", feeds)
	}
	if after, err := os.ReadFile(f.state); err != nil || !bytes.Equal(before, after) {
		t.Errorf("status changed the database file (err %v)", err)
	}
}

func TestStatusWatchlistProblems(t *testing.T) {
	slack := strings.Replace(statusWatchlist, "desk: {console: {}}", "desk: {slack: {channel: C0DESK}}", 1)
	tests := []struct {
		name      string
		watchlist string
		args      []string
		ok        bool
		errText   string   // in one of the errors
		feeds     []string // names listed, in order
	}{
		{"valid", statusWatchlist, nil, true, "", []string{"zeta", "alpha", "fresh"}},
		// The shell lacks the daemon's token: the check says so, and the
		// feeds still come from the watchlist, in its order.
		{"missing environment", slack, nil, false, "watchlist.yaml:8:", []string{"zeta", "alpha", "fresh"}},
		{"missing environment, --no-env", slack, []string{"--no-env"}, true, "", []string{"zeta", "alpha", "fresh"}},
		// A file that does not parse: the feeds come from the store.
		{"syntax error", statusWatchlist + "watches: [\n", nil, false, "watchlist.yaml:", []string{"alpha", "removed", "zeta"}},
		{"missing file", "", nil, false, "no such file", []string{"alpha", "removed", "zeta"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newStatusFixture(t, tc.watchlist)
			if tc.watchlist == "" {
				os.Remove(f.config)
			}
			e, out, errb := statusEnv(nil)
			got := statusJSON(t, e, out, errb, append([]string{"--config", f.config, "--state", f.state}, tc.args...)...)
			wl, _ := got["watchlist"].(map[string]any)
			errs, _ := wl["errors"].([]any)
			if wl["ok"] != tc.ok || (tc.ok != (len(errs) == 0)) {
				t.Fatalf("watchlist = %v, want ok %v", wl, tc.ok)
			}
			if tc.errText != "" && !strings.Contains(fmt.Sprint(errs), tc.errText) {
				t.Errorf("watchlist errors = %q, want one containing %q", errs, tc.errText)
			}
			if tc.ok && wl["env_checked"] != (len(tc.args) == 0) {
				t.Errorf("env_checked = %v with args %q", wl["env_checked"], tc.args)
			}
			var names []string
			for _, fs := range list(t, got, "feeds") {
				names = append(names, fs["name"].(string))
			}
			if strings.Join(names, " ") != strings.Join(tc.feeds, " ") {
				t.Errorf("feeds = %q, want %q", names, tc.feeds)
			}
		})
	}
}

func TestStatusText(t *testing.T) {
	f := newStatusFixture(t, statusWatchlist)
	e, out, errb := statusEnv(nil)
	if code := Main(t.Context(), []string{"status", "--config", f.config, "--state", f.state}, e); code != 0 {
		t.Fatalf("status exited %d; stderr:\n%s", code, errb)
	}
	text := out.String()
	for _, want := range []string{
		"newshound " + version + ", state: sqlite " + f.state + "\n",
		"feeds: 2 ok, 1 failing\n",
		"  zeta  https://news.example.com/rss?token=" + redact.Mark + "\n",
		"4 consecutive failure(s); last error: HTTP 503 from db ",
		"next poll at the next cycle",
		"pending: out 2, desk 1, old-channel (channel not in the watchlist) 1\n",
		"  out: 2 due, 0 held for a digest; oldest 1h30m old; next retry ",
		"; last error: console: broken pipe\n",
		"next digest: desk ",
		"watchlist: ok\n",
		"replicas alive: 2\n  web-1@host-a/41/abcd\n  web-1@host-a/42/efgh\n",
		"  channel:out held by web-1@host-a/42/efgh until ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("status output lacks %q:\n%s", want, text)
		}
	}
	for _, bad := range []string{dbSecret, "s3cr3t", "\x1b", "feed:zeta"} {
		if strings.Contains(text, bad) {
			t.Errorf("status output contains %q:\n%s", bad, text)
		}
	}
}

func TestStatusErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "watchlist.yaml")
	writeFile(t, cfg, statusWatchlist)
	missing := filepath.Join(dir, "missing.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing state", []string{"--config", cfg, "--state", missing}, 1, "missing.db"},
		{"bad flag", []string{"--bogus"}, 2, "bogus"},
		{"stray argument", []string{"--config", cfg, "extra"}, 2, "extra"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, out, errb := statusEnv(nil)
			code := Main(t.Context(), append([]string{"status"}, tc.args...), e)
			if code != tc.code || !strings.Contains(errb.String(), tc.want) || out.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and an error naming %q", code, out, errb, tc.code, tc.want)
			}
		})
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("status created the state file (stat err %v)", err)
	}
}

// TestRunRefusesSecondWriter: run on a state file another process writes
// stops at once, naming the holder's pid; status still reads the file.
func TestRunRefusesSecondWriter(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no writer lock on this system")
	}
	f := newStatusFixture(t, statusWatchlist) // holds the lock, as a daemon
	e, out, errb := statusEnv(nil)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	code := Main(ctx, []string{"run", "--once", "--config", f.config, "--state", f.state}, e)
	want := fmt.Sprintf("state file %s is in use by another newshound (pid %d)", f.state, os.Getpid())
	if code != 1 || !strings.Contains(errb.String(), want) {
		t.Errorf("second run: exit %d, stderr %q; want exit 1 and %q", code, errb, want)
	}
	if strings.Contains(out.String()+errb.String(), "cycle done") {
		t.Error("the second run polled feeds")
	}
	e, out, errb = statusEnv(nil)
	statusJSON(t, e, out, errb, "--config", f.config, "--state", f.state)
}
