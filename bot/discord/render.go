package discord

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
)

// Discord's message and embed limits, in characters (counted here as
// UTF-16 code units, which is never fewer than Discord counts). See
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
const (
	maxContent     = 2000
	maxEmbeds      = 10
	maxEmbedTotal  = 6000
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxAuthor      = 256
	maxURL         = 2048
)

// Payload is the JSON body of one Discord message, sent to a webhook or
// (as a discordgo.MessageSend) to a channel.
type Payload struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	// Attachments describe the files of a multipart message.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// noMentions allows no mention of any kind: {"parse": []}.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// renderer turns messages into payloads; colors maps a watch to its
// embed colour.
type renderer struct {
	colors map[string]int
}

// color is the watch's configured colour or a stable one derived from its
// name.
func (r renderer) color(watch string) int {
	if c, ok := r.colors[watch]; ok {
		return c
	}
	return HashColor(watch)
}

// embedSize is the embed's share of the 6,000-character message budget.
func embedSize(e *discordgo.MessageEmbed) int {
	n := notify.UTF16Len(e.Title) + notify.UTF16Len(e.Description)
	if e.Author != nil {
		n += notify.UTF16Len(e.Author.Name)
	}
	if e.Footer != nil {
		n += notify.UTF16Len(e.Footer.Text)
	}
	for _, f := range e.Fields {
		n += notify.UTF16Len(f.Name) + notify.UTF16Len(f.Value)
	}
	return n
}

// embed renders one entry within every per-embed limit; its size never
// exceeds the message budget, so any single entry fits a message.
func (r renderer) embed(e notify.Entry) *discordgo.MessageEmbed {
	title := e.Title
	if strings.TrimSpace(title) == "" {
		title = "(no title)"
	}
	if e.Urgent {
		title = "🚨 " + title
	}
	em := &discordgo.MessageEmbed{
		Title: escapeTrunc(title, maxTitle),
		URL:   webURL(e.Link),
		Color: r.color(e.Watch),
	}
	if !e.Published.IsZero() {
		em.Timestamp = e.Published.UTC().Format(time.RFC3339)
	}
	if src := plainTrunc(e.Source, maxAuthor); src != "" {
		em.Author = &discordgo.MessageEmbedAuthor{Name: src}
	}
	if img := webURL(e.Image); img != "" {
		em.Thumbnail = &discordgo.MessageEmbedThumbnail{URL: img}
	}
	footer := e.Watch
	if e.Query != "" {
		footer += " · " + e.Query
	}
	if e.Undated {
		// The timestamp is when the bot first saw the item: say so.
		footer += " · undated: time first seen"
	}
	if !e.LastSeen.IsZero() && !e.Published.IsZero() {
		// The timestamp shows when the story was first seen; the footer
		// how far it has spread since.
		footer += " · first seen " + e.Published.UTC().Format("01-02 15:04") + " · last seen " + e.LastSeen.UTC().Format("01-02 15:04 UTC")
	}
	if f := plainTrunc(footer, maxFooter); f != "" {
		em.Footer = &discordgo.MessageEmbedFooter{Text: f}
	}
	if f := alsoField(e.Also); f != nil {
		em.Fields = []*discordgo.MessageEmbedField{f}
	}
	if e.Snippet != "" {
		budget := min(maxDescription, maxEmbedTotal-embedSize(em))
		em.Description = highlight(e.Snippet, e.Terms, budget)
	}
	return em
}

// alsoField lists the other outlets that carried the story as links, as
// many as fit one field value.
func alsoField(also []notify.Source) *discordgo.MessageEmbedField {
	var parts []string
	n := 0
	for i, s := range also {
		name := escapeTrunc(s.Name, 100)
		if name == "" {
			name = escapeTrunc(s.Link, 100)
		}
		if name == "" {
			continue
		}
		item := name
		if u := webURL(s.Link); u != "" {
			// Parentheses and spaces would end a masked link early.
			item = "[" + name + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(u) + ")"
		}
		more := fmt.Sprintf(" and %d more", len(also)-i)
		if n+notify.UTF16Len(item)+2+notify.UTF16Len(more) > maxFieldValue {
			parts = append(parts, strings.TrimSpace(more))
			break
		}
		parts = append(parts, item)
		n += notify.UTF16Len(item) + 2
	}
	if len(parts) == 0 {
		return nil
	}
	return &discordgo.MessageEmbedField{Name: "Also reported by", Value: strings.Join(parts, ", ")}
}

// webURL returns raw when it is an absolute http(s) URL Discord accepts,
// and "" otherwise.
func webURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > maxURL {
		return ""
	}
	return raw
}

// content is the escaped header line of a part, with "and N more" when
// the digest left matches out.
func content(header string, more int) string {
	tail := ""
	if more > 0 {
		tail = fmt.Sprintf("\n…and %d more", more)
	}
	head := escapeTrunc(header, maxContent-notify.UTF16Len(tail))
	return strings.TrimLeft(head+tail, "\n")
}

// render builds the payload of one part.
func (r renderer) render(m notify.Message) Payload {
	p := Payload{Content: content(m.Header, m.More), AllowedMentions: noMentions()}
	if m.Text != "" || m.Image != nil {
		p.Embeds = append(p.Embeds, textEmbed(m))
	}
	for _, e := range m.Entries {
		p.Embeds = append(p.Embeds, r.embed(e))
	}
	return p
}

// fits reports whether a payload is within the per-message limits.
func fits(p Payload) bool {
	total := 0
	for _, e := range p.Embeds {
		total += embedSize(e)
	}
	return len(p.Embeds) <= maxEmbeds && total <= maxEmbedTotal && notify.UTF16Len(p.Content) <= maxContent
}

// split cuts m into parts of at most ten embeds and 6,000 characters,
// keeping entries in order. Parts get "(i/n)" headers and the "and N
// more" note goes on the last one.
func (r renderer) split(m notify.Message) []notify.Message {
	if m.Text != "" {
		return r.splitText(m)
	}
	groups := notify.SplitEntries(m.Entries,
		func(e notify.Entry) int { return embedSize(r.embed(e)) },
		func(g []notify.Entry, size int) bool { return len(g) <= maxEmbeds && size <= maxEmbedTotal })
	// The raw header is cut first so escaping cannot push the "(i/n)"
	// suffix past the content limit.
	head := notify.TruncateUTF16(m.Header, maxContent/2-100)
	return notify.Parts(m, groups, func(i, n int) string {
		return strings.TrimSpace(fmt.Sprintf("%s (%d/%d)", head, i, n))
	})
}

// render returns the payloads a message is sent as, one per part, with the
// default colours. It is what Split followed by Send posts.
func render(m notify.Message, colors map[string]int) []Payload {
	r := renderer{colors: colors}
	var out []Payload
	for _, part := range r.split(m) {
		out = append(out, r.render(part))
	}
	return out
}

// HashColor is a stable colour for a watch without one, from a hash of
// its name; every channel is at least 0x40 so it shows on dark themes.
func HashColor(name string) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32()&0xffffff) | 0x404040
}

// ParseColor reads a "#RRGGBB" colour.
func ParseColor(s string) (int, error) {
	hex, ok := strings.CutPrefix(strings.TrimSpace(s), "#")
	if !ok || len(hex) != 6 {
		return 0, fmt.Errorf("discord: colour %q is not #RRGGBB", s)
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("discord: colour %q is not #RRGGBB: %w", s, err)
	}
	return int(v), nil
}

// WatchColors maps every watch to its embed colour: its "color:" when set
// and valid, otherwise HashColor of its name.
func WatchColors(watches []config.Watch) map[string]int {
	out := make(map[string]int, len(watches))
	for _, w := range watches {
		c, err := ParseColor(w.Color)
		if err != nil {
			c = HashColor(w.Name)
		}
		out[w.Name] = c
	}
	return out
}
