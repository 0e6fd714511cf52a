package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Receiver is one channel type: the block a channel sets under its kind
// (channels: {ops: {kind: {…}}}). Each type lives in its own package,
// which registers it with [Register] from an init function, the way
// database/sql drivers do; package config names no channel type.
type Receiver interface {
	// Kind is the key of the block in the file ("webhook").
	Kind() string
	// Decode reads the block, reporting every problem through b.
	Decode(b *Block) Settings
	// Schema is the block's JSON Schema fragment.
	Schema() SchemaFragment
	// BotChannel returns the settings that post as the bot to chat
	// channel id on platform, used to bind a chat channel from a
	// command; ok is false when the receiver does not serve platform.
	BotChannel(platform, id string) (s Settings, ok bool)
}

// Settings is a decoded channel block.
type Settings interface {
	// Needs lists the environment variables the block needs.
	Needs() []EnvNeed
	// Entries are the block's keys and values, in order, for writing it
	// back into the file; empty values are left out.
	Entries() []Entry
	// Binds reports whether the channel called name posts to the chat
	// channel (id, chatName) of platform that a command came from.
	Binds(platform, id, chatName, name string) bool
	// Secrets are the URLs of the block whose path or query is secret.
	Secrets() []string
}

// EnvNeed is an environment variable a channel block needs.
type EnvNeed struct {
	// Var is the variable's name.
	Var string
	// Key is the block's key the need comes from; errors point at it.
	Key string
	// Why says what needs it ("posting as the bot").
	Why string
	// Hint says how else to do without it ("post with webhook_url").
	Hint string
}

// Entry is one key and value of a block written back into the file.
type Entry struct {
	Key, Value string
}

// SchemaFragment describes a receiver's block in the JSON Schema.
type SchemaFragment struct {
	// Definition names the block's definition in the schema
	// ("WebhookChannel").
	Definition string
	// Description describes the channel's key for the kind.
	Description string
	// Schema is the definition, a JSON object.
	Schema json.RawMessage
	// Examples are channel values in YAML that use the kind.
	Examples []string
}

// registry holds the receivers by kind. It is written only by init
// functions (through Register) and read afterwards.
var registry = struct {
	sync.RWMutex
	m map[string]Receiver
}{m: map[string]Receiver{}}

// Register makes a channel type known to the loader. It panics when the
// kind is empty or already registered; call it from an init function.
func Register(r Receiver) {
	registry.Lock()
	defer registry.Unlock()
	k := r.Kind()
	if k == "" {
		panic("config: Register: receiver with no kind")
	}
	if _, dup := registry.m[k]; dup {
		panic(fmt.Sprintf("config: Register: kind %q registered twice", k))
	}
	registry.m[k] = r
}

// Receivers returns the registered channel types, sorted by kind.
func Receivers() []Receiver {
	registry.RLock()
	defer registry.RUnlock()
	kinds := slices.Sorted(maps.Keys(registry.m))
	out := make([]Receiver, len(kinds))
	for i, k := range kinds {
		out[i] = registry.m[k]
	}
	return out
}

// ReceiverOf returns the receiver of kind.
func ReceiverOf(kind string) (Receiver, bool) {
	registry.RLock()
	defer registry.RUnlock()
	r, ok := registry.m[kind]
	return r, ok
}

// kinds lists the registered kinds, sorted.
func kinds() []string {
	rs := Receivers()
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Kind()
	}
	return out
}

// Block is a channel block being decoded: the receiver reads its keys
// through it, and problems are reported with the file's positions.
type Block struct {
	d    *decoder
	n    *yaml.Node
	path string
	fs   fields
}

// Path is the block's key path ("channels.ops.webhook").
func (b *Block) Path() string { return b.path }

// Fields checks that the block is a mapping whose keys are among known,
// reporting the others; ok is false when it is not a mapping.
func (b *Block) Fields(known ...string) (ok bool) {
	b.fs, ok = b.d.mapping(b.n, b.path, known...)
	return ok
}

// Has reports whether the block sets key.
func (b *Block) Has(key string) bool { return b.fs.get(key) != nil }

// Text decodes key as text, expanding ${NAME}; ok is false when key is
// absent, was reported, or holds a reference whose value is unknown.
func (b *Block) Text(key string) (string, bool) {
	return b.d.text(b.fs.get(key), b.key(key))
}

// URL decodes key as an http or https URL.
func (b *Block) URL(key string) string { return b.d.url(b.fs.get(key), b.key(key)) }

// Errorf reports a problem at key, or at the block when key is "" or
// absent.
func (b *Block) Errorf(key, format string, args ...any) {
	if n := b.fs.get(key); key != "" && n != nil {
		b.d.errorf(n, b.key(key), format, args...)
		return
	}
	b.d.errorf(b.n, b.path, format, args...)
}

// Warnf reports something that works but is likely a mistake at key (or
// at the block): check prints it with its position and still passes.
func (b *Block) Warnf(key, format string, args ...any) {
	if n := b.fs.get(key); key != "" && n != nil {
		b.d.warnf(n, b.key(key), format, args...)
		return
	}
	b.d.warnf(b.n, b.path, format, args...)
}

// Target checks that the block sets exactly one of its webhook and
// bot-channel keys, api_url only with the channel, and chat_channel
// only with the webhook.
func (b *Block) Target(webhook, channel string) {
	b.d.target(b.n, b.path, b.fs, webhook, channel)
}

func (b *Block) key(k string) string { return joinKey(b.path, k) }
