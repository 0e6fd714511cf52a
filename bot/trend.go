package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/chart"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/trend"
)

// Item keys of outbox rows that are not feed items: a surge alert or a
// report, one row per channel. The rest of the key makes each one unique.
const (
	surgeKeyPrefix  = "surge\x00"
	reportKeyPrefix = "report\x00"
)

// special is the payload of a surge or report row: the message to send,
// apart from what only the sender knows (channel, time zone, chart).
type special struct {
	Kind    string         `json:"kind"`
	Header  string         `json:"header"`
	Text    string         `json:"text,omitempty"`
	Entries []notify.Entry `json:"entries,omitempty"`
	// Chart is the report's data the chart is drawn from at send time.
	Chart json.RawMessage `json:"chart,omitempty"`
}

// isSpecial tells surge and report rows from item rows.
func isSpecial(d store.Delivery) bool {
	return strings.HasPrefix(d.ItemKey, surgeKeyPrefix) || strings.HasPrefix(d.ItemKey, reportKeyPrefix)
}

// checkSurges looks for surges of the watches that have surge settings
// and new matches in found, and queues one alert per surge to each of the
// watch's channels. A failure is logged; it never fails the poll.
func (b *Bot) checkSurges(ctx context.Context, rt *runtime, seen *recall, found []store.Match) {
	var watches []string
	for _, m := range found {
		if w, ok := rt.watches[m.Watch]; ok && w.Surge != nil && !slices.Contains(watches, m.Watch) {
			watches = append(watches, m.Watch)
		}
	}
	if len(watches) == 0 {
		return
	}
	// One replica (and one poll of this one) checks at a time, so a surge
	// is queued once.
	h, ok := b.hold(ctx, "schedule:surge")
	if !ok {
		return
	}
	defer h.release()
	b.surgeMu.Lock()
	defer b.surgeMu.Unlock()
	det := &trend.Detector{Store: b.opt.Store, Now: b.opt.Now}
	mutes := seen.mutes(ctx)
	for _, name := range watches {
		w := rt.watches[name]
		if mutes[name] {
			continue
		}
		set := trend.Settings{Factor: w.Surge.Factor, MinStories: w.Surge.MinStories, Window: w.Surge.Window.D()}
		surges, err := det.Check(ctx, name, append(slices.Clone(w.Keywords), w.Urgent...), set)
		if err != nil {
			b.opt.Metrics.trend("surge", err)
			b.log.Error("surge check failed", "watch", name, "error", err.Error())
			continue
		}
		for _, s := range surges {
			if s.Query != "" && mutes[s.Query] {
				continue
			}
			err := b.queueSurge(ctx, w, s)
			b.opt.Metrics.trend("surge", err)
			if err != nil {
				b.log.Error("queueing a surge alert failed", "watch", name, "error", err.Error())
				continue
			}
			if err := det.Record(ctx, s); err != nil {
				b.log.Error("recording a surge failed", "watch", name, "error", err.Error())
			}
		}
	}
}

// queueSurge puts a surge alert in the outbox of each channel of w.
func (b *Bot) queueSurge(ctx context.Context, w config.Watch, s trend.Surge) error {
	sp := special{Kind: notify.KindSurge, Header: SurgeHeadline(s)}
	for _, st := range s.Top {
		e := notify.Entry{Watch: w.Name, Feed: st.Source, Source: st.Source, Title: st.Title, Link: st.Link,
			Published: st.First, Query: s.Query}
		for _, o := range st.Outlets[1:] {
			e.Also = append(e.Also, notify.Source{Name: o})
		}
		sp.Entries = append(sp.Entries, e)
	}
	payload, err := json.Marshal(sp)
	if err != nil {
		return err
	}
	key := surgeKeyPrefix + s.Key() + "\x00" + strconv.FormatInt(s.At.UnixMilli(), 10)
	var ds []store.Delivery
	for _, ch := range w.Channels {
		ds = append(ds, store.Delivery{
			Channel: ch, ItemKey: key, Watch: w.Name, Title: notify.Truncate(sp.Header, titleRunes),
			Link: firstLink(s.Top), Urgent: true, Payload: payload, Status: store.StatusPending,
			Created: s.At, Due: s.At,
		})
	}
	ins, err := b.opt.Store.Enqueue(ctx, ds)
	if err != nil {
		return err
	}
	for _, d := range ins {
		b.opt.Metrics.queued(d.Channel)
		b.log.Info("surge alert queued", "watch", w.Name, "query", s.Query, "channel", d.Channel,
			"stories", s.Stories, "outlets", s.Outlets, "factor", s.Factor)
	}
	return nil
}

func firstLink(ss []trend.Story) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0].Link
}

// SurgeHeadline is the first line of a surge alert:
// "🔺 트럼프: 18 stories from 9 outlets in the last hour, 6× normal".
func SurgeHeadline(s trend.Surge) string {
	name := s.Watch
	if s.Query != "" {
		name = s.Query
	}
	return fmt.Sprintf("🔺 %s: %s from %s in the last %s, %s normal",
		name, plural(s.Stories, "story", "stories"), plural(s.Outlets, "outlet", "outlets"), windowText(s.Window), factorText(s.Factor))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// windowText says a window as "hour", "2h", "30m".
func windowText(d time.Duration) string {
	if d == time.Hour {
		return "hour"
	}
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// factorText says a factor as "6×" (whole when at least 2) or "1.5×".
func factorText(f float64) string {
	if f >= 2 {
		return strconv.Itoa(int(math.Round(f))) + "×"
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + "×"
}

// deliverSpecial sends the surge and report rows among due, each as its
// own message, and returns the other rows. It stops at the first failure,
// leaving the failed row and the rest of due pending.
func (b *Bot) deliverSpecial(ctx context.Context, rt *runtime, h *holding, channel string, n notify.Notifier, due []store.Delivery, res *DeliverResult) (rest []store.Delivery, ok bool) {
	for i, r := range due {
		if !isSpecial(r) {
			rest = append(rest, r)
			continue
		}
		msg, err := b.specialMessage(rt, channel, r)
		if err != nil {
			// A row that cannot be read is logged and recorded as sent,
			// so it does not block the channel forever.
			b.log.Error("unreadable surge or report row dropped", "channel", channel, "row", r.ID, "error", err.Error())
			if merr := b.markSent(ctx, []int64{r.ID}); merr != nil {
				b.log.Error("recording a dropped row", "channel", channel, "error", merr.Error())
			}
			continue
		}
		parts := n.Split(msg)
		for j, pm := range parts {
			if j > 0 {
				pm.Image = nil // the chart goes with the first part only
			}
			p := part{msg: pm}
			if j == len(parts)-1 {
				p.ids = []int64{r.ID}
			}
			err := b.sendPart(ctx, h, n, channel, p)
			if errors.Is(err, errLeaseLost) {
				// The replica holding the channel now sends what is left.
				res.Err = err
				return nil, false
			}
			if err == nil && len(p.ids) > 0 {
				b.opt.Metrics.accepted(channel, []time.Time{r.Created}, b.opt.Now())
				res.Sent++
			}
			if err != nil {
				res.Err = err
				if !errors.Is(err, errNotRecorded) {
					left := []int64{r.ID}
					for _, q := range due[i+1:] {
						left = append(left, q.ID)
					}
					res.Pending = len(left)
					b.fail(ctx, channel, left, due, err)
				}
				return nil, false
			}
		}
	}
	return rest, true
}

// specialMessage builds the message of a surge or report row.
func (b *Bot) specialMessage(rt *runtime, channel string, r store.Delivery) (notify.Message, error) {
	var sp special
	if err := json.Unmarshal(r.Payload, &sp); err != nil {
		return notify.Message{}, fmt.Errorf("payload: %w", err)
	}
	if sp.Kind != notify.KindSurge && sp.Kind != notify.KindReport {
		return notify.Message{}, fmt.Errorf("unknown kind %q", sp.Kind)
	}
	msg := notify.Message{Channel: channel, Kind: sp.Kind, Header: sp.Header, Text: sp.Text,
		Entries: sp.Entries, Location: rt.cfg.Location}
	for i := range msg.Entries {
		msg.Entries[i].ID = r.ID
	}
	if len(sp.Chart) > 0 {
		img, err := ReportImage(sp.Chart)
		if err != nil {
			b.log.Warn("drawing the report chart failed; sending the text alone", "channel", channel, "error", err.Error())
		} else {
			msg.Image = img
		}
	}
	return msg, nil
}

// ReportImage draws a report's chart from its stored data as a PNG.
func ReportImage(data []byte) (*notify.Image, error) {
	var d chart.Data
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("chart data: %w", err)
	}
	png, err := chart.PNG(d)
	if err != nil {
		return nil, err
	}
	return &notify.Image{Name: "report.png", Type: "image/png", Alt: d.Title, Data: png}, nil
}
