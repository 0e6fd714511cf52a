package config

import (
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// pair is one key and value of a YAML mapping.
type pair struct {
	key, value *yaml.Node
	merged     bool // came from a << merge rather than the mapping itself
}

// resolve follows aliases and unwraps a document node; it returns nil for nil.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return nil
}

// isNull reports whether n is absent or an explicit null ("key:" or "~").
func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// pairs lists the entries of mapping m in file order, followed by entries
// merged in with "<<: *anchor" whose keys m does not set itself. bad holds
// merge values that are not mappings.
func pairs(m *yaml.Node) (ps []pair, bad []*yaml.Node) {
	return collectPairs(m, map[*yaml.Node]bool{})
}

func collectPairs(m *yaml.Node, seen map[*yaml.Node]bool) (ps []pair, bad []*yaml.Node) {
	if seen[m] {
		return nil, nil
	}
	seen[m] = true
	var merged []pair
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!merge" {
			ps = append(ps, pair{key: k, value: v})
			continue
		}
		sources := []*yaml.Node{v}
		if r := resolve(v); r != nil && r.Kind == yaml.SequenceNode {
			sources = r.Content
		}
		for _, src := range sources {
			r := resolve(src)
			if r == nil || r.Kind != yaml.MappingNode {
				bad = append(bad, src)
				continue
			}
			sub, subBad := collectPairs(r, seen)
			merged = append(merged, sub...)
			bad = append(bad, subBad...)
		}
	}
	for _, mp := range merged {
		if !hasKey(ps, mp.key.Value) {
			mp.merged = true
			ps = append(ps, mp)
		}
	}
	return ps, bad
}

func hasKey(ps []pair, key string) bool {
	for _, p := range ps {
		if p.key.Value == key {
			return true
		}
	}
	return false
}

// joinKey appends a mapping key to a path: "feeds" + "name" is
// "feeds.name"; a key with spaces, dots, brackets or quotes is written
// ["like this"].
func joinKey(path, key string) string {
	if key == "" || strings.ContainsAny(key, `.[]"`) || strings.ContainsFunc(key, unicode.IsSpace) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// joinIndex appends a list index to a path: "feeds" + 2 is "feeds[2]".
func joinIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// nodeAt returns the value node at path, written as in Error.Path
// ("watches[0].keywords[1]", `channels["my team"].console`), under root, or
// nil when there is none.
func nodeAt(root *yaml.Node, path string) *yaml.Node {
	n := resolve(root)
	for path != "" && n != nil {
		var key string
		switch {
		case strings.HasPrefix(path, `["`):
			q, err := strconv.QuotedPrefix(path[1:])
			if err != nil || !strings.HasPrefix(path[1+len(q):], "]") {
				return nil
			}
			key, _ = strconv.Unquote(q)
			path = path[len(q)+2:]
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			i, err := strconv.Atoi(path[1:max(end, 1)])
			if end < 0 || err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
				return nil
			}
			n, path = resolve(n.Content[i]), path[end+1:]
			continue
		default:
			path = strings.TrimPrefix(path, ".")
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			key, path = path[:end], path[end:]
		}
		n = valueOf(n, key)
	}
	return n
}

// valueOf returns the value of key in mapping m, or nil.
func valueOf(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	ps, _ := pairs(m)
	for _, p := range ps {
		if p.key.Value == key {
			return resolve(p.value)
		}
	}
	return nil
}

// describe names the kind of value n is, for "expected X, found Y".
func describe(n *yaml.Node) string {
	n = resolve(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!null":
		return "nothing"
	case "!!int":
		return "a whole number"
	case "!!float":
		return "a decimal number"
	case "!!bool":
		return "true/false"
	}
	return "text"
}
