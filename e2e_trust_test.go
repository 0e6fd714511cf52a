package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDaemonLeaksNoSecret runs the daemon with every kind of secret the
// bot knows, against fake platforms that echo them back in their errors,
// then asks for status over Slack and Discord, sends a malformed Discord
// interaction and reads /metrics: no log line, reply, metric or console
// output may carry any secret, and the daemon keeps running and exits 0.
func TestDaemonLeaksNoSecret(t *testing.T) {
	t.Parallel() // mostly waits on the daemon's real clocks: overlaps the other tests
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"SLACK_SIGNING_SECRET": "sig-SECRET-0123456789abcdef",
		"SLACK_BOT_TOKEN":      "xoxb-9999-8888-TRUSTbotTOKENvalue",
		"DISCORD_BOT_TOKEN":    "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GaBcDe.TRUSTdiscordTOKENabcdefghijklmnopq",
		"NEWSHOUND_API_TOKEN":  "nh-api-TOKEN-value-77",
		"DISCORD_HOOK_TOKEN":   "discord-hook-SECRET-token",
		"FEED_PASSWORD":        "feed-PASS-word",
	}
	// A fake Slack and a fake Discord that refuse everything, quoting
	// what they were sent: the URL, the Authorization header and a
	// secret they should never have seen.
	var mu sync.Mutex
	hits := map[string]int{}
	echo := func(platform string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			mu.Lock()
			hits[platform]++
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "chat.postMessage") {
				fmt.Fprintf(w, `{"ok":false,"error":"invalid_auth","echo":%q}`, r.Header.Get("Authorization")+" "+secrets["NEWSHOUND_API_TOKEN"])
				return
			}
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"message":"Unknown Webhook %s %s"}`, r.URL.String(), secrets["NEWSHOUND_API_TOKEN"])
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	slackFake, discordFake := echo("slack"), echo("discord")
	vars := map[string]string{
		"SLACK_HOOK":         slackFake.URL + "/services/T0/B0/slack-hook-SECRET-part",
		"DISCORD_HOOK":       discordFake.URL,
		"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub),
	}
	for k, v := range secrets {
		vars[k] = v
	}
	secretValues := []string{"slack-hook-SECRET-part"}
	for _, v := range secrets {
		secretValues = append(secretValues, v)
	}

	fs := newFeedServer(t)
	fs.set("/a.xml", item(1, "트럼프, 오픈소스 정책 발표"))
	feedURL := strings.Replace(fs.url("/a.xml"), "http://", "http://reader:${FEED_PASSWORD}@", 1)
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := filepath.Join(dir, "w.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
server: {listen: %q}
feeds: [{name: a, url: %q, interval: 200ms, backfill: 1}]
channels:
  out: {console: {}}
  slack-hook: {slack: {webhook_url: "${SLACK_HOOK}"}}
  slack-bot: {slack: {channel: "C1", api_url: %q}}
  discord-hook: {discord: {webhook_url: "${DISCORD_HOOK}/api/webhooks/1/${DISCORD_HOOK_TOKEN}"}}
watches:
  - {name: policy, keywords: [트럼프], channels: [out, slack-hook, slack-bot, discord-hook]}
`, addr, feedURL, slackFake.URL+"/api/"))

	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"run", "--config", cfg, "--state", filepath.Join(dir, "s.db"), "--log-level", "debug"}, env{
			tick:  testTick,
			stdin: strings.NewReader(""), stdout: stdout, stderr: stderr,
			lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
			environ: func() []string {
				return []string{"NEWSHOUND_API_TOKEN=" + secrets["NEWSHOUND_API_TOKEN"], "HOME=/nonexistent"}
			},
		})
	}()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("daemon exit %d\n%s", code, stderr.String())
			}
		case <-time.After(60 * time.Second):
			t.Error("daemon did not stop")
		}
	}
	defer stop()

	waitFor(t, "failed deliveries to every platform", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return hits["slack"] >= 2 && hits["discord"] >= 1
	})
	waitFor(t, "the listener", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})

	var replies []string
	slackCmd := func(text string) {
		body := url.Values{"text": {text}, "user_id": {"U1"}, "user_name": {"kim"}, "channel_id": {"C1"}, "command": {"/news"}}.Encode()
		ts := time.Now().Unix()
		req, _ := http.NewRequest("POST", "http://"+addr+"/slack/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Slack-Signature", signSlack(secrets["SLACK_SIGNING_SECRET"], ts, body))
		replies = append(replies, do(t, req, 200))
	}
	discordCmd := func(body string) {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest("POST", "http://"+addr+"/discord/interactions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body))))
		req.Header.Set("X-Signature-Timestamp", ts)
		replies = append(replies, do(t, req, 200))
	}
	for _, w := range []string{"status", "feeds", "list", "recent"} {
		slackCmd(w)
	}
	// "test" echoes its text: the reply must come back redacted.
	slackCmd("test 트럼프 " + secrets["SLACK_BOT_TOKEN"] + " " + secrets["FEED_PASSWORD"] + " " + secrets["NEWSHOUND_API_TOKEN"])
	if last := replies[len(replies)-1]; !strings.Contains(last, "REDACTED") {
		t.Errorf("test reply not redacted: %s", last)
	}
	const head = `{"type":2,"id":"3","application_id":"2","token":"t","channel_id":"C1","member":{"user":{"id":"U1","username":"kim"}},"data":{"id":"4","name":"news","type":1,"options":[`
	discordCmd(head + `{"name":"status","type":1}]}}`)
	discordCmd(head + `{"name":"feeds","type":1}]}}`)
	discordCmd(head + `{"name":"test","type":1,"options":[{"name":"text","type":3,"value":"트럼프 ` + secrets["DISCORD_BOT_TOKEN"] + `"}]}]}}`)
	discordCmd(head + `{"name":"","type":1}]}}`) // used to panic
	discordCmd(head + `null]}}`)
	if !strings.Contains(strings.Join(replies, "\n"), "Unknown command") {
		t.Errorf("malformed interactions were not refused:\n%s", strings.Join(replies, "\n"))
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/metrics", nil)
	metrics := do(t, req, 200)
	if !strings.Contains(metrics, "newshound_deliveries_total") {
		t.Errorf("metrics incomplete:\n%s", metrics)
	}
	req, _ = http.NewRequest("GET", "http://"+addr+"/healthz", nil)
	do(t, req, 200) // still up after the malformed interactions
	stop()

	logs := stderr.String()
	if !strings.Contains(logs, "REDACTED") {
		t.Errorf("nothing was redacted: the fakes' echoes did not reach the log?\n%s", logs)
	}
	for where, text := range map[string]string{"log": logs, "console": stdout.String(), "replies": strings.Join(replies, "\n"), "metrics": metrics} {
		for _, s := range secretValues {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the secret %q:\n%s", where, s, text)
			}
		}
	}
}

// do sends req and returns the body, failing unless the status is want.
func do(t *testing.T, req *http.Request, want int) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Errorf("%s %s: status %d, want %d: %s", req.Method, req.URL.Path, resp.StatusCode, want, b)
	}
	return string(b)
}
