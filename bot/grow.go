package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/newshound/newshound/bot/digest"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/store"
)

// thinTitle is the length below which a headline may be replaced by a
// fuller one from a later outlet.
const thinTitle = 20

// growAll grows the messages of stories already alerted in the channel
// with the later copies in kids (rows with a Parent): one edit per
// message, or one compact follow-up where the channel cannot edit. It
// runs under the channel's lease, like sends, so of several replicas one
// makes each change once.
func (b *Bot) growAll(ctx context.Context, rt *runtime, h *holding, channel string, n notify.Notifier, kids []store.Delivery, res DeliverResult) DeliverResult {
	byParent := map[int64][]store.Delivery{}
	var parents []int64
	for _, k := range kids {
		if _, ok := byParent[k.Parent]; !ok {
			parents = append(parents, k.Parent)
		}
		byParent[k.Parent] = append(byParent[k.Parent], k)
	}
	slices.Sort(parents)
	for _, id := range parents {
		if !h.renew(ctx) {
			res.Err = fmt.Errorf("bot: channel %s: %w", channel, errLeaseLost)
			return res
		}
		rows := byParent[id]
		err := b.grow(ctx, rt, h, channel, n, id, rows)
		if errors.Is(err, errNotRecorded) || errors.Is(err, errLeaseLost) {
			// Not recorded: the next pass records it first. Lease lost:
			// the replica holding the channel now makes the change.
			res.Err = err
			return res
		}
		if err != nil {
			res.Pending += len(rows)
			res.Err = err
			b.fail(ctx, channel, ids(rows), rows, err)
			return res
		}
		res.Sent += len(rows)
	}
	return res
}

// grow makes one change to the message of the story whose first row is
// parentID: the story with every outlet so far, edited in place, or a
// compact follow-up naming the new outlets.
func (b *Bot) grow(ctx context.Context, rt *runtime, h *holding, channel string, n notify.Notifier, parentID int64, rows []store.Delivery) error {
	parent, err := b.opt.Store.Delivery(ctx, parentID)
	if err != nil {
		return fmt.Errorf("bot: channel %s: reading story %d: %w", channel, parentID, err)
	}
	all, err := b.opt.Store.Children(ctx, parentID)
	if err != nil {
		return fmt.Errorf("bot: channel %s: reading story %d: %w", channel, parentID, err)
	}
	story := decodeEntry(parent)
	if parent.MessageID != "" && parent.MessageID != goneMessage {
		// The outlets the message named already: every row it carried.
		shown, err := b.opt.Store.Since(ctx, channel, parent.Created)
		if err != nil {
			return fmt.Errorf("bot: channel %s: reading story %d: %w", channel, parentID, err)
		}
		for _, r := range shown {
			if r.ID != parent.ID && r.Parent == 0 && r.MessageID == parent.MessageID {
				addOutlet(&story, decodeEntry(r))
			}
		}
	}
	fresh := map[int64]bool{}
	for _, r := range rows {
		fresh[r.ID] = true
	}
	var added []notify.Source // outlets of this change
	for _, c := range all {
		e := decodeEntry(c)
		if e.Published.After(story.LastSeen) {
			story.LastSeen = e.Published
		}
		if utf8.RuneCountInString(story.Title) < thinTitle && utf8.RuneCountInString(e.Title) > utf8.RuneCountInString(story.Title) {
			story.Title = e.Title
		}
		if src, ok := addOutlet(&story, e); ok && fresh[c.ID] {
			added = append(added, src)
		}
	}
	if len(added) == 0 || parent.MessageID == goneMessage {
		// The outlet was named already (a republished or updated copy),
		// or the story's message is gone or muted: no edit, no follow-up.
		b.log.Info("same story from an outlet already named; held back", "channel", channel, "story", parentID, "rows", len(rows))
		return b.recordSent(ctx, channel, ids(rows), "", 0, time.Now())
	}
	msg := digest.Build([]notify.Entry{story}, nil).Message
	msg.Channel, msg.Location = channel, rt.cfg.Location
	ed, editor := n.(notify.Editor)
	ref := parent.MessageID
	if !editor || !editable(ref) {
		// The channel cannot edit: one compact follow-up, never a
		// second full alert.
		up := notify.Entry{
			ID: parent.ID, Watch: story.Watch, Feed: story.Feed, Source: story.Source,
			Title: story.Title, Link: story.Link, Published: story.Published, LastSeen: story.LastSeen,
			Also: added, Urgent: story.Urgent,
		}
		msg.Entries = []notify.Entry{up}
		msg.Header = fmt.Sprintf("%s: reported by %d more", story.Watch, len(added))
		if err := b.retrying(ctx, h, channel, func(ctx context.Context) error { return n.Send(ctx, msg) }); err != nil {
			return err
		}
		b.opt.Metrics.grown(channel, "follow_up")
		return b.recordSent(ctx, channel, ids(rows), "", 1, time.Now())
	}
	err = b.retrying(ctx, h, channel, func(ctx context.Context) error { return ed.Edit(ctx, ref, msg) })
	if errors.Is(err, notify.ErrGone) {
		// Deleted in the channel: the story's edits end, quietly.
		b.log.Info("alert message is gone; its story is no longer edited", "channel", channel, "story", parentID)
		if serr := b.opt.Store.SetMessageID(context.WithoutCancel(ctx), []int64{parentID}, goneMessage); serr != nil {
			b.log.Warn("recording the gone message failed", "channel", channel, "error", serr.Error())
		}
		b.opt.Metrics.grown(channel, "gone")
		return b.recordSent(ctx, channel, ids(rows), "", 0, time.Now())
	}
	if err != nil {
		return err
	}
	b.opt.Metrics.grown(channel, "edit")
	b.log.Info("alert edited", "channel", channel, "story", parentID, "outlets", len(story.Also)+1)
	return b.recordSent(ctx, channel, ids(rows), "", 1, time.Now())
}

// addOutlet adds e's outlet to the story's Also unless the story names it
// already, and reports the source it added.
func addOutlet(story *notify.Entry, e notify.Entry) (notify.Source, bool) {
	name := cmp.Or(e.Source, e.Feed)
	if name == "" || name == cmp.Or(story.Source, story.Feed) {
		return notify.Source{}, false
	}
	for _, a := range story.Also {
		if a.Name == name {
			return notify.Source{}, false
		}
	}
	src := notify.Source{Name: name, Link: e.Link}
	story.Also = append(story.Also, src)
	return src, true
}

// ids returns the IDs of rows.
func ids(rows []store.Delivery) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}
