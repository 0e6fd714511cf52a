package discord

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/notify"
)

// TestWebhookSendRefAndEdit: a webhook post keeps the message's ID and an
// edit PATCHes /webhooks/{id}/{token}/messages/{message_id} (thread_id
// kept, wait dropped) with a payload the spec accepts; a 404 is ErrGone
// and a 429 is retryable after Discord's retry_after.
func TestWebhookSendRefAndEdit(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t,
		canned{status: 200, body: `{"id":"111222333","channel_id":"7"}`},
		canned{},
		canned{status: 429, body: `{"message":"rate limited","retry_after":2.5,"global":false}`},
		canned{status: 404, body: `{"message":"Unknown Message","code":10008}`},
	)
	clk := newFakeClock()
	var logs bytes.Buffer
	n := newWebhook(t, f, clk, &logs, nil)
	m := notify.Message{Header: "반도체: 1 new", Entries: []notify.Entry{koreanEntry(1, 30, 200)}}
	ref, err := n.SendRef(t.Context(), m)
	if err != nil || ref != "111222333" {
		t.Fatalf("SendRef = %q, %v; want the message ID", ref, err)
	}
	m.Entries[0].Also = []notify.Source{{Name: "한겨레", Link: "https://hani.example/1"}}
	m.Entries[0].LastSeen = m.Entries[0].Published.Add(90 * 60e9)
	if err := n.Edit(t.Context(), ref, m); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	err = n.Edit(t.Context(), ref, m)
	if retry, after := notify.Retryable(err); !retry || after < 2e9 {
		t.Errorf("429 on an edit: retry %v after %v, want retryable after 2.5 s (%v)", retry, after, err)
	}
	if err := n.Edit(t.Context(), ref, m); !errors.Is(err, notify.ErrGone) {
		t.Errorf("404 on an edit: %v, want ErrGone", err)
	}
	if err := n.Edit(t.Context(), "../../x", m); err == nil || errors.Is(err, notify.ErrGone) {
		t.Errorf("a reference that is no ID: %v, want a permanent error", err)
	}
	reqs := f.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	edit := reqs[1]
	if edit.Method != "PATCH" || edit.Path != "/api/webhooks/42/"+webhookToken+"/messages/111222333" || edit.RawQuery != "thread_id=7" {
		t.Errorf("edit request %s %s?%s", edit.Method, edit.Path, edit.RawQuery)
	}
	if !strings.Contains(string(edit.Body), "한겨레") || !strings.Contains(string(edit.Body), "last seen") {
		t.Errorf("edit body lacks the new outlet or the spread: %s", edit.Body)
	}
	if strings.Contains(logs.String(), webhookToken) {
		t.Errorf("logs leak the webhook token: %s", logs.String())
	}
	f.validateAll(t)
}

// TestBotChannelEdit: a bot channel keeps the created message's ID and
// edits it with PATCH /channels/{id}/messages/{message_id}.
func TestBotChannelEdit(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t, canned{status: 200, body: `{"id":"555","channel_id":"123"}`}, canned{status: 200, body: `{"id":"555","channel_id":"123"}`},
		canned{status: 404, body: `{"message":"Unknown Message","code":10008}`})
	n := newBot(t, f, newFakeClock())
	m := notify.Message{Header: "반도체: 1 new", Entries: []notify.Entry{koreanEntry(2, 30, 200)}}
	ref, err := n.SendRef(t.Context(), m)
	if err != nil || ref != "555" {
		t.Fatalf("SendRef = %q, %v", ref, err)
	}
	if err := n.Edit(t.Context(), ref, m); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	if err := n.Edit(t.Context(), ref, m); !errors.Is(err, notify.ErrGone) {
		t.Errorf("404 on a bot edit: %v, want ErrGone", err)
	}
	reqs := f.requests()
	if reqs[1].Method != "PATCH" || reqs[1].Path != "/api/v9/channels/123/messages/555" {
		t.Errorf("edit request %s %s", reqs[1].Method, reqs[1].Path)
	}
	f.validateAll(t)
}

// TestBotAlertButtons: a bot-channel alert of one story carries the three
// buttons (valid against the spec), an edit keeps them.
func TestBotAlertButtons(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t, canned{status: 200, body: `{"id":"556","channel_id":"123"}`})
	n := newBot(t, f, newFakeClock())
	e := koreanEntry(3, 30, 200)
	e.ID = 41
	m := notify.Message{Header: "반도체: 1 new", Entries: []notify.Entry{e}}
	ref, err := n.SendRef(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Edit(t.Context(), ref, m); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.requests() {
		for _, want := range []string{`"custom_id":"nh1:ms:41"`, `"custom_id":"nh1:nr:41"`, `"custom_id":"nh1:mw:41"`} {
			if !strings.Contains(string(r.Body), want) {
				t.Errorf("%s %s lacks %s: %s", r.Method, r.Path, want, r.Body)
			}
		}
	}
	f.validateAll(t)
}

// FuzzParseComponent decodes arbitrary interaction JSON as the endpoint
// does and parses it as a button click: no panic, and only newshound
// actions from buttons are accepted.
func FuzzParseComponent(f *testing.F) {
	f.Add(`{"type":3,"id":"1","application_id":"2","token":"t","channel_id":"5","member":{"user":{"id":"U"}},"data":{"custom_id":"nh1:ms:9","component_type":2}}`)
	f.Add(`{"type":3,"data":{"custom_id":"nh1:ex:9:삼성","component_type":2}}`)
	f.Add(`{"type":3,"data":{"custom_id":"nh1:ms:9","component_type":3,"values":["a"]}}`)
	f.Add(`{"type":2,"data":{"name":"news"}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var i discordgo.Interaction
		if json.Unmarshal([]byte(body), &i) != nil {
			return
		}
		req, a, err := parseComponent(&i)
		if err != nil {
			return
		}
		if req.Platform != "discord" || a.Row <= 0 {
			t.Errorf("accepted %q as %+v %+v", body, req, a)
		}
	})
}
