package match

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTermRunes bounds a term offered as an exclude: query.
const MaxTermRunes = 30

// ValidTerm reports whether s may be offered and added as an exclude:
// query on its own: 2 to MaxTermRunes letters or digits (and inner
// hyphens or dots), no spaces, quotes or query syntax.
func ValidTerm(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > MaxTermRunes {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case (r == '-' || r == '.') && i > 0 && i < len(s)-1:
		default:
			return false
		}
	}
	return !strings.EqualFold(s, "or")
}

// stopWords are headline words too common to be worth excluding.
var stopWords = map[string]bool{"속보": true, "단독": true, "종합": true, "포토": true, "사진": true, "영상": true, "the": true, "and": true, "for": true, "with": true}

// HeadlineTerms returns the words of a headline worth offering as
// exclude: terms, in order, each once (ignoring case): the ValidTerm words
// that are not common headline words such as 속보 or "the". The "Not
// relevant" button offers them, and reports suggest them.
func HeadlineTerms(title string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(title, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '.')
	}) {
		f = strings.Trim(f, "-.")
		k := strings.ToLower(f)
		if !ValidTerm(f) || seen[k] || stopWords[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}
