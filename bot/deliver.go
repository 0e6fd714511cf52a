package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newshound/newshound/bot/digest"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/store"
)

// sendTimeout bounds one Send. A send already started is allowed to finish
// when the bot is stopping, so an accepted message is always recorded.
const sendTimeout = 30 * time.Second

// DeliverResult summarizes one delivery pass over one channel.
type DeliverResult struct {
	Channel string
	Sent    int // deliveries accepted by the platform
	Pending int // deliveries left pending after a failure
	Err     error
}

// deliverChannel sends the channel's due outbox rows: it freezes them into
// messages, splits them for the platform and sends part by part, marking
// rows sent as each part is accepted. A part that keeps failing leaves its
// rows and all later rows pending for a later cycle.
func (b *Bot) deliverChannel(ctx context.Context, rt *runtime, channel string) DeliverResult {
	if rt.notifiers[channel] == nil {
		return DeliverResult{Channel: channel}
	}
	// A read first, so an idle channel costs no write (the daemon looks
	// every second); the rows are read again under the lease.
	if due, err := b.opt.Store.Pending(ctx, channel, b.opt.Now()); err == nil && len(due) == 0 {
		return DeliverResult{Channel: channel}
	}
	h, ok := b.hold(ctx, "channel:"+channel)
	if !ok {
		return DeliverResult{Channel: channel}
	}
	defer h.release()
	res := b.deliver(ctx, rt, channel, h)
	b.opt.Metrics.delivered(res)
	return res
}

// deliver runs one delivery pass under the channel's lease h.
func (b *Bot) deliver(ctx context.Context, rt *runtime, channel string, h *holding) (res DeliverResult) {
	res = DeliverResult{Channel: channel}
	n := rt.notifiers[channel]
	if n == nil {
		return res
	}
	due, err := b.opt.Store.Pending(ctx, channel, b.opt.Now())
	if err != nil {
		res.Err = fmt.Errorf("bot: channel %s: %w", channel, err)
		return res
	}
	due = b.recordAccepted(ctx, channel, due)
	// Surge alerts and reports go out as messages of their own.
	due, ok := b.deliverSpecial(ctx, rt, h, channel, n, due, &res)
	if !ok {
		return res
	}
	// Later copies of stories already alerted grow those messages; the
	// rest are new messages.
	var kids []store.Delivery
	fresh := due[:0:0]
	for _, r := range due {
		if r.Parent != 0 {
			kids = append(kids, r)
		} else {
			fresh = append(fresh, r)
		}
	}
	due = fresh
	defer func() {
		if res.Err == nil && len(kids) > 0 {
			res = b.growAll(ctx, rt, h, channel, n, kids, res)
		}
	}()
	if len(due) == 0 {
		return res
	}
	d := b.compose(rt, channel, due)
	var parts []part
	for _, pc := range n.Split(d.Message) {
		parts = append(parts, part{msg: pc, ids: d.IDs(pc), rows: d.Rows})
	}
	if len(parts) > 0 {
		// Rows no part accounts for (a platform that dropped an entry from
		// its split) travel with the last part rather than staying forever.
		seen := map[int64]bool{}
		for _, p := range parts {
			for _, id := range p.ids {
				seen[id] = true
			}
		}
		last := &parts[len(parts)-1]
		for _, r := range due {
			if !seen[r.ID] {
				last.ids = append(last.ids, r.ID)
			}
		}
	}
	for i, p := range parts {
		err := b.sendPart(ctx, h, n, channel, p)
		if errors.Is(err, errLeaseLost) {
			// Another replica holds the channel now and sends what is
			// left; recording a failure would only delay it.
			res.Err = err
			return res
		}
		if err == nil || errors.Is(err, errNotRecorded) {
			b.opt.Metrics.accepted(channel, createdOf(due, p.ids), b.opt.Now())
		}
		if errors.Is(err, errNotRecorded) {
			// Sent, but the store did not record it: never send it again;
			// the next pass records it before anything else.
			res.Err = err
			return res
		}
		if err != nil {
			var left []int64
			for _, q := range parts[i:] {
				left = append(left, q.ids...)
			}
			res.Pending = len(left)
			res.Err = err
			b.fail(ctx, channel, left, due, err)
			return res
		}
		res.Sent += len(p.ids)
	}
	b.mu.Lock()
	delete(b.lastFail, channel)
	b.mu.Unlock()
	return res
}

// part is one platform message and the outbox rows it carries.
type part struct {
	msg notify.Message
	ids []int64
	// rows maps each entry's ID to the rows folded into it.
	rows map[int64][]int64
}

// createdOf returns the Created times of the rows with the given ids.
func createdOf(rows []store.Delivery, ids []int64) []time.Time {
	want := make(map[int64]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var out []time.Time
	for _, r := range rows {
		if want[r.ID] {
			out = append(out, r.Created)
		}
	}
	return out
}

// compose freezes a channel's due rows into one digest message: grouped
// by watch, syndicated copies folded into one entry, max_items applied.
func (b *Bot) compose(rt *runtime, channel string, due []store.Delivery) digest.Digest {
	entries := make([]notify.Entry, len(due))
	for i, r := range due {
		entries[i] = decodeEntry(r)
	}
	d := digest.Build(entries, func(watch string) int {
		if s := rt.schedules[watch]; s != nil {
			return s.MaxItems()
		}
		return 0
	})
	d.Message.Channel = channel
	d.Message.Location = rt.cfg.Location
	return d
}

// sendPart sends one part (keeping the message's reference when the part
// is one story and the channel can edit it) and records its rows as sent.
func (b *Bot) sendPart(ctx context.Context, h *holding, n notify.Notifier, channel string, p part) error {
	var ref string
	err := b.retrying(ctx, h, channel, func(ctx context.Context) error {
		if ed, ok := n.(notify.Editor); ok && len(p.msg.Entries) == 1 {
			var err error
			ref, err = ed.SendRef(ctx, p.msg)
			return err
		}
		return n.Send(ctx, p.msg)
	})
	if err != nil {
		return err
	}
	if err := b.recordSent(ctx, channel, p.ids, "", len(p.msg.Entries), time.Now()); err != nil {
		return err
	}
	if p.msg.Kind != "" {
		return nil // a surge alert or report: no story grows from it
	}
	// Each story's rows keep what carried them: the message to edit when
	// the part was one story on a channel that edits, else the story's
	// first row, so a later copy knows which outlets were named.
	for _, e := range p.msg.Entries {
		rows := p.rows[e.ID]
		if len(rows) == 0 {
			rows = []int64{e.ID}
		}
		tag := ref
		if tag == "" {
			tag = entryTag(slices.Min(rows))
		}
		if err := b.opt.Store.SetMessageID(context.WithoutCancel(ctx), rows, tag); err != nil {
			// Later copies of the story then come as a follow-up.
			b.log.Warn("recording the message reference failed", "channel", channel, "error", err.Error())
		}
	}
	return nil
}

// entryTag is the message reference of rows that went out together as one
// entry of a message that cannot be edited (a digest, or a channel that
// does not edit): "entry:" and the story's first row.
func entryTag(id int64) string { return "entry:" + strconv.FormatInt(id, 10) }

// editable reports whether ref names a platform message that can be
// edited, not an entryTag or a gone message.
func editable(ref string) bool {
	return ref != "" && ref != goneMessage && !strings.HasPrefix(ref, "entry:")
}

// recordSent records rows a platform accepted as sent, with the reference
// of the message that carried them when there is one; accepted is when
// the platform accepted them, for the window in which a crash would make
// another replica send them again.
func (b *Bot) recordSent(ctx context.Context, channel string, ids []int64, ref string, entries int, accepted time.Time) error {
	merr := b.markSent(ctx, ids)
	b.opt.Metrics.markWindow(time.Since(accepted))
	if merr != nil {
		// The platform has it: keep the rows out of every later
		// pass of this process until the store records them.
		b.mu.Lock()
		for _, id := range ids {
			b.accepted[id] = true
		}
		b.mu.Unlock()
		b.log.Error("delivered but not recorded as sent; will record later, never resend", "channel", channel, "rows", len(ids), "error", merr.Error())
		return fmt.Errorf("bot: channel %s: %w: %w", channel, errNotRecorded, merr)
	}
	if ref != "" {
		if err := b.opt.Store.SetMessageID(context.WithoutCancel(ctx), ids, ref); err != nil {
			b.log.Warn("recording the message reference failed", "channel", channel, "error", err.Error())
		}
	}
	b.log.Info("delivered", "channel", channel, "entries", entries, "rows", len(ids))
	return nil
}

// retrying is the retry loop: the only place that decides whether, and
// when, a failed send or edit is tried again within this cycle. A message
// that is gone (notify.ErrGone) is not retried. Every attempt first
// confirms the channel's lease h with the store, so a replica that lost
// it stops before it sends; a send under way is cut off when the
// heartbeat finds the lease lost (both return an error wrapping
// errLeaseLost).
func (b *Bot) retrying(ctx context.Context, h *holding, channel string, send func(ctx context.Context) error) error {
	pol := b.opt.Retry
	for attempt := 1; ; attempt++ {
		if !h.renew(ctx) {
			return fmt.Errorf("bot: channel %s: %w", channel, errLeaseLost)
		}
		sctx, cancel := context.WithTimeout(h.ctx, sendTimeout)
		err := send(sctx)
		cancel()
		if err != nil && context.Cause(h.ctx) == errLeaseLost {
			return fmt.Errorf("bot: channel %s: send cut off: %w: %w", channel, errLeaseLost, err)
		}
		if err == nil {
			return nil
		}
		retry, after := notify.Retryable(err)
		if !retry || errors.Is(err, notify.ErrGone) || attempt >= pol.Attempts || ctx.Err() != nil {
			return fmt.Errorf("bot: channel %s: attempt %d: %w", channel, attempt, err)
		}
		wait := backoff(pol.Base, attempt, pol.MaxWait)
		if after > wait {
			wait = after
		}
		if wait > pol.MaxWait {
			return fmt.Errorf("bot: channel %s: asked to wait %s: %w", channel, after, err)
		}
		b.log.Warn("delivery failed; retrying", "channel", channel, "attempt", attempt, "wait", wait, "error", err.Error())
		if serr := b.opt.Sleep(ctx, wait); serr != nil {
			return fmt.Errorf("bot: channel %s: %w", channel, err)
		}
	}
}

// errNotRecorded marks a part the platform accepted but the store could
// not record as sent.
var errNotRecorded = errors.New("delivered but not recorded as sent")

// markSent records rows as sent, trying a few times: a store blip must not
// turn into a second delivery.
func (b *Bot) markSent(ctx context.Context, ids []int64) error {
	ctx = context.WithoutCancel(ctx)
	var err error
	for attempt := 1; attempt <= 4; attempt++ {
		if err = b.opt.Store.MarkSent(ctx, ids, b.opt.Now()); err == nil {
			return nil
		}
		if attempt < 4 {
			_ = b.opt.Sleep(ctx, backoff(100*time.Millisecond, attempt, time.Second))
		}
	}
	return err
}

// recordAccepted records rows a platform accepted earlier but the store
// did not record, and returns the rest of rows, which may be sent.
func (b *Bot) recordAccepted(ctx context.Context, channel string, rows []store.Delivery) []store.Delivery {
	b.mu.Lock()
	var done []int64
	out := rows[:0:0]
	for _, r := range rows {
		if b.accepted[r.ID] {
			done = append(done, r.ID)
		} else {
			out = append(out, r)
		}
	}
	b.mu.Unlock()
	if len(done) > 0 {
		if err := b.markSent(ctx, done); err != nil {
			b.log.Error("still cannot record delivered rows as sent", "channel", channel, "rows", len(done), "error", err.Error())
			return nil // try again next pass; send nothing meanwhile
		}
		b.mu.Lock()
		for _, id := range done {
			delete(b.accepted, id)
		}
		b.mu.Unlock()
	}
	return out
}

// fail records a failed delivery: the rows stay pending and are tried
// again after a backoff that grows with their attempts.
func (b *Bot) fail(ctx context.Context, channel string, ids []int64, rows []store.Delivery, err error) {
	attempts := 0
	for _, d := range rows {
		attempts = max(attempts, d.Attempts)
	}
	next := b.opt.Now().Add(backoff(b.opt.Retry.Base*5, attempts+1, b.opt.Retry.MaxBackoff))
	if _, after := notify.Retryable(err); after > 0 && b.opt.Now().Add(after).After(next) {
		next = b.opt.Now().Add(after)
	}
	msg := err.Error()
	b.log.Error("delivery failed; kept pending", "channel", channel, "rows", len(ids), "next_attempt", next, "error", msg)
	if merr := b.opt.Store.MarkFailed(context.WithoutCancel(ctx), ids, msg, next); merr != nil {
		b.log.Error("recording failed delivery", "channel", channel, "error", merr.Error())
	}
	b.mu.Lock()
	b.lastFail[channel] = msg
	b.mu.Unlock()
}

// backoff is base·2^(attempt-1), capped.
func backoff(base time.Duration, attempt int, limit time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// decodeEntry reads an outbox payload; a row whose payload cannot be read
// is still delivered from its title and link columns.
func decodeEntry(d store.Delivery) notify.Entry {
	var e notify.Entry
	if err := json.Unmarshal(d.Payload, &e); err != nil || e.Title == "" {
		e = notify.Entry{Watch: d.Watch, Feed: d.Feed, Source: d.Feed, Title: d.Title, Link: d.Link, Published: d.Created}
	}
	e.ID = d.ID
	return e
}
