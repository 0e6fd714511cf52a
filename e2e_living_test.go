package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// call is one request a fake platform received.
type call struct {
	method, path, query string
	body                []byte
}

// platform is a fake chat platform: it records every request and answers
// with the handler the test sets.
type platform struct {
	mu     sync.Mutex
	calls  []call
	answer func(w http.ResponseWriter, c call)
	srv    *httptest.Server
}

func newPlatform(t *testing.T, answer func(w http.ResponseWriter, c call)) *platform {
	p := &platform{answer: answer}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c := call{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, body: b}
		p.mu.Lock()
		p.calls = append(p.calls, c)
		answer := p.answer
		p.mu.Unlock()
		answer(w, c)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *platform) setAnswer(a func(w http.ResponseWriter, c call)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answer = a
}

// matching returns the calls with the method whose path ends with suffix.
func (p *platform) matching(method, suffix string) []call {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []call
	for _, c := range p.calls {
		if (method == "" || c.method == method) && strings.HasSuffix(c.path, suffix) {
			out = append(out, c)
		}
	}
	return out
}

func (p *platform) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

// livingRun runs `newshound run --once` with a one-nanosecond edit
// interval, so each run may edit what the previous one posted.
func livingRun(t *testing.T, cfg, state string, lookup func(string) (string, bool)) string {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := Main(ctx, []string{"run", "--once", "--config", cfg, "--state", state},
		env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, lookup: lookup, editInterval: time.Nanosecond})
	if code != 0 {
		t.Fatalf("run --once: exit %d\n%s", code, errb.String())
	}
	return errb.String()
}

// threeOutlets serves three outlets' feeds and returns the watchlist
// feeds block.
func threeOutlets(t *testing.T) (*feedServer, string) {
	fs := newFeedServer(t)
	for path, name := range map[string]string{"/yna.xml": "연합뉴스", "/hani.xml": "한겨레", "/khan.xml": "경향신문", "/kbs.xml": "KBS"} {
		fs.set(path)
		fs.setTitle(path, name)
	}
	return fs, fmt.Sprintf(`feeds:
  - {name: yna, url: %q}
  - {name: hani, url: %q}
  - {name: khan, url: %q}
  - {name: kbs, url: %q}
`, fs.url("/yna.xml"), fs.url("/hani.xml"), fs.url("/khan.xml"), fs.url("/kbs.xml"))
}

// The same story, as four outlets title it.
var storyCopies = []string{
	"정부, 반도체 특별법 국회 통과 촉구",
	"[속보] 정부, 반도체 특별법 국회 통과 촉구",
	"정부 \"반도체 특별법 국회 통과 촉구\"(종합)",
	"정부, 반도체특별법 국회 통과 거듭 촉구",
}

// TestLivingAlertDiscordWebhook: a story alerted through a Discord
// webhook and then published by two more outlets is one message and
// edits of that message (PATCH .../messages/{id}) naming the new
// outlets; a 429 on an edit is waited out; once the message is deleted
// (404) the story's edits end without another request.
func TestLivingAlertDiscordWebhook(t *testing.T) {
	t.Parallel()
	msg := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"111222333444555666","channel_id":"2","content":"","embeds":[]}`)
	}
	dc := newPlatform(t, func(w http.ResponseWriter, _ call) { msg(w) })
	fs, feedsBlock := threeOutlets(t)
	dir := t.TempDir()
	cfg, state := filepath.Join(dir, "w.yaml"), filepath.Join(dir, "s.db")
	writeFile(t, cfg, feedsBlock+`channels:
  desk: {discord: {webhook_url: "${DISCORD_HOOK}/api/webhooks/1/secret-token"}}
watches:
  - {name: chips, keywords: [반도체], channels: [desk]}
`)
	lookup := func(k string) (string, bool) {
		if k == "DISCORD_HOOK" {
			return dc.srv.URL, true
		}
		return "", false
	}
	livingRun(t, cfg, state, lookup) // backfill: nothing yet
	fs.set("/yna.xml", item(1, storyCopies[0]))
	livingRun(t, cfg, state, lookup)
	if posts := dc.matching("POST", "/api/webhooks/1/secret-token"); len(posts) != 1 || !strings.Contains(posts[0].query, "wait=true") {
		t.Fatalf("alert: %d posts (%v), want 1 with wait=true", len(posts), posts)
	}

	// A second outlet: an edit of that message, after a 429 is waited out.
	fs.set("/hani.xml", item(2, storyCopies[1]))
	limited := true
	dc.setAnswer(func(w http.ResponseWriter, c call) {
		if c.method == "PATCH" && limited {
			limited = false
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":0.2,"global":false}`)
			return
		}
		msg(w)
	})
	livingRun(t, cfg, state, lookup)
	edits := dc.matching("PATCH", "/api/webhooks/1/secret-token/messages/111222333444555666")
	if len(edits) != 2 || !strings.Contains(string(edits[1].body), "한겨레") {
		t.Fatalf("second outlet: %d edit requests (want a 429 then the edit naming 한겨레): %s", len(edits), bodies(edits))
	}

	// A third outlet: the same message edited again, naming both.
	fs.set("/khan.xml", item(3, storyCopies[2]))
	livingRun(t, cfg, state, lookup)
	edits = dc.matching("PATCH", "/messages/111222333444555666")
	last := string(edits[len(edits)-1].body)
	if len(edits) != 3 || !strings.Contains(last, "한겨레") || !strings.Contains(last, "경향신문") || !strings.Contains(last, "last seen") {
		t.Fatalf("third outlet: %d edit requests, last %s", len(edits), last)
	}
	if posts := dc.matching("POST", ""); len(posts) != 1 {
		t.Errorf("the story was posted %d times, want once (then edited)", len(posts))
	}
	var body struct {
		AllowedMentions struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal([]byte(last), &body); err != nil || body.AllowedMentions.Parse == nil {
		t.Errorf("edit body lacks an empty allowed_mentions.parse (%v): %s", err, last)
	}

	// The message is deleted: the next edit meets a 404 and the story's
	// edits end quietly; a later outlet sends nothing.
	dc.setAnswer(func(w http.ResponseWriter, c call) {
		if c.method == "PATCH" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Unknown Message","code":10008}`)
			return
		}
		msg(w)
	})
	fs.set("/kbs.xml", item(4, storyCopies[3]))
	logs := livingRun(t, cfg, state, lookup)
	if strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "level=WARN") {
		t.Errorf("a deleted message made error noise:\n%s", logs)
	}
	n := dc.count()
	fs.set("/yna.xml", item(1, storyCopies[0]), item(5, "정부, 반도체 특별법 국회 통과 재차 촉구"))
	fs.setTitle("/yna.xml", "뉴스1")
	livingRun(t, cfg, state, lookup)
	if dc.count() != n {
		t.Errorf("after the 404 the story still changed: %s", bodies(dc.matching("", "")))
	}
}

// TestLivingAlertSlackChatUpdate: the same through a Slack bot-token
// channel, with chat.postMessage then chat.update of the same ts.
func TestLivingAlertSlackChatUpdate(t *testing.T) {
	t.Parallel()
	sl := newPlatform(t, func(w http.ResponseWriter, c call) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(c.path, "/chat.postMessage"), strings.HasSuffix(c.path, "/chat.update"):
			fmt.Fprint(w, `{"ok":true,"channel":"C0123","ts":"1700000000.000100","message":{"text":"x"}}`)
		default:
			fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
		}
	})
	fs, feedsBlock := threeOutlets(t)
	dir := t.TempDir()
	cfg, state := filepath.Join(dir, "w.yaml"), filepath.Join(dir, "s.db")
	writeFile(t, cfg, feedsBlock+fmt.Sprintf(`channels:
  desk: {slack: {channel: C0123, api_url: %q}}
watches:
  - {name: chips, keywords: [반도체], channels: [desk]}
`, sl.srv.URL+"/api/"))
	lookup := func(k string) (string, bool) {
		if k == "SLACK_BOT_TOKEN" {
			return "xoxb-test-token", true
		}
		return "", false
	}
	livingRun(t, cfg, state, lookup)
	fs.set("/yna.xml", item(1, storyCopies[0]))
	livingRun(t, cfg, state, lookup)
	fs.set("/hani.xml", item(2, storyCopies[1]))
	livingRun(t, cfg, state, lookup)
	fs.set("/khan.xml", item(3, storyCopies[2]))
	livingRun(t, cfg, state, lookup)

	if posts := sl.matching("POST", "/chat.postMessage"); len(posts) != 1 {
		t.Fatalf("chat.postMessage called %d times, want 1", len(posts))
	}
	updates := sl.matching("POST", "/chat.update")
	if len(updates) != 2 {
		t.Fatalf("chat.update called %d times, want 2: %s", len(updates), bodies(updates))
	}
	form, err := url.ParseQuery(string(updates[1].body))
	if err != nil {
		t.Fatal(err)
	}
	if form.Get("channel") != "C0123" || form.Get("ts") != "1700000000.000100" {
		t.Errorf("chat.update of channel %q ts %q, want the posted message", form.Get("channel"), form.Get("ts"))
	}
	if blocks := form.Get("blocks"); !strings.Contains(blocks, "한겨레") || !strings.Contains(blocks, "경향신문") {
		t.Errorf("the last update does not name the new outlets: %s", blocks)
	}
}

func bodies(cs []call) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %s?%s %s\n", c.method, c.path, c.query, c.body)
	}
	return b.String()
}
