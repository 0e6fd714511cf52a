package discord

import (
	"strings"

	"github.com/newshound/newshound/bot/command"
)

// This file renders command replies. A reply (command.Reply.Text) is
// written in a small markup: *bold* and `code` within one line, a
// backslash before an ASCII punctuation character for that character
// itself, and literal text everywhere else. The command core escapes the
// text it quotes (headlines, names, errors) so that it never reads as
// markup; here the runs become Discord markdown, and literal text is
// escaped again in Discord's own syntax.

// replyMarkdown renders a command reply as Discord markdown cut to max
// UTF-16 units: bold becomes **bold**, code stays `code` (its text is
// shown as written, and cannot mention anyone), and all other text is
// escaped, so a quoted headline shows its *, _, ~ and backticks as
// written. A cut never splits a run or an escape.
func replyMarkdown(text string, max int) string {
	return cleanReplyMarkdown(text, max, nil)
}

// cleanReplyMarkdown is replyMarkdown with clean (nil: none) applied to
// the reply and to the literal text of each run, so a secret is found
// however the reply escaped it.
func cleanReplyMarkdown(text string, max int, clean func(string) string) string {
	if clean == nil {
		clean = func(s string) string { return s }
	}
	var toks []string
	lineStart := true
	for _, r := range command.ParseReply(clean(text)) {
		r.Text = clean(r.Text)
		switch r.Kind {
		case command.RunBold:
			toks = append(toks, "**"+Escape(r.Text)+"**")
		case command.RunCode:
			toks = append(toks, "`"+r.Text+"`")
		default:
			toks = append(toks, escapeTokensAt(r.Text, true, lineStart)...)
		}
		lineStart = r.Kind == command.RunText && strings.HasSuffix(r.Text, "\n")
	}
	out, _ := joinTokens(toks, max)
	return out
}
