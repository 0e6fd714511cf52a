package slack

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/newshound/newshound/bot/notify"
)

// maxReportChunk bounds the text of a report in one message (UTF-16 code
// units): one section of at most maxSectionText characters, escaped, and
// within maxPayload bytes with Hangul at three bytes a character.
const maxReportChunk = 2400

// splitText cuts a report's text into parts of one section each.
func splitText(m notify.Message) []notify.Message {
	base := notify.TruncateUTF16(clean(m.Header), maxHeaderText-notify.UTF16Len(headerPrefix)-len(partSuffix))
	return notify.TextParts(m, maxReportChunk, func(i, n int) string { return fmt.Sprintf("%s (%d/%d)", base, i, n) })
}

// textSection renders a report's text: each line cleaned and escaped
// like feed text, lines kept.
func textSection(text string) *slack.SectionBlock {
	var lines []string
	for line := range strings.Lines(text) {
		lines = append(lines, escape(clean(line)))
	}
	s := notify.TruncateUTF16(strings.Join(lines, "\n"), maxSectionText)
	if strings.TrimSpace(s) == "" {
		s = " "
	}
	return slack.NewSectionBlock(mrkdwn(s), nil, nil)
}

// sendWithImage posts a report with its chart in a bot-token channel with
// Slack's files v2 flow: files.getUploadURLExternal, the upload, then the
// message (chat.postMessage, which names the channel's ID), then
// files.completeUploadExternal shares the file in that channel. The
// upload comes first so that a failed upload sends nothing and the whole
// message is retried; once the text is posted, a failure to share the
// chart is logged and the message counts as sent, so the text is never
// posted twice.
func (n *Notifier) sendWithImage(ctx context.Context, m notify.Message, text string, blocks []slack.Block) (string, error) {
	img := m.Image
	up, err := n.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{
		FileName: img.Name, FileSize: len(img.Data), AltTxt: notify.Truncate(clean(img.Alt), 1000),
	})
	if err != nil {
		return n.apiError("files.getUploadURLExternal", err)
	}
	if err := n.api.UploadToURL(ctx, slack.UploadToURLParameters{
		UploadURL: up.UploadURL, Reader: bytes.NewReader(img.Data), Filename: img.Name,
	}); err != nil {
		return "", notify.Classify(0, 0, n.errorf("uploading the chart: %w", err))
	}
	channelID, _, err := n.api.PostMessageContext(ctx, n.channel,
		slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
	if err != nil {
		return n.apiError("chat.postMessage", err)
	}
	if _, err := n.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
		Files:   []slack.FileSummary{{ID: up.FileID, Title: notify.Truncate(clean(m.Header), 250)}},
		Channel: channelID,
	}); err != nil {
		n.log.ErrorContext(ctx, "slack: the report was posted but its chart could not be shared",
			"channel", n.name, "error", n.errorf("files.completeUploadExternal: %w", err).Error())
	}
	return "", nil
}
