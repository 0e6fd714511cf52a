package feeds

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/newshound/newshound/internal/testcorpus"
)

var (
	// dateNow is the clock of the date tests: 16:00 on 19 November 2024 in Seoul.
	dateNow = time.Date(2024, 11, 19, 7, 0, 0, 0, time.UTC)
	// dateKST is Seoul's zone without the tz database.
	dateKST = time.FixedZone("KST", 9*3600)
)

func dateUTC(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

// dateForms are date texts that feeds write, each with the instant it
// means. Texts without a zone are read in Asia/Seoul.
var dateForms = []struct {
	raw  string
	want time.Time
}{
	// 12-hour clocks and zone names.
	{"Mon, 21 Jan 2008 8:56 am PST", dateUTC(2008, 1, 21, 16, 56, 0)},
	{"21 Jan 2008 08:56 PM EST", dateUTC(2008, 1, 22, 1, 56, 0)},
	{"Mon, 21 Jan 2008 12:00 am EST", dateUTC(2008, 1, 21, 5, 0, 0)},
	{"Mon, 21 Jan 2008 12:30 PM GMT", dateUTC(2008, 1, 21, 12, 30, 0)},
	{"Mon, 21 Jan 2008 8:56:00 a.m. CST", dateUTC(2008, 1, 21, 14, 56, 0)},
	{"21 Jan 2008 8:56 p. m. CDT", dateUTC(2008, 1, 22, 1, 56, 0)},
	{"Jan 2, 2008 3:04PM", dateUTC(2008, 1, 2, 6, 4, 0)},
	{"Mon, 21 Jan 2008 10:00:00 EST", dateUTC(2008, 1, 21, 15, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 EDT", dateUTC(2008, 1, 21, 14, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 CST", dateUTC(2008, 1, 21, 16, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 CDT", dateUTC(2008, 1, 21, 15, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 MST", dateUTC(2008, 1, 21, 17, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 MDT", dateUTC(2008, 1, 21, 16, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 PST", dateUTC(2008, 1, 21, 18, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 PDT", dateUTC(2008, 1, 21, 17, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 AKST", dateUTC(2008, 1, 21, 19, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 HST", dateUTC(2008, 1, 21, 20, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 GMT", dateUTC(2008, 1, 21, 10, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 UT", dateUTC(2008, 1, 21, 10, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 UTC", dateUTC(2008, 1, 21, 10, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 Z", dateUTC(2008, 1, 21, 10, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 BST", dateUTC(2008, 1, 21, 9, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 CET", dateUTC(2008, 1, 21, 9, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 CEST", dateUTC(2008, 1, 21, 8, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 EET", dateUTC(2008, 1, 21, 8, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 EEST", dateUTC(2008, 1, 21, 7, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 IST", dateUTC(2008, 1, 21, 4, 30, 0)},
	{"Mon, 21 Jan 2008 10:00:00 JST", dateUTC(2008, 1, 21, 1, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 KST", dateUTC(2008, 1, 21, 1, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 HKT", dateUTC(2008, 1, 21, 2, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 SGT", dateUTC(2008, 1, 21, 2, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 AEST", dateUTC(2008, 1, 21, 0, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 AEDT", dateUTC(2008, 1, 20, 23, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 NZST", dateUTC(2008, 1, 20, 22, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 NZDT", dateUTC(2008, 1, 20, 21, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 XYZ", dateUTC(2008, 1, 21, 10, 0, 0)}, // unknown: RFC 5322 reads it as UTC
	{"Nov. 19, 2024, 3:04 p.m. ET", dateUTC(2024, 11, 19, 20, 4, 0)},  // standard time
	{"July 4, 2024 10:00 AM PT", dateUTC(2024, 7, 4, 17, 0, 0)},       // daylight time
	{"3:04 PM UTC", dateUTC(2024, 11, 18, 15, 4, 0)},                  // later than now: yesterday
	{"오전 9:00 KST", dateUTC(2024, 11, 19, 0, 0, 0)},
	{"19 Nov 2024 15:04 et", dateUTC(2024, 11, 19, 6, 4, 0)}, // a word (French "and"), not a zone
	{"Mon, 21 Jan 2008 10:00:00 +0900", dateUTC(2008, 1, 21, 1, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 +09:00", dateUTC(2008, 1, 21, 1, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 +09", dateUTC(2008, 1, 21, 1, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 -0330", dateUTC(2008, 1, 21, 13, 30, 0)},
	{"Mon, 21 Jan 2008 10:00:00 -03:30", dateUTC(2008, 1, 21, 13, 30, 0)},
	{"Mon, 21 Jan 2008 10:00:00 GMT+9", dateUTC(2008, 1, 21, 1, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 UTC-05:00", dateUTC(2008, 1, 21, 15, 0, 0)},
	{"Mon, 21 Jan 2008 10:00:00 −0500", dateUTC(2008, 1, 21, 15, 0, 0)}, // U+2212 minus sign

	// One-digit fields.
	{"Mon, 21 Jan 2008 12:35:9 GMT", dateUTC(2008, 1, 21, 12, 35, 9)},
	{"2 Jan 2008 1:2:3 GMT", dateUTC(2008, 1, 2, 1, 2, 3)},
	{"2 Jan 2008", dateUTC(2008, 1, 1, 15, 0, 0)},
	{"Jan 2 2008", dateUTC(2008, 1, 1, 15, 0, 0)},
	{"2008-1-2", dateUTC(2008, 1, 1, 15, 0, 0)},
	{"2008-01-02T3:04Z", dateUTC(2008, 1, 2, 3, 4, 0)},
	{"2008-1-2 3:4:5", dateUTC(2008, 1, 1, 18, 4, 5)},

	// Markup and junk around the date.
	{`<time datetime="2024-11-19T15:04:00+09:00">19 Nov</time>`, dateUTC(2024, 11, 19, 6, 4, 0)},
	{`&lt;time datetime=&quot;2024-11-19T15:04:00+09:00&quot;&gt;19 Nov&lt;/time&gt;`, dateUTC(2024, 11, 19, 6, 4, 0)},
	{"<span class=\"date\">\n  2024-11-19 15:04\n</span>", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"<![CDATA[Tue, 19 Nov 2024 15:04:05 +0900]]>", dateUTC(2024, 11, 19, 6, 4, 5)},
	{"\n\t Tue, 19 Nov 2024 15:04:05 +0900 \n", dateUTC(2024, 11, 19, 6, 4, 5)},
	{"Tue, 19 Nov 2024 15:04:05 +0900 (KST)", dateUTC(2024, 11, 19, 6, 4, 5)},
	{"2024-11-19 15:04:05 (KST)", dateUTC(2024, 11, 19, 6, 4, 5)},
	{"Tue, 19 Nov 2024 15:04:05 GMT+0900", dateUTC(2024, 11, 19, 6, 4, 5)},
	{"Tue Nov 19 2024 15:04:05 GMT+0900 (Korean Standard Time)", dateUTC(2024, 11, 19, 6, 4, 5)},
	{"19 Nov 2024 15:04&nbsp;KST", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"Tuesday, November 19th, 2024 at 3:04 PM", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"19 Nov 2024 KST", dateUTC(2024, 11, 18, 15, 0, 0)},
	{`<time datetime="soon">19 Nov 2024</time>`, dateUTC(2024, 11, 18, 15, 0, 0)},
	{"Mittwoch, 20. März 2024 08:00 Uhr", dateUTC(2024, 3, 19, 23, 0, 0)}, // a word, not a zone

	// Korean.
	{"2024.11.19 오후 3:04", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"2024년 11월 19일 (화) 15:04", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"2024년11월19일 15:04", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"2024-11-19 오전 9:05:03", dateUTC(2024, 11, 19, 0, 5, 3)},
	{"2024-11-19 9:05:03 오전", dateUTC(2024, 11, 19, 0, 5, 3)},
	{"2024.11.19 3:04 오후", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"2024-11-19 오전 0:30", dateUTC(2024, 11, 18, 15, 30, 0)},
	{"2024년 11월 19일 화요일 오후 3시 4분", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"화, 19 11월 2024 15:04:05 +0900", dateUTC(2024, 11, 19, 6, 4, 5)},
	{"2024. 11. 19. 오전 12:30:15", dateUTC(2024, 11, 18, 15, 30, 15)},
	{norm.NFD.String("2024년 11월 19일 (화) 오후 3:04"), dateUTC(2024, 11, 19, 6, 4, 0)},
	{"２０２４－１１－１９　１５：０４", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"오후 3:04", dateUTC(2024, 11, 19, 6, 4, 0)},    // today
	{"오후 11:30", dateUTC(2024, 11, 18, 14, 30, 0)}, // later than now: yesterday
	{"2024.11.19 새벽 2:10", dateUTC(2024, 11, 18, 17, 10, 0)},
	{"2024.11.19 저녁 7:30", dateUTC(2024, 11, 19, 10, 30, 0)},
	{"2024.11.19 밤 11:30", dateUTC(2024, 11, 19, 14, 30, 0)},

	// Other languages.
	{"Seg, 24 Set 2018 10:00:00 -0300", dateUTC(2018, 9, 24, 13, 0, 0)},
	{"mar., 19 nov. 2024 15:04:05 +0100", dateUTC(2024, 11, 19, 14, 4, 5)},
	{"Di, 19 Nov 2024", dateUTC(2024, 11, 18, 15, 0, 0)},
	{"Mittwoch, 20. März 2024 08:00", dateUTC(2024, 3, 19, 23, 0, 0)},
	{"Mi, 20. Mrz. 2024 08:00:00 +0100", dateUTC(2024, 3, 20, 7, 0, 0)},
	{"lun, 18 mar 2024 09:00:00 +0100", dateUTC(2024, 3, 18, 8, 0, 0)},
	{"mar 19 mar 2024 10:00:00 +0100", dateUTC(2024, 3, 19, 9, 0, 0)},
	{"jeu. 21 févr. 2008", dateUTC(2008, 2, 20, 15, 0, 0)},
	{"JEU. 21 FÉVR. 2008", dateUTC(2008, 2, 20, 15, 0, 0)},
	{"jeudi 21 fe\u0301vrier 2008 15h04", dateUTC(2008, 2, 21, 6, 4, 0)},
	{"1er janvier 2024", dateUTC(2023, 12, 31, 15, 0, 0)},
	{"mié, 20 dic 2023 10:00:00 +0100", dateUTC(2023, 12, 20, 9, 0, 0)},
	{"miércoles, 20 de diciembre de 2023 10:00", dateUTC(2023, 12, 20, 1, 0, 0)},
	{"sáb, 2 mai 2020 10:00:00 -0300", dateUTC(2020, 5, 2, 13, 0, 0)},
	{"Sa, 2. Mai 2020 10:00:00 +0200", dateUTC(2020, 5, 2, 8, 0, 0)},
	{"qua, 01 out 2020 10:00:00 -0300", dateUTC(2020, 10, 1, 13, 0, 0)},
	{"Do, 01 Okt 2020 10:00:00 +0200", dateUTC(2020, 10, 1, 8, 0, 0)},
	{"ven 1 ago 2025 10:00:00 +0200", dateUTC(2025, 8, 1, 8, 0, 0)},
	{"gio, 14 mag 2020 10:00:00 +0200", dateUTC(2020, 5, 14, 8, 0, 0)},
	{"Τρι, 29 Ιούν 2004 12:53:00 GMT", dateUTC(2004, 6, 29, 12, 53, 0)},

	// ISO 8601 and other numeric forms.
	{"2024-11-19T15:04:05.123456789+09:00", time.Date(2024, 11, 19, 6, 4, 5, 123456789, time.UTC)},
	{"2024-11-19T15:04:05,5Z", time.Date(2024, 11, 19, 15, 4, 5, 5e8, time.UTC)},
	{"2024-11-19T15:04:05+0900", dateUTC(2024, 11, 19, 6, 4, 5)},
	{"2024-11-19T15:04", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"2008-01-21 08:56:00", dateUTC(2008, 1, 20, 23, 56, 0)},
	{"2024-11-19", dateUTC(2024, 11, 18, 15, 0, 0)},
	{"2003-12", dateUTC(2003, 11, 30, 15, 0, 0)},
	{"November 2024", dateUTC(2024, 10, 31, 15, 0, 0)},
	{"2024년 11월", dateUTC(2024, 10, 31, 15, 0, 0)},
	{"19.11.2024 15:04", dateUTC(2024, 11, 19, 6, 4, 0)},
	{"19/11/2024", dateUTC(2024, 11, 18, 15, 0, 0)},
	{"11/19/2024", dateUTC(2024, 11, 18, 15, 0, 0)},
	{"Mon Jan  2 15:04:05 2006", dateUTC(2006, 1, 2, 6, 4, 5)},
	{"Mon Jan 02 15:04:05 -0700 2006", dateUTC(2006, 1, 2, 22, 4, 5)},
	{"Mon Jan 2 15:04:05 MST 2006", dateUTC(2006, 1, 2, 22, 4, 5)},
	{"Fri, 2006/09/15 08:19:53 EDT", dateUTC(2006, 9, 15, 12, 19, 53)},
	{"Tue, 19 Nov 24 10:00:00 GMT", dateUTC(2024, 11, 19, 10, 0, 0)},
	{"1732000000", dateUTC(2024, 11, 19, 7, 6, 40)},
	{"1732000000123", time.Date(2024, 11, 19, 7, 6, 40, 123e6, time.UTC)},
}

func TestParseDateForms(t *testing.T) {
	t.Parallel()
	seoulTZ, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range dateForms {
		t.Run(tc.raw, func(t *testing.T) {
			got, ok := parseDate(tc.raw, nil, seoulTZ, dateNow)
			if !ok || !got.Equal(tc.want) {
				t.Errorf("parseDate(%q) = %v, %v; want %v", tc.raw, got.UTC(), ok, tc.want)
			}
		})
	}
}

// unreadableDates must never be given an instant.
var unreadableDates = []string{
	"", "   ", "soon", "garbage 12", "3 hours ago", "12345", "2003", "19 Nov", "Nov 19",
	"31 Feb 2024", "2024-02-30 10:00", "29 Feb 2023", "2024.13.01", "25:00", "2024.11.19 25:00",
	"2024-11-19 10:61", "2024-11-19 10:00:61", "오후 13:00", "Mon, 21 Jan 2008 13:00 PM", "15:04",
	"2024-11-19T10:00:00+25:00", "Tue, 19 Nov 2024 10:00:00 +0900 +0100", "1969-12-31", "2201-01-01",
	"11/12/2024", "2024-W47-2", "2024-324", "20241119", "<time>soon</time>", "Jan Feb 2024",
	"19 Nov 2024 10:00 12:00", "2024-11-19 19 Nov 2024", "2003-12 10:00", "November 2024 10:00",
	"11월 19일 15:04", "2024년 11월 19일 2024", "오후 3:04 19", "2024.11.19 밤 1:30", "2024.11.19 밤 12:00",
}

func TestParseDateUnreadable(t *testing.T) {
	t.Parallel()
	t.Run("long text", func(t *testing.T) {
		raw := "2024-11-19 " + strings.Repeat("<b></b>", maxDateRaw/7)
		if got, ok := parseDate(raw, nil, dateKST, dateNow); ok {
			t.Errorf("parseDate(%d bytes) = %v, want failure", len(raw), got.UTC())
		}
	})
	for _, raw := range unreadableDates {
		t.Run(raw, func(t *testing.T) {
			if got, ok := parseDate(raw, nil, dateKST, dateNow); ok {
				t.Errorf("parseDate(%q) = %v, want failure", raw, got.UTC())
			}
		})
	}
}

func TestDateWords(t *testing.T) {
	t.Parallel()
	// No name may mean two months, and every listed weekday is one.
	for i, names := range monthNames {
		for _, name := range strings.Fields(names) {
			if got := lookupWord(name).month; int(got) != i+1 {
				t.Errorf("%q is month %d, want %d", name, got, i+1)
			}
		}
	}
	for _, name := range strings.Fields(weekdayNames) {
		if !lookupWord(name).weekday {
			t.Errorf("%q is not a weekday", name)
		}
	}
	for word, month := range map[string]int8{"MÄRZ": 3, "Févr": 2, "fe\u0301vr": 2, "AOÛT": 8, "Ιούν": 6, "ΜΑΐΟΥ": 5} {
		if got := lookupWord(word).month; got != month {
			t.Errorf("%q is month %d, want %d", word, got, month)
		}
	}
}

func TestParseDateFallback(t *testing.T) {
	t.Parallel()
	gofeed := dateUTC(2024, 11, 19, 1, 0, 0)
	t.Run("own reading wins", func(t *testing.T) {
		// gofeed reads the zone-less text as UTC; the watchlist's zone is meant.
		got, ok := parseDate("2024-11-19 01:00:00", &gofeed, dateKST, dateNow)
		if want := dateUTC(2024, 11, 18, 16, 0, 0); !ok || !got.Equal(want) {
			t.Errorf("got %v, %v; want %v", got.UTC(), ok, want)
		}
	})
	t.Run("gofeed's reading when the text is unreadable", func(t *testing.T) {
		got, ok := parseDate("x", &gofeed, dateKST, dateNow)
		if !ok || !got.Equal(gofeed) {
			t.Errorf("got %v, %v; want %v", got.UTC(), ok, gofeed)
		}
	})
	t.Run("neither", func(t *testing.T) {
		zero := time.Time{}
		if got, ok := parseDate("x", &zero, dateKST, dateNow); ok {
			t.Errorf("got %v, want failure", got)
		}
	})
}

func TestParseDateZoneInLocation(t *testing.T) {
	t.Parallel()
	// A zone-less date is read in the watchlist's zone, daylight saving included.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		raw  string
		want time.Time
	}{
		{"2024-07-01 12:00", dateUTC(2024, 7, 1, 16, 0, 0)},
		{"1 Dec 2024 12:00", dateUTC(2024, 12, 1, 17, 0, 0)},
		{"2024-07-01 12:00 UTC", dateUTC(2024, 7, 1, 12, 0, 0)},
		{"오후 3:04", dateUTC(2024, 11, 18, 20, 4, 0)}, // 2:00 on 19 November in New York: yesterday
	} {
		t.Run(tc.raw, func(t *testing.T) {
			if got, ok := parseDate(tc.raw, nil, ny, dateNow); !ok || !got.Equal(tc.want) {
				t.Errorf("parseDate(%q) in New York = %v, %v; want %v", tc.raw, got.UTC(), ok, tc.want)
			}
		})
	}
}

func FuzzParseDate(f *testing.F) {
	for _, tc := range dateForms {
		f.Add(tc.raw)
	}
	for _, raw := range unreadableDates {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := parseDate(raw, nil, dateKST, dateNow)
		if !ok {
			return
		}
		if y := got.UTC().Year(); y < minDateYear || y > maxDateYear {
			t.Errorf("parseDate(%q) = %v: year out of range", raw, got)
		}
		// The instant, written as RFC 3339, reads back as itself.
		iso := got.Format(time.RFC3339Nano)
		if again, ok := parseDate(iso, nil, dateKST, dateNow); !ok || !again.Equal(got) {
			t.Errorf("parseDate(%q) = %v, but parseDate(%q) = %v, %v", raw, got, iso, again, ok)
		}
	})
}

// dateCorpusRoot is the shared collection of real feeds, outside the module.
var dateCorpusRoot = filepath.Join("..", "..", "shared", "feeds")

// dateElementNames are the local names of the RSS, Atom, RDF and Dublin Core
// elements that hold dates.
var dateElementNames = map[string]bool{
	"pubDate": true, "lastBuildDate": true, "date": true, "updated": true, "published": true,
	"modified": true, "issued": true, "created": true, "expirationDate": true,
}

// dateCorpusItem is one date text found in a feed file.
type dateCorpusItem struct {
	file, text string
}

// dateCorpus returns the text of every date element (and JSON Feed date)
// in the shared corpora and in testdata. It skips the test when the
// corpora are absent.
func dateCorpus(tb testing.TB) []dateCorpusItem {
	tb.Helper()
	if _, err := os.Stat(dateCorpusRoot); err != nil {
		tb.Skipf("feed corpora not available (%v); the date corpus test needs them", err)
	}
	var out []dateCorpusItem
	for _, root := range []string{dateCorpusRoot, "testdata"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !testcorpus.SweepFile(path) {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var texts []string
			switch filepath.Ext(path) {
			case ".xml":
				texts = xmlDateTexts(data)
			case ".json":
				texts = jsonDateTexts(data)
			}
			for _, s := range texts {
				if strings.TrimSpace(s) != "" {
					out = append(out, dateCorpusItem{path, s})
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatalf("walk %s: %v", root, err)
		}
	}
	if len(out) == 0 {
		tb.Fatal("no dates found in the corpora")
	}
	return out
}

// xmlDateTexts returns the character data of every date element, decoding the
// bytes the way Parse does. A file that stops parsing keeps what came
// before the error.
func xmlDateTexts(data []byte) []string {
	dec := xml.NewDecoder(bytes.NewReader(toUTF8(data, "")))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var (
		out   []string
		cur   strings.Builder
		depth = -1 // nesting inside the current date element; -1 outside
	)
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth >= 0 {
				depth++
			} else if dateElementNames[t.Name.Local] {
				depth = 0
				cur.Reset()
			}
		case xml.EndElement:
			if depth == 0 {
				out = append(out, cur.String())
			}
			if depth >= 0 {
				depth--
			}
		case xml.CharData:
			if depth >= 0 {
				cur.Write(t)
			}
		}
	}
}

// jsonDateTexts returns the JSON Feed date_published and date_modified values
// anywhere in a JSON document.
func jsonDateTexts(data []byte) []string {
	var doc any
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && (k == "date_published" || k == "date_modified") {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return out
}

// TestParseDateCorpus reads every date in the real feed corpora. Each must
// be understood, and wherever the standard library can read the text
// exactly (RFC 3339, or RFC 1123 with a numeric zone or GMT), both must
// agree on the instant.
func TestParseDateCorpus(t *testing.T) {
	t.Parallel() // a read-only corpus sweep: the sweeps share the cores
	dates := dateCorpus(t)
	seoulTZ, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 11, 19, 7, 0, 0, 0, time.UTC)
	failed, checked := 0, 0
	for _, d := range dates {
		got, ok := parseDate(d.text, nil, seoulTZ, now)
		if !ok {
			failed++
			t.Errorf("%s: parseDate(%q) failed", d.file, d.text)
			continue
		}
		for _, layout := range []string{time.RFC3339Nano, time.RFC1123Z, time.RFC1123} {
			want, err := time.Parse(layout, strings.TrimSpace(d.text))
			if err != nil || (layout == time.RFC1123 && !strings.HasSuffix(d.text, "GMT")) {
				continue
			}
			checked++
			if !got.Equal(want) {
				t.Errorf("%s: parseDate(%q) = %v, want %v", d.file, d.text, got.UTC(), want.UTC())
			}
			break
		}
	}
	t.Logf("%d corpus dates: %d unreadable, %d cross-checked with the standard library", len(dates), failed, checked)
}

// BenchmarkParseDate measures parseDate over the corpus dates and over the
// forms of the date table.
func BenchmarkParseDate(b *testing.B) {
	seoulTZ, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2024, 11, 19, 7, 0, 0, 0, time.UTC)
	run := func(b *testing.B, texts []string) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range texts {
				parseDate(s, nil, seoulTZ, now)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/date")
	}
	b.Run("corpus", func(b *testing.B) {
		var texts []string
		for _, d := range dateCorpus(b) {
			texts = append(texts, d.text)
		}
		run(b, texts)
	})
	b.Run("forms", func(b *testing.B) {
		var texts []string
		for _, tc := range dateForms {
			texts = append(texts, tc.raw)
		}
		run(b, texts)
	})
}
