package slack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/newshound/newshound/bot/command"
)

const appToken = "xapp-1-SECRET-APP-TOKEN"

// fakeSocketSlack answers apps.connections.open with its own /ws, where it
// says hello, sends one slash command envelope and forwards what the
// client sends back.
func fakeSocketSlack(t *testing.T, envelope string) (*httptest.Server, <-chan []byte) {
	t.Helper()
	acks := make(chan []byte, 4)
	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/apps.connections.open" {
			if r.Header.Get("Authorization") != "Bearer "+appToken {
				_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_auth"})
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": "ws://" + r.Host + "/ws"})
			return
		}
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		for _, msg := range []string{`{"type":"hello","num_connections":1}`, envelope} {
			if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
				return
			}
		}
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				return
			}
			acks <- b
		}
	}))
	t.Cleanup(srv.Close)
	return srv, acks
}

func TestSocketModeSlashCommand(t *testing.T) {
	t.Parallel()
	envelope := `{"envelope_id":"e1","type":"slash_commands","accepts_response_payload":true,"payload":{` +
		`"token":"x","team_id":"T1","channel_id":"C42","channel_name":"news","user_id":"U7","user_name":"kim",` +
		`"command":"/news","text":"list","response_url":"https://hooks.slack.com/commands/T1/1/x","trigger_id":"1.2.3"}}`
	srv, acks := fakeSocketSlack(t, envelope)
	r := &recordingRunner{reply: command.Reply{Text: "*ai-policy*: 반도체 <!here>"}}
	log, logs := testLogger()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunSocketMode(ctx, appToken, "xoxb-bot", r, HandlerOptions{APIURL: srv.URL, Logger: log})
	}()

	select {
	case b := <-acks:
		var ack struct {
			EnvelopeID string       `json:"envelope_id"`
			Payload    commandReply `json:"payload"`
		}
		if err := json.Unmarshal(b, &ack); err != nil {
			t.Fatalf("ack is not JSON: %v: %s", err, b)
		}
		if ack.EnvelopeID != "e1" || ack.Payload.ResponseType != "ephemeral" || ack.Payload.Text != "*ai-policy*: 반도체 &lt;!here&gt;" {
			t.Errorf("ack = %s", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no acknowledgement")
	}
	want := command.Request{Platform: "slack", User: "U7", UserName: "kim", ChannelID: "C42", ChannelName: "news", Text: "list"}
	if calls := r.calls(); len(calls) != 1 || !equalRequest(calls[0], want) {
		t.Errorf("runner got %+v, want %+v", calls, want)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunSocketMode after cancel = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunSocketMode did not return after cancel")
	}
	if strings.Contains(logs.String(), "SECRET-APP-TOKEN") {
		t.Error("app token logged")
	}
}

func TestSocketModeBadToken(t *testing.T) {
	t.Parallel()
	srv, _ := fakeSocketSlack(t, "")
	log, logs := testLogger()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := RunSocketMode(ctx, "xapp-1-WRONG-SECRET", "xoxb-bot", &recordingRunner{}, HandlerOptions{APIURL: srv.URL, Logger: log})
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("RunSocketMode = %v, want an invalid_auth error before the deadline", err)
	}
	if strings.Contains(err.Error()+logs.String(), "WRONG-SECRET") {
		t.Error("app token leaked")
	}
	if err := RunSocketMode(ctx, "", "xoxb-bot", &recordingRunner{}, HandlerOptions{APIURL: srv.URL, Logger: log}); err == nil {
		t.Error("RunSocketMode without an app token = nil")
	}
}

// actingRunner is a runner that also takes button clicks.
type actingRunner struct {
	recordingRunner
	acts chan command.Action
}

func (r *actingRunner) Act(_ context.Context, req command.Request, a command.Action) command.Reply {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	r.acts <- a
	return command.Reply{Text: "Muted this story here."}
}

// TestSocketModeButton clicks Mute story over Socket Mode: the envelope is
// acknowledged, the core gets the action with who clicked where, and the
// reply goes to the clicker through the interaction's response_url.
func TestSocketModeButton(t *testing.T) {
	t.Parallel()
	replies := make(chan []byte, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		replies <- b
	}))
	defer hook.Close()
	value := command.Action{Kind: command.ActionMuteStory, Row: 42}.String()
	payload := `{"type":"block_actions","user":{"id":"U7","name":"kim"},"channel":{"id":"C42","name":"news"},` +
		`"response_url":"` + hook.URL + `/actions/T1/1/x","actions":[{"action_id":"newshound_mute_story","block_id":"newshound_alert","type":"button","value":"` + value + `"}]}`
	srv, acks := fakeSocketSlack(t, `{"envelope_id":"e2","type":"interactive","accepts_response_payload":false,"payload":`+payload+`}`)
	r := &actingRunner{acts: make(chan command.Action, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log, _ := testLogger()
	done := make(chan error, 1)
	go func() {
		done <- RunSocketMode(ctx, appToken, "xoxb-bot", r, HandlerOptions{APIURL: srv.URL, Logger: log})
	}()

	select {
	case b := <-acks:
		if !strings.Contains(string(b), `"envelope_id":"e2"`) {
			t.Errorf("ack = %s", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the click was not acknowledged")
	}
	select {
	case a := <-r.acts:
		if a.Kind != command.ActionMuteStory || a.Row != 42 {
			t.Errorf("action = %+v", a)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the core got no action")
	}
	if calls := r.calls(); len(calls) != 1 || calls[0].User != "U7" || calls[0].ChannelID != "C42" || calls[0].Platform != Platform {
		t.Errorf("request = %+v", calls)
	}
	select {
	case b := <-replies:
		if !strings.Contains(string(b), "Muted this story here.") || !strings.Contains(string(b), `"response_type":"ephemeral"`) {
			t.Errorf("reply = %s", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no reply to the clicker")
	}
	cancel()
	<-done
}
