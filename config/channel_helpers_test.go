package config

// testBlock is a channel block given by its entries, for AddChannel in
// tests that cannot import the channel types' packages.
type testBlock []Entry

func (b testBlock) Needs() []EnvNeed             { return nil }
func (b testBlock) Entries() []Entry             { return b }
func (b testBlock) Binds(_, _, _, _ string) bool { return false }
func (b testBlock) Secrets() []string            { return nil }

// block returns a channel of kind whose block sets the keys and values
// kv (key, value, key, value, …).
func block(kind string, kv ...string) Channel {
	var b testBlock
	for i := 0; i+1 < len(kv); i += 2 {
		b = append(b, Entry{Key: kv[i], Value: kv[i+1]})
	}
	return Channel{Kind: kind, Settings: b}
}

// blockOf returns ch's kind and the keys its block sets to something
// other than "", as the channel type writes them back.
func blockOf(ch Channel) map[string]string {
	m := map[string]string{"": ch.Kind}
	if ch.Settings == nil {
		return m
	}
	for _, e := range ch.Settings.Entries() {
		if e.Value != "" {
			m[e.Key] = e.Value
		}
	}
	return m
}

// value returns the value of key in ch's block ("" when unset).
func value(ch Channel, key string) string { return blockOf(ch)[key] }
