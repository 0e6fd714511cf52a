package config

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Errors of watchlist edits; match them with errors.Is.
var (
	// ErrNoSuchEntry: the watch, query or feed to edit does not exist.
	ErrNoSuchEntry = errors.New("config: no such entry")
	// ErrDuplicate: the entry to add is already there.
	ErrDuplicate = errors.New("config: already present")
	// ErrInUse: the feed to remove is still named by watches.
	ErrInUse = errors.New("config: still in use")
	// ErrUnsupportedLayout: the file is written in a way the editor does not
	// change safely (anchors, aliases, merge keys); edit it by hand.
	ErrUnsupportedLayout = errors.New("config: layout not editable")
	// ErrFileInvalid: the file on disk does not pass validation, so it is
	// not edited. The error also wraps the validation errors (Errors).
	ErrFileInvalid = errors.New("config: the watchlist on disk has errors")
	// ErrEditInvalid: the edit would make the file invalid. The error also
	// wraps the validation errors (Errors).
	ErrEditInvalid = errors.New("config: the edit would make the watchlist invalid")
	// ErrEditConflict: the file kept changing on disk while being edited.
	ErrEditConflict = errors.New("config: the watchlist kept changing on disk")
)

// Editor changes the watchlist file in place, keeping every byte outside
// the edited nodes (comments, order, blank lines, quoting) as it was.
//
// Each Update reads the file as it is on disk, so an edit made by hand
// since the bot loaded it is kept and the change is applied on top of it.
// The result is validated by Parse, the same validator as `check`, and
// written atomically (temporary file in the same folder, fsync, rename,
// same mode). Just before the rename the file is read again: if it changed
// meanwhile, the edit is re-applied to the new content (up to three
// times), so a person's edit is never overwritten. Updates of one Editor
// are serialized; an Editor is safe for concurrent use.
type Editor struct {
	// Path is the watchlist file. A symbolic link is followed, and the file
	// it points to is replaced.
	Path string
	// Getenv is passed to Parse; nil means os.LookupEnv.
	Getenv func(string) (string, bool)

	mu sync.Mutex
	// beforeRename, when set (tests), runs after the new file is written
	// and before the compare-and-swap check.
	beforeRename func()
}

// NewEditor returns an Editor of the file at path.
func NewEditor(path string) *Editor { return &Editor{Path: path} }

// EditResult is a successful Update.
type EditResult struct {
	// Before and After are the SHA-256 (hex) of the file before and after.
	// They are equal when the edit changed nothing.
	Before, After string
	// Config is the validated new watchlist.
	Config *Config
}

// SourceHash returns the SHA-256 of data in hex, as in Config.Hash.
func SourceHash(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

const editAttempts = 3

// Update applies fn to the current content of the file and writes the
// result when it is valid. Errors from fn are returned as they are; see
// the Err* variables for the others.
func (e *Editor) Update(ctx context.Context, fn func(d *Doc) error) (*EditResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	path, err := filepath.EvalSymlinks(e.Path)
	if err != nil {
		return nil, fmt.Errorf("config: edit %s: %w", e.Path, err)
	}
	getenv := e.Getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	for range editAttempts {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("config: edit %s: %w", e.Path, err)
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: edit %s: %w", e.Path, err)
		}
		before := SourceHash(src)
		cfg, err := Parse(e.Path, src, getenv)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrFileInvalid, err)
		}
		d, err := newDoc(e.Path, src, cfg)
		if err != nil {
			return nil, err
		}
		if err := fn(d); err != nil {
			return nil, err
		}
		if bytes.Equal(d.src, src) {
			return &EditResult{Before: before, After: before, Config: cfg}, nil
		}
		next, err := Parse(e.Path, d.src, getenv)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrEditInvalid, err)
		}
		swapped, err := e.write(ctx, path, before, d.src)
		if err != nil {
			return nil, err
		}
		if swapped {
			return &EditResult{Before: before, After: SourceHash(d.src), Config: next}, nil
		}
	}
	return nil, ErrEditConflict
}

// write replaces the file at path with data, unless its content no longer
// hashes to before; it reports whether it did.
func (e *Editor) write(ctx context.Context, path, before string, data []byte) (bool, error) {
	info, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("config: edit %s: %w", e.Path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, fmt.Errorf("config: edit %s: %w", e.Path, err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return false, fmt.Errorf("config: edit %s: write: %w", e.Path, err)
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		return false, fmt.Errorf("config: edit %s: chmod: %w", e.Path, err)
	}
	if err := tmp.Sync(); err != nil {
		return false, fmt.Errorf("config: edit %s: fsync: %w", e.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("config: edit %s: close: %w", e.Path, err)
	}
	if e.beforeRename != nil {
		e.beforeRename()
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("config: edit %s: %w", e.Path, err)
	}
	cur, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("config: edit %s: %w", e.Path, err)
	}
	if SourceHash(cur) != before {
		return false, nil
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return false, fmt.Errorf("config: edit %s: rename: %w", e.Path, err)
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: some file systems refuse to sync folders
		_ = d.Close()
	}
	return true, nil
}

// Doc is the text of a watchlist being edited. Its methods splice the text
// and re-parse it, so each one sees the result of the previous ones.
type Doc struct {
	name  string
	src   []byte
	cfg   *Config
	root  *yaml.Node // the top-level mapping
	lines []int      // byte offset of the start of each line
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
	if slices.Contains(d.strings(mapValue(w, "keywords")), q) {
		return fmt.Errorf("%w: watch %q already has query %q", ErrDuplicate, watch, q)
	}
	if err := d.appendString(w, "keywords", q); err != nil {
		return fmt.Errorf("config: add query to watch %q: %w", watch, err)
	}
	return d.verify(func() bool {
		w, err := d.watch(watch)
		ks := d.strings(mapValue(w, "keywords"))
		return err == nil && len(ks) > 0 && ks[len(ks)-1] == q
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
		i := slices.Index(d.strings(seq), q)
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
		return err == nil && !slices.Contains(d.strings(mapValue(w, "keywords")), q)
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
		return err == nil && slices.Equal(d.strings(mapValue(n, "keywords")), w.Keywords)
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
	return d.verify(func() bool { _, _, err := d.feed(f.Name); return err == nil })
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
		if slices.Contains(d.strings(mapValue(w, "feeds")), name) {
			users = append(users, d.scalar(mapValue(w, "name")))
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

// AddChannel adds a channel called name with its one platform block.
func (d *Doc) AddChannel(name string, c Channel) error {
	if err := checkScalar("channel name", name); err != nil {
		return err
	}
	if mapValue(mapValue(d.root, "channels"), name) != nil {
		return fmt.Errorf("%w: channel %q", ErrDuplicate, name)
	}
	var block entry
	switch {
	case c.Slack != nil:
		block = entry{"slack", nonEmpty([]entry{{"webhook_url", c.Slack.WebhookURL}, {"channel", c.Slack.Channel}, {"api_url", c.Slack.APIURL}})}
	case c.Discord != nil:
		block = entry{"discord", nonEmpty([]entry{{"webhook_url", c.Discord.WebhookURL}, {"channel_id", c.Discord.ChannelID}, {"api_url", c.Discord.APIURL}})}
	case c.Console != nil:
		block = entry{"console", nonEmpty([]entry{{"format", c.Console.Format}})}
	default:
		return fmt.Errorf("config: add channel %q: no platform", name)
	}
	for _, e := range block.v.([]entry) {
		if err := checkScalar(e.k, e.v.(string)); err != nil {
			return err
		}
	}
	if err := d.addKey(d.root, "channels", []entry{{name, []entry{block}}}); err != nil {
		return fmt.Errorf("config: add channel %q: %w", name, err)
	}
	return d.verify(func() bool { return mapValue(mapValue(d.root, "channels"), name) != nil })
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

func (d *Doc) scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// strings returns the scalar items of a sequence.
func (d *Doc) strings(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, d.scalar(c))
	}
	return out
}

func (d *Doc) watch(name string) (*yaml.Node, error) {
	for _, w := range d.seqItems("watches") {
		if d.scalar(mapValue(w, "name")) == name {
			return w, editable(w)
		}
	}
	return nil, fmt.Errorf("%w: no watch %q", ErrNoSuchEntry, name)
}

func (d *Doc) feed(name string) (*yaml.Node, int, error) {
	s := mapValue(d.root, "feeds")
	for i, f := range d.seqItems("feeds") {
		if d.scalar(mapValue(f, "name")) == name {
			return s, i, editable(s)
		}
	}
	return nil, 0, fmt.Errorf("%w: no feed %q", ErrNoSuchEntry, name)
}

// --- text positions ---

// offset converts a node position (1-based line, 1-based column counted
// in characters) to a byte offset.
func (d *Doc) offset(line, col int) int {
	off := d.lines[line-1]
	for range col - 1 {
		_, n := utf8.DecodeRune(d.src[off:])
		off += n
	}
	return off
}

// line returns line i (0-based) without its line break.
func (d *Doc) line(i int) []byte {
	end := len(d.src)
	if i+1 < len(d.lines) {
		end = d.lines[i+1]
	}
	return bytes.TrimRight(d.src[d.lines[i]:end], "\r\n")
}

func (d *Doc) indent(i int) int {
	l := d.line(i)
	return len(l) - len(bytes.TrimLeft(l, " "))
}

func (d *Doc) blankOrComment(i int) bool {
	l := bytes.TrimSpace(d.line(i))
	return len(l) == 0 || l[0] == '#'
}

func (d *Doc) dashLine(i int) bool {
	l := bytes.TrimLeft(d.line(i), " ")
	return len(l) > 0 && l[0] == '-' && (len(l) == 1 || l[1] == ' ' || l[1] == '\t')
}

// blockEnd returns the 0-based line after the block node that starts on
// line first and is owned by column col (a "- " or a key): the lines that
// follow it indented deeper, or at the same column with "- " for a key's
// sequence. Comment and blank lines after its last line are not part of it.
func (d *Doc) blockEnd(first, col int, key bool) int {
	last := first
	for i := first + 1; i < len(d.lines); i++ {
		if d.blankOrComment(i) {
			continue
		}
		if ind := d.indent(i); ind > col || key && ind == col && d.dashLine(i) {
			last = i
			continue
		}
		break
	}
	return last + 1
}

// lineStart returns the byte offset of line i, or the end of the text.
func (d *Doc) lineStart(i int) int {
	if i < len(d.lines) {
		return d.lines[i]
	}
	return len(d.src)
}

// insertLines inserts whole lines before line i, with the file's line
// breaks.
func (d *Doc) insertLines(i int, text string) error {
	at := d.lineStart(i)
	if at == len(d.src) && len(d.src) > 0 && d.src[len(d.src)-1] != '\n' {
		text = "\n" + text
	}
	if bytes.Contains(d.src, []byte("\r\n")) {
		text = strings.ReplaceAll(text, "\n", "\r\n")
	}
	return d.splice(at, at, text)
}

func (d *Doc) splice(start, end int, text string) error {
	out := make([]byte, 0, len(d.src)-(end-start)+len(text))
	out = append(out, d.src[:start]...)
	out = append(out, text...)
	out = append(out, d.src[end:]...)
	d.src = out
	return d.reparse()
}

// itemLine returns the 0-based line of the "-" of a block sequence item:
// the item's own line, or a line above it holding only the dash.
func (d *Doc) itemLine(seq, item *yaml.Node) (int, error) {
	dash := seq.Column - 1
	i := item.Line - 1
	if d.indent(i) == dash && d.dashLine(i) {
		return i, nil
	}
	for i--; i >= seq.Line-1; i-- {
		if d.blankOrComment(i) {
			continue
		}
		rest := bytes.TrimSpace(bytes.TrimLeft(d.line(i), " ")[1:])
		if d.indent(i) == dash && d.dashLine(i) && (len(rest) == 0 || rest[0] == '#') {
			return i, nil
		}
		break
	}
	return 0, fmt.Errorf("%w: line %d: cannot find the item's dash", ErrUnsupportedLayout, item.Line)
}

// --- edits ---

// entry is a key and a value to write: a string, []string or []entry.
type entry struct {
	k string
	v any
}

// layout is how the file indents nested blocks, learnt from the file.
type layout struct {
	step   int  // a nested mapping's keys, relative to its parent key
	seqOff int  // a block sequence's dash, relative to its key
	item   int  // a mapping's keys in a sequence item, relative to the dash
	flow   bool // write lists in flow style
}

func (d *Doc) layout() layout {
	l := layout{step: -1, seqOff: -1}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Line <= k.Line || v.Style&yaml.FlowStyle != 0 {
					continue
				}
				if v.Kind == yaml.MappingNode && l.step < 0 && v.Column > k.Column {
					l.step = v.Column - k.Column
				}
				if v.Kind == yaml.SequenceNode && l.seqOff < 0 {
					l.seqOff = v.Column - k.Column
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(d.root)
	switch {
	case l.step < 1 && l.seqOff > 0:
		l.step = l.seqOff
	case l.step < 1:
		l.step = 2
	}
	if l.seqOff < 0 {
		l.seqOff = l.step
	}
	l.item = 2
	return l
}

// appendString appends s to the sequence under key in mapping m, creating
// the key when missing or null.
func (d *Doc) appendString(m *yaml.Node, key, s string) error {
	seq := mapValue(m, key)
	if err := editable(seq); err != nil {
		return err
	}
	if seq == nil || seq.Kind == yaml.ScalarNode && seq.ShortTag() == "!!null" {
		return d.addKey(m, key, []string{s})
	}
	if seq.Kind != yaml.SequenceNode {
		return fmt.Errorf("%w: line %d: %s is not a list", ErrUnsupportedLayout, seq.Line, key)
	}
	if seq.Style&yaml.FlowStyle != 0 {
		return d.flowAppend(seq, scalarText(s))
	}
	last := seq.Content[len(seq.Content)-1]
	first, err := d.itemLine(seq, last)
	if err != nil {
		return err
	}
	dash := seq.Column - 1
	return d.insertLines(d.blockEnd(first, dash, false), strings.Repeat(" ", dash)+"- "+scalarText(s)+"\n")
}

// appendItem appends a mapping to the top-level sequence under key.
func (d *Doc) appendItem(key string, es []entry) error {
	seq := mapValue(d.root, key)
	if err := editable(seq); err != nil {
		return err
	}
	lay := d.layout()
	if seq == nil || seq.Kind == yaml.ScalarNode && seq.ShortTag() == "!!null" {
		return d.addKey(d.root, key, [][]entry{es})
	}
	if seq.Kind != yaml.SequenceNode {
		return fmt.Errorf("%w: line %d: %s is not a list", ErrUnsupportedLayout, seq.Line, key)
	}
	if seq.Style&yaml.FlowStyle != 0 {
		return d.flowAppend(seq, flowText(es))
	}
	last := seq.Content[len(seq.Content)-1]
	lay.flow = lastFlowList(last)
	first, err := d.itemLine(seq, last)
	if err != nil {
		return err
	}
	dash := seq.Column - 1
	if last.Kind == yaml.MappingNode && last.Line-1 == first {
		lay.item = last.Column - 1 - dash
	}
	return d.insertLines(d.blockEnd(first, dash, false), blockItem(es, dash, lay))
}

// lastFlowList reports whether a sibling writes its lists in flow style.
func lastFlowList(n *yaml.Node) bool {
	for i := 1; i < len(n.Content); i += 2 {
		if v := n.Content[i]; v.Kind == yaml.SequenceNode {
			return v.Style&yaml.FlowStyle != 0
		}
	}
	return false
}

// addKey adds key: v to mapping m, or fills the key's null value.
func (d *Doc) addKey(m *yaml.Node, key string, v any) error {
	lay := d.layout()
	k := mapKey(m, key)
	if k != nil {
		val := mapValue(m, key)
		if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!null" {
			return d.addToMapping(val, v)
		}
		return d.fillNull(m, k, val, v, lay)
	}
	if m.Style&yaml.FlowStyle != 0 {
		return d.flowAppend(m, scalarText(key)+": "+flowText(v))
	}
	col := m.Column - 1
	lastKey := m.Content[len(m.Content)-2]
	end := d.blockEnd(lastKey.Line-1, col, true)
	var b strings.Builder
	writeEntry(&b, entry{key, v}, col, lay)
	return d.insertLines(end, b.String())
}

// addToMapping adds the entries in v to an existing mapping value.
func (d *Doc) addToMapping(m *yaml.Node, v any) error {
	es, ok := v.([]entry)
	if !ok || m.Kind != yaml.MappingNode {
		return fmt.Errorf("%w: line %d: unexpected kind of value", ErrUnsupportedLayout, m.Line)
	}
	if err := editable(m); err != nil {
		return err
	}
	for _, e := range es {
		if err := d.addKey(m, e.k, e.v); err != nil {
			return err
		}
		m = d.find(m)
	}
	return nil
}

// find returns the node at the position n had before a re-parse; edits
// only add text after the nodes they are given.
func (d *Doc) find(n *yaml.Node) *yaml.Node {
	var out *yaml.Node
	var walk func(c *yaml.Node)
	walk = func(c *yaml.Node) {
		if out != nil {
			return
		}
		if c.Line == n.Line && c.Column == n.Column && c.Kind == n.Kind {
			out = c
			return
		}
		for _, x := range c.Content {
			walk(x)
		}
	}
	walk(d.root)
	return out
}

// fillNull writes value v for key k whose value is null ("key:" or
// "key: ~"), keeping whatever follows on the key's line (a comment).
func (d *Doc) fillNull(m, k, val *yaml.Node, v any, lay layout) error {
	if m.Style&yaml.FlowStyle != 0 || val.Line != k.Line {
		return fmt.Errorf("%w: line %d: empty %s", ErrUnsupportedLayout, k.Line, k.Value)
	}
	start := d.offset(val.Line, val.Column)
	end := start + len(val.Value)
	var b strings.Builder
	writeEntry(&b, entry{k.Value, v}, k.Column-1, lay)
	head, more, _ := strings.Cut(b.String(), "\n")
	_, inline, _ := strings.Cut(head, ":")
	if inline == "" {
		for start > 0 && d.src[start-1] == ' ' {
			start--
		}
	} else if start > 0 && d.src[start-1] == ' ' {
		inline = inline[1:]
	}
	if err := d.splice(start, end, inline); err != nil {
		return err
	}
	if more == "" {
		return nil
	}
	return d.insertLines(k.Line, more)
}

// removeItem deletes item i of a sequence.
func (d *Doc) removeItem(seq *yaml.Node, i int) error {
	if err := editable(seq); err != nil {
		return err
	}
	if seq.Style&yaml.FlowStyle != 0 {
		return d.flowRemove(seq, i)
	}
	first, err := d.itemLine(seq, seq.Content[i])
	if err != nil {
		return err
	}
	end := d.blockEnd(first, seq.Column-1, false)
	return d.splice(d.lineStart(first), d.lineStart(end), "")
}

// --- flow collections ---

type flowSpan struct {
	close int      // offset of the closing bracket
	elems [][2]int // byte ranges of the top-level elements
}

// scanFlow finds the elements of the flow collection opening at off.
func (d *Doc) scanFlow(off int) (flowSpan, error) {
	var fs flowSpan
	src := d.src
	depth := 0
	start, end := -1, -1
	prev := byte('[')
	flush := func() {
		if start >= 0 {
			fs.elems = append(fs.elems, [2]int{start, end})
		}
		start, end = -1, -1
	}
	for i := off + 1; i < len(src); i++ {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			continue
		case c == '#' && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n'):
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		}
		if depth == 0 && (c == ']' || c == '}') {
			flush()
			fs.close = i
			return fs, nil
		}
		if depth == 0 && c == ',' {
			flush()
			prev = c
			continue
		}
		if start < 0 {
			start = i
		}
		switch {
		case (c == '"' || c == '\'') && strings.IndexByte("[{,:", prev) >= 0:
			j := i + 1
			for ; j < len(src); j++ {
				if c == '"' && src[j] == '\\' {
					j++
					continue
				}
				if src[j] == c {
					if c == '\'' && j+1 < len(src) && src[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			i = j
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		}
		end = i + 1
		prev = src[i]
	}
	return fs, fmt.Errorf("%w: unterminated flow collection", ErrUnsupportedLayout)
}

// flowAppend appends element text to a flow collection.
func (d *Doc) flowAppend(n *yaml.Node, text string) error {
	off := d.offset(n.Line, n.Column)
	fs, err := d.scanFlow(off)
	if err != nil {
		return err
	}
	if len(fs.elems) == 0 {
		return d.splice(off+1, fs.close, text)
	}
	at := fs.elems[len(fs.elems)-1][1]
	return d.splice(at, at, ", "+text)
}

// flowRemove deletes element i of a flow sequence with its comma.
func (d *Doc) flowRemove(n *yaml.Node, i int) error {
	off := d.offset(n.Line, n.Column)
	fs, err := d.scanFlow(off)
	if err != nil {
		return err
	}
	if len(fs.elems) != len(n.Content) {
		return fmt.Errorf("%w: line %d: cannot split the list", ErrUnsupportedLayout, n.Line)
	}
	switch e := fs.elems; {
	case len(e) == 1:
		return d.splice(off+1, fs.close, "")
	case i+1 < len(e):
		return d.splice(e[i][0], e[i+1][0], "")
	default:
		return d.splice(e[i-1][1], e[i][1], "")
	}
}

// --- writing values ---

// scalarText writes s plain when that is unambiguous in both block and
// flow context, and single-quoted otherwise.
func scalarText(s string) string {
	if plainSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func plainSafe(s string) bool {
	if s == "" || s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" -_./", r) {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return false
	}
	// A leading digit with only number-like characters may read as a
	// YAML 1.1 number, date or time (1e3, 0x1F, 2024-01-01, 1:30).
	return r > '9' || r < '0' || strings.IndexFunc(s, func(r rune) bool {
		return !strings.ContainsRune("0123456789abcdefABCDEF.:_-xXoO+ ", r)
	}) >= 0
}

func flowText(v any) string {
	switch v := v.(type) {
	case string:
		return scalarText(v)
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = scalarText(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []entry:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = scalarText(e.k) + ": " + flowText(e.v)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case [][]entry:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = flowText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	panic(fmt.Sprintf("config: flowText: unexpected %T", v))
}

// writeEntry writes key: value as block lines with the key at column col.
func writeEntry(b *strings.Builder, e entry, col int, lay layout) {
	pad := strings.Repeat(" ", col)
	b.WriteString(pad + scalarText(e.k) + ":")
	switch v := e.v.(type) {
	case string:
		b.WriteString(" " + scalarText(v) + "\n")
	case []string:
		if lay.flow {
			b.WriteString(" " + flowText(v) + "\n")
			return
		}
		b.WriteString("\n")
		for _, s := range v {
			b.WriteString(strings.Repeat(" ", col+lay.seqOff) + "- " + scalarText(s) + "\n")
		}
	case []entry:
		b.WriteString("\n")
		for _, c := range v {
			writeEntry(b, c, col+lay.step, lay)
		}
	case [][]entry:
		b.WriteString("\n")
		for _, es := range v {
			b.WriteString(blockItem(es, col+lay.seqOff, lay))
		}
	}
}

// blockItem writes a mapping as a block sequence item with its dash at
// column dash.
func blockItem(es []entry, dash int, lay layout) string {
	var b strings.Builder
	for _, e := range es {
		writeEntry(&b, e, dash+lay.item, lay)
	}
	s := b.String()
	return strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", lay.item-1) + s[dash+lay.item:]
}
