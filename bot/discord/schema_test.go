package discord

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// specPath is Discord's official OpenAPI spec, outside the repository.
var specPath = filepath.Join("..", "..", "..", "shared", "specs", "discord-openapi.json")

// Schema locations inside the spec, as JSON pointers.
const (
	schemaExecuteWebhook   = "/paths/~1webhooks~1{webhook_id}~1{webhook_token}/post/requestBody/content/application~1json/schema"
	schemaCreateMessage    = "/paths/~1channels~1{channel_id}~1messages/post/requestBody/content/application~1json/schema"
	schemaCallback         = "/paths/~1interactions~1{interaction_id}~1{interaction_token}~1callback/post/requestBody/content/application~1json/schema"
	schemaEditOriginal     = "/paths/~1webhooks~1{webhook_id}~1{webhook_token}~1messages~1@original/patch/requestBody/content/application~1json/schema"
	schemaEditWebhookMsg   = "/paths/~1webhooks~1{webhook_id}~1{webhook_token}~1messages~1{message_id}/patch/requestBody/content/application~1json/schema"
	schemaEditMessage      = "/paths/~1channels~1{channel_id}~1messages~1{message_id}/patch/requestBody/content/application~1json/schema"
	schemaBulkGuildCommand = "/paths/~1applications~1{application_id}~1guilds~1{guild_id}~1commands/put/requestBody/content/application~1json/schema"
	schemaBulkCommand      = "/paths/~1applications~1{application_id}~1commands/put/requestBody/content/application~1json/schema"
	schemaLocale           = "/components/schemas/AvailableLocalesEnum"
)

type specSchemas struct {
	once    sync.Once
	err     error
	missing bool
	byPtr   map[string]*jsonschema.Schema
}

func (s *specSchemas) load() {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		s.missing, s.err = true, err
		return
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		s.err = err
		return
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("https://discord.example/openapi.json", doc); err != nil {
		s.err = err
		return
	}
	s.byPtr = map[string]*jsonschema.Schema{}
	for _, p := range []string{schemaExecuteWebhook, schemaCreateMessage, schemaCallback, schemaEditOriginal, schemaEditWebhookMsg, schemaEditMessage, schemaBulkGuildCommand, schemaBulkCommand, schemaLocale} {
		loc := "https://discord.example/openapi.json#" + strings.NewReplacer("{", "%7B", "}", "%7D").Replace(p)
		sch, err := c.Compile(loc)
		if err != nil {
			s.err = err
			return
		}
		s.byPtr[p] = sch
	}
}

var spec specSchemas

// validatePayload checks body against the request schema at ptr. Without
// ../shared it only logs, so the caller's other checks still count.
func validatePayload(t *testing.T, ptr string, body []byte) {
	t.Helper()
	spec.once.Do(spec.load)
	if spec.missing {
		t.Logf("OpenAPI validation skipped: %s not found (../shared is absent)", specPath)
		return
	}
	if spec.err != nil {
		t.Fatalf("load Discord OpenAPI spec: %v", spec.err)
	}
	if err := checkPayload(ptr, body); err != nil {
		t.Errorf("payload does not match %s: %v\n%s", ptr, err, body)
	}
}

func checkPayload(ptr string, body []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return spec.byPtr[ptr].Validate(v)
}

func TestSchemaRejectsBadPayloads(t *testing.T) {
	t.Parallel()
	eleven := make([]map[string]string, 11)
	for i := range eleven {
		eleven[i] = map[string]string{"title": "x"}
	}
	tests := []struct {
		name string
		ptr  string
		body any
		ok   bool
	}{
		{"webhook ok", schemaExecuteWebhook, map[string]any{"content": "hi", "allowed_mentions": map[string]any{"parse": []string{}}}, true},
		{"webhook 11 embeds", schemaExecuteWebhook, map[string]any{"embeds": eleven}, false},
		{"webhook content type", schemaExecuteWebhook, map[string]any{"content": 5}, false},
		{"message long title", schemaCreateMessage, map[string]any{"embeds": []any{map[string]string{"title": strings.Repeat("가", 257)}}}, false},
		{"message bad parse", schemaCreateMessage, map[string]any{"allowed_mentions": map[string]any{"parse": []string{"nobody"}}}, false},
		{"callback unknown type", schemaCallback, map[string]any{"type": 42}, false},
		{"callback pong", schemaCallback, map[string]any{"type": 1}, true},
		{"bad timestamp", schemaCreateMessage, map[string]any{"embeds": []any{map[string]string{"timestamp": "yesterday"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := json.Marshal(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			spec.once.Do(spec.load)
			if spec.missing {
				t.Skipf("skipping: %s not found (../shared is absent)", specPath)
			}
			if spec.err != nil {
				t.Fatal(spec.err)
			}
			err = checkPayload(tt.ptr, body)
			if (err == nil) != tt.ok {
				t.Errorf("valid = %v, want %v (err %v)", err == nil, tt.ok, err)
			}
		})
	}
}
