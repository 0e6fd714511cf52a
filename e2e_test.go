package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the daemon and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func signSlack(secret string, ts int64, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestSlackCommandEditsWatchlistAndAlertsLive drives the daemon as a team
// would: a signed "/news add 반도체 to ai-policy" edits the file in place
// (comments kept) and the next poll alerts on 반도체 without a restart.
func TestSlackCommandEditsWatchlistAndAlertsLive(t *testing.T) {
	t.Parallel() // mostly waits on the daemon's real clocks: overlaps the other tests
	fs := newFeedServer(t)
	fs.set("/it.xml", item(1, "반도체 업황 회복"))
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "watchlist.yaml")
	addr := freeAddr(t)
	original := fmt.Sprintf(`# 팀 워치리스트: 손으로 고쳐도 됩니다.
server: {listen: %q}

feeds:
  # 연합뉴스 산업
  - name: it
    url: %s
    interval: 200ms   # 테스트용으로 짧게

channels:
  terminal:
    console: {}   # 터미널에 출력

watches:
  - name: ai-policy
    keywords:
      - 오픈소스   # 기본 키워드
    channels: [terminal]
# 끝
`, addr, fs.url("/it.xml"))
	writeFile(t, cfgPath, original)

	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	stdout := &syncBuffer{}
	stderr := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"run", "--config", cfgPath, "--state", filepath.Join(dir, "s.db")}, env{
			tick:  testTick,
			stdin: strings.NewReader(""), stdout: stdout, stderr: stderr,
			lookup: func(k string) (string, bool) {
				if k == "SLACK_SIGNING_SECRET" {
					return secret, true
				}
				return "", false
			},
		})
	}()
	defer func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("daemon exit %d\n%s", code, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("daemon did not stop")
		}
	}()
	waitFor(t, "the first poll", func() bool {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		return fs.requests["/it.xml"] > 0
	})
	waitFor(t, "the listener", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	post := func(text string, ts int64, sig string) (int, string) {
		form := url.Values{"text": {text}, "user_id": {"U1"}, "user_name": {"kim"}, "channel_id": {"C1"}, "channel_name": {"policy"}, "command": {"/news"}}
		body := form.Encode()
		req, _ := http.NewRequest("POST", "http://"+addr+"/slack/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		if sig == "" {
			sig = signSlack(secret, ts, body)
		}
		req.Header.Set("X-Slack-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	now := time.Now().Unix()
	if code, _ := post("add 반도체 to ai-policy", now, "v0=deadbeef"); code != http.StatusUnauthorized {
		t.Fatalf("forged signature: status %d, want 401", code)
	}
	if code, _ := post("add 반도체 to ai-policy", now-600, ""); code != http.StatusUnauthorized {
		t.Fatalf("stale signature: status %d, want 401", code)
	}
	if data, _ := os.ReadFile(cfgPath); string(data) != original {
		t.Fatalf("a refused request changed the file")
	}
	code, body := post("list", now, "")
	if code != 200 || !strings.Contains(body, "ai-policy") {
		t.Fatalf("signed list: %d %s", code, body)
	}
	code, body = post("add 반도체 to ai-policy", now, "")
	if code != 200 {
		t.Fatalf("signed add: %d %s", code, body)
	}
	data, _ := os.ReadFile(cfgPath)
	edited := string(data)
	for _, line := range strings.Split(original, "\n") {
		if !strings.Contains(edited, line) {
			t.Errorf("original line lost: %q\n%s", line, edited)
		}
	}
	if !strings.Contains(edited, "반도체") {
		t.Fatalf("keyword not written:\n%s\nreply: %s\nlog: %s", edited, body, stderr.String())
	}

	// The old 반도체 item is not re-alerted; a new one is, at the next poll.
	fs.set("/it.xml", item(1, "반도체 업황 회복"), item(2, "정부, 반도체 특별법 처리 촉구"))
	waitFor(t, "the alert on the new keyword", func() bool { return strings.Contains(stdout.String(), "반도체 특별법") })
	time.Sleep(1500 * time.Millisecond)
	out := stdout.String()
	if strings.Contains(out, "반도체 업황 회복") {
		t.Errorf("an old item was alerted after the edit:\n%s", out)
	}
	if n := strings.Count(out, "정부, 반도체 특별법 처리 촉구"); n != 1 {
		t.Errorf("new item alerted %d times, want 1:\n%s", n, out)
	}

	// A hand edit that breaks the file keeps the last good config running.
	broken := strings.Replace(edited, "channels: [terminal]", "channels: [nowhere]", 1)
	writeFile(t, cfgPath, broken)
	waitFor(t, "the reload error in the log", func() bool { return strings.Contains(stderr.String(), "unknown channel") })
	fs.set("/it.xml", item(1, "반도체 업황 회복"), item(2, "정부, 반도체 특별법 처리 촉구"), item(3, "오픈소스 재단 한국 지부 출범"))
	waitFor(t, "alerts to keep flowing", func() bool { return strings.Contains(stdout.String(), "오픈소스 재단 한국 지부 출범") })
	code, body = post("status", now, "")
	if code != 200 || !strings.Contains(body, "broken") && !strings.Contains(body, "watchlist.yaml:") {
		t.Errorf("status does not show the broken watchlist: %d %s", code, body)
	}

	// A valid hand edit applies live: a new keyword alerts at the next poll.
	fixed := strings.Replace(edited, "      - 오픈소스   # 기본 키워드", "      - 오픈소스   # 기본 키워드\n      - 엔비디아", 1)
	// Items seen before an edit applies are not alerted after it, so the
	// new item is published only once the reload is in the log.
	applied := strings.Count(stderr.String(), "watchlist applied")
	writeFile(t, cfgPath, fixed)
	waitFor(t, "the hand edit to apply", func() bool { return strings.Count(stderr.String(), "watchlist applied") > applied })
	fs.set("/it.xml", item(1, "반도체 업황 회복"), item(2, "정부, 반도체 특별법 처리 촉구"), item(3, "오픈소스 재단 한국 지부 출범"), item(4, "엔비디아 신형 GPU 공개"))
	waitFor(t, "the alert on the hand-added keyword", func() bool { return strings.Contains(stdout.String(), "엔비디아 신형 GPU 공개") })

	// The console prints an alert before the delivery is recorded and
	// counted, so the count is waited for, not read once.
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/metrics": `newshound_deliveries_total{channel="terminal",result="sent"} 3`,
	} {
		var code int
		var b []byte
		get := func() bool {
			resp, err := http.Get("http://" + addr + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			code = resp.StatusCode
			return code == 200 && strings.Contains(string(b), want)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !get() && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if code != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d, want %q in:\n%.2000s", path, code, want, b)
		}
	}
}
