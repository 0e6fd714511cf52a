package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/redact"
)

const (
	// defaultDeferAfter is how long a command may run before the answer
	// is deferred; Discord wants the first response within 3 s.
	defaultDeferAfter = 2 * time.Second
	// followupWindow bounds a deferred command: interaction tokens last
	// 15 minutes.
	followupWindow = 14 * time.Minute
	// maxSkew is how far X-Signature-Timestamp may be from now; older
	// (replayed) or future requests are refused.
	maxSkew = 5 * time.Minute
	// maxInteractionBody caps the request body.
	maxInteractionBody = 1 << 20
)

// ParsePublicKey decodes the application's public key as the developer
// portal shows it (DISCORD_PUBLIC_KEY, 64 hex digits).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("discord: public key is not %d hex-encoded bytes", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// dispatcher runs /news interactions, whichever transport delivered them:
// it answers within deferAfter, or defers and follows up through rest.
// Every reply is redacted, and a panic anywhere in a command becomes an
// "internal error" reply.
type dispatcher struct {
	runner     command.Runner
	rest       *discordgo.Session
	logger     *slog.Logger
	redact     *redact.Redactor // nil: pattern rules only
	guard      *notify.Guard    // nil: logs to slog.Default()
	deferAfter time.Duration
	wg         sync.WaitGroup
}

// handle runs the command of i. respond sends the first response (the
// HTTP body or the callback endpoint) and is called exactly once, before
// handle returns; a slow command is answered later by a goroutine. ctx
// bounds the command and its follow-up.
func (d *dispatcher) handle(ctx context.Context, i *discordgo.Interaction, respond func(*discordgo.InteractionResponse) error) {
	if i != nil && i.Type == discordgo.InteractionMessageComponent {
		d.handleComponent(ctx, i, respond)
		return
	}
	req, problem := parseInteraction(i)
	if problem != "" {
		d.respond(i, respond, d.message(command.Reply{Text: problem}))
		return
	}
	word, _, _ := strings.Cut(req.Text, " ")
	d.logger.Info("discord command", "user", req.User, "command", word)
	d.answer(ctx, i, respond, func(ctx context.Context) command.Reply { return d.runner.Run(ctx, req) })
}

// answer runs run and responds with its reply within deferAfter, or
// defers and follows up when it comes.
func (d *dispatcher) answer(ctx context.Context, i *discordgo.Interaction, respond func(*discordgo.InteractionResponse) error, run func(context.Context) command.Reply) {
	ctx, cancel := context.WithTimeout(ctx, followupWindow)
	done := make(chan command.Reply, 1)
	go d.run(ctx, run, done)
	timer := time.NewTimer(d.deferAfter)
	defer timer.Stop()
	select {
	case rep := <-done:
		cancel()
		d.respond(i, respond, d.message(rep))
		return
	case <-timer.C:
	}
	d.respond(i, respond, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	})
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer cancel()
		defer d.guard.Recover("discord_followup", nil)
		d.followUp(ctx, i, <-done)
	}()
}

// run runs one command and sends its reply to done, or an internal-error
// reply if the command panics.
func (d *dispatcher) run(ctx context.Context, run func(context.Context) command.Reply, done chan<- command.Reply) {
	rep := command.Reply{Text: notify.InternalErrorText}
	defer func() { done <- rep }()
	defer d.guard.Recover("discord_command_run", nil)
	rep = run(ctx)
}

func (d *dispatcher) respond(i *discordgo.Interaction, respond func(*discordgo.InteractionResponse) error, r *discordgo.InteractionResponse) {
	if err := respond(r); err != nil {
		d.logger.Warn("discord interaction response failed", "error", d.redact.With(i.Token).Error(err))
	}
}

// followUp delivers a deferred reply by editing the (ephemeral) deferred
// response. Its visibility was fixed when deferring, so a public reply is
// then also posted as a follow-up message visible to the channel.
func (d *dispatcher) followUp(ctx context.Context, i *discordgo.Interaction, rep command.Reply) {
	text := d.replyText(rep)
	edit := &discordgo.WebhookEdit{Content: &text, AllowedMentions: noMentions()}
	if cs := replyComponents(rep.Buttons); cs != nil {
		edit.Components = &cs
	}
	_, err := d.rest.InteractionResponseEdit(i, edit, discordgo.WithContext(ctx))
	if err == nil && rep.Public {
		_, err = d.rest.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: text, AllowedMentions: noMentions()}, discordgo.WithContext(ctx))
	}
	if err != nil {
		d.logger.Warn("discord follow-up failed", "error", d.redact.With(i.Token).Error(err))
	}
}

// replyText renders a reply, with every secret removed, as Discord
// markdown within the content limit.
func (d *dispatcher) replyText(rep command.Reply) string {
	if t := cleanReplyMarkdown(rep.Text, maxContent, d.redact.String); strings.TrimSpace(t) != "" {
		return t
	}
	return "Done."
}

// message answers at once: ephemeral unless the reply is public, and
// never mentioning anyone.
func (d *dispatcher) message(rep command.Reply) *discordgo.InteractionResponse {
	data := &discordgo.InteractionResponseData{Content: d.replyText(rep), AllowedMentions: noMentions(), Components: replyComponents(rep.Buttons)}
	if !rep.Public {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}
}

// HandlerOptions configure the HTTP interactions endpoint and the
// gateway. The zero value is usable.
type HandlerOptions struct {
	Logger *slog.Logger
	Now    func() time.Time
	// HTTPClient sends follow-ups; nil means a client with a 20 s timeout.
	HTTPClient *http.Client
	// APIURL replaces https://discord.com/api/v9 for follow-ups
	// (PATCH and POST webhooks/{application_id}/{token}).
	APIURL string
	// DeferAfter is how long a command may run before the response is
	// deferred and the reply sent as a follow-up (default 2 s).
	DeferAfter time.Duration
	// Redactor removes the bot's secrets from every reply and logged
	// error; nil applies its pattern rules only.
	Redactor *redact.Redactor
	// Guard recovers panics in the handler and in commands; nil means a
	// Guard logging to Logger whose counter is not exported.
	Guard *notify.Guard
}

// InteractionsHandler serves POST /discord/interactions.
type InteractionsHandler struct {
	key    ed25519.PublicKey
	now    func() time.Time
	logger *slog.Logger
	d      *dispatcher
}

// NewInteractionsHandler returns the HTTP interactions endpoint. Every
// request must carry a valid Ed25519 signature by publicKey over
// X-Signature-Timestamp and the body, and a timestamp within 5 minutes
// of now (so a captured request cannot be replayed later); otherwise it
// gets 401 and nothing runs. PING gets {"type":1}; /news runs r.
func NewInteractionsHandler(publicKey ed25519.PublicKey, r command.Runner, o HandlerOptions) (*InteractionsHandler, error) {
	if len(publicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("discord: public key has %d bytes, want %d", len(publicKey), ed25519.PublicKeySize)
	}
	rest, err := newSession("", o.APIURL, o.HTTPClient, nil)
	if err != nil {
		return nil, err
	}
	h := &InteractionsHandler{key: publicKey, now: o.Now}
	if h.now == nil {
		h.now = time.Now
	}
	h.d = newDispatcher(r, rest, o)
	h.logger = h.d.logger
	return h, nil
}

// newDispatcher applies o's defaults.
func newDispatcher(r command.Runner, rest *discordgo.Session, o HandlerOptions) *dispatcher {
	d := &dispatcher{runner: r, rest: rest, logger: o.Logger, redact: o.Redactor, guard: o.Guard, deferAfter: o.DeferAfter}
	if d.logger == nil {
		d.logger = slog.New(slog.DiscardHandler)
	}
	if d.guard == nil {
		d.guard = notify.NewGuard(d.logger, d.redact)
	}
	if d.deferAfter <= 0 {
		d.deferAfter = defaultDeferAfter
	}
	return d
}

// ServeHTTP verifies and answers one interaction.
func (h *InteractionsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// A panic answers 500 before the request is verified, an ephemeral
	// "internal error" after, and nothing once an answer was written.
	verified, answered := false, false
	write := func(resp *discordgo.InteractionResponse) error {
		answered = true
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(resp)
	}
	defer h.d.guard.Recover("discord_interaction", func() {
		switch {
		case answered:
		case verified:
			_ = write(h.d.message(command.Reply{Text: notify.InternalErrorText}))
		default:
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
	r.Body = http.MaxBytesReader(w, r.Body, maxInteractionBody)
	if !discordgo.VerifyInteraction(r, h.key) || !h.fresh(r.Header.Get("X-Signature-Timestamp")) {
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.NewDecoder(r.Body).Decode(&i); err != nil {
		http.Error(w, "bad interaction", http.StatusBadRequest)
		return
	}
	verified = true
	if i.Type == discordgo.InteractionPing {
		if err := write(&discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}); err != nil {
			h.logger.Warn("discord interaction response failed", "error", err)
		}
		return
	}
	// The command may outlive the request: a deferred reply follows up.
	h.d.handle(context.WithoutCancel(r.Context()), &i, write)
}

// fresh reports whether a signature timestamp (Unix seconds) is within
// maxSkew of now.
func (h *InteractionsHandler) fresh(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := h.now().Sub(time.Unix(sec, 0))
	return d <= maxSkew && d >= -maxSkew
}

// Wait blocks until every deferred command has sent its follow-up, for
// a clean shutdown.
func (h *InteractionsHandler) Wait() { h.d.wg.Wait() }

// RunGateway connects to the Discord gateway with the bot token,
// registers /news (in guildID when set, else globally) and answers
// InteractionCreate events with r, the same way as the HTTP endpoint,
// until ctx ends. o.APIURL ("" for discord.com) replaces the REST base;
// o.Now and o.HTTPClient are not used.
//
// It returns only after the session is closed and every interaction it
// took has finished, follow-ups included, so the caller may release what
// r uses. An interaction that arrives while it closes is dropped and
// logged.
func RunGateway(ctx context.Context, token, appID, guildID string, r command.Runner, o HandlerOptions) error {
	if token == "" {
		return fmt.Errorf("discord: gateway needs a bot token in DISCORD_BOT_TOKEN")
	}
	red := o.Redactor.With(token)
	s, err := newSession(token, o.APIURL, nil, nil)
	if err != nil {
		return red.Error(err)
	}
	s.Identify.Intents = discordgo.IntentsGuilds
	d := newDispatcher(r, s, o)
	// discordgo runs each handler in a goroutine of its own and does not
	// wait for them when the session closes: count them here, and refuse
	// new ones once closing has begun, so the wait below is complete.
	var (
		mu       sync.Mutex
		closing  bool
		handlers sync.WaitGroup
	)
	onInteraction := d.onInteraction(ctx)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		mu.Lock()
		if closing {
			mu.Unlock()
			d.logger.Warn("discord interaction dropped: the gateway is closing")
			return
		}
		handlers.Add(1)
		mu.Unlock()
		defer handlers.Done()
		onInteraction(s, ic)
	})
	if err := RegisterCommands(ctx, s, appID, guildID); err != nil {
		return red.Error(err)
	}
	if err := s.Open(); err != nil {
		return red.Error(fmt.Errorf("discord: open gateway: %w", err))
	}
	d.logger.Info("discord gateway connected", "guild_id", guildID)
	<-ctx.Done()
	closeErr := s.Close()
	mu.Lock()
	closing = true
	mu.Unlock()
	handlers.Wait()
	d.wg.Wait() // follow-ups of deferred commands; all were added above
	d.logger.Info("discord gateway closed")
	if closeErr != nil {
		return red.Error(fmt.Errorf("discord: close gateway: %w", closeErr))
	}
	return nil
}

// onInteraction is the gateway's InteractionCreate handler: the first
// response goes to the interaction callback endpoint. discordgo runs it
// in a goroutine of its own, so it recovers its own panics: the user gets
// an ephemeral "internal error" unless an answer was already sent.
func (d *dispatcher) onInteraction(ctx context.Context) func(*discordgo.Session, *discordgo.InteractionCreate) {
	return func(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
		var i *discordgo.Interaction
		answered := false
		respond := func(resp *discordgo.InteractionResponse) error {
			answered = true
			return d.rest.InteractionRespond(i, resp, discordgo.WithContext(ctx))
		}
		defer d.guard.Recover("discord_gateway_interaction", func() {
			if i != nil && !answered {
				d.respond(i, respond, d.message(command.Reply{Text: notify.InternalErrorText}))
			}
		})
		if ic == nil || ic.Interaction == nil || (ic.Type != discordgo.InteractionApplicationCommand && ic.Type != discordgo.InteractionMessageComponent) {
			return
		}
		i = ic.Interaction
		d.handle(ctx, i, respond)
	}
}
