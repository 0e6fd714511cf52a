package digest

import (
	"cmp"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/newshound/newshound/feeds"
)

// MaxDistance is the largest Hamming distance between two Signatures of
// the same story. It was chosen on testdata/story_pairs.tsv (labelled
// headline pairs): see TestStoryPairs for the precision and recall table.
const MaxDistance = 16

var (
	// wireMarker matches update markers: (종합), (2보), (종합2보), (LEAD).
	wireMarker = regexp.MustCompile(`(?i)\(\s*(?:종합\s*\d*\s*보?|\d+\s*보|상보|속보|단독|포토|사진|영상|lead|update\s*\d*|urgent|corrected)\s*\)`)
)

// Normalize reduces a headline to the text its Signature is computed on:
// NFKC, wire tags and a trailing publisher removed, Hanja abbreviations
// read in Hangul, case folded, and only letters and digits kept (Korean
// spacing and punctuation vary between outlets).
func Normalize(title string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return r
		}
		return -1
	}, clean(title))
}

// clean is Normalize without the last step: spaces and punctuation are
// kept, so Headline.Same can still see word and number boundaries. The
// regular expressions only run when their opening character is present:
// they are most of the cost of a title.
func clean(title string) string {
	s := norm.NFKC.String(title)
	s = cutTags(s)
	if strings.Contains(s, "(") {
		s = wireMarker.ReplaceAllString(s, " ")
	}
	s = cutSource(s)
	return cases.Fold().String(readHanja(dayCounts.Replace(s)))
}

// tagPairs are the brackets of section and wire tags: [속보], [단독],
// [포토], [어저께TV], 【…】, 〔…〕.
var tagPairs = [...][2]rune{{'[', ']'}, {'【', '】'}, {'〔', '〕'}}

// cutTags replaces each tag (an opening bracket, 1 to 24 characters
// other than that pair's brackets, the closing bracket) with a space.
func cutTags(s string) string {
	if !strings.ContainsAny(s, "[【〔") {
		return s
	}
	var b strings.Builder
	last := 0 // s[last:] is not copied yet
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if end := tagEnd(s[i+w:], r); end > 0 {
			b.WriteString(s[last:i])
			b.WriteByte(' ')
			i += w + end
			last = i
			continue
		}
		i += w
	}
	b.WriteString(s[last:])
	return b.String()
}

// tagEnd returns the length of the rest of a tag opened by r (its text
// and closing bracket) at the start of s, or 0 when there is none.
func tagEnd(s string, r rune) int {
	for _, p := range tagPairs {
		if r != p[0] {
			continue
		}
		n := 0
		for i, c := range s {
			switch {
			case c == p[1] && n > 0:
				return i + utf8.RuneLen(c)
			case c == p[0] || c == p[1] || n == 24:
				return 0
			}
			n++
		}
		return 0
	}
	return 0
}

// cutSource removes a trailing " - Publisher" (Google News) or " | 뉴스1":
// a separator with ASCII space on both sides, followed by no other
// separator. Only a tail shorter than the headline is a publisher name,
// so "오늘의 부고 - 2022년 8월 1일" keeps its date.
func cutSource(s string) string {
	i := strings.LastIndexAny(s, "-|–—")
	if i < 0 {
		return s
	}
	start := i
	for start > 0 && isSpace(s[start-1]) {
		start--
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	rest := s[i+w:]
	j := 0
	for j < len(rest) && isSpace(rest[j]) {
		j++
	}
	if j == len(rest) {
		j-- // the publisher is at least one character
	}
	if start == i || j < 1 {
		return s
	}
	if r, _ := utf8.DecodeRuneInString(rest[j:]); unicode.IsDigit(r) || unicode.Is(unicode.No, r) {
		return s // "설명서 – ②확장 재정": a part of a series, not a publisher
	}
	tail := utf8.RuneCountInString(rest[j:])
	if tail <= 30 && tail < utf8.RuneCountInString(s[:start]) {
		return s[:start]
	}
	return s
}

// isSpace is the ASCII white space of the regular expression \s.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// Signature is a 64-bit SimHash of a headline's normalized text over
// rune bigrams and trigrams. Near-duplicate headlines (the same wire
// story from several outlets) get signatures a few bits apart. A title
// with no letters or digits has signature 0, which is similar to
// nothing. It is the baseline the story tests compare Headline.Same
// with; nothing stores it.
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
	return mix(h)
}

// mix is the SplitMix64 finalizer.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// Thresholds of Headline.Same, chosen on testdata/story_pairs.tsv (see
// TestSameStoryPairs for the table) and checked against the background
// rate over real headlines (TestBackgroundMergeRate).
const (
	// minContainment is the least share of the shorter title's shingles
	// that the other title must have.
	minContainment = 0.55
	// minJaccard is the least share of all shingles the titles must have
	// in common, so a short generic title is not the same story as every
	// longer title that contains it.
	minJaccard = 0.3
	// minShingles is the number of shingles below which a title must
	// match the other exactly: a few shingles say too little.
	minShingles = 6
)

// Headline is a title prepared for Headline.Same: its shingles (pairs of
// adjacent units, a unit being a Hangul, Han or Kana character or a word
// of other letters and digits) and its numbers with their units. Parse
// titles once with NewHeadline when one is compared with many.
type Headline struct {
	shingles []uint64 // sorted, distinct
	numbers  []number // sorted
	// piece is set for a column, an editorial or a photo ([사설],
	// [정동칼럼], [포토]): a piece of its own, the same story only as an
	// exact copy.
	piece bool
}

// pieceTag matches the section tags of opinion pieces and photos.
var pieceTag = regexp.MustCompile(`[\[【〔<]\s*[^\]】〕>]{0,20}(?:칼럼|사설|시론|기고|논단|여적|오피니언|세상읽기|기자수첩|데스크|포토|사진|화보|column|opinion|editorial|photo)[^\]】〕>]{0,20}[\]】〕>]`)

// circled are the circled numbers of a series' parts (①, ②): read as
// "N편", so two parts are told apart by their number.
var circled = strings.NewReplacer("①", " 1편 ", "②", " 2편 ", "③", " 3편 ", "④", " 4편 ", "⑤", " 5편 ", "⑥", " 6편 ", "⑦", " 7편 ", "⑧", " 8편 ", "⑨", " 9편 ", "⑩", " 10편 ")

// number is a figure of a title: a run of digits with the magnitudes
// and digits that continue it ("7만8743", "540만 964"), and the unit that
// follows it ("명", "곳", "billion"); unit 0 is none. whole is the value's
// integer part when it has decimals ("17" of "17.2"), else 0.
type number struct{ unit, value, whole uint64 }

// magnitudes are the Korean numerals that continue a figure: 7만8743명,
// 130억3200만원, 3천명.
var magnitudes = map[uint64]bool{hashRunes([]rune("만")): true, hashRunes([]rune("억")): true, hashRunes([]rune("조")): true, hashRunes([]rune("천")): true}

// NewHeadline prepares a title for Headline.Same.
func NewHeadline(title string) Headline {
	h, _ := newHeadline(title)
	return h
}

// newHeadline is NewHeadline that also returns the title's units.
func newHeadline(title string) (Headline, []textUnit) {
	us := textUnits(titleText(title))
	h := Headline{shingles: shingleSet(withoutDates(us)), numbers: figures(us), piece: pieceTag.MatchString(strings.ToLower(title))}
	slices.SortFunc(h.numbers, compareNumbers)
	return h, us
}

// compareNumbers orders numbers by unit, then value.
func compareNumbers(a, b number) int {
	return cmp.Or(cmp.Compare(a.unit, b.unit), cmp.Compare(a.value, b.value))
}

// amounts returns the numbers that are not dates or times of day: the
// counts, amounts and spans that tell what happened.
func amounts(ns []number) []number {
	var out []number
	for _, n := range ns {
		if !timeUnits[n.unit] {
			out = append(out, n)
		}
	}
	return out
}

// sharedFigures counts the figures of each title (not dates or times)
// that the other item gives too, in its title or lead, up to max.
func sharedFigures(s, o *Story, max int) int {
	n := givenIn(s.numbers, o.figures, max)
	return n + givenIn(o.numbers, s.figures, max-n)
}

// zero is the value of the figure 0: "0명" says that nothing happened,
// again and again in a daily count, not which event it was.
var zero = hashRunes([]rune("0"))

// givenIn counts the numbers of title, other than dates, times and zero,
// that figures has, up to max.
func givenIn(title, figures []number, max int) int {
	n := 0
	for _, x := range title {
		if n == max {
			break
		}
		if _, ok := slices.BinarySearchFunc(figures, x, compareNumbers); ok && !timeUnits[x.unit] && x.value != zero {
			n++
		}
	}
	return n
}

// titleText is the text of a title that Headline reads its units from.
func titleText(title string) string {
	return clean(circled.Replace(title))
}

// figures reads the numbers of a title's units. Digits written onto a
// Hangul or Han character ("코로나19") are part of a name, not a figure. A
// time unit followed by a mark of a span ("8년 만에", "3일 연속", "4일째",
// "13시간") makes a length of time, not a date: another unit.
func figures(us []textUnit) []number {
	var out []number
	for i := 0; i < len(us); i++ {
		if !us[i].digits || us[i].glued {
			continue
		}
		n := number{value: us[i].hash, whole: us[i].whole}
		j := i + 1
		for j < len(us) && us[j].joined && magnitudes[us[j].hash] {
			n.value, n.whole = mix(n.value*31+us[j].hash), 0
			j++
			if j < len(us) && us[j].digits && us[j].joined {
				n.value = mix(n.value*31 + us[j].hash)
				j++
			}
		}
		if j < len(us) && !us[j].digits && us[j].joined {
			n.unit = us[j].hash
			if timeUnits[n.unit] && j+1 < len(us) && us[j+1].joined && spanMarks[us[j+1].hash] {
				n.unit = mix(n.unit + 1) // a span, counted like other amounts
			} else if end := spanEnd(us, j+1); timeUnits[n.unit] && end > 0 {
				// "24년 5개월 만에": a span in two parts is one figure, its
				// largest part, as another outlet rounds it ("24년 만에").
				n.unit = mix(n.unit + 1)
				j = end - 1
			}
		}
		out = append(out, n)
		i = j - 1
	}
	return out
}

// spanEnd returns the end of the smaller parts of a span that continue
// at us[i] ("5개월 만에" of "24년 5개월 만에", "30분간" of "9시간 30분간"):
// digits and their unit, up to a span mark; 0 when the units there are
// not that (a date, "2022년 8월 1일", has no span mark).
func spanEnd(us []textUnit, i int) int {
	if i >= len(us) || !us[i].digits || !us[i].joined {
		return 0
	}
	for k := i + 1; k < len(us) && k <= i+3 && us[k].joined && !us[k].digits; k++ {
		if spanMarks[us[k].hash] && k > i+1 {
			return k
		}
	}
	return 0
}

// textUnit is a Hangul, Han or Kana character or a word of other letters
// and digits of a cleaned text.
type textUnit struct {
	hash   uint64
	whole  uint64 // for digits with a decimal point ("17.2"): the hash of the integer part
	digits bool   // only digits
	joined bool   // follows the previous unit without punctuation
	glued  bool   // digits written right after a Hangul or Han character, with no space
	first  bool   // begins a word: follows a space, punctuation or nothing
}

// textUnits splits a cleaned text into its units.
func textUnits(s string) []textUnit {
	var units []textUnit
	var word []rune
	joined, glued, point, first := true, false, 0, true
	flush := func() {
		if len(word) == 0 {
			return
		}
		digits := true
		for _, r := range word {
			digits = digits && r >= '0' && r <= '9'
		}
		u := textUnit{hash: hashRunes(word), digits: digits, joined: joined, glued: glued && digits, first: first}
		if digits && point > 0 {
			u.whole = hashRunes(word[:point])
		}
		units = append(units, u)
		word, joined, glued, point = word[:0], true, false, 0
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case isCJK(r):
			flush()
			first = i == 0 || !isLetterOrDigit(rs[i-1])
			units = append(units, textUnit{hash: hashRunes(rs[i : i+1]), joined: joined, first: first})
			joined = true
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if len(word) == 0 {
				// "코로나19" but not "7월4일"
				glued = i > 0 && isCJK(rs[i-1]) && (i < 2 || !unicode.IsDigit(rs[i-2]))
				first = i == 0 || !isLetterOrDigit(rs[i-1])
			}
			word = append(word, r)
		case strings.ContainsRune(".,'’", r) && len(word) > 0 && i+1 < len(rs) && isWordRune(rs[i+1]):
			// "U.S.", "1,800", "5.47": one word.
			if r == '.' && point == 0 {
				point = len(word)
			}
		default:
			flush()
			joined = joined && r == ' '
		}
	}
	flush()
	return units
}

// isLetterOrDigit reports whether r is a letter or a digit.
func isLetterOrDigit(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// isCJK reports whether r is a Hangul, Han or Kana character: each is a
// unit of its own.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Hangul, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// dateUnits are the units that make a number a date: 2022년 8월 1일.
var dateUnits = map[uint64]bool{hashRunes([]rune("년")): true, hashRunes([]rune("월")): true, hashRunes([]rune("일")): true}

// spanMarks follow a time unit that counts a length of time: 8년 만에,
// 3일 연속, 4일째, 13시간, 5년간, 4년여, 3년 동안.
var spanMarks = map[uint64]bool{
	hashRunes([]rune("만")): true, hashRunes([]rune("연")): true, hashRunes([]rune("째")): true,
	hashRunes([]rune("간")): true, hashRunes([]rune("여")): true, hashRunes([]rune("동")): true,
}

// timeUnits are the units of dates and times (2022년 8월 1일, 3주차,
// 오후 9시 30분): numbers that tell the editions of a series apart.
var timeUnits = map[uint64]bool{
	hashRunes([]rune("년")): true, hashRunes([]rune("월")): true, hashRunes([]rune("일")): true,
	hashRunes([]rune("주")): true, hashRunes([]rune("시")): true, hashRunes([]rune("분")): true,
}

// withoutDates drops the dates from a title's units ("오늘의 인사 - 2022년
// 8월 1일"): a date says when, not what, and the daily columns of one
// day share it. The numbers of a title are read before, so a date still
// tells two days' counts apart.
func withoutDates(us []textUnit) []textUnit {
	out := make([]textUnit, 0, len(us))
	for i := 0; i < len(us); i++ {
		if us[i].digits && i+1 < len(us) && us[i+1].joined && dateUnits[us[i+1].hash] {
			i++
			continue
		}
		out = append(out, us[i])
	}
	return out
}

// shingleSet returns the sorted, distinct pairs of adjacent units (a
// single unit is its own shingle).
func shingleSet(units []textUnit) []uint64 {
	var out []uint64
	if len(units) == 1 {
		out = []uint64{units[0].hash}
	}
	for i := 0; i+1 < len(units); i++ {
		out = append(out, mix(units[i].hash*31+units[i+1].hash))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// isWordRune reports whether r continues a word of other letters and
// digits.
func isWordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsNumber(r)) && !isCJK(r)
}

// Same reports whether h and o report the same story: a rewording by
// another outlet, or the same wire copy with other tags, spacing, quotes
// or a few words added. It compares the
// shingle sets: the shorter title must share at least minContainment of
// its shingles with the other and both minJaccard of their union; a title
// with fewer than minShingles shingles must have exactly the other's. A
// number given with the same unit in both titles but with no value in
// common ("3곳" and "5곳", "7만8743명" and "8만5320명") makes them different
// stories: daily counts and series repeat the rest of the headline. A
// title without letters or digits is the same as nothing.
func (h Headline) Same(o Headline) bool {
	return h.sameAt(o, minContainment, minJaccard, minShingles)
}

// sameAt is Same with the thresholds as arguments, for the table in the
// tests.
func (h Headline) sameAt(o Headline, containment, jaccard float64, short int) bool {
	la, lb := len(h.shingles), len(o.shingles)
	if la == 0 || lb == 0 || numbersDiffer(h.numbers, o.numbers) {
		return false
	}
	inter := intersect(h.shingles, o.shingles)
	if min(la, lb) < short || h.piece || o.piece {
		return inter == la && inter == lb
	}
	return float64(inter) >= containment*float64(min(la, lb)) &&
		float64(inter) >= jaccard*float64(la+lb-inter)
}

// numbersDiffer reports whether two titles give different figures for
// one thing: some unit has numbers in both lists but no value in common
// (a value with decimals matches its integer part: outlets round).
// Different counts or amounts are forgiven when the titles share another
// figure that is not a date, a time or zero: they report the same numbers,
// one of them counted another way ("4% 돌파…8년 만에" and "4% 돌파…9년4개월만에");
// different dates or times never are. Both lists are sorted by unit, then
// value.
func numbersDiffer(a, b []number) bool {
	differ, common := false, false
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].unit < b[j].unit:
			i++
		case a[i].unit > b[j].unit:
			j++
		default:
			u, match := a[i].unit, false
			ie, je := i, j
			for ie < len(a) && a[ie].unit == u {
				ie++
			}
			for je < len(b) && b[je].unit == u {
				je++
			}
			for _, x := range a[i:ie] {
				for _, y := range b[j:je] {
					match = match || x.value == y.value || x.whole == y.value || y.whole == x.value
					common = common || (x.value == y.value && !timeUnits[u] && x.value != zero)
				}
			}
			if !match && timeUnits[u] {
				return true
			}
			differ = differ || !match
			i, j = ie, je
		}
	}
	return differ && !common
}

// intersect counts the values two sorted, distinct lists share.
func intersect(a, b []uint64) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// LeadRunes bounds how much of an item's text (its summary, else its
// body) Story compares: its first sentence (feeds.Snippet), where outlets
// say what happened, at most LeadRunes runes.
const LeadRunes = 300

// Weights and thresholds of Story.Same's score, fitted on both labelled
// sets (testdata/story_pairs.tsv and testdata/story_pairs2.tsv) for the
// highest recall at precision 0.98 on each, and checked by 5-fold
// cross-validation over the two sets pooled (see TestStoryRecall for the
// tables), under the background ceiling of TestStoryBackgroundMergeRate.
const (
	// MaxApart is the longest time between two reports of one story:
	// the same words a day and a half later are most often the next
	// day's count, the next game or the next step of an affair.
	MaxApart = 36 * time.Hour
	// leadWeight is the weight in the score of the likeness of the two
	// items' titles and leads together.
	leadWeight = 0.1
	// timeWeight is what MaxApart between the two items takes off the
	// score; less time, proportionally less.
	timeWeight = 0.5
	// figureWeight is what each figure of one title that the other item
	// gives too (a count, an amount or a span, not a date) adds to the
	// score, for at most maxSharedFigures figures: "40명 사망", "28%" and
	// "7타점" in both items are most often one event told twice.
	figureWeight     = 0.1
	maxSharedFigures = 2
	// minScoredShingles is the number of shingles below which a title is
	// the same story only as an exact copy: in a title of a few words a
	// name and one word in common ("트럼프, 새 관세 발표" and "트럼프, 관세
	// 유예") are most of it.
	minScoredShingles = 8
	// minScore is the least score of the same story when either item
	// has a lead. Two items with no lead are held to minScore plus
	// leadWeight (see scoreWeights.floor).
	minScore = 0.35
)

// Story is an item prepared for Story.Same: its Headline, the shingles
// of its title and lead together and of each word of its title, its link
// and its publication time. Prepare items once with NewStory when one is
// compared with many.
type Story struct {
	Headline
	doc       []uint64   // shingles of the title and the lead, sorted and distinct
	words     [][]uint64 // shingles of each word of the title of two units or more
	lead      bool       // the item has a lead
	figures   []number   // figures of the title and the lead, sorted, other than dates and times
	link      string     // canonical link, "" when none
	published time.Time
}

// NewStory prepares an item for Story.Same. lead is the item's summary
// or body (only its first sentence is used, at most LeadRunes runes),
// link its address, published its date (zero when unknown). Any of them
// may be empty.
func NewStory(title, lead, link string, published time.Time) Story {
	h, us := newHeadline(title)
	s := Story{Headline: h, words: titleWords(withoutDates(us)), link: canonicalLink(link), published: published}
	s.doc = h.shingles
	s.figures = amounts(h.numbers)
	if lead = leadText(lead); lead != "" {
		lus := textUnits(lead)
		s.lead = true
		s.doc = union(h.shingles, shingleSet(withoutDates(lus)))
		s.figures = append(s.figures, amounts(figures(lus))...)
		slices.SortFunc(s.figures, compareNumbers)
	}
	return s
}

// leadText is the part of a lead Story compares: its first sentence, at
// most LeadRunes runes, NFKC, Hanja abbreviations read in Hangul, case
// folded; "" when it has no text.
func leadText(lead string) string {
	if lead = feeds.Snippet(lead, 0, LeadRunes); lead == "" {
		return ""
	}
	return cases.Fold().String(readHanja(dayCounts.Replace(norm.NFKC.String(lead))))
}

// Same reports whether s and o report the same story. Two items with the
// same link are. Items published more than MaxApart apart are not (when
// both dates are known), nor titles that give different figures for one
// thing (see numbersDiffer). Titles of fewer than minScoredShingles
// shingles, opinion pieces and photos are the same story only as exact
// copies. Otherwise the items are scored:
//
//   - the harmonic mean of the shares of each title's shingles found in
//     the other item's title and lead (a reworded headline keeps the words
//     the other outlet put in its lead),
//   - plus leadWeight times the likeness (cosine) of the two items' titles
//     and leads when both have a lead,
//   - plus figureWeight for each figure (not a date or time) of one title
//     that the other item gives too, for at most maxSharedFigures,
//   - minus timeWeight times the time between them as a share of MaxApart,
//
// and items that score at least minScore are the same story (minScore
// plus leadWeight when neither item has a lead: two titles alone are
// weaker evidence than a title found in the other item's lead, and the
// score of such a pair has no lead term), unless both
// titles have two words or more (of two units or more) and neither has
// two of them mostly found in the other item: one long name in common,
// such as the phrase every item of a watch matches ("AI국가안보각서"), is
// not a story in common.
func (s Story) Same(o Story) bool {
	w := scoreWeights{lead: leadWeight, time: timeWeight, min: minScore}
	floor := w.floor(s, o)
	return s.score(o, w, floor) >= floor
}

// scoreWeights are the weights and threshold of Story.Same's score.
type scoreWeights struct{ lead, time, min float64 }

// floor is the least score of s and o as the same story: min, or min plus
// the lead weight when neither item has a lead. Then only the two titles
// were compared (with a lead, a title is also looked for in the other
// item's lead) and the title must make up for the lead term the pair
// cannot have: headlines of one topic ("트럼프 방위비 압박…" and "트럼프
// \"동맹도 방위비 더 내야\"") share much of their few words.
func (w scoreWeights) floor(s, o Story) float64 {
	if !s.lead && !o.lead {
		return w.min + w.lead
	}
	return w.min
}

// score is Story.Same's score of s and o with the given weights: 2 when
// the links are the same, 1 for exact copies of short titles and pieces,
// -1 when the rules keep the items apart. A score that cannot reach floor may be
// returned lower than it is (the leads are not compared).
func (s Story) score(o Story, w scoreWeights, floor float64) float64 {
	if s.link != "" && s.link == o.link {
		return 2
	}
	var apart time.Duration
	if !s.published.IsZero() && !o.published.IsZero() {
		if apart = s.published.Sub(o.published).Abs(); apart > MaxApart {
			return -1
		}
	}
	if min(len(s.shingles), len(o.shingles)) < minScoredShingles || s.piece || o.piece {
		if slices.Equal(s.shingles, o.shingles) && len(s.shingles) > 0 && !numbersDiffer(s.numbers, o.numbers) {
			return 1
		}
		return -1
	}
	if numbersDiffer(s.numbers, o.numbers) {
		return -1
	}
	base := -w.time * float64(apart) / float64(MaxApart)
	lead := 0.0 // the weight of the leads' likeness: none without both leads
	if s.lead && o.lead {
		lead = w.lead
	}
	// Each part is at most 1: skip the rest when the first share already
	// rules the pair out (with x the first share and the second at most
	// 1, their harmonic mean is at most 2x/(1+x)).
	base += figureWeight * float64(sharedFigures(&s, &o, maxSharedFigures))
	x := within(s.shingles, o.doc)
	if 2*x/(1+x)+lead+base < floor {
		return -1
	}
	if len(s.words) >= 2 && len(o.words) >= 2 && sharedWords(s.words, o.doc) < 2 && sharedWords(o.words, s.doc) < 2 {
		return -1
	}
	y := within(o.shingles, s.doc)
	in := 0.0
	if x+y > 0 {
		in = 2 * x * y / (x + y)
	}
	if lead > 0 && in+lead+base >= floor {
		return in + lead*cosine(s.doc, o.doc) + base
	}
	return in + base
}

// titleWords returns the shingles of each word of two units or more.
func titleWords(us []textUnit) [][]uint64 {
	var out [][]uint64
	for i := 0; i < len(us); {
		j := i + 1
		for j < len(us) && !us[j].first {
			j++
		}
		if j-i >= 2 {
			out = append(out, shingleSet(us[i:j]))
		}
		i = j
	}
	return out
}

// sharedWords counts the words at least half of whose shingles doc has.
func sharedWords(words [][]uint64, doc []uint64) int {
	n := 0
	for _, w := range words {
		in := 0
		for _, h := range w { // a word has a few shingles, doc many
			if _, ok := slices.BinarySearch(doc, h); ok {
				in++
			}
		}
		if in > 0 && 2*in >= len(w) {
			n++
		}
	}
	return n
}

// within returns the share of a's values that b has too: 0 when a is
// empty. Both lists are sorted and distinct.
func within(a, b []uint64) float64 {
	if len(a) == 0 {
		return 0
	}
	return float64(intersect(a, b)) / float64(len(a))
}

// cosine returns the cosine of two sets as vectors of ones: 0 when either
// is empty. Both lists are sorted and distinct.
func cosine(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	return float64(intersect(a, b)) / math.Sqrt(float64(len(a))*float64(len(b)))
}

// union merges two sorted, distinct lists into a new one.
func union(a, b []uint64) []uint64 {
	out := make([]uint64, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// canonicalLink reduces a link to what identifies the article: no scheme,
// "www.", fragment, trailing slash or tracking parameters (utm_*, cloc,
// from, ref), so the same article linked from two feeds compares equal.
func canonicalLink(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || u.Host == "" {
		return ""
	}
	q := u.Query()
	for k := range q {
		if k == "cloc" || k == "from" || k == "ref" || strings.HasPrefix(k, "utm_") {
			q.Del(k)
		}
	}
	host := strings.TrimPrefix(strings.ToLower(u.Host), "www.")
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	if enc := q.Encode(); enc != "" {
		path += "?" + enc
	}
	return host + path
}
