package config

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones on machines without a zoneinfo database

	goccy "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
	"go.yaml.in/yaml/v3"

	"github.com/newshound/newshound/match"
)

// Defaults applied by Parse.
const (
	DefaultInterval    = 5 * time.Minute
	DefaultTimeout     = 20 * time.Second
	DefaultMaxBytes    = 10 << 20
	DefaultConcurrency = 8
	DefaultPerHost     = 2
	DefaultStoryWindow = 24 * time.Hour
	// DefaultStopGrace is how long a stop waits for sends under way.
	DefaultStopGrace = 20 * time.Second
)

// Parse decodes and validates the text of a watchlist on its own; name is
// the file name used in error positions. getenv looks up ${NAME}
// references (nil: none is set). It does not check what the watchlist
// needs from the environment (a bot token for a channel that posts as the bot, say): use
// [Validate] for a file the bot is to run.
// On failure the error is an [Errors] listing every problem in file order.
func Parse(name string, data []byte, getenv func(string) (string, bool)) (*Config, error) {
	return parse(name, data, Env{Lookup: getenv}, false)
}

// parse is Parse and Validate; envRules adds the rules that need env.
func parse(name string, data []byte, env Env, envRules bool) (*Config, error) {
	root, perr := parseYAML(name, data)
	if perr != nil {
		return nil, Errors{perr}
	}
	d := &decoder{
		file:  name,
		lines: strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n"),
		env:   env,
		root:  root,
	}
	c := d.config(root)
	d.crossCheck(c)
	if envRules {
		d.checkEnv(c)
	}
	if len(d.errs) > 0 {
		sortByPosition(d.errs)
		return nil, d.errs
	}
	applyDefaults(c)
	sortByPosition(d.warns)
	c.Warnings = d.warns
	c.Source = data
	sum := sha256.Sum256(data)
	c.Hash = hex.EncodeToString(sum[:])
	return c, nil
}

// parseYAML parses one YAML document into its root node (an empty
// document node when data holds none).
func parseYAML(name string, data []byte) (*yaml.Node, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, syntaxError(name, data, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, &Error{File: name, Line: next.Line, Col: next.Column, Msg: "only one YAML document is allowed (remove the ---)"}
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(name, data, err)
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Line: 1, Column: 1}
	}
	return &doc, nil
}

// syntaxError positions a YAML syntax error. yaml.v3 reports only a line,
// often the line where the enclosing block starts, so the position and
// message come from goccy/go-yaml's scanner when it also rejects data.
func syntaxError(name string, data []byte, err error) *Error {
	var ge goccy.Error
	if _, gerr := goccyparser.ParseBytes(data, 0); errors.As(gerr, &ge) && ge.GetToken() != nil {
		pos := ge.GetToken().Position
		return &Error{File: name, Line: pos.Line, Col: pos.Column, Msg: "invalid YAML: " + ge.GetMessage()}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if n, convErr := strconv.Atoi(num); convErr == nil {
				line, msg = n, after
			}
		}
	}
	return &Error{File: name, Line: line, Col: 1, Msg: "invalid YAML: " + msg}
}

// topKeys are the watchlist's own top-level keys; platforms add theirs
// ([AppPlatform]).
var topKeys = []string{"timezone", "poll", "feeds", "channels", "watches", "synonyms",
	"story_window", "server", "admins", "security", "store"}

func (d *decoder) config(root *yaml.Node) *Config {
	c := &Config{Channels: map[string]Channel{}}
	top := resolve(root)
	if top == nil {
		top = root
	}
	fs, ok := d.mapping(root, "", append(slices.Clone(topKeys), appKeys()...)...)
	if !ok {
		return c
	}
	d.require(top, "", fs, "feeds", "channels", "watches")

	if n := fs.get("timezone"); n != nil {
		c.Timezone, c.Location = d.timezone(n, "timezone")
	}
	c.Poll = d.poll(fs.get("poll"), "poll")
	for i, n := range d.items(fs.get("feeds"), "feeds") {
		c.Feeds = append(c.Feeds, d.feed(n, joinIndex("feeds", i)))
	}
	c.Channels, c.ChannelOrder = d.channels(fs.get("channels"), "channels")
	c.Synonyms = d.synonyms(fs.get("synonyms"), "synonyms")
	for i, n := range d.items(fs.get("watches"), "watches") {
		c.Watches = append(c.Watches, d.watch(n, joinIndex("watches", i), c.Synonyms))
	}
	c.StoryWindow = d.duration(fs.get("story_window"), "story_window")

	if sf, _ := d.mapping(fs.get("server"), "server", "listen", "reload", "stop_grace"); sf != nil {
		c.Server.Reload = d.boolean(sf.get("reload"), "server.reload")
		if n := sf.get("stop_grace"); n != nil {
			c.Server.StopGrace = d.duration(n, "server.stop_grace")
			if g := c.Server.StopGrace.D(); g < time.Second || g > 10*time.Minute {
				d.errorf(n, "server.stop_grace", "must be between 1s and 10m")
			}
		}
		if s, ok := d.text(sf.get("listen"), "server.listen"); ok && s != "" {
			if _, _, err := net.SplitHostPort(s); err != nil {
				d.errorf(sf.get("listen"), "server.listen", "invalid listen address %q (write host:port, like :8080)", s)
			}
			c.Server.Listen = s
		}
	}
	d.admins(c, fs.get("admins"), "admins")
	if sf, _ := d.mapping(fs.get("security"), "security", "allow_private_feeds"); sf != nil {
		c.Security.AllowPrivateFeeds = d.boolean(sf.get("allow_private_feeds"), "security.allow_private_feeds")
	}
	if sf, _ := d.mapping(fs.get("store"), "store", "postgres"); sf != nil {
		c.Store.Postgres, _ = d.text(sf.get("postgres"), "store.postgres")
	}
	d.apps(c, fs)
	return c
}

// timezone loads an IANA time zone; "" is UTC.
func (d *decoder) timezone(n *yaml.Node, path string) (string, *time.Location) {
	s, ok := d.text(n, path)
	if !ok || s == "" {
		return "", nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil || s == "Local" {
		d.errorf(n, path, "unknown time zone %q (use an IANA name such as Asia/Seoul or UTC)", s)
		return "", nil
	}
	return s, loc
}

func (d *decoder) poll(n *yaml.Node, path string) Poll {
	fs, _ := d.mapping(n, path, "interval", "timeout", "max_bytes", "concurrency", "per_host")
	return Poll{
		Interval:    d.interval(fs.get("interval"), joinKey(path, "interval")),
		Timeout:     d.duration(fs.get("timeout"), joinKey(path, "timeout")),
		MaxBytes:    d.integer(fs.get("max_bytes"), joinKey(path, "max_bytes"), 1),
		Concurrency: int(d.integer(fs.get("concurrency"), joinKey(path, "concurrency"), 1)),
		PerHost:     int(d.integer(fs.get("per_host"), joinKey(path, "per_host"), 1)),
	}
}

func (d *decoder) feed(n *yaml.Node, path string) Feed {
	fs, ok := d.mapping(n, path, "name", "url", "google_news", "interval", "timeout", "backfill")
	if !ok {
		return Feed{}
	}
	d.require(n, path, fs, "name")
	f := Feed{
		Name:     d.name(fs.get("name"), joinKey(path, "name")),
		URL:      d.url(fs.get("url"), joinKey(path, "url")),
		Interval: d.interval(fs.get("interval"), joinKey(path, "interval")),
		Timeout:  d.duration(fs.get("timeout"), joinKey(path, "timeout")),
		Backfill: int(d.integer(fs.get("backfill"), joinKey(path, "backfill"), 0)),
	}
	if gn := fs.get("google_news"); gn != nil {
		var ok bool
		if f.GoogleNews, ok = d.text(gn, joinKey(path, "google_news")); ok && strings.TrimSpace(f.GoogleNews) == "" {
			d.errorf(gn, joinKey(path, "google_news"), "google_news search is empty")
		}
	}
	switch hasURL, hasGN := fs.get("url") != nil, fs.get("google_news") != nil; {
	case hasURL && hasGN:
		d.errorf(n, path, "feed has both url and google_news; keep one")
	case !hasURL && !hasGN:
		d.errorf(n, path, "feed needs url or google_news")
	}
	return f
}

// channels decodes the name → channel mapping, returning the channel names
// in file order too.
func (d *decoder) channels(n *yaml.Node, path string) (map[string]Channel, []string) {
	chans := map[string]Channel{}
	var order []string
	ps, _ := d.entries(n, path)
	for _, p := range ps {
		name, cp := p.key.Value, joinKey(path, p.key.Value)
		if err := checkName(name); err != nil {
			d.errorf(p.key, cp, "%v", err)
		}
		ch := d.channel(p.value, cp)
		ch.Name = name
		chans[name] = ch
		order = append(order, name)
	}
	return chans, order
}

func (d *decoder) channel(n *yaml.Node, path string) Channel {
	var ch Channel
	known := kinds()
	fs, ok := d.mapping(n, path, append(slices.Clone(known), "report")...)
	if !ok {
		return ch
	}
	if rp := fs.get("report"); rp != nil {
		ch.Report = d.report(rp, joinKey(path, "report"))
		fs = slices.DeleteFunc(slices.Clone(fs), func(p pair) bool { return p.key.Value == "report" })
	}
	switch {
	case len(known) == 0:
		d.errorf(n, path, "no channel type is registered (the program imports none)")
		return ch
	case len(fs) == 0:
		d.errorf(n, path, "channel needs one of %s", orList(known))
	}
	for i, p := range fs {
		bp := joinKey(path, p.key.Value)
		if i > 0 {
			d.errorf(p.key, bp, "channel has both %s and %s; keep one (use another channel for the other)", fs[0].key.Value, p.key.Value)
		}
		r, _ := ReceiverOf(p.key.Value)
		s := r.Decode(&Block{d: d, n: p.value, path: bp})
		if i == 0 {
			ch.Kind, ch.Settings = p.key.Value, s
		}
	}
	return ch
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// target checks that a channel block sets exactly one of its
// webhook and bot-channel keys, and api_url only with the channel.
func (d *decoder) target(n *yaml.Node, path string, fs fields, webhook, channel string) {
	switch hasHook, hasChan := fs.get(webhook) != nil, fs.get(channel) != nil; {
	case hasHook && hasChan:
		d.errorf(n, path, "set %s or %s, not both", webhook, channel)
	case !hasHook && !hasChan:
		d.errorf(n, path, "needs %s (post with a webhook) or %s (post as the bot)", webhook, channel)
	case hasHook && fs.get("api_url") != nil:
		d.errorf(fs.get("api_url"), joinKey(path, "api_url"), "api_url is used only with %s", channel)
	case hasChan && fs.get("chat_channel") != nil:
		d.errorf(fs.get("chat_channel"), joinKey(path, "chat_channel"),
			"chat_channel is used only with %s (%s already names the chat channel commands come from)", webhook, channel)
	}
}

// synonyms decodes the synonym groups. Groups the matcher cannot use are
// reported here, once, and left out of the groups queries are checked with.
func (d *decoder) synonyms(n *yaml.Node, path string) [][]string {
	var out [][]string
	for i, g := range d.items(n, path) {
		gp := joinIndex(path, i)
		var group []string
		valid := true
		for _, it := range d.textItems(g, gp) {
			group = append(group, it.text)
			switch {
			case !it.ok:
				valid = false
			case strings.TrimSpace(it.text) == "":
				d.errorf(it.node, it.path, "synonym is empty")
				valid = false
			case match.CheckQuery("x", [][]string{{it.text}}) != nil:
				d.errorf(it.node, it.path, "synonym %q has no letters, digits or symbols to match", it.text)
				valid = false
			}
		}
		if r := resolve(g); r != nil && (r.Kind == yaml.SequenceNode || isNull(r)) && len(group) < 2 {
			d.errorf(g, gp, "a synonym group needs at least two words")
		}
		if valid {
			out = append(out, group)
		}
	}
	return out
}

func (d *decoder) watch(n *yaml.Node, path string, synonyms [][]string) Watch {
	fs, ok := d.mapping(n, path, "name", "keywords", "exclude", "feeds", "channels", "digest", "urgent", "color", "surge", "report")
	if !ok {
		return Watch{}
	}
	d.require(n, path, fs, "name", "keywords", "channels")
	w := Watch{
		Name:     d.name(fs.get("name"), joinKey(path, "name")),
		Keywords: d.queries(fs.get("keywords"), joinKey(path, "keywords"), "keyword", synonyms),
		Exclude:  d.queries(fs.get("exclude"), joinKey(path, "exclude"), "exclude keyword", synonyms),
		Feeds:    d.refs(fs.get("feeds"), joinKey(path, "feeds"), "feed"),
		Channels: d.refs(fs.get("channels"), joinKey(path, "channels"), "channel"),
		Digest:   d.digest(fs.get("digest"), joinKey(path, "digest")),
		Surge:    d.surge(fs.get("surge"), joinKey(path, "surge")),
		Report:   d.report(fs.get("report"), joinKey(path, "report")),
	}
	for _, key := range []string{"keywords", "channels"} {
		v := fs.get(key)
		if r := resolve(v); v != nil && (isNull(r) || r.Kind == yaml.SequenceNode && len(r.Content) == 0) {
			d.errorf(v, joinKey(path, key), "list is empty; add at least one")
		}
	}
	// Urgent queries are extra queries: they match like keywords and mark
	// the alert urgent.
	w.Urgent = d.queries(fs.get("urgent"), joinKey(path, "urgent"), "urgent keyword", synonyms)
	if c := fs.get("color"); c != nil {
		if s, ok := d.text(c, joinKey(path, "color")); ok && !isColor(s) {
			d.errorf(c, joinKey(path, "color"), `color must be "#RRGGBB", like "#1f8b4c"`)
		} else {
			w.Color = s
		}
	}
	return w
}

func (d *decoder) digest(n *yaml.Node, path string) Digest {
	r := resolve(n)
	if isNull(r) {
		return Digest{}
	}
	if r.Kind == yaml.ScalarNode {
		if s, ok := d.text(n, path); ok && s != "instant" {
			d.errorf(n, path, `digest must be "instant" or a schedule like {every: 30m} or {at: ["09:00"]}`)
		}
		return Digest{}
	}
	fs, ok := d.mapping(n, path, "every", "at", "days", "quiet_hours", "max_items")
	if !ok {
		return Digest{}
	}
	g := Digest{
		Every:    d.duration(fs.get("every"), joinKey(path, "every")),
		MaxItems: int(d.integer(fs.get("max_items"), joinKey(path, "max_items"), 0)),
	}
	for _, it := range d.textItems(fs.get("at"), joinKey(path, "at")) {
		if _, err := parseClock(it.text); it.ok && err != nil {
			d.errorf(it.node, it.path, "%v", err)
		}
		g.At = append(g.At, it.text)
	}
	seen := map[string]bool{}
	for _, it := range d.textItems(fs.get("days"), joinKey(path, "days")) {
		switch {
		case !it.ok:
		case !slices.Contains(dayNames, it.text):
			d.errorf(it.node, it.path, "invalid day %q (use %s)", it.text, strings.Join(dayNames, ", "))
		case seen[it.text]:
			d.errorf(it.node, it.path, "day %q is listed twice", it.text)
		}
		seen[it.text] = true
		g.Days = append(g.Days, it.text)
	}
	if q := fs.get("quiet_hours"); q != nil {
		var ok bool
		if g.QuietHours, ok = d.text(q, joinKey(path, "quiet_hours")); ok {
			if err := checkQuietHours(g.QuietHours); err != nil {
				d.errorf(q, joinKey(path, "quiet_hours"), "%v", err)
			}
		}
	}
	if fs.get("every") != nil && fs.get("at") != nil {
		d.errorf(n, path, "set every or at, not both")
	}
	// The schedule's own limits (package digest keeps the same checks).
	if ev := fs.get("every"); g.Every > 0 && g.Every.D() < MinDigestEvery {
		d.errorf(ev, joinKey(path, "every"), "every must be at least %s (%s is shorter; for alerts as they come, use digest: instant)", fmtDuration(MinDigestEvery), fmtDuration(g.Every.D()))
	}
	if days := fs.get("days"); days != nil && len(g.Days) > 0 && g.Every.D() > 24*time.Hour {
		d.errorf(days, joinKey(path, "days"), "days cannot be combined with every longer than 24h")
	}
	return g
}

// crossCheck reports duplicate feed and watch names and watches that name
// feeds or channels that do not exist. It works on decoded values and
// finds positions by path, as an editor does after changing the file.
func (d *decoder) crossCheck(c *Config) {
	feedNames := make([]string, len(c.Feeds))
	for i, f := range c.Feeds {
		feedNames[i] = f.Name
	}
	watchNames := make([]string, len(c.Watches))
	for i, w := range c.Watches {
		watchNames[i] = w.Name
	}
	d.unique("feeds", "feed", feedNames)
	d.unique("watches", "watch", watchNames)
	for i, w := range c.Watches {
		wp := joinIndex("watches", i)
		for j, f := range w.Feeds {
			if f != "" && !slices.Contains(feedNames, f) {
				d.errorAt(joinIndex(joinKey(wp, "feeds"), j), "unknown feed %q%s", f, didYouMean(f, feedNames))
			}
		}
		for j, ch := range w.Channels {
			if _, ok := c.Channels[ch]; ch != "" && !ok {
				d.errorAt(joinIndex(joinKey(wp, "channels"), j), "unknown channel %q%s", ch, didYouMean(ch, c.ChannelOrder))
			}
		}
	}
}

// unique reports names (of the list at path) used more than once.
func (d *decoder) unique(path, what string, names []string) {
	first := map[string]int{}
	for i, name := range names {
		if name == "" {
			continue
		}
		if j, dup := first[name]; dup {
			prev := nodeAt(d.root, joinKey(joinIndex(path, j), "name"))
			d.errorAt(joinKey(joinIndex(path, i), "name"), "duplicate %s name %q (first at line %d)", what, name, prev.Line)
			continue
		}
		first[name] = i
	}
}

// applyDefaults fills in every value the file leaves unset.
func applyDefaults(c *Config) {
	if c.Timezone == "" {
		c.Timezone, c.Location = "UTC", time.UTC
	}
	p := &c.Poll
	p.Interval = cmp.Or(p.Interval, Duration(DefaultInterval))
	p.Timeout = cmp.Or(p.Timeout, Duration(DefaultTimeout))
	p.MaxBytes = cmp.Or(p.MaxBytes, DefaultMaxBytes)
	p.Concurrency = cmp.Or(p.Concurrency, DefaultConcurrency)
	p.PerHost = cmp.Or(p.PerHost, DefaultPerHost)
	c.StoryWindow = cmp.Or(c.StoryWindow, Duration(DefaultStoryWindow))
	c.Server.StopGrace = cmp.Or(c.Server.StopGrace, Duration(DefaultStopGrace))
	for i := range c.Feeds {
		f := &c.Feeds[i]
		f.Interval = cmp.Or(f.Interval, p.Interval)
		f.Timeout = cmp.Or(f.Timeout, p.Timeout)
		if f.GoogleNews != "" {
			f.URL = googleNewsURL(f.GoogleNews)
		}
	}
}
