// Package slack delivers alerts and digests to Slack as Block Kit messages,
// through an incoming webhook or chat.postMessage with a bot token, and
// carries the /news command between Slack and command.Runner over signed
// HTTP requests or Socket Mode.
package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/redact"
)

const (
	// defaultRetryAfter is the wait after a 429 that names no delay.
	defaultRetryAfter = time.Second
	maxErrorBody      = 4096
)

// Options are the optional dependencies of a Notifier.
type Options struct {
	// Token is the bot token (SLACK_BOT_TOKEN); required with channel:.
	Token      string
	HTTPClient *http.Client // default: 30 s timeout
	Logger     *slog.Logger // default: slog.Default()
	// Now must be the clock of Pacer; it dates rate-limit blocks.
	Now func() time.Time
	// Pacer spaces sends to the channel; default 1 message per second.
	Pacer *notify.Pacer
	// Redactor knows the bot's secrets; every error is redacted by it and
	// by this channel's own (webhook URL, token). Nil: pattern rules and
	// the channel's own secrets only.
	Redactor *redact.Redactor
}

// Notifier posts to one Slack channel. It is safe for concurrent use.
type Notifier struct {
	name    string
	webhook string // secret
	channel string
	token   string // secret
	api     *slack.Client
	hc      *http.Client
	log     *slog.Logger
	now     func() time.Time
	pacer   *notify.Pacer
	redact  *redact.Redactor
}

var _ notify.Notifier = (*Notifier)(nil)

// New returns the notifier for the channel called name. Exactly one of
// c.WebhookURL and c.Channel must be set, and a channel needs o.Token.
// c.APIURL replaces the Web API base (https://slack.com/api/).
func New(name string, c Config, o Options) (*Notifier, error) {
	n := &Notifier{
		name: name, webhook: c.WebhookURL, channel: c.Channel, token: o.Token,
		hc: o.HTTPClient, log: o.Logger, now: o.Now, pacer: o.Pacer,
		redact: o.Redactor.With(o.Token),
	}
	n.redact.AddURL(c.WebhookURL)
	if n.hc == nil {
		n.hc = &http.Client{Timeout: 30 * time.Second}
	}
	if n.log == nil {
		n.log = slog.Default()
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.pacer == nil {
		n.pacer = notify.NewPacer(1, time.Second)
	}
	switch {
	case (c.WebhookURL == "") == (c.Channel == ""):
		return nil, fmt.Errorf("slack: channel %q: set exactly one of webhook_url and channel", name)
	case c.WebhookURL != "":
		if !isHTTPURL(c.WebhookURL) {
			return nil, fmt.Errorf("slack: channel %q: webhook_url is not an http(s) URL", name)
		}
		return n, nil
	case o.Token == "":
		return nil, fmt.Errorf("slack: channel %q: channel %q needs a bot token (SLACK_BOT_TOKEN)", name, c.Channel)
	}
	opts := []slack.Option{slack.OptionHTTPClient(n.hc)}
	if c.APIURL != "" {
		if !isHTTPURL(c.APIURL) {
			return nil, fmt.Errorf("slack: channel %q: api_url is not an http(s) URL", name)
		}
		opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(c.APIURL, "/")+"/"))
	}
	n.api = slack.New(o.Token, opts...)
	return n, nil
}

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Split cuts m into messages within Slack's limits (50 blocks, section and
// header lengths, ~12k payload), keeping entries in order and losing none;
// an entry too large on its own is shortened, never dropped.
func (n *Notifier) Split(m notify.Message) []notify.Message { return split(m) }

// Send makes one attempt to post m, after waiting for the channel's pace.
// It returns nil only when Slack accepted the message. A 429 returns
// notify.Retry with Slack's Retry-After and holds the channel's Pacer until
// then; 5xx and network errors are retryable; other rejections are
// notify.Permanent. If Slack rejects the blocks and the message carries
// images (an image URL Slack cannot fetch fails the whole message), it is
// sent once more without them. Errors never contain the webhook URL or
// token.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	_, err := n.SendRef(ctx, m)
	return err
}

var _ notify.Editor = (*Notifier)(nil)

// SendRef is Send returning the message's reference ("channel-id ts")
// when it was posted with chat.postMessage; an incoming webhook returns
// "", since its messages cannot be edited.
func (n *Notifier) SendRef(ctx context.Context, m notify.Message) (string, error) {
	code, ref, err := n.send(ctx, m, true, "")
	if code == "invalid_blocks" && hasImage(m) {
		n.log.WarnContext(ctx, "slack rejected blocks; sending without images",
			"channel", n.name, "error", err)
		_, ref, err = n.send(ctx, m, false, "")
	}
	return ref, err
}

// Edit replaces the message ref (from SendRef) with m through
// chat.update, after the channel's pace. A message Slack no longer has or
// no longer lets the bot edit returns notify.ErrGone; other failures are
// classified as for Send.
func (n *Notifier) Edit(ctx context.Context, ref string, m notify.Message) error {
	if n.api == nil {
		return notify.Permanent(n.errorf("an incoming webhook cannot edit messages"))
	}
	if _, _, ok := strings.Cut(ref, " "); !ok {
		return notify.Permanent(n.errorf("message reference %q is not \"channel ts\"", ref))
	}
	code, _, err := n.send(ctx, m, true, ref)
	if code == "invalid_blocks" && hasImage(m) {
		_, _, err = n.send(ctx, m, false, ref)
	}
	return err
}

// goneCodes are the chat.update error codes after which the message can
// never be edited: it or its channel is gone, or edits are closed.
var goneCodes = map[string]bool{
	"message_not_found": true, "channel_not_found": true, "cant_update_message": true,
	"edit_window_closed": true, "is_archived": true,
}

func hasImage(m notify.Message) bool {
	for _, e := range m.Entries {
		if webURL(e.Image) != "" {
			return true
		}
	}
	return false
}

// send posts once and returns Slack's error code, when it gave one, with
// the classified error, and the posted message's reference. A non-empty
// edit is the reference of a message to replace (chat.update).
func (n *Notifier) send(ctx context.Context, m notify.Message, images bool, edit string) (string, string, error) {
	if err := n.pacer.Wait(ctx); err != nil {
		return "", "", fmt.Errorf("slack: channel %q: waiting to send: %w", n.name, err)
	}
	text, blocks := render(m, images)
	if n.api != nil && len(m.Entries) == 1 && m.Entries[0].ID > 0 {
		// A bot-token alert of one story carries its buttons; the
		// interactions endpoint or Socket Mode answers them.
		blocks = append(blocks, alertActions(m.Entries[0].ID))
	}
	var code, ref string
	var err error
	switch {
	case n.webhook != "":
		// A webhook carries no file: a report goes as text only.
		code, err = n.postWebhook(ctx, text, blocks)
	case edit != "":
		code, err = n.updateMessage(ctx, edit, text, blocks)
	case m.Image != nil && len(m.Image.Data) > 0:
		code, err = n.sendWithImage(ctx, m, text, blocks)
	default:
		code, ref, err = n.postMessage(ctx, text, blocks)
	}
	if err == nil {
		n.log.DebugContext(ctx, "slack message sent", "channel", n.name, "entries", len(m.Entries), "edit", edit != "")
	}
	return code, ref, err
}

type webhookPayload struct {
	Text        string        `json:"text"`
	Blocks      []slack.Block `json:"blocks,omitempty"`
	UnfurlLinks bool          `json:"unfurl_links"`
	UnfurlMedia bool          `json:"unfurl_media"`
}

func (n *Notifier) postWebhook(ctx context.Context, text string, blocks []slack.Block) (string, error) {
	status, hdr, body, err := postJSON(ctx, n.hc, n.webhook, webhookPayload{Text: text, Blocks: blocks})
	if err != nil {
		return "", notify.Classify(0, 0, n.errorf("posting to webhook: %w", err))
	}
	if status/100 == 2 {
		return "", nil
	}
	code := notify.Truncate(clean(string(body)), 100)
	if status == http.StatusTooManyRequests {
		d, ok := notify.RetryAfter(hdr, body, n.now())
		if !ok {
			d = defaultRetryAfter
		}
		return code, n.rateLimited(d)
	}
	return code, notify.Classify(status, 0, n.errorf("webhook answered %d %s", status, code))
}

// retryableCodes are Web API error codes worth retrying soon.
var retryableCodes = map[string]bool{
	"ratelimited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true,
}

func (n *Notifier) postMessage(ctx context.Context, text string, blocks []slack.Block) (string, string, error) {
	channel, ts, err := n.api.PostMessageContext(ctx, n.channel,
		slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
	if err == nil {
		if channel == "" || ts == "" {
			return "", "", nil // posted, but nothing to edit it by
		}
		return "", channel + " " + ts, nil
	}
	code, err := n.apiError("chat.postMessage", err)
	return code, "", err
}

// updateMessage replaces the message ref ("channel ts") with chat.update.
func (n *Notifier) updateMessage(ctx context.Context, ref, text string, blocks []slack.Block) (string, error) {
	channel, ts, _ := strings.Cut(ref, " ")
	_, _, _, err := n.api.UpdateMessageContext(ctx, channel, ts,
		slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
	if err == nil {
		return "", nil
	}
	var resp slack.SlackErrorResponse
	if errors.As(err, &resp) && goneCodes[resp.Err] {
		return resp.Err, fmt.Errorf("%w: %w", notify.ErrGone, n.errorf("chat.update: %w", err))
	}
	return n.apiError("chat.update", err)
}

// apiError classifies a Web API failure of method and returns Slack's
// error code when it gave one that is not worth retrying.
func (n *Notifier) apiError(method string, err error) (string, error) {
	var (
		rle  *slack.RateLimitedError
		sce  slack.StatusCodeError
		resp slack.SlackErrorResponse
	)
	switch {
	case errors.As(err, &rle):
		return "", n.rateLimited(min(rle.RetryAfter, notify.MaxRetryAfter))
	case errors.As(err, &sce) && sce.Code == http.StatusTooManyRequests:
		return "", n.rateLimited(defaultRetryAfter)
	case errors.As(err, &sce):
		return "", notify.Classify(sce.Code, 0, n.errorf("%s: %w", method, err))
	case errors.As(err, &resp) && !retryableCodes[resp.Err]:
		return resp.Err, notify.Permanent(n.errorf("%s: %w", method, err))
	case errors.As(err, &resp):
		return "", notify.Retry(n.errorf("%s: %w", method, err), 0)
	default: // no answer: a network failure or timeout
		return "", notify.Classify(0, 0, n.errorf("%s: %w", method, err))
	}
}

// rateLimited holds the channel for d and reports a retryable error.
func (n *Notifier) rateLimited(d time.Duration) error {
	n.pacer.Block(n.now().Add(d))
	n.log.Warn("slack rate limited", "channel", n.name, "retry_after", d)
	return notify.Classify(http.StatusTooManyRequests, d, n.errorf("rate limited (429), retry after %s", d))
}

// errorf formats an error about this channel with the secrets removed.
func (n *Notifier) errorf(format string, args ...any) error {
	return n.redact.Error(fmt.Errorf("slack: channel %q: "+format, append([]any{n.name}, args...)...))
}

// postJSON posts v as JSON and returns the status, headers and the start
// of the body.
func postJSON(ctx context.Context, hc *http.Client, target string, v any) (int, http.Header, []byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("encoding payload: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil && resp.StatusCode/100 != 2 {
		return 0, nil, nil, fmt.Errorf("reading response: %w", err)
	}
	return resp.StatusCode, resp.Header, b, nil
}
