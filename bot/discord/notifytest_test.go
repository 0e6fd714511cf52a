package discord

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/bot/notify/notifytest"
)

// wirePayload is a received message, webhook or bot: both carry the
// same fields.
type wirePayload struct {
	Content string `json:"content"`
	Embeds  []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Author      *struct {
			Name string `json:"name"`
		} `json:"author"`
		Footer *struct {
			Text string `json:"text"`
		} `json:"footer"`
		Fields []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"fields"`
	} `json:"embeds"`
	AllowedMentions *struct {
		Parse []string `json:"parse"`
		Users []string `json:"users"`
		Roles []string `json:"roles"`
	} `json:"allowed_mentions"`
}

// checkDiscordLimits checks one received message against Discord's
// published limits, counted in UTF-16 units.
func checkDiscordLimits(body []byte) error {
	var p wirePayload
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("undecodable body: %w", err)
	}
	var errs []string
	over := func(what, s string, max int) int {
		n := notify.UTF16Len(s)
		if n > max {
			errs = append(errs, fmt.Sprintf("%s of %d > %d", what, n, max))
		}
		return n
	}
	over("content", p.Content, 2000)
	if len(p.Embeds) > 10 {
		errs = append(errs, fmt.Sprintf("%d embeds", len(p.Embeds)))
	}
	total := 0
	for i, e := range p.Embeds {
		total += over(fmt.Sprintf("embed %d title", i), e.Title, 256)
		total += over(fmt.Sprintf("embed %d description", i), e.Description, 4096)
		if e.Author != nil {
			total += over(fmt.Sprintf("embed %d author", i), e.Author.Name, 256)
		}
		if e.Footer != nil {
			total += over(fmt.Sprintf("embed %d footer", i), e.Footer.Text, 2048)
		}
		if len(e.Fields) > 25 {
			errs = append(errs, fmt.Sprintf("embed %d has %d fields", i, len(e.Fields)))
		}
		for _, f := range e.Fields {
			total += over("field name", f.Name, 256) + over("field value", f.Value, 1024)
		}
	}
	if total > 6000 {
		errs = append(errs, fmt.Sprintf("embeds total %d > 6000", total))
	}
	if errs != nil {
		return fmt.Errorf("%s", strings.Join(errs, ", "))
	}
	return nil
}

// discordPings reports a received message that lets Discord resolve any
// mention: only allowed_mentions {"parse": []} with no users or roles
// guarantees that @everyone, <@id> and <@&id> in the text ping no one.
func discordPings(body []byte) []string {
	var p wirePayload
	if err := json.Unmarshal(body, &p); err != nil {
		return []string{"undecodable body: " + err.Error()}
	}
	switch am := p.AllowedMentions; {
	case am == nil || am.Parse == nil:
		return []string{"no allowed_mentions.parse: Discord parses every mention"}
	case len(am.Parse) > 0 || len(am.Users) > 0 || len(am.Roles) > 0:
		return []string{fmt.Sprintf("allowed_mentions %+v", *am)}
	}
	return nil
}

// discordOK answers as Discord does to a created message.
func discordOK(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"id":"900","channel_id":"123"}`)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"webhook", "bot"} {
		t.Run(mode, func(t *testing.T) {
			notifytest.Run(t, func(t *testing.T) notifytest.Harness {
				srv := notifytest.NewServer(t, discordOK)
				c := Config{ChannelID: "123", APIURL: srv.URL + "/api/v9"}
				token, secrets := botToken, []string{botToken}
				if mode == "webhook" {
					hook := srv.URL + "/api/webhooks/1234/" + webhookToken
					c, token = Config{WebhookURL: hook}, ""
					secrets = []string{hook, webhookToken}
				}
				clk := newFakeClock()
				n, err := New("news", c, Options{Token: token, Now: clk.Now, Sleep: clk.Sleep, Logger: discardLogger()})
				if err != nil {
					t.Fatal(err)
				}
				return notifytest.Harness{
					Notifier: n, Requests: srv.Requests, CheckLimits: checkDiscordLimits, Pings: discordPings,
					Answer: srv.Answer, Down: srv.Close, Secrets: secrets, Waited: clk.totalSlept,
				}
			})
		})
	}
}

// TestDiscordPingsFindsMentions keeps the conformance check honest.
func TestDiscordPingsFindsMentions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body  string
		pings bool
	}{
		{`{"content":"@everyone","allowed_mentions":{"parse":[]}}`, false},
		{`{"content":"@everyone"}`, true},
		{`{"content":"@everyone","allowed_mentions":{"parse":["everyone"]}}`, true},
		{`{"content":"<@1>","allowed_mentions":{"parse":[],"users":["1"]}}`, true},
		{`{"content":"x","allowed_mentions":{}}`, true},
	} {
		t.Run(tc.body, func(t *testing.T) {
			if got := discordPings([]byte(tc.body)); (len(got) > 0) != tc.pings {
				t.Errorf("discordPings = %q, want pings %v", got, tc.pings)
			}
		})
	}
}
