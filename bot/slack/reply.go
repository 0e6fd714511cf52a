package slack

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/newshound/newshound/bot/command"
)

// This file renders command replies. A reply (command.Reply.Text) is
// written in a small markup: *bold* and `code` within one line, a
// backslash before an ASCII punctuation character for that character
// itself, and literal text everywhere else. The command core escapes the
// text it quotes (headlines, names, errors) so that it never reads as
// markup. Here the runs become a rich_text block, which Slack shows
// without parsing any markup, so every character of a quoted headline
// shows as written; the message's text is the same reply in mrkdwn, for
// notifications.

// replyBlocks renders runs as one rich_text section: a text element per
// run, styled bold or code, and a link element for each http(s) URL in
// literal text. Rich text elements are shown as written: Slack reads no
// markup, entities or mentions in them.
func replyBlocks(runs []command.Run) *slack.Blocks {
	var els []slack.RichTextSectionElement
	for _, r := range runs {
		switch r.Kind {
		case command.RunBold:
			els = append(els, slack.NewRichTextSectionTextElement(r.Text, &slack.RichTextSectionTextStyle{Bold: true}))
		case command.RunCode:
			els = append(els, slack.NewRichTextSectionTextElement(r.Text, &slack.RichTextSectionTextStyle{Code: true}))
		default:
			els = append(els, linkify(r.Text)...)
		}
	}
	if len(els) == 0 {
		return nil
	}
	return &slack.Blocks{BlockSet: []slack.Block{slack.NewRichTextBlock("", slack.NewRichTextSection(els...))}}
}

// linkify splits literal text into text elements and link elements for
// the http(s) URLs in it.
func linkify(s string) []slack.RichTextSectionElement {
	var els []slack.RichTextSectionElement
	text := func(t string) {
		if t != "" {
			els = append(els, slack.NewRichTextSectionTextElement(t, nil))
		}
	}
	for {
		i, n := findURL(s)
		if n == 0 {
			text(s)
			return els
		}
		text(s[:i])
		els = append(els, &slack.RichTextSectionLinkElement{Type: slack.RTSELink, URL: s[i : i+n]})
		s = s[i+n:]
	}
}

// findURL returns the start and length of the first http(s) URL in s
// that starts a word, or 0, 0. A URL ends at white space or '<', '>' and
// not in closing punctuation; one longer than maxURLBytes or that does not
// parse as a web URL stays text.
func findURL(s string) (int, int) {
	for i := 0; i < len(s); i++ {
		if s[i] != 'h' && s[i] != 'H' || i > 0 && !isURLBoundary(s[i-1]) {
			continue
		}
		rest := s[i:]
		if !hasPrefixFold(rest, "https://") && !hasPrefixFold(rest, "http://") {
			continue
		}
		n := strings.IndexFunc(rest, func(r rune) bool { return r <= ' ' || r == '<' || r == '>' || r == '\u007f' })
		if n < 0 {
			n = len(rest)
		}
		for n > 0 && strings.IndexByte(".,:;\"')]!?", rest[n-1]) >= 0 {
			n--
		}
		if webURL(rest[:n]) != "" {
			return i, n
		}
	}
	return 0, 0
}

// isURLBoundary reports whether a URL may start after b.
func isURLBoundary(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '(' || b == '[' || b == '"' || b == '\''
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// replyFallback renders runs as mrkdwn, the message's text that Slack
// shows in notifications: *bold*, `code`, links as <url>, and other
// literal text escaped as feed text is (entities, broadcasts defused,
// formatting characters in their fullwidth forms).
func replyFallback(runs []command.Run) string {
	var b strings.Builder
	for _, r := range runs {
		switch r.Kind {
		case command.RunBold:
			b.WriteString("*" + escape(r.Text) + "*")
		case command.RunCode:
			b.WriteString("`" + replyEscaper.Replace(defuse(r.Text)) + "`")
		default:
			for t := r.Text; t != ""; {
				i, n := findURL(t)
				if n == 0 {
					b.WriteString(escape(t))
					break
				}
				b.WriteString(escape(t[:i]) + "<" + linkURL(t[i:i+n]) + ">")
				t = t[i+n:]
			}
		}
	}
	return b.String()
}
