// Package webhook delivers alerts and digests to any HTTP service as a
// versioned JSON body (see docs/webhook.md), signed with HMAC-SHA256 over
// the timestamp and the body, with an Idempotency-Key that is the same
// for every retry of the same part.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/redact"
)

// Version is the version of the JSON body, sent as "version".
const Version = 1

// Limits of one part (one request).
const (
	// MaxStories is the most stories one body carries.
	MaxStories = 50
	// MaxBody is the largest body, in bytes.
	MaxBody = 256 << 10
)

// Limits of one story's fields, in runes; longer text is cut with "…".
const (
	maxHeader  = 500
	maxTitle   = 1000
	maxSnippet = 2000
	// maxReportText bounds the text of a report in one body (UTF-16
	// code units, at most as many runes); a longer report is split.
	maxReportText = 20000
	maxName       = 200 // watch, source, an also name
	maxQuery      = 1000
	maxTerm       = 200
	maxTerms      = 20
	maxAlso       = 20
	maxLink       = 4096 // bytes; a longer link is left out
)

// Header names.
const (
	HeaderTimestamp   = "X-Newshound-Timestamp"
	HeaderSignature   = "X-Newshound-Signature"
	HeaderIdempotency = "Idempotency-Key"
)

const (
	// defaultRetryAfter is the wait after a 429 that names no delay.
	defaultRetryAfter = time.Second
	maxErrorBody      = 4096
)

// Body is the JSON posted for one part of a message.
type Body struct {
	Version int     `json:"version"`
	Kind    string  `json:"kind"` // "alert" (one story), "digest", "surge" or "report"
	Channel string  `json:"channel"`
	SentAt  string  `json:"sent_at"` // RFC 3339, UTC
	Header  string  `json:"header"`
	Stories []Story `json:"stories"`
	More    int     `json:"more"`
	// Text is a report's text (kind "report"); absent otherwise.
	Text string `json:"text,omitempty"`
}

// Story is one story of a Body.
type Story struct {
	Watch        string   `json:"watch"`
	Title        string   `json:"title"`
	Link         string   `json:"link"`
	Source       string   `json:"source"`
	Published    string   `json:"published"` // RFC 3339
	Undated      bool     `json:"undated"`
	MatchedTerms []string `json:"matched_terms"`
	Query        string   `json:"query"`
	Snippet      string   `json:"snippet"`
	Urgent       bool     `json:"urgent"`
	Also         []Also   `json:"also"`
	ClusterID    string   `json:"cluster_id"`
}

// Also is another outlet that carried a story.
type Also struct {
	Name string `json:"name"`
	Link string `json:"link"`
}

// Options are the optional dependencies of a Notifier.
type Options struct {
	HTTPClient *http.Client // default: 30 s timeout
	Logger     *slog.Logger // default: slog.Default()
	// Now must be the clock of Pacer; it dates bodies and signatures.
	Now func() time.Time
	// Pacer spaces sends to the channel; default 5 per second.
	Pacer *notify.Pacer
	// Redactor knows the bot's secrets; errors are also cleaned of this
	// channel's URL and secret.
	Redactor *redact.Redactor
	// Version is put in the User-Agent; default the module's build
	// version.
	Version string
}

// Notifier posts to one webhook. It is safe for concurrent use.
type Notifier struct {
	name   string
	url    string // secret
	secret string // secret
	hc     *http.Client
	log    *slog.Logger
	now    func() time.Time
	pacer  *notify.Pacer
	redact *redact.Redactor
	agent  string
}

var _ notify.Notifier = (*Notifier)(nil)

// New returns the notifier for the channel called name.
func New(name string, c Config, o Options) (*Notifier, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook: channel %q: url is not an http(s) URL", name)
	}
	n := &Notifier{
		name: name, url: c.URL, secret: c.Secret,
		hc: o.HTTPClient, log: o.Logger, now: o.Now, pacer: o.Pacer,
		redact: o.Redactor.With(c.Secret),
	}
	n.redact.AddURL(c.URL)
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
		n.pacer = notify.NewPacer(5, time.Second)
	}
	v := o.Version
	if v == "" {
		v = buildVersion()
	}
	n.agent = "newshound/" + v
	if c.Secret == "" {
		n.log.Warn("webhook channel has no secret; its requests are unsigned", "channel", name)
	}
	return n, nil
}

// buildVersion is the main module's version, "dev" when unknown.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Split cuts m into parts of at most MaxStories stories and MaxBody
// bytes, keeping entries in order and losing none. Parts are headed
// "header (i/n)".
func (n *Notifier) Split(m notify.Message) []notify.Message {
	if m.Text != "" {
		return notify.TextParts(m, maxReportText, func(i, k int) string { return fmt.Sprintf("%s (%d/%d)", m.Header, i, k) })
	}
	overhead := len(mustJSON(n.body(notify.Message{Channel: m.Channel, Header: m.Header + " (999/999)", More: m.More}, time.Time{})))
	size := func(e notify.Entry) int { return len(mustJSON(story(e))) + 1 }
	fits := func(g []notify.Entry, total int) bool { return len(g) <= MaxStories && overhead+total <= MaxBody }
	return notify.Parts(m, notify.SplitEntries(m.Entries, size, fits), func(i, k int) string {
		return fmt.Sprintf("%s (%d/%d)", m.Header, i, k)
	})
}

// Send makes one attempt to post m, after waiting for the channel's pace.
// It returns nil only on a 2xx answer. A 429 is retryable after its
// Retry-After (and holds the channel until then), a 5xx or a network
// failure is retryable, another status is reported. Errors never contain
// the URL or the secret.
func (n *Notifier) Send(ctx context.Context, m notify.Message) error {
	if err := n.pacer.Wait(ctx); err != nil {
		return fmt.Errorf("webhook: channel %q: waiting to send: %w", n.name, err)
	}
	now := n.now()
	body := mustJSON(n.body(m, now))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return notify.Permanent(n.errorf("building request: %w", err))
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", n.agent)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderIdempotency, IdempotencyKey(n.name, m.Entries))
	if n.secret != "" {
		req.Header.Set(HeaderSignature, Sign(n.secret, ts, body))
	}
	resp, err := n.hc.Do(req)
	if err != nil {
		return notify.Classify(0, 0, n.errorf("posting: %w", err))
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if resp.StatusCode/100 == 2 {
		n.log.DebugContext(ctx, "webhook message sent", "channel", n.name, "entries", len(m.Entries))
		return nil
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		d, ok := notify.RetryAfter(resp.Header, rb, n.now())
		if !ok {
			d = defaultRetryAfter
		}
		n.pacer.Block(n.now().Add(d))
		n.log.WarnContext(ctx, "webhook rate limited", "channel", n.name, "retry_after", d)
		return notify.Classify(resp.StatusCode, d, n.errorf("rate limited (429), retry after %s", d))
	}
	return notify.Classify(resp.StatusCode, 0, n.errorf("answered %d %s: %s",
		resp.StatusCode, http.StatusText(resp.StatusCode), notify.Truncate(n.redact.String(clean(string(rb))), 100)))
}

// errorf formats an error about this channel with the secrets removed.
func (n *Notifier) errorf(format string, args ...any) error {
	return n.redact.Error(fmt.Errorf("webhook: channel %q: "+format, append([]any{n.name}, args...)...))
}

// Sign is the X-Newshound-Signature of body sent at timestamp ts (unix
// seconds, as sent in X-Newshound-Timestamp): "sha256=" and the hex
// HMAC-SHA256 of ts + "." + body under secret.
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// IdempotencyKey is the key of the part of channel holding entries: a
// hash of the channel name and the entries' outbox row IDs, so every
// retry of the same rows has the same key. Entries without a row (a
// preview) are keyed by their link.
func IdempotencyKey(channel string, entries []notify.Entry) string {
	h := sha256.New()
	h.Write([]byte("newshound-webhook\x00" + channel))
	for _, e := range entries {
		if e.ID != 0 {
			fmt.Fprintf(h, "\x00%d", e.ID)
		} else {
			fmt.Fprintf(h, "\x00link:%s", e.Link)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// ClusterID is a story's cluster_id: the first 16 hex digits of the
// SHA-256 of its link (of "title:" and its title when it has no link),
// so the same story has the same ID in every message.
func ClusterID(link, title string) string {
	k := strings.TrimSpace(link)
	if k == "" {
		k = "title:" + title
	}
	s := sha256.Sum256([]byte(k))
	return hex.EncodeToString(s[:8])
}

// body builds the JSON body of part m sent at now.
func (n *Notifier) body(m notify.Message, now time.Time) Body {
	b := Body{
		Version: Version, Kind: "digest", Channel: n.name, SentAt: now.UTC().Format(time.RFC3339),
		Header: notify.Truncate(text(m.Header), maxHeader), Stories: make([]Story, 0, len(m.Entries)), More: m.More,
	}
	switch {
	case m.Kind != "":
		b.Kind = m.Kind
		b.Text = notify.Truncate(text(m.Text), maxReportText)
	case len(m.Entries) == 1:
		b.Kind = "alert"
	}
	for _, e := range m.Entries {
		b.Stories = append(b.Stories, story(e))
	}
	return b
}

// story renders one entry, each text field cut to its limit and cleaned
// of control characters.
func story(e notify.Entry) Story {
	s := Story{
		Watch: notify.Truncate(text(e.Watch), maxName), Title: notify.Truncate(text(e.Title), maxTitle),
		Link: link(e.Link), Source: notify.Truncate(text(e.Source), maxName),
		Published: e.Published.UTC().Format(time.RFC3339), Undated: e.Undated,
		MatchedTerms: []string{}, Query: notify.Truncate(text(e.Query), maxQuery),
		Snippet: notify.Truncate(text(e.Snippet), maxSnippet), Urgent: e.Urgent,
		Also: []Also{}, ClusterID: ClusterID(e.Link, e.Title),
	}
	for i, t := range e.Terms {
		if i == maxTerms {
			break
		}
		s.MatchedTerms = append(s.MatchedTerms, notify.Truncate(text(t), maxTerm))
	}
	for i, a := range e.Also {
		if i == maxAlso {
			break
		}
		s.Also = append(s.Also, Also{Name: notify.Truncate(text(a.Name), maxName), Link: link(a.Link)})
	}
	return s
}

// text removes control characters other than newline and tab, so that a
// receiver that prints the text cannot be driven by it.
func text(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
}

// link is an http(s) link of at most maxLink bytes, "" otherwise.
func link(s string) string {
	if len(s) > maxLink {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return s
}

// clean makes a response body fit one log line.
func clean(s string) string {
	return strings.Join(strings.Fields(text(s)), " ")
}

// mustJSON encodes v without HTML escaping; the body types always encode.
func mustJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("webhook: encoding body: %v", err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
