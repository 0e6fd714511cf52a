package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/store/sqlite"
)

// receiver records the JSON bodies posted to it; the first `fail`
// requests get 429 with Retry-After: 1.
type receiver struct {
	mu     sync.Mutex
	bodies []map[string]any
	times  []time.Time
	fail   int
	srv    *httptest.Server
}

func newReceiver(t *testing.T, fail int, ok func(w http.ResponseWriter)) *receiver {
	r := &receiver{fail: fail}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.times = append(r.times, time.Now())
		if r.fail > 0 {
			r.fail--
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":1,"global":false}`)
			return
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("receiver got non-JSON body: %s", b)
		}
		r.bodies = append(r.bodies, m)
		ok(w)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(r.bodies)
	return b.String()
}

// TestRunOnceDeliversToSlackAndDiscordWebhooks runs the real CLI against
// local webhook receivers: each item arrives once, a hostile title cannot
// ping, and a 429 is waited out rather than dropped.
func TestRunOnceDeliversToSlackAndDiscordWebhooks(t *testing.T) {
	t.Parallel() // mostly waits on the daemon's real clocks: overlaps the other tests
	slackRx := newReceiver(t, 1, func(w http.ResponseWriter) { fmt.Fprint(w, "ok") })
	discordRx := newReceiver(t, 1, func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"1","channel_id":"2","content":"","embeds":[]}`)
	})
	fs := newFeedServer(t)
	fs.set("/a.xml")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "w.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
feeds: [{name: a, url: %q}]
channels:
  team-slack: {slack: {webhook_url: "${SLACK_HOOK}"}}
  team-discord: {discord: {webhook_url: "${DISCORD_HOOK}/api/webhooks/1/secret-token"}}
watches:
  - {name: policy, keywords: [트럼프, 오픈소스], channels: [team-slack, team-discord]}
`, fs.url("/a.xml")))
	lookup := func(k string) (string, bool) {
		switch k {
		case "SLACK_HOOK":
			return slackRx.srv.URL + "/services/T0/B0/slack-secret", true
		case "DISCORD_HOOK":
			return discordRx.srv.URL, true
		}
		return "", false
	}
	run := func() (int, string) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), []string{"run", "--once", "--config", cfg, "--state", filepath.Join(dir, "s.db")},
			env{tick: testTick, stdin: strings.NewReader(""), stdout: &out, stderr: &errb, lookup: lookup})
		return code, errb.String()
	}
	if code, logs := run(); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, logs)
	}
	fs.set("/a.xml", item(1, html.EscapeString("<!channel> @everyone 트럼프 **속보** <https://evil.example|click>")), item(2, "오픈소스 재단, 서울에 아시아 본부"))
	start := time.Now()
	code, logs := run()
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, logs)
	}
	if time.Since(start) < time.Second {
		t.Errorf("the 429 with Retry-After: 1 was not waited out")
	}
	for _, secret := range []string{"slack-secret", "secret-token"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log leaks the webhook secret %q:\n%s", secret, logs)
		}
	}

	slack := slackRx.text()
	if n := strings.Count(slack, "https://news.example/article/2?utm_source=rss"); n != 1 {
		t.Errorf("slack: link of item 2 appears %d times, want 1: %s", n, slack)
	}
	if strings.Contains(slack, "<!channel>") || !strings.Contains(slack, "&lt;!channel&gt;") {
		t.Errorf("slack: hostile title not escaped: %s", slack)
	}
	discord := discordRx.text()
	if !strings.Contains(discord, `"allowed_mentions":{"parse":[]`) {
		t.Errorf("discord: allowed_mentions.parse not empty: %s", discord)
	}
	if strings.Contains(discord, "@everyone ") {
		t.Errorf("discord: @everyone not defused: %s", discord)
	}
	if n := strings.Count(discord, "오픈소스 재단, 서울에 아시아 본부"); n != 1 {
		t.Errorf("discord: title of item 2 appears %d times, want 1: %s", n, discord)
	}

	// Nothing is sent again.
	slackN, discordN := len(slackRx.bodies), len(discordRx.bodies)
	if code, logs := run(); code != 0 {
		t.Fatalf("third run: exit %d\n%s", code, logs)
	}
	if len(slackRx.bodies) != slackN || len(discordRx.bodies) != discordN {
		t.Errorf("third run delivered again")
	}
}

// TestDiscordInteractionsThroughDaemon signs requests with a key made in
// the test and sends them to the daemon's /discord/interactions.
func TestDiscordInteractionsThroughDaemon(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := filepath.Join(dir, "w.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
server: {listen: %q}
feeds: []
channels: {out: {console: {}}}
watches:
  - {name: ai-policy, keywords: [오픈소스], channels: [out]}
`, addr))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		done <- Main(ctx, []string{"run", "--config", cfg, "--state", filepath.Join(dir, "s.db")}, env{
			tick:  testTick,
			stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr,
			lookup: func(k string) (string, bool) {
				if k == "DISCORD_PUBLIC_KEY" {
					return hex.EncodeToString(pub), true
				}
				return "", false
			},
		})
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("daemon exit %d\n%s", code, stderr.String())
		}
	}()
	waitFor(t, "the listener", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	send := func(body string, key ed25519.PrivateKey) (int, string) {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := ed25519.Sign(key, []byte(ts+body))
		req, _ := http.NewRequest("POST", "http://"+addr+"/discord/interactions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
		req.Header.Set("X-Signature-Timestamp", ts)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := send(`{"type":1,"id":"1","application_id":"2","token":"t"}`, priv); code != 200 || !strings.Contains(body, `"type":1`) {
		t.Errorf("signed PING: %d %s", code, body)
	}
	list := `{"type":2,"id":"3","application_id":"2","token":"t","channel_id":"C1","member":{"user":{"id":"U1","username":"kim"}},"data":{"id":"4","name":"news","type":1,"options":[{"name":"list","type":1}]}}`
	if code, body := send(list, priv); code != 200 || !strings.Contains(body, `"type":4`) || !strings.Contains(body, "ai-policy") {
		t.Errorf("signed /news list: %d %s", code, body)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	if code, _ := send(list, other); code != http.StatusUnauthorized {
		t.Errorf("forged signature: %d, want 401", code)
	}
}

// TestStopFinishesInFlightDelivery stops the daemon while a Slack post is
// in flight: the post completes, is recorded as sent, and a restart does
// not send it again.
func TestStopFinishesInFlightDelivery(t *testing.T) {
	t.Parallel() // mostly waits on the daemon's real clocks: overlaps the other tests
	started := make(chan struct{}, 4)
	var mu sync.Mutex
	posts := 0
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		posts++
		mu.Unlock()
		started <- struct{}{}
		time.Sleep(1500 * time.Millisecond)
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(rx.Close)
	fs := newFeedServer(t)
	fs.set("/a.xml", item(1, "트럼프, 반도체 관세 예고"))
	dir := t.TempDir()
	cfg := filepath.Join(dir, "w.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
feeds: [{name: a, url: %q, backfill: 1}]
channels: {desk: {slack: {webhook_url: %q}}}
watches: [{name: w, keywords: [트럼프], channels: [desk]}]
`, fs.url("/a.xml"), rx.URL+"/hook"))
	state := filepath.Join(dir, "s.db")
	e := env{tick: testTick, stdin: strings.NewReader(""), stdout: io.Discard, stderr: &syncBuffer{}, lookup: func(string) (string, bool) { return "", false }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- Main(ctx, []string{"run", "--config", cfg, "--state", state}, e) }()
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		t.Fatal("the daemon never posted")
	}
	cancel() // SIGTERM while the post is in flight
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the daemon did not stop")
	}
	if code, _ := func() (int, string) {
		return Main(context.Background(), []string{"run", "--once", "--config", cfg, "--state", state}, e), ""
	}(); code != 0 {
		t.Fatalf("restart: exit %d", code)
	}
	mu.Lock()
	defer mu.Unlock()
	if posts != 1 {
		t.Errorf("the alert was posted %d times across the stop and restart, want 1", posts)
	}
	st, err := sqlite.Open(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if pend, err := st.PendingAll(context.Background(), ""); err != nil || len(pend) != 0 {
		t.Errorf("after the stop the accepted alert is still pending (%v): %+v", err, pend)
	}
}
