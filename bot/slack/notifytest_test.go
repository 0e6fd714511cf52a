package slack

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/bot/notify/notifytest"
)

// Slack's published limits, checked on the wire independently of the
// renderer's own (tighter) constants.
const (
	wireMaxBlocks     = 50
	wireMaxHeader     = 150
	wireMaxSection    = 3000
	wireMaxBlocksJSON = 13200 // msg_blocks_too_long above about this
	wireMaxText       = 40000
)

// wireMessage is a received Slack message, from a webhook's JSON body or
// chat.postMessage's form.
type wireMessage struct {
	Text   string            `json:"text"`
	Blocks []json.RawMessage `json:"blocks"`
}

func decodeWire(body []byte) (wireMessage, error) {
	var w wireMessage
	if json.Valid(body) {
		err := json.Unmarshal(body, &w)
		return w, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return w, err
	}
	w.Text = form.Get("text")
	if b := form.Get("blocks"); b != "" {
		err = json.Unmarshal([]byte(b), &w.Blocks)
	}
	return w, err
}

// checkSlackLimits checks one received message against Slack's limits.
func checkSlackLimits(body []byte) error {
	w, err := decodeWire(body)
	if err != nil {
		return fmt.Errorf("undecodable body: %w", err)
	}
	var errs []string
	if len(w.Blocks) > wireMaxBlocks {
		errs = append(errs, fmt.Sprintf("%d blocks", len(w.Blocks)))
	}
	if n := utf8.RuneCountInString(w.Text); n > wireMaxText {
		errs = append(errs, fmt.Sprintf("text of %d characters", n))
	}
	size := 2
	for i, raw := range w.Blocks {
		size += len(raw) + 1
		var b struct {
			Type string `json:"type"`
			Text struct {
				Text string `json:"text"`
			} `json:"text"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			return fmt.Errorf("block %d: %w", i, err)
		}
		switch n := notify.UTF16Len(b.Text.Text); {
		case b.Type == "header" && n > wireMaxHeader:
			errs = append(errs, fmt.Sprintf("header of %d characters", n))
		case b.Type == "section" && n > wireMaxSection:
			errs = append(errs, fmt.Sprintf("section %d of %d characters", i, n))
		}
	}
	if size > wireMaxBlocksJSON {
		errs = append(errs, fmt.Sprintf("blocks of %d bytes", size))
	}
	if errs != nil {
		return fmt.Errorf("%s", strings.Join(errs, ", "))
	}
	return nil
}

var (
	// slackSpecial is Slack's mention and link syntax: <!channel>,
	// <!here>, <@U…>, <#C…>, <!subteam^…>, <url|label>.
	slackSpecial = regexp.MustCompile(`<[!@#][^>]*>`)
	// broadcast is a broadcast word a client could link.
	broadcast = regexp.MustCompile(`(?i)@(channel|here|everyone)`)
)

// slackPings lists the mentions in the mrkdwn of a received message:
// Slack's <!…>/<@…>/<#…> syntax, and a broadcast word not defused by a
// word joiner. plain_text (the header) is never parsed for mentions.
func slackPings(body []byte) []string {
	w, err := decodeWire(body)
	if err != nil {
		return []string{"undecodable body: " + err.Error()}
	}
	var out []string
	check := func(s string) {
		out = append(out, slackSpecial.FindAllString(s, -1)...)
		for _, loc := range broadcast.FindAllStringIndex(s, -1) {
			if !strings.HasPrefix(s[loc[1]:], "\u2060") && !strings.HasPrefix(s[loc[0]+1:], "\u2060") {
				out = append(out, s[loc[0]:loc[1]])
			}
		}
	}
	check(w.Text)
	var walk func(v any, plain bool)
	walk = func(v any, plain bool) {
		switch v := v.(type) {
		case map[string]any:
			plain = v["type"] == "plain_text"
			for k, x := range v {
				if s, ok := x.(string); ok && k == "text" && !plain {
					check(s)
				} else {
					walk(x, plain)
				}
			}
		case []any:
			for _, x := range v {
				walk(x, plain)
			}
		}
	}
	for _, raw := range w.Blocks {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return []string{"undecodable block: " + err.Error()}
		}
		walk(v, false)
	}
	return out
}

// slackOK answers a webhook with "ok" and chat.postMessage as Slack does.
func slackOK(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"channel":"C1","ts":"1.2"}`)
		return
	}
	fmt.Fprint(w, "ok")
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"webhook", "bot token"} {
		t.Run(mode, func(t *testing.T) {
			notifytest.Run(t, func(t *testing.T) notifytest.Harness {
				srv := notifytest.NewServer(t, slackOK)
				c := Config{Channel: "C1", APIURL: srv.URL}
				token := secretTok
				secrets := []string{secretTok}
				if mode == "webhook" {
					c, token = Config{WebhookURL: srv.URL + secretPath}, ""
					secrets = []string{srv.URL + secretPath, secretPath, "xoxsecretwebhookpart"}
				}
				clk := &fakeClock{t: time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC)}
				start := clk.Now()
				n, err := New("news", c, Options{
					Token: token, Logger: slog.New(slog.DiscardHandler), Now: clk.Now,
					Pacer: &notify.Pacer{Burst: 1, Window: time.Second, Now: clk.Now, Sleep: clk.Sleep},
				})
				if err != nil {
					t.Fatal(err)
				}
				return notifytest.Harness{
					Notifier: n, Requests: srv.Requests, CheckLimits: checkSlackLimits, Pings: slackPings,
					Answer: srv.Answer, Down: srv.Close, Secrets: secrets,
					Waited: func() time.Duration { return clk.Now().Sub(start) },
				}
			})
		})
	}
}

// TestSlackPingsFindsMentions keeps the conformance check honest: it must
// flag what Slack would turn into a mention.
func TestSlackPingsFindsMentions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		body string
		want int
	}{
		{"broadcast syntax in text", `{"text":"<!channel> hi"}`, 1},
		{"user mention in a section", `{"text":"x","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"hi <@U1>"}}]}`, 1},
		{"bare broadcast word in context", `{"text":"x","blocks":[{"type":"context","elements":[{"type":"mrkdwn","text":"@here now"}]}]}`, 1},
		{"defused broadcast word", `{"text":"@\u2060everyone"}`, 0},
		{"escaped syntax", `{"text":"&lt;!channel&gt;"}`, 0},
		{"plain_text header", `{"text":"x","blocks":[{"type":"header","text":{"type":"plain_text","text":"<!channel> @everyone"}}]}`, 0},
		{"form body", "text=" + url.QueryEscape("<!here>") + "&blocks=" + url.QueryEscape(`[]`), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := slackPings([]byte(tc.body)); len(got) != tc.want {
				t.Errorf("slackPings = %q, want %d", got, tc.want)
			}
		})
	}
}
