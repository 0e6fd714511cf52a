package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/newshound/newshound/bot/notify"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

const hostileTitle = "<!channel> 속보 <https://evil.example|click>"

func sampleMessage() notify.Message {
	kst := time.FixedZone("KST", 9*3600)
	return notify.Message{
		Channel:  "news",
		Header:   "ai-policy: 3 new",
		More:     2,
		Location: kst,
		Entries: []notify.Entry{
			{
				Watch: "ai-policy", Source: "연합뉴스",
				Title:     "삼성전자, HBM 반도체 수출 급증",
				Link:      "https://www.yna.co.kr/view/AKR20241119?section=economy&site=top",
				Snippet:   "삼성전자가 19일 발표한 자료에 따르면 hbm 수출이 *두 배*로 늘었다.",
				Image:     "https://img.yna.co.kr/photo.jpg",
				Published: time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC),
				Terms:     []string{"삼성전자", "HBM"},
				Also:      []notify.Source{{Name: "뉴시스", Link: "https://newsis.com/1"}, {Name: "뉴스1", Link: "https://news1.kr/2"}},
			},
			{
				Watch: "ai-policy", Source: "Evil <Feed>",
				Title:     hostileTitle,
				Link:      "https://evil.example/a|b>c",
				Snippet:   "@here _hi_ ~x~ `code` & more\n<@U123>",
				Published: time.Date(2024, 11, 19, 2, 30, 0, 0, time.UTC),
				Urgent:    true,
			},
			{
				Watch: "chips", Source: "Reuters",
				Title:   "AI chip export rules",
				Link:    "https://www.reuters.com/tech/ai-chips",
				Image:   "javascript:alert(1)",
				Snippet: "New AI rules, said officials.",
				Terms:   []string{"ai"},
			},
		},
	}
}

type rendered struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	text, blocks := render(sampleMessage(), true)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rendered{text, blocks}); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", "digest.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("Render differs from %s (run with -update to accept):\n%s", path, got)
	}
	// The golden file must itself be valid Block Kit as slack-go reads it.
	var back struct {
		Blocks slack.Blocks `json:"blocks"`
	}
	if err := json.Unmarshal(want, &back); err != nil || len(back.Blocks.BlockSet) != 5 {
		t.Fatalf("golden blocks do not decode as 5 blocks: %v", err)
	}
}

func sectionTexts(blocks []slack.Block) []string {
	var out []string
	for _, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok {
			out = append(out, s.Text.Text)
		}
	}
	return out
}

func TestRenderHostileTitle(t *testing.T) {
	t.Parallel()
	m := notify.Message{Header: "alert", Entries: []notify.Entry{{Title: hostileTitle, Link: "https://ok.example/1", Source: "x"}}}
	text, blocks := render(m, true)
	wantTitle := "&lt;!channel&gt; 속보 &lt;https://evil.example|click&gt;"
	sec := sectionTexts(blocks)[0]
	if !strings.HasPrefix(sec, "*<https://ok.example/1|"+wantTitle+">*") {
		t.Errorf("section = %q, want the escaped title inside the link", sec)
	}
	if text != "alert: "+wantTitle {
		t.Errorf("fallback text = %q", text)
	}
	raw, _ := json.Marshal(rendered{text, blocks})
	for _, bad := range []string{"<!channel>", `\u003c!channel`, "<https://evil"} {
		if bytes.Contains(raw, []byte(bad)) {
			t.Errorf("payload contains %q: %s", bad, raw)
		}
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "반도체 수출", "반도체 수출"},
		{"control chars", "a & b < c > d", "a &amp; b &lt; c &gt; d"},
		{"already escaped stays literal", "&lt;", "&amp;lt;"},
		{"mention", "<!channel> <!here> <@U1>", "&lt;!channel&gt; &lt;!here&gt; &lt;@U1&gt;"},
		{"formatting", "*bold* _it_ ~strike~ `code`", "＊bold＊ ＿it＿ ～strike～ ｀code｀"},
		{"broadcast words", "@channel @HERE @everyone @here2 a@b", "@\u2060channel @\u2060HERE @\u2060everyone @\u2060here2 a@b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := escape(tc.in); got != tc.want {
				t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestHighlight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		terms    []string
		want     string
	}{
		{"word", "HBM 수출", []string{"HBM"}, "*HBM* 수출"},
		{"case folded", "hbm 수출", []string{"HBM"}, "*hbm* 수출"},
		{"particle attached", "삼성전자가 발표", []string{"삼성전자"}, "*삼성전자*\u200b가 발표"},
		{"latin needs word boundary", "AI said: the AIs, AI-led", []string{"ai"}, "*AI* said: the AIs, *AI*-led"},
		{"hangul inside word", "반도체를", []string{"반도체"}, "*반도체*\u200b를"},
		{"latin term before hangul particle", "HBM을", []string{"HBM"}, "*HBM*\u200b을"},
		{"overlapping terms merge", "반도체수출", []string{"반도체", "체수"}, "*반도체수*\u200b출"},
		{"escaped inside bold", "R&D 투자", []string{"R&D"}, "*R&amp;D* 투자"},
		{"term with markup chars", "a*b c", []string{"a*b"}, "*a＊b* c"},
		{"no terms", "<b>", nil, "&lt;b&gt;"},
		{"broadcast split by a term", "@channel 공지", []string{"channel"}, "@\u2060*channel* 공지"},
		{"empty term ignored", "abc", []string{"", " "}, "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := highlight(tc.in, tc.terms); got != tc.want {
				t.Errorf("highlight(%q, %q) = %q, want %q", tc.in, tc.terms, got, tc.want)
			}
		})
	}
}

func TestLinkURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "https://a.example/x", "https://a.example/x"},
		{"query ampersand", "https://a.example/?a=1&b=2", "https://a.example/?a=1&amp;b=2"},
		{"pipe and angle", "https://a.example/a|b>c<d", "https://a.example/a%7Cb%3Ec%3Cd"},
		{"javascript", "javascript:alert(1)", ""},
		{"slack scheme", "slack://open", ""},
		{"relative", "/news/1", ""},
		{"space inside", "https://a.example/a b", ""},
		{"too long", "https://a.example/" + strings.Repeat("x", maxURLBytes), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := linkURL(tc.in); got != tc.want {
				t.Errorf("linkURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRenderEntryDetails(t *testing.T) {
	t.Parallel()
	m := sampleMessage()
	_, blocks := render(m, true)
	secs := sectionTexts(blocks)
	for _, tc := range []struct{ name, section, want string }{
		{"time in watchlist zone", secs[0], "연합뉴스 · 2024-11-19 10:00 KST · +2: 뉴시스, 뉴스1"},
		{"snippet terms bold, feed stars inert", secs[0], "\n*삼성전자*\u200b가 19일 발표한 자료에 따르면 *hbm* 수출이 ＊두 배＊로 늘었다."},
		{"urgent marker", secs[1], "*<https://evil.example/a%7Cb%3Ec|🚨 "},
		{"source escaped", secs[1], "\nEvil &lt;Feed&gt; · 2024-11-19 11:30 KST"},
		{"snippet single line, mention inert", secs[1], "@\u2060here ＿hi＿ ～x～ ｀code｀ &amp; more &lt;@U123&gt;"},
		{"no time when unknown", secs[2], "\nReuters\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(tc.section, tc.want) {
				t.Errorf("section %q lacks %q", tc.section, tc.want)
			}
		})
	}
	t.Run("image only for http(s)", func(t *testing.T) {
		first := blocks[1].(*slack.SectionBlock)
		if first.Accessory == nil || first.Accessory.ImageElement == nil || *first.Accessory.ImageElement.ImageURL != "https://img.yna.co.kr/photo.jpg" {
			t.Errorf("first entry lacks its image accessory: %+v", first.Accessory)
		}
		if a := blocks[3].(*slack.SectionBlock).Accessory; a != nil {
			t.Errorf("javascript: image became an accessory: %+v", a)
		}
	})
	t.Run("footer", func(t *testing.T) {
		ctx := blocks[len(blocks)-1].(*slack.ContextBlock)
		got := ctx.ContextElements.Elements[0].(*slack.TextBlockObject).Text
		if want := "newshound · ai-policy, chips · and 2 more"; got != want {
			t.Errorf("footer = %q, want %q", got, want)
		}
	})
	t.Run("header", func(t *testing.T) {
		h := blocks[0].(*slack.HeaderBlock)
		if h.Text.Text != "📰 ai-policy: 3 new" {
			t.Errorf("header = %q", h.Text.Text)
		}
	})
}
