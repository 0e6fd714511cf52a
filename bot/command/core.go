package command

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/suggest"
)

// Bot is what the command core needs from the running bot.
type Bot interface {
	// Config returns the config in force.
	Config() *config.Config
	// Reload re-reads the watchlist file now and applies it when valid.
	Reload(ctx context.Context) error
	// ConfigError is the error of the last reload (nil when the file in
	// force is the file on disk).
	ConfigError() error
	// Store returns the bot's store; the core uses only its State part.
	Store() store.Store
	// Test matches an item against the watches in force, with the text
	// the poller matches (match.ItemDocument), so a query tests as it runs.
	Test(ctx context.Context, it feeds.Item) ([]match.Hit, error)
	// FetchPreview fetches and parses a feed once, recording nothing. For
	// an Untrusted source it must refuse non-public addresses at connect
	// time (unless security.allow_private_feeds is set).
	FetchPreview(ctx context.Context, src feeds.Source) (feeds.Result, error)
	// Flush sends a config channel's pending digest now and returns how
	// many items it sent.
	Flush(ctx context.Context, channel string) (int, error)
	// PollNow polls the watchlist's feed named feed at once, whatever its
	// schedule or backoff, and returns how many of its items were new and
	// how many alerts they queued. It fails for a feed the config in force
	// lacks, a feed being polled right now, or a failed poll.
	PollNow(ctx context.Context, feed string) (newItems, matches int, err error)
	// SendReport posts the report of the last days days of the watches
	// posting to a config channel (all of them when watches is empty) to
	// that channel now, and returns how many messages it sent.
	SendReport(ctx context.Context, channel string, watches []string, days int) (int, error)
	Status(ctx context.Context) Status
}

// State is the part of the store the commands read and write: feed
// states, sent deliveries, mutes, the edit history, meta keys and the
// "Not relevant" votes.
type State interface {
	FeedStates(ctx context.Context) ([]store.FeedState, error)
	Recent(ctx context.Context, channel string, limit int) ([]store.Delivery, error)
	RecordVote(ctx context.Context, v store.Vote) error
	store.Mutes
	store.History
	store.Meta
}

// Status is what "status" shows.
type Status struct {
	Version               string
	Started               time.Time
	FeedsOK, FeedsFailing int
	// Pending counts pending deliveries by config channel name.
	Pending map[string]int
	// NextDigest is the next scheduled digest by config channel name.
	NextDigest map[string]time.Time
	// ConfigError is the last reload error ("" when none).
	ConfigError string
}

// Options configure a Core.
type Options struct {
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Version is shown by status when the bot reports none.
	Version string
	// Lookup resolves host names for the early check of feed URLs from
	// chat; nil means the system resolver.
	Lookup feeds.LookupFunc
}

// UntrustedFeedKey is the store meta key under which the core records the
// URL of a feed added from chat, before it writes the feed to the file.
// The bot must poll a feed as feeds.Source.Untrusted when the value under
// UntrustedFeedKey(feed.Name) equals feed.URL; an operator who edits the
// URL by hand makes it trusted again.
func UntrustedFeedKey(feed string) string { return "feed.untrusted." + feed }

// Core runs /news commands. It is safe for concurrent use.
type Core struct {
	bot Bot
	ed  *config.Editor
	log *slog.Logger
	now func() time.Time
	opt Options
}

var _ Runner = (*Core)(nil)

// state is the bot's store, narrowed to what commands may touch.
func (c *Core) state() State { return c.bot.Store() }

// New returns a Core for the bot, editing the watchlist through ed.
func New(b Bot, ed *config.Editor, o Options) *Core {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Core{bot: b, ed: ed, log: o.Logger, now: o.Now, opt: o}
}

// maxReply is the longest reply in runes, the smallest limit of the chat
// platforms (2,000).
const maxReply = 1900

// call is one command being run.
type call struct {
	req   Request
	lang  lang
	word  string // canonical word, e.g. "feed add"
	alias string // the word as typed (lowercase), e.g. "피드 추가"
	args  string // the text after the word
	cfg   *config.Config
}

// handler runs one word.
type handler func(c *Core, ctx context.Context, cl *call) Reply

type wordDef struct {
	name  string
	edits bool // only admins may use it
	run   handler
}

// wordAliases lists each command word with its aliases, in the order
// "did you mean" prefers them. The Korean aliases make the reply Korean.
func wordAliases() []struct {
	def     wordDef
	aliases []string
} {
	return []struct {
		def     wordDef
		aliases []string
	}{
		{wordDef{"help", false, (*Core).help}, []string{"help", "?", "도움말", "도움"}},
		{wordDef{"list", false, (*Core).list}, []string{"list", "ls", "목록"}},
		{wordDef{"add", true, (*Core).add}, []string{"add", "추가"}},
		{wordDef{"remove", true, (*Core).remove}, []string{"remove", "rm", "delete", "삭제", "제거"}},
		{wordDef{"feeds", false, (*Core).feeds}, []string{"feeds", "피드", "피드목록"}},
		{wordDef{"feed", false, (*Core).feedUsage}, []string{"feed"}},
		{wordDef{"feed add", true, (*Core).feedAdd}, []string{"feed add", "피드 추가"}},
		{wordDef{"feed remove", true, (*Core).feedRemove}, []string{"feed remove", "feed rm", "feed delete", "피드 삭제", "피드 제거"}},
		{wordDef{"poll", false, (*Core).poll}, []string{"poll", "폴링", "수집"}},
		{wordDef{"watch", false, (*Core).watchUsage}, []string{"watch", "워치"}},
		{wordDef{"watch add", true, (*Core).watchAdd}, []string{"watch add", "워치 추가"}},
		{wordDef{"watch remove", true, (*Core).watchRemove}, []string{"watch remove", "watch rm", "watch delete", "워치 삭제", "워치 제거"}},
		{wordDef{"mute", true, (*Core).mute}, []string{"mute", "음소거"}},
		{wordDef{"unmute", true, (*Core).unmute}, []string{"unmute", "해제", "음소거해제"}},
		{wordDef{"test", false, (*Core).test}, []string{"test", "테스트"}},
		{wordDef{"recent", false, (*Core).recent}, []string{"recent", "최근"}},
		{wordDef{"digest", false, (*Core).digest}, []string{"digest", "다이제스트"}},
		{wordDef{"report", false, (*Core).report}, []string{"report", "리포트", "보고서"}},
		{wordDef{"status", false, (*Core).status}, []string{"status", "상태"}},
		{wordDef{"history", false, (*Core).history}, []string{"history", "기록"}},
	}
}

// words maps each command word and alias to its definition.
func words() map[string]wordDef {
	m := map[string]wordDef{}
	for _, d := range wordAliases() {
		for _, a := range d.aliases {
			m[a] = d.def
		}
	}
	return m
}

// Run parses and runs one command. It never returns internal errors to
// the user: they are logged, and the reply says something went wrong.
func (c *Core) Run(ctx context.Context, req Request) (reply Reply) {
	text := strings.TrimSpace(req.Text)
	cl := &call{req: req, cfg: c.bot.Config()}
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("command panicked", "command", text, "platform", req.Platform, "user", req.User, "panic", fmt.Sprint(p))
			reply = Reply{Text: cl.lang.t("internal")}
		}
		reply.Text = notify.Truncate(reply.Text, maxReply)
	}()
	toks := tokenize(text)
	if len(toks) == 0 {
		cl.lang = langOf(text)
		return Reply{Text: help[cl.lang]}
	}
	all := words()
	var def wordDef
	found := false
	// Two-word commands ("feed add") take precedence over one-word ones.
	for _, n := range []int{2, 1} {
		if len(toks) < n || toks[n-1].quoted {
			continue
		}
		w := strings.ToLower(text[toks[0].start:toks[n-1].end])
		w = strings.Join(strings.Fields(w), " ")
		if d, ok := all[w]; ok {
			def, found = d, true
			cl.alias = w
			cl.lang = langOf(w)
			cl.args = strings.TrimSpace(text[toks[n-1].end:])
			break
		}
	}
	if !found {
		cl.lang = langOf(toks[0].text)
		var next string
		if len(toks) > 1 && !toks[1].quoted {
			next = toks[1].text
		}
		if s, ok := suggestWord(toks[0].text, next); ok {
			return Reply{Text: cl.lang.t("unknown_hint", code(toks[0].text), code(s))}
		}
		return Reply{Text: cl.lang.t("unknown", code(toks[0].text))}
	}
	if def.name == "feeds" && cl.args != "" {
		// "피드" with arguments that are not add/remove.
		return c.feedUsage(ctx, cl)
	}
	cl.word = def.name
	if def.edits && !allowed(cl.cfg.Admins, req) {
		c.log.Info("command refused: not an admin", "command", text, "platform", req.Platform, "user", req.User)
		return Reply{Text: cl.lang.t("denied")}
	}
	return def.run(c, ctx, cl)
}

// groups are the first words of the two-word commands.
var groups = []string{"feed", "피드", "watch", "워치"}

// suggestWord returns the command word nearest to an unknown first word
// (next is the word after it, "" when none): a two-word command when the
// first word is near a group ("wach add" → "watch add"), else any word or
// alias.
func suggestWord(first, next string) (string, bool) {
	var singles []string
	for _, d := range wordAliases() {
		for _, a := range d.aliases {
			if !strings.Contains(a, " ") {
				singles = append(singles, a)
			}
		}
	}
	s, ok := suggest.Closest(first, singles)
	if ok && next != "" && slices.Contains(groups, s) {
		if p, ok := suggestGroupWord(s, next); ok {
			return p, true
		}
	}
	return s, ok
}

// suggestGroupWord returns the two-word command of group nearest to
// "group word".
func suggestGroupWord(group, word string) (string, bool) {
	var in []string
	for _, d := range wordAliases() {
		for _, a := range d.aliases {
			if strings.HasPrefix(a, group+" ") {
				in = append(in, a)
			}
		}
	}
	return suggest.Closest(group+" "+strings.ToLower(word), in)
}

// groupUsage answers a group word ("feed", "워치") without one of its
// words: with the nearest one when an unknown word follows, and the
// usage.
func (c *Core) groupUsage(cl *call, group string) Reply {
	usage := cl.lang.usage(group)
	toks := tokenize(cl.args)
	if len(toks) == 0 || toks[0].quoted {
		return Reply{Text: usage}
	}
	typed := cl.alias + " " + toks[0].text
	if s, ok := suggestGroupWord(cl.alias, toks[0].text); ok {
		return Reply{Text: cl.lang.t("unknown_hint", code(typed), code(s)) + "\n" + usage}
	}
	return Reply{Text: usage}
}

// didYouMean returns " Did you mean `x`?" for the candidate nearest to
// s, or "".
func didYouMean(l lang, s string, candidates []string) string {
	if m, ok := suggest.Closest(s, candidates); ok {
		return l.t("did_you_mean", code(m))
	}
	return ""
}

// listed joins names for a reply, or says there are none.
func listed(l lang, names []string) string {
	if len(names) == 0 {
		return l.t("none")
	}
	return defuse(strings.Join(names, ", "))
}

// watchNameList returns the names of the config's watches.
func watchNameList(cfg *config.Config) []string {
	names := make([]string, len(cfg.Watches))
	for i, w := range cfg.Watches {
		names[i] = w.Name
	}
	return names
}

// feedNameList returns the names of the config's feeds.
func feedNameList(cfg *config.Config) []string {
	names := make([]string, len(cfg.Feeds))
	for i, f := range cfg.Feeds {
		names[i] = f.Name
	}
	return names
}

// langOf is Korean when s has Hangul.
func langOf(s string) lang {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return korean
		}
	}
	return english
}

// allowed reports whether req's user may use editing words. With no admins
// listed everyone may; once any list is set, only the users (or roles)
// listed for the request's platform may. The operator always may.
func allowed(a config.Admins, req Request) bool {
	return a.None() || req.Operator || a.Allows(req.Platform, req.User, req.Roles)
}

// boundChannels returns the config channels that post to the chat channel
// the request came from, as each channel's type decides (as the bot, or
// by a webhook whose chat_channel names it).
func boundChannels(cfg *config.Config, req Request) []string {
	var out []string
	for _, name := range channelNames(cfg) {
		ch := cfg.Channels[name]
		if ch.Settings != nil && ch.Settings.Binds(req.Platform, req.ChannelID, req.ChannelName, name) {
			out = append(out, name)
		}
	}
	return out
}

// channelNames lists the config's channels in file order.
func channelNames(cfg *config.Config) []string {
	if len(cfg.ChannelOrder) == len(cfg.Channels) {
		return cfg.ChannelOrder
	}
	names := make([]string, 0, len(cfg.Channels))
	for n := range cfg.Channels {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// watchesTo returns the watches that post to any of the channels.
func watchesTo(cfg *config.Config, channels []string) []config.Watch {
	var out []config.Watch
	for _, w := range cfg.Watches {
		if slices.ContainsFunc(w.Channels, func(c string) bool { return slices.Contains(channels, c) }) {
			out = append(out, w)
		}
	}
	return out
}

func watchNames(ws []config.Watch) string {
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = w.Name
	}
	return strings.Join(names, ", ")
}

// edit runs one change of the watchlist through the editor and records it
// in the history (who, platform, command, hashes before and after). Its
// errors are the editor's or fn's; callers map fn's own refusals first and
// pass the rest to editFailure.
func (c *Core) edit(ctx context.Context, cl *call, fn func(d *config.Doc) error) (*config.EditResult, error) {
	res, err := c.ed.Update(ctx, fn)
	if err != nil {
		return nil, err
	}
	if res.Before == res.After {
		return res, nil
	}
	who := cl.req.User
	if cl.req.UserName != "" {
		who = cl.req.UserName + " (" + cl.req.User + ")"
	}
	e := store.Edit{At: c.now(), Platform: cl.req.Platform, User: who, Command: strings.TrimSpace(cl.req.Text), BeforeHash: res.Before, AfterHash: res.After}
	if err := c.state().RecordEdit(ctx, e); err != nil {
		c.log.Error("recording a watchlist edit", "command", e.Command, "error", err.Error())
	}
	c.log.Info("watchlist edited", "command", e.Command, "platform", e.Platform, "user", cl.req.User, "before", res.Before, "after", res.After)
	return res, nil
}

// applied reloads the bot after an edit and returns the note to append to
// the reply ("" when it applied).
func (c *Core) applied(ctx context.Context, cl *call) string {
	if err := c.bot.Reload(ctx); err != nil {
		c.log.Error("applying the edited watchlist", "error", err.Error())
		return cl.lang.t("not_applied")
	}
	return ""
}

// editFailure turns an editor error into a reply. Unknown errors are
// logged and shown as an internal failure.
func (c *Core) editFailure(cl *call, err error) Reply {
	var errs config.Errors
	switch {
	case errors.Is(err, config.ErrFileInvalid) && errors.As(err, &errs):
		return Reply{Text: cl.lang.t("file_invalid", listErrors(errs, true))}
	case errors.Is(err, config.ErrEditInvalid) && errors.As(err, &errs):
		return Reply{Text: cl.lang.t("edit_invalid", listErrors(errs, false))}
	case errors.Is(err, config.ErrEditConflict):
		return Reply{Text: cl.lang.t("conflict")}
	case errors.Is(err, config.ErrUnsupportedLayout):
		c.log.Warn("watchlist edit refused", "command", cl.req.Text, "error", err.Error())
		return Reply{Text: cl.lang.t("layout")}
	}
	c.log.Error("watchlist edit failed", "command", cl.req.Text, "error", err.Error())
	return Reply{Text: cl.lang.t("internal")}
}

// listErrors formats up to five validation errors, with their position in
// the file when it is the file on disk.
func listErrors(errs config.Errors, positions bool) string {
	var lines []string
	for i, e := range errs {
		if i == 5 {
			lines = append(lines, fmt.Sprintf("… (+%d)", len(errs)-i))
			break
		}
		s := e.Msg
		if e.Path != "" {
			s = e.Path + ": " + s
		}
		if positions {
			s = e.Error()
		}
		lines = append(lines, "• "+defuse(s))
	}
	return strings.Join(lines, "\n")
}

// internal logs err and returns the reply for an internal failure.
func (c *Core) internal(cl *call, what string, err error) Reply {
	c.log.Error(what, "command", cl.req.Text, "platform", cl.req.Platform, "user", cl.req.User, "error", err.Error())
	return Reply{Text: cl.lang.t("internal")}
}

// checkQuery returns a reply for an invalid query, or nil.
func checkQuery(cl *call, q string) *Reply {
	err := match.CheckQuery(q, cl.cfg.Synonyms)
	if err == nil {
		return nil
	}
	msg := err.Error()
	var qe *match.QueryError
	if errors.As(err, &qe) {
		msg = qe.Error()
	}
	return &Reply{Text: cl.lang.t("bad_query", defuse(msg))}
}

// sameQuery reports whether two queries are the same up to normalization
// (case, width, spacing).
func sameQuery(a, b string) bool {
	return a == b || match.Normalize(a) == match.Normalize(b)
}

// findQuery returns the written form of q in list.
func findQuery(list []string, q string) (string, bool) {
	if slices.Contains(list, q) {
		return q, true
	}
	for _, s := range list {
		if sameQuery(s, q) {
			return s, true
		}
	}
	return "", false
}

// since formats how long ago t was, or "never".
func (c *Core) since(l lang, t time.Time) string {
	if t.IsZero() {
		return l.t("never")
	}
	return l.t("ago", ShortDuration(c.now().Sub(t)))
}

// round shortens a duration for display: 45s, 12m, 3h5m, 2d4h.
func ShortDuration(d time.Duration) string {
	d = max(d, 0)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

// clock formats t in the watchlist's timezone.
func clock(cfg *config.Config, t time.Time) string {
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("01-02 15:04 MST")
}
