package slack

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/command"
)

// wireReply is a command reply as Slack receives it.
type wireReply struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
	Blocks       []struct {
		Type     string `json:"type"`
		Elements []struct {
			Type     string        `json:"type"`
			Elements []wireElement `json:"elements"`
		} `json:"elements"`
	} `json:"blocks"`
}

// wireElement is a rich text element.
type wireElement struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	URL   string `json:"url"`
	Style *struct {
		Bold bool `json:"bold"`
		Code bool `json:"code"`
	} `json:"style"`
}

// show is how a test writes an element: "text", *bold*, `code` or <url>.
func (e wireElement) show() string {
	switch {
	case e.Type == "link":
		return "<" + e.URL + ">"
	case e.Type != "text":
		return "?" + e.Type
	case e.Style != nil && e.Style.Bold && !e.Style.Code:
		return "*" + e.Text + "*"
	case e.Style != nil && e.Style.Code && !e.Style.Bold:
		return "`" + e.Text + "`"
	case e.Style != nil:
		return "?style"
	}
	return `"` + e.Text + `"`
}

func decodeReply(t *testing.T, b []byte) (wireReply, []string) {
	t.Helper()
	var r wireReply
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("reply %s: %v", b, err)
	}
	if len(r.Blocks) != 1 || r.Blocks[0].Type != "rich_text" || len(r.Blocks[0].Elements) != 1 || r.Blocks[0].Elements[0].Type != "rich_text_section" {
		t.Fatalf("reply is not one rich_text section: %s", b)
	}
	var shown []string
	for _, e := range r.Blocks[0].Elements[0].Elements {
		shown = append(shown, e.show())
	}
	return r, shown
}

func TestReplyRendering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		elements []string
		text     string
	}{
		{"markup", "Added `반도체` to *ai-policy*.",
			[]string{`"Added "`, "`반도체`", `" to "`, "*ai-policy*", `"."`}, "Added `반도체` to *ai-policy*."},
		{"escaped headline", `• 17:50 \*\*속보\*\* _단독_ \` + "`x\\`" + ` ~y~ <!here> & @channel — chips`,
			[]string{`"• 17:50 **속보** _단독_ ` + "`x`" + ` ~y~ <!here> & @channel — chips"`},
			"• 17:50 ＊＊속보＊＊ ＿단독＿ ｀x｀ ～y～ &lt;!here&gt; &amp; @\u2060channel — chips"},
		{"links", "see https://example.com/a_b?x=1&y=2. and (http://x.example/) ok",
			[]string{`"see "`, "<https://example.com/a_b?x=1&y=2>", `". and ("`, "<http://x.example/>", `") ok"`},
			"see <https://example.com/a_b?x=1&amp;y=2>. and (<http://x.example/>) ok"},
		{"not links", "xhttps://a.example ftp://b.example https://",
			[]string{`"xhttps://a.example ftp://b.example https://"`}, "xhttps://a.example ftp://b.example https://"},
		{"code is as written", "`<@U1> *x* \\n`", []string{"`<@U1> *x* \\n`"}, "`&lt;@U1&gt; *x* \\n`"},
		{"bold escapes", `*a\_b\*c*`, []string{"*a_b*c*"}, "*a＿b＊c*"},
		{"lines", "one\n*two*\nthree", []string{`"one` + "\n" + `"`, "*two*", `"` + "\nthree" + `"`}, "one\n*two*\nthree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := toReply(command.Reply{Text: tt.in}, nil)
			r, shown := decodeReply(t, c.json())
			if strings.Join(shown, " ") != strings.Join(tt.elements, " ") {
				t.Errorf("elements\n got %s\nwant %s", strings.Join(shown, " "), strings.Join(tt.elements, " "))
			}
			if r.Text != tt.text {
				t.Errorf("text\n got %q\nwant %q", r.Text, tt.text)
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		c := toReply(command.Reply{}, nil)
		if c.Text != "✅" || c.Blocks != nil || !strings.Contains(string(c.json()), `"text":"✅"`) || strings.Contains(string(c.json()), "blocks") {
			t.Errorf("empty reply = %s", c.json())
		}
	})
	t.Run("secret found under escapes", func(t *testing.T) {
		c := toReply(command.Reply{Text: `token xoxb\-1234`}, func(s string) string { return strings.ReplaceAll(s, "xoxb-1234", "[REDACTED]") })
		if b := string(c.json()); strings.Contains(b, "1234") {
			t.Errorf("secret in %s", b)
		}
	})
}

// slashForm is a /news slash command from channel.
func slashForm(text, channel string) string {
	return url.Values{
		"token": {"x"}, "team_id": {"T1"}, "channel_id": {channel}, "channel_name": {"desk"},
		"user_id": {"U7"}, "user_name": {"kim"}, "command": {"/news"}, "text": {text},
		"response_url": {""}, "trigger_id": {"1.2.3"},
	}.Encode()
}

// TestRecentQuotesHeadlineLiterally sends /news recent to the real core
// through the slash-command handler: the headline, full of markdown, is
// one plain rich text element (shown as written), and the notification
// text cannot format either.
func TestRecentQuotesHeadlineLiterally(t *testing.T) {
	t.Parallel()
	const title = "**속보** _단독_ `x` ~~y~~ [a](b)"
	core, b := newCore(t)
	now := time.Now()
	deliverSent(t, b.Store(), "desk", title, "https://example.com/a_b", now.Add(-10*time.Minute))
	h := NewCommandHandler(testSecret, core, HandlerOptions{AckAfter: time.Minute})
	for _, text := range []string{"recent", "최근"} {
		t.Run(text, func(t *testing.T) {
			body := slashForm(text, coreChannel)
			rec := postCommand(t, h, sign(testSecret, now.Unix(), body), body)
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			r, shown := decodeReply(t, rec.Body.Bytes())
			var found bool
			for _, e := range shown {
				if strings.HasPrefix(e, `"`) && strings.Contains(e, title) {
					found = true
				}
				if strings.HasPrefix(e, "*") || strings.HasPrefix(e, "`") {
					t.Errorf("styled element %s in a reply that styles nothing", e)
				}
			}
			if !found || !strings.Contains(strings.Join(shown, ""), "<https://example.com/a_b>") {
				t.Errorf("headline not shown as written, or link lost: %s", strings.Join(shown, " | "))
			}
			head, _, _ := strings.Cut(r.Text, "<https://")
			if !strings.Contains(head, escape(title)) || strings.ContainsAny(head, "*_`~") {
				t.Errorf("notification text can format: %q", r.Text)
			}
		})
	}
}

// TestReplyCodeSpans checks that the core's code reaches Slack as code.
func TestReplyCodeSpans(t *testing.T) {
	t.Parallel()
	core, _ := newCore(t)
	h := NewCommandHandler(testSecret, core, HandlerOptions{AckAfter: time.Minute})
	body := slashForm("help", coreChannel)
	rec := postCommand(t, h, sign(testSecret, time.Now().Unix(), body), body)
	_, shown := decodeReply(t, rec.Body.Bytes())
	for _, want := range []string{"`list`", "`add <query> [to <watch>]`", "*/news*"} {
		if !strings.Contains(strings.Join(shown, " "), want) {
			t.Errorf("help lacks element %s: %s", want, strings.Join(shown, " "))
		}
	}
	for _, e := range shown {
		if strings.HasPrefix(e, `"`) && strings.Contains(e, "`") {
			t.Errorf("a backtick shown as text: %s", e)
		}
	}
}
