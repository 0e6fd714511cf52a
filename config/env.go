package config

import (
	"strings"
	"time"
)

// MinDigestEvery is the shortest digest interval (digest: {every: …}).
const MinDigestEvery = time.Minute

// Env is the environment a watchlist is validated in.
type Env struct {
	// Lookup returns an environment variable's value and whether it is set;
	// nil means no variable is set. It is used for ${NAME} and for the
	// variables the channels and commands need.
	Lookup func(string) (string, bool)
	// Skip checks the file without its environment, for CI jobs that hold
	// no secrets: ${NAME} is checked for its syntax only (a value holding
	// one is not checked further), and the variables the channels and
	// commands need are not required. Lookup is not called.
	Skip bool
}

func (e Env) lookup(name string) (string, bool) {
	if e.Lookup == nil || e.Skip {
		return "", false
	}
	return e.Lookup(name)
}

// has reports whether variable name is set to something other than spaces.
func (e Env) has(name string) bool {
	v, ok := e.lookup(name)
	return ok && strings.TrimSpace(v) != ""
}

// state says why variable name cannot be used: "is not set" or "is empty".
func (e Env) state(name string) string {
	if _, ok := e.lookup(name); ok {
		return "is empty"
	}
	return "is not set"
}

// Validate decodes and checks a watchlist as the bot runs it: the file's
// own rules (see [Parse]) and, unless env.Skip is set, the rules that need
// the environment:
//
//   - each channel block needs the variables its type asks for
//     ([Settings.Needs]; posting as the bot needs its token);
//   - each chat platform's commands need what its package says
//     ([Platform.CheckEnv]: a token, or a key with server.listen).
//
// `check`, `run`, reloads and chat edits all validate through this
// function, so a file one accepts the others accept. An error about a
// variable names it in its message and in [Error.Var].
func Validate(name string, data []byte, env Env) (*Config, error) {
	return parse(name, data, env, !env.Skip)
}

// checkEnv reports what c needs from the environment and does not get.
func (d *decoder) checkEnv(c *Config) {
	for _, name := range c.ChannelOrder {
		ch := c.Channels[name]
		cp := joinKey("channels", name)
		if ch.Settings == nil {
			continue
		}
		for _, need := range ch.Settings.Needs() {
			if d.env.has(need.Var) {
				continue
			}
			d.envErrorAt(joinKey(joinKey(cp, ch.Kind), need.Key), need.Var,
				"%s needs the environment variable %s, which %s (set it, or %s)", need.Why, need.Var, d.env.state(need.Var), need.Hint)
			break
		}
	}
	e := &EnvCheck{d: d, c: c}
	for _, p := range Platforms() {
		p.CheckEnv(c, e)
	}
}

// envErrorAt reports a problem with variable at the value at path.
func (d *decoder) envErrorAt(path, variable, format string, args ...any) {
	d.errorAt(path, format, args...)
	d.errs[len(d.errs)-1].Var = variable
}

// envWarn warns that variable is set for an endpoint nothing serves.
func (d *decoder) envWarn(variable, endpoint string) {
	n := d.root
	if top := resolve(d.root); top != nil {
		n = top
	}
	d.warnf(n, "server.listen", "the environment variable %s is set but server.listen is not, so %s is not served", variable, endpoint)
	d.warns[len(d.warns)-1].Var = variable
}
