package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// The tests in this file check that the JSON Schema (what editors and CI
// linters see) and the loader (what the bot runs) give the same verdict
// on every key: each example of the schema, a set of small watchlists
// that set every key, each of those with one key emptied (null, "", [],
// {}), and a set of invalid watchlists.

// agreeBases together set every key of the schema; each must load.
var agreeBases = map[string]string{
	"full": `
timezone: Asia/Seoul
poll: {interval: 2m, timeout: 15s, max_bytes: 1048576, concurrency: 4, per_host: 1}
story_window: 1d12h
feeds:
  - {name: yna-it, url: "https://www.yna.co.kr/rss/industry.xml", interval: 10m, timeout: 30s, backfill: 5}
  - {name: gnews, google_news: '"AI 국가안보각서" 트럼프'}
channels:
  json-out: {console: {format: json}}
  team: {slack: {webhook_url: "https://hooks.slack.com/services/T0/B0/XYZ", chat_channel: "#team"}}
  desk: {slack: {channel: "#news-desk", api_url: "http://127.0.0.1:9000/api/"}}
  디스코드: {discord: {webhook_url: "https://discord.com/api/webhooks/1/abc", chat_channel: "223344556677889900"}}
  bot: {discord: {channel_id: "123456789012345678", api_url: "http://127.0.0.1:9001/"}}
  ops: {webhook: {url: "https://hooks.example/newshound", secret: "s3cr3t"}, report: {at: "fri 17:00"}}
watches:
  - name: ai-policy
    keywords: [오픈소스, 트럼프, '"AI 국가안보각서"']
    exclude: [주가]
    feeds: [yna-it]
    channels: [json-out, team]
    digest: instant
    urgent: [트럼프]
    color: "#1f8b4c"
  - name: chips
    keywords: [반도체, HBM]
    channels: [desk, 디스코드, bot, ops]
    digest: {at: ["09:00", "18:30"], days: [mon, fri], quiet_hours: "22:00-07:00", max_items: 20}
  - name: ai
    keywords: [AI]
    channels: [team]
    digest: {every: 30m}
    surge: {factor: 4.5, min_stories: 5, window: 1h}
    report: {at: "Mon 09:00"}
  - name: daily
    keywords: [트럼프]
    channels: [ops]
    surge: {}
    report: {at: "18:30"}
synonyms: [[AI, 인공지능]]
server: {listen: ":8080", reload: true, stop_grace: 30s}
admins: {slack: [U012AB3CD], discord: ["112233445566778899"]}
security: {allow_private_feeds: true}
store: {postgres: "postgres://postgres@127.0.0.1:5432/test"}
discord: {application_id: "998877665544332211", guild_id: "111"}
`,
	"console null": `
feeds: [{name: a, url: "https://example.com/rss"}]
channels:
  terminal:
    console:
watches: [{name: w, keywords: [x], channels: [terminal]}]
`,
	"env references": `
feeds: [{name: a, url: "${FEED_BASE}/rss"}]
channels:
  hook: {slack: {webhook_url: "${SLACK_WEBHOOK_URL}"}}
  dc: {discord: {webhook_url: "${DISCORD_WEBHOOK_URL}"}}
watches: [{name: w, keywords: [x], channels: [hook, dc]}]
store: {postgres: "${DATABASE_URL}"}
`,
}

// agreeInvalid are watchlists both must refuse.
var agreeInvalid = map[string]string{
	"two platform blocks":      "feeds: []\nchannels: {t: {console: {}, slack: {channel: x}}}\nwatches: []\n",
	"no platform block":        "feeds: []\nchannels: {t: {}}\nwatches: []\n",
	"null channel":             "feeds: []\nchannels: {t: }\nwatches: []\n",
	"console format":           "feeds: []\nchannels: {t: {console: {format: xml}}}\nwatches: []\n",
	"console unknown key":      "feeds: []\nchannels: {t: {console: {colour: red}}}\nwatches: []\n",
	"console list":             "feeds: []\nchannels: {t: {console: [text]}}\nwatches: []\n",
	"url and google_news":      "feeds: [{name: a, url: 'https://x', google_news: q}]\nchannels: {}\nwatches: []\n",
	"feed without url":         "feeds: [{name: a}]\nchannels: {}\nwatches: []\n",
	"empty feed url":           "feeds: [{name: a, url: ''}]\nchannels: {}\nwatches: []\n",
	"null feed url":            "feeds: [{name: a, url: }]\nchannels: {}\nwatches: []\n",
	"unknown key":              "feeds: []\nchannels: {}\nwatches: []\nextra: 1\n",
	"missing watches":          "feeds: []\nchannels: {}\n",
	"digest word":              "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], digest: weekly}]\n",
	"digest unknown key":       "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], digest: {evry: 5m}}]\n",
	"bad duration":             "feeds: []\nchannels: {}\nwatches: []\nstory_window: soon\n",
	"null duration":            "feeds: []\nchannels: {}\nwatches: []\nstory_window:\n",
	"bad day":                  "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], digest: {days: [Mon]}}]\n",
	"missing keywords":         "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, channels: [t]}]\n",
	"null keywords":            "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: , channels: [t]}]\n",
	"empty channel reference":  "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: ['']}]\n",
	"empty urgent keyword":     "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], urgent: ['']}]\n",
	"slack hook and channel":   "feeds: []\nchannels: {t: {slack: {webhook_url: x, channel: y}}}\nwatches: []\n",
	"empty slack channel":      "feeds: []\nchannels: {t: {slack: {channel: ''}}}\nwatches: []\n",
	"empty discord hook":       "feeds: []\nchannels: {t: {discord: {webhook_url: ''}}}\nwatches: []\n",
	"webhook without url":      "feeds: []\nchannels: {t: {webhook: {secret: s}}}\nwatches: []\n",
	"empty webhook secret":     "feeds: []\nchannels: {t: {webhook: {url: 'https://h.example/x', secret: ''}}}\nwatches: []\n",
	"negative backfill":        "feeds: [{name: a, url: 'https://x', backfill: -1}]\nchannels: {}\nwatches: []\n",
	"one-word synonym group":   "feeds: []\nchannels: {}\nwatches: []\nsynonyms: [[AI]]\n",
	"empty synonym":            "feeds: []\nchannels: {}\nwatches: []\nsynonyms: [[AI, '']]\n",
	"null reload":              "feeds: []\nchannels: {}\nwatches: []\nserver: {reload: }\n",
	"null max_items":           "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], digest: {max_items: }}]\n",
	"surge factor too small":   "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], surge: {factor: 1}}]\n",
	"surge factor text":        "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], surge: {factor: many}}]\n",
	"surge zero min_stories":   "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], surge: {min_stories: 0}}]\n",
	"surge unknown key":        "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], surge: {windw: 1h}}]\n",
	"report without at":        "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], report: {}}]\n",
	"report bad day":           "feeds: []\nchannels: {t: {console: }}\nwatches: [{name: w, keywords: [x], channels: [t], report: {at: 'Monday 09:00'}}]\n",
	"report bad clock":         "feeds: []\nchannels: {t: {console: }, report: {at: 'Mon 9:00'}}\nwatches: []\n",
	"channel with only report": "feeds: []\nchannels: {t: {report: {at: '09:00'}}}\nwatches: []\n",
}

// loaderLenient lists mutations the loader accepts and the schema
// refuses on purpose, because the loader is wrong: each entry says why,
// and the test fails once the loader refuses it, so the entry goes.
var loaderLenient = map[string]string{}

// examplePlaces wraps an example of the schema node at a JSON pointer in
// a watchlist that uses it there. Its channel "terminal" and feed
// "yna-news" are what the examples may refer to.
var examplePlaces = map[string]func(ex any) any{
	"": func(ex any) any { return ex },
	"/$defs/Channel": func(ex any) any {
		return agreeDoc(map[string]any{"channels": map[string]any{"terminal": ex}})
	},
	"/$defs/Feed": func(ex any) any {
		return agreeDoc(map[string]any{"feeds": []any{ex}})
	},
	"/$defs/Watch": func(ex any) any {
		return agreeDoc(map[string]any{"watches": []any{ex}})
	},
	"/$defs/Digest": func(ex any) any {
		return agreeDoc(map[string]any{"watches": []any{map[string]any{"name": "w", "keywords": []any{"x"}, "channels": []any{"terminal"}, "digest": ex}}})
	},
}

// appPlace places an example of a chat platform's top-level block.
func appPlace(ptr string) (func(ex any) any, bool) {
	for _, p := range Platforms() {
		if ap, ok := p.(AppPlatform); ok && ptr == "/$defs/"+ap.AppSchema().Definition {
			return func(ex any) any { return agreeDoc(map[string]any{p.Name(): ex}) }, true
		}
	}
	return nil, false
}

// agreeDoc is a small valid watchlist with the given top-level keys set.
func agreeDoc(set map[string]any) any {
	doc := map[string]any{
		"feeds":    []any{map[string]any{"name": "yna-news", "url": "https://www.yna.co.kr/rss/news.xml"}},
		"channels": map[string]any{"terminal": map[string]any{"console": nil}},
		"watches":  []any{},
	}
	for k, v := range set {
		doc[k] = v
	}
	return doc
}

// agreeSchema compiles watchlist.schema.json and returns it with its raw
// JSON value.
func agreeSchema(t *testing.T) (*jsonschema.Schema, any) {
	t.Helper()
	data, err := os.ReadFile("watchlist.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	comp := jsonschema.NewCompiler()
	if err := comp.AddResource("watchlist.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := comp.Compile("watchlist.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	// Read as YAML (JSON is YAML), numbers come out as int, so examples
	// written back as YAML keep them whole numbers.
	var raw any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	return schema, raw
}

// verdicts runs a YAML-shaped value through the schema and the loader.
func verdicts(t *testing.T, schema *jsonschema.Schema, v any) (schemaErr, loaderErr error) {
	t.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	src, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	_, loaderErr = Validate("w.yaml", src, Env{Skip: true})
	return schema.Validate(inst), loaderErr
}

// yamlValue reads YAML text as the generic value the schema describes.
func yamlValue(t *testing.T, src string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSchemaExamplesLoad(t *testing.T) {
	t.Parallel()
	schema, raw := agreeSchema(t)
	found := 0
	var walk func(ptr string, n any)
	walk = func(ptr string, n any) {
		switch n := n.(type) {
		case map[string]any:
			if exs, ok := n["examples"].([]any); ok {
				place, known := examplePlaces[ptr]
				if !known {
					place, known = appPlace(ptr)
				}
				if !known {
					t.Errorf("schema examples at %q: the test does not know where they go; add it to examplePlaces", ptr)
				}
				for i, ex := range exs {
					found++
					if !known {
						continue
					}
					t.Run(fmt.Sprintf("%s#%d", ptr, i), func(t *testing.T) {
						serr, lerr := verdicts(t, schema, place(ex))
						if serr != nil {
							t.Errorf("the schema refuses its own example %v: %v", ex, serr)
						}
						if lerr != nil {
							t.Errorf("the loader refuses the schema example %v: %v", ex, lerr)
						}
					})
				}
			}
			for k, c := range n {
				if k != "examples" && k != "enum" && k != "const" {
					walk(ptr+"/"+k, c)
				}
			}
		case []any:
			for i, c := range n {
				walk(fmt.Sprintf("%s/%d", ptr, i), c)
			}
		}
	}
	walk("", raw)
	if found < len(examplePlaces) {
		t.Errorf("the schema has %d examples; want at least one per place (%d)", found, len(examplePlaces))
	}
}

func TestSchemaAndLoaderAgree(t *testing.T) {
	t.Parallel() // reads the schema and loads documents in memory: shares nothing
	schema, raw := agreeSchema(t)
	var bases []any
	for name, src := range agreeBases {
		v := yamlValue(t, src)
		serr, lerr := verdicts(t, schema, v)
		if serr != nil || lerr != nil {
			t.Fatalf("base %q: schema: %v; loader: %v", name, serr, lerr)
		}
		bases = append(bases, v)
	}

	// Every key the schema knows is set by some base, so every key is
	// emptied below.
	for _, p := range schemaKeyPaths(raw) {
		if !slices.ContainsFunc(bases, func(b any) bool { return hasPath(b, p) }) {
			t.Errorf("no base watchlist sets %s; add it to agreeBases", strings.Join(p, "."))
		}
	}

	lenientSeen := map[string]bool{}
	for name, src := range agreeBases {
		base := yamlValue(t, src)
		for _, p := range instancePaths(base, nil) {
			for _, empty := range []any{nil, "", []any{}, map[string]any{}} {
				doc := setPath(yamlValue(t, src), p, empty)
				serr, lerr := verdicts(t, schema, doc)
				if (serr == nil) == (lerr == nil) || crossReferenceOnly(lerr) {
					continue
				}
				key := fmt.Sprintf("%s = %s", formatPath(p), formatEmpty(empty))
				if why, ok := loaderLenient[key]; ok && lerr == nil {
					lenientSeen[key] = true
					t.Logf("%s: known loader leniency: %s", key, why)
					continue
				}
				t.Errorf("base %q, %s: schema error: %v; loader error: %v", name, key, serr, lerr)
			}
		}
	}
	for key := range loaderLenient {
		if !lenientSeen[key] {
			t.Errorf("loaderLenient %q: the loader and the schema now agree; remove the entry", key)
		}
	}

	for name, src := range agreeInvalid {
		t.Run(name, func(t *testing.T) {
			serr, lerr := verdicts(t, schema, yamlValue(t, src))
			if serr == nil {
				t.Errorf("the schema accepts it")
			}
			if lerr == nil {
				t.Errorf("the loader accepts it")
			}
		})
	}
}

// crossReferenceOnly reports whether every loader error is one the schema
// cannot express: a watch naming a feed or channel that does not exist.
func crossReferenceOnly(err error) bool {
	var list Errors
	if !errors.As(err, &list) || len(list) == 0 {
		return false
	}
	for _, e := range list {
		if !strings.HasPrefix(e.Msg, "unknown feed ") && !strings.HasPrefix(e.Msg, "unknown channel ") {
			return false
		}
	}
	return true
}

// schemaKeyPaths lists every property of the schema as a path from the
// top ("*" for a map's keys, "[]" for a list's items), following $refs,
// anyOf and oneOf.
func schemaKeyPaths(raw any) [][]string {
	root := raw.(map[string]any)
	defs, _ := root["$defs"].(map[string]any)
	var out [][]string
	var walk func(n map[string]any, path []string, depth int)
	walk = func(n map[string]any, path []string, depth int) {
		if depth > 12 {
			return
		}
		if ref, ok := n["$ref"].(string); ok {
			if d, ok := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any); ok {
				walk(d, path, depth+1)
			}
		}
		for _, k := range []string{"anyOf", "oneOf"} {
			alts, _ := n[k].([]any)
			for _, a := range alts {
				if m, ok := a.(map[string]any); ok {
					walk(m, path, depth+1)
				}
			}
		}
		if props, ok := n["properties"].(map[string]any); ok {
			for k, c := range props {
				p := append(slices.Clone(path), k)
				out = append(out, p)
				if m, ok := c.(map[string]any); ok {
					walk(m, p, depth+1)
				}
			}
		}
		if m, ok := n["items"].(map[string]any); ok {
			walk(m, append(slices.Clone(path), "[]"), depth+1)
		}
		if m, ok := n["additionalProperties"].(map[string]any); ok {
			walk(m, append(slices.Clone(path), "*"), depth+1)
		}
	}
	walk(root, nil, 0)
	return out
}

// hasPath reports whether v sets the key at a schema path.
func hasPath(v any, path []string) bool {
	if len(path) == 0 {
		return true
	}
	switch v := v.(type) {
	case map[string]any:
		if path[0] == "*" {
			for _, c := range v {
				if hasPath(c, path[1:]) {
					return true
				}
			}
			return false
		}
		c, ok := v[path[0]]
		return ok && hasPath(c, path[1:])
	case []any:
		return path[0] == "[]" && slices.ContainsFunc(v, func(c any) bool { return hasPath(c, path[1:]) })
	}
	return false
}

// instancePaths lists the path of every value inside v (map keys as
// strings, list indexes as ints).
func instancePaths(v any, prefix []any) [][]any {
	var out [][]any
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			p := append(slices.Clone(prefix), any(k))
			out = append(out, p)
			out = append(out, instancePaths(c, p)...)
		}
	case []any:
		for i, c := range v {
			p := append(slices.Clone(prefix), any(i))
			out = append(out, p)
			out = append(out, instancePaths(c, p)...)
		}
	}
	return out
}

// setPath replaces the value at path in v.
func setPath(v any, path []any, val any) any {
	if len(path) == 0 {
		return val
	}
	switch v := v.(type) {
	case map[string]any:
		k := path[0].(string)
		v[k] = setPath(v[k], path[1:], val)
	case []any:
		i := path[0].(int)
		v[i] = setPath(v[i], path[1:], val)
	}
	return v
}

func formatPath(p []any) string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, s)
		}
	}
	return b.String()
}

func formatEmpty(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return `""`
	case []any:
		return "[]"
	}
	return "{}"
}
