package digest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newshound/newshound/config"
)

const day = 24 * time.Hour

// QuietHours is a daily span of local wall-clock time in which only urgent
// items are delivered. Start and End are minutes after midnight; a span
// whose End is before its Start crosses midnight ("22:00-07:00").
type QuietHours struct {
	Start, End int
}

// contains reports whether the minute of the day lies in the span.
func (q QuietHours) contains(minute int) bool {
	if q.Start < q.End {
		return minute >= q.Start && minute < q.End
	}
	return minute >= q.Start || minute < q.End
}

// ParseClock parses a wall-clock time "HH:MM" (or "H:MM"), 00:00 to 23:59.
func ParseClock(s string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !digits(h) || !digits(m) {
		return 0, 0, fmt.Errorf("%q is not a time of day (want HH:MM)", s)
	}
	hour, _ = strconv.Atoi(h)
	minute, _ = strconv.Atoi(m)
	if hour > 23 || minute > 59 {
		return 0, 0, fmt.Errorf("%q is not a time of day (want HH:MM)", s)
	}
	return hour, minute, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseQuietHours parses a span "HH:MM-HH:MM"; it may cross midnight.
func ParseQuietHours(s string) (QuietHours, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("%q is not a span of time (want HH:MM-HH:MM)", s)
	}
	h1, m1, err := ParseClock(a)
	if err != nil {
		return QuietHours{}, err
	}
	h2, m2, err := ParseClock(b)
	if err != nil {
		return QuietHours{}, err
	}
	q := QuietHours{Start: h1*60 + m1, End: h2*60 + m2}
	if q.Start == q.End {
		return QuietHours{}, fmt.Errorf("%q starts and ends at the same time", s)
	}
	return q, nil
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

// ParseDay parses a day of the week: "mon".."sun" or the full English
// name, in any case.
func ParseDay(s string) (time.Weekday, error) {
	d, ok := dayNames[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return 0, fmt.Errorf("%q is not a day of the week (want mon..sun)", s)
	}
	return d, nil
}

// Schedule decides when a watch's matches are delivered. It is immutable
// and safe for concurrent use; it never reads the clock.
//
// The rules, all in the watchlist's time zone:
//   - instant: an item is due when it is matched;
//   - every: due at the next boundary of the period after the match.
//     A period that divides 24h is aligned to local midnight (every 30m:
//     :00 and :30); any other period is aligned to the Unix epoch;
//   - at: due at the next listed time of day after the match;
//   - days limits when deliveries start: the slots of every and at fall
//     only on listed days, and an instant item matched on another day is
//     held until the next listed day begins;
//   - quiet hours then postpone a delivery to their end, even when that
//     end falls on a day not listed (the held items belong to the night
//     of a listed day);
//   - urgent items are due when matched, whatever the schedule.
//
// Times are wall-clock times of calendar dates: a slot or quiet-hours end
// that does not exist on a day (a DST gap) happens as far after the gap
// as it was into it (02:30 on a spring-forward day is 03:30), and a wall
// time that occurs twice is used at its first occurrence.
type Schedule struct {
	loc      *time.Location
	every    time.Duration
	at       []int // minutes after midnight, sorted, unique
	days     [7]bool
	instant  bool
	quiet    *QuietHours
	maxItems int
}

// NewSchedule validates a watch's digest settings. loc is the watchlist
// time zone (nil means UTC). Errors are short and name the setting, e.g.
// `at[1]: "25:00" is not a time of day (want HH:MM)`, so that config can
// prefix the position in the file.
func NewSchedule(d config.Digest, loc *time.Location) (*Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	s := &Schedule{loc: loc, every: d.Every.D(), instant: d.Instant(), maxItems: d.MaxItems}
	switch {
	case s.every < 0:
		return nil, errors.New("every: must be positive")
	case s.every > 0 && s.every < config.MinDigestEvery:
		// The same limit package config refuses at load, with a position.
		return nil, errors.New("every: must be at least 1m")
	case s.every > 0 && len(d.At) > 0:
		return nil, errors.New("every and at cannot both be set")
	case s.every > day && len(d.Days) > 0:
		return nil, errors.New("days: cannot be combined with every longer than 24h")
	case d.MaxItems < 0:
		return nil, errors.New("max_items: must not be negative")
	}
	for i, a := range d.At {
		h, m, err := ParseClock(a)
		if err != nil {
			return nil, fmt.Errorf("at[%d]: %w", i, err)
		}
		s.at = append(s.at, h*60+m)
	}
	slices.Sort(s.at)
	s.at = slices.Compact(s.at)
	for i, name := range d.Days {
		wd, err := ParseDay(name)
		if err != nil {
			return nil, fmt.Errorf("days[%d]: %w", i, err)
		}
		s.days[wd] = true
	}
	if len(d.Days) == 0 {
		s.days = [7]bool{true, true, true, true, true, true, true}
	}
	if d.QuietHours != "" {
		q, err := ParseQuietHours(d.QuietHours)
		if err != nil {
			return nil, fmt.Errorf("quiet_hours: %w", err)
		}
		s.quiet = &q
	}
	return s, nil
}

// Instant reports whether matches are delivered as they are found (still
// subject to days and quiet hours).
func (s *Schedule) Instant() bool { return s.instant }

// MaxItems is the most stories a digest shows for the watch; 0 means no
// limit.
func (s *Schedule) MaxItems() int { return s.maxItems }

// Due returns when an item matched at matched should be delivered. Items
// matched between two slots get the same Due, so they go out as one
// message; an item matched exactly at a slot waits for the next one.
func (s *Schedule) Due(matched time.Time, urgent bool) time.Time {
	if urgent {
		return matched
	}
	t := matched
	switch {
	case !s.instant:
		t = s.slotAfter(matched)
	case !s.allowed(matched):
		t = s.nextDayStart(matched)
	}
	if end, ok := s.quietEnd(t); ok {
		return end
	}
	return t
}

// Next returns the next flush after the given time, for status: the next
// slot (moved to the end of quiet hours when it falls in them). For
// instant delivery it is after itself unless days or quiet hours hold
// deliveries back.
func (s *Schedule) Next(after time.Time) time.Time { return s.Due(after, false) }

func (s *Schedule) allowed(t time.Time) bool { return s.days[t.In(s.loc).Weekday()] }

// nextDayStart is local midnight of the next listed day after t's day.
func (s *Schedule) nextDayStart(t time.Time) time.Time {
	y, m, d := t.In(s.loc).Date()
	for i := 1; i < 7; i++ {
		if s.days[weekday(y, m, d+i, s.loc)] {
			return wallTime(y, m, d+i, 0, s.loc)
		}
	}
	return wallTime(y, m, d+7, 0, s.loc)
}

// wallTime is the instant of a wall-clock time (as time since midnight)
// on a calendar date. A time in a DST gap is moved forward across the gap
// (02:30 becomes 03:30), where time.Date would move it back; of a time
// that occurs twice, time.Date gives the first.
func wallTime(y int, m time.Month, d int, clock time.Duration, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, int(clock), loc)
	want := time.Date(y, m, d, 0, 0, 0, int(clock), time.UTC)
	got := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	if skew := want.Sub(got); skew > 0 {
		return t.Add(skew)
	}
	return t
}

// weekday is the weekday of a calendar date; noon exists on every day.
func weekday(y int, m time.Month, d int, loc *time.Location) time.Weekday {
	return time.Date(y, m, d, 12, 0, 0, 0, loc).Weekday()
}

// slotAfter is the first every/at slot strictly after t on a listed day.
func (s *Schedule) slotAfter(t time.Time) time.Time {
	if s.every > 0 && day%s.every != 0 {
		return s.epochSlotAfter(t)
	}
	y, m, d := t.In(s.loc).Date()
	// Today and the next seven days always hold a listed day with a slot
	// after t.
	for i := 0; ; i++ {
		if !s.days[weekday(y, m, d+i, s.loc)] {
			continue
		}
		if c, ok := s.slotOn(y, m, d+i, t); ok {
			return c
		}
	}
}

// slotOn is the earliest slot of a calendar date strictly after t.
func (s *Schedule) slotOn(y int, m time.Month, d int, t time.Time) (time.Time, bool) {
	var best time.Time
	if s.every > 0 {
		// Start one slot before t's wall time: around a DST change the
		// instant of a wall time may lie before or after t.
		var k time.Duration
		if lt := t.In(s.loc); lt.Day() == d && lt.Month() == m && lt.Year() == y {
			wall := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute +
				time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
			k = max(0, wall/s.every-1)
		}
		for ; k*s.every < day; k++ {
			if c := wallTime(y, m, d, k*s.every, s.loc); c.After(t) {
				return c, true
			}
		}
		return best, false
	}
	for _, a := range s.at {
		c := wallTime(y, m, d, time.Duration(a)*time.Minute, s.loc)
		if c.After(t) && (best.IsZero() || c.Before(best)) {
			best = c
		}
	}
	return best, !best.IsZero()
}

// epochSlotAfter handles periods that do not divide a day: slots are
// multiples of the period since the Unix epoch.
func (s *Schedule) epochSlotAfter(t time.Time) time.Time {
	p := int64(s.every)
	atOrAfter := func(t time.Time) time.Time {
		n := t.UnixNano()
		q := n / p
		if q*p < n {
			q++
		}
		return time.Unix(0, q*p)
	}
	c := atOrAfter(t.Add(1))
	for !s.allowed(c) {
		c = atOrAfter(s.nextDayStart(c))
	}
	return c
}

// quietEnd reports whether t falls in quiet hours and, if so, when they
// end.
func (s *Schedule) quietEnd(t time.Time) (time.Time, bool) {
	if s.quiet == nil {
		return time.Time{}, false
	}
	lt := t.In(s.loc)
	minute := lt.Hour()*60 + lt.Minute()
	if !s.quiet.contains(minute) {
		return time.Time{}, false
	}
	y, m, d := lt.Date()
	if s.quiet.Start > s.quiet.End && minute >= s.quiet.Start {
		d++
	}
	end := wallTime(y, m, d, time.Duration(s.quiet.End)*time.Minute, s.loc)
	if !end.After(t) {
		// In a repeated hour (DST fall-back) the end's first occurrence
		// may already have passed: deliver now.
		return t, true
	}
	return end, true
}
