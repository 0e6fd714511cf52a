package digest

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zoneinfo

	"github.com/newshound/newshound/config"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustSchedule(t *testing.T, d config.Digest, loc *time.Location) *Schedule {
	t.Helper()
	s, err := NewSchedule(d, loc)
	if err != nil {
		t.Fatalf("NewSchedule(%+v): %v", d, err)
	}
	return s
}

func TestDue(t *testing.T) {
	t.Parallel()
	seoul := mustLoc(t, "Asia/Seoul")
	ny := mustLoc(t, "America/New_York")
	// 2025-03-05 is a Wednesday; 2025-03-08 a Saturday; 2025-03-10 a Monday.
	kst := func(day, h, m int) time.Time { return time.Date(2025, 3, day, h, m, 0, 0, seoul) }
	utc := func(mo time.Month, day, h, m int) time.Time { return time.Date(2025, mo, day, h, m, 0, 0, time.UTC) }
	every := func(d time.Duration) config.Duration { return config.Duration(d) }
	quiet := "22:00-07:00"
	weekdays := []string{"mon", "tue", "wed", "thu", "fri"}

	tests := []struct {
		name    string
		digest  config.Digest
		loc     *time.Location
		matched time.Time
		urgent  bool
		want    time.Time
	}{
		{"instant", config.Digest{}, seoul, kst(5, 10, 7), false, kst(5, 10, 7)},
		{"instant before quiet hours", config.Digest{QuietHours: quiet}, seoul, kst(5, 21, 59), false, kst(5, 21, 59)},
		{"instant in quiet hours before midnight", config.Digest{QuietHours: quiet}, seoul, kst(5, 23, 30), false, kst(6, 7, 0)},
		{"instant in quiet hours after midnight", config.Digest{QuietHours: quiet}, seoul, kst(6, 3, 0), false, kst(6, 7, 0)},
		{"quiet hours end is exclusive", config.Digest{QuietHours: quiet}, seoul, kst(6, 7, 0), false, kst(6, 7, 0)},
		{"quiet hours within a day", config.Digest{QuietHours: "12:00-13:30"}, seoul, kst(5, 12, 40), false, kst(5, 13, 30)},
		{"urgent bypasses quiet hours", config.Digest{QuietHours: quiet}, seoul, kst(5, 23, 30), true, kst(5, 23, 30)},
		{"urgent bypasses the schedule", config.Digest{At: []string{"09:00"}, Days: []string{"mon"}}, seoul, kst(5, 10, 0), true, kst(5, 10, 0)},

		{"every 30m", config.Digest{Every: every(30 * time.Minute)}, seoul, kst(5, 10, 1), false, kst(5, 10, 30)},
		{"every 30m just before a slot", config.Digest{Every: every(30 * time.Minute)}, seoul, kst(5, 10, 29).Add(59 * time.Second), false, kst(5, 10, 30)},
		{"every 30m at a slot waits for the next", config.Digest{Every: every(30 * time.Minute)}, seoul, kst(5, 10, 30), false, kst(5, 11, 0)},
		{"every 30m across midnight", config.Digest{Every: every(30 * time.Minute)}, seoul, kst(5, 23, 45), false, kst(6, 0, 0)},
		{"every 1h into quiet hours", config.Digest{Every: every(time.Hour), QuietHours: quiet}, seoul, kst(5, 21, 15), false, kst(6, 7, 0)},
		{"every 1h on listed days only", config.Digest{Every: every(time.Hour), Days: []string{"sat", "sun"}}, seoul, kst(7, 23, 30), false, kst(8, 0, 0)},
		{"every 7h is aligned to the Unix epoch", config.Digest{Every: every(7 * time.Hour)}, seoul, utc(3, 5, 10, 0), false, utc(3, 5, 17, 0)},
		{"every 7h skips unlisted days", config.Digest{Every: every(7 * time.Hour), Days: []string{"thu"}}, time.UTC, utc(3, 5, 10, 0), false, utc(3, 6, 0, 0)},

		{"at: next time today", config.Digest{At: []string{"18:00", "09:00"}}, seoul, kst(5, 8, 59), false, kst(5, 9, 0)},
		{"at: a slot time waits for the next", config.Digest{At: []string{"09:00", "18:00"}}, seoul, kst(5, 9, 0), false, kst(5, 18, 0)},
		{"at: across midnight", config.Digest{At: []string{"09:00", "18:00"}}, seoul, kst(5, 18, 30), false, kst(6, 9, 0)},
		{"at: next listed day", config.Digest{At: []string{"09:00", "18:00"}, Days: []string{"mon", "wed"}}, seoul, kst(5, 18, 30), false, kst(10, 9, 0)},
		{"at: from the weekend", config.Digest{At: []string{"09:00"}, Days: weekdays}, seoul, kst(8, 10, 0), false, kst(10, 9, 0)},
		{"at: a slot inside quiet hours", config.Digest{At: []string{"23:00"}, QuietHours: quiet}, seoul, kst(5, 12, 0), false, kst(6, 7, 0)},
		{"at: quiet hours do not move later slots", config.Digest{At: []string{"09:00"}, QuietHours: quiet}, seoul, kst(5, 23, 0), false, kst(6, 9, 0)},

		{"instant on an unlisted day waits for the next", config.Digest{Days: weekdays}, seoul, kst(8, 10, 0), false, kst(10, 0, 0)},
		{"instant: next listed day starts in quiet hours", config.Digest{Days: weekdays, QuietHours: quiet}, seoul, kst(8, 10, 0), false, kst(10, 7, 0)},
		{"instant: quiet hours of a listed day end on an unlisted one", config.Digest{Days: weekdays, QuietHours: quiet}, seoul, kst(7, 23, 30), false, kst(8, 7, 0)},

		// America/New_York springs forward on 2025-03-09 (02:00 EST → 03:00 EDT)
		// and falls back on 2025-11-02 (02:00 EDT → 01:00 EST).
		{"DST gap: at 02:30 happens at 03:30 EDT", config.Digest{At: []string{"02:30"}}, ny, utc(3, 9, 6, 0), false, utc(3, 9, 7, 30)},
		{"DST gap: every 30m after 01:50 EST", config.Digest{Every: every(30 * time.Minute)}, ny, utc(3, 9, 6, 50), false, utc(3, 9, 7, 0)},
		{"DST gap: at 09:00 is 23 hours after the previous", config.Digest{At: []string{"09:00"}}, ny, utc(3, 8, 14, 0), false, utc(3, 9, 13, 0)},
		{"DST gap: quiet hours ending in the gap", config.Digest{QuietHours: "22:00-02:30"}, ny, utc(3, 9, 4, 0), false, utc(3, 9, 7, 30)},
		{"DST repeat: every 30m from 01:10 EST", config.Digest{Every: every(30 * time.Minute)}, ny, utc(11, 2, 6, 10), false, utc(11, 2, 7, 0)},
		{"DST repeat: at 01:30 fires at its first occurrence", config.Digest{At: []string{"01:30"}}, ny, utc(11, 2, 4, 45), false, utc(11, 2, 5, 30)},
		{"DST repeat: quiet end already passed", config.Digest{QuietHours: "00:30-01:30"}, ny, utc(11, 2, 6, 15), false, utc(11, 2, 6, 15)},
		{"DST: Seoul has none", config.Digest{At: []string{"02:30"}}, seoul, utc(3, 8, 16, 0), false, utc(3, 8, 17, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSchedule(t, tt.digest, tt.loc)
			if got := s.Due(tt.matched, tt.urgent); !got.Equal(tt.want) {
				t.Errorf("Due(%v) = %v, want %v", tt.matched.In(tt.loc), got.In(tt.loc), tt.want.In(tt.loc))
			}
		})
	}
}

// Matches arriving between two flushes of an every schedule share one Due,
// so the bot sends them as one message.
func TestDueGroupsMatchesBetweenFlushes(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, "Asia/Seoul")
	s := mustSchedule(t, config.Digest{Every: config.Duration(30 * time.Minute)}, loc)
	first := time.Date(2025, 3, 5, 10, 0, 0, 0, loc)
	want := first.Add(30 * time.Minute)
	for _, off := range []time.Duration{0, time.Second, 7 * time.Minute, 29*time.Minute + 59*time.Second} {
		if got := s.Due(first.Add(off), false); !got.Equal(want) {
			t.Errorf("match at +%v: Due = %v, want %v", off, got, want)
		}
	}
}

// Items matched during quiet hours are delivered once, when they end: a
// flush loop that sends what is due every five minutes sends them all in
// one flush at 07:00.
func TestQuietHoursDeliverOnceAfterwards(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, "Asia/Seoul")
	s := mustSchedule(t, config.Digest{QuietHours: "22:00-07:00"}, loc)
	start := time.Date(2025, 3, 5, 22, 0, 0, 0, loc)
	var due []time.Time
	for _, off := range []time.Duration{10 * time.Minute, 2 * time.Hour, 8*time.Hour + 59*time.Minute} {
		due = append(due, s.Due(start.Add(off), false))
	}
	sent := make([]bool, len(due))
	var flushes []time.Time
	for now := start; now.Before(start.Add(10 * time.Hour)); now = now.Add(5 * time.Minute) {
		n := 0
		for i, d := range due {
			if !sent[i] && !d.After(now) {
				sent[i] = true
				n++
			}
		}
		if n > 0 {
			if n != len(due) {
				t.Errorf("flush at %v sent %d of %d held items", now, n, len(due))
			}
			flushes = append(flushes, now)
		}
	}
	if want := time.Date(2025, 3, 6, 7, 0, 0, 0, loc); len(flushes) != 1 || !flushes[0].Equal(want) {
		t.Errorf("flushes = %v, want one at %v", flushes, want)
	}
}

func TestNext(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, "Asia/Seoul")
	now := time.Date(2025, 3, 5, 10, 10, 0, 0, loc)
	tests := []struct {
		name   string
		digest config.Digest
		want   time.Time
	}{
		{"every", config.Digest{Every: config.Duration(30 * time.Minute)}, time.Date(2025, 3, 5, 10, 30, 0, 0, loc)},
		{"at", config.Digest{At: []string{"09:00"}}, time.Date(2025, 3, 6, 9, 0, 0, 0, loc)},
		{"instant", config.Digest{}, now},
		{"instant in quiet hours", config.Digest{QuietHours: "10:00-11:00"}, time.Date(2025, 3, 5, 11, 0, 0, 0, loc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustSchedule(t, tt.digest, loc).Next(now); !got.Equal(tt.want) {
				t.Errorf("Next = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewScheduleErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		digest config.Digest
		want   string
	}{
		{"bad at", config.Digest{At: []string{"09:00", "25:00"}}, `at[1]: "25:00" is not a time of day (want HH:MM)`},
		{"bad day", config.Digest{Days: []string{"mon", "funday"}}, `days[1]: "funday" is not a day of the week (want mon..sun)`},
		{"quiet hours without end", config.Digest{QuietHours: "22:00"}, `quiet_hours: "22:00" is not a span of time (want HH:MM-HH:MM)`},
		{"quiet hours bad time", config.Digest{QuietHours: "22:00-7"}, `quiet_hours: "7" is not a time of day (want HH:MM)`},
		{"empty quiet hours", config.Digest{QuietHours: "07:00-07:00"}, `quiet_hours: "07:00-07:00" starts and ends at the same time`},
		{"every too short", config.Digest{Every: config.Duration(30 * time.Second)}, "every: must be at least 1m"},
		{"every negative", config.Digest{Every: config.Duration(-time.Minute)}, "every: must be positive"},
		{"every and at", config.Digest{Every: config.Duration(time.Hour), At: []string{"09:00"}}, "every and at cannot both be set"},
		{"long every with days", config.Digest{Every: config.Duration(48 * time.Hour), Days: []string{"mon"}}, "days: cannot be combined with every longer than 24h"},
		{"negative max_items", config.Digest{MaxItems: -1}, "max_items: must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSchedule(tt.digest, nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNewScheduleAccessors(t *testing.T) {
	t.Parallel()
	s := mustSchedule(t, config.Digest{MaxItems: 20, QuietHours: "22:00-07:00"}, nil)
	if !s.Instant() || s.MaxItems() != 20 {
		t.Errorf("Instant() = %v, MaxItems() = %d; want true, 20", s.Instant(), s.MaxItems())
	}
	if mustSchedule(t, config.Digest{At: []string{"09:00"}}, nil).Instant() {
		t.Error("an at schedule reports Instant")
	}
}

func TestParseClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		h, m      int
		wantError bool
	}{
		{"09:05", 9, 5, false},
		{"9:05", 9, 5, false},
		{" 23:59 ", 23, 59, false},
		{"00:00", 0, 0, false},
		{"24:00", 0, 0, true},
		{"12:60", 0, 0, true},
		{"09:5", 0, 0, true},
		{"123:00", 0, 0, true},
		{"ab:cd", 0, 0, true},
		{"+1:00", 0, 0, true},
		{"0900", 0, 0, true},
		{"", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			h, m, err := ParseClock(tt.in)
			if (err != nil) != tt.wantError || h != tt.h || m != tt.m {
				t.Errorf("ParseClock(%q) = %d, %d, %v", tt.in, h, m, err)
			}
		})
	}
}

func TestParseQuietHours(t *testing.T) {
	t.Parallel()
	q, err := ParseQuietHours("22:00 - 07:30")
	if err != nil || q != (QuietHours{Start: 22 * 60, End: 7*60 + 30}) {
		t.Fatalf("ParseQuietHours = %+v, %v", q, err)
	}
	for minute, want := range map[int]bool{21*60 + 59: false, 22 * 60: true, 0: true, 7*60 + 29: true, 7*60 + 30: false, 12 * 60: false} {
		if got := q.contains(minute); got != want {
			t.Errorf("contains(%d) = %v, want %v", minute, got, want)
		}
	}
}

func TestParseDay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Weekday
		ok   bool
	}{
		{"mon", time.Monday, true},
		{"Tue", time.Tuesday, true},
		{"WEDNESDAY", time.Wednesday, true},
		{" thu ", time.Thursday, true},
		{"fri", time.Friday, true},
		{"saturday", time.Saturday, true},
		{"Sun", time.Sunday, true},
		{"tues", 0, false},
		{"월", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDay(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("ParseDay(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
}
