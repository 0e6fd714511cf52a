package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMuteStoryButtons: an alert posted to a Slack bot-token channel and
// a Discord bot channel carries Mute story / Not relevant / Mute watch
// buttons; a signed Slack block action and a signed Discord component
// interaction for Mute story, sent to the daemon, stop further edits of
// the story in each channel, while unsigned and forged clicks are refused
// with 401 and change nothing.
func TestMuteStoryButtons(t *testing.T) {
	t.Parallel()
	replies := make(chan string, 8) // Slack response_url posts
	sl := newPlatform(t, func(w http.ResponseWriter, c call) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(c.path, "/respond"):
			replies <- string(c.body)
			fmt.Fprint(w, `{"ok":true}`)
		case strings.HasSuffix(c.path, "/chat.postMessage"), strings.HasSuffix(c.path, "/chat.update"):
			fmt.Fprint(w, `{"ok":true,"channel":"C0123","ts":"1700000000.000100"}`)
		default:
			fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
		}
	})
	dc := newPlatform(t, func(w http.ResponseWriter, c call) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"900800700","channel_id":"555"}`)
	})
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "slack-signing-secret"
	fs, feedsBlock := threeOutlets(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg, state := filepath.Join(dir, "w.yaml"), filepath.Join(dir, "s.db")
	writeFile(t, cfg, feedsBlock+fmt.Sprintf(`server: {listen: %q}
channels:
  desk: {slack: {channel: C0123, api_url: %q}}
  floor: {discord: {channel_id: "555", api_url: %q}}
watches:
  - {name: chips, keywords: [반도체], channels: [desk, floor]}
`, addr, sl.srv.URL+"/api/", dc.srv.URL+"/api/v9"))
	lookup := func(k string) (string, bool) {
		switch k {
		case "SLACK_BOT_TOKEN":
			return "xoxb-test", true
		case "SLACK_SIGNING_SECRET":
			return secret, true
		case "DISCORD_BOT_TOKEN":
			return "MTA5.test.token", true
		case "DISCORD_PUBLIC_KEY":
			return hex.EncodeToString(pub), true
		}
		return "", false
	}
	livingRun(t, cfg, state, lookup)
	fs.set("/yna.xml", item(1, storyCopies[0]))
	livingRun(t, cfg, state, lookup)

	// The alert's buttons, as each platform got them.
	posts := sl.matching("POST", "/chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("slack: %d posts, want 1", len(posts))
	}
	form, _ := url.ParseQuery(string(posts[0].body))
	muteValue := regexp.MustCompile(`nh1:ms:[0-9]+`).FindString(form.Get("blocks"))
	if muteValue == "" || !strings.Contains(form.Get("blocks"), "Not relevant") || !strings.Contains(form.Get("blocks"), "Mute watch 1h") {
		t.Fatalf("slack alert lacks its buttons: %s", form.Get("blocks"))
	}
	dposts := dc.matching("POST", "/channels/555/messages")
	if len(dposts) != 1 {
		t.Fatalf("discord: %d posts, want 1", len(dposts))
	}
	customID := regexp.MustCompile(`nh1:ms:[0-9]+`).FindString(string(dposts[0].body))
	if customID == "" || !strings.Contains(string(dposts[0].body), `"components"`) {
		t.Fatalf("discord alert lacks its buttons: %s", dposts[0].body)
	}

	// The daemon answers the clicks.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		done <- Main(ctx, []string{"run", "--config", cfg, "--state", state}, env{
			stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr, lookup: lookup, editInterval: time.Nanosecond,
		})
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("daemon exit %d\n%s", code, stderr.String())
			}
		}
	}
	defer stop()
	waitFor(t, "the listener", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})

	slackClick := func(sign func(ts int64, body string) string) int {
		payload, _ := json.Marshal(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": "U1", "name": "kim"},
			"channel": map[string]any{"id": "C0123", "name": "desk"}, "response_url": sl.srv.URL + "/respond",
			"actions": []map[string]any{{"action_id": "newshound_mute_story", "block_id": "newshound_alert", "value": muteValue, "type": "button"}},
		})
		body := url.Values{"payload": {string(payload)}}.Encode()
		req, _ := http.NewRequest("POST", "http://"+addr+"/slack/interactions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		ts := time.Now().Unix()
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		if sign != nil {
			req.Header.Set("X-Slack-Signature", sign(ts, body))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := slackClick(nil); code != http.StatusUnauthorized {
		t.Errorf("unsigned slack click: %d, want 401", code)
	}
	if code := slackClick(func(ts int64, body string) string { return signSlack("wrong-secret", ts, body) }); code != http.StatusUnauthorized {
		t.Errorf("forged slack click: %d, want 401", code)
	}
	if code := slackClick(func(ts int64, body string) string { return signSlack(secret, ts, body) }); code != http.StatusOK {
		t.Errorf("signed slack click: %d, want 200", code)
	}
	select {
	case r := <-replies:
		if !strings.Contains(r, "음소거했습니다") || !strings.Contains(r, `"replace_original":false`) || !strings.Contains(r, `"ephemeral"`) {
			t.Errorf("slack click reply: %s", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the slack click was never answered\n%s", stderr.String())
	}

	discordClick := func(key ed25519.PrivateKey) (int, string) {
		body := fmt.Sprintf(`{"type":3,"id":"9","application_id":"2","token":"t","channel_id":"555","member":{"user":{"id":"U9","username":"lee"}},"data":{"custom_id":%q,"component_type":2}}`, customID)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest("POST", "http://"+addr+"/discord/interactions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Signature-Timestamp", ts)
		if key != nil {
			req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, []byte(ts+body))))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := discordClick(nil); code != http.StatusUnauthorized {
		t.Errorf("unsigned discord click: %d, want 401", code)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	if code, _ := discordClick(other); code != http.StatusUnauthorized {
		t.Errorf("forged discord click: %d, want 401", code)
	}
	if code, body := discordClick(priv); code != http.StatusOK || !strings.Contains(body, "음소거했습니다") || !strings.Contains(body, `"flags":64`) {
		t.Errorf("signed discord click: %d %s", code, body)
	}
	stop()

	// More outlets: neither message changes.
	fs.set("/hani.xml", item(2, storyCopies[1]))
	fs.set("/khan.xml", item(3, storyCopies[2]))
	livingRun(t, cfg, state, lookup)
	if ups := sl.matching("POST", "/chat.update"); len(ups) != 0 {
		t.Errorf("slack: a muted story was updated %d times", len(ups))
	}
	if eds := dc.matching("PATCH", ""); len(eds) != 0 {
		t.Errorf("discord: a muted story was edited %d times", len(eds))
	}
	if n := len(sl.matching("POST", "/chat.postMessage")) + len(dc.matching("POST", "/messages")); n != 2 {
		t.Errorf("%d posts in all, want the two alerts only", n)
	}
	if logs := stderr.String(); !strings.Contains(logs, "button mute story in desk") || !strings.Contains(logs, "button mute story in floor") {
		t.Errorf("the clicks are not in the log:\n%s", logs)
	}
}
