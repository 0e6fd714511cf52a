package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/newshound/newshound/match"
)

// decoder walks the YAML node tree of one watchlist, decoding values and
// collecting every problem with its position.
type decoder struct {
	file  string
	lines []string // source lines, for columns inside queries
	env   Env
	root  *yaml.Node
	errs  Errors
	warns Errors
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errorAtCol(n, n.Column, path, format, args...)
}

func (d *decoder) errorAtCol(n *yaml.Node, col int, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) warnf(n *yaml.Node, path, format string, args ...any) {
	d.warns = append(d.warns, &Error{File: d.file, Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// errorAt reports a problem with the value at path, found in the tree.
func (d *decoder) errorAt(path, format string, args ...any) {
	n := nodeAt(d.root, path)
	if n == nil {
		n = d.root
	}
	d.errorf(n, path, format, args...)
}

// fields are the entries of a mapping with known keys, in file order.
type fields []pair

// get returns the value of key, or nil when the mapping does not set it.
func (fs fields) get(key string) *yaml.Node {
	for _, p := range fs {
		if p.key.Value == key {
			return p.value
		}
	}
	return nil
}

// entries checks that n is a mapping (null counts as empty) whose keys
// are text and appear once, and returns its entries. ok is false when n
// is not a mapping.
func (d *decoder) entries(n *yaml.Node, path string) (ps []pair, ok bool) {
	r := resolve(n)
	if isNull(r) {
		return nil, true
	}
	if r.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping (key: value), found %s", describe(r))
		return nil, false
	}
	ps, bad := pairs(r)
	for _, b := range bad {
		d.errorf(b, path, "a << merge needs a mapping or a list of mappings, found %s", describe(b))
	}
	first := map[string]*yaml.Node{}
	out := ps[:0]
	for _, p := range ps {
		k := p.key
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
			d.errorf(k, path, "key must be text, found %s", describe(k))
			continue
		}
		if prev, dup := first[k.Value]; dup && !p.merged {
			d.errorf(k, joinKey(path, k.Value), "duplicate key (first at line %d)", prev.Line)
			continue
		}
		first[k.Value] = k
		out = append(out, p)
	}
	return out, true
}

// mapping is entries for a mapping whose keys must be among known. ok is
// false when n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path string, known ...string) (fs fields, ok bool) {
	ps, ok := d.entries(n, path)
	for _, p := range ps {
		if !slices.Contains(known, p.key.Value) {
			hint := didYouMean(p.key.Value, known)
			if hint == "" {
				hint = " (known keys: " + strings.Join(known, ", ") + ")"
			}
			d.errorf(p.key, joinKey(path, p.key.Value), "unknown key%s", hint)
			continue
		}
		fs = append(fs, p)
	}
	return fs, ok
}

// require reports each key of keys that fs does not set.
func (d *decoder) require(n *yaml.Node, path string, fs fields, keys ...string) {
	for _, k := range keys {
		if fs.get(k) == nil {
			d.errorf(n, path, "missing %q", k)
		}
	}
}

// text decodes a scalar as text and expands ${NAME}. ok is false when n is
// absent or was reported, or, when the environment is skipped, holds a
// ${NAME} (its value is unknown); null reads as "".
func (d *decoder) text(n *yaml.Node, path string) (s string, ok bool) {
	r := resolve(n)
	switch {
	case r == nil:
		return "", false
	case isNull(r):
		return "", true
	case r.Kind != yaml.ScalarNode:
		d.errorf(n, path, "expected text, found %s", describe(r))
		return "", false
	case !strings.HasPrefix(r.Tag, "!!"):
		d.errorf(n, path, "unsupported tag %s", r.Tag)
		return "", false
	}
	if d.env.Skip {
		used := false
		s, err := expandEnv(r.Value, func(string) (string, bool) { used = true; return "", true })
		if err != nil {
			d.errorf(n, path, "%v", err)
		}
		return s, err == nil && !used
	}
	s, err := expandEnv(r.Value, d.env.lookup)
	if err != nil {
		d.errorf(n, path, "%v", err)
		if ue, ok := errors.AsType[*unsetError](err); ok && len(ue.names) == 1 {
			d.errs[len(d.errs)-1].Var = ue.names[0]
		}
		return "", false
	}
	return s, true
}

// items decodes a list (null counts as empty) and returns its items.
func (d *decoder) items(n *yaml.Node, path string) []*yaml.Node {
	r := resolve(n)
	if isNull(r) {
		return nil
	}
	if r.Kind != yaml.SequenceNode {
		d.errorf(n, path, "expected a list, like [a, b], found %s", describe(r))
		return nil
	}
	return r.Content
}

// item is one entry of a list of text.
type item struct {
	node *yaml.Node
	path string
	text string
	ok   bool // false when absent or reported
}

// textItems decodes a list of text, keeping every entry so indexes match
// the file.
func (d *decoder) textItems(n *yaml.Node, path string) []item {
	nodes := d.items(n, path)
	out := make([]item, len(nodes))
	for i, it := range nodes {
		p := joinIndex(path, i)
		s, ok := d.text(it, p)
		out[i] = item{node: it, path: p, text: s, ok: ok}
	}
	return out
}

// integer decodes a whole number of at least lo.
func (d *decoder) integer(n *yaml.Node, path string, lo int64) int64 {
	r := resolve(n)
	if r == nil {
		return 0
	}
	var v int64
	if r.Kind != yaml.ScalarNode || r.ShortTag() != "!!int" {
		d.errorf(n, path, "expected a whole number, found %s", describe(r))
		return 0
	}
	if r.Decode(&v) != nil {
		d.errorf(n, path, "number is too large")
		return 0
	}
	if v < lo {
		if lo == 0 {
			d.errorf(n, path, "must not be negative")
		} else {
			d.errorf(n, path, "must be at least %d", lo)
		}
		return 0
	}
	return v
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, path string) bool {
	r := resolve(n)
	if r == nil {
		return false
	}
	var v bool
	if r.Kind != yaml.ScalarNode || r.ShortTag() != "!!bool" || r.Decode(&v) != nil {
		d.errorf(n, path, "expected true or false, found %s", describe(r))
	}
	return v
}

// duration decodes a positive duration.
func (d *decoder) duration(n *yaml.Node, path string) Duration {
	r := resolve(n)
	if r == nil {
		return 0
	}
	if r.Kind == yaml.ScalarNode && (r.ShortTag() == "!!int" || r.ShortTag() == "!!float") {
		d.errorf(n, path, "a duration needs a unit, like %ss or %sm", r.Value, r.Value)
		return 0
	}
	s, ok := d.text(n, path)
	if !ok {
		return 0
	}
	v, err := parseDuration(s)
	switch {
	case err != nil:
		d.errorf(n, path, "%v", err)
	case v <= 0:
		d.errorf(n, path, "duration must be positive")
	default:
		return Duration(v)
	}
	return 0
}

// interval is a duration that warns below a minute: feed servers may
// block clients that poll that often.
func (d *decoder) interval(n *yaml.Node, path string) Duration {
	v := d.duration(n, path)
	if v > 0 && v.D() < time.Minute {
		d.warnf(n, path, "interval %v is under 1m; many sites block readers that poll this often", v.D())
	}
	return v
}

// url decodes an http or https URL.
func (d *decoder) url(n *yaml.Node, path string) string {
	s, ok := d.text(n, path)
	if !ok {
		return ""
	}
	if err := checkURL(s); err != nil {
		d.errorf(n, path, "%v", err)
	}
	return s
}

// name decodes a feed, watch or channel name.
func (d *decoder) name(n *yaml.Node, path string) string {
	s, ok := d.text(n, path)
	if !ok {
		return ""
	}
	if err := checkName(s); err != nil {
		d.errorf(n, path, "%v", err)
		return ""
	}
	return s
}

// refs decodes a list of names that refer to feeds or channels: each not
// empty and listed once. Existence is checked once everything is decoded.
func (d *decoder) refs(n *yaml.Node, path, what string) []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range d.textItems(n, path) {
		switch {
		case !it.ok:
		case it.text == "":
			d.errorf(it.node, it.path, "%s name is empty", what)
		case seen[it.text]:
			d.errorf(it.node, it.path, "%s %q is listed twice", what, it.text)
		}
		seen[it.text] = true
		out = append(out, it.text)
	}
	return out
}

// queries decodes a list of keyword queries and checks each with the
// matcher's parser. what names an entry in messages ("keyword").
func (d *decoder) queries(n *yaml.Node, path, what string, synonyms [][]string) []string {
	var out []string
	for _, it := range d.textItems(n, path) {
		out = append(out, it.text)
		if !it.ok {
			continue
		}
		if strings.TrimSpace(it.text) == "" {
			d.errorf(it.node, it.path, "%s is empty", what)
			continue
		}
		err := match.CheckQuery(it.text, synonyms)
		var qe *match.QueryError
		switch {
		case errors.As(err, &qe):
			d.errorAtCol(it.node, d.column(it.node, it.text, qe.Column), it.path, "invalid query: %s", qe.Msg)
		case err != nil:
			d.errorf(it.node, it.path, "invalid query: %v", err)
		}
	}
	return out
}
