package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/newshound/newshound/store/postgres"
)

// The tests in this file start the real newshound binary as several
// processes on one PostgreSQL schema. They take tens of seconds, so they
// run only when asked: scripts/replicas.sh runs them (see
// docs/replicas.md), with NEWSHOUND_REPLICAS=1 for the failover check and
// NEWSHOUND_REPLICAS_BENCH=1 for the scale-out figures. NEWSHOUND_BIN
// names the binary; without it the test builds one.

// slowHook is a webhook receiver that takes its time over each request,
// as a slow chat platform does. A request whose sender goes away before
// the answer (the sender was killed) is not accepted, as a platform does
// not act on a request it never finished reading; every accepted story
// is counted by title, so a duplicate shows.
type slowHook struct {
	delay time.Duration

	mu       sync.Mutex
	got      map[string]int // story title → times accepted
	accepted int            // requests answered 200
	aborted  int
	inFlight int
	last     time.Time // when the last story was accepted
	starts   []time.Time
	srv      *httptest.Server
}

func newSlowHook(t *testing.T, delay time.Duration) *slowHook {
	h := &slowHook{delay: delay, got: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *slowHook) serve(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Stories []struct{ Title string } `json:"stories"`
	}
	data, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(data, &body)
	}
	if err != nil {
		http.Error(w, "bad body", 400)
		return
	}
	h.mu.Lock()
	h.inFlight++
	h.starts = append(h.starts, time.Now())
	h.mu.Unlock()
	select {
	case <-time.After(h.delay):
	case <-r.Context().Done():
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inFlight--
	if r.Context().Err() != nil {
		h.aborted++
		return
	}
	for _, s := range body.Stories {
		h.got[s.Title]++
	}
	h.accepted++
	h.last = time.Now()
	w.WriteHeader(200)
}

func (h *slowHook) snapshot() (distinct, total, accepted, inFlight int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range h.got {
		total += n
	}
	return len(h.got), total, h.accepted, h.inFlight
}

// replicaBinary returns NEWSHOUND_BIN or builds the binary.
func replicaBinary(t *testing.T) string {
	if bin := os.Getenv("NEWSHOUND_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "newshound")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc is one replica process.
type proc struct {
	cmd    *exec.Cmd
	log    *syncBuffer
	addr   string
	config string
}

// startReplicas starts n replicas of bin, each with its own copy of the
// watchlist text and its own listener, all named "web" (so owners must
// differ by host, pid and random part).
func startReplicas(t *testing.T, bin string, n int, watchlist string, environ []string) []*proc {
	var ps []*proc
	for i := range n {
		dir := t.TempDir()
		path := filepath.Join(dir, "watchlist.yaml")
		if err := os.WriteFile(path, []byte(watchlist), 0o644); err != nil {
			t.Fatal(err)
		}
		p := &proc{log: &syncBuffer{}, addr: freeAddr(t), config: path}
		p.cmd = exec.Command(bin, "run", "--config", path, "--listen", p.addr, "--log-level", "info")
		p.cmd.Env = append(os.Environ(), append(environ, "NEWSHOUND_REPLICA=web")...)
		p.cmd.Stderr = p.log
		p.cmd.Stdout = p.log
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if p.cmd.ProcessState == nil {
				_ = p.cmd.Process.Signal(syscall.SIGTERM)
				done := make(chan struct{})
				go func() { _ = p.cmd.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(15 * time.Second):
					_ = p.cmd.Process.Kill()
					<-done
				}
			}
		})
		ps = append(ps, p)
		if i == 0 {
			// The first replica seeds the database; the others start on it.
			waitForT(t, 60*time.Second, "the first replica to seed the watchlist", func() bool {
				return strings.Contains(p.log.String(), "watchlist seeded")
			})
		}
	}
	for _, p := range ps {
		waitForT(t, 60*time.Second, "replica listener "+p.addr, func() bool {
			resp, err := http.Get("http://" + p.addr + "/healthz")
			if err == nil {
				resp.Body.Close()
			}
			return err == nil
		})
	}
	return ps
}

// waitForT polls cond until it holds or d passes.
func waitForT(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var ownerPid = regexp.MustCompile(`/(\d+)/[a-z0-9]+$`)

// TestReplicasFailover is the check of docs/replicas.md: three replicas,
// 60 alerts pending on a slow channel, the replica holding the channel's
// lease SIGKILLed mid-send; every alert must arrive exactly once, the last
// within 60 s of the kill. Then a /news add sent to one replica must be
// live on the others within 10 s, its new matching item delivered once.
func TestReplicasFailover(t *testing.T) {
	if os.Getenv("NEWSHOUND_REPLICAS") == "" {
		t.Skip("multi-process failover check: run scripts/replicas.sh (or set NEWSHOUND_REPLICAS=1)")
	}
	bin := replicaBinary(t)
	dsn := pgSchema(t)
	const alerts = 60
	fs := newFeedServer(t)
	fs.set("/wire.xml")
	hook := newSlowHook(t, 3*time.Second)
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	watchlist := fmt.Sprintf(`# 세 복제본이 공유하는 워치리스트
store: {postgres: "${DATABASE_URL}"}
feeds:
  - {name: wire, url: %q, interval: 1s}
channels:
  hook: {webhook: {url: "${HOOK_URL}", secret: "${HOOK_SECRET}"}}
watches:
  - name: policy
    keywords: [속보]
    channels: [hook]
`, fs.url("/wire.xml"))
	environ := []string{"DATABASE_URL=" + dsn, "HOOK_URL=" + hook.srv.URL, "HOOK_SECRET=s3cr3t-hook-key", "SLACK_SIGNING_SECRET=" + secret}
	ps := startReplicas(t, bin, 3, watchlist, environ)
	st, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// Owners: one per process, all distinct although every replica has
	// the same NEWSHOUND_REPLICA on the same host.
	var owners []string
	waitForT(t, 30*time.Second, "three replicas in the leases", func() bool {
		hs, err := st.Holders(t.Context(), time.Time{})
		if err != nil {
			return false
		}
		owners = owners[:0]
		for _, h := range hs {
			if name, ok := strings.CutPrefix(h.Name, "replica:"); ok {
				owners = append(owners, name)
			}
		}
		return len(owners) == 3
	})
	if len(slices.Compact(slices.Sorted(slices.Values(owners)))) != 3 {
		t.Fatalf("owners not distinct: %q", owners)
	}
	t.Logf("owners: %q", owners)
	status := exec.Command(bin, "status", "--config", ps[0].config)
	status.Env = append(os.Environ(), environ...)
	out, err := status.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "replicas alive: 3") {
		t.Errorf("status: %v\n%s", err, out)
	}
	t.Logf("status:\n%s", out)
	waitForT(t, 30*time.Second, "the first poll", func() bool {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		return fs.requests["/wire.xml"] > 1
	})

	var items []rssItem
	for i := range alerts {
		items = append(items, item(1000+i, fmt.Sprintf("속보 %02d: 기사 제목 %d번", i, i*7919%1000)))
	}
	fs.set("/wire.xml", items...)
	// Mid-send: the first part has been accepted and the second is being
	// received (60 alerts travel as parts of 50 and 10).
	waitForT(t, 60*time.Second, "the second part in flight", func() bool {
		_, _, acc, inflight := hook.snapshot()
		return acc >= 1 && inflight >= 1
	})
	hs, err := st.Holders(t.Context(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var victim *proc
	for _, h := range hs {
		if h.Name != "channel:hook" {
			continue
		}
		m := ownerPid.FindStringSubmatch(h.Owner)
		if m == nil {
			t.Fatalf("owner %q has no pid", h.Owner)
		}
		pid, _ := strconv.Atoi(m[1])
		for _, p := range ps {
			if p.cmd.Process.Pid == pid {
				victim = p
			}
		}
	}
	if victim == nil {
		t.Fatalf("no replica holds channel:hook: %+v", hs)
	}
	killed := time.Now()
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = victim.cmd.Wait()
	t.Logf("SIGKILLed %s (pid %d) while it sent the second part", victim.addr, victim.cmd.Process.Pid)

	waitForT(t, 90*time.Second, "every alert", func() bool {
		d, _, _, _ := hook.snapshot()
		return d == alerts
	})
	time.Sleep(4 * time.Second) // a duplicate send would be under way by now
	hook.mu.Lock()
	last := hook.last
	var resumed time.Time
	for _, s := range hook.starts {
		if s.After(killed) {
			resumed = s
			break
		}
	}
	dups := 0
	for title, n := range hook.got {
		if n != 1 {
			dups++
			t.Errorf("%q accepted %d times", title, n)
		}
	}
	aborted := hook.aborted
	hook.mu.Unlock()
	t.Logf("FAILOVER: %d alerts, %d duplicates, %d request(s) cut off by the kill; sending resumed %.1fs after the kill, last alert accepted %.1fs after it",
		alerts, dups, aborted, resumed.Sub(killed).Seconds(), last.Sub(killed).Seconds())
	var sum, count float64
	for _, p := range ps {
		if p != victim {
			sum += scrape(t, p.addr, "newshound_delivery_unrecorded_seconds_sum")
			count += scrape(t, p.addr, "newshound_delivery_unrecorded_seconds_count")
		}
	}
	if count > 0 {
		t.Logf("DUPLICATE WINDOW: platform accepted → recorded as sent took %.2f ms on average over %.0f part(s)", 1000*sum/count, count)
	}
	if last.Sub(killed) > 60*time.Second {
		t.Errorf("the last alert arrived %s after the kill, want within 60 s", last.Sub(killed))
	}

	// A /news add sent to one surviving replica is live on the other.
	var alive []*proc
	for _, p := range ps {
		if p != victim {
			alive = append(alive, p)
		}
	}
	before := strings.Count(alive[1].log.String(), "watchlist applied")
	form := url.Values{"text": {"add 단독 to policy"}, "user_id": {"U1"}, "user_name": {"kim"}, "channel_id": {"C1"}, "channel_name": {"news"}, "command": {"/news"}}
	body := form.Encode()
	ts := time.Now().Unix()
	req, _ := http.NewRequest("POST", "http://"+alive[0].addr+"/slack/commands", strings.NewReader(body))
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
	waitForT(t, 10*time.Second, "the other replica to apply the /news add", func() bool {
		return strings.Count(alive[1].log.String(), "watchlist applied") > before
	})
	t.Logf("WATCHLIST: /news add on one replica applied on another %.3fs after it was sent", time.Since(sent).Seconds())
	fs.set("/wire.xml", append(items, item(2000, "단독: 새 키워드 기사"))...)
	waitForT(t, 30*time.Second, "the alert on the added keyword", func() bool {
		hook.mu.Lock()
		defer hook.mu.Unlock()
		return hook.got["단독: 새 키워드 기사"] > 0
	})
	time.Sleep(4 * time.Second)
	hook.mu.Lock()
	if n := hook.got["단독: 새 키워드 기사"]; n != 1 {
		t.Errorf("the new item was accepted %d times, want once", n)
	}
	hook.mu.Unlock()
}

// TestReplicasScaleOut measures 1 and 3 replicas on one database with the
// same feeds: the time from publishing a burst of items to the last alert
// delivered (one pass), deliveries per second, and the statements the
// replicas sent to the database per second of the daemon's 1 s tick,
// while idle and during the burst. The figures are logged as a table.
func TestReplicasScaleOut(t *testing.T) {
	if os.Getenv("NEWSHOUND_REPLICAS_BENCH") == "" {
		t.Skip("scale-out figures: run scripts/replicas.sh bench (or set NEWSHOUND_REPLICAS_BENCH=1)")
	}
	bin := replicaBinary(t)
	const feedsN, perFeed, channelsN = 20, 25, 4
	var rows, idle []string
	for _, n := range []int{1, 3} {
		rows = append(rows, scaleOnce(t, bin, n, feedsN, perFeed, channelsN))
	}
	for _, n := range []int{1, 3} {
		idle = append(idle, idleOnce(t, bin, n, 200, 10))
	}
	t.Logf("SCALE-OUT (%d feeds polled every second, %d new items each, %d channels, every item to every channel):\n| replicas | burst delivered in | deliveries/s | DB statements per 1 s tick (all replicas) | DB statements for the burst |\n|---|---|---|---|---|\n%s",
		feedsN, perFeed, channelsN, strings.Join(rows, "\n"))
	t.Logf("IDLE LOAD (200 feeds polled every 10 minutes, 10 channels, nothing due):\n| replicas | DB statements per 1 s tick (all replicas) |\n|---|---|\n%s", strings.Join(idle, "\n"))
}

// idleOnce measures the statements replicas send while nothing is due:
// feeds polled once and not due again for 10 minutes.
func idleOnce(t *testing.T, bin string, replicas, feedsN, channelsN int) string {
	dsn := pgSchema(t)
	fs := newFeedServer(t)
	var b strings.Builder
	b.WriteString("store: {postgres: \"${DATABASE_URL}\"}\nfeeds:\n")
	for f := range feedsN {
		path := fmt.Sprintf("/i%03d.xml", f)
		fs.set(path, item(f, "뉴스 하나"))
		fmt.Fprintf(&b, "  - {name: i%03d, url: %q, interval: 10m}\n", f, fs.url(path))
	}
	hook := newSlowHook(t, 0)
	b.WriteString("channels:\n")
	var chans []string
	for c := range channelsN {
		fmt.Fprintf(&b, "  c%d: {webhook: {url: \"${HOOK_URL}\", secret: \"${HOOK_SECRET}\"}}\n", c)
		chans = append(chans, fmt.Sprintf("c%d", c))
	}
	fmt.Fprintf(&b, "watches:\n  - {name: all, keywords: [뉴스], channels: [%s]}\n", strings.Join(chans, ", "))
	ps := startReplicas(t, bin, replicas, b.String(), []string{"DATABASE_URL=" + dsn, "HOOK_URL=" + hook.srv.URL, "HOOK_SECRET=k"})
	waitForT(t, 60*time.Second, "every feed polled", func() bool {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		for f := range feedsN {
			if fs.requests[fmt.Sprintf("/i%03d.xml", f)] < 1 {
				return false
			}
		}
		return true
	})
	time.Sleep(3 * time.Second) // let the last polls finish
	queries := func() float64 {
		var sum float64
		for _, p := range ps {
			sum += scrape(t, p.addr, "newshound_store_queries_total")
		}
		return sum
	}
	q0, t0 := queries(), time.Now()
	time.Sleep(15 * time.Second)
	return fmt.Sprintf("| %d | %.1f |", replicas, (queries()-q0)/time.Since(t0).Seconds())
}

func scaleOnce(t *testing.T, bin string, replicas, feedsN, perFeed, channelsN int) string {
	dsn := pgSchema(t)
	fs := newFeedServer(t)
	var b strings.Builder
	b.WriteString("store: {postgres: \"${DATABASE_URL}\"}\nfeeds:\n")
	for f := range feedsN {
		path := fmt.Sprintf("/f%02d.xml", f)
		fs.set(path)
		fmt.Fprintf(&b, "  - {name: f%02d, url: %q, interval: 1s}\n", f, fs.url(path))
	}
	hook := newSlowHook(t, 0)
	b.WriteString("channels:\n")
	var chans []string
	for c := range channelsN {
		fmt.Fprintf(&b, "  c%d: {webhook: {url: \"${HOOK_URL}\", secret: \"${HOOK_SECRET}\"}}\n", c)
		chans = append(chans, fmt.Sprintf("c%d", c))
	}
	fmt.Fprintf(&b, "watches:\n  - {name: all, keywords: [뉴스], channels: [%s]}\n", strings.Join(chans, ", "))
	ps := startReplicas(t, bin, replicas, b.String(), []string{"DATABASE_URL=" + dsn, "HOOK_URL=" + hook.srv.URL, "HOOK_SECRET=k"})
	queries := func() float64 {
		var sum float64
		for _, p := range ps {
			sum += scrape(t, p.addr, "newshound_store_queries_total")
		}
		return sum
	}
	waitForT(t, 60*time.Second, "every feed polled", func() bool {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		for f := range feedsN {
			if fs.requests[fmt.Sprintf("/f%02d.xml", f)] < 2 {
				return false
			}
		}
		return true
	})
	q0, t0 := queries(), time.Now()
	time.Sleep(10 * time.Second)
	idle := (queries() - q0) / time.Since(t0).Seconds()

	q1 := queries()
	start := time.Now()
	for f := range feedsN {
		var items []rssItem
		for i := range perFeed {
			items = append(items, item(f*1000+i, fmt.Sprintf("뉴스 %02d-%03d 경제 동향", f, i)))
		}
		fs.set(fmt.Sprintf("/f%02d.xml", f), items...)
	}
	total := feedsN * perFeed * channelsN
	// Stories are counted by title per channel: the hook counts titles, so
	// each title arrives once per channel.
	waitForT(t, 5*time.Minute, "every alert", func() bool {
		_, n, _, _ := hook.snapshot()
		return n >= total
	})
	took := time.Since(start)
	burst := queries() - q1
	_, n, _, _ := hook.snapshot()
	if n != total {
		t.Errorf("%d replicas: %d stories delivered, want %d", replicas, n, total)
	}
	return fmt.Sprintf("| %d | %.2f s | %.0f | %.1f | %.0f (%.2f per delivery) |",
		replicas, took.Seconds(), float64(total)/took.Seconds(), idle, burst, burst/float64(total))
}

// scrape reads one counter from a replica's /metrics.
func scrape(t *testing.T, addr, name string) float64 {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("%s: no %s", addr, name)
	return 0
}
