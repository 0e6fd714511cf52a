package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/redact"
)

// Secrets the bot knows in these tests, shaped like real ones.
const (
	trustBotToken = "xoxb-1111111111-2222222222-AbCdEfGhIjKlMnOpQrStUvWx"
	trustAppToken = "xapp-1-A0123456789-1234567890123-0123456789abcdef"
	trustSigning  = "8f742231b10e8888abcd99yyyzzz85a5"
	trustHook     = "https://hooks.slack.com/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX"
	trustLiteral  = "env-substituted-secret-42"
)

var trustSecrets = []string{trustBotToken, "2222222222-AbCd", trustAppToken, trustSigning, "XXXXXXXXXXXXXXXX", trustLiteral}

func trustRedactor() *redact.Redactor {
	r := redact.New(trustBotToken, trustAppToken, trustSigning, trustLiteral)
	r.AddURL(trustHook)
	return r
}

// countingGuard is a Guard whose panics the test can count.
type countingGuard struct {
	*notify.Guard
	reg  *prometheus.Registry
	logs *syncBuffer
}

func newCountingGuard(t testing.TB) *countingGuard {
	t.Helper()
	logs := &syncBuffer{}
	g := notify.NewGuard(slog.New(slog.NewTextHandler(logs, nil)), trustRedactor())
	reg := prometheus.NewRegistry()
	if err := g.Register(reg); err != nil {
		t.Fatal(err)
	}
	return &countingGuard{Guard: g, reg: reg, logs: logs}
}

func (g *countingGuard) panics(t testing.TB) float64 {
	t.Helper()
	mfs, err := g.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, mf := range mfs {
		if mf.GetName() == "newshound_handler_panics_total" {
			for _, m := range mf.GetMetric() {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return n
}

func assertNoTrustSecret(t *testing.T, where, s string) {
	t.Helper()
	for _, sec := range trustSecrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s holds %q: %s", where, sec, s)
		}
	}
}

var (
	panicIndex = command.RunnerFunc(func(context.Context, command.Request) command.Reply {
		var words []string
		_ = words[1] // index out of range, like a core bug
		return command.Reply{}
	})
	panicSecret = command.RunnerFunc(func(context.Context, command.Request) command.Reply {
		panic(errors.New("token " + trustBotToken + " rejected by " + trustHook))
	})
)

func TestSlackCommandPanic(t *testing.T) {
	t.Parallel()
	now := time.Now()
	body := commandForm("list", "https://hooks.slack.com/commands/T1/1/x")
	for _, run := range []struct {
		name string
		r    command.Runner
	}{{"index", panicIndex}, {"secret value", panicSecret}} {
		t.Run(run.name+"/http", func(t *testing.T) {
			g := newCountingGuard(t)
			h := NewCommandHandler(testSecret, run.r, HandlerOptions{Guard: g.Guard, Redactor: trustRedactor(), AckAfter: time.Minute})
			rec := postCommand(t, h, sign(testSecret, now.Unix(), body), body)
			var got commandReply
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 || got.ResponseType != "ephemeral" || got.Text != notify.InternalErrorText {
				t.Errorf("reply %d %s, want an ephemeral internal error", rec.Code, rec.Body)
			}
			checkPanicLog(t, g, "slack_command_run")
		})
		t.Run(run.name+"/response_url", func(t *testing.T) {
			posted := make(chan []byte, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				posted <- b
			}))
			defer srv.Close()
			release := make(chan struct{})
			slow := command.RunnerFunc(func(ctx context.Context, req command.Request) command.Reply {
				<-release
				return run.r.Run(ctx, req)
			})
			g := newCountingGuard(t)
			h := NewCommandHandler(testSecret, slow, HandlerOptions{Guard: g.Guard, AckAfter: time.Millisecond, HTTPClient: srv.Client()})
			body := commandForm("digest", srv.URL+"/commands/T1/1/x")
			if rec := postCommand(t, h, sign(testSecret, time.Now().Unix(), body), body); !strings.Contains(rec.Body.String(), "working") {
				t.Fatalf("ack %s, want working", rec.Body)
			}
			close(release)
			select {
			case b := <-posted:
				if !strings.Contains(string(b), "internal error") {
					t.Errorf("response_url got %s, want the internal error", b)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("nothing posted to response_url")
			}
			checkPanicLog(t, g, "slack_command_run")
		})
		t.Run(run.name+"/socket", func(t *testing.T) {
			g := newCountingGuard(t)
			d := newDispatcher(run.r, HandlerOptions{Guard: g.Guard, AckAfter: time.Minute, Logger: slog.New(slog.DiscardHandler)})
			a := &fakeAcker{}
			handleSocketEvent(context.Background(), a, d, slashEvent("e1", "list"))
			acks := a.wait(t, 1)
			if acks[0].envelope != "e1" || !strings.Contains(acks[0].payload, "internal error") {
				t.Errorf("ack %+v, want the internal error for e1", acks[0])
			}
			checkPanicLog(t, g, "slack_command_run")
		})
	}
}

// TestSlackHandlerPanic checks a panic in the handler itself, before the
// request is verified, answers 500 and is counted.
func TestSlackHandlerPanic(t *testing.T) {
	t.Parallel()
	g := newCountingGuard(t)
	r := &recordingRunner{}
	h := NewCommandHandler(testSecret, r, HandlerOptions{Guard: g.Guard, Now: func() time.Time { panic("clock broke: " + trustSigning) }})
	body := commandForm("list", "")
	rec := postCommand(t, h, sign(testSecret, time.Now().Unix(), body), body)
	if rec.Code != http.StatusInternalServerError || len(r.calls()) != 0 {
		t.Errorf("status %d, %d runs; want 500 and none", rec.Code, len(r.calls()))
	}
	checkPanicLog(t, g, "slack_command")
}

func checkPanicLog(t *testing.T, g *countingGuard, handler string) {
	t.Helper()
	if n := g.panics(t); n != 1 {
		t.Errorf("%v panics counted, want 1", n)
	}
	out := g.logs.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "handler="+handler) || !strings.Contains(out, "panic=") {
		t.Errorf("want one log line naming %s and the panic:\n%s", handler, out)
	}
	assertNoTrustSecret(t, "panic log", out)
}

// fakeAcker records Socket Mode acknowledgements and can panic.
type fakeAcker struct {
	mu    sync.Mutex
	acks  []ack
	panic bool
	got   chan struct{}
}

type ack struct{ envelope, payload string }

func (a *fakeAcker) AckCtx(_ context.Context, envelope string, payload any) error {
	if a.panic {
		panic("ack failed")
	}
	b, _ := json.Marshal(payload)
	a.mu.Lock()
	a.acks = append(a.acks, ack{envelope, string(b)})
	if a.got == nil {
		a.got = make(chan struct{}, 16)
	}
	ch := a.got
	a.mu.Unlock()
	ch <- struct{}{}
	return nil
}

func (a *fakeAcker) wait(t *testing.T, n int) []ack {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		a.mu.Lock()
		if len(a.acks) >= n {
			out := append([]ack(nil), a.acks...)
			a.mu.Unlock()
			return out
		}
		if a.got == nil {
			a.got = make(chan struct{}, 16)
		}
		ch := a.got
		a.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%d acks, want %d", len(a.acks), n)
		}
	}
}

func slashEvent(envelope, text string) socketmode.Event {
	return socketmode.Event{
		Type:    socketmode.EventTypeSlashCommand,
		Data:    slack.SlashCommand{UserID: "U7", ChannelID: "C42", Text: text, ResponseURL: "https://hooks.slack.com/commands/T1/1/x"},
		Request: &socketmode.Request{EnvelopeID: envelope},
	}
}

func TestSocketEventsMalformed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		evt   socketmode.Event
		acker *fakeAcker
		acks  int
	}{
		{"slash without request", socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: slack.SlashCommand{Text: "list"}}, &fakeAcker{}, 0},
		{"slash with other data", socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: "list", Request: &socketmode.Request{EnvelopeID: "e"}}, &fakeAcker{}, 0},
		{"slash with pointer data", socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: &slack.SlashCommand{}, Request: &socketmode.Request{EnvelopeID: "e"}}, &fakeAcker{}, 0},
		{"nil connection error", socketmode.Event{Type: socketmode.EventTypeConnectionError, Data: (*slack.ConnectionErrorEvent)(nil)}, &fakeAcker{}, 0},
		{"connection error", socketmode.Event{Type: socketmode.EventTypeConnectionError, Data: &slack.ConnectionErrorEvent{ErrorObj: errors.New("dial " + trustAppToken)}}, &fakeAcker{}, 0},
		{"events api without request", socketmode.Event{Type: socketmode.EventTypeEventsAPI}, &fakeAcker{}, 0},
		{"unknown type", socketmode.Event{Type: "x", Data: 5}, &fakeAcker{}, 0},
		{"empty text", slashEvent("e2", ""), &fakeAcker{}, 1},
		{"huge text", slashEvent("e3", strings.Repeat("가<&>", 20000)), &fakeAcker{}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newCountingGuard(t)
			logs := &syncBuffer{}
			d := newDispatcher(&recordingRunner{reply: command.Reply{Text: strings.Repeat("긴 답 ", 5000)}}, HandlerOptions{Guard: g.Guard, Redactor: trustRedactor(), Logger: slog.New(slog.NewTextHandler(logs, nil))})
			handleSocketEvent(context.Background(), tc.acker, d, tc.evt)
			if tc.acks > 0 {
				acks := tc.acker.wait(t, tc.acks)
				if len(acks[0].payload) > maxReplyBytes+200 {
					t.Errorf("ack payload is %d bytes", len(acks[0].payload))
				}
			}
			if n := g.panics(t); n != 0 {
				t.Errorf("%v panics:\n%s", n, g.logs)
			}
			assertNoTrustSecret(t, "log", logs.String())
		})
	}
	t.Run("ack panics", func(t *testing.T) {
		g := newCountingGuard(t)
		d := newDispatcher(&recordingRunner{reply: command.Reply{Text: "ok"}}, HandlerOptions{Guard: g.Guard, Logger: slog.New(slog.DiscardHandler)})
		done := make(chan struct{})
		go func() {
			defer close(done)
			d.socketCommand(context.Background(), &fakeAcker{panic: true}, "e", command.Request{Text: "list"}, "")
		}()
		<-done
		if n := g.panics(t); n != 1 {
			t.Errorf("%v panics counted, want 1", n)
		}
	})
}

// TestSlackRepliesRedacted checks that no reply carries a secret the bot
// knows, on every path: the HTTP answer, the response_url post and the
// Socket Mode acknowledgement.
func TestSlackRepliesRedacted(t *testing.T) {
	t.Parallel()
	leaky := command.Reply{Text: "last error: " + trustHook + " with " + trustBotToken + ", " + trustAppToken + ", " + trustSigning + ", " + trustLiteral}
	body := commandForm("status", "https://hooks.slack.com/commands/T1/1/x")
	t.Run("http", func(t *testing.T) {
		h := NewCommandHandler(testSecret, &recordingRunner{reply: leaky}, HandlerOptions{Redactor: trustRedactor(), AckAfter: time.Minute})
		rec := postCommand(t, h, sign(testSecret, time.Now().Unix(), body), body)
		assertNoTrustSecret(t, "reply", rec.Body.String())
		if !strings.Contains(rec.Body.String(), redact.Mark) {
			t.Errorf("no redaction mark: %s", rec.Body)
		}
	})
	t.Run("response_url", func(t *testing.T) {
		posted := make(chan []byte, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			posted <- b
		}))
		defer srv.Close()
		r := &recordingRunner{reply: leaky, wait: make(chan struct{})}
		h := NewCommandHandler(testSecret, r, HandlerOptions{Redactor: trustRedactor(), AckAfter: time.Millisecond, HTTPClient: srv.Client()})
		body := commandForm("status", srv.URL+"/commands/T1/1/x")
		postCommand(t, h, sign(testSecret, time.Now().Unix(), body), body)
		close(r.wait)
		select {
		case b := <-posted:
			assertNoTrustSecret(t, "response_url post", string(b))
		case <-time.After(10 * time.Second):
			t.Fatal("nothing posted")
		}
	})
	t.Run("socket", func(t *testing.T) {
		d := newDispatcher(&recordingRunner{reply: leaky}, HandlerOptions{Redactor: trustRedactor(), Logger: slog.New(slog.DiscardHandler)})
		a := &fakeAcker{}
		handleSocketEvent(context.Background(), a, d, slashEvent("e1", "status"))
		assertNoTrustSecret(t, "ack", a.wait(t, 1)[0].payload)
	})
	t.Run("failed response_url log", func(t *testing.T) {
		// The response URL's path is itself a secret; the server answers
		// 404 and the failure is logged.
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		logs := &syncBuffer{}
		r := &recordingRunner{reply: command.Reply{Text: "fine"}, wait: make(chan struct{})}
		h := NewCommandHandler(testSecret, r, HandlerOptions{Redactor: trustRedactor(), AckAfter: time.Millisecond, HTTPClient: srv.Client(), Logger: slog.New(slog.NewTextHandler(logs, nil))})
		respURL := srv.URL + "/commands/T1/1/RESPONSE-URL-SECRET"
		body := commandForm("status", respURL)
		postCommand(t, h, sign(testSecret, time.Now().Unix(), body), body)
		close(r.wait)
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(logs.String(), "slack command reply failed") && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if out := logs.String(); !strings.Contains(out, "slack command reply failed") || strings.Contains(out, "RESPONSE-URL-SECRET") {
			t.Errorf("log:\n%s", out)
		}
	})
}

// TestNotifierErrorsRedactKnownSecrets runs a bot-token channel against a
// fake Slack API that echoes the token, the signing secret and another
// known secret in its error, and a webhook that answers 404 quoting its
// own URL: no error or log line may carry any of them.
func TestNotifierErrorsRedactKnownSecrets(t *testing.T) {
	t.Parallel()
	echo := `{"ok":false,"error":"invalid_auth","detail":"` + trustBotToken + " " + trustSigning + " " + trustLiteral + `"}`
	for _, tc := range []struct {
		name   string
		answer answer
		c      func(f *fakeSlack) Config
	}{
		{"api echoes secrets", answer{status: 200, body: echo}, func(f *fakeSlack) Config {
			return Config{Channel: "C1", APIURL: f.srv.URL}
		}},
		{"api 500 echoes secrets", answer{status: 500, body: echo}, func(f *fakeSlack) Config {
			return Config{Channel: "C1", APIURL: f.srv.URL}
		}},
		{"webhook 404 quotes its URL", answer{status: 404, body: "no_service " + trustHook + " " + trustSigning}, func(f *fakeSlack) Config {
			return Config{WebhookURL: f.srv.URL + "/services/T0SECRET/B0SECRET/webhook-own-secret-part"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeSlack(t, nil, tc.answer)
			log, logs := testLogger()
			n, err := New("news", tc.c(f), Options{Token: trustBotToken, Logger: log, Redactor: trustRedactor()})
			if err != nil {
				t.Fatal(err)
			}
			err = n.Send(context.Background(), notify.Message{Header: "h", Entries: []notify.Entry{{Title: "t", Link: "https://e.example/1"}}})
			if err == nil {
				t.Fatal("Send succeeded")
			}
			assertNoTrustSecret(t, "error and log", err.Error()+logs.String())
			if strings.Contains(err.Error(), "webhook-own-secret-part") {
				t.Errorf("error holds the webhook path: %v", err)
			}
		})
	}
}

// FuzzSlashCommand sends arbitrary, correctly signed form bodies through
// the real slash-command handler: nothing may panic, every answer is 200
// with a reply or 400, and the runner sees the text trimmed.
func FuzzSlashCommand(f *testing.F) {
	f.Add(commandForm("list", "https://hooks.slack.com/commands/T1/1/x"))
	f.Add(commandForm("add 반도체 to ai-policy", ""))
	f.Add(commandForm("  ", "not a url"))
	f.Add(exampleBody)
	f.Add("text=%ZZ&user_id=")
	f.Add("text=" + url.QueryEscape(strings.Repeat("가", 5000)))
	f.Add("a=1;b=2&&&=&text")
	g := newCountingGuard(f)
	var mu sync.Mutex
	var last command.Request
	run := command.RunnerFunc(func(_ context.Context, req command.Request) command.Reply {
		mu.Lock()
		last = req
		mu.Unlock()
		return command.Reply{Text: req.Text + " <" + req.UserName + "> " + req.ChannelName, Public: len(req.Text)%2 == 0}
	})
	h := NewCommandHandler(testSecret, run, HandlerOptions{Guard: g.Guard, Redactor: trustRedactor(), AckAfter: time.Minute, Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, body string) {
		before := g.panics(t)
		mu.Lock()
		last = command.Request{Text: "\x00unset"}
		mu.Unlock()
		rec := postCommand(t, h, sign(testSecret, time.Now().Unix(), body), body)
		if n := g.panics(t); n != before {
			t.Fatalf("body %q: handler panicked:\n%s", body, g.logs)
		}
		switch rec.Code {
		case http.StatusOK:
			var got commandReply
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Text == "" || len(rec.Body.Bytes()) > maxReplyBytes+1 {
				t.Fatalf("body %q: reply %s", body, rec.Body)
			}
			form, _ := url.ParseQuery(body)
			mu.Lock()
			defer mu.Unlock()
			if want := strings.TrimSpace(form.Get("text")); last.Text != want {
				t.Fatalf("body %q: runner got %q, want %q", body, last.Text, want)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("body %q: status %d %s", body, rec.Code, rec.Body)
		}
	})
}
