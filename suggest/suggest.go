// Package suggest finds the known word a mistyped one was probably meant
// to be, for "did you mean …" answers from the CLI and the /news command.
package suggest

import (
	"strings"
	"unicode/utf8"
)

// Closest returns the candidate nearest to word by edit distance (in runes,
// case-insensitive), and false when none is near enough: at most one edit
// for words of up to four runes, two up to eight, three beyond. A
// candidate that starts with word (an abbreviation) also counts. Ties go
// to the earlier candidate.
func Closest(word string, candidates []string) (string, bool) {
	w := strings.ToLower(word)
	n := utf8.RuneCountInString(w)
	if n == 0 {
		return "", false
	}
	limit := 1
	switch {
	case n > 8:
		limit = 3
	case n > 4:
		limit = 2
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if lc == w {
			return c, true
		}
		d := distance(w, lc)
		if n >= 3 && strings.HasPrefix(lc, w) && d > 0 {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD <= limit
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
