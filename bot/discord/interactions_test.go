package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/command"
)

// recorder is a command.Runner that records requests and can hold a
// command until released.
type recorder struct {
	mu      sync.Mutex
	reqs    []command.Request
	reply   command.Reply
	release chan struct{} // nil: answer at once
}

func (r *recorder) Run(ctx context.Context, req command.Request) command.Reply {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	if r.release != nil {
		select {
		case <-r.release:
		case <-ctx.Done():
		}
	}
	return r.reply
}

func (r *recorder) calls() []command.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]command.Request(nil), r.reqs...)
}

type signer struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newSigner(t *testing.T) signer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return signer{pub, priv}
}

// request builds a signed POST /discord/interactions.
func (s signer) request(body []byte, ts time.Time) *http.Request {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig := ed25519.Sign(s.priv, append([]byte(stamp), body...))
	r := httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	r.Header.Set("X-Signature-Timestamp", stamp)
	return r
}

func newHandler(t *testing.T, key ed25519.PublicKey, run command.Runner, f *fakeDiscord, clk *fakeClock, deferAfter time.Duration) *InteractionsHandler {
	t.Helper()
	h, err := NewInteractionsHandler(key, run, HandlerOptions{Now: clk.Now, APIURL: f.URL + "/api/v9", DeferAfter: deferAfter})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func interactionBody(t *testing.T, i *discordgo.Interaction) []byte {
	t.Helper()
	// Re-encode as Discord sends it: data as a plain object.
	raw, err := json.Marshal(struct {
		*discordgo.Interaction
		Data discordgo.ApplicationCommandInteractionData `json:"data"`
	}{i, i.ApplicationCommandData()})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

type callback struct {
	Type int `json:"type"`
	Data *struct {
		Content         string `json:"content"`
		Flags           int    `json:"flags"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	} `json:"data"`
}

func decodeCallback(t *testing.T, body []byte) callback {
	t.Helper()
	var c callback
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return c
}

func TestInteractionsEndpoint(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	clk := newFakeClock()
	now := clk.Now()
	list := interactionBody(t, commandInteraction(t, "list", nil))
	other := newSigner(t)
	tests := []struct {
		name    string
		req     func() *http.Request
		reply   command.Reply
		status  int
		want    string // exact body, when set
		typ     int
		flags   int
		content string
		runs    int
	}{
		{name: "ping", req: func() *http.Request {
			return s.request([]byte(`{"id":"1","application_id":"app1","type":1,"token":"t","version":1}`), now)
		},
			status: 200, want: `{"type":1}`},
		{name: "list", req: func() *http.Request { return s.request(list, now) }, reply: command.Reply{Text: "*ai-policy*: 반도체, AI"},
			status: 200, typ: 4, flags: 64, content: "**ai-policy**: 반도체, AI", runs: 1},
		{name: "public reply", req: func() *http.Request { return s.request(list, now.Add(-4*time.Minute)) }, reply: command.Reply{Text: "@everyone look", Public: true},
			status: 200, typ: 4, flags: 0, content: "@\u200beveryone look", runs: 1},
		{name: "forged signature", req: func() *http.Request { return other.request(list, now) }, status: 401},
		{name: "tampered body", req: func() *http.Request {
			r := s.request(list, now)
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(string(list), "list", "digest", 1)))
			return r
		}, status: 401},
		{name: "no signature", req: func() *http.Request {
			r := s.request(list, now)
			r.Header.Del("X-Signature-Ed25519")
			return r
		}, status: 401},
		{name: "stale", req: func() *http.Request { return s.request(list, now.Add(-6*time.Minute)) }, status: 401},
		{name: "future", req: func() *http.Request { return s.request(list, now.Add(6*time.Minute)) }, status: 401},
		{name: "get", req: func() *http.Request { return httptest.NewRequest(http.MethodGet, "/discord/interactions", nil) }, status: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDiscord(t)
			run := &recorder{reply: tt.reply}
			h := newHandler(t, s.pub, run, f, clk, time.Minute)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req())
			h.Wait()
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if got := len(run.calls()); got != tt.runs {
				t.Errorf("runner called %d times, want %d", got, tt.runs)
			}
			if len(f.requests()) != 0 {
				t.Errorf("REST calls for an immediate answer: %+v", f.requests())
			}
			if tt.status != 200 {
				return
			}
			validatePayload(t, schemaCallback, w.Body.Bytes())
			if tt.want != "" {
				if got := strings.TrimSpace(w.Body.String()); got != tt.want {
					t.Errorf("body %s, want %s", got, tt.want)
				}
				return
			}
			c := decodeCallback(t, w.Body.Bytes())
			if c.Type != tt.typ || c.Data == nil || c.Data.Flags != tt.flags || c.Data.Content != tt.content {
				t.Errorf("response %s", w.Body)
			}
			if c.Data.AllowedMentions == nil || c.Data.AllowedMentions.Parse == nil || len(c.Data.AllowedMentions.Parse) != 0 {
				t.Errorf("allowed_mentions not {parse: []}: %s", w.Body)
			}
			if req := run.calls()[0]; req.Text != "list" || req.Platform != "discord" || req.User != "u1" {
				t.Errorf("runner got %+v", req)
			}
		})
	}
}

func TestInteractionsDeferred(t *testing.T) {
	t.Parallel()
	for _, public := range []bool{false, true} {
		t.Run("public="+strconv.FormatBool(public), func(t *testing.T) {
			s := newSigner(t)
			clk := newFakeClock()
			f := newFakeDiscord(t)
			run := &recorder{reply: command.Reply{Text: "Digest sent: *3* items", Public: public}, release: make(chan struct{})}
			h := newHandler(t, s.pub, run, f, clk, time.Millisecond)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, s.request(interactionBody(t, commandInteraction(t, "digest", nil)), clk.Now()))
			c := decodeCallback(t, w.Body.Bytes())
			if w.Code != 200 || c.Type != 5 || c.Data == nil || c.Data.Flags != 64 {
				t.Fatalf("first response %d %s, want deferred ephemeral", w.Code, w.Body)
			}
			validatePayload(t, schemaCallback, w.Body.Bytes())
			close(run.release)
			h.Wait()
			reqs := f.requests()
			wantReqs := 1
			if public {
				wantReqs = 2
			}
			if len(reqs) != wantReqs {
				t.Fatalf("%d follow-up requests, want %d: %+v", len(reqs), wantReqs, reqs)
			}
			if reqs[0].Method != "PATCH" || reqs[0].Path != "/api/v9/webhooks/app1/itoken-SECRET/messages/@original" {
				t.Errorf("edit went to %s %s", reqs[0].Method, reqs[0].Path)
			}
			if public && (reqs[1].Method != "POST" || reqs[1].Path != "/api/v9/webhooks/app1/itoken-SECRET") {
				t.Errorf("public follow-up went to %s %s", reqs[1].Method, reqs[1].Path)
			}
			for _, r := range reqs {
				if !bytes.Contains(r.Body, []byte(`"content":"Digest sent: **3** items"`)) || !bytes.Contains(r.Body, []byte(`"parse":[]`)) {
					t.Errorf("follow-up body %s", r.Body)
				}
				if r.Header.Get("Authorization") != "" {
					t.Error("follow-up sent an Authorization header")
				}
			}
			f.validateAll(t)
		})
	}
}

func TestGatewayInteraction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply command.Reply
		flags int
	}{
		{"ephemeral", command.Reply{Text: "Watching *반도체*."}, 64},
		{"public", command.Reply{Text: "Recent: 3 items", Public: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDiscord(t)
			s, err := newSession(botToken, f.URL+"/api/v9", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			run := &recorder{reply: tt.reply}
			d := &dispatcher{runner: run, rest: s, logger: discardLogger(), deferAfter: time.Minute}
			i := commandInteraction(t, "add", map[string]string{"query": "반도체", "watch": "chips"})
			d.onInteraction(context.Background())(s, &discordgo.InteractionCreate{Interaction: i})
			d.wg.Wait()
			if calls := run.calls(); len(calls) != 1 || calls[0].Text != "add 반도체 to chips" {
				t.Fatalf("runner got %+v", calls)
			}
			reqs := f.requests()
			if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/api/v9/interactions/in1/itoken-SECRET/callback" {
				t.Fatalf("requests %+v", reqs)
			}
			c := decodeCallback(t, reqs[0].Body)
			if c.Type != 4 || c.Data == nil || c.Data.Flags != tt.flags || c.Data.Content != replyMarkdown(tt.reply.Text, maxContent) {
				t.Errorf("callback %s", reqs[0].Body)
			}
			f.validateAll(t)
		})
	}
}

func TestNewInteractionsHandlerValidates(t *testing.T) {
	t.Parallel()
	if _, err := NewInteractionsHandler(ed25519.PublicKey("short"), &recorder{}, HandlerOptions{}); err == nil {
		t.Error("accepted a short public key")
	}
	if _, err := ParsePublicKey("zz"); err == nil {
		t.Error("ParsePublicKey accepted zz")
	}
	s := newSigner(t)
	k, err := ParsePublicKey(hex.EncodeToString(s.pub))
	if err != nil || !bytes.Equal(k, s.pub) {
		t.Errorf("ParsePublicKey = %x, %v", k, err)
	}
}
