package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/webhook"
)

// hookRequest is one request a webhook receiver got.
type hookRequest struct {
	header http.Header
	body   []byte
}

// TestRunOnceDeliversToWebhook runs the real CLI against a local webhook
// receiver that answers the first request with a 429: the item arrives
// exactly once, signed and verifiable, after the Retry-After is waited
// out, and a later run sends nothing.
func TestRunOnceDeliversToWebhook(t *testing.T) {
	t.Parallel() // mostly waits on the daemon's real clocks: overlaps the other tests
	const hookSecret = "e2e-hook-secret-5a6b"
	var (
		mu   sync.Mutex
		got  []hookRequest
		fail = 1
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, hookRequest{r.Header.Clone(), b})
		if fail > 0 {
			fail--
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	fs := newFeedServer(t)
	fs.set("/a.xml")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "w.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
feeds: [{name: a, url: %q}]
channels:
  ops: {webhook: {url: "${HOOK_URL}", secret: "${HOOK_SECRET}"}}
watches:
  - {name: policy, keywords: [오픈소스], channels: [ops]}
`, fs.url("/a.xml")))
	lookup := func(k string) (string, bool) {
		switch k {
		case "HOOK_URL":
			return srv.URL + "/hook/path-token-77", true
		case "HOOK_SECRET":
			return hookSecret, true
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
	fs.set("/a.xml", item(2, "오픈소스 재단, 서울에 아시아 본부"))
	start := time.Now()
	code, logs := run()
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, logs)
	}
	if time.Since(start) < time.Second {
		t.Errorf("the 429 with Retry-After: 1 was not waited out")
	}
	for _, s := range []string{hookSecret, "path-token-77"} {
		if strings.Contains(logs, s) {
			t.Errorf("log leaks the secret %q:\n%s", s, logs)
		}
	}
	mu.Lock()
	reqs := append([]hookRequest(nil), got...)
	mu.Unlock()
	if len(reqs) != 2 {
		t.Fatalf("receiver got %d requests, want the 429 and one delivery", len(reqs))
	}
	if k0, k1 := reqs[0].header.Get("Idempotency-Key"), reqs[1].header.Get("Idempotency-Key"); k0 == "" || k0 != k1 {
		t.Errorf("Idempotency-Key %q then %q across the retry, want one stable key", k0, k1)
	}
	r := reqs[1]
	ts := r.header.Get("X-Newshound-Timestamp")
	if sig := r.header.Get("X-Newshound-Signature"); sig != webhook.Sign(hookSecret, ts, r.body) {
		t.Errorf("signature %q does not verify over timestamp %q and the body", sig, ts)
	}
	var b webhook.Body
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("body: %v", err)
	}
	if b.Version != 1 || b.Kind != "alert" || b.Channel != "ops" || len(b.Stories) != 1 {
		t.Fatalf("body = %+v, want a version 1 alert of one story to ops", b)
	}
	if s := b.Stories[0]; s.Watch != "policy" || s.Title != "오픈소스 재단, 서울에 아시아 본부" ||
		s.Link != "https://news.example/article/2?utm_source=rss" || len(s.MatchedTerms) == 0 {
		t.Errorf("story = %+v", s)
	}

	if code, logs := run(); code != 0 {
		t.Fatalf("third run: exit %d\n%s", code, logs)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Errorf("third run delivered again: %d requests", len(got))
	}
}
