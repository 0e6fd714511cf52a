package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/report"
	"github.com/newshound/newshound/store"
)

// reportSchedule is one report: config key (watch or channel), its
// watches and channels, and its time.
type reportSchedule struct {
	key      string // "watch:<name>" or "channel:<name>"
	watches  []string
	channels []string
	day      time.Weekday
	weekly   bool
	clock    time.Duration
}

// days is how many days the report covers: a week, or a day.
func (s reportSchedule) days() int {
	if s.weekly {
		return 7
	}
	return 1
}

// lastSlot is the latest time of the schedule at or before now, in loc.
func (s reportSchedule) lastSlot(now time.Time, loc *time.Location) time.Time {
	local := now.In(loc)
	y, m, d := local.Date()
	for i := 0; i <= 7; i++ {
		day := time.Date(y, m, d-i, 0, 0, 0, 0, loc)
		if s.weekly && day.Weekday() != s.day {
			continue
		}
		slot := time.Date(day.Year(), day.Month(), day.Day(), int(s.clock/time.Hour), int(s.clock%time.Hour/time.Minute), 0, 0, loc)
		if !slot.After(now) {
			return slot
		}
	}
	return time.Time{}
}

// reportSchedules lists the watchlist's reports: each watch's report to its
// channels, and each channel's report of the watches posting to it.
func reportSchedules(cfg *config.Config) []reportSchedule {
	var out []reportSchedule
	add := func(key string, r *config.Report, watches, channels []string) {
		day, weekly, clock, err := config.ParseReportAt(r.At)
		if err != nil || len(watches) == 0 {
			return // the loader refuses a bad time; a channel no watch posts to has nothing to report
		}
		out = append(out, reportSchedule{key: key, watches: watches, channels: channels, day: day, weekly: weekly, clock: clock})
	}
	for _, w := range cfg.Watches {
		if w.Report != nil {
			add("watch:"+w.Name, w.Report, []string{w.Name}, w.Channels)
		}
	}
	for _, name := range cfg.ChannelOrder {
		if r := cfg.Channels[name].Report; r != nil {
			var ws []string
			for _, w := range cfg.Watches {
				if slices.Contains(w.Channels, name) {
					ws = append(ws, w.Name)
				}
			}
			add("channel:"+name, r, ws, []string{name})
		}
	}
	return out
}

// scheduleReports queues every scheduled report whose time has come since
// the last one. The first time a report is seen, its latest time is only
// recorded: a new schedule does not send a report of the past at once.
// Each report's time is remembered in Meta ("report:<key>"), and the
// outbox key holds it too, so a report is queued once per time even when
// the bookkeeping fails or replicas race.
func (b *Bot) scheduleReports(ctx context.Context, rt *runtime, now time.Time) {
	for _, s := range reportSchedules(rt.cfg) {
		slot := s.lastSlot(now, rt.cfg.Location)
		if slot.IsZero() {
			continue
		}
		b.mu.Lock()
		done := b.reportSlots[s.key].Equal(slot) || now.Before(b.reportRetry[s.key])
		b.mu.Unlock()
		if done {
			continue
		}
		if err := b.scheduleReport(ctx, rt, s, slot); err != nil {
			b.opt.Metrics.trend("report", err)
			b.log.Error("scheduling a report failed; trying again in a minute", "report", s.key, "error", err.Error())
			b.mu.Lock()
			b.reportRetry[s.key] = now.Add(time.Minute)
			b.mu.Unlock()
			continue
		}
		b.mu.Lock()
		b.reportSlots[s.key] = slot
		b.mu.Unlock()
	}
}

func (b *Bot) scheduleReport(ctx context.Context, rt *runtime, s reportSchedule, slot time.Time) error {
	metaKey := "report:" + s.key
	v, err := b.opt.Store.GetMeta(ctx, metaKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// First sight: remember the latest time, send from the next one.
		return b.opt.Store.SetMeta(ctx, metaKey, strconv.FormatInt(slot.UnixMilli(), 10))
	case err != nil:
		return err
	}
	last, perr := strconv.ParseInt(v, 10, 64)
	if perr == nil && last >= slot.UnixMilli() {
		return nil
	}
	from, to := report.Period(slot, s.days(), rt.cfg.Location, true)
	if err := b.queueReport(ctx, rt, s.channels, s.watches, from, to, s.key+"\x00"+strconv.FormatInt(slot.UnixMilli(), 10)); err != nil {
		return err
	}
	return b.opt.Store.SetMeta(ctx, metaKey, strconv.FormatInt(slot.UnixMilli(), 10))
}

// queueReport builds the report of watches over [from, to) and queues it
// for each channel under the outbox key key (after reportKeyPrefix).
func (b *Bot) queueReport(ctx context.Context, rt *runtime, channels, watches []string, from, to time.Time, key string) error {
	r, err := report.Build(ctx, b.opt.Store, rt.cfg, watches, from, to)
	if err != nil {
		return err
	}
	data, err := json.Marshal(r.Chart())
	if err != nil {
		return err
	}
	sp := special{Kind: notify.KindReport, Header: r.Header(), Text: r.Body(), Chart: data}
	payload, err := json.Marshal(sp)
	if err != nil {
		return err
	}
	var ds []store.Delivery
	for _, ch := range channels {
		ds = append(ds, store.Delivery{
			Channel: ch, ItemKey: reportKeyPrefix + key, Watch: watches[0], Title: notify.Truncate(sp.Header, titleRunes),
			Payload: payload, Status: store.StatusPending, Created: b.opt.Now(), Due: b.opt.Now(),
		})
	}
	ins, err := b.opt.Store.Enqueue(ctx, ds)
	if err != nil {
		return err
	}
	if len(ins) > 0 {
		b.opt.Metrics.trend("report", nil)
	}
	for _, d := range ins {
		b.opt.Metrics.queued(d.Channel)
		b.log.Info("report queued", "channel", d.Channel, "watches", len(watches), "days", len(r.Days))
	}
	return nil
}

// SendReport builds the report of watches (every watch posting to the
// channel when none is given) over the last days days (today the last),
// queues it for the
// channel and delivers the channel now, through the outbox like every
// alert. It returns how many rows were sent.
func (b *Bot) SendReport(ctx context.Context, channel string, watches []string, days int) (int, error) {
	rt := b.rt.Load()
	if _, ok := rt.notifiers[channel]; !ok {
		return 0, fmt.Errorf("bot: no channel %q", channel)
	}
	if len(watches) == 0 {
		for _, w := range rt.cfg.Watches {
			if slices.Contains(w.Channels, channel) {
				watches = append(watches, w.Name)
			}
		}
	}
	if len(watches) == 0 {
		return 0, fmt.Errorf("bot: no watch posts to channel %q", channel)
	}
	now := b.opt.Now()
	key := "now\x00" + channel + "\x00" + strconv.FormatInt(now.UnixNano(), 10)
	from, to := report.Period(now, days, rt.cfg.Location, false)
	if err := b.queueReport(ctx, rt, []string{channel}, watches, from, to, key); err != nil {
		b.opt.Metrics.trend("report", err)
		return 0, fmt.Errorf("bot: report: %w", err)
	}
	for !b.claim(b.sending, channel) {
		if err := b.opt.Sleep(ctx, 50*time.Millisecond); err != nil {
			return 0, err
		}
	}
	defer b.release(b.sending, channel)
	r := b.deliverChannel(ctx, rt, channel)
	return r.Sent, r.Err
}
