package digest

import (
	"math/bits"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// MaxDistance is the largest Hamming distance between two Signatures that
// Similar accepts. It was chosen on testdata/story_pairs.tsv (labelled
// headline pairs): see TestStoryPairs for the precision and recall table.
const MaxDistance = 16

var (
	// bracketTag matches section and wire tags: [속보], [단독], [포토],
	// [어저께TV], 【…】, 〔…〕.
	bracketTag = regexp.MustCompile(`\[[^\[\]]{1,24}\]|【[^【】]{1,24}】|〔[^〔〕]{1,24}〕`)
	// wireMarker matches update markers: (종합), (2보), (종합2보), (LEAD).
	wireMarker = regexp.MustCompile(`(?i)\(\s*(?:종합\s*\d*\s*보?|\d+\s*보|상보|속보|단독|포토|사진|영상|lead|update\s*\d*|urgent|corrected)\s*\)`)
	// sourceSuffix matches a trailing " - Publisher" (Google News) or
	// " | 뉴스1".
	sourceSuffix = regexp.MustCompile(`\s+[-|–—]\s+([^-|–—]+)$`)
	// hanja spells out the one-character Hanja abbreviations of Korean
	// headlines (北 for 북한, 尹 for 윤 대통령) with their Hangul reading.
	hanja = strings.NewReplacer(
		"北", "북", "南", "남", "美", "미", "中", "중", "日", "일", "韓", "한", "英", "영", "佛", "불",
		"獨", "독", "露", "러", "與", "여", "野", "야", "尹", "윤", "文", "문", "李", "이", "朴", "박",
		"姜", "강", "靑", "청", "軍", "군", "故", "고", "前", "전", "新", "신", "父", "부", "女", "여",
		"年", "년", "行", "행", "外", "외",
	)
)

// Normalize reduces a headline to the text its Signature is computed on:
// NFKC, wire tags and a trailing publisher removed, Hanja abbreviations
// read in Hangul, case folded, and only letters and digits kept (Korean
// spacing and punctuation vary between outlets).
func Normalize(title string) string {
	s := norm.NFKC.String(title)
	s = bracketTag.ReplaceAllString(s, " ")
	s = wireMarker.ReplaceAllString(s, " ")
	if m := sourceSuffix.FindStringSubmatchIndex(s); m != nil {
		// Only a tail shorter than the headline is a publisher name, so
		// "오늘의 부고 - 2022년 8월 1일" keeps its date.
		tail := utf8.RuneCountInString(s[m[2]:m[3]])
		if tail <= 30 && tail < utf8.RuneCountInString(s[:m[0]]) {
			s = s[:m[0]]
		}
	}
	s = cases.Fold().String(hanja.Replace(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return r
		}
		return -1
	}, s)
}

// Signature is a 64-bit SimHash of a headline's normalized text over
// rune bigrams and trigrams. Near-duplicate headlines (the same wire
// story from several outlets) get signatures a few bits apart. A title
// with no letters or digits has signature 0, which is similar to
// nothing. The value is stored (store.Delivery.Story), so the algorithm
// must not change without a migration.
func Signature(title string) uint64 {
	feats := shingles(Normalize(title))
	if len(feats) == 0 {
		return 0
	}
	var v [64]int
	for h, w := range feats {
		for i := range v {
			if h>>i&1 == 1 {
				v[i] += w
			} else {
				v[i] -= w
			}
		}
	}
	var sig uint64
	for i, x := range v {
		if x > 0 {
			sig |= 1 << i
		}
	}
	if sig == 0 {
		return 1 // 0 means "no signature"
	}
	return sig
}

// Similar reports whether two signatures are near enough to be the same
// story. A zero signature is similar to nothing.
func Similar(a, b uint64) bool {
	return a != 0 && b != 0 && bits.OnesCount64(a^b) <= MaxDistance
}

// shingles hashes the rune bigrams and trigrams of s with their counts; a
// text shorter than two runes is one feature.
func shingles(s string) map[uint64]int {
	rs := []rune(s)
	out := map[uint64]int{}
	if len(rs) == 1 {
		out[hashRunes(rs)]++
	}
	for _, k := range []int{2, 3} {
		for i := 0; i+k <= len(rs); i++ {
			out[hashRunes(rs[i:i+k])+uint64(k)]++
		}
	}
	return out
}

// hashRunes is FNV-1a over the runes followed by the SplitMix64 finalizer,
// so short inputs still spread over all 64 bits.
func hashRunes(rs []rune) uint64 {
	h := uint64(14695981039346656037)
	for _, r := range rs {
		h ^= uint64(r)
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
