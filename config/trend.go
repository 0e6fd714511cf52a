package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Limits of a watch's surge settings.
const (
	MinSurgeFactor = 1.5
	MaxSurgeFactor = 1000
	MinSurgeWindow = 10 * time.Minute
	MaxSurgeWindow = 24 * time.Hour
)

// surge decodes a watch's surge block; nil when the key is absent.
func (d *decoder) surge(n *yaml.Node, path string) *Surge {
	if n == nil {
		return nil
	}
	s := &Surge{}
	fs, ok := d.mapping(n, path, "factor", "min_stories", "window")
	if !ok {
		return s
	}
	if f := fs.get("factor"); f != nil {
		s.Factor = d.number(f, joinKey(path, "factor"))
		if s.Factor != 0 && (s.Factor < MinSurgeFactor || s.Factor > MaxSurgeFactor) {
			d.errorf(f, joinKey(path, "factor"), "factor must be between %g and %g (how many times the usual number of stories)", float64(MinSurgeFactor), float64(MaxSurgeFactor))
		}
	}
	s.MinStories = int(d.integer(fs.get("min_stories"), joinKey(path, "min_stories"), 1))
	if w := fs.get("window"); w != nil {
		s.Window = d.duration(w, joinKey(path, "window"))
		if s.Window != 0 && (s.Window.D() < MinSurgeWindow || s.Window.D() > MaxSurgeWindow) {
			d.errorf(w, joinKey(path, "window"), "window must be between %s and %s", fmtDuration(MinSurgeWindow), fmtDuration(MaxSurgeWindow))
		}
	}
	return s
}

// number decodes a number (whole or not).
func (d *decoder) number(n *yaml.Node, path string) float64 {
	r := resolve(n)
	if r == nil {
		return 0
	}
	var v float64
	if r.Kind != yaml.ScalarNode || (r.ShortTag() != "!!int" && r.ShortTag() != "!!float") || r.Decode(&v) != nil {
		d.errorf(n, path, "expected a number, found %s", describe(r))
		return 0
	}
	return v
}

// report decodes a report block of a watch or channel; nil when absent.
func (d *decoder) report(n *yaml.Node, path string) *Report {
	if n == nil {
		return nil
	}
	r := &Report{}
	fs, ok := d.mapping(n, path, "at")
	if !ok {
		return r
	}
	d.require(n, path, fs, "at")
	if at := fs.get("at"); at != nil {
		if s, ok := d.text(at, joinKey(path, "at")); ok {
			if _, _, _, err := ParseReportAt(s); err != nil {
				d.errorf(at, joinKey(path, "at"), "%v", err)
			}
			r.At = s
		}
	}
	return r
}

// ParseReportAt reads a report's at: "Mon 09:00" (weekly, day mon..sun
// written in lower case or capitalized) or "09:00" (daily). weekly is
// false for a daily report; clock is the time after midnight.
func ParseReportAt(s string) (day time.Weekday, weekly bool, clock time.Duration, err error) {
	bad := fmt.Errorf(`invalid report time %q (write "Mon 09:00" for every week or "09:00" for every day)`, s)
	dayText, clockText, hasDay := strings.Cut(s, " ")
	if !hasDay {
		clockText = s
	}
	clock, cerr := parseClock(clockText)
	if cerr != nil {
		return 0, false, 0, bad
	}
	if !hasDay {
		return 0, false, clock, nil
	}
	i := slices.Index(dayNames, strings.ToLower(dayText))
	if i < 0 || dayText != dayNames[i] && dayText != strings.ToUpper(dayNames[i][:1])+dayNames[i][1:] {
		return 0, false, 0, bad
	}
	return time.Weekday((i + 1) % 7), true, clock, nil
}
