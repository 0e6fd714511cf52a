package match

import (
	"slices"
	"strings"
	"testing"
)

func TestHeadlineTerms(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		title string
		want  []string
	}{
		{"[속보] 삼성전자, HBM 공급 계약 체결", []string{"삼성전자", "HBM", "공급", "계약", "체결"}},
		{"The AI race and the chips: AI-칩 3.5배", []string{"AI", "race", "chips", "AI-칩", "3.5배"}},
		{"“트럼프” '관세' 트럼프 -- 가 …", []string{"트럼프", "관세"}},
		{"", nil},
	} {
		if got := HeadlineTerms(c.title); !slices.Equal(got, c.want) {
			t.Errorf("HeadlineTerms(%q) = %q, want %q", c.title, got, c.want)
		}
	}
}

func TestValidTerm(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"삼성전자", "SK-하이닉스", "3.5배", "AI"} {
		if !ValidTerm(s) {
			t.Errorf("ValidTerm(%q) = false", s)
		}
	}
	for _, s := range []string{"", "가", "-x", "x-", "two words", `"q"`, "OR", "or", strings.Repeat("가", MaxTermRunes+1)} {
		if ValidTerm(s) {
			t.Errorf("ValidTerm(%q) = true", s)
		}
	}
}
