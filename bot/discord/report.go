package discord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/notify"
)

// maxReportChunk bounds a report's text in one message (UTF-16 code
// units), leaving room in the embed's description for escapes.
const maxReportChunk = 3000

// reportColor is the embed colour of reports.
var reportColor = HashColor("newshound report")

// Attachment names a file sent with a message (payload_json
// "attachments"); ID is its index among the files, as a snowflake string.
type Attachment struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	Description string `json:"description,omitempty"`
}

// splitText cuts a report's text into parts of one embed each.
func (r renderer) splitText(m notify.Message) []notify.Message {
	head := notify.TruncateUTF16(m.Header, maxContent/2-100)
	return notify.TextParts(m, maxReportChunk, func(i, n int) string {
		return strings.TrimSpace(fmt.Sprintf("%s (%d/%d)", head, i, n))
	})
}

// textEmbed renders a report's text as an embed, lines kept, escaped like
// feed text; the chart, when the part carries it, is the embed's image.
func textEmbed(m notify.Message) *discordgo.MessageEmbed {
	desc, _ := joinTokens(escapeTokens(m.Text, true), maxDescription)
	em := &discordgo.MessageEmbed{Description: desc, Color: reportColor}
	if m.Image != nil && len(m.Image.Data) > 0 {
		em.Image = &discordgo.MessageEmbedImage{URL: "attachment://" + fileName(m.Image)}
	}
	return em
}

// fileName is the attachment's file name: letters, digits, dots, dashes
// and underscores only, as Discord's attachment:// links need.
func fileName(img *notify.Image) string {
	name := strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return r
		}
		return '_'
	}, img.Name)
	if name == "" {
		name = "chart.png"
	}
	return name
}

// multipartBody encodes a webhook message with one file: the JSON
// payload in payload_json and the file in files[0].
func multipartBody(p Payload, img *notify.Image) (body []byte, contentType string, err error) {
	p.Attachments = []Attachment{{ID: "0", Filename: fileName(img), Description: plainTrunc(img.Alt, 1024)}}
	js, err := json.Marshal(p)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="payload_json"`)
	h.Set("Content-Type", "application/json")
	pw, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := pw.Write(js); err != nil {
		return nil, "", err
	}
	h = textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files[0]"; filename="%s"`, fileName(img)))
	h.Set("Content-Type", imageType(img))
	fw, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := fw.Write(img.Data); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

func imageType(img *notify.Image) string {
	if img.Type != "" {
		return img.Type
	}
	return "application/octet-stream"
}

// botFiles are the files of a bot message.
func botFiles(img *notify.Image) []*discordgo.File {
	if img == nil || len(img.Data) == 0 {
		return nil
	}
	return []*discordgo.File{{Name: fileName(img), ContentType: imageType(img), Reader: bytes.NewReader(img.Data)}}
}
