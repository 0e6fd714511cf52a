package discord

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/newshound/newshound/bot/notify"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain 반도체 news", "plain 반도체 news"},
		{"@everyone **속보** [click](https://evil.example)", "@\u200beveryone \\*\\*속보\\*\\* \\[click\\]\\(https://evil.example\\)"},
		{"@here and @Everyone", "@\u200bhere and @\u200bEveryone"},
		{"<@123> <@&456> <#789> <t:1:R>", "\\<@123\\> \\<@&456\\> \\<#789\\> \\<t:1:R\\>"},
		{"a_b ~~s~~ `c` ||x|| back\\slash", "a\\_b \\~\\~s\\~\\~ \\`c\\` \\|\\|x\\|\\| back\\\\slash"},
		{"# Heading", "\\# Heading"},
		{"> quote\n- item\n  + item\n-# small", "\\> quote\n\\- item\n  \\+ item\n\\-# small"},
		{"1. first\n2024년 3월", "1\\. first\n2024년 3월"},
		{"mid-line - dash # hash > gt", "mid-line - dash # hash \\> gt"},
		{"see https://example.com/a_b*(c) now", "see https://example.com/a_b*(c\\) now"},
		{"[x](http://evil.example/path)", "\\[x\\]\\(http://evil.example/path\\)"},
		{"bad \xff byte", "bad \uFFFD byte"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHighlight(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		terms []string
		max   int
		want  string
	}{
		{"bold terms", "삼성전자가 반도체 투자", []string{"삼성전자", "반도체"}, 100, "**삼성전자**가 **반도체** 투자"},
		{"longest first", "AI chips and AI", []string{"AI", "AI chips"}, 100, "**AI chips** and **AI**"},
		{"ascii case", "Nvidia and NVIDIA", []string{"nvidia"}, 100, "**Nvidia** and **NVIDIA**"},
		{"escaped inside", "the *HBM* deal", []string{"*HBM*"}, 100, "the **\\*HBM\\*** deal"},
		{"newlines folded", "line one\nline two", nil, 100, "line one line two"},
		{"cut keeps bold whole", "aaaa 반도체반도체", []string{"반도체반도체"}, 10, "aaaa…"},
		{"cut keeps escape whole", "ab*cd", nil, 4, "ab…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := highlight(tt.in, tt.terms, tt.max)
			if got != tt.want {
				t.Errorf("highlight = %q, want %q", got, tt.want)
			}
			if n := notify.UTF16Len(got); n > tt.max {
				t.Errorf("length %d > %d", n, tt.max)
			}
		})
	}
}

func TestReplyMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Added *반도체* to *ai-policy*.", "Added **반도체** to **ai-policy**."},
		{"2 * 3 = 6", "2 \\* 3 = 6"},
		{"* not bold*", "\\* not bold\\*"},
		{"@everyone try [x](https://evil.example)", "@\u200beveryone try \\[x\\]\\(https://evil.example\\)"},
		{"Feeds:\n- yonhap https://www.yna.co.kr/rss/news.xml", "Feeds:\n\\- yonhap https://www.yna.co.kr/rss/news.xml"},
		// Code stays code: raw backticks, its text as written.
		{"Try `/news help` or `add 반도체 to ai-policy`.", "Try `/news help` or `add 반도체 to ai-policy`."},
		{"`a_b *c* [x](y)`", "`a_b *c* [x](y)`"},
		// Escaped text is literal, escaped again for Discord.
		{`• \*\*속보\*\* _단독_ \` + "`x\\`" + ` ~~y~~`, `• \*\*속보\*\* \_단독\_ \` + "`x\\`" + ` \~\~y\~\~`},
		{`*a\_b\*c*`, `**a\_b\*c**`},
		{"unpaired ` and *", "unpaired \\` and \\*"},
		// A marker only formats at the start of a line.
		{"*w*: - x\n- y", "**w**: - x\n\\- y"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := replyMarkdown(tt.in, maxContent); got != tt.want {
				t.Errorf("replyMarkdown(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
	long := strings.Repeat("*굵게* 보통 ", 500)
	got := replyMarkdown(long, maxContent)
	if n := notify.UTF16Len(got); n > maxContent || !utf8.ValidString(got) || strings.Count(got, "**")%2 != 0 {
		t.Errorf("long reply: %d units, valid %v, unbalanced bold", n, utf8.ValidString(got))
	}
}

func TestReplyMarkdownCleansRuns(t *testing.T) {
	t.Parallel()
	clean := func(s string) string { return strings.ReplaceAll(s, "tok-1234", "[REDACTED]") }
	got := cleanReplyMarkdown(`token tok\-1234 and *tok-1234*`, maxContent, clean)
	if strings.Contains(got, "1234") || strings.Count(got, "\\[REDACTED\\]") != 2 {
		t.Errorf("cleanReplyMarkdown = %q", got)
	}
}
