package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Doc is the text of a watchlist being edited. Its methods splice the text
// and re-parse it, so each one sees the result of the previous ones.
//
// Every value a Doc writes is literal text: loading the file gives back
// exactly the value given. A $ is written as $$, so text typed in chat
// ("${BOT_TOKEN}") is never read as an environment reference;
// ${NAME} stays a feature of values written by hand. Names and queries are
// looked up by their loaded value, so a hand-written "US$$5" is found as
// "US$5".
type Doc struct {
	name   string
	src    []byte
	cfg    *Config
	root   *yaml.Node // the top-level mapping
	lines  []int      // byte offset of the start of each line
	getenv func(string) (string, bool)
}

func newDoc(name string, src []byte, cfg *Config) (*Doc, error) {
	d := &Doc{name: name, src: src, cfg: cfg}
	if err := d.reparse(); err != nil {
		return nil, err
	}
	return d, nil
}

// Config returns the validated watchlist as it was before this edit.
func (d *Doc) Config() *Config { return d.cfg }

// Bytes returns the current text.
func (d *Doc) Bytes() []byte { return d.src }

func (d *Doc) reparse() error {
	var n yaml.Node
	if err := yaml.Unmarshal(d.src, &n); err != nil {
		return fmt.Errorf("config: %s: %w", d.name, err)
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("%w: %s: the top level is not a mapping", ErrUnsupportedLayout, d.name)
	}
	d.root = n.Content[0]
	d.lines = d.lines[:0]
	d.lines = append(d.lines, 0)
	for i, c := range d.src {
		if c == '\n' && i+1 < len(d.src) {
			d.lines = append(d.lines, i+1)
		}
	}
	return nil
}

// AddKeyword appends query q to the keywords of watch.
func (d *Doc) AddKeyword(watch, q string) error {
	if err := checkScalar("query", q); err != nil {
		return err
	}
	w, err := d.watch(watch)
	if err != nil {
		return err
	}
	if slices.Contains(d.values(mapValue(w, "keywords")), q) {
		return fmt.Errorf("%w: watch %q already has query %q", ErrDuplicate, watch, q)
	}
	if err := d.appendString(w, "keywords", q); err != nil {
		return fmt.Errorf("config: add query to watch %q: %w", watch, err)
	}
	return d.verify(func() bool {
		w, err := d.watch(watch)
		ks := d.values(mapValue(w, "keywords"))
		return err == nil && len(ks) > 0 && ks[len(ks)-1] == q
	})
}

// AddExclude appends query q to the exclude list of watch (creating the
// list when the watch has none).
func (d *Doc) AddExclude(watch, q string) error {
	if err := checkScalar("query", q); err != nil {
		return err
	}
	w, err := d.watch(watch)
	if err != nil {
		return err
	}
	if slices.Contains(d.values(mapValue(w, "exclude")), q) {
		return fmt.Errorf("%w: watch %q already excludes %q", ErrDuplicate, watch, q)
	}
	if err := d.appendString(w, "exclude", q); err != nil {
		return fmt.Errorf("config: add exclusion to watch %q: %w", watch, err)
	}
	return d.verify(func() bool {
		w, err := d.watch(watch)
		ex := d.values(mapValue(w, "exclude"))
		return err == nil && len(ex) > 0 && ex[len(ex)-1] == q
	})
}

// RemoveKeyword removes query q from the keywords of watch, and from its
// urgent list when it is there too.
func (d *Doc) RemoveKeyword(watch, q string) error {
	for _, key := range []string{"keywords", "urgent"} {
		w, err := d.watch(watch)
		if err != nil {
			return err
		}
		seq := mapValue(w, key)
		i := slices.Index(d.values(seq), q)
		if i < 0 {
			if key == "keywords" {
				return fmt.Errorf("%w: watch %q has no query %q", ErrNoSuchEntry, watch, q)
			}
			continue
		}
		if err := d.removeItem(seq, i); err != nil {
			return fmt.Errorf("config: remove query from watch %q: %w", watch, err)
		}
	}
	return d.verify(func() bool {
		w, err := d.watch(watch)
		return err == nil && !slices.Contains(d.values(mapValue(w, "keywords")), q)
	})
}

// AddWatch appends a watch. Its name, keywords, exclude, feeds, channels,
// urgent and color are written; a digest schedule is refused (the watch
// gets the default, instant delivery; set a schedule by hand).
func (d *Doc) AddWatch(w Watch) error {
	if err := checkScalar("watch name", w.Name); err != nil {
		return err
	}
	if !zeroDigest(w.Digest) {
		return fmt.Errorf("%w: a digest schedule for a new watch", ErrUnsupportedLayout)
	}
	if _, err := d.watch(w.Name); err == nil {
		return fmt.Errorf("%w: watch %q", ErrDuplicate, w.Name)
	}
	entries := []entry{{"name", w.Name}}
	for _, f := range []struct {
		key  string
		list []string
	}{{"keywords", w.Keywords}, {"exclude", w.Exclude}, {"feeds", w.Feeds}, {"channels", w.Channels}, {"urgent", w.Urgent}} {
		for _, s := range f.list {
			if err := checkScalar(f.key, s); err != nil {
				return err
			}
		}
		if len(f.list) > 0 {
			entries = append(entries, entry{f.key, f.list})
		}
	}
	if w.Color != "" {
		entries = append(entries, entry{"color", w.Color})
	}
	if err := d.appendItem("watches", entries); err != nil {
		return fmt.Errorf("config: add watch %q: %w", w.Name, err)
	}
	return d.verify(func() bool {
		n, err := d.watch(w.Name)
		if err != nil {
			return false
		}
		return slices.Equal(d.values(mapValue(n, "keywords")), w.Keywords) &&
			slices.Equal(d.values(mapValue(n, "exclude")), w.Exclude) &&
			slices.Equal(d.values(mapValue(n, "feeds")), w.Feeds) &&
			slices.Equal(d.values(mapValue(n, "channels")), w.Channels) &&
			slices.Equal(d.values(mapValue(n, "urgent")), w.Urgent) &&
			d.value(mapValue(n, "color")) == w.Color
	})
}

// AddFeed appends a feed (its name, and url or google_news).
func (d *Doc) AddFeed(f Feed) error {
	if err := checkScalar("feed name", f.Name); err != nil {
		return err
	}
	if _, _, err := d.feed(f.Name); err == nil {
		return fmt.Errorf("%w: feed %q", ErrDuplicate, f.Name)
	}
	entries := []entry{{"name", f.Name}}
	switch {
	case f.URL != "" && f.GoogleNews == "":
		entries = append(entries, entry{"url", f.URL})
	case f.GoogleNews != "" && f.URL == "":
		entries = append(entries, entry{"google_news", f.GoogleNews})
	default:
		return fmt.Errorf("config: add feed %q: exactly one of url and google_news is needed", f.Name)
	}
	if err := checkScalar("feed", entries[1].v.(string)); err != nil {
		return err
	}
	if err := d.appendItem("feeds", entries); err != nil {
		return fmt.Errorf("config: add feed %q: %w", f.Name, err)
	}
	return d.verify(func() bool {
		seq, i, err := d.feed(f.Name)
		if err != nil {
			return false
		}
		n := seq.Content[i]
		return d.value(mapValue(n, "url")) == f.URL && d.value(mapValue(n, "google_news")) == f.GoogleNews
	})
}

// RemoveFeed removes the feed called name. A feed still listed in a
// watch's feeds is refused with ErrInUse: dropping it from those lists
// would widen the watches to every feed, and leaving the reference would
// make the file invalid.
func (d *Doc) RemoveFeed(name string) error {
	seq, i, err := d.feed(name)
	if err != nil {
		return err
	}
	var users []string
	for _, w := range d.seqItems("watches") {
		if slices.Contains(d.values(mapValue(w, "feeds")), name) {
			users = append(users, d.value(mapValue(w, "name")))
		}
	}
	if len(users) > 0 {
		return fmt.Errorf("%w: feed %q is used by %s", ErrInUse, name, strings.Join(users, ", "))
	}
	if err := d.removeItem(seq, i); err != nil {
		return fmt.Errorf("config: remove feed %q: %w", name, err)
	}
	return d.verify(func() bool { _, _, err := d.feed(name); return errors.Is(err, ErrNoSuchEntry) })
}

// RemoveWatch removes the watch called name, with its whole entry.
func (d *Doc) RemoveWatch(name string) error {
	i := slices.IndexFunc(d.seqItems("watches"), func(w *yaml.Node) bool { return d.value(mapValue(w, "name")) == name })
	if i < 0 {
		return fmt.Errorf("%w: no watch %q", ErrNoSuchEntry, name)
	}
	seq := mapValue(d.root, "watches")
	if err := editable(seq.Content[i]); err != nil {
		return err
	}
	if err := d.removeItem(seq, i); err != nil {
		return fmt.Errorf("config: remove watch %q: %w", name, err)
	}
	return d.verify(func() bool { _, err := d.watch(name); return errors.Is(err, ErrNoSuchEntry) })
}

// RemoveWatchFeed takes feed out of the feeds of watch. The last feed of
// the list is refused with ErrLastEntry: without it the watch would read
// every feed.
func (d *Doc) RemoveWatchFeed(watch, feed string) error {
	return d.removeWatchItem(watch, "feeds", feed)
}

// RemoveWatchChannel takes channel out of the channels of watch. The last
// channel is refused with ErrLastEntry: a watch posts somewhere.
func (d *Doc) RemoveWatchChannel(watch, channel string) error {
	return d.removeWatchItem(watch, "channels", channel)
}

// removeWatchItem removes value from the list under key of watch.
func (d *Doc) removeWatchItem(watch, key, value string) error {
	w, err := d.watch(watch)
	if err != nil {
		return err
	}
	seq := mapValue(w, key)
	vs := d.values(seq)
	i := slices.Index(vs, value)
	switch {
	case i < 0:
		return fmt.Errorf("%w: watch %q has no %s entry %q", ErrNoSuchEntry, watch, key, value)
	case len(vs) == 1:
		return fmt.Errorf("%w: %q is the only entry of the %s of watch %q", ErrLastEntry, value, key, watch)
	}
	if err := d.removeItem(seq, i); err != nil {
		return fmt.Errorf("config: remove %s entry from watch %q: %w", key, watch, err)
	}
	return d.verify(func() bool {
		w, err := d.watch(watch)
		vs := d.values(mapValue(w, key))
		return err == nil && len(vs) > 0 && !slices.Contains(vs, value)
	})
}

// AddChannel adds a channel called name with its one platform block.
func (d *Doc) AddChannel(name string, c Channel) error {
	if err := checkScalar("channel name", name); err != nil {
		return err
	}
	if mapValue(mapValue(d.root, "channels"), name) != nil {
		return fmt.Errorf("%w: channel %q", ErrDuplicate, name)
	}
	if c.Settings == nil || c.Kind == "" {
		return fmt.Errorf("config: add channel %q: no channel type", name)
	}
	var es []entry
	for _, e := range c.Settings.Entries() {
		es = append(es, entry{e.Key, e.Value})
	}
	block := entry{c.Kind, nonEmpty(es)}
	for _, e := range block.v.([]entry) {
		if err := checkScalar(e.k, e.v.(string)); err != nil {
			return err
		}
	}
	if err := d.addKey(d.root, "channels", []entry{{name, []entry{block}}}); err != nil {
		return fmt.Errorf("config: add channel %q: %w", name, err)
	}
	return d.verify(func() bool {
		b := mapValue(mapValue(mapValue(d.root, "channels"), name), block.k)
		for _, e := range block.v.([]entry) {
			if d.value(mapValue(b, e.k)) != e.v.(string) {
				return false
			}
		}
		return b != nil
	})
}

func nonEmpty(es []entry) []entry {
	var out []entry
	for _, e := range es {
		if e.v.(string) != "" {
			out = append(out, e)
		}
	}
	return out
}

func zeroDigest(g Digest) bool {
	return g.Every == 0 && len(g.At) == 0 && len(g.Days) == 0 && g.QuietHours == "" && g.MaxItems == 0
}

// checkScalar refuses values that cannot be one line of text.
func checkScalar(what, s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("config: empty %s", what)
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		return fmt.Errorf("config: %s %q has control characters", what, s)
	}
	return nil
}

// verify re-checks the document after an edit: a failure is a bug in the
// editor, never shown as the user's fault.
func (d *Doc) verify(ok func() bool) error {
	if !ok() {
		return fmt.Errorf("%w: %s: the edit did not read back as intended", ErrUnsupportedLayout, d.name)
	}
	return nil
}

// --- finding nodes ---

// mapValue returns the value of key in mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func mapKey(m *yaml.Node, key string) *yaml.Node {
	for i := 0; m != nil && i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

// editable refuses nodes whose change could reach elsewhere in the file.
func editable(n *yaml.Node) error {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return fmt.Errorf("%w: line %d uses a YAML anchor or alias", ErrUnsupportedLayout, n.Line)
	}
	if n.Kind == yaml.MappingNode && mapKey(n, "<<") != nil {
		return fmt.Errorf("%w: line %d uses a merge key", ErrUnsupportedLayout, n.Line)
	}
	return nil
}

func (d *Doc) seqItems(key string) []*yaml.Node {
	if s := mapValue(d.root, key); s != nil && s.Kind == yaml.SequenceNode {
		return s.Content
	}
	return nil
}

// value returns the loaded value of scalar n: its text with ${NAME} and
// $$ expanded as the decoder does ("" for anything else). A reference the
// environment cannot resolve leaves the raw text.
func (d *Doc) value(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return ""
	}
	getenv := d.getenv
	if getenv == nil {
		getenv = func(string) (string, bool) { return "", false }
	}
	v, err := expandEnv(n.Value, getenv)
	if err != nil {
		return n.Value
	}
	return v
}

// values returns the loaded values of the scalar items of a sequence, or
// nil when n is not one.
func (d *Doc) values(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, d.value(c))
	}
	return out
}

func (d *Doc) watch(name string) (*yaml.Node, error) {
	for _, w := range d.seqItems("watches") {
		if d.value(mapValue(w, "name")) == name {
			return w, editable(w)
		}
	}
	return nil, fmt.Errorf("%w: no watch %q", ErrNoSuchEntry, name)
}

func (d *Doc) feed(name string) (*yaml.Node, int, error) {
	s := mapValue(d.root, "feeds")
	for i, f := range d.seqItems("feeds") {
		if d.value(mapValue(f, "name")) == name {
			return s, i, editable(s)
		}
	}
	return nil, 0, fmt.Errorf("%w: no feed %q", ErrNoSuchEntry, name)
}
