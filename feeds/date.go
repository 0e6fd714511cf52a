package feeds

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// maxFuture is how far ahead of now a date may be before it is distrusted.
// A feed that dates an item tomorrow or later is wrong (a bad zone, a
// placeholder, a scheduled post): such an item gets now and DateGuessed, so
// it cannot stick to the top of every digest.
const maxFuture = 24 * time.Hour

// kst is Korea Standard Time; a fixed zone needs no tzdata.
var kst = time.FixedZone("KST", 9*3600)

// numericDate matches dates written as numbers: ISO 8601 and the Korean
// styles "2024.11.19 10:00", "2024/11/19", "2024년 11월 19일 오후 3:04",
// "2024. 11. 19. 오후 3:04:05", with an optional zone.
var numericDate = regexp.MustCompile(`^(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?` +
	`(?:\s*\(?[월화수목금토일](?:요일)?\)?)?` +
	`(?:(?:\s+|T)(오전|오후|AM|PM|am|pm)?\s*(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2})(?:[.,](\d{1,9}))?)?\s*(오전|오후|AM|PM|am|pm)?)?` +
	`\s*(Z|UTC|GMT|KST|[+-]\d{2}:?\d{2})?$`)

// clockOnly matches a bare "오후 3:04", which Korean sites use for today.
var clockOnly = regexp.MustCompile(`^(오전|오후|AM|PM|am|pm)\s*(\d{1,2}):(\d{2})(?::(\d{2}))?$`)

// zoneAbbrev maps zone abbreviations that gofeed does not know (it reads
// them as UTC, or as the host zone) to a numeric offset.
var zoneAbbrev = map[string]string{"KST": "+0900", "JST": "+0900", "HKT": "+0800", "SGT": "+0800"}

// textDates are layouts with month names, tried with a numeric zone (after
// an abbreviation is replaced) or with none (then read in loc).
var textDates = []string{
	"Mon, 2 Jan 2006 15:04:05", "Mon, 2 Jan 2006 15:04", "2 Jan 2006 15:04:05", "2 Jan 2006 15:04",
	"Monday, 2 Jan 2006 15:04:05", "Mon, 2 January 2006 15:04:05", "2 January 2006 15:04:05",
	"Mon, 2 Jan 06 15:04:05", "Mon Jan 2 15:04:05 2006", "Jan 2, 2006 15:04:05", "January 2, 2006 15:04",
}

// parseDate reads a feed date. Dates without a zone are read in loc, KST
// and other abbreviations gofeed gets wrong are fixed, and the Korean
// numeric styles gofeed misses are understood. parsed is gofeed's reading,
// used when the text is in none of these forms.
func parseDate(raw string, parsed *time.Time, loc *time.Location, now time.Time) (time.Time, bool) {
	s := strings.TrimSpace(raw)
	if t, ok := parseNumeric(s, loc); ok {
		return t, true
	}
	if m := clockOnly.FindStringSubmatch(s); m != nil {
		h, mi, sec := atoi(m[2]), atoi(m[3]), atoi(m[4])
		if h, ok := hour12(h, m[1]); ok && mi < 60 && sec < 60 {
			n := now.In(loc)
			t := time.Date(n.Year(), n.Month(), n.Day(), h, mi, sec, 0, loc)
			if t.After(now.Add(time.Minute)) {
				t = t.AddDate(0, 0, -1)
			}
			return t, true
		}
	}
	zoned := s
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		if off, ok := zoneAbbrev[strings.ToUpper(s[i+1:])]; ok {
			zoned = s[:i] + " " + off
		}
	}
	for _, layout := range textDates {
		if t, err := time.Parse(layout+" -0700", zoned); err == nil {
			return t, true
		}
	}
	for _, layout := range textDates {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	if parsed != nil && !parsed.IsZero() {
		return *parsed, true
	}
	return time.Time{}, false
}

// parseNumeric parses the forms numericDate matches.
func parseNumeric(s string, loc *time.Location) (time.Time, bool) {
	m := numericDate.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	y, mo, d := atoi(m[1]), atoi(m[2]), atoi(m[3])
	h, mi, sec := atoi(m[5]), atoi(m[6]), atoi(m[7])
	ns := 0
	if m[8] != "" {
		ns = atoi((m[8] + "00000000")[:9])
	}
	if marker := m[4] + m[9]; marker != "" {
		var ok bool
		if h, ok = hour12(h, marker); !ok {
			return time.Time{}, false
		}
	}
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	zone := loc
	switch z := m[10]; z {
	case "":
	case "Z", "UTC", "GMT":
		zone = time.UTC
	case "KST":
		zone = kst
	default:
		z = strings.ReplaceAll(z, ":", "")
		off := (atoi(z[1:3])*60 + atoi(z[3:5])) * 60
		if z[0] == '-' {
			off = -off
		}
		zone = time.FixedZone("", off)
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, zone)
	if t.Day() != d {
		return time.Time{}, false // 31 November and the like
	}
	return t, true
}

// hour12 converts a 12-hour clock reading with a 오전/오후/AM/PM marker.
func hour12(h int, marker string) (int, bool) {
	if h < 1 || h > 12 {
		return 0, false
	}
	pm := marker == "오후" || strings.EqualFold(marker, "PM")
	switch {
	case pm && h < 12:
		return h + 12, true
	case !pm && h == 12:
		return 0, true
	}
	return h, true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
