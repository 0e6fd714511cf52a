package discord

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/newshound/newshound/bot/command"
)

// fakeGateway is a Discord REST API and gateway that accepts /news
// registration, completes the hello/identify/ready handshake and then
// sends one /news help interaction. closed is closed when the client has
// dropped the websocket connection.
type fakeGateway struct {
	srv    *httptest.Server
	closed chan struct{}
	conns  atomic.Int32
	// event is the interaction the gateway sends ("" is /news help).
	event string
	// posts receives each REST POST's path and body (interaction
	// responses among them) when set.
	posts chan [2]string
}

func newFakeGateway(t *testing.T) *fakeGateway {
	t.Helper()
	return startFakeGateway(t, &fakeGateway{})
}

// startFakeGateway serves g, whose event and posts may be set.
func startFakeGateway(t *testing.T, g *fakeGateway) *fakeGateway {
	t.Helper()
	g.closed = make(chan struct{})
	up := websocket.Upgrader{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/ws"):
			if g.conns.Add(1) > 1 { // a reconnect: the test saw to it there is none
				t.Errorf("the client connected to the gateway again")
				http.Error(w, "one session only", http.StatusServiceUnavailable)
				return
			}
			g.serveWS(t, up, w, r)
		case strings.HasSuffix(r.URL.Path, "/gateway"):
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"url": "ws" + strings.TrimPrefix(g.srv.URL, "http") + "/ws"})
		default: // command registration, interaction responses
			if g.posts != nil && r.Method == http.MethodPost {
				b, _ := io.ReadAll(r.Body)
				g.posts <- [2]string{r.URL.Path, string(b)}
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("[]"))
		}
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGateway) serveWS(t *testing.T, up websocket.Upgrader, w http.ResponseWriter, r *http.Request) {
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		t.Errorf("upgrade: %v", err)
		return
	}
	defer c.Close()
	defer close(g.closed)
	send := func(v string) bool {
		if err := c.WriteMessage(websocket.TextMessage, []byte(v)); err != nil {
			t.Errorf("gateway write: %v", err)
			return false
		}
		return true
	}
	if !send(`{"op":10,"d":{"heartbeat_interval":45000}}`) {
		return
	}
	if _, msg, err := c.ReadMessage(); err != nil || !strings.Contains(string(msg), `"op":2`) {
		t.Errorf("want identify, got %s, %v", msg, err)
		return
	}
	if !send(`{"op":0,"s":1,"t":"READY","d":{"v":10,"session_id":"s1","user":{"id":"1","username":"bot"},"guilds":[]}}`) {
		return
	}
	// Ack the first heartbeat (sent as the heartbeat loop starts), so no
	// heartbeat is under way when the session closes: discordgo reconnects
	// when one fails.
	if _, msg, err := c.ReadMessage(); err != nil || !strings.Contains(string(msg), `"op":1`) {
		t.Errorf("want heartbeat, got %s, %v", msg, err)
		return
	}
	if !send(`{"op":11}`) {
		return
	}
	event := g.event
	if event == "" {
		event = `{"id":"i1","application_id":"app1","type":2,"token":"itok","guild_id":"g1","channel_id":"c1",` +
			`"member":{"user":{"id":"u1","username":"someone"}},"data":{"id":"d1","name":"news","type":1,"options":[{"name":"help","type":1}]}}`
	}
	if !send(`{"op":0,"s":2,"t":"INTERACTION_CREATE","d":` + event + `}`) {
		return
	}
	for { // until the client sends its close frame
		if _, _, err := c.ReadMessage(); err != nil {
			break
		}
	}
	// and then drops the connection, which ends Session.Close.
	_, _ = io.Copy(io.Discard, c.NetConn())
}

// slowRunner blocks every command until release is closed, whatever its
// context says, like a command finishing a store write.
type slowRunner struct {
	started  chan struct{}
	release  chan struct{}
	finished atomic.Bool
}

func (r *slowRunner) Run(context.Context, command.Request) command.Reply {
	close(r.started)
	<-r.release
	r.finished.Store(true)
	return command.Reply{Text: "done"}
}

// TestGatewayWaitsForCommands checks that RunGateway, once its context
// ends, closes the session and returns only after the commands it took
// have finished, so the caller may close the store they use.
func TestGatewayWaitsForCommands(t *testing.T) {
	t.Parallel()
	g := newFakeGateway(t)
	r := &slowRunner{started: make(chan struct{}), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan error, 1)
	go func() {
		returned <- RunGateway(ctx, "bot-token", "app1", "g1", r, HandlerOptions{APIURL: g.srv.URL + "/api/v9", DeferAfter: time.Hour})
	}()
	select {
	case <-r.started:
	case err := <-returned:
		t.Fatalf("RunGateway returned before the command ran: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the interaction never reached the runner")
	}
	cancel()
	select {
	case <-g.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the session was not closed after the context ended")
	}
	// The session is closed; the command is still running, so RunGateway
	// must still be waiting. (A bounded wait: a wrong return shows up
	// within it, a right one never does.)
	select {
	case err := <-returned:
		t.Fatalf("RunGateway returned while a command was running: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(r.release)
	select {
	case err := <-returned:
		if err != nil {
			t.Errorf("RunGateway: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunGateway did not return after the command finished")
	}
	if !r.finished.Load() {
		t.Error("RunGateway returned before the command finished")
	}
}

// actingRunner takes button clicks and records them.
type actingRunner struct {
	acts chan command.Action
	reqs chan command.Request
}

func (r *actingRunner) Run(context.Context, command.Request) command.Reply {
	return command.Reply{Text: "not a command test"}
}

func (r *actingRunner) Act(_ context.Context, req command.Request, a command.Action) command.Reply {
	r.reqs <- req
	r.acts <- a
	return command.Reply{Text: "Muted this story here."}
}

// TestGatewayButton clicks Mute story over the gateway: the core gets the
// action with who clicked where, and the clicker alone gets the reply as
// the interaction's response.
func TestGatewayButton(t *testing.T) {
	t.Parallel()
	value := command.Action{Kind: command.ActionMuteStory, Row: 42}.String()
	g := startFakeGateway(t, &fakeGateway{
		event: `{"id":"i2","application_id":"app1","type":3,"token":"ctok","guild_id":"g1","channel_id":"c1",` +
			`"member":{"user":{"id":"u1","username":"someone"},"roles":["r1"]},"message":{"id":"m1","channel_id":"c1"},` +
			`"data":{"custom_id":"` + value + `","component_type":2}}`,
		posts: make(chan [2]string, 8),
	})
	r := &actingRunner{acts: make(chan command.Action, 1), reqs: make(chan command.Request, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan error, 1)
	go func() {
		returned <- RunGateway(ctx, "bot-token", "app1", "g1", r, HandlerOptions{APIURL: g.srv.URL + "/api/v9", DeferAfter: time.Hour})
	}()
	select {
	case a := <-r.acts:
		if a.Kind != command.ActionMuteStory || a.Row != 42 {
			t.Errorf("action = %+v", a)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the click never reached the core")
	}
	if req := <-r.reqs; req.Platform != Platform || req.User != "u1" || req.ChannelID != "c1" || len(req.Roles) != 1 {
		t.Errorf("request = %+v", req)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case p := <-g.posts:
			if !strings.Contains(p[0], "/interactions/i2/ctok/callback") {
				continue
			}
			var resp struct {
				Type int `json:"type"`
				Data struct {
					Content string `json:"content"`
					Flags   int    `json:"flags"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(p[1]), &resp); err != nil {
				t.Fatalf("response %s: %v", p[1], err)
			}
			if resp.Type != 4 || resp.Data.Flags&64 == 0 || !strings.Contains(resp.Data.Content, "Muted this story here.") {
				t.Errorf("response = %s, want an ephemeral message with the reply", p[1])
			}
			cancel()
			<-returned
			return
		case <-deadline:
			t.Fatal("the clicker got no response")
		}
	}
}
