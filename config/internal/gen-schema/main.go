// Command gen-schema writes watchlist.schema.json, the JSON Schema of the
// watchlist, from the Go types of package config. Run it from the config
// directory, which go generate does:
//
//	go generate ./config
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"

	"github.com/invopop/jsonschema"

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
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("gen-schema: %w", err)
	}
	return append(out, '\n'), nil
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
