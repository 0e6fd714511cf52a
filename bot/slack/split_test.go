package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"golang.org/x/text/unicode/norm"

	"github.com/newshound/newshound/bot/notify"
)

// korean returns n runes of Korean news prose (Hangul syllables and spaces).
func korean(n int, seed int) string {
	words := []string{"반도체", "수출이", "급증했다", "삼성전자가", "발표한", "자료에", "따르면", "정부는", "인공지능", "규제를", "강화한다"}
	var rs []rune
	for i := 0; len(rs) < n; i++ {
		rs = append(rs, []rune(words[(i+seed)%len(words)]+" ")...)
	}
	return string(rs[:n])
}

func sources(n int) []notify.Source {
	out := make([]notify.Source, n)
	for i := range out {
		out[i] = notify.Source{Name: strings.Repeat("&", 100), Link: fmt.Sprintf("https://s.example/%d", i)}
	}
	return out
}

func entries(n int, f func(i int) notify.Entry) []notify.Entry {
	out := make([]notify.Entry, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func TestSplitLimits(t *testing.T) {
	t.Parallel()
	kst := time.FixedZone("KST", 9*3600)
	long := func(i int) notify.Entry {
		return notify.Entry{
			Watch: fmt.Sprintf("반도체-%d", i%4), Source: "연합뉴스 " + korean(80, i),
			Title:     fmt.Sprintf("%03d %s", i, korean(400, i)),
			Link:      fmt.Sprintf("https://news.google.com/rss/articles/%d?oc=5&%s", i, strings.Repeat("x", 500)),
			Snippet:   korean(2000, i+1),
			Image:     fmt.Sprintf("https://img.example/%d.jpg", i),
			Published: time.Date(2024, 11, 19, 1, i%60, 0, 0, time.UTC),
			Terms:     []string{"반도체", "삼성전자"},
			Also:      []notify.Source{{Name: "뉴시스"}, {Name: "뉴스1"}, {Name: "한국경제"}, {Name: "매일경제"}, {Name: "조선비즈"}, {Name: "머니투데이"}},
		}
	}
	for _, tc := range []struct {
		name    string
		entries []notify.Entry
		more    int
		header  string
	}{
		{"long Korean digest", entries(120, long), 7, "반도체 동향: " + korean(300, 0)},
		{"many short entries", entries(130, func(i int) notify.Entry {
			return notify.Entry{Watch: "w", Title: fmt.Sprintf("%03d 짧은 제목", i), Link: fmt.Sprintf("https://a.example/%d", i)}
		}), 0, "short"},
		{"single huge entry", []notify.Entry{{
			Watch: strings.Repeat("w", 500), Source: strings.Repeat("&", 5000),
			Title: "000 " + strings.Repeat("<&>", 30000), Link: "https://a.example/" + strings.Repeat("&", 1980),
			Snippet: strings.Repeat("*&_", 50000), Image: "https://i.example/" + strings.Repeat("a", 1980),
			Terms: []string{"&", "*"}, Also: sources(50),
		}}, 3, strings.Repeat("&", 400)},
		{"ampersand and emoji heavy", entries(40, func(i int) notify.Entry {
			return notify.Entry{
				Watch: strings.Repeat("🔥", 60) + fmt.Sprint(i), Source: strings.Repeat("&", 70),
				Title:   fmt.Sprintf("%03d ", i) + strings.Repeat("😀&", 300),
				Link:    fmt.Sprintf("https://a.example/%d?%s", i, strings.Repeat("a&b", 600)),
				Snippet: strings.Repeat("<😀>", 400), Terms: []string{"😀"},
				Image: fmt.Sprintf("https://i.example/%d/%s", i, strings.Repeat("z", 1900)),
			}
		}), 1, strings.Repeat("🔥", 200)},
		{"decomposed Hangul", entries(30, func(i int) notify.Entry {
			return notify.Entry{Title: fmt.Sprintf("%03d ", i) + norm.NFD.String(korean(600, i)), Link: fmt.Sprintf("https://a.example/%d", i), Snippet: norm.NFD.String(korean(900, i))}
		}), 0, "nfd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := notify.Message{Header: tc.header, Entries: tc.entries, More: tc.more, Location: kst}
			parts := (&Notifier{}).Split(m)
			checkParts(t, m, parts)
		})
	}
}

// checkParts asserts that parts carry m's entries in order, none lost, each
// part within every Slack limit, and text cut only at rune boundaries.
func checkParts(t *testing.T, m notify.Message, parts []notify.Message) {
	t.Helper()
	var got []notify.Entry
	for i, p := range parts {
		got = append(got, p.Entries...)
		if want := 0; i < len(parts)-1 && p.More != want {
			t.Errorf("part %d: More = %d, want 0 (only the last part says \"and N more\")", i, p.More)
		}
		text, blocks := render(p, true)
		if len(blocks) > maxBlocks {
			t.Errorf("part %d: %d blocks", i, len(blocks))
		}
		raw, _ := json.Marshal(blocks)
		if len(raw) > maxPayload {
			t.Errorf("part %d: blocks are %d bytes of JSON, limit %d", i, len(raw), maxPayload)
		}
		// maxTextRunes bounds the raw text; escaping grows a rune to at most 5.
		if n := utf8.RuneCountInString(text); n > 5*maxTextRunes || !utf8.ValidString(text) {
			t.Errorf("part %d: fallback text %d runes or invalid", i, n)
		}
		h := blocks[0].(*slack.HeaderBlock).Text.Text
		if notify.UTF16Len(h) > maxHeaderText {
			t.Errorf("part %d: header is %d UTF-16 units", i, notify.UTF16Len(h))
		}
		if len(parts) > 1 && !strings.HasSuffix(h, fmt.Sprintf(" (%d/%d)", i+1, len(parts))) {
			t.Errorf("part %d: header %q lacks its (i/n)", i, h)
		}
		for j, b := range blocks {
			var texts []*slack.TextBlockObject
			switch b := b.(type) {
			case *slack.HeaderBlock:
				texts = append(texts, b.Text)
			case *slack.SectionBlock:
				texts = append(texts, b.Text)
				if b.Accessory != nil && (len(*b.Accessory.ImageElement.ImageURL) > 3000 || b.Accessory.ImageElement.AltText == "") {
					t.Errorf("part %d block %d: bad image accessory", i, j)
				}
			case *slack.ContextBlock:
				if len(b.ContextElements.Elements) > 10 {
					t.Errorf("part %d: context has %d elements", i, len(b.ContextElements.Elements))
				}
				for _, e := range b.ContextElements.Elements {
					texts = append(texts, e.(*slack.TextBlockObject))
				}
			}
			for _, tx := range texts {
				if err := tx.Validate(); err != nil {
					t.Errorf("part %d block %d: %v", i, j, err)
				}
				if !utf8.ValidString(tx.Text) || strings.ContainsRune(tx.Text, '\uFFFD') {
					t.Errorf("part %d block %d: text cut inside a rune", i, j)
				}
				checkHangulCuts(t, tx.Text)
			}
		}
	}
	// Greedy parts are full: the next part's first entry would not fit.
	for i := 0; i+1 < len(parts); i++ {
		p := parts[i]
		p.Entries = append(p.Entries[:len(p.Entries):len(p.Entries)], parts[i+1].Entries[0])
		_, blocks := render(p, true)
		if raw, _ := json.Marshal(blocks); len(blocks) <= maxBlocks && len(raw) <= maxPayload {
			t.Errorf("part %d could have held the next entry (%d blocks, %d bytes)", i, len(blocks), len(raw))
		}
	}
	if len(got) != len(m.Entries) {
		t.Fatalf("parts carry %d entries, want %d", len(got), len(m.Entries))
	}
	for i := range got {
		if got[i].Title != m.Entries[i].Title {
			t.Fatalf("entry %d out of order: %.20q, want %.20q", i, got[i].Title, m.Entries[i].Title)
		}
	}
	// Every entry renders its own number, so order shows in the output too.
	n := 0
	for _, p := range parts {
		_, blocks := render(p, true)
		for _, s := range sectionTexts(blocks) {
			if want := fmt.Sprintf("%03d", n); !strings.Contains(s, want) && strings.HasPrefix(m.Entries[n].Title, want) {
				t.Errorf("section %d lacks its number %s", n, want)
			}
			n++
		}
	}
}

// checkHangulCuts fails when an ellipsis follows a lone Hangul jamo, that
// is, a syllable split by truncation.
func checkHangulCuts(t *testing.T, s string) {
	t.Helper()
	rs := []rune(s)
	for i, r := range rs {
		if r == '…' && i > 0 && (rs[i-1] >= 0x1100 && rs[i-1] <= 0x11FF) {
			t.Errorf("ellipsis after a lone jamo %U in %.40q", rs[i-1], s)
		}
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r >= 0x1100 && r <= 0x11FF }) {
		t.Errorf("decomposed Hangul left in %.40q", s)
	}
}

func TestSplitKeepsSmallMessageWhole(t *testing.T) {
	t.Parallel()
	m := sampleMessage()
	parts := (&Notifier{}).Split(m)
	if len(parts) != 1 || parts[0].Header != m.Header || parts[0].More != m.More || len(parts[0].Entries) != 3 {
		t.Fatalf("Split changed a small message: %+v", parts)
	}
}

func TestSplitCounts(t *testing.T) {
	t.Parallel()
	tiny := entries(130, func(i int) notify.Entry { return notify.Entry{Title: fmt.Sprint(i)} })
	parts := (&Notifier{}).Split(notify.Message{Header: "h", Entries: tiny, More: 4})
	if len(parts) != 3 || len(parts[0].Entries) != maxBlocks-2 || parts[2].More != 4 {
		t.Fatalf("130 tiny entries split as %d parts (first %d entries, last More %d); want 3, %d, 4",
			len(parts), len(parts[0].Entries), parts[len(parts)-1].More, maxBlocks-2)
	}
}

func TestTruncatedEntryStaysPrefix(t *testing.T) {
	t.Parallel()
	title := korean(1000, 3)
	_, blocks := render(notify.Message{Entries: []notify.Entry{{Title: title, Snippet: korean(5000, 2)}}}, true)
	sec := sectionTexts(blocks)[0]
	first := strings.SplitN(sec, "\n", 2)[0]
	shown := strings.TrimSuffix(strings.Trim(first, "*"), "…")
	if !strings.HasSuffix(strings.Trim(first, "*"), "…") || !strings.HasPrefix(title, shown) {
		t.Errorf("title %q is not a prefix of the original ending in …", first)
	}
}
