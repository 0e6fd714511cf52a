package slack

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"golang.org/x/text/unicode/norm"

	"github.com/newshound/newshound/bot/notify"
)

// Slack limits, from https://docs.slack.dev/reference/block-kit/blocks and
// https://docs.slack.dev/reference/block-kit/composition-objects.
const (
	maxBlocks      = 50   // blocks per message
	maxSectionText = 3000 // characters in a section's text
	maxHeaderText  = 150  // characters in a header's plain_text
	// maxPayload bounds the JSON-encoded blocks of one message, in bytes.
	// Slack rejects messages whose blocks total about 13.2k characters
	// (msg_blocks_too_long, slackapi/bolt-js#2509); bytes overcount
	// characters, so this stays under the ceiling.
	maxPayload = 12000
	// maxSectionBytes bounds one entry's section so that a header, one
	// section and a footer always fit in maxPayload.
	maxSectionBytes = 8000
	maxURLBytes     = 2000 // longer links and image URLs are left out
	maxTextRunes    = 300  // the notification fallback text
	maxSourceRunes  = 60
	maxWatchRunes   = 40
	maxWatchNames   = 3
	partSuffix      = " (999/999)" // widest "(i/n)" a part header gets
	headerPrefix    = "📰 "
)

// entryLevels are the successively smaller renderings tried for one entry
// until it fits a section; the last always fits.
var entryLevels = [...]struct {
	title, snippet, also int
	link, image          bool
}{
	{title: 250, snippet: 300, also: 5, link: true, image: true},
	{title: 250, snippet: 120, also: 3, link: true, image: true},
	{title: 150, link: true, image: true},
	{title: 100},
}

// render builds the Block Kit blocks of one message part and its plain
// notification fallback text: a header, one section per entry (with its
// image when images is set), and a context footer. Feed text is escaped
// so that it can neither format nor mention anyone. render does not
// split; see Notifier.Split.
func render(m notify.Message, images bool) (string, []slack.Block) {
	loc := location(m)
	blocks := make([]slack.Block, 0, len(m.Entries)+2)
	blocks = append(blocks, header(m.Header))
	if m.Text != "" {
		blocks = append(blocks, textSection(m.Text))
	}
	for _, e := range m.Entries {
		blocks = append(blocks, renderEntry(e, loc, images))
	}
	blocks = append(blocks, footer(m))
	return fallbackText(m), blocks
}

func location(m notify.Message) *time.Location {
	if m.Location == nil {
		return time.UTC
	}
	return m.Location
}

func header(h string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, headerText(h), true, false))
}

func headerText(h string) string {
	h = clean(h)
	if h == "" {
		h = "newshound"
	}
	return notify.TruncateUTF16(headerPrefix+h, maxHeaderText)
}

// fallbackText is the message's top-level text, shown in notifications.
func fallbackText(m notify.Message) string {
	s := clean(m.Header)
	if len(m.Entries) > 0 {
		if s != "" {
			s += ": "
		}
		s += clean(clip(m.Entries[0].Title, 4*maxTextRunes))
		if len(m.Entries) > 1 {
			s += fmt.Sprintf(" (+%d)", len(m.Entries)-1)
		}
	}
	if s == "" {
		s = "newshound"
	}
	return escape(notify.Truncate(s, maxTextRunes))
}

// renderEntry renders e as a section at the largest level that fits.
func renderEntry(e notify.Entry, loc *time.Location, images bool) *slack.SectionBlock {
	var b *slack.SectionBlock
	rawTitle := clean(clip(e.Title, 4*entryLevels[0].title))
	rawSnippet := clean(clip(e.Snippet, 4*entryLevels[0].snippet))
	for _, lv := range entryLevels {
		var sb strings.Builder
		title := escape(notify.Truncate(rawTitle, lv.title))
		if title == "" {
			title = "(untitled)"
		}
		if e.Urgent {
			title = "🚨 " + title
		}
		if link := linkURL(e.Link); lv.link && link != "" {
			fmt.Fprintf(&sb, "*<%s|%s>*", link, title)
		} else {
			fmt.Fprintf(&sb, "*%s*", title)
		}
		if meta := metaLine(e, loc, lv.also); meta != "" {
			sb.WriteString("\n" + meta)
		}
		if snip := notify.Truncate(rawSnippet, lv.snippet); snip != "" {
			sb.WriteString("\n" + highlight(snip, e.Terms))
		}
		var acc *slack.Accessory
		if img := webURL(e.Image); lv.image && images && img != "" {
			alt := notify.Truncate(rawTitle, 100)
			if alt == "" {
				alt = "image"
			}
			acc = slack.NewAccessory(slack.NewImageBlockElement(img, alt))
		}
		b = slack.NewSectionBlock(mrkdwn(sb.String()), nil, acc)
		if utf8.RuneCountInString(sb.String()) <= maxSectionText && jsonSize(b) <= maxSectionBytes {
			return b
		}
	}
	return b
}

// metaLine is "source · time · +N: other, outlets".
func metaLine(e notify.Entry, loc *time.Location, also int) string {
	var parts []string
	if s := clean(clip(e.Source, 4*maxSourceRunes)); s != "" {
		parts = append(parts, escape(notify.Truncate(s, maxSourceRunes)))
	}
	if !e.Published.IsZero() {
		when := e.Published.In(loc).Format("2006-01-02 15:04 MST")
		if e.Undated || !e.LastSeen.IsZero() {
			when = "first seen " + when
		}
		if e.Undated {
			when += " (undated)"
		}
		parts = append(parts, when)
	}
	if !e.LastSeen.IsZero() {
		parts = append(parts, "last seen "+e.LastSeen.In(loc).Format("2006-01-02 15:04 MST"))
	}
	if len(e.Also) > 0 && also > 0 {
		var names []string
		for _, s := range e.Also[:min(also, len(e.Also))] {
			if n := clean(clip(s.Name, 4*maxSourceRunes)); n != "" {
				names = append(names, escape(notify.Truncate(n, maxSourceRunes)))
			}
		}
		a := fmt.Sprintf("+%d", len(e.Also))
		if len(names) > 0 {
			a += ": " + strings.Join(names, ", ")
			if len(names) < len(e.Also) {
				a += ", …"
			}
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " · ")
}

func footer(m notify.Message) *slack.ContextBlock {
	var names []string
	seen := map[string]bool{}
	for _, e := range m.Entries {
		w := clean(clip(e.Watch, 4*maxWatchRunes))
		if w != "" && !seen[w] {
			seen[w] = true
			names = append(names, w)
		}
	}
	s := "newshound"
	if len(names) > 0 {
		shown := names[:min(maxWatchNames, len(names))]
		for i, n := range shown {
			shown[i] = escape(notify.Truncate(n, maxWatchRunes))
		}
		s += " · " + strings.Join(shown, ", ")
		if len(names) > len(shown) {
			s += fmt.Sprintf(" +%d", len(names)-len(shown))
		}
	}
	if m.More > 0 {
		s += fmt.Sprintf(" · and %d more", m.More)
	}
	return slack.NewContextBlock("", mrkdwn(s))
}

// mrkdwn is a mrkdwn text object with verbatim set, so Slack links only the
// explicit <url|label> sequences we write and never auto-links names or
// mentions in feed text.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

// clean makes untrusted text single-line, valid, NFC-composed UTF-8 (so
// Hangul is whole syllables and truncation never splits one) with runs of
// spaces and control characters collapsed.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// clip cuts s to about n runes so that cleaning a long feed text costs no
// more than the part that can be shown. It cuts only where NFC allows (never
// inside a decomposed Hangul syllable) and marks the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for i := range s {
		if n == 0 {
			if b := norm.NFC.LastBoundary([]byte(s[:i])); b > 0 {
				i = b
			}
			return s[:i] + "…"
		}
		n--
	}
	return s
}

// escaper applies Slack's escaping (&, <, >) and turns the mrkdwn
// formatting characters into their fullwidth forms, so feed text shows
// literally and cannot bold, italicize, strike or code-format anything.
var escaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"*", "＊", "_", "＿", "~", "～", "`", "｀",
)

// broadcasts are the words that notify a whole channel when a client
// links them; a word joiner after "@" keeps them plain text.
var broadcasts = [...]string{"channel", "here", "everyone"}

// escape renders untrusted text as inert mrkdwn.
func escape(s string) string { return escaper.Replace(defuse(s)) }

// defuse puts a word joiner after each "@" that starts a broadcast word.
func defuse(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] != '@' {
			continue
		}
		for _, w := range broadcasts {
			if len(s)-i-1 >= len(w) && strings.EqualFold(s[i+1:i+1+len(w)], w) {
				b.WriteString("\u2060")
				break
			}
		}
	}
	return b.String()
}

// highlight escapes s and bolds the matched terms in it, matched case
// insensitively and, in spaced scripts, as whole words. A bold run is set
// off with zero-width spaces where it touches a letter or digit, since
// Slack only formats at word boundaries (Korean particles attach to the
// word).
func highlight(s string, terms []string) string {
	rs := []rune(defuse(s))
	mark := make([]bool, len(rs))
	for _, t := range terms {
		tr := []rune(clean(t))
		if len(tr) == 0 {
			continue
		}
		for i := 0; i+len(tr) <= len(rs); i++ {
			if foldEqual(rs[i:i+len(tr)], tr) && bounded(rs, i, i+len(tr)) {
				for j := range tr {
					mark[i+j] = true
				}
			}
		}
	}
	var b strings.Builder
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && mark[j] == mark[i] {
			j++
		}
		run := escaper.Replace(string(rs[i:j]))
		if mark[i] {
			if i > 0 && isWord(rs[i-1]) {
				b.WriteString("\u200b")
			}
			b.WriteString("*" + run + "*")
			if j < len(rs) && isWord(rs[j]) {
				b.WriteString("\u200b")
			}
		} else {
			b.WriteString(run)
		}
		i = j
	}
	return b.String()
}

// bounded reports whether rs[i:j] stands as a word where it must: like the
// matcher, a term edge in a spaced script (Latin, say) must not touch
// another letter or digit of such a script, while Hangul and Han match
// inside words (삼성전자가) and a Hangul particle may follow (HBM을).
func bounded(rs []rune, i, j int) bool {
	spaced := func(r rune) bool { return isWord(r) && !unicode.In(r, unicode.Hangul, unicode.Han) }
	if spaced(rs[i]) && i > 0 && spaced(rs[i-1]) {
		return false
	}
	return !spaced(rs[j-1]) || j == len(rs) || !spaced(rs[j])
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func foldEqual(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] && unicode.ToLower(a[i]) != unicode.ToLower(b[i]) {
			return false
		}
	}
	return true
}

// linkURL returns raw as a URL safe inside <url|label>, or "" when it is
// not a short absolute http(s) URL. Characters that would end the link
// sequence are percent-escaped and & is escaped as Slack requires.
func linkURL(raw string) string {
	u := webURL(raw)
	if u == "" {
		return ""
	}
	return strings.NewReplacer("&", "&amp;", "|", "%7C", "<", "%3C", ">", "%3E").Replace(u)
}

// webURL returns raw if it is a short absolute http(s) URL without spaces,
// else "".
func webURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxURLBytes || strings.ContainsFunc(raw, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return raw
}

func jsonSize(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}

// split cuts m into parts that each render within Slack's limits, keeping
// entries in order. Every part but the last has More cleared; part headers
// gain "(i/n)" when there is more than one. Entries render independently,
// so a part's size is the sum of its blocks' sizes.
func split(m notify.Message) []notify.Message {
	if m.Text != "" {
		return splitText(m)
	}
	loc := location(m)
	base := notify.TruncateUTF16(clean(m.Header),
		maxHeaderText-notify.UTF16Len(headerPrefix)-len(partSuffix))
	headerSize := jsonSize(header(base + partSuffix))
	// size is the JSON size of the blocks array of a part holding entries
	// whose sections total sections bytes.
	size := func(entries []notify.Entry, sections int) int {
		f := jsonSize(footer(notify.Message{Entries: entries, More: m.More}))
		return len("[]") + headerSize + sections + f + len(entries) + 1 // commas
	}
	groups := notify.SplitEntries(m.Entries,
		func(e notify.Entry) int { return jsonSize(renderEntry(e, loc, true)) },
		func(g []notify.Entry, sections int) bool {
			return len(g)+2 <= maxBlocks && size(g, sections) <= maxPayload
		})
	return notify.Parts(m, groups, func(i, n int) string {
		return fmt.Sprintf("%s (%d/%d)", base, i, n)
	})
}
