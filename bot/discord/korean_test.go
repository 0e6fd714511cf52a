package discord

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/command"
)

// localizedName is Discord's rule for a command or option name in any
// locale (CHAT_INPUT commands), with \p{sc=Deva} and \p{sc=Thai} spelled
// as Go names them.
var localizedName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// wireOption is an application command option as registered.
type wireOption struct {
	Type             int               `json:"type"`
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	NameLocal        map[string]string `json:"name_localizations"`
	DescriptionLocal map[string]string `json:"description_localizations"`
	Options          []wireOption      `json:"options"`
}

// TestRegisteredCommandsKorean checks the command definition the bot
// registers: the command, every group, subcommand and option carries a
// Korean description, every group, subcommand and option a Korean name
// Discord accepts and that no sibling shares, in a payload that passes
// the OpenAPI schema.
func TestRegisteredCommandsKorean(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t)
	s, err := newSession(botToken, f.URL+"/api/v9/", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := RegisterCommands(context.Background(), s, "app1", "555"); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	f.validateAll(t)
	var cmds []wireOption
	if err := json.Unmarshal(reqs[0].Body, &cmds); err != nil || len(cmds) != 1 {
		t.Fatalf("registered %s: %v", reqs[0].Body, err)
	}
	root := cmds[0]
	if root.Name != "news" || root.DescriptionLocal["ko"] == "" {
		t.Errorf("root %q: Korean description %q", root.Name, root.DescriptionLocal["ko"])
	}
	if ko, ok := root.NameLocal["ko"]; ok && ko != "news" {
		t.Errorf("the command is renamed to /%s for Korean clients; replies and help say /news", ko)
	}
	checkLocale(t, "ko")

	var subs, opts int
	var walk func(path string, siblings []wireOption)
	walk = func(path string, siblings []wireOption) {
		seen := map[string]string{}
		for _, o := range siblings {
			p := strings.TrimSpace(path + " " + o.Name)
			ko, desc := o.NameLocal["ko"], o.DescriptionLocal["ko"]
			switch {
			case !localizedName.MatchString(ko) || ko != strings.ToLower(ko):
				t.Errorf("%s: Korean name %q is not a valid command name", p, ko)
			case seen[ko] != "":
				t.Errorf("%s: Korean name %q is also %s's", p, ko, seen[ko])
			case !strings.ContainsFunc(ko, isHangul):
				t.Errorf("%s: Korean name %q has no Hangul", p, ko)
			}
			seen[ko] = p
			if n := utf8.RuneCountInString(desc); n == 0 || n > 100 || !strings.ContainsFunc(desc, isHangul) {
				t.Errorf("%s: Korean description %q", p, desc)
			}
			for k := range o.NameLocal {
				checkLocale(t, k)
			}
			switch o.Type {
			case int(discordgo.ApplicationCommandOptionSubCommand):
				subs++
			case int(discordgo.ApplicationCommandOptionString):
				opts++
			}
			walk(p, o.Options)
		}
	}
	walk("", root.Options)
	wantOpts := 0
	for _, sc := range subcommands() {
		wantOpts += len(sc.opts)
	}
	if subs != len(subcommands()) || opts != wantOpts {
		t.Errorf("walked %d subcommands and %d options, want %d and %d", subs, opts, len(subcommands()), wantOpts)
	}
}

func isHangul(r rune) bool { return unicode.Is(unicode.Hangul, r) }

// checkLocale fails unless the spec lists locale as one of Discord's.
func checkLocale(t *testing.T, locale string) {
	t.Helper()
	b, _ := json.Marshal(locale)
	validatePayload(t, schemaLocale, b)
}

// TestLocalizedNameRule checks the name rule itself, so the test above
// cannot pass by a rule that accepts anything.
func TestLocalizedNameRule(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{"추가": true, "피드목록": true, "feed-add": true, "": false, "피드 추가": false, "a.b": false, strings.Repeat("가", 33): false} {
		if localizedName.MatchString(name) != ok {
			t.Errorf("%q: valid = %v, want %v", name, !ok, ok)
		}
	}
}

// recordingCore runs the real core and records the requests it got.
type recordingCore struct {
	core *command.Core
	rec  recorder
}

func (r *recordingCore) Run(ctx context.Context, req command.Request) command.Reply {
	r.rec.Run(ctx, req)
	return r.core.Run(ctx, req)
}

// sendHTTP sends i, signed, to the interactions endpoint over run and
// returns the answer's content.
func sendHTTP(t *testing.T, run command.Runner, i *discordgo.Interaction) string {
	t.Helper()
	s := newSigner(t)
	clk := newFakeClock()
	f := newFakeDiscord(t)
	h := newHandler(t, s.pub, run, f, clk, time.Minute)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, s.request(interactionBody(t, i), clk.Now()))
	h.Wait()
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	validatePayload(t, schemaCallback, w.Body.Bytes())
	c := decodeCallback(t, w.Body.Bytes())
	if c.Type != 4 || c.Data == nil {
		t.Fatalf("answer %s", w.Body)
	}
	return c.Data.Content
}

// TestKoreanClient sends every subcommand from a Korean client through
// the interactions endpoint to the real command core: the request is
// written in the core's Korean words and the core answers it in Korean,
// as the same command, not as an unknown word.
func TestKoreanClient(t *testing.T) {
	t.Parallel()
	core, _ := newCore(t)
	for _, sc := range subcommands() {
		t.Run(sc.words, func(t *testing.T) {
			opts := map[string]string{}
			for _, o := range sc.opts {
				opts[o.name] = "v"
			}
			i := coreInteraction(t, sc.words, opts)
			i.Locale = discordgo.Korean
			run := &recordingCore{core: core}
			got := sendHTTP(t, run, i)
			if calls := run.rec.calls(); len(calls) != 1 || calls[0].Text != sc.ko && !strings.HasPrefix(calls[0].Text, sc.ko+" ") {
				t.Fatalf("core got %+v, want text starting %q", calls, sc.ko)
			}
			// The reply the core gives when the last word is not one it
			// knows, with that word put back: what a Korean word the core
			// did not take would get. (An unknown word is also quoted as
			// code in the reply, with a suggestion that may differ.)
			words := strings.Fields(sc.ko)
			const nonsense = "없는낱말"
			req := command.Request{Platform: "discord", ChannelID: coreChannel, User: "u1",
				Text: strings.Join(append(words[:len(words)-1:len(words)-1], nonsense), " "), Args: opts}
			control := strings.ReplaceAll(replyMarkdown(core.Run(context.Background(), req).Text, maxContent), nonsense, words[len(words)-1])
			if got == control || strings.Contains(got, "`"+sc.ko+"`") {
				t.Errorf("the core did not take %q: %q", sc.ko, got)
			}
			rest := strings.NewReplacer(sc.ko, "", sc.koShown(), "").Replace(got)
			if !strings.ContainsFunc(rest, isHangul) {
				t.Errorf("reply to %q is not Korean: %q", sc.ko, got)
			}
		})
	}
	t.Run("other locales stay English", func(t *testing.T) {
		i := coreInteraction(t, "list", nil)
		i.Locale = discordgo.German
		run := &recordingCore{core: core}
		sendHTTP(t, run, i)
		if calls := run.rec.calls(); len(calls) != 1 || calls[0].Text != "list" {
			t.Errorf("core got %+v", calls)
		}
	})
	t.Run("refusals in Korean", func(t *testing.T) {
		i := commandInteraction(t, "test", map[string]string{"text": strings.Repeat("가", 2001)})
		i.Locale = discordgo.Korean
		got := sendHTTP(t, &recorder{}, i)
		if want := "글 값이 너무 깁니다\\(최대 2000자\\)."; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

// TestReplyCodeSpans checks that code in a reply reaches Discord as code:
// raw backticks, never \`.
func TestReplyCodeSpans(t *testing.T) {
	t.Parallel()
	core, _ := newCore(t)
	tests := []struct {
		name string
		run  command.Runner
		sub  string
		want []string // in the content, as sent
	}{
		{"core help", core, "help", []string{"`list`", "`add <query> [to <watch>]`", "`add 반도체 to ai-policy`"}},
		{"runner reply", &recorder{reply: command.Reply{Text: "Usage: `mute <query|watch> [for <duration>]` *now*"}}, "mute",
			[]string{"Usage: `mute <query|watch> [for <duration>]` **now**"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := map[string]string{}
			if tt.sub == "mute" {
				opts["target"] = "x"
			}
			got := sendHTTP(t, tt.run, coreInteraction(t, tt.sub, opts))
			if strings.Contains(got, "\\`") {
				t.Errorf("escaped backticks in %q", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("content lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestRecentQuotesHeadlineLiterally sends /news recent to the real core
// and checks that a headline full of markdown shows as written: each of
// its markdown characters is escaped in the content, whether the answer
// goes back in the HTTP response or through the gateway's callback.
func TestRecentQuotesHeadlineLiterally(t *testing.T) {
	t.Parallel()
	const title = "**속보** _단독_ `x` ~~y~~ ||z||"
	core, b := newCore(t)
	deliverSent(t, b.Store(), "desk", title, "https://example.com/a_b", newFakeClock().Now().Add(-10*time.Minute))
	check := func(t *testing.T, content string) {
		t.Helper()
		if !strings.Contains(content, Escape(title)) {
			t.Errorf("content does not quote the headline escaped (%q):\n%s", Escape(title), content)
		}
		if shown := unescapeDiscord(content); !strings.Contains(shown, title) {
			t.Errorf("a reader sees %q, not the headline %q", shown, title)
		}
		if !strings.Contains(content, "https://example.com/a_b") {
			t.Errorf("link not kept whole: %s", content)
		}
	}
	t.Run("interactions endpoint", func(t *testing.T) {
		check(t, sendHTTP(t, core, coreInteraction(t, "recent", nil)))
	})
	t.Run("gateway", func(t *testing.T) {
		f := newFakeDiscord(t)
		s, err := newSession(botToken, f.URL+"/api/v9", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		d := &dispatcher{runner: core, rest: s, logger: discardLogger(), deferAfter: time.Minute}
		d.onInteraction(context.Background())(s, &discordgo.InteractionCreate{Interaction: coreInteraction(t, "recent", nil)})
		d.wg.Wait()
		reqs := f.requests()
		if len(reqs) != 1 {
			t.Fatalf("requests %+v", reqs)
		}
		f.validateAll(t)
		c := decodeCallback(t, reqs[0].Body)
		if c.Data == nil {
			t.Fatalf("callback %s", reqs[0].Body)
		}
		check(t, c.Data.Content)
	})
}

// unescapeDiscord is what a reader sees of escaped text: a backslash
// before ASCII punctuation shows that character.
func unescapeDiscord(s string) string {
	return command.UnescapeReply(s)
}

// TestDocsListKoreanNames checks that docs/discord.md shows each
// subcommand's Korean name as a Korean client sees it.
func TestDocsListKoreanNames(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "discord.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range subcommands() {
		words := strings.Fields(sc.ko)
		shown := strings.Join(append(words[:len(words)-1:len(words)-1], sc.koShown()), " ")
		if row := "| `" + sc.words + "` | `" + shown + "` |"; !strings.Contains(string(doc), row) {
			t.Errorf("docs/discord.md lacks %q", row)
		}
		for _, o := range sc.opts {
			if !strings.Contains(string(doc), "`"+o.name+"` "+o.ko) {
				t.Errorf("docs/discord.md lacks the option %s (%s)", o.name, o.ko)
			}
		}
	}
}
