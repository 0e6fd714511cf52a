package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/notify"
)

// TestSendRefAndEdit: chat.postMessage gives the message's reference,
// chat.update edits that channel and ts, message_not_found is ErrGone,
// and an incoming webhook has no reference to edit by.
func TestSendRefAndEdit(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var updates []url.Values
	answers := []string{`{"ok":true}`, `{"ok":false,"error":"message_not_found"}`, `{"ok":false,"error":"ratelimited"}`}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		w.Header().Set("Content-Type", "application/json")
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, "/chat.postMessage"):
			fmt.Fprint(w, `{"ok":true,"channel":"C9","ts":"1700000000.000200"}`)
		case strings.HasSuffix(r.URL.Path, "/chat.update"):
			updates = append(updates, form)
			fmt.Fprint(w, answers[0])
			answers = answers[1:]
		}
	}))
	defer api.Close()
	n, err := New("desk", Config{Channel: "C9", APIURL: api.URL + "/api/"}, Options{Token: "xoxb-1", Pacer: notify.NewPacer(100, time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	m := notify.Message{Header: "반도체: 1 new", Entries: []notify.Entry{{Watch: "반도체", Source: "연합뉴스", Title: "정부, 반도체 특별법 촉구", Link: "https://a.example/1", Published: time.Now()}}}
	ref, err := n.SendRef(t.Context(), m)
	if err != nil || ref != "C9 1700000000.000200" {
		t.Fatalf("SendRef = %q, %v", ref, err)
	}
	m.Entries[0].Also = []notify.Source{{Name: "한겨레"}}
	if err := n.Edit(t.Context(), ref, m); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	if err := n.Edit(t.Context(), ref, m); !errors.Is(err, notify.ErrGone) {
		t.Errorf("message_not_found: %v, want ErrGone", err)
	}
	if err := n.Edit(t.Context(), ref, m); errors.Is(err, notify.ErrGone) {
		t.Errorf("ratelimited is not gone: %v", err)
	} else if retry, _ := notify.Retryable(err); !retry {
		t.Errorf("ratelimited: %v, want retryable", err)
	}
	if err := n.Edit(t.Context(), "no-space", m); err == nil {
		t.Error("a malformed reference was accepted")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(updates) != 3 || updates[0].Get("channel") != "C9" || updates[0].Get("ts") != "1700000000.000200" || !strings.Contains(updates[0].Get("blocks"), "한겨레") {
		t.Errorf("chat.update requests: %v", updates)
	}

	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") }))
	defer hook.Close()
	wh, err := New("hook", Config{WebhookURL: hook.URL + "/services/T/B/x"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ref, err := wh.SendRef(t.Context(), m); err != nil || ref != "" {
		t.Errorf("webhook SendRef = %q, %v; want no reference", ref, err)
	}
	if err := wh.Edit(t.Context(), "C9 1", m); err == nil || errors.Is(err, notify.ErrGone) {
		t.Errorf("webhook Edit: %v, want a permanent error", err)
	}
}

// FuzzBlockAction feeds arbitrary interaction payloads to the parser of
// /slack/interactions and Socket Mode: it never panics, and whatever it
// accepts is a newshound action from a block_actions payload.
func FuzzBlockAction(f *testing.F) {
	f.Add(`{"type":"block_actions","user":{"id":"U1","name":"kim"},"channel":{"id":"C1"},"response_url":"https://hooks.slack.com/actions/1","actions":[{"action_id":"newshound_mute_story","block_id":"b","value":"nh1:ms:12"}]}`)
	f.Add(`{"type":"block_actions","actions":[{"action_id":"other","block_id":"b","value":"x"},{"action_id":"newshound_exclude_0","block_id":"b","value":"nh1:ex:3:삼성전자"}]}`)
	f.Add(`{"type":"view_submission"}`)
	f.Add(`{"type":"block_actions","actions":[null]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, payload string) {
		req, act, _, err := blockAction([]byte(payload))
		if err != nil {
			return
		}
		if req.Platform != "slack" || act.Row <= 0 {
			t.Errorf("accepted %q as %+v %+v", payload, req, act)
		}
		if _, perr := command.ParseAction(act.String()); perr != nil {
			t.Errorf("accepted an action that does not round-trip: %+v", act)
		}
	})
}

// TestAlertButtons: a bot-token alert of one story carries the three
// buttons with the story's row; a digest and a webhook alert carry none.
func TestAlertButtons(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var posted []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		mu.Lock()
		posted = append(posted, form.Get("blocks"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"channel":"C9","ts":"1.2"}`)
	}))
	defer api.Close()
	n, err := New("desk", Config{Channel: "C9", APIURL: api.URL + "/api/"}, Options{Token: "xoxb-1", Pacer: notify.NewPacer(100, time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	e := notify.Entry{ID: 77, Watch: "chips", Title: "삼성전자 HBM", Link: "https://a.example/1", Published: time.Now()}
	if err := n.Send(t.Context(), notify.Message{Header: "chips: 1 new", Entries: []notify.Entry{e}}); err != nil {
		t.Fatal(err)
	}
	e2 := e
	e2.ID = 78
	if err := n.Send(t.Context(), notify.Message{Header: "chips: 2 new", Entries: []notify.Entry{e, e2}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{`"action_id":"newshound_mute_story"`, `"value":"nh1:ms:77"`, `"value":"nh1:nr:77"`, `"value":"nh1:mw:77"`} {
		if !strings.Contains(posted[0], want) {
			t.Errorf("alert blocks lack %s: %s", want, posted[0])
		}
	}
	if strings.Contains(posted[1], "newshound_mute_story") {
		t.Errorf("a digest carries alert buttons: %s", posted[1])
	}
}

// TestActionReplyButtons: a click's reply is ephemeral, never replaces
// the alert, and shows the exclude: buttons with their action values.
func TestActionReplyButtons(t *testing.T) {
	t.Parallel()
	d := newDispatcher(command.RunnerFunc(func(context.Context, command.Request) command.Reply { return command.Reply{} }), HandlerOptions{})
	c := d.actionReply(command.Reply{Text: "Noted.", Public: true, Buttons: []command.Button{
		{Label: "exclude: 삼성전자", Value: "nh1:ex:3:삼성전자"}, {Label: "exclude: HBM", Value: "nh1:ex:3:HBM"},
	}})
	b := string(c.json())
	for _, want := range []string{`"response_type":"ephemeral"`, `"replace_original":false`, `"value":"nh1:ex:3:삼성전자"`, `"action_id":"newshound_exclude_1"`, `exclude: HBM`} {
		if !strings.Contains(b, want) {
			t.Errorf("reply lacks %s: %s", want, b)
		}
	}
}
