package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/redact"
)

// Secrets the bot knows in these tests, shaped like real ones.
const (
	trustBotToken = "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GaBcDe.0123456789abcdefghijklmnopqrstuvwxyzAB"
	trustHook     = "https://discord.com/api/webhooks/123456789012345678/hOoKtOkEn-abcdefghijklmnopqrstuvwxyz_0123456789"
	trustLiteral  = "env-substituted-secret-42"
)

// countingGuard is a Guard whose panics the test can count, logging to a
// buffer.
type countingGuard struct {
	*notify.Guard
	reg  *prometheus.Registry
	logs *syncBuffer
}

func newCountingGuard(t testing.TB, r *redact.Redactor) *countingGuard {
	t.Helper()
	logs := &syncBuffer{}
	g := notify.NewGuard(slog.New(slog.NewTextHandler(logs, nil)), r)
	reg := prometheus.NewRegistry()
	if err := g.Register(reg); err != nil {
		t.Fatal(err)
	}
	return &countingGuard{Guard: g, reg: reg, logs: logs}
}

// panics is the total of newshound_handler_panics_total.
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

func trustRedactor() *redact.Redactor {
	r := redact.New(trustBotToken, trustLiteral)
	r.AddURL(trustHook)
	return r
}

// trustHandler is an interactions endpoint with a counting guard.
func trustHandler(t testing.TB, s signer, run command.Runner, apiURL string, deferAfter time.Duration) (*InteractionsHandler, *countingGuard, *syncBuffer) {
	t.Helper()
	red := trustRedactor()
	g := newCountingGuard(t, red)
	logs := &syncBuffer{}
	h, err := NewInteractionsHandler(s.pub, run, HandlerOptions{
		Now: time.Now, APIURL: apiURL, DeferAfter: deferAfter, Redactor: red, Guard: g.Guard,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, g, logs
}

// gatewayDispatcher is the dispatcher RunGateway builds, over a fake.
func gatewayDispatcher(t testing.TB, run command.Runner, apiURL string, g *countingGuard, logs *syncBuffer) *dispatcher {
	t.Helper()
	s, err := newSession(trustBotToken, apiURL, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return newDispatcher(run, s, HandlerOptions{Logger: slog.New(slog.NewTextHandler(logs, nil)), Redactor: trustRedactor(), Guard: g.Guard, DeferAfter: time.Minute})
}

const interactionHead = `"id":"in1","application_id":"app1","token":"itoken-SECRET","channel_id":"c1",`

// malformed are interactions a careless decoder panics on, or must
// refuse. runs is the command text the runner should get ("" for none).
var malformed = []struct {
	name   string
	body   string
	status int    // HTTP status
	text   string // start of the reply, for a 200 with a message
	runs   string
}{
	{"empty subcommand name", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"","type":1}]}}`, 200, unknownCommandText, ""},
	{"no options", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[]}}`, 200, unknownCommandText, ""},
	{"null option", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[null]}}`, 200, unknownCommandText, ""},
	{"group without subcommand", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"feed","type":2}]}}`, 200, unknownCommandText, ""},
	{"group with null subcommand", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"feed","type":2,"options":[null]}]}}`, 200, unknownCommandText, ""},
	{"group with empty name", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"","type":2,"options":[{"name":"","type":1}]}]}}`, 200, unknownCommandText, ""},
	{"unknown subcommand", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"rm -rf","type":1}]}}`, 200, unknownCommandText, ""},
	{"group word alone", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"feed","type":1}]}}`, 200, unknownCommandText, ""},
	{"other command", `{"type":2,` + interactionHead + `"data":{"name":"weather","options":[{"name":"list","type":1}]}}`, 200, unknownCommandText, ""},
	{"data null", `{"type":2,` + interactionHead + `"data":null}`, 200, unknownCommandText, ""},
	{"component", `{"type":3,` + interactionHead + `"data":{"custom_id":"x","component_type":2}}`, 200, foreignButtonText, ""},
	{"forged action", `{"type":3,` + interactionHead + `"data":{"custom_id":"nh1:ms:0","component_type":2}}`, 200, foreignButtonText, ""},
	{"select menu", `{"type":3,` + interactionHead + `"data":{"custom_id":"nh1:ms:1","component_type":3}}`, 200, foreignButtonText, ""},
	{"unknown type", `{"type":99,` + interactionHead + `"data":{"name":"news"}}`, 200, unknownCommandText, ""},
	{"too long query", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"add","type":1,"options":[{"name":"query","type":3,"value":"` + strings.Repeat("가", 201) + `"}]}]}}`, 200, "The query option is too long", ""},
	{"number value", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"add","type":1,"options":[{"name":"query","type":4,"value":5}]}]}}`, 200, "ok", "add"},
	{"null and object values", `{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"add","type":1,"options":[null,{"name":"query","type":3,"value":{"a":1}},{"name":"watch","type":3,"value":"w"}]}]}}`, 200, "ok", "add to w"},
	{"no member or user", `{"type":2,"id":"in1","application_id":"app1","token":"t","data":{"name":"news","options":[{"name":"list","type":1}]}}`, 200, "ok", "list"},
	{"member without user", `{"type":2,` + interactionHead + `"member":{"nick":"n"},"data":{"name":"news","options":[{"name":"list","type":1}]}}`, 200, "ok", "list"},
	{"missing data", `{"type":2,` + interactionHead + `"member":{}}`, 400, "", ""},
	{"not json", `{"type":2,`, 400, "", ""},
	{"wrong field types", `{"type":"2","id":5}`, 400, "", ""},
}

func TestMalformedInteractionsHTTP(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	for _, tc := range malformed {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDiscord(t)
			run := &recorder{reply: command.Reply{Text: "ok"}}
			h, g, _ := trustHandler(t, s, run, f.URL+"/api/v9", time.Minute)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, s.request([]byte(tc.body), time.Now()))
			h.Wait()
			if n := g.panics(t); n != 0 {
				t.Fatalf("%v panics recovered:\n%s", n, g.logs)
			}
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			checkRuns(t, run, tc.runs)
			if tc.status != 200 {
				return
			}
			c := decodeCallback(t, w.Body.Bytes())
			if c.Type != 4 || c.Data == nil || c.Data.Flags != 64 || !strings.HasPrefix(c.Data.Content, tc.text) {
				t.Errorf("response %s, want an ephemeral %q", w.Body, tc.text)
			}
		})
	}
}

func TestMalformedInteractionsGateway(t *testing.T) {
	t.Parallel()
	type gatewayCase struct {
		name string
		ic   *discordgo.InteractionCreate
		text string // start of the callback's content; "" for no callback
		runs string
	}
	var cases []gatewayCase
	for _, tc := range malformed {
		var i discordgo.Interaction
		if json.Unmarshal([]byte(tc.body), &i) != nil {
			continue
		}
		text := tc.text
		if i.Type != discordgo.InteractionApplicationCommand && i.Type != discordgo.InteractionMessageComponent {
			text = "" // the gateway ignores other interaction types
		}
		cases = append(cases, gatewayCase{tc.name, &discordgo.InteractionCreate{Interaction: &i}, text, tc.runs})
	}
	acd := func(opts ...*discordgo.ApplicationCommandInteractionDataOption) discordgo.ApplicationCommandInteractionData {
		return discordgo.ApplicationCommandInteractionData{Name: "news", Options: opts}
	}
	cmd := func(data discordgo.InteractionData) *discordgo.InteractionCreate {
		return &discordgo.InteractionCreate{Interaction: &discordgo.Interaction{ID: "in1", AppID: "app1", Token: "itoken-SECRET", Type: discordgo.InteractionApplicationCommand, Data: data}}
	}
	cases = append(cases,
		gatewayCase{"nil event", nil, "", ""},
		gatewayCase{"nil interaction", &discordgo.InteractionCreate{}, "", ""},
		gatewayCase{"nil data", cmd(nil), unknownCommandText, ""},
		gatewayCase{"data of another type", cmd(discordgo.MessageComponentInteractionData{CustomID: "x"}), unknownCommandText, ""},
		gatewayCase{"pointer data", cmd(&discordgo.ApplicationCommandInteractionData{Name: "news"}), unknownCommandText, ""},
		gatewayCase{"nil option", cmd(acd(nil)), unknownCommandText, ""},
		gatewayCase{"empty subcommand", cmd(acd(&discordgo.ApplicationCommandInteractionDataOption{Type: discordgo.ApplicationCommandOptionSubCommand})), unknownCommandText, ""},
		gatewayCase{"group with nil subcommand", cmd(acd(&discordgo.ApplicationCommandInteractionDataOption{Name: "feed", Type: discordgo.ApplicationCommandOptionSubCommandGroup, Options: []*discordgo.ApplicationCommandInteractionDataOption{nil}})), unknownCommandText, ""},
		gatewayCase{"nil option values", cmd(acd(&discordgo.ApplicationCommandInteractionDataOption{Name: "add", Type: discordgo.ApplicationCommandOptionSubCommand, Options: []*discordgo.ApplicationCommandInteractionDataOption{nil, {Name: "query", Value: nil}, {Name: "watch", Value: []string{"x"}}}})), "ok", "add"},
		gatewayCase{"oversized watch", cmd(acd(&discordgo.ApplicationCommandInteractionDataOption{Name: "add", Type: discordgo.ApplicationCommandOptionSubCommand, Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "query", Value: "q"}, {Name: "watch", Value: strings.Repeat("w", 101)}}})), "The watch option is too long", ""},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDiscord(t)
			run := &recorder{reply: command.Reply{Text: "ok"}}
			logs := &syncBuffer{}
			g := newCountingGuard(t, trustRedactor())
			d := gatewayDispatcher(t, run, f.URL+"/api/v9", g, logs)
			d.onInteraction(context.Background())(nil, tc.ic)
			d.wg.Wait()
			if n := g.panics(t); n != 0 {
				t.Fatalf("%v panics recovered:\n%s", n, g.logs)
			}
			checkRuns(t, run, tc.runs)
			reqs := f.requests()
			if tc.text == "" {
				if len(reqs) != 0 {
					t.Errorf("answered an event it should ignore: %+v", reqs)
				}
				return
			}
			if len(reqs) != 1 || !strings.HasSuffix(reqs[0].Path, "/callback") {
				t.Fatalf("requests %+v, want one callback", reqs)
			}
			c := decodeCallback(t, reqs[0].Body)
			if c.Type != 4 || c.Data == nil || c.Data.Flags != 64 || !strings.HasPrefix(c.Data.Content, tc.text) {
				t.Errorf("callback %s, want an ephemeral %q", reqs[0].Body, tc.text)
			}
		})
	}
}

func checkRuns(t *testing.T, run *recorder, want string) {
	t.Helper()
	calls := run.calls()
	switch {
	case want == "" && len(calls) != 0:
		t.Errorf("runner called with %+v", calls)
	case want != "" && (len(calls) != 1 || calls[0].Text != want):
		t.Errorf("runner got %+v, want one call with %q", calls, want)
	}
}

// TestCommandPanic checks that a command that panics is answered with an
// internal error, logged once with its value redacted, and counted, on
// every path: the HTTP endpoint, a deferred follow-up and the gateway.
func TestCommandPanic(t *testing.T) {
	t.Parallel()
	panicking := command.RunnerFunc(func(context.Context, command.Request) command.Reply {
		var opts []string
		_ = opts[3] // index out of range, like a core bug
		return command.Reply{}
	})
	secretPanic := command.RunnerFunc(func(context.Context, command.Request) command.Reply {
		panic("cannot post to " + trustHook + " with " + trustBotToken)
	})
	list := []byte(`{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"list","type":1}]}}`)
	for _, run := range []struct {
		name string
		r    command.Runner
	}{{"index", panicking}, {"secret value", secretPanic}} {
		t.Run(run.name+"/http", func(t *testing.T) {
			s := newSigner(t)
			f := newFakeDiscord(t)
			h, g, _ := trustHandler(t, s, run.r, f.URL+"/api/v9", time.Minute)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, s.request(list, time.Now()))
			h.Wait()
			c := decodeCallback(t, w.Body.Bytes())
			if w.Code != 200 || c.Type != 4 || c.Data == nil || c.Data.Flags != 64 || c.Data.Content != replyMarkdown(notify.InternalErrorText, maxContent) {
				t.Errorf("response %d %s, want an ephemeral internal error", w.Code, w.Body)
			}
			checkPanicLog(t, g, "discord_command_run")
		})
		t.Run(run.name+"/deferred", func(t *testing.T) {
			s := newSigner(t)
			f := newFakeDiscord(t)
			slow := command.RunnerFunc(func(ctx context.Context, req command.Request) command.Reply {
				time.Sleep(20 * time.Millisecond) // longer than DeferAfter
				return run.r.Run(ctx, req)
			})
			h, g, _ := trustHandler(t, s, slow, f.URL+"/api/v9", time.Millisecond)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, s.request(list, time.Now()))
			h.Wait()
			if c := decodeCallback(t, w.Body.Bytes()); c.Type != 5 {
				t.Fatalf("first response %s, want deferred", w.Body)
			}
			reqs := f.requests()
			if len(reqs) != 1 || reqs[0].Method != "PATCH" || !strings.Contains(string(reqs[0].Body), "internal error") {
				t.Errorf("follow-up %+v, want the internal error", reqs)
			}
			checkPanicLog(t, g, "discord_command_run")
		})
		t.Run(run.name+"/gateway", func(t *testing.T) {
			f := newFakeDiscord(t)
			logs := &syncBuffer{}
			g := newCountingGuard(t, trustRedactor())
			d := gatewayDispatcher(t, run.r, f.URL+"/api/v9", g, logs)
			var i discordgo.Interaction
			if err := json.Unmarshal(list, &i); err != nil {
				t.Fatal(err)
			}
			d.onInteraction(context.Background())(nil, &discordgo.InteractionCreate{Interaction: &i})
			d.wg.Wait()
			reqs := f.requests()
			if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), "internal error") {
				t.Errorf("callback %+v, want the internal error", reqs)
			}
			checkPanicLog(t, g, "discord_command_run")
		})
	}
}

// TestGatewayHandlerPanic checks a panic in the gateway handler itself
// (here: the REST session is missing) is recovered and counted.
func TestGatewayHandlerPanic(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	g := newCountingGuard(t, trustRedactor())
	d := newDispatcher(&recorder{reply: command.Reply{Text: "ok"}}, nil, HandlerOptions{Logger: slog.New(slog.NewTextHandler(logs, nil)), Guard: g.Guard})
	var i discordgo.Interaction
	if err := json.Unmarshal([]byte(`{"type":2,`+interactionHead+`"data":{"name":"news","options":[{"name":"list","type":1}]}}`), &i); err != nil {
		t.Fatal(err)
	}
	d.onInteraction(context.Background())(nil, &discordgo.InteractionCreate{Interaction: &i})
	d.wg.Wait()
	if n := g.panics(t); n < 1 {
		t.Errorf("no panic counted:\n%s", g.logs)
	}
	if !strings.Contains(g.logs.String(), "handler=discord_gateway_interaction") {
		t.Errorf("log does not name the handler:\n%s", g.logs)
	}
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
	for _, sec := range []string{trustBotToken, "hOoKtOkEn"} {
		if strings.Contains(out, sec) {
			t.Errorf("panic log holds %q:\n%s", sec, out)
		}
	}
}

// TestRepliesRedacted checks that no reply carries a secret the bot
// knows, on every path a reply takes.
func TestRepliesRedacted(t *testing.T) {
	t.Parallel()
	leaky := command.Reply{Text: "status: last error posting to " + trustHook + " (token " + trustBotToken + ", value " + trustLiteral + ", app xapp-1-A1-2-abcdef)", Public: true}
	secrets := []string{trustBotToken, "hOoKtOkEn", trustLiteral, "xapp-1-A1"}
	list := []byte(`{"type":2,` + interactionHead + `"data":{"name":"news","options":[{"name":"status","type":1}]}}`)
	check := func(t *testing.T, where string, b []byte) {
		t.Helper()
		for _, sec := range secrets {
			if bytes.Contains(b, []byte(sec)) {
				t.Errorf("%s holds %q: %s", where, sec, b)
			}
		}
		if !bytes.Contains(b, []byte("REDACTED")) {
			t.Errorf("%s: no redaction mark: %s", where, b)
		}
	}
	t.Run("http", func(t *testing.T) {
		s := newSigner(t)
		f := newFakeDiscord(t)
		h, _, _ := trustHandler(t, s, &recorder{reply: leaky}, f.URL+"/api/v9", time.Minute)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, s.request(list, time.Now()))
		check(t, "response", w.Body.Bytes())
	})
	t.Run("deferred", func(t *testing.T) {
		s := newSigner(t)
		f := newFakeDiscord(t)
		run := &recorder{reply: leaky, release: make(chan struct{})}
		h, _, _ := trustHandler(t, s, run, f.URL+"/api/v9", time.Millisecond)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, s.request(list, time.Now()))
		close(run.release)
		h.Wait()
		reqs := f.requests()
		if len(reqs) != 2 {
			t.Fatalf("%d follow-up requests, want edit and public post", len(reqs))
		}
		for _, r := range reqs {
			check(t, r.Method+" "+r.Path, r.Body)
		}
	})
	t.Run("gateway", func(t *testing.T) {
		f := newFakeDiscord(t)
		logs := &syncBuffer{}
		g := newCountingGuard(t, trustRedactor())
		d := gatewayDispatcher(t, &recorder{reply: leaky}, f.URL+"/api/v9", g, logs)
		var i discordgo.Interaction
		if err := json.Unmarshal(list, &i); err != nil {
			t.Fatal(err)
		}
		d.onInteraction(context.Background())(nil, &discordgo.InteractionCreate{Interaction: &i})
		d.wg.Wait()
		reqs := f.requests()
		if len(reqs) != 1 {
			t.Fatalf("requests %+v", reqs)
		}
		check(t, "callback", reqs[0].Body)
	})
	t.Run("failed follow-up log", func(t *testing.T) {
		// Discord answers the edit with an error quoting the URL, whose
		// path holds the interaction token.
		s := newSigner(t)
		f := newFakeDiscord(t, canned{status: 404, body: `{"message":"Unknown Webhook at /api/v9/webhooks/app1/itoken-SECRET/messages/@original ` + trustLiteral + `"}`})
		run := &recorder{reply: command.Reply{Text: "fine"}, release: make(chan struct{})}
		h, _, logs := trustHandler(t, s, run, f.URL+"/api/v9", time.Millisecond)
		h.ServeHTTP(httptest.NewRecorder(), s.request(list, time.Now()))
		close(run.release)
		h.Wait()
		out := logs.String()
		if !strings.Contains(out, "discord follow-up failed") {
			t.Fatalf("follow-up failure not logged:\n%s", out)
		}
		for _, sec := range []string{"itoken-SECRET", trustLiteral} {
			if strings.Contains(out, sec) {
				t.Errorf("log holds %q:\n%s", sec, out)
			}
		}
	})
}

// TestNotifierErrorsRedactKnownSecrets checks a notifier's errors lose
// every secret the bot knows, not only the channel's own: here a webhook
// that answers 404 quoting its URL, the bot token and another secret.
func TestNotifierErrorsRedactKnownSecrets(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t, canned{status: 404, body: `{"message":"Unknown Webhook","url":"` + trustHook + `","seen":"` + trustLiteral + ` ` + trustBotToken + `"}`})
	hook := f.URL + "/api/webhooks/42/" + webhookToken
	logs := &syncBuffer{}
	n, err := New("news", Config{WebhookURL: hook}, Options{Redactor: trustRedactor(), Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	err = n.Send(context.Background(), notify.Message{Entries: []notify.Entry{koreanEntry(1, 10, 10)}})
	if err == nil {
		t.Fatal("Send succeeded")
	}
	for _, sec := range []string{webhookToken, "hOoKtOkEn", trustLiteral, trustBotToken} {
		if strings.Contains(err.Error()+logs.String(), sec) {
			t.Errorf("error or log holds %q: %v\n%s", sec, err, logs)
		}
	}
	if retry, _ := notify.Retryable(err); retry {
		t.Errorf("a 404 is retryable: %v", err)
	}
}

// TestGatewayErrorsRedacted checks RunGateway's error does not carry the
// token when Discord refuses it (the fake echoes the Authorization
// header).
func TestGatewayErrorsRedacted(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "401: Unauthorized " + r.Header.Get("Authorization") + " at " + r.URL.Path})
	}))
	defer srv.Close()
	err := RunGateway(context.Background(), trustBotToken, "app1", "", &recorder{}, HandlerOptions{APIURL: srv.URL + "/api/v9"})
	if err == nil {
		t.Fatal("RunGateway succeeded against a 401")
	}
	if strings.Contains(err.Error(), trustBotToken) || strings.Contains(err.Error(), "GaBcDe") {
		t.Errorf("error holds the token: %v", err)
	}
}
