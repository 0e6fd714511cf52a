package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/notify"
)

const (
	webhookToken = "s3cr3t-WEBHOOK-token_abc"
	botToken     = "bot-SECRET-token.xyz"
)

// newWebhook returns a notifier posting to the fake at a Discord-shaped
// webhook path, with a fake clock and a log buffer.
func newWebhook(t *testing.T, f *fakeDiscord, clk *fakeClock, logs *bytes.Buffer, global *notify.Pacer) *Notifier {
	t.Helper()
	n, err := New("news", Config{WebhookURL: f.URL + "/api/webhooks/42/" + webhookToken + "?thread_id=7"}, Options{
		Now: clk.Now, Sleep: clk.Sleep, Global: global,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// deliver is a minimal stand-in for package bot's retry loop: it sends
// every part, retrying retryable failures a few times.
func deliver(ctx context.Context, n *Notifier, m notify.Message) error {
	for _, part := range n.Split(m) {
		var err error
		for range 3 {
			if err = n.Send(ctx, part); err == nil {
				break
			}
			if retry, _ := notify.Retryable(err); !retry {
				return err
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t)
	clk := newFakeClock()
	var logs bytes.Buffer
	n := newWebhook(t, f, clk, &logs, nil)
	m := notify.Message{Header: "반도체: 14 new"}
	for i := range 14 {
		e := koreanEntry(i, 30, 300)
		if i == 3 {
			e.Title = "@everyone **속보** [click](https://evil.example)"
		}
		m.Entries = append(m.Entries, e)
	}
	if err := deliver(context.Background(), n, m); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d posts, want 2", len(reqs))
	}
	f.validateAll(t)
	// Every string anywhere in the bodies: each title and link must occur
	// exactly once (as the embed's title and url).
	var strs []string
	for _, r := range reqs {
		if r.Path != "/api/webhooks/42/"+webhookToken || r.RawQuery != "thread_id=7&wait=true" {
			t.Errorf("posted to %s?%s", r.Path, r.RawQuery)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		var p struct {
			AllowedMentions *struct {
				Parse []string `json:"parse"`
			} `json:"allowed_mentions"`
		}
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatal(err)
		}
		if p.AllowedMentions == nil || p.AllowedMentions.Parse == nil || len(p.AllowedMentions.Parse) != 0 {
			t.Errorf("allowed_mentions not {parse: []}: %s", r.Body)
		}
		var v any
		json.Unmarshal(r.Body, &v)
		strs = appendStrings(strs, v)
	}
	text := strings.Join(strs, "\x00")
	for _, e := range m.Entries {
		if c := strings.Count(text, Escape(e.Title)); c != 1 {
			t.Errorf("title %q seen %d times, want once", e.Title, c)
		}
		if c := strings.Count(text, e.Link); c != 1 {
			t.Errorf("link %s seen %d times, want once", e.Link, c)
		}
	}
	if strings.Contains(text, "@everyone") || strings.Contains(text, "](https://evil") {
		t.Error("hostile title kept a mention or a masked link")
	}
}

// appendStrings collects every string value in decoded JSON.
func appendStrings(out []string, v any) []string {
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, x := range v {
			out = appendStrings(out, x)
		}
	case map[string]any:
		for _, x := range v {
			out = appendStrings(out, x)
		}
	}
	return out
}

func TestWebhookRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		resp      canned
		wantAfter time.Duration
		global    bool
	}{
		{"json retry_after", canned{status: 429, body: `{"message":"You are being rate limited.","retry_after":1.5,"global":false}`}, 1500 * time.Millisecond, false},
		{"header only", canned{status: 429, header: map[string]string{"Retry-After": "3"}, body: `<html>cloudflare</html>`}, 3 * time.Second, false},
		{"global", canned{status: 429, header: map[string]string{"X-RateLimit-Global": "true"}, body: `{"retry_after":2,"global":true}`}, 2 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDiscord(t, tt.resp)
			clk := newFakeClock()
			var logs bytes.Buffer
			global := &notify.Pacer{Burst: 50, Window: time.Second, Now: clk.Now, Sleep: clk.Sleep}
			n := newWebhook(t, f, clk, &logs, global)
			other := newWebhook(t, newFakeDiscord(t), clk, &logs, global)
			m := notify.Message{Entries: []notify.Entry{koreanEntry(1, 10, 10)}}

			err := n.Send(context.Background(), m)
			retry, after := notify.Retryable(err)
			if !retry || after != tt.wantAfter {
				t.Fatalf("Send = %v: retry %v after %v, want retry after %v", err, retry, after, tt.wantAfter)
			}
			// A global limit also holds another notifier sharing Global.
			if err := other.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			if held := clk.totalSlept() == tt.wantAfter; held != tt.global {
				t.Errorf("other notifier held = %v, want %v", held, tt.global)
			}
			// The limited channel waits out the limit, then its item
			// arrives exactly once.
			if err := n.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			if got := clk.totalSlept(); got != tt.wantAfter {
				t.Errorf("waited %v in all, want %v", got, tt.wantAfter)
			}
			if reqs := f.requests(); len(reqs) != 2 {
				t.Errorf("%d requests, want 2", len(reqs))
			}
			f.validateAll(t)
		})
	}
}

func TestWebhookBucketAndPacing(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t, canned{status: 200, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "2.5"}, body: `{"id":"1"}`})
	clk := newFakeClock()
	var logs bytes.Buffer
	n := newWebhook(t, f, clk, &logs, nil)
	m := notify.Message{Entries: []notify.Entry{koreanEntry(1, 10, 10)}}
	if err := n.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got := clk.totalSlept(); got != 2500*time.Millisecond {
		t.Errorf("waited %v for the exhausted bucket, want 2.5s", got)
	}
	// 30 per minute per webhook: 28 more fit this minute, the 31st waits.
	for range 28 {
		if err := n.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if got := clk.totalSlept(); got != 2500*time.Millisecond {
		t.Fatalf("waited %v within the first 30 sends", got)
	}
	if err := n.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got := clk.totalSlept(); got != time.Minute {
		t.Errorf("31st send waited until %v, want the window's end at 1m", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := n.Send(ctx, m); err == nil {
		t.Error("Send with a cancelled context succeeded")
	}
}

func TestWebhookErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		resp      canned
		retry     bool
		permanent bool
	}{
		{"server error", canned{status: 503, body: `upstream ` + webhookToken}, true, false},
		{"bad request", canned{status: 400, body: `{"code":50035,"message":"Invalid Form Body"}`}, false, true},
		{"not found", canned{status: 404, body: `{"code":10015,"message":"Unknown Webhook"}`}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDiscord(t, tt.resp)
			var logs bytes.Buffer
			n := newWebhook(t, f, newFakeClock(), &logs, nil)
			err := n.Send(context.Background(), notify.Message{Entries: []notify.Entry{koreanEntry(1, 10, 10)}})
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if retry, _ := notify.Retryable(err); retry != tt.retry {
				t.Errorf("retryable = %v, want %v: %v", retry, tt.retry, err)
			}
			assertNoSecret(t, err.Error()+logs.String(), webhookToken)
		})
	}
	t.Run("network", func(t *testing.T) {
		f := newFakeDiscord(t)
		var logs bytes.Buffer
		n := newWebhook(t, f, newFakeClock(), &logs, nil)
		f.Close()
		err := n.Send(context.Background(), notify.Message{Entries: []notify.Entry{koreanEntry(1, 10, 10)}})
		if retry, _ := notify.Retryable(err); err == nil || !retry {
			t.Fatalf("Send = %v, want a retryable error", err)
		}
		assertNoSecret(t, err.Error(), webhookToken)
	})
	t.Run("unsplit", func(t *testing.T) {
		f := newFakeDiscord(t)
		var logs bytes.Buffer
		n := newWebhook(t, f, newFakeClock(), &logs, nil)
		m := notify.Message{}
		for i := range 11 {
			m.Entries = append(m.Entries, koreanEntry(i, 10, 10))
		}
		if retry, _ := notify.Retryable(n.Send(context.Background(), m)); retry {
			t.Error("an oversize part is retryable")
		}
		if len(f.requests()) != 0 {
			t.Error("an oversize part was posted")
		}
	})
}

func assertNoSecret(t *testing.T, s, secret string) {
	t.Helper()
	if strings.Contains(s, secret) {
		t.Errorf("secret leaked: %s", s)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    Config
		o    Options
	}{
		{"nothing", Config{}, Options{}},
		{"both", Config{WebhookURL: "https://discord.com/api/webhooks/1/x", ChannelID: "1"}, Options{Token: "t"}},
		{"not http", Config{WebhookURL: "ftp://discord.com/api/webhooks/1/" + webhookToken}, Options{}},
		{"no token", Config{ChannelID: "1"}, Options{}},
		{"bad api_url", Config{ChannelID: "1", APIURL: "discord.local"}, Options{Token: "t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("news", tt.c, tt.o)
			if err == nil {
				t.Fatal("New accepted it")
			}
			assertNoSecret(t, err.Error(), webhookToken)
		})
	}
}

func newBot(t *testing.T, f *fakeDiscord, clk *fakeClock) *Notifier {
	t.Helper()
	n, err := New("news", Config{ChannelID: "123", APIURL: f.URL + "/api/v9"}, Options{Token: botToken, Now: clk.Now, Sleep: clk.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBotDelivery(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t, canned{status: 200, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "60"}, body: `{"id":"1"}`})
	clk := newFakeClock()
	n := newBot(t, f, clk)
	m := notify.Message{Header: "반도체: 12 new"}
	for i := range 12 {
		m.Entries = append(m.Entries, koreanEntry(i, 30, 300))
	}
	start := time.Now()
	if err := deliver(context.Background(), n, m); err != nil {
		t.Fatal(err)
	}
	// discordgo's own limiter would have slept a real minute; the Pacer
	// waited on the fake clock instead.
	if time.Since(start) > 10*time.Second || clk.totalSlept() != time.Minute {
		t.Errorf("bucket wait: real %v, fake %v (want 0 and 1m)", time.Since(start), clk.totalSlept())
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for _, r := range reqs {
		if r.Method != http.MethodPost || r.Path != "/api/v9/channels/123/messages" {
			t.Errorf("request %s %s", r.Method, r.Path)
		}
		if got := r.Header.Get("Authorization"); got != "Bot "+botToken {
			t.Errorf("Authorization %q", got)
		}
		if !bytes.Contains(r.Body, []byte(`"allowed_mentions":{"parse":[]`)) {
			t.Errorf("allowed_mentions missing: %s", r.Body)
		}
	}
	f.validateAll(t)
}

func TestBotErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		resp      canned
		retry     bool
		wantAfter time.Duration
	}{
		{"rate limited", canned{status: 429, body: `{"message":"slow down","retry_after":0.75,"global":false}`}, true, 750 * time.Millisecond},
		{"global", canned{status: 429, header: map[string]string{"X-RateLimit-Global": "true"}, body: `{"retry_after":4,"global":true}`}, true, 4 * time.Second},
		{"bad gateway", canned{status: 502, body: `bad gateway`}, true, 0},
		{"server error", canned{status: 500, body: `{"message":"oops"}`}, true, 0},
		{"forbidden", canned{status: 403, body: `{"code":50013,"message":"Missing Permissions"}`}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDiscord(t, tt.resp)
			clk := newFakeClock()
			n := newBot(t, f, clk)
			m := notify.Message{Entries: []notify.Entry{koreanEntry(1, 10, 10)}}
			err := n.Send(context.Background(), m)
			retry, after := notify.Retryable(err)
			if err == nil || retry != tt.retry || after != tt.wantAfter {
				t.Fatalf("Send = %v: retry %v after %v; want retry %v after %v", err, retry, after, tt.retry, tt.wantAfter)
			}
			assertNoSecret(t, err.Error(), botToken)
			if len(f.requests()) != 1 {
				t.Errorf("%d attempts, want exactly 1", len(f.requests()))
			}
			if err := n.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			if got := clk.totalSlept(); got != tt.wantAfter {
				t.Errorf("resend waited %v, want %v", got, tt.wantAfter)
			}
		})
	}
}

func Example_render() {
	ps := render(notify.Message{Header: "ai-policy: 1 new", Entries: []notify.Entry{{
		Watch: "ai-policy", Source: "연합뉴스", Title: "@everyone AI 기본법 [속보]", Link: "https://www.yna.co.kr/view/1",
		Snippet: "정부가 AI 기본법 시행령을 발표했다", Terms: []string{"AI 기본법"},
	}}}, map[string]int{"ai-policy": 0x3366ff})
	b, _ := json.Marshal(ps[0])
	fmt.Println(string(b))
	// Output:
	// {"content":"ai-policy: 1 new","embeds":[{"url":"https://www.yna.co.kr/view/1","title":"@​everyone AI 기본법 \\[속보\\]","description":"정부가 **AI 기본법** 시행령을 발표했다","color":3368703,"footer":{"text":"ai-policy"},"author":{"name":"연합뉴스"}}],"allowed_mentions":{"parse":[],"replied_user":false}}
}
