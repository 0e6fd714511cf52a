package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/redact"
)

const (
	defaultAckAfter = 2 * time.Second // Slack wants an answer within 3 s
	maxSkew         = 5 * time.Minute // Slack's replay window for signatures
	maxCommandBody  = 64 << 10
	// maxReplyBytes bounds a reply's JSON, under Socket Mode's 20 KB.
	maxReplyBytes = 15000
	// runTimeout bounds a command; response_url stays valid for 30 min.
	runTimeout  = 5 * time.Minute
	workingText = "⏳ working…"
)

// HandlerOptions are the optional dependencies of the command handler.
type HandlerOptions struct {
	Logger *slog.Logger     // default: slog.Default()
	Now    func() time.Time // checks request timestamps; default time.Now
	// HTTPClient posts late replies to response_url; default 30 s timeout.
	HTTPClient *http.Client
	// AckAfter is how long to wait for the Runner before answering
	// "working" and sending the reply to response_url; default 2 s.
	AckAfter time.Duration
	// Redactor removes the bot's secrets from every reply and logged
	// error; nil applies its pattern rules only.
	Redactor *redact.Redactor
	// Guard recovers panics in the handler and in commands; nil means a
	// Guard logging to Logger whose counter is not exported.
	Guard *notify.Guard
	// APIURL replaces the Web API base for Socket Mode ("" for Slack).
	APIURL string
}

// NewCommandHandler serves POST /slack/commands: it verifies the request
// with the app's signing secret (signature v0, timestamp within 5 min),
// answering 401 with no side effect on failure, then runs the command and
// answers with the reply, ephemeral unless the reply is public. A command
// slower than AckAfter is answered "working" at once and its reply posted
// to the request's response_url. With an empty secret every request is
// refused. A panic answers 500 before the request is verified and an
// ephemeral "internal error" after.
func NewCommandHandler(signingSecret string, r command.Runner, o HandlerOptions) *CommandHandler {
	h := &CommandHandler{secret: signingSecret, now: o.Now, d: newDispatcher(r, o)}
	if h.now == nil {
		h.now = time.Now
	}
	return h
}

// CommandHandler serves POST /slack/commands. Wait, after the server has
// stopped, waits for the follow-up replies of commands still running.
type CommandHandler struct {
	secret string
	now    func() time.Time
	d      *dispatcher
}

// Wait blocks until the follow-up replies of deferred commands are posted.
func (h *CommandHandler) Wait() { h.d.Wait() }

func (h *CommandHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	verified, answered := false, false
	defer h.d.guard.Recover("slack_command", func() {
		switch {
		case answered:
		case verified:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = w.Write(commandReply{ResponseType: "ephemeral", Text: notify.InternalErrorText}.json())
		default:
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
	form, ok := h.d.readSigned(w, r, h.secret, h.now(), "slack command")
	if !ok {
		return
	}
	verified = true
	req := command.Request{
		Platform:    "slack",
		User:        form.Get("user_id"),
		UserName:    form.Get("user_name"),
		ChannelID:   form.Get("channel_id"),
		ChannelName: form.Get("channel_name"),
		Text:        strings.TrimSpace(form.Get("text")),
	}
	reply := h.d.answer(context.WithoutCancel(r.Context()), req, form.Get("response_url"))
	answered = true
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(reply.json())
}

var (
	errNoSignature  = errors.New("missing signature or timestamp header")
	errStale        = errors.New("timestamp outside the 5-minute window")
	errBadSignature = errors.New("signature does not match")
)

// verify checks a request's Slack signature: X-Slack-Signature must be
// "v0=" and the hex HMAC-SHA256, keyed with secret, of
// "v0:<X-Slack-Request-Timestamp>:<body>", and the timestamp must be
// within 5 minutes of now.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	if secret == "" {
		return errors.New("no signing secret configured")
	}
	ts, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return errNoSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errStale
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return errStale
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errBadSignature
	}
	return nil
}

// commandReply is a slash-command answer, as the HTTP response, a Socket
// Mode acknowledgement or a response_url post.
type commandReply struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
	// Blocks show the reply (a rich_text block); Text is then the
	// notification's text.
	Blocks *slack.Blocks `json:"blocks,omitempty"`
	// ReplaceOriginal, when set, says whether a response_url post
	// replaces the message it came from (false for button replies).
	ReplaceOriginal *bool `json:"replace_original,omitempty"`
}

func (c commandReply) json() []byte {
	b, _ := json.Marshal(c) // a struct of strings always encodes
	return b
}

// dispatcher runs commands for both transports. Every reply is
// redacted, and a panic in a command becomes an "internal error" reply.
type dispatcher struct {
	runner   command.Runner
	hc       *http.Client
	log      *slog.Logger
	redact   *redact.Redactor // nil: pattern rules only
	guard    *notify.Guard
	ackAfter time.Duration
	// follow tracks the follow-up replies of deferred commands, so a stop
	// waits for them.
	follow notify.Deferrer
}

func newDispatcher(r command.Runner, o HandlerOptions) *dispatcher {
	d := &dispatcher{runner: r, hc: o.HTTPClient, log: o.Logger, redact: o.Redactor, guard: o.Guard, ackAfter: o.AckAfter}
	if d.hc == nil {
		d.hc = &http.Client{Timeout: 30 * time.Second}
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.guard == nil {
		d.guard = notify.NewGuard(d.log, d.redact)
	}
	d.follow.Guard = d.guard
	if d.ackAfter <= 0 {
		d.ackAfter = defaultAckAfter
	}
	return d
}

// answer runs req and returns what to answer at once: the Runner's reply
// if it comes within ackAfter, else a "working" note while the reply is
// posted to responseURL when it comes.
// A panic in the command gives an internal-error reply (notify.Answer).
func (d *dispatcher) answer(ctx context.Context, req command.Request, responseURL string) commandReply {
	rep, deferred := notify.Answer(&d.follow, ctx, "slack_command", d.ackAfter, runTimeout,
		command.Reply{Text: notify.InternalErrorText},
		func(ctx context.Context) command.Reply { return d.runner.Run(ctx, req) },
		func(ctx context.Context, rep command.Reply) { d.followUp(ctx, responseURL, d.toReply(rep)) })
	if deferred {
		return commandReply{ResponseType: "ephemeral", Text: workingText}
	}
	return d.toReply(rep)
}

// Wait blocks until every follow-up reply started so far has been posted
// (or has failed), for a clean shutdown.
func (d *dispatcher) Wait() { d.follow.Wait() }

func (d *dispatcher) followUp(ctx context.Context, responseURL string, rep commandReply) {
	if !isHTTPURL(responseURL) {
		d.log.WarnContext(ctx, "slack command reply lost: no response_url")
		return
	}
	status, _, _, err := postJSON(ctx, d.hc, responseURL, rep)
	if err == nil && status/100 != 2 {
		err = errors.New(http.StatusText(status))
	}
	if err != nil {
		d.log.WarnContext(ctx, "slack command reply failed",
			"target", redact.Origin(responseURL), "error", d.redact.With(responseURL).Error(err))
	}
}

// toReply removes secrets from a Runner reply and renders it.
func (d *dispatcher) toReply(r command.Reply) commandReply {
	return toReply(r, d.redact.String)
}

// toReply renders a Runner reply (see reply.go) as a rich_text block with
// a mrkdwn text, cut to fit maxReplyBytes. clean (nil: none) is applied
// to the reply and to the literal text of each run, so a secret is found
// however the reply escaped it.
func toReply(r command.Reply, clean func(string) string) commandReply {
	if clean == nil {
		clean = func(s string) string { return s }
	}
	typ := "ephemeral"
	if r.Public {
		typ = "in_channel"
	}
	render := func(text string) commandReply {
		runs := command.ParseReply(clean(strings.ToValidUTF8(text, "\uFFFD")))
		for i := range runs {
			runs[i].Text = clean(runs[i].Text)
		}
		c := commandReply{ResponseType: typ, Text: replyFallback(runs), Blocks: replyBlocks(runs)}
		if c.Text == "" {
			c.Text = "✅"
		}
		return c
	}
	c := render(r.Text)
	if len(c.json()) <= maxReplyBytes {
		return c
	}
	lo, hi := 0, len([]rune(r.Text)) // the longest prefix that fits is in [lo, hi)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if len(render(notify.Truncate(r.Text, mid)).json()) <= maxReplyBytes {
			lo = mid
		} else {
			hi = mid
		}
	}
	return render(notify.Truncate(r.Text, lo))
}

// replyEscaper applies Slack's escaping (&, <, >) to mrkdwn.
var replyEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// readSigned reads a form body Slack signed with secret (as of now):
// at most maxCommandBody bytes, the signature verified before anything
// is parsed. It answers 413, 401 (logged as what, with no side effect)
// or 400 itself and reports false when the request goes no further.
func (d *dispatcher) readSigned(w http.ResponseWriter, r *http.Request, secret string, now time.Time, what string) (url.Values, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCommandBody+1))
	if err != nil || len(body) > maxCommandBody {
		http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	if err := verify(secret, r.Header, body, now); err != nil {
		d.log.WarnContext(r.Context(), what+" rejected", "reason", err.Error(), "remote_addr", r.RemoteAddr)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return nil, false
	}
	return form, true
}
