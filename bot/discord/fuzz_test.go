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
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/command"
)

// fuzzTarget is the HTTP endpoint and the gateway handler, sharing one
// counting guard, over a Discord fake that accepts everything.
type fuzzTarget struct {
	priv ed25519.PrivateKey
	h    *InteractionsHandler
	d    *dispatcher
	g    *countingGuard
}

func newFuzzTarget(f *testing.F) *fuzzTarget {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if strings.HasSuffix(r.URL.Path, "/callback") {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"900","channel_id":"123"}`)
	}))
	f.Cleanup(srv.Close)
	// The runner echoes what it got, so replies carry fuzzed text through
	// rendering and redaction.
	run := command.RunnerFunc(func(_ context.Context, req command.Request) command.Reply {
		return command.Reply{Text: req.Text + " " + req.UserName + " " + strings.Join(req.Roles, ","), Public: len(req.Text)%2 == 0}
	})
	red := trustRedactor()
	g := newCountingGuard(f, red)
	logs := &syncBuffer{}
	h, err := NewInteractionsHandler(pub, run, HandlerOptions{APIURL: srv.URL + "/api/v9", DeferAfter: time.Minute, Redactor: red, Guard: g.Guard})
	if err != nil {
		f.Fatal(err)
	}
	return &fuzzTarget{priv: priv, h: h, d: gatewayDispatcher(f, run, srv.URL+"/api/v9", g, logs), g: g}
}

// check sends body, signed, through the HTTP endpoint and, when it
// decodes, through the gateway handler; then ic (when not nil) through
// the gateway handler. Nothing may panic, and the endpoint answers 200
// with an interaction response or 400.
func (ft *fuzzTarget) check(t *testing.T, body []byte, ic *discordgo.InteractionCreate) {
	before := ft.g.panics(t)
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(body))
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(ft.priv, append([]byte(stamp), body...))))
	req.Header.Set("X-Signature-Timestamp", stamp)
	w := httptest.NewRecorder()
	ft.h.ServeHTTP(w, req)
	ft.h.Wait()
	switch w.Code {
	case http.StatusOK:
		var resp struct {
			Type int `json:"type"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || (resp.Type != 1 && resp.Type != 4) {
			t.Fatalf("body %q: answer %s", body, w.Body)
		}
	case http.StatusBadRequest:
	default:
		t.Fatalf("body %q: status %d %s", body, w.Code, w.Body)
	}
	var i discordgo.Interaction
	if json.Unmarshal(body, &i) == nil {
		ft.d.onInteraction(context.Background())(nil, &discordgo.InteractionCreate{Interaction: &i})
	}
	if ic != nil {
		ft.d.onInteraction(context.Background())(nil, ic)
	}
	ft.d.wg.Wait()
	if n := ft.g.panics(t); n != before {
		t.Fatalf("body %q: a handler panicked:\n%s", body, ft.g.logs)
	}
}

// seedBody is a /news interaction as Discord sends it.
func seedBody(sub string, opts map[string]string) []byte {
	var options []any
	for k, v := range opts {
		options = append(options, map[string]any{"name": k, "type": 3, "value": v})
	}
	top := map[string]any{"name": sub, "type": 1, "options": options}
	if group, name, ok := strings.Cut(sub, " "); ok {
		top = map[string]any{"name": group, "type": 2, "options": []any{map[string]any{"name": name, "type": 1, "options": options}}}
	}
	b, _ := json.Marshal(map[string]any{
		"id": "in1", "application_id": "app1", "type": 2, "token": "itoken-SECRET", "channel_id": "c1",
		"member": map[string]any{"nick": "김기자", "roles": []string{"r1"}, "user": map[string]any{"id": "u1", "username": "kim"}},
		"data":   map[string]any{"id": "cmd1", "name": "news", "type": 1, "options": []any{top}},
	})
	return b
}

// FuzzInteraction sends arbitrary, correctly signed bodies to the
// interactions endpoint and the gateway handler.
func FuzzInteraction(f *testing.F) {
	for _, tc := range malformed {
		f.Add([]byte(tc.body))
	}
	for _, sc := range subcommands() {
		opts := map[string]string{}
		for _, o := range sc.opts {
			opts[o.name] = "반도체 to \"x\""
		}
		f.Add(seedBody(sc.words, opts))
	}
	f.Add([]byte(`{"type":1}`))
	f.Add([]byte(`{"type":4,"data":{"name":"news","options":[{"name":"add","type":1,"focused":true}]}}`))
	f.Add([]byte(`{"type":5,"data":{"custom_id":"m","components":[{"type":1,"components":[{"type":4}]}]}}`))
	f.Add([]byte(`{"type":2,"message":{"id":"1","embeds":[null]},"member":{"user":null,"roles":null},"data":{"name":"news","resolved":{"users":{"1":null}},"options":[{"name":"list","type":1,"options":null}]}}`))
	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ft.check(t, body, nil)
	})
}

// FuzzInteractionFields builds /news interactions from fuzzed fields,
// each of which may be empty, missing, null or oversized, and sends them
// as JSON and as a constructed *discordgo.InteractionCreate.
func FuzzInteractionFields(f *testing.F) {
	f.Add("news", "add", "query", "반도체", "", uint16(0))
	f.Add("news", "", "", "", "", uint16(0))
	f.Add("news", "feed", "add", "https://example.com/rss", "url", uint16(1<<0))
	f.Add("news", "mute", "duration", "2h", "target", uint16(1<<1|1<<2))
	f.Add("", "", "", "", "", uint16(0xffff))
	f.Add("news", "test", "text", "x", "", uint16(1<<8|7<<9))
	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, name, first, optName, value, nick string, shape uint16) {
		bit := func(k int) bool { return shape&(1<<k) != 0 }
		if n := int(shape>>9) & 7; n > 0 {
			value = strings.Repeat(value+"가", n*300) // oversized
		}
		opt := map[string]any{"name": optName, "type": 3, "value": value}
		if bit(3) {
			opt["value"] = len(value) // a number where a string belongs
		}
		var opts []any
		if !bit(4) {
			opts = append(opts, opt)
		}
		if bit(5) {
			opts = append(opts, nil)
		}
		top := map[string]any{"name": first, "type": 1, "options": opts}
		if bit(0) { // a group: first is the group, optName the subcommand
			top = map[string]any{"name": first, "type": 2, "options": []any{map[string]any{"name": optName, "type": 1, "options": []any{map[string]any{"name": "url", "type": 3, "value": value}}}}}
		}
		data := map[string]any{"name": name, "type": 1, "options": []any{top}}
		if bit(6) {
			data["options"] = nil
		}
		msg := map[string]any{"type": 2, "id": "in1", "application_id": "app1", "token": "itoken-SECRET", "channel_id": nick, "data": data}
		if bit(7) {
			msg["data"] = nil
		}
		switch {
		case bit(1):
			msg["member"] = map[string]any{"nick": nick, "roles": []string{nick}, "user": nil}
		case bit(2):
			msg["user"] = map[string]any{"id": nick, "username": nick}
		case bit(8):
			msg["member"] = nil
		default:
			msg["member"] = map[string]any{"nick": nick, "user": map[string]any{"id": "u1", "global_name": nick}}
		}
		body, err := json.Marshal(msg)
		if err != nil {
			t.Skip("not encodable")
		}

		// The same shape built directly, as a gateway event could carry it
		// once decoded, with nil pointers JSON cannot express.
		var sub []*discordgo.ApplicationCommandInteractionDataOption
		if !bit(4) {
			sub = append(sub, &discordgo.ApplicationCommandInteractionDataOption{Name: optName, Type: discordgo.ApplicationCommandOptionString, Value: opt["value"]})
		}
		if bit(5) {
			sub = append(sub, nil)
		}
		topOpt := &discordgo.ApplicationCommandInteractionDataOption{Name: first, Type: discordgo.ApplicationCommandOptionSubCommand, Options: sub}
		if bit(0) {
			topOpt = &discordgo.ApplicationCommandInteractionDataOption{Name: first, Type: discordgo.ApplicationCommandOptionSubCommandGroup,
				Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: optName, Options: sub}}}
		}
		i := &discordgo.Interaction{ID: "in1", AppID: "app1", Token: "itoken-SECRET", Type: discordgo.InteractionApplicationCommand, ChannelID: nick}
		if !bit(7) {
			d := discordgo.ApplicationCommandInteractionData{Name: name}
			if !bit(6) {
				d.Options = []*discordgo.ApplicationCommandInteractionDataOption{topOpt}
			}
			i.Data = d
		}
		switch {
		case bit(1):
			i.Member = &discordgo.Member{Nick: nick}
		case bit(2):
			i.User = &discordgo.User{ID: nick}
		}
		ft.check(t, body, &discordgo.InteractionCreate{Interaction: i})
	})
}
