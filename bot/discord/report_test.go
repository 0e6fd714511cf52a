package discord

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/newshound/newshound/bot/notify"
)

func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func reportMessage(t *testing.T, lines int) notify.Message {
	var text strings.Builder
	for i := range lines {
		text.WriteString("■ 트럼프 @everyone **굵게** " + strings.Repeat("가", 40) + string(rune('0'+i%10)) + "\n")
	}
	return notify.Message{Kind: notify.KindReport, Header: "Report 11/23 (월) – 11/29 (일): 1 watch", Text: text.String(),
		Image: &notify.Image{Name: "report.png", Type: "image/png", Alt: "트럼프 차트", Data: testPNG(t)}}
}

// multipartParts reads a multipart request body into its parts by name.
func multipartParts(t *testing.T, r recorded) map[string][]byte {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("Content-Type %q, want multipart/form-data", r.Header.Get("Content-Type"))
	}
	out := map[string][]byte{}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		out[p.FormName()] = b
	}
}

// TestReportAttachmentBot posts a long report in a bot channel: split in
// parts of one embed each, the chart attached (multipart, files[0]) to
// the first part only, the text escaped, every payload_json valid for
// Discord's create-message schema.
func TestReportAttachmentBot(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t)
	n := newBot(t, f, newFakeClock())
	m := reportMessage(t, 150)
	parts := n.Split(m)
	if len(parts) < 2 {
		t.Fatalf("a report of %d characters was not split", len(m.Text))
	}
	for _, p := range parts {
		if err := n.Send(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	reqs := f.requests()
	if len(reqs) != len(parts) {
		t.Fatalf("%d requests for %d parts", len(reqs), len(parts))
	}
	first := multipartParts(t, reqs[0])
	if !bytes.Equal(first["files[0]"], m.Image.Data) {
		t.Errorf("files[0] of the first part is not the chart")
	}
	validatePayload(t, schemaCreateMessage, first["payload_json"])
	js := string(first["payload_json"])
	for _, want := range []string{`"attachment://report.png"`, `(1/`, "@\u200beveryone"} {
		if !strings.Contains(js, want) {
			t.Errorf("first payload lacks %s: %s", want, js)
		}
	}
	if strings.Contains(js, "@everyone") {
		t.Errorf("@everyone not defused: %s", js)
	}
	for _, r := range reqs[1:] {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			t.Errorf("a later part carries a file too")
			continue
		}
		validatePayload(t, schemaCreateMessage, r.Body)
	}
}

// TestReportAttachmentWebhook posts a report to a webhook: one multipart
// request, payload_json valid for Discord's execute-webhook schema and
// naming the attachment.
func TestReportAttachmentWebhook(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t)
	n, err := New("news", Config{WebhookURL: f.URL + "/api/webhooks/1/tok"}, Options{Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	m := reportMessage(t, 3)
	parts := n.Split(m)
	if len(parts) != 1 {
		t.Fatalf("%d parts, want 1", len(parts))
	}
	if err := n.Send(context.Background(), parts[0]); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	ps := multipartParts(t, reqs[0])
	if !bytes.Equal(ps["files[0]"], m.Image.Data) {
		t.Error("files[0] is not the chart")
	}
	validatePayload(t, schemaExecuteWebhook, ps["payload_json"])
	if !bytes.Contains(ps["payload_json"], []byte(`"attachments":[{"id":"0","filename":"report.png","description":"트럼프 차트"}]`)) {
		t.Errorf("payload_json = %s", ps["payload_json"])
	}
}
