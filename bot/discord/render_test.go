package discord

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
)

// checkLimits fails when a payload breaks any of Discord's documented
// limits (written out, not taken from the code under test) or has text
// that is not valid UTF-8 (a cut inside a rune).
func checkLimits(t *testing.T, p Payload) {
	t.Helper()
	check := func(what, s string, max int) {
		t.Helper()
		if n := notify.UTF16Len(s); n > max {
			t.Errorf("%s has %d units, limit %d", what, n, max)
		}
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", what, s)
		}
	}
	check("content", p.Content, 2000)
	if len(p.Embeds) > 10 {
		t.Errorf("%d embeds", len(p.Embeds))
	}
	total := 0
	for i, e := range p.Embeds {
		check("title", e.Title, 256)
		check("description", e.Description, 4096)
		if e.Author != nil {
			check("author", e.Author.Name, 256)
		}
		if e.Footer != nil {
			check("footer", e.Footer.Text, 2048)
		}
		if len(e.Fields) > 25 {
			t.Errorf("embed %d has %d fields", i, len(e.Fields))
		}
		for _, f := range e.Fields {
			check("field name", f.Name, 256)
			check("field value", f.Value, 1024)
		}
		total += embedSize(e)
	}
	if total > 6000 {
		t.Errorf("embeds total %d > 6000", total)
	}
	if p.AllowedMentions == nil || p.AllowedMentions.Parse == nil || len(p.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions = %+v, want parse []", p.AllowedMentions)
	}
}

func koreanEntry(i, titleLen, snippetLen int) notify.Entry {
	return notify.Entry{
		Watch:     "반도체",
		Source:    "연합뉴스",
		Title:     fmt.Sprintf("%03d ", i) + strings.Repeat("삼성전자 반도체 😀", titleLen/10+1),
		Link:      fmt.Sprintf("https://www.yna.co.kr/view/AKR%03d", i),
		Snippet:   strings.Repeat("삼성전자가 반도체 투자를 늘린다. ", snippetLen/18+1),
		Published: time.Date(2025, 3, 1, 8, 0, i, 0, time.UTC),
		Terms:     []string{"삼성전자", "반도체"},
		Query:     "반도체",
	}
}

func TestSplitKeepsOrderAndLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		n         int
		titleLen  int
		snipLen   int
		wantParts int
	}{
		{"one small", 1, 20, 50, 1},
		{"ten small", 10, 20, 50, 1},
		{"eleven small", 11, 20, 50, 2},
		{"23 small", 23, 20, 50, 3},
		{"long korean", 25, 400, 5000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := notify.Message{Header: "반도체: 새 소식", More: 4}
			for i := range tt.n {
				m.Entries = append(m.Entries, koreanEntry(i, tt.titleLen, tt.snipLen))
			}
			r := renderer{}
			parts := r.split(m)
			if tt.wantParts > 0 && len(parts) != tt.wantParts {
				t.Errorf("%d parts, want %d", len(parts), tt.wantParts)
			}
			var got []string
			for i, part := range parts {
				p := r.render(part)
				checkLimits(t, p)
				if len(p.Embeds) != len(part.Entries) {
					t.Errorf("part %d: %d embeds for %d entries", i, len(p.Embeds), len(part.Entries))
				}
				for _, e := range part.Entries {
					got = append(got, e.Link)
				}
				if len(parts) > 1 && !strings.Contains(p.Content, fmt.Sprintf("\\(%d/%d\\)", i+1, len(parts))) {
					t.Errorf("part %d content %q lacks its number", i, p.Content)
				}
				hasMore := strings.Contains(p.Content, "and 4 more")
				if hasMore != (i == len(parts)-1) {
					t.Errorf("part %d: \"and 4 more\" present = %v", i, hasMore)
				}
				body, err := json.Marshal(p)
				if err != nil {
					t.Fatal(err)
				}
				validatePayload(t, schemaExecuteWebhook, body)
				validatePayload(t, schemaCreateMessage, body)
			}
			if len(got) != tt.n {
				t.Fatalf("%d entries after split, want %d", len(got), tt.n)
			}
			for i, link := range got {
				if link != m.Entries[i].Link {
					t.Fatalf("entry %d is %s, want %s (order lost)", i, link, m.Entries[i].Link)
				}
			}
		})
	}
}

func TestOversizeEntryIsTruncatedNotDropped(t *testing.T) {
	t.Parallel()
	e := notify.Entry{
		Watch:   strings.Repeat("w", 300),
		Source:  strings.Repeat("출처", 500),
		Title:   strings.Repeat("제목*", 1000),
		Link:    "https://example.com/a",
		Snippet: strings.Repeat("본문 내용 *강조* ", 3000),
		Query:   strings.Repeat("질의", 3000),
		Image:   "https://example.com/i.jpg",
		Terms:   []string{"강조"},
	}
	for i := range 60 {
		e.Also = append(e.Also, notify.Source{Name: fmt.Sprintf("매체 %d (지역)", i), Link: fmt.Sprintf("https://news%d.example/a (b)", i)})
	}
	m := notify.Message{Header: strings.Repeat("머리말 ", 1000), Entries: []notify.Entry{e, koreanEntry(1, 10, 10)}}
	r := renderer{}
	parts := r.split(m)
	n := 0
	for _, part := range parts {
		p := r.render(part)
		checkLimits(t, p)
		n += len(p.Embeds)
		body, _ := json.Marshal(p)
		validatePayload(t, schemaExecuteWebhook, body)
	}
	if n != 2 {
		t.Fatalf("%d embeds sent, want 2", n)
	}
	em := r.embed(e)
	if !strings.HasSuffix(em.Title, "…") || !strings.HasSuffix(em.Description, "…") {
		t.Errorf("title/description not marked as cut: %q / %q", em.Title[len(em.Title)-10:], em.Description[len(em.Description)-10:])
	}
	if em.Thumbnail == nil || em.Thumbnail.URL != e.Image {
		t.Errorf("thumbnail = %+v", em.Thumbnail)
	}
	if len(em.Fields) != 1 || !strings.HasSuffix(em.Fields[0].Value, "more") {
		t.Errorf("also field = %+v", em.Fields)
	}
	if strings.Contains(em.Fields[0].Value, " (b)") {
		t.Errorf("link with spaces/parentheses not encoded: %q", em.Fields[0].Value)
	}
}

func TestEmbedShape(t *testing.T) {
	t.Parallel()
	hostile := "@everyone **속보** [click](https://evil.example)"
	e := notify.Entry{
		Watch:     "ai-policy",
		Source:    "@here News",
		Title:     hostile,
		Link:      "https://news.example/1",
		Snippet:   "정부가 AI 기본법을 <@123> 발표했다",
		Published: time.Date(2025, 3, 1, 9, 30, 0, 0, time.FixedZone("KST", 9*3600)),
		Terms:     []string{"AI 기본법"},
		Query:     "AI 기본법",
		Image:     "javascript:alert(1)",
	}
	r := renderer{colors: map[string]int{"ai-policy": 0x123456}}
	p := r.render(notify.Message{Header: "ai-policy: 1 new", Entries: []notify.Entry{e}})
	checkLimits(t, p)
	em := p.Embeds[0]
	body, _ := json.Marshal(p)
	validatePayload(t, schemaExecuteWebhook, body)
	for _, bad := range []string{"@everyone", "@here", "](", "**속보**", "<@123>"} {
		if strings.Contains(string(body), bad) || strings.Contains(em.Title+em.Description+em.Author.Name, bad) {
			t.Errorf("payload contains %q: %s", bad, body)
		}
	}
	want := &discordgo.MessageEmbed{
		URL:         "https://news.example/1",
		Title:       Escape(hostile),
		Description: "정부가 **AI 기본법**을 \\<@123\\> 발표했다",
		Timestamp:   "2025-03-01T00:30:00Z",
		Color:       0x123456,
		Author:      &discordgo.MessageEmbedAuthor{Name: "@\u200bhere News"},
		Footer:      &discordgo.MessageEmbedFooter{Text: "ai-policy · AI 기본법"},
	}
	gotJSON, _ := json.Marshal(em)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("embed\n got %s\nwant %s", gotJSON, wantJSON)
	}
	if p.Content != "ai\\-policy: 1 new" && p.Content != "ai-policy: 1 new" {
		t.Errorf("content = %q", p.Content)
	}
}

func TestColors(t *testing.T) {
	t.Parallel()
	cs := WatchColors([]config.Watch{{Name: "a", Color: "#FF8800"}, {Name: "b"}, {Name: "c", Color: "red"}})
	if cs["a"] != 0xff8800 || cs["b"] != HashColor("b") || cs["c"] != HashColor("c") {
		t.Errorf("WatchColors = %v", cs)
	}
	// Pinned: colours must not change between releases.
	if got := HashColor("반도체"); got != 0x48cc7a {
		t.Errorf("HashColor(반도체) = %06x, want 48cc7a", got)
	}
	if HashColor("a") == HashColor("b") {
		t.Error("HashColor is not distinct")
	}
	for _, name := range []string{"", "a", "반도체", "ai-policy"} {
		c := HashColor(name)
		if c < 0 || c > 0xffffff || c&0x404040 != 0x404040 {
			t.Errorf("HashColor(%q) = %06x", name, c)
		}
	}
	if _, err := ParseColor("#12345"); err == nil {
		t.Error("ParseColor accepted #12345")
	}
}
