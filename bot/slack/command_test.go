package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/newshound/newshound/bot/command"
)

// Slack's published example, from "Verifying requests from Slack".
const (
	exampleSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	exampleTS     = "1531420618"
	exampleBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	exampleSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func slackHeader(ts, sig string) http.Header {
	h := http.Header{}
	if ts != "" {
		h.Set("X-Slack-Request-Timestamp", ts)
	}
	if sig != "" {
		h.Set("X-Slack-Signature", sig)
	}
	return h
}

func TestVerify(t *testing.T) {
	t.Parallel()
	at := time.Unix(1531420618, 0)
	for _, tc := range []struct {
		name   string
		secret string
		header http.Header
		body   string
		now    time.Time
		want   error
	}{
		{"published example", exampleSecret, slackHeader(exampleTS, exampleSig), exampleBody, at, nil},
		{"example 4 min later", exampleSecret, slackHeader(exampleTS, exampleSig), exampleBody, at.Add(4 * time.Minute), nil},
		{"tampered text", exampleSecret, slackHeader(exampleTS, exampleSig), strings.Replace(exampleBody, "text=", "text=add", 1), at, errBadSignature},
		{"other token in body", exampleSecret, slackHeader(exampleTS, exampleSig), strings.Replace(exampleBody, "xyzz0WbapA4vBCDEFasx0q6G", "xyzz0WbapA4vBCJgBNODhZ8b", 1), at, errBadSignature},
		{"wrong secret", "8f742231b10e8888abcd99yyyzzz85a6", slackHeader(exampleTS, exampleSig), exampleBody, at, errBadSignature},
		{"stale", exampleSecret, slackHeader(exampleTS, exampleSig), exampleBody, at.Add(5*time.Minute + time.Second), errStale},
		{"from the future", exampleSecret, slackHeader(exampleTS, exampleSig), exampleBody, at.Add(-6 * time.Minute), errStale},
		{"timestamp changed", exampleSecret, slackHeader("1531420619", exampleSig), exampleBody, at, errBadSignature},
		{"no signature", exampleSecret, slackHeader(exampleTS, ""), exampleBody, at, errNoSignature},
		{"no timestamp", exampleSecret, slackHeader("", exampleSig), exampleBody, at, errNoSignature},
		{"not v0", exampleSecret, slackHeader(exampleTS, "v1="+exampleSig[3:]), exampleBody, at, errBadSignature},
		{"not hex", exampleSecret, slackHeader(exampleTS, "v0=zz"), exampleBody, at, errBadSignature},
		{"bad timestamp", exampleSecret, slackHeader("soon", exampleSig), exampleBody, at, errStale},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := verify(tc.secret, tc.header, []byte(tc.body), tc.now); !errors.Is(err, tc.want) {
				t.Errorf("verify = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("no secret configured", func(t *testing.T) {
		if err := verify("", slackHeader(exampleTS, exampleSig), []byte(exampleBody), at); err == nil {
			t.Error("verify with an empty secret accepted a request")
		}
	})
}

const testSecret = "test-signing-secret"

func sign(secret string, ts int64, body string) http.Header {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + strconv.FormatInt(ts, 10) + ":" + body))
	return slackHeader(strconv.FormatInt(ts, 10), "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// recordingRunner answers like the command core and records requests.
type recordingRunner struct {
	mu    sync.Mutex
	reqs  []command.Request
	reply command.Reply
	wait  chan struct{} // when set, Run blocks until it is closed
}

func (r *recordingRunner) Run(ctx context.Context, req command.Request) command.Reply {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	if r.wait != nil {
		<-r.wait
	}
	return r.reply
}

func (r *recordingRunner) calls() []command.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]command.Request(nil), r.reqs...)
}

func commandForm(text, responseURL string) string {
	return url.Values{
		"token": {"x"}, "team_id": {"T1"}, "channel_id": {"C42"}, "channel_name": {"news"},
		"user_id": {"U7"}, "user_name": {"kim"}, "command": {"/news"}, "text": {text},
		"response_url": {responseURL}, "trigger_id": {"1.2.3"},
	}.Encode()
}

func postCommand(t *testing.T, h http.Handler, header http.Header, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	req.Header = header
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCommandHandler(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC)
	listReply := command.Reply{Text: "*ai-policy*: 반도체, HBM → #news\n*chips*: TSMC <!channel> & co"}
	body := commandForm(" list ", "https://hooks.slack.com/commands/T1/1/x")
	for _, tc := range []struct {
		name     string
		header   http.Header
		body     string
		reply    command.Reply
		status   int
		wantType string
		wantText string
	}{
		{"signed list", sign(testSecret, now.Unix(), body), body, listReply, 200, "ephemeral",
			"*ai-policy*: 반도체, HBM → #news\n*chips*: TSMC &lt;!channel&gt; &amp; co"},
		{"public reply", sign(testSecret, now.Unix()-60, body), body, command.Reply{Text: "added", Public: true}, 200, "in_channel", "added"},
		{"forged signature", sign("other-secret", now.Unix(), body), body, listReply, 401, "", ""},
		{"stale timestamp", sign(testSecret, now.Unix()-301, body), body, listReply, 401, "", ""},
		{"replayed with other text", sign(testSecret, now.Unix(), body), commandForm("remove all", ""), listReply, 401, "", ""},
		{"unsigned", http.Header{}, body, listReply, 401, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recordingRunner{reply: tc.reply}
			log, logs := testLogger()
			h := NewCommandHandler(testSecret, r, HandlerOptions{Logger: log, Now: func() time.Time { return now }, AckAfter: time.Minute})
			rec := postCommand(t, h, tc.header, tc.body)
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d (%s)", rec.Code, tc.status, rec.Body)
			}
			if tc.status != 200 {
				if n := len(r.calls()); n != 0 {
					t.Errorf("rejected request ran %d commands", n)
				}
				if strings.Contains(logs.String(), testSecret) {
					t.Errorf("signing secret logged")
				}
				return
			}
			var got commandReply
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("reply is not JSON: %v: %s", err, rec.Body)
			}
			if got.ResponseType != tc.wantType || got.Text != tc.wantText {
				t.Errorf("reply = %+v, want %s %q", got, tc.wantType, tc.wantText)
			}
			want := command.Request{Platform: "slack", User: "U7", UserName: "kim", ChannelID: "C42", ChannelName: "news", Text: "list"}
			if calls := r.calls(); len(calls) != 1 || !equalRequest(calls[0], want) {
				t.Errorf("runner got %+v, want %+v", calls, want)
			}
		})
	}
	t.Run("GET refused", func(t *testing.T) {
		h := NewCommandHandler(testSecret, &recordingRunner{}, HandlerOptions{})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slack/commands", nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("GET status = %d", rec.Code)
		}
	})
	t.Run("no secret refuses all", func(t *testing.T) {
		r := &recordingRunner{}
		log, _ := testLogger()
		h := NewCommandHandler("", r, HandlerOptions{Logger: log, Now: func() time.Time { return now }})
		if rec := postCommand(t, h, sign("", now.Unix(), body), body); rec.Code != 401 || len(r.calls()) != 0 {
			t.Errorf("status %d, %d calls; want 401 and none", rec.Code, len(r.calls()))
		}
	})
}

func equalRequest(a, b command.Request) bool {
	return a.Platform == b.Platform && a.User == b.User && a.UserName == b.UserName &&
		a.ChannelID == b.ChannelID && a.ChannelName == b.ChannelName && a.Text == b.Text
}

// TestSlowCommandAnswersLater checks that a command slower than AckAfter
// is acknowledged at once and its reply posted to response_url.
func TestSlowCommandAnswersLater(t *testing.T) {
	t.Parallel()
	posted := make(chan []byte, 1)
	respSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		posted <- b
	}))
	defer respSrv.Close()

	r := &recordingRunner{reply: command.Reply{Text: "added *반도체* to ai-policy"}, wait: make(chan struct{})}
	h := NewCommandHandler(testSecret, r, HandlerOptions{AckAfter: 10 * time.Millisecond, HTTPClient: respSrv.Client()})
	body := commandForm("add 반도체 to ai-policy", respSrv.URL+"/commands/T1/1/x")
	rec := postCommand(t, h, sign(testSecret, time.Now().Unix(), body), body)

	var ack commandReply
	if err := json.Unmarshal(rec.Body.Bytes(), &ack); err != nil || rec.Code != 200 || ack.Text != workingText || ack.ResponseType != "ephemeral" {
		t.Fatalf("ack = %d %s, want 200 with %q", rec.Code, rec.Body, workingText)
	}
	select {
	case b := <-posted:
		t.Fatalf("reply posted before the command finished: %s", b)
	default:
	}
	close(r.wait)
	select {
	case b := <-posted:
		var got commandReply
		if err := json.Unmarshal(b, &got); err != nil || got.Text != "added *반도체* to ai-policy" || got.ResponseType != "ephemeral" {
			t.Errorf("response_url got %s", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no reply posted to response_url")
	}
}

func TestReplyFitsSocketModeLimit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("가<나&", 10000)
	c := toReply(command.Reply{Text: long}, nil)
	if n := len(c.json()); n > maxReplyBytes {
		t.Errorf("reply JSON is %d bytes, limit %d", n, maxReplyBytes)
	}
	if !strings.HasSuffix(c.Text, "…") || !utf8.ValidString(c.Text) || len(c.json()) < maxReplyBytes-100 {
		t.Errorf("reply cut badly: %d bytes, ends %q", len(c.json()), c.Text[len(c.Text)-8:])
	}
	if strings.Contains(c.Text, "<") {
		t.Error("reply not escaped")
	}
}

// TestManifest checks that the app manifest users paste into Slack asks
// for the scopes this package needs and routes /news to the handler's
// path.
func TestManifest(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "slack-app-manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/news" ||
		!strings.HasSuffix(m.Features.SlashCommands[0].URL, "/slack/commands") {
		t.Errorf("manifest commands = %+v, want /news at …/slack/commands", m.Features.SlashCommands)
	}
	for _, scope := range []string{"chat:write", "chat:write.public", "commands", "incoming-webhook"} {
		if !slices.Contains(m.OAuth.Scopes.Bot, scope) {
			t.Errorf("manifest lacks bot scope %s", scope)
		}
	}
}

// TestWaitWaitsForFollowUps checks that a stop can wait for the reply of
// a command still running when its request was acknowledged.
func TestWaitWaitsForFollowUps(t *testing.T) {
	t.Parallel()
	var posted atomic.Int32
	respSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		posted.Add(1)
	}))
	defer respSrv.Close()
	r := &recordingRunner{reply: command.Reply{Text: "done"}, wait: make(chan struct{})}
	h := NewCommandHandler(testSecret, r, HandlerOptions{AckAfter: 10 * time.Millisecond, HTTPClient: respSrv.Client()})
	body := commandForm("status", respSrv.URL+"/commands/T1/1/x")
	postCommand(t, h, sign(testSecret, time.Now().Unix(), body), body)

	waited := make(chan struct{})
	go func() { h.Wait(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("Wait returned while the command was still running")
	case <-time.After(100 * time.Millisecond):
	}
	close(r.wait)
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return after the follow-up")
	}
	if posted.Load() != 1 {
		t.Errorf("follow-ups posted before Wait returned = %d, want 1", posted.Load())
	}
}
