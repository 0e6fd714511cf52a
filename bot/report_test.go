package bot

import (
	"bytes"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/notify"
)

const reportWatchlist = `
timezone: Asia/Seoul
feeds:
  - {name: yna, url: "https://yna.example/rss"}
channels:
  team: {console: {}}
  weekly: {console: {}, report: {at: "Mon 09:00"}}
watches:
  - name: policy
    keywords: [트럼프]
    channels: [team]
    digest: {every: 1h}
    report: {at: "09:00"}
  - name: policy-week
    keywords: [트럼프]
    channels: [weekly]
`

// TestScheduledReports moves a fake clock from Thursday to Monday: the
// watch's daily report goes to its channel at 09:00 KST, once, with the
// chart; the channel's weekly report once on Monday, of the week before;
// a schedule seen for the first time sends nothing for the past, and
// times missed while the bot was down are not made up.
func TestScheduledReports(t *testing.T) {
	t.Parallel()
	h := newHarness(t, reportWatchlist)
	kst := time.FixedZone("KST", 9*3600)
	at := func(d, hh, mm int) { h.clock.Set(time.Date(2026, 11, d, hh, mm, 0, 0, kst)) }
	reports := func(ch string) []notify.Message {
		h.chans[ch].mu.Lock()
		defer h.chans[ch].mu.Unlock()
		var out []notify.Message
		for _, m := range h.chans[ch].got {
			if m.Kind == notify.KindReport {
				out = append(out, m)
			}
		}
		return out
	}
	at(26, 10, 0) // Thursday: the first cycle records the schedules
	h.cycle()
	if n := len(reports("team")) + len(reports("weekly")); n != 0 {
		t.Fatalf("first sight of the schedules sent %d reports", n)
	}
	h.feeds.set("yna", news("1", "트럼프 방한 일정 확정", h.clock.Now()))
	h.cycle()
	at(27, 8, 59)
	h.cycle()
	if n := len(reports("team")); n != 0 {
		t.Fatalf("before 09:00: %d reports", n)
	}
	at(27, 9, 0)
	h.cycle()
	h.cycle()
	got := reports("team")
	if len(got) != 1 {
		t.Fatalf("Friday 09:00: %d daily reports to team, want 1", len(got))
	}
	r := got[0]
	if !strings.HasPrefix(r.Header, "Report 11/26 (목): 1 watch") || !strings.Contains(r.Text, "■ policy: 1 matches, 1 stories") {
		t.Errorf("daily report = %q\n%s", r.Header, r.Text)
	}
	if r.Image == nil || r.Image.Type != "image/png" {
		t.Fatalf("report without its chart: %+v", r.Image)
	}
	if _, err := png.Decode(bytes.NewReader(r.Image.Data)); err != nil {
		t.Errorf("chart: %v", err)
	}
	// Monday 09:30, the bot having been down over the weekend: the
	// latest daily report (Sunday's) and the weekly one; the missed daily
	// reports of the weekend are not made up.
	at(30, 9, 30)
	h.cycle()
	h.cycle()
	if got := reports("team"); len(got) != 2 || !strings.HasPrefix(got[1].Header, "Report 11/29 (일): 1 watch") {
		t.Errorf("daily reports to team by Monday = %d (last %q), want 2, the last of Sunday", len(got), got[len(got)-1].Header)
	}
	week := reports("weekly")
	if len(week) != 1 || !strings.HasPrefix(week[0].Header, "Report 11/23 (월) – 11/29 (일): 1 watch") ||
		!strings.Contains(week[0].Text, "■ policy-week: 1 matches") {
		t.Errorf("weekly reports = %+v, want one of Monday 11/23 to Sunday 11/29 of policy-week", week)
	}
	m := gather(t, h.reg, "newshound_trend_events_total")
	if m["report,queued"].value != 3 || m["report,error"].value != 0 || m["surge,queued"].value != 0 {
		t.Errorf("newshound_trend_events_total = %+v, want 3 reports queued", m)
	}
}

// TestReportRetriedUntilSent checks that a report that fails is kept and
// sent once when the channel works again.
func TestReportRetriedUntilSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.chans["team"].fail = []error{notify.Permanent(errors.New("channel_not_found"))}
	if _, err := h.bot.SendReport(t.Context(), "team", nil, 7); err == nil {
		t.Fatal("a failed send reported no error")
	}
	h.clock.Set(h.clock.Now().Add(time.Hour))
	h.cycle()
	h.cycle()
	var n int
	for _, m := range h.chans["team"].got {
		if m.Kind == notify.KindReport {
			n++
		}
	}
	if n != 1 {
		t.Errorf("report delivered %d times after the failure, want 1", n)
	}
	if _, err := h.bot.SendReport(t.Context(), "nowhere", nil, 7); err == nil {
		t.Error("a report to an unknown channel: no error")
	}
}
