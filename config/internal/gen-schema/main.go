// Command gen-schema writes watchlist.schema.json, the JSON Schema of the
// watchlist, from the Go types of package config. Run it from the config
// directory, which go generate does:
//
//	go generate ./config
package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"
	"go.yaml.in/yaml/v3"

	_ "github.com/newshound/newshound/bot/receivers"
	"github.com/newshound/newshound/config"
)

// schemaFile is written in the current directory, the config package's.
const schemaFile = "watchlist.schema.json"

func main() {
	out, err := generate(".")
	if err == nil {
		err = os.WriteFile(schemaFile, out, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-schema:", err)
		os.Exit(1)
	}
}

// generate returns the schema; dir is the config package's source
// directory, whose doc comments become descriptions. It must be "." or the
// comments are filed under the wrong package path.
func generate(dir string) ([]byte, error) {
	r := &jsonschema.Reflector{
		Anonymous:      true,
		ExpandedStruct: true,
		Mapper:         mapType,
	}
	if err := r.AddGoComments("github.com/newshound/newshound/config", dir); err != nil {
		return nil, fmt.Errorf("gen-schema: read doc comments: %w", err)
	}
	s := r.Reflect(&config.Config{})
	s.Title = "newshound watchlist"
	channelExamples, err := addChannelTypes(s)
	if err != nil {
		return nil, err
	}
	platformExamples, err := addPlatforms(s)
	if err != nil {
		return nil, err
	}
	digest, ok := s.Definitions["Digest"]
	if !ok {
		return nil, fmt.Errorf("gen-schema: no Digest definition")
	}
	// In the file a digest is either the word "instant" or a schedule.
	s.Definitions["Digest"] = &jsonschema.Schema{
		Description: digest.Description,
		OneOf: []*jsonschema.Schema{
			{Type: "string", Enum: []any{"instant"}, Description: "Send each match at once."},
			{Type: "null"},
			stripDescription(digest),
		},
	}
	if err := applyLoaderRules(s); err != nil {
		return nil, err
	}
	ex := maps.Clone(examples)
	ex["Channel"] = channelExamples
	maps.Copy(ex, platformExamples)
	if err := addExamples(s, ex); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("gen-schema: %w", err)
	}
	return append(out, '\n'), nil
}

// nonEmpty lists the values, beyond what the Go type tags say, that the
// loader refuses when empty: texts it reads as a URL, an ID or a name
// (every "format": "uri" text is added to them), and list items that
// name something. A path is a definition name ("" for the top level), a
// property and ".items" steps.
var nonEmpty = []string{
	"Watch.feeds.items",
	"Watch.channels.items",
	"Watch.urgent.items",
	".synonyms.items.items",
}

// minItems lists the lists the loader needs longer than the Go types say:
// a synonym group holds at least two words.
var minItems = map[string]uint64{
	".synonyms.items": 2,
}

// applyLoaderRules makes the schema accept and refuse what the loader
// does, key by key. The loader reads a null value (a key with nothing
// after the colon) as the empty value of the key's type, "", [] or {},
// so every property whose empty value is valid also accepts null; empty
// texts and short lists it refuses are refused here too (nonEmpty,
// minItems). config/schema_agree_test.go checks the result against the
// loader.
func applyLoaderRules(s *jsonschema.Schema) error {
	for _, p := range nonEmpty {
		n, err := lookup(s, p)
		if err != nil {
			return err
		}
		n.MinLength = ptr(uint64(1))
	}
	for p, v := range minItems {
		n, err := lookup(s, p)
		if err != nil {
			return err
		}
		n.MinItems = ptr(v)
	}
	var objects []*jsonschema.Schema
	walk(s, func(n *jsonschema.Schema) {
		if n.Properties != nil {
			objects = append(objects, n)
		}
	})
	for _, o := range objects {
		for _, prop := range o.Properties.FromOldest() {
			if prop.Format == "uri" && prop.MinLength == nil {
				prop.MinLength = ptr(uint64(1))
			}
		}
	}
	for _, o := range objects {
		for name, prop := range o.Properties.FromOldest() {
			if !nullable(prop) && acceptsEmpty(s, prop) {
				o.Properties.Set(name, &jsonschema.Schema{
					Description: prop.Description,
					AnyOf:       []*jsonschema.Schema{stripDescription(prop), {Type: "null"}},
				})
			}
		}
	}
	return nil
}

// walk calls fn on s and every schema inside it, definitions in name
// order, so the output does not depend on map order.
func walk(s *jsonschema.Schema, fn func(*jsonschema.Schema)) {
	if s == nil {
		return
	}
	fn(s)
	names := make([]string, 0, len(s.Definitions))
	for name := range s.Definitions {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		walk(s.Definitions[name], fn)
	}
	for _, c := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
		walk(c, fn)
	}
	walk(s.Items, fn)
	walk(s.AdditionalProperties, fn)
	if s.Properties != nil {
		for _, c := range s.Properties.FromOldest() {
			walk(c, fn)
		}
	}
}

// lookup finds the schema at path (see nonEmpty).
func lookup(s *jsonschema.Schema, path string) (*jsonschema.Schema, error) {
	def, rest, _ := strings.Cut(path, ".")
	n := s
	if def != "" {
		var ok bool
		if n, ok = s.Definitions[def]; !ok {
			return nil, fmt.Errorf("gen-schema: %s: no definition %s", path, def)
		}
	}
	steps := strings.Split(rest, ".")
	if n.Properties == nil {
		return nil, fmt.Errorf("gen-schema: %s: %s has no properties", path, def)
	}
	n, ok := n.Properties.Get(steps[0])
	if !ok {
		return nil, fmt.Errorf("gen-schema: %s: no property %s", path, steps[0])
	}
	for _, st := range steps[1:] {
		if st != "items" || n.Items == nil {
			return nil, fmt.Errorf("gen-schema: %s: no %s", path, st)
		}
		n = n.Items
	}
	return n, nil
}

// nullable reports whether s already accepts null.
func nullable(s *jsonschema.Schema) bool {
	if s.Type == "null" {
		return true
	}
	return slices.ContainsFunc(append(slices.Clone(s.OneOf), s.AnyOf...), nullable)
}

// acceptsEmpty reports whether the empty value of s's type ("", [] or
// {}) is valid: then the loader also takes null for it.
func acceptsEmpty(root, s *jsonschema.Schema) bool {
	if name, ok := strings.CutPrefix(s.Ref, "#/$defs/"); ok {
		def, found := root.Definitions[name]
		return found && acceptsEmpty(root, def)
	}
	switch s.Type {
	case "string":
		if s.MinLength != nil && *s.MinLength > 0 || len(s.Enum) > 0 && !slices.Contains(s.Enum, any("")) {
			return false
		}
		return s.Pattern == "" || regexp.MustCompile(s.Pattern).MatchString("")
	case "array":
		return s.MinItems == nil || *s.MinItems == 0
	case "object":
		return len(s.Required) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0 && s.MinProperties == nil
	}
	return false
}

// examples are shown by editors and each is checked against the loader
// by config/schema_agree_test.go; the key is a definition name, "" for
// the whole watchlist. A channel's examples come from its channel types.
var examples = map[string][]string{
	"": {
		"feeds: [{name: yna-news, url: 'https://www.yna.co.kr/rss/news.xml'}]\n" +
			"channels:\n  terminal:\n    console:\n" +
			"watches: [{name: ai-policy, keywords: [오픈소스, 트럼프, '\"AI 국가안보각서\"'], channels: [terminal]}]\n",
	},
	"Feed": {
		"{name: yna-news, url: 'https://www.yna.co.kr/rss/news.xml'}",
		"{name: gnews-ai, google_news: '\"AI 국가안보각서\"', interval: 10m, backfill: 3}",
	},
	"Watch": {
		"{name: ai-policy, keywords: [오픈소스, '\"AI 국가안보각서\"'], exclude: [주가], channels: [terminal]}",
		"{name: chips, keywords: [반도체, HBM], urgent: [HBM], channels: [terminal], digest: {every: 30m}}",
		"{name: trump, keywords: [트럼프], channels: [terminal], surge: {factor: 4, min_stories: 5, window: 1h}, report: {at: 'Mon 09:00'}}",
	},
	"Digest": {
		"instant",
		"{every: 30m}",
		"{at: ['09:00', '18:00'], days: [mon, tue, wed, thu, fri], quiet_hours: '22:00-07:00'}",
	},
}

// addChannelTypes describes a channel as one block of a registered
// channel type (config.Receivers), each block's definition its type's
// schema fragment, and returns the types' examples.
func addChannelTypes(s *jsonschema.Schema) ([]string, error) {
	ch, ok := s.Definitions["Channel"]
	if !ok {
		return nil, fmt.Errorf("gen-schema: no Channel definition")
	}
	ch.Properties = jsonschema.NewProperties()
	ch.OneOf = nil
	ch.AdditionalProperties = jsonschema.FalseSchema
	ch.Type = "object"
	var exs []string
	for _, r := range config.Receivers() {
		f := r.Schema()
		if _, dup := s.Definitions[f.Definition]; dup || f.Definition == "" {
			return nil, fmt.Errorf("gen-schema: channel type %s: definition name %q is empty or taken", r.Kind(), f.Definition)
		}
		def := &jsonschema.Schema{}
		if err := json.Unmarshal(f.Schema, def); err != nil {
			return nil, fmt.Errorf("gen-schema: channel type %s: %w", r.Kind(), err)
		}
		s.Definitions[f.Definition] = def
		ch.Properties.Set(r.Kind(), &jsonschema.Schema{Ref: "#/$defs/" + f.Definition, Description: f.Description})
		ch.OneOf = append(ch.OneOf, &jsonschema.Schema{Required: []string{r.Kind()}, Title: r.Kind()})
		exs = append(exs, f.Examples...)
	}
	if len(exs) == 0 {
		return nil, fmt.Errorf("gen-schema: no channel type is registered")
	}
	ch.Properties.Set("report", &jsonschema.Schema{Ref: "#/$defs/Report",
		Description: "Report posts a report of every watch that posts to the channel on\na schedule, such as {at: \"Mon 09:00\"}."})
	return exs, nil
}

// addPlatforms describes what the registered chat platforms add to the
// watchlist: a list under admins: each, and the top-level blocks of those
// that have one.
func addPlatforms(s *jsonschema.Schema) (map[string][]string, error) {
	exs := map[string][]string{}
	admins := &jsonschema.Schema{
		Type:                 "object",
		Properties:           jsonschema.NewProperties(),
		AdditionalProperties: jsonschema.FalseSchema,
		Description:          "Admins may use the editing commands, listed by chat platform; when every list is empty everyone may.",
	}
	s.Definitions["Admins"] = admins
	for _, p := range config.Platforms() {
		item := &jsonschema.Schema{}
		if err := json.Unmarshal(p.AdminSchema(), item); err != nil {
			return nil, fmt.Errorf("gen-schema: platform %s: admin schema: %w", p.Name(), err)
		}
		admins.Properties.Set(p.Name(), &jsonschema.Schema{
			Type:        "array",
			Items:       item,
			Description: item.Description,
		})
		item.Description = ""
		ap, ok := p.(config.AppPlatform)
		if !ok {
			continue
		}
		f := ap.AppSchema()
		if _, dup := s.Definitions[f.Definition]; dup || f.Definition == "" {
			return nil, fmt.Errorf("gen-schema: platform %s: definition name %q is empty or taken", p.Name(), f.Definition)
		}
		def := &jsonschema.Schema{}
		if err := json.Unmarshal(f.Schema, def); err != nil {
			return nil, fmt.Errorf("gen-schema: platform %s: %w", p.Name(), err)
		}
		def.Description = f.Description
		s.Definitions[f.Definition] = def
		s.Properties.Set(p.Name(), &jsonschema.Schema{Ref: "#/$defs/" + f.Definition, Description: f.Description})
		if len(f.Examples) > 0 {
			exs[f.Definition] = f.Examples
		}
	}
	return exs, nil
}

// addExamples sets the examples of the top level and the definitions.
func addExamples(s *jsonschema.Schema, examples map[string][]string) error {
	for def, srcs := range examples {
		n := s
		if def != "" {
			var ok bool
			if n, ok = s.Definitions[def]; !ok {
				return fmt.Errorf("gen-schema: examples for missing definition %s", def)
			}
		}
		n.Examples = nil
		for _, src := range srcs {
			var v any
			if err := yaml.Unmarshal([]byte(src), &v); err != nil {
				return fmt.Errorf("gen-schema: example of %q: %w", def, err)
			}
			n.Examples = append(n.Examples, v)
		}
	}
	return nil
}

func stripDescription(s *jsonschema.Schema) *jsonschema.Schema {
	c := *s
	c.Description = ""
	return &c
}

// durationPattern accepts what config's duration parser does: Go durations
// ("90s", "1h30m") optionally preceded by whole days ("1d", "1d12h").
const durationPattern = `^([0-9]+d)?([0-9]*\.?[0-9]+(ns|us|µs|μs|ms|s|m|h))*$`

// mapType describes types whose YAML form differs from their Go form.
func mapType(t reflect.Type) *jsonschema.Schema {
	if t == reflect.TypeFor[config.Duration]() {
		return &jsonschema.Schema{
			Type:        "string",
			Pattern:     durationPattern,
			MinLength:   ptr(uint64(2)),
			Description: "A duration such as 90s, 5m, 1h30m or 1d.",
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
