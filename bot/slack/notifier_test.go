package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/newshound/newshound/bot/notify"
)

const (
	secretPath = "/services/T0SECRET/B0SECRET/xoxsecretwebhookpart"
	secretTok  = "xoxb-1234-SECRET-TOKEN"
)

// newTestNotifier builds a notifier on a fake clock, so pacing and
// Retry-After take no real time.
func newTestNotifier(t *testing.T, c Config, token string) (*Notifier, *fakeClock, *syncBuffer) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC)}
	log, buf := testLogger()
	n, err := New("news", c, Options{
		Token: token, Logger: log, Now: clk.Now,
		Pacer: &notify.Pacer{Burst: 1, Window: time.Second, Now: clk.Now, Sleep: clk.Sleep},
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, clk, buf
}

type webhookBody struct {
	Text   string       `json:"text"`
	Blocks slack.Blocks `json:"blocks"`
}

func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t, nil)
	n, _, _ := newTestNotifier(t, Config{WebhookURL: f.srv.URL + secretPath}, "")
	m := sampleMessage()
	for _, p := range n.Split(m) {
		if err := n.Send(context.Background(), p); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	reqs := f.requests()
	if len(reqs) != 1 || reqs[0].Path != secretPath {
		t.Fatalf("receiver got %d requests (%v), want 1 to the webhook path", len(reqs), reqs)
	}
	if ct := reqs[0].Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	var body webhookBody
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
		t.Fatalf("body is not Block Kit JSON: %v\n%s", err, reqs[0].Body)
	}
	if len(body.Blocks.BlockSet) != len(m.Entries)+2 || body.Text == "" {
		t.Fatalf("got %d blocks and text %q", len(body.Blocks.BlockSet), body.Text)
	}
	blocks, _ := json.Marshal(body.Blocks)
	var texts strings.Builder
	for _, s := range sectionTexts(body.Blocks.BlockSet) {
		texts.WriteString(s)
	}
	for _, e := range m.Entries {
		title, link := escape(e.Title), linkURL(e.Link)
		if got := strings.Count(texts.String(), title+">*"); got != 1 {
			t.Errorf("title %q appears %d times", title, got)
		}
		if got := strings.Count(texts.String(), "<"+link+"|"); got != 1 {
			t.Errorf("link %q appears %d times", link, got)
		}
	}
	for _, bad := range [][]byte{[]byte("<!channel>"), []byte(`\u003c!channel`)} {
		if bytes.Contains(reqs[0].Body, bad) || bytes.Contains(blocks, bad) {
			t.Errorf("delivered payload contains %q", bad)
		}
	}
	if !strings.Contains(texts.String(), "&lt;!channel&gt; 속보 &lt;https://evil.example|click&gt;") {
		t.Errorf("hostile title not delivered escaped: %s", texts.String())
	}
}

func TestWebhookOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		answer    answer
		retry     bool
		after     time.Duration
		errSubstr string
	}{
		{"accepted", answer{status: 200, body: "ok"}, false, 0, ""},
		{"429 with Retry-After", answer{status: 429, header: map[string]string{"Retry-After": "2"}, body: "rate_limited"}, true, 2 * time.Second, "429"},
		{"429 with HTTP date", answer{status: 429, header: map[string]string{"Retry-After": "Tue, 19 Nov 2024 01:00:07 GMT"}}, true, 7 * time.Second, "429"},
		{"429 without header", answer{status: 429}, true, time.Second, "429"},
		{"server error", answer{status: 500, body: "<html>oops</html>"}, true, 0, "500"},
		{"bad gateway", answer{status: 502}, true, 0, "502"},
		{"invalid blocks", answer{status: 400, body: "invalid_blocks"}, false, 0, "invalid_blocks"},
		{"webhook revoked", answer{status: 404, body: "no_service"}, false, 0, "no_service"},
		{"forbidden", answer{status: 403, body: "action_prohibited"}, false, 0, "action_prohibited"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSlack(t, nil, tc.answer)
			hook := f.srv.URL + secretPath
			n, _, logs := newTestNotifier(t, Config{WebhookURL: hook}, "")
			m := sampleMessage()
			m.Entries[0].Image = "" // no resend without images
			err := n.Send(context.Background(), m)
			if tc.errSubstr == "" {
				if err != nil {
					t.Fatalf("Send = %v, want nil", err)
				}
				return
			}
			var ne *notify.Error
			if !errors.As(err, &ne) {
				t.Fatalf("Send = %v (%T), want *notify.Error", err, err)
			}
			if ne.Retry != tc.retry || ne.RetryAfter != tc.after {
				t.Errorf("retry = %v after %v, want %v after %v", ne.Retry, ne.RetryAfter, tc.retry, tc.after)
			}
			if !strings.Contains(err.Error(), tc.errSubstr) {
				t.Errorf("error %q lacks %q", err, tc.errSubstr)
			}
			assertNoSecret(t, err.Error()+logs.String(), hook)
			if got := len(f.requests()); got != 1 {
				t.Errorf("Send made %d requests, want 1", got)
			}
		})
	}
}

func assertNoSecret(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, sec := range append(secrets, secretPath, "xoxsecretwebhookpart", secretTok, "SECRET-TOKEN") {
		if strings.Contains(s, sec) || strings.Contains(s, url.QueryEscape(sec)) {
			t.Errorf("secret %q leaked in %q", sec, s)
		}
	}
}

func TestNetworkErrorIsRetryableAndRedacted(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t, nil)
	hook := f.srv.URL + secretPath
	f.srv.Close()
	for _, c := range []Config{{WebhookURL: hook}, {Channel: "C1", APIURL: f.srv.URL}} {
		n, _, logs := newTestNotifier(t, c, secretTok)
		err := n.Send(context.Background(), sampleMessage())
		if retry, _ := notify.Retryable(err); !retry {
			t.Errorf("%+v: Send = %v, want a retryable error", c, err)
		}
		if err != nil {
			assertNoSecret(t, err.Error()+logs.String(), hook)
		}
	}
}

// TestRateLimitedThenDelivered is the bot's retry loop in miniature: a 429
// with Retry-After: 2 holds the channel, the retry goes out no sooner than
// 2 s later, and the message arrives exactly once.
func TestRateLimitedThenDelivered(t *testing.T) {
	t.Parallel()
	var clk *fakeClock
	f := newFakeSlack(t, func() time.Time { return clk.Now() },
		answer{status: 429, header: map[string]string{"Retry-After": "2"}})
	n, c, logs := newTestNotifier(t, Config{WebhookURL: f.srv.URL + secretPath}, "")
	clk = c
	m := sampleMessage()
	err := n.Send(context.Background(), m)
	retry, after := notify.Retryable(err)
	if !retry || after != 2*time.Second {
		t.Fatalf("first Send = %v (retry %v after %v), want retry after 2s", err, retry, after)
	}
	if err := n.Send(context.Background(), m); err != nil { // the retry, at once
		t.Fatalf("retry: %v", err)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want 2", len(reqs))
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 2*time.Second {
		t.Errorf("retry went out %v after the 429, want >= 2s", gap)
	}
	delivered := 0
	for _, r := range reqs {
		if r.Status == 200 {
			delivered++
		}
	}
	if delivered != 1 {
		t.Errorf("message accepted %d times, want 1", delivered)
	}
	if !strings.Contains(logs.String(), "retry_after=2s") {
		t.Errorf("rate limit not logged: %s", logs)
	}
}

// TestRateLimitedRealClock repeats the 429 case on the real clock, with
// the default pacer, as the daemon runs.
func TestRateLimitedRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 2 s of real time")
	}
	f := newFakeSlack(t, nil, answer{status: 429, header: map[string]string{"Retry-After": "2"}})
	n, err := New("news", Config{WebhookURL: f.srv.URL + secretPath}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = n.Send(ctx, sampleMessage())
	for retry, _ := notify.Retryable(err); retry && err != nil; retry, _ = notify.Retryable(err) {
		err = n.Send(ctx, sampleMessage())
	}
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[1].Status != 200 || reqs[1].At.Sub(reqs[0].At) < 2*time.Second {
		t.Fatalf("want a 429 then one delivery >= 2s later; got %d requests", len(reqs))
	}
}

func TestPacingOnePerSecond(t *testing.T) {
	t.Parallel()
	var clk *fakeClock
	f := newFakeSlack(t, func() time.Time { return clk.Now() })
	n, c, _ := newTestNotifier(t, Config{WebhookURL: f.srv.URL + secretPath}, "")
	clk = c
	for range 3 {
		if err := n.Send(context.Background(), sampleMessage()); err != nil {
			t.Fatal(err)
		}
	}
	reqs := f.requests()
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].At.Sub(reqs[i-1].At); gap < time.Second {
			t.Errorf("send %d followed the previous after %v, want >= 1s", i, gap)
		}
	}
}

func TestInvalidBlocksResendsWithoutImages(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t, nil, answer{status: 400, body: "invalid_blocks"})
	n, _, _ := newTestNotifier(t, Config{WebhookURL: f.srv.URL + secretPath}, "")
	if err := n.Send(context.Background(), sampleMessage()); err != nil {
		t.Fatalf("Send = %v, want nil after resending without images", err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || !bytes.Contains(reqs[0].Body, []byte(`"accessory"`)) || bytes.Contains(reqs[1].Body, []byte(`"accessory"`)) {
		t.Fatalf("want a first post with images and a second without; got %d posts", len(reqs))
	}
}

func TestPostMessage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		answer    answer
		wantErr   bool
		retry     bool
		after     time.Duration
		errSubstr string
	}{
		{"ok", answer{status: 200, body: `{"ok":true,"channel":"C1","ts":"1.2"}`}, false, false, 0, ""},
		{"channel not found", answer{status: 200, body: `{"ok":false,"error":"channel_not_found"}`}, true, false, 0, "channel_not_found"},
		{"invalid auth", answer{status: 200, body: `{"ok":false,"error":"invalid_auth"}`}, true, false, 0, "invalid_auth"},
		{"ratelimited body", answer{status: 200, body: `{"ok":false,"error":"ratelimited"}`}, true, true, 0, "ratelimited"},
		{"429", answer{status: 429, body: `{"ok":false,"error":"ratelimited"}`, header: map[string]string{"Retry-After": "3"}}, true, true, 3 * time.Second, "429"},
		{"503", answer{status: 503, body: "unavailable"}, true, true, 0, "503"},
		{"404", answer{status: 404, body: "not found"}, true, false, 0, "404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSlack(t, nil, tc.answer)
			n, _, logs := newTestNotifier(t, Config{Channel: "C1", APIURL: f.srv.URL}, secretTok)
			m := sampleMessage()
			m.Entries[0].Image = ""
			err := n.Send(context.Background(), m)
			reqs := f.requests()
			if len(reqs) != 1 || reqs[0].Path != "/chat.postMessage" {
				t.Fatalf("requests = %+v, want one chat.postMessage", reqs)
			}
			form, _ := url.ParseQuery(string(reqs[0].Body))
			if form.Get("channel") != "C1" || form.Get("text") == "" || !strings.Contains(form.Get("blocks"), `"type":"header"`) {
				t.Errorf("posted form lacks channel, text or blocks: %v", form)
			}
			if form.Get("token") != secretTok && reqs[0].Header.Get("Authorization") != "Bearer "+secretTok {
				t.Errorf("bot token not sent")
			}
			if !tc.wantErr {
				if err != nil {
					t.Fatalf("Send = %v", err)
				}
				return
			}
			var ne *notify.Error
			if !errors.As(err, &ne) || ne.Retry != tc.retry || ne.RetryAfter != tc.after {
				t.Fatalf("Send = %#v, want retry=%v after %v", err, tc.retry, tc.after)
			}
			if !strings.Contains(err.Error(), tc.errSubstr) {
				t.Errorf("error %q lacks %q", err, tc.errSubstr)
			}
			assertNoSecret(t, err.Error()+logs.String())
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		c       Config
		token   string
		wantErr string
	}{
		{"webhook", Config{WebhookURL: "https://hooks.slack.com" + secretPath}, "", ""},
		{"channel with token", Config{Channel: "#news"}, secretTok, ""},
		{"channel without token", Config{Channel: "#news"}, "", "SLACK_BOT_TOKEN"},
		{"neither", Config{}, "", "exactly one"},
		{"both", Config{Channel: "C1", WebhookURL: "https://hooks.slack.com" + secretPath}, secretTok, "exactly one"},
		{"webhook not http", Config{WebhookURL: "ftp://hooks.slack.com" + secretPath}, "", "not an http(s) URL"},
		{"bad api url", Config{Channel: "C1", APIURL: "localhost:9"}, secretTok, "api_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New("news", tc.c, Options{Token: tc.token})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("New = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New = %v, want an error containing %q", err, tc.wantErr)
			}
			assertNoSecret(t, err.Error())
		})
	}
}

func TestSendHonoursContext(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t, nil)
	n, err := New("news", Config{WebhookURL: f.srv.URL + secretPath}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), sampleMessage()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	// The default pacer allows one message a second, so this one must wait
	// and give up with ctx instead of posting.
	if err := n.Send(ctx, sampleMessage()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send = %v, want context.DeadlineExceeded", err)
	}
	if got := len(f.requests()); got != 1 {
		t.Errorf("got %d posts, want 1", got)
	}
}
