package feeds

import (
	"html"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // the US zones named without standard or daylight (ET)
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxFuture is how far ahead of now a date may be before it is distrusted.
// A feed that dates an item tomorrow or later is wrong (a bad zone, a
// placeholder, a scheduled post), and such a date must not keep the item at
// the top of every digest. parseDate leaves this check to its caller.
const maxFuture = 24 * time.Hour

// Dates outside these years are read as unreadable: they are placeholders
// or misread numbers, not news.
const (
	minDateYear = 1970
	maxDateYear = 2200
)

// Bounds on the work done for one date: the raw text with markup, the
// text left when markup is removed, and the pieces that may split into.
// Longer input is not a date.
const (
	maxDateRaw    = 4096
	maxDateText   = 256
	maxDateTokens = 40
)

// parseDate reads a feed date: raw is the element's text, parsed is
// gofeed's reading of it (nil if gofeed had none). The text is read here
// first, because gofeed reads unknown zone abbreviations ("KST") and
// zone-less dates as UTC; a date without a zone is read in loc. parsed is
// used only when the text is unreadable. A bare clock ("오후 3:04") is
// today's, or yesterday's if that is later than now.
//
// The reading is forgiving about form and strict about content. Markup
// around the date is removed (a <time datetime="…"> attribute is used);
// weekday names are ignored; month names may be in Korean, English,
// Spanish, Portuguese, French, German, Italian or Greek; fields may have
// one digit; 오전/오후 (or 새벽, 아침, 낮, 저녁, 밤) and am/pm may come
// before or after the clock; unknown words are skipped. But every number
// must have a place, and a date that does not exist (31 Feb, 25:00) is
// unreadable. Partial dates: a year and month ("2003-12", "November
// 2024") is the 1st at 00:00 in loc; a year alone, or a day without a
// year, is unreadable. A zone abbreviation that is not known is read as
// UTC, as RFC 5322 says.
func parseDate(raw string, parsed *time.Time, loc *time.Location, now time.Time) (time.Time, bool) {
	if t, ok := readDate(raw, loc, now); ok {
		return t, true
	}
	if parsed != nil && !parsed.IsZero() && yearInRange(*parsed) {
		return *parsed, true
	}
	return time.Time{}, false
}

var (
	// datetimeAttr is the machine-readable date of an HTML <time> element.
	datetimeAttr = regexp.MustCompile(`(?i)\bdatetime\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
	// dateMarkupTag is an HTML tag, or an unclosed one at the end of the text.
	dateMarkupTag = regexp.MustCompile(`<[^>]*(?:>|$)`)
	// cdataMarks are CDATA brackets left in text that was escaped twice.
	cdataMarks = strings.NewReplacer("<![CDATA[", "", "]]>", "")
)

// readDate is parseDate without gofeed's reading.
func readDate(raw string, loc *time.Location, now time.Time) (time.Time, bool) {
	s := raw
	if len(s) > maxDateRaw {
		return time.Time{}, false
	}
	if strings.ContainsAny(s, "<&") {
		s = cdataMarks.Replace(html.UnescapeString(s))
		if m := datetimeAttr.FindStringSubmatch(s); m != nil {
			if t, ok := readDateText(m[1]+m[2]+m[3], loc, now); ok {
				return t, true
			}
		}
		s = dateMarkupTag.ReplaceAllString(s, " ")
	}
	return readDateText(s, loc, now)
}

// readDateText reads date text free of markup.
func readDateText(s string, loc *time.Location, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxDateText {
		return time.Time{}, false
	}
	if t, ok := unixDate(s); ok {
		return t, true
	}
	if !dateIsASCII(s) && !norm.NFKC.IsNormalString(s) {
		s = norm.NFKC.String(s) // composes NFD Hangul, narrows fullwidth digits
	}
	var buf [maxDateTokens]dateToken
	toks, ok := tokenizeDate(s, buf[:0])
	if !ok {
		return time.Time{}, false
	}
	var f dateFields
	if !f.read(toks) {
		return time.Time{}, false
	}
	return f.instant(loc, now)
}

// unixDate reads a Unix time in seconds (10 digits) or milliseconds (13).
func unixDate(s string) (time.Time, bool) {
	if len(s) != 10 && len(s) != 13 {
		return time.Time{}, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	t := time.Unix(n, 0).UTC()
	if len(s) == 13 {
		t = time.UnixMilli(n).UTC()
	}
	return t, yearInRange(t)
}

func yearInRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= minDateYear && y <= maxDateYear
}

func dateIsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Token kinds; punctuation tokens have their (ASCII) character as kind.
const (
	tokNum  = 'n'
	tokWord = 'w'
	tokUnit = 'u' // a Korean unit right after a number; val is its rune
)

// dateToken is one piece of date text: a run of digits, a run of letters,
// or one punctuation character.
type dateToken struct {
	kind  byte
	space bool   // whitespace came before it
	text  string // the digits or letters as written
	val   int    // a number's value (of its first 9 digits), or a unit's rune
	word  dateWord
}

// tokenizeDate splits s into tokens, classifying words as it goes. It
// fails when s has more than cap(toks) tokens.
func tokenizeDate(s string, toks []dateToken) ([]dateToken, bool) {
	space := false
	for i := 0; i < len(s); {
		if len(toks) == cap(toks) {
			return nil, false
		}
		c := s[i]
		switch {
		case c <= ' ': // space and control characters
			space = true
			i++
			continue
		case '0' <= c && c <= '9':
			j, v := i, 0
			for ; j < len(s) && '0' <= s[j] && s[j] <= '9'; j++ {
				if j-i < 9 {
					v = v*10 + int(s[j]-'0')
				}
			}
			toks = append(toks, dateToken{kind: tokNum, space: space, text: s[i:j], val: v})
			i = j
		case c < utf8.RuneSelf && !('a' <= c|0x20 && c|0x20 <= 'z'):
			toks = append(toks, dateToken{kind: c, space: space, text: s[i : i+1]})
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case unicode.IsSpace(r):
				space = true
				i += size
				continue
			case isKoreanUnit(r) && !space && len(toks) > 0 && toks[len(toks)-1].kind == tokNum:
				toks = append(toks, dateToken{kind: tokUnit, text: s[i : i+size], val: int(r)})
				i += size
			case unicode.IsLetter(r) || unicode.IsMark(r):
				j := i + size
				for j < len(s) {
					r, n := utf8.DecodeRuneInString(s[j:])
					if !unicode.IsLetter(r) && !unicode.IsMark(r) {
						break
					}
					j += n
				}
				toks = append(toks, dateToken{kind: tokWord, space: space, text: s[i:j], word: lookupWord(s[i:j])})
				i = j
			default:
				k := byte('?')
				if r == '−' || r == '–' { // minus sign, en dash
					k = '-'
				}
				toks = append(toks, dateToken{kind: k, space: space, text: s[i : i+size]})
				i += size
			}
		}
		space = false
	}
	return toks, true
}

// isKoreanUnit reports whether r is a Korean date or time unit: 년 월 일
// 시 분 초.
func isKoreanUnit(r rune) bool {
	switch r {
	case '년', '월', '일', '시', '분', '초':
		return true
	}
	return false
}

// dateFields collects what the tokens say.
type dateFields struct {
	year, month, day     int // -1 until known
	hour, min, sec, nsec int
	clock                bool           // an hour was read
	meridiem             byte           // 'a', 'p' or 'n' (see hour12), 0 for none
	zoned                bool           // an offset was given
	offset               int            // with zoned: seconds east of UTC
	region               *time.Location // a zone named without its offset (ET)
	numericZone          bool           // the offset was written as digits
	unknownZone          bool           // an unknown abbreviation followed the clock
}

// read fills f from toks; it fails when the tokens cannot be a date.
func (f *dateFields) read(toks []dateToken) bool {
	f.year, f.month, f.day = -1, -1, -1
	var (
		free       [3]int // numbers not yet placed: indexes into toks
		nfree      int
		months     [3]int // month words: indexes into toks
		nmonths    int
		offsetNext bool // a sign here starts a numeric zone
		trailZone  = -1 // a zone word before any clock
		lastSig    = -1 // the last number or word
	)
	for i := 0; i < len(toks); i++ {
		t := &toks[i]
		switch t.kind {
		case tokNum:
			lastSig = i
			offsetNext = false
			if j, ok, matched := f.readClock(toks, i); matched {
				if !ok {
					return false
				}
				i, offsetNext = j, true
				continue
			}
			if i+1 < len(toks) && toks[i+1].kind == tokUnit {
				if !f.readUnit(t, rune(toks[i+1].val)) {
					return false
				}
				i++
				if u := toks[i].val; u == '시' || u == '분' || u == '초' {
					offsetNext = true
				}
				continue
			}
			if nfree == len(free) || len(t.text) > 4 {
				return false
			}
			free[nfree] = i
			nfree++
			if i+1 < len(toks) && toks[i+1].kind == tokWord && !toks[i+1].space && toks[i+1].word.role == roleOrdinal {
				i++ // 1st, 2nd, 1er
			}
		case '+', '-':
			if offsetNext && i+1 < len(toks) && toks[i+1].kind == tokNum && !toks[i+1].space {
				off, j, ok := readOffset(toks, i)
				if !ok || (f.numericZone && off != f.offset) {
					return false
				}
				f.offset, f.zoned, f.numericZone = off, true, true
				i, offsetNext = j, false
				continue
			}
			offsetNext = false
		case tokWord:
			lastSig = i
			w := t.word
			after := offsetNext
			offsetNext = false
			switch {
			case w.month > 0:
				if nmonths == len(months) {
					return false
				}
				months[nmonths] = i
				nmonths++
			case w.meridiem != 0 || w.role == roleMeridiemA || w.role == roleMeridiemP:
				m := w.meridiem
				if m == 0 { // "a.m.", "p. m."
					j := i + 1
					for j < len(toks) && toks[j].kind == '.' {
						j++
					}
					if j == len(toks) || toks[j].kind != tokWord || toks[j].word.role != roleM {
						continue
					}
					m, i = byte(w.role), j
					for i+1 < len(toks) && toks[i+1].kind == '.' {
						i++
					}
				}
				if f.meridiem != 0 && f.meridiem != m {
					return false
				}
				f.meridiem, offsetNext = m, f.clock
			case w.zone && zoneWordOK(t.text, after):
				if f.clock {
					f.nameZone(w)
					offsetNext = true
				} else {
					trailZone = i
				}
			case w.month == 0 && w.role == 0 && !w.weekday && f.clock && !f.zoned && f.region == nil && isZoneLike(t.text):
				f.unknownZone = true
			}
		case tokUnit:
			return false // the tokenizer puts units only after numbers
		}
	}
	if trailZone >= 0 && trailZone == lastSig && !f.clock {
		f.nameZone(toks[trailZone].word) // 19 Nov 2024 KST
	}
	if f.unknownZone && !f.zoned && f.region == nil {
		f.offset, f.zoned = 0, true
	}
	if !f.placeMonth(toks, months[:nmonths]) {
		return false
	}
	return f.placeNumbers(toks, free[:nfree], nmonths > 0 && f.month > 0)
}

// nameZone uses the zone named by w, unless a zone was given before.
func (f *dateFields) nameZone(w dateWord) {
	switch {
	case f.zoned || f.region != nil:
	case w.region != nil:
		f.region = w.region
	default:
		f.offset, f.zoned = int(w.offset), true
	}
}

// zoneWordOK reports whether a word that names a zone stands for one here:
// the military Z only right after the clock, two-letter names (UT, ET)
// only in capitals.
func zoneWordOK(w string, afterClock bool) bool {
	switch len(w) {
	case 1:
		return afterClock
	case 2:
		return isUpperASCII(w)
	}
	return true
}

// readClock reads h:mm[:ss[.fff]] (or "15h04") starting at toks[i]. matched
// reports whether a clock starts there, ok whether it is valid, and j is
// its last token.
func (f *dateFields) readClock(toks []dateToken, i int) (j int, ok, matched bool) {
	if i+2 >= len(toks) || toks[i+2].kind != tokNum || !isClockSep(toks[i+1]) {
		return i, false, false
	}
	if f.clock || len(toks[i].text) > 2 || len(toks[i+2].text) > 2 {
		return i, false, true
	}
	f.clock, f.hour, f.min = true, toks[i].val, toks[i+2].val
	j = i + 2
	if j+2 < len(toks) && toks[j+1].kind == ':' && toks[j+2].kind == tokNum {
		if len(toks[j+2].text) > 2 {
			return j, false, true
		}
		f.sec = toks[j+2].val
		j += 2
		if j+2 < len(toks) && (toks[j+1].kind == '.' || toks[j+1].kind == ',') &&
			!toks[j+1].space && toks[j+2].kind == tokNum && !toks[j+2].space {
			f.nsec = fracNanos(toks[j+2].text)
			j += 2
		}
	}
	return j, true, true
}

func isClockSep(t dateToken) bool {
	return t.kind == ':' || (t.kind == tokWord && !t.space && t.word.role == roleClockH)
}

// fracNanos converts the digits after a decimal point to nanoseconds.
func fracNanos(digits string) int {
	ns := 0
	for i := range 9 {
		ns *= 10
		if i < len(digits) {
			ns += int(digits[i] - '0')
		}
	}
	return ns
}

// readUnit places a number followed by a Korean unit.
func (f *dateFields) readUnit(t *dateToken, unit rune) bool {
	var field *int
	switch unit {
	case '년':
		if len(t.text) != 4 {
			return false
		}
		field = &f.year
	case '월':
		field = &f.month
	case '일':
		field = &f.day
	case '시':
		if f.clock {
			return false
		}
		f.clock, f.hour = true, t.val
		return len(t.text) <= 2
	case '분', '초':
		if !f.clock || len(t.text) > 2 {
			return false
		}
		if unit == '분' {
			f.min = t.val
		} else {
			f.sec = t.val
		}
		return true
	}
	if *field >= 0 || (field != &f.year && len(t.text) > 2) {
		return false
	}
	*field = t.val
	return true
}

// readOffset reads a numeric zone at toks[i] (the sign): +9, +09, +0900,
// +09:00. end is its last token.
func readOffset(toks []dateToken, i int) (off, end int, ok bool) {
	n := toks[i+1]
	end = i + 1
	var h, m int
	switch len(n.text) {
	case 1, 2:
		h = n.val
		if i+3 < len(toks) && toks[i+2].kind == ':' && toks[i+3].kind == tokNum && len(toks[i+3].text) == 2 {
			m, end = toks[i+3].val, i+3
		}
	case 3, 4:
		h, m = n.val/100, n.val%100
	default:
		return 0, 0, false
	}
	if h > 14 || m > 59 {
		return 0, 0, false
	}
	off = h*3600 + m*60
	if toks[i].kind == '-' {
		off = -off
	}
	return off, end, true
}

// isZoneLike reports whether an unknown word looks like a zone
// abbreviation: three to five capital ASCII letters.
func isZoneLike(w string) bool {
	return len(w) >= 3 && len(w) <= 5 && isUpperASCII(w)
}

func isUpperASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'A' || w[i] > 'Z' {
			return false
		}
	}
	return true
}

// placeMonth picks the month among the month words. A word that can also
// be a weekday ("mar", Tuesday in Spanish, French and Italian) is the
// month only when no other word is; of two such words the second is.
func (f *dateFields) placeMonth(toks []dateToken, idx []int) bool {
	if len(idx) == 0 {
		return true
	}
	var only, either []int
	for _, i := range idx {
		if toks[i].word.weekday {
			either = append(either, i)
		} else {
			only = append(only, i)
		}
	}
	pick := -1
	switch {
	case len(only) == 1:
		pick = only[0]
	case len(only) > 1:
		return false
	case len(either) <= 2:
		pick = either[len(either)-1]
	default:
		return false
	}
	if f.month >= 0 { // 11월 as well as a month word
		return len(only) == 0
	}
	f.month = int(toks[pick].word.month)
	return true
}

// placeNumbers gives the free numbers their places as year, month and day.
func (f *dateFields) placeNumbers(toks []dateToken, free []int, monthWord bool) bool {
	n := func(k int) *dateToken { return &toks[free[k]] }
	digits := func(k int) int { return len(n(k).text) }
	switch {
	case len(free) == 0:
	case f.month >= 0 && f.year < 0 && f.day < 0:
		// A month is known: the numbers are a day and a year.
		switch {
		case len(free) == 1 && digits(0) == 4: // November 2024
			f.year = n(0).val
		case len(free) != 2:
			return false
		case digits(0) <= 2 && digits(1) == 4:
			f.day, f.year = n(0).val, n(1).val
		case digits(0) == 4 && digits(1) <= 2:
			f.year, f.day = n(0).val, n(1).val
		case monthWord && digits(0) <= 2 && digits(1) == 2: // RFC 822: 2 Jan 06
			f.day, f.year = n(0).val, twoDigitYear(n(1).val)
		default:
			return false
		}
	case f.year >= 0 || f.month >= 0 || f.day >= 0:
		// Korean units placed some fields: the rest follow in order.
		k := 0
		for _, field := range []*int{&f.year, &f.month, &f.day} {
			if *field >= 0 || k == len(free) {
				continue
			}
			if field == &f.year && digits(k) != 4 || field != &f.year && digits(k) > 2 {
				return false
			}
			*field = n(k).val
			k++
		}
		if k < len(free) {
			return false
		}
	case len(free) == 3 && digits(0) == 4 && digits(1) <= 2 && digits(2) <= 2:
		f.year, f.month, f.day = n(0).val, n(1).val, n(2).val // 2024-11-19
	case len(free) == 3 && digits(2) == 4 && digits(0) <= 2 && digits(1) <= 2:
		a, b := n(0).val, n(1).val
		switch { // 19.11.2024 is day first; with / or -, only when unambiguous
		case toks[free[0]+1].kind == '.', a > 12 && b <= 12:
			f.day, f.month = a, b
		case b > 12 && a <= 12, a == b:
			f.month, f.day = a, b
		default:
			return false
		}
		f.year = n(2).val
	case len(free) == 2 && digits(0) == 4 && digits(1) <= 2 &&
		!n(1).space && strings.IndexByte("-/.", toks[free[1]-1].kind) >= 0:
		f.year, f.month = n(0).val, n(1).val // W3C-DTF 2003-12
	default:
		return false
	}
	return true
}

// twoDigitYear reads yy as Go's time package does: 69 to 99 are 19yy.
func twoDigitYear(yy int) int {
	if yy >= 69 {
		return 1900 + yy
	}
	return 2000 + yy
}

// instant turns the fields into a time, or fails if they name none.
func (f *dateFields) instant(loc *time.Location, now time.Time) (time.Time, bool) {
	if f.meridiem != 0 {
		if !f.clock {
			return time.Time{}, false
		}
		h, ok := hour12(f.hour, f.meridiem)
		if !ok {
			return time.Time{}, false
		}
		f.hour = h
	}
	if f.hour > 23 || f.min > 59 || f.sec > 60 {
		return time.Time{}, false
	}
	zone := loc
	switch {
	case f.zoned:
		zone = time.UTC // the wall clock is built in UTC, then shifted by the offset
	case f.region != nil:
		zone = f.region
	}
	shift := -time.Duration(f.offset) * time.Second
	if f.year < 0 && f.month < 0 && f.day < 0 {
		// A bare clock with 오전/오후 or am/pm is today's.
		if f.meridiem == 0 {
			return time.Time{}, false
		}
		n := now.Add(-shift).In(zone)
		t := time.Date(n.Year(), n.Month(), n.Day(), f.hour, f.min, f.sec, 0, zone).Add(shift)
		if t.After(now.Add(time.Minute)) {
			t = t.AddDate(0, 0, -1)
		}
		return t, true
	}
	if f.day < 0 && f.month >= 0 && !f.clock {
		f.day = 1 // a year and month: the 1st
	}
	if f.year < minDateYear || f.year > maxDateYear || f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31 {
		return time.Time{}, false
	}
	t := time.Date(f.year, time.Month(f.month), f.day, f.hour, f.min, f.sec, f.nsec, zone)
	if t.Day() != f.day {
		return time.Time{}, false // 31 February, or a leap second at the end of a day
	}
	t = t.Add(shift)
	return t, yearInRange(t)
}

// hour12 converts a 12-hour clock reading; meridiem is 'a' or 'p', or 'n'
// for 밤 (night), which is read only from 6 to 11 (밤 1시 is usually 1 am,
// 밤 12시 midnight). Hour 0 is accepted too ("오전 0:30").
func hour12(h int, meridiem byte) (int, bool) {
	if h > 12 || (meridiem == 'n' && (h < 6 || h > 11)) {
		return 0, false
	}
	if h == 12 {
		h = 0
	}
	if meridiem != 'a' {
		h += 12
	}
	return h, true
}

// dateWord is what a word in a date can mean. A word may be both a month
// and a weekday ("mar").
type dateWord struct {
	month    int8 // 1 to 12
	weekday  bool
	zone     bool
	offset   int32          // with zone: seconds east of UTC
	region   *time.Location // with zone: a zone named without its offset (ET)
	meridiem byte           // 'a' for am, 'p' for pm, 'n' for 밤 (see hour12)
	role     byte           // one of the roles below
}

// Roles of short words.
const (
	roleOrdinal   = 'o' // "st" in 1st, "er" in 1er
	roleClockH    = 'h' // "h" in 15h04
	roleMeridiemA = 'a' // "a" of "a.m."
	roleMeridiemP = 'p' // "p" of "p.m."
	roleM         = 'm' // "m" of "a.m."
)

// dateWords maps folded words (see foldWord) to their meanings. It is
// built once and only read.
var dateWords = buildDateWords()

// monthNames lists, for each month, its names and abbreviations in
// English, Spanish, Portuguese, French, German, Italian and Greek. Words
// are looked up folded (lower case, accents removed), so the accents here
// are for the reader.
var monthNames = [12]string{
	"jan january ene enero janeiro janv janvier januar jänner gen gennaio ιαν ιανουάριος ιανουαρίου",
	"feb february febrero fev fevereiro févr février februar febbraio φεβ φεβρουάριος φεβρουαρίου",
	"mar march marzo março mars märz mrz μαρ μάρτιος μαρτίου",
	"apr april abr abril avr avril aprile απρ απρίλιος απριλίου",
	"may mayo mai maio mag maggio μαι μάιος μαΐου",
	"jun june junio junho juin juni giu giugno ιουν ιούνιος ιουνίου",
	"jul july julio julho juil juillet juli lug luglio ιουλ ιούλιος ιουλίου",
	"aug august ago agosto aoû août αυγ αύγουστος αυγούστου",
	"sep sept september septiembre setiembre set setembro septembre settembre σεπ σεπτέμβριος σεπτεμβρίου",
	"oct october octubre out outubro octobre okt oktober ott ottobre οκτ οκτώβριος οκτωβρίου",
	"nov november noviembre novembro novembre νοε νοέμβριος νοεμβρίου",
	"dec december dic diciembre dez dezembro décembre dezember dicembre δεκ δεκέμβριος δεκεμβρίου",
}

// weekdayNames are weekday names and abbreviations in the same languages
// and Korean. They are skipped: a feed's weekday may be wrong.
const weekdayNames = "mon monday tue tues tuesday wed weds wednesday thu thur thurs thursday fri friday sat saturday sun sunday " +
	"lun lunes mar martes mié miércoles jue jueves vie viernes sáb sábado dom domingo " +
	"seg segunda ter terça qua quarta qui quinta sex sexta " +
	"lundi mardi mer mercredi jeu jeudi ven vendredi sam samedi dim dimanche " +
	"mo montag di dienstag mi mittwoch do donnerstag fr freitag sa samstag sonnabend so sonntag " +
	"lunedì martedì mercoledì gio giovedì venerdì sabato domenica " +
	"월 화 수 목 금 토 일 월요일 화요일 수요일 목요일 금요일 토요일 일요일 " +
	"κυρ δευ τρι τετ πεμ παρ σαβ κυριακή δευτέρα τρίτη τετάρτη πέμπτη παρασκευή σάββατο"

// zoneMinutes maps zone abbreviations to their offsets in minutes east of
// UTC. Ambiguous ones take the reading common in feeds: CST is US
// Central, IST is India, BST is British Summer Time. Of the military
// letters only Z is used; RFC 5322 says the others are unreliable.
var zoneMinutes = map[string]int{
	"z": 0, "ut": 0, "utc": 0, "gmt": 0, "wet": 0, "west": 60, "bst": 60,
	"cet": 60, "met": 60, "mez": 60, "cest": 120, "mest": 120, "mesz": 120,
	"eet": 120, "eest": 180, "msk": 180, "ist": 330,
	"est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360,
	"pst": -480, "pdt": -420, "akst": -540, "akdt": -480, "hst": -600, "hdt": -540,
	"ast": -240, "adt": -180, "nst": -210, "ndt": -150, "brt": -180, "art": -180,
	"wib": 420, "ict": 420, "hkt": 480, "sgt": 480, "pht": 480, "awst": 480,
	"jst": 540, "kst": 540, "acst": 570, "acdt": 630, "aest": 600, "aedt": 660,
	"nzst": 720, "nzdt": 780,
}

// zoneRegions are the US zones that news sites name without saying
// whether standard or daylight time is meant ("3:04 p.m. ET").
var zoneRegions = map[string]string{
	"et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver", "pt": "America/Los_Angeles",
}

func buildDateWords() map[string]dateWord {
	words := make(map[string]dateWord)
	set := func(name string, f func(*dateWord)) {
		b, _ := foldWord(make([]byte, 0, 64), name)
		w := words[string(b)]
		f(&w)
		words[string(b)] = w
	}
	for i, names := range monthNames {
		for _, name := range strings.Fields(names) {
			set(name, func(w *dateWord) { w.month = int8(i + 1) })
		}
	}
	for _, name := range strings.Fields(weekdayNames) {
		set(name, func(w *dateWord) { w.weekday = true })
	}
	for name, min := range zoneMinutes {
		set(name, func(w *dateWord) { w.zone, w.offset = true, int32(min*60) })
	}
	for name, region := range zoneRegions {
		loc, err := time.LoadLocation(region)
		if err != nil {
			panic("feeds: time zone " + region + " is not in the embedded database: " + err.Error())
		}
		set(name, func(w *dateWord) { w.zone, w.region = true, loc })
	}
	for _, name := range []string{"am", "오전", "새벽", "아침"} {
		set(name, func(w *dateWord) { w.meridiem = 'a' })
	}
	for _, name := range []string{"pm", "오후", "낮", "저녁"} {
		set(name, func(w *dateWord) { w.meridiem = 'p' })
	}
	set("밤", func(w *dateWord) { w.meridiem = 'n' })
	for _, name := range []string{"st", "nd", "rd", "th", "er"} {
		set(name, func(w *dateWord) { w.role = roleOrdinal })
	}
	set("h", func(w *dateWord) { w.role = roleClockH })
	set("a", func(w *dateWord) { w.role = roleMeridiemA })
	set("p", func(w *dateWord) { w.role = roleMeridiemP })
	set("m", func(w *dateWord) { w.role = roleM })
	return words
}

// dateAccentFold maps accented lower-case letters to their base letters.
var dateAccentFold = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a', 'ç': 'c',
	'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e', 'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i',
	'ñ': 'n', 'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y', 'ÿ': 'y',
	'ά': 'α', 'έ': 'ε', 'ή': 'η', 'ί': 'ι', 'ϊ': 'ι', 'ΐ': 'ι',
	'ό': 'ο', 'ύ': 'υ', 'ϋ': 'υ', 'ΰ': 'υ', 'ώ': 'ω', 'ς': 'σ',
}

// lookupWord looks w up in dateWords.
func lookupWord(w string) dateWord {
	var buf [64]byte
	b, ok := foldWord(buf[:0], w)
	if !ok {
		return dateWord{}
	}
	return dateWords[string(b)]
}

// foldWord appends w to b in lower case without accents; it fails when w
// does not fit in cap(b) (no date word is that long).
func foldWord(b []byte, w string) ([]byte, bool) {
	for _, r := range w {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		case unicode.IsMark(r):
			continue
		default:
			r = unicode.ToLower(r)
			if f, ok := dateAccentFold[r]; ok {
				r = f
			}
		}
		if len(b)+utf8.RuneLen(r) > cap(b) {
			return b, false
		}
		b = utf8.AppendRune(b, r)
	}
	return b, true
}
