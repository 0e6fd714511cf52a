package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Platform is a chat platform that serves /news. Its package registers it
// with [RegisterPlatform] from an init function, as channel types register
// with [Register]; package config names no platform. A platform owns its
// list under admins: (admins.<name>), the environment rules of its
// command endpoints, and, if it is an [AppPlatform], a top-level block.
type Platform interface {
	// Name is the platform's key under admins: and the Platform of the
	// commands it receives.
	Name() string
	// AdminID checks one entry of admins.<name> (a user or role ID); a
	// non-nil error is reported at the entry, with its position.
	AdminID(id string) error
	// AdminSchema is the JSON Schema of one entry of admins.<name>.
	AdminSchema() json.RawMessage
	// CheckEnv reports, through e, what the watchlist needs from the
	// environment for the platform's commands and does not get.
	CheckEnv(c *Config, e *EnvCheck)
}

// AppPlatform is a [Platform] whose commands need a top-level block of
// the watchlist, keyed by the platform's name (the application that owns
// /news, say). The decoded value is in [Config.Apps].
type AppPlatform interface {
	Platform
	// DecodeApp reads the block, reporting every problem through b.
	DecodeApp(b *Block) any
	// AppSchema is the block's JSON Schema fragment.
	AppSchema() SchemaFragment
}

// platforms holds the registered platforms by name; written only by init
// functions.
var platforms = struct {
	sync.RWMutex
	m map[string]Platform
}{m: map[string]Platform{}}

// RegisterPlatform makes a chat platform known to the loader. It panics
// when the name is empty, already registered, or a top-level key of the
// watchlist; call it from an init function.
func RegisterPlatform(p Platform) {
	platforms.Lock()
	defer platforms.Unlock()
	n := p.Name()
	switch {
	case n == "":
		panic("config: RegisterPlatform: platform with no name")
	case slices.Contains(topKeys, n):
		panic(fmt.Sprintf("config: RegisterPlatform: %q is a top-level key of the watchlist", n))
	}
	if _, dup := platforms.m[n]; dup {
		panic(fmt.Sprintf("config: RegisterPlatform: platform %q registered twice", n))
	}
	platforms.m[n] = p
}

// Platforms returns the registered platforms, sorted by name.
func Platforms() []Platform {
	platforms.RLock()
	defer platforms.RUnlock()
	names := slices.Sorted(maps.Keys(platforms.m))
	out := make([]Platform, len(names))
	for i, n := range names {
		out[i] = platforms.m[n]
	}
	return out
}

// platformNames lists the registered platforms' names, sorted.
func platformNames() []string {
	ps := Platforms()
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name()
	}
	return out
}

// appKeys lists the top-level keys of the registered app platforms.
func appKeys() []string {
	var out []string
	for _, p := range Platforms() {
		if _, ok := p.(AppPlatform); ok {
			out = append(out, p.Name())
		}
	}
	return out
}

// Admins lists, by platform name, the user or role IDs that may use the
// editing commands; when every list is empty everyone may.
type Admins map[string][]string

// None reports whether no admin is listed.
func (a Admins) None() bool {
	for _, ids := range a {
		if len(ids) > 0 {
			return false
		}
	}
	return true
}

// Allows reports whether a user of platform, or one of the user's roles,
// is listed.
func (a Admins) Allows(platform, user string, roles []string) bool {
	ids := a[platform]
	if user != "" && slices.Contains(ids, user) {
		return true
	}
	for _, r := range roles {
		if r != "" && slices.Contains(ids, r) {
			return true
		}
	}
	return false
}

// admins decodes admins: one list per registered platform.
func (d *decoder) admins(c *Config, n *yaml.Node, path string) {
	af, _ := d.mapping(n, path, platformNames()...)
	if af == nil {
		return
	}
	for _, p := range Platforms() {
		key := joinKey(path, p.Name())
		n := af.get(p.Name())
		if n == nil {
			continue
		}
		ids := []string{}
		for _, it := range d.textItems(n, key) {
			if !it.ok {
				continue
			}
			if it.text == "" {
				d.errorf(it.node, it.path, "ID is empty")
				continue
			}
			if err := p.AdminID(it.text); err != nil {
				d.errorf(it.node, it.path, "%v", err)
				continue
			}
			ids = append(ids, it.text)
		}
		if c.Admins == nil {
			c.Admins = Admins{}
		}
		c.Admins[p.Name()] = ids
	}
}

// apps decodes the top-level blocks of the registered app platforms.
func (d *decoder) apps(c *Config, top fields) {
	for _, p := range Platforms() {
		ap, ok := p.(AppPlatform)
		if !ok {
			continue
		}
		n := top.get(p.Name())
		if n == nil || resolve(n) == nil {
			continue
		}
		v := ap.DecodeApp(&Block{d: d, n: n, path: p.Name()})
		if v == nil {
			continue
		}
		if c.Apps == nil {
			c.Apps = map[string]any{}
		}
		c.Apps[p.Name()] = v
	}
}

// EnvCheck is what a [Platform] checks the environment with: it reads
// variables as [Validate] was given them and reports problems with the
// watchlist's positions.
type EnvCheck struct {
	d *decoder
	c *Config
}

// Lookup returns a variable's value; a value of only spaces is not set.
func (e *EnvCheck) Lookup(name string) (string, bool) {
	v, ok := e.d.env.lookup(name)
	if !ok || strings.TrimSpace(v) == "" {
		return "", false
	}
	return v, true
}

// Has reports whether a variable is set to something other than spaces.
func (e *EnvCheck) Has(name string) bool { return e.d.env.has(name) }

// Listen reports whether the watchlist serves HTTP (server.listen).
func (e *EnvCheck) Listen() bool { return e.c.Server.Listen != "" }

// ErrorAt reports a problem with variable at the value at path (a key
// path such as "server.listen"); the error's Var names the variable.
func (e *EnvCheck) ErrorAt(path, variable, format string, args ...any) {
	e.d.envErrorAt(path, variable, format, args...)
}

// Unserved warns that variable is set for an HTTP endpoint that is not
// served because server.listen is not set.
func (e *EnvCheck) Unserved(variable, endpoint string) {
	e.d.envWarn(variable, endpoint)
}
