package suggest

import "testing"

func TestClosest(t *testing.T) {
	t.Parallel()
	words := []string{"run", "check", "fetch", "match", "status", "feeds", "version", "ai-policy", "chips", "추가", "목록"}
	for _, c := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"ai-policyy", "ai-policy", true},
		{"AI-Policy", "ai-policy", true},
		{"chekc", "check", true},
		{"stat", "status", true},
		{"fech", "fetch", true},
		{"runn", "run", true},
		{"추기", "추가", true},
		{"목륵", "목록", true},
		{"deploy", "", false},
		{"x", "", false},
		{"", "", false},
		{"versoin", "version", true},
	} {
		got, ok := Closest(c.in, words)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("Closest(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
