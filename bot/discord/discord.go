// Package discord delivers alerts and digests to Discord as embeds,
// through a webhook or with a bot token, and serves the /news application
// command over the gateway or an Ed25519-verified HTTP interactions
// endpoint. Feed text is escaped and every message forbids mentions.
package discord

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
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/redact"
)

// Default pacing: Discord allows about 30 messages a minute per webhook and
// 5 per 5 seconds per channel for bots, and 50 requests a second globally.
const (
	webhookBurst  = 30
	webhookWindow = time.Minute
	channelBurst  = 5
	channelWindow = 5 * time.Second
	globalBurst   = 50
	globalWindow  = time.Second

	httpTimeout  = 20 * time.Second
	maxErrorBody = 64 << 10
	userAgent    = "newshound (https://github.com/newshound/newshound, 1)"
)

// Options are the injected dependencies of a Notifier. The zero value is
// usable for webhooks.
type Options struct {
	// Token is the bot token (DISCORD_BOT_TOKEN), required with
	// channel_id. A missing "Bot " prefix is added.
	Token string
	// HTTPClient sends requests; nil means a client with a 20 s timeout.
	// For bot posts its Transport is wrapped to honour api_url.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Now and Sleep drive the default pacers; nil means the real clock.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Colors maps a watch name to its embed colour (see WatchColors);
	// watches not in it get HashColor.
	Colors map[string]int
	// Pacer paces this channel; nil means 30 per minute for a webhook and
	// 5 per 5 s for a bot channel. Share one between channels that post
	// to the same webhook or channel.
	Pacer *notify.Pacer
	// Global is held on Discord's global rate limit; share one among all
	// Discord notifiers. Nil means 50 per second for this notifier alone.
	Global *notify.Pacer
	// Redactor knows the bot's secrets; every error is redacted by it and
	// by this channel's own (webhook URL, token). Nil: pattern rules and
	// the channel's own secrets only.
	Redactor *redact.Redactor
}

// Notifier posts to one configured Discord channel. Send makes exactly
// one attempt; package bot owns retries.
type Notifier struct {
	name   string
	r      renderer
	logger *slog.Logger
	now    func() time.Time
	pacer  *notify.Pacer
	global *notify.Pacer
	// redact removes from every error the bot's secrets and this
	// channel's: the webhook URL (its path holds the token) and the bot
	// token.
	redactor *redact.Redactor

	// Webhook delivery.
	webhook string // URL with wait=true
	client  *http.Client

	// Bot delivery.
	channelID string
	session   *discordgo.Session
}

var _ notify.Notifier = (*Notifier)(nil)

// New returns a notifier for channel name. A webhook_url is posted to as
// given, with wait=true added. With channel_id the message is sent with
// discordgo and o.Token; api_url then replaces https://discord.com/api/v9
// (for a compatible server or a local fake) by rewriting requests in the
// HTTP transport, since discordgo's endpoints are package variables.
func New(name string, c Config, o Options) (*Notifier, error) {
	n := &Notifier{
		name:   name,
		r:      renderer{colors: o.Colors},
		logger: o.Logger,
		now:    o.Now,
		pacer:  o.Pacer,
		global: o.Global,
		client: o.HTTPClient,
	}
	if n.logger == nil {
		n.logger = slog.New(slog.DiscardHandler)
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.client == nil {
		n.client = &http.Client{Timeout: httpTimeout}
	}
	if n.global == nil {
		n.global = &notify.Pacer{Burst: globalBurst, Window: globalWindow, Now: o.Now, Sleep: o.Sleep}
	}
	switch {
	case c.WebhookURL != "" && c.ChannelID != "":
		return nil, fmt.Errorf("discord: channel %q: set webhook_url or channel_id, not both", name)
	case c.WebhookURL != "":
		u, err := url.Parse(c.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("discord: channel %q: webhook_url is not an http(s) URL", name)
		}
		if u.Query().Get("wait") == "" {
			if u.RawQuery != "" {
				u.RawQuery += "&"
			}
			u.RawQuery += "wait=true"
		}
		n.webhook = u.String()
		// The URL, its path and the token alone (its last segment), in
		// case a server echoes them.
		n.redactor = o.Redactor.With()
		n.redactor.AddURL(n.webhook, c.WebhookURL)
		if n.pacer == nil {
			n.pacer = &notify.Pacer{Burst: webhookBurst, Window: webhookWindow, Now: o.Now, Sleep: o.Sleep}
		}
	case c.ChannelID != "":
		if o.Token == "" {
			return nil, fmt.Errorf("discord: channel %q: channel_id needs a bot token in DISCORD_BOT_TOKEN", name)
		}
		s, err := newSession(o.Token, c.APIURL, n.client, func(status int, h http.Header, body []byte) {
			n.observe(status, h, body)
		})
		if err != nil {
			return nil, fmt.Errorf("discord: channel %q: %w", name, err)
		}
		n.session, n.channelID = s, c.ChannelID
		n.redactor = o.Redactor.With(o.Token)
		if n.pacer == nil {
			n.pacer = &notify.Pacer{Burst: channelBurst, Window: channelWindow, Now: o.Now, Sleep: o.Sleep}
		}
	default:
		return nil, fmt.Errorf("discord: channel %q: set webhook_url or channel_id", name)
	}
	return n, nil
}

// Split cuts m into parts of at most ten embeds and 6,000 characters.
func (n *Notifier) Split(m notify.Message) []notify.Message { return n.r.split(m) }

// Send posts one part after waiting for the pacers (as long as ctx
// allows). It returns nil on 2xx, notify.Retry on 429 (with Discord's
// retry_after), 5xx and network errors, and notify.Permanent on other
// statuses or a part that does not fit one message.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	_, err := n.SendRef(ctx, m)
	return err
}

var _ notify.Editor = (*Notifier)(nil)

// SendRef is Send returning the posted message's ID (a webhook posts with
// wait=true, so Discord answers with the message), or "" when Discord
// named none.
func (n *Notifier) SendRef(ctx context.Context, m notify.Message) (string, error) {
	return n.post(ctx, "", m)
}

// Edit replaces the message with ID ref (from SendRef) by m: PATCH
// /webhooks/{id}/{token}/messages/{ref} for a webhook, the channel
// message edit for a bot channel, after the pacers. A message Discord no
// longer has (404) returns notify.ErrGone; other failures are classified
// as for Send.
func (n *Notifier) Edit(ctx context.Context, ref string, m notify.Message) error {
	if !isSnowflake(ref) {
		return notify.Permanent(fmt.Errorf("discord: channel %q: message reference %q is not a message ID", n.name, ref))
	}
	_, err := n.post(ctx, ref, m)
	return err
}

// isSnowflake reports whether s is a Discord ID: 1 to 20 digits.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// post sends m as a new message (edit "") or as the new content of the
// message edit, and returns the message's ID.
func (n *Notifier) post(ctx context.Context, edit string, m notify.Message) (string, error) {
	p := n.r.render(m)
	if !fits(p) {
		return "", notify.Permanent(fmt.Errorf("discord: channel %q: message exceeds Discord's limits (Split it first)", n.name))
	}
	if p.Content == "" && len(p.Embeds) == 0 {
		return "", notify.Permanent(fmt.Errorf("discord: channel %q: empty message", n.name))
	}
	if err := n.global.Wait(ctx); err != nil {
		return "", fmt.Errorf("discord: channel %q: wait for rate limit: %w", n.name, err)
	}
	if err := n.pacer.Wait(ctx); err != nil {
		return "", fmt.Errorf("discord: channel %q: wait for rate limit: %w", n.name, err)
	}
	if n.session != nil {
		var cs []discordgo.MessageComponent
		if len(m.Entries) == 1 && m.Entries[0].ID > 0 {
			// A bot-channel alert of one story carries its buttons.
			cs = alertComponents(m.Entries[0].ID)
		}
		var files []*discordgo.File
		if edit == "" {
			files = botFiles(m.Image)
		}
		return n.sendBot(ctx, edit, p, cs, files)
	}
	if edit == "" && m.Image != nil && len(m.Image.Data) > 0 {
		body, ct, err := multipartBody(p, m.Image)
		if err != nil {
			return "", notify.Permanent(fmt.Errorf("discord: channel %q: encode message: %w", n.name, err))
		}
		return n.webhookRequest(ctx, "", body, ct)
	}
	return n.sendWebhook(ctx, edit, p)
}

// messageURL is the webhook's URL for editing the message id: the path
// of the webhook followed by /messages/{id}, its query kept (thread_id)
// but wait dropped.
func (n *Notifier) messageURL(id string) (string, error) {
	u, err := url.Parse(n.webhook)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Del("wait")
	u.RawQuery = q.Encode()
	u.Path = strings.TrimSuffix(u.Path, "/") + "/messages/" + id
	u.RawPath = ""
	return u.String(), nil
}

func (n *Notifier) sendWebhook(ctx context.Context, edit string, p Payload) (string, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return "", notify.Permanent(fmt.Errorf("discord: channel %q: encode message: %w", n.name, err))
	}
	return n.webhookRequest(ctx, edit, body, "application/json")
}

// webhookRequest posts body (of contentType) to the webhook, or, when
// edit is set, patches the message edit with it, and returns the
// message's ID.
func (n *Notifier) webhookRequest(ctx context.Context, edit string, body []byte, contentType string) (string, error) {
	var err error
	method, target, what := http.MethodPost, n.webhook, "post to webhook"
	if edit != "" {
		method, what = http.MethodPatch, "edit webhook message"
		if target, err = n.messageURL(edit); err != nil {
			return "", notify.Permanent(n.redact(fmt.Errorf("discord: channel %q: %s: %w", n.name, what, err)))
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return "", notify.Permanent(n.redact(fmt.Errorf("discord: channel %q: build request: %w", n.name, err)))
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", userAgent)
	resp, err := n.client.Do(req)
	if err != nil {
		return "", notify.Classify(0, 0, n.redact(fmt.Errorf("discord: channel %q: %s: %w", n.name, what, err)))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	after := n.observe(resp.StatusCode, resp.Header, data)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		var msg struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(data, &msg) != nil || !isSnowflake(msg.ID) {
			msg.ID = ""
		}
		return msg.ID, nil
	}
	err = n.redact(fmt.Errorf("discord: channel %q: %s returned %s: %s", n.name, what, resp.Status, excerpt(data)))
	if edit != "" && resp.StatusCode == http.StatusNotFound {
		return "", fmt.Errorf("%w: %w", notify.ErrGone, err)
	}
	return "", notify.Classify(resp.StatusCode, after, err)
}

// sendBot posts p (with files, a new message only) to the bot channel,
// or edits the message edit, and returns the message's ID.
func (n *Notifier) sendBot(ctx context.Context, edit string, p Payload, components []discordgo.MessageComponent, files []*discordgo.File) (string, error) {
	var msg *discordgo.Message
	var err error
	what := "create message"
	if edit == "" {
		msg, err = n.session.ChannelMessageSendComplex(n.channelID, &discordgo.MessageSend{
			Content:         p.Content,
			Embeds:          p.Embeds,
			AllowedMentions: p.AllowedMentions,
			Components:      components,
			Files:           files,
		}, discordgo.WithContext(ctx))
	} else {
		what = "edit message"
		content, embeds := p.Content, p.Embeds
		me := &discordgo.MessageEdit{
			ID:              edit,
			Channel:         n.channelID,
			Content:         &content,
			Embeds:          &embeds,
			AllowedMentions: p.AllowedMentions,
		}
		if components != nil {
			me.Components = &components
		}
		msg, err = n.session.ChannelMessageEditComplex(me, discordgo.WithContext(ctx))
	}
	if err == nil {
		if msg == nil || !isSnowflake(msg.ID) {
			return "", nil
		}
		return msg.ID, nil
	}
	var rl *discordgo.RateLimitError
	var rest *discordgo.RESTError
	switch {
	case errors.As(err, &rl):
		return "", notify.Retry(n.redact(fmt.Errorf("discord: channel %q: rate limited, retry after %s", n.name, rl.RetryAfter)), rl.RetryAfter)
	case errors.As(err, &rest) && rest.Response != nil:
		err = n.redact(fmt.Errorf("discord: channel %q: %s returned %s: %s", n.name, what, rest.Response.Status, excerpt(rest.ResponseBody)))
		if edit != "" && rest.Response.StatusCode == http.StatusNotFound {
			return "", fmt.Errorf("%w: %w", notify.ErrGone, err)
		}
		return "", notify.Classify(rest.Response.StatusCode, 0, err)
	}
	return "", notify.Classify(0, 0, n.redact(fmt.Errorf("discord: channel %q: %s: %w", n.name, what, err)))
}

// observe applies Discord's rate-limit answer to the pacers and returns
// the delay a 429 asks for: an exhausted bucket (X-RateLimit-Remaining: 0)
// holds this channel until X-RateLimit-Reset-After, and a 429 holds it,
// or every notifier sharing Global when the limit is global, for
// retry_after (notify.RetryAfter: the JSON body, else the Retry-After
// header).
func (n *Notifier) observe(status int, h http.Header, body []byte) time.Duration {
	now := n.now()
	if h.Get("X-RateLimit-Remaining") == "0" {
		if d, ok := seconds(h.Get("X-RateLimit-Reset-After")); ok {
			n.pacer.Block(now.Add(d))
		}
	}
	if status != http.StatusTooManyRequests {
		return 0
	}
	var rl struct {
		Global bool `json:"global"`
	}
	_ = json.Unmarshal(body, &rl)
	after, _ := notify.RetryAfter(h, body, now) // none named: 0, backoff decides
	global := rl.Global || strings.EqualFold(h.Get("X-RateLimit-Global"), "true") || h.Get("X-RateLimit-Scope") == "global"
	if global {
		n.global.Block(now.Add(after))
	} else {
		n.pacer.Block(now.Add(after))
	}
	n.logger.Warn("discord rate limited", "channel", n.name, "retry_after", after, "global", global)
	return after
}

// seconds parses a non-negative decimal number of seconds.
func seconds(s string) (time.Duration, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 1e6 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

func (n *Notifier) redact(err error) error { return n.redactor.Error(err) }

// excerpt is the start of an error body, for error text.
func excerpt(b []byte) string {
	return notify.Truncate(strings.TrimSpace(string(bytes.ToValidUTF8(b, []byte("\uFFFD")))), 300)
}
