package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/newshound/newshound/store"
)

// FeedState returns the state of a feed, or store.ErrNotFound.
func (s *Store) FeedState(ctx context.Context, feed string) (store.FeedState, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+feedStateColumns+` FROM feed_states WHERE feed = $1`, txt(feed))
	st, err := scanFeedState(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.FeedState{}, fmt.Errorf("postgres: feed state %q: %w", feed, store.ErrNotFound)
	}
	if err != nil {
		return store.FeedState{}, fmt.Errorf("postgres: feed state %q: %w", feed, err)
	}
	return st, nil
}

// PutFeedState creates or replaces the state of st.Feed.
func (s *Store) PutFeedState(ctx context.Context, st store.FeedState) error {
	if err := putFeedState(ctx, s.pool, st); err != nil {
		return fmt.Errorf("postgres: put feed state %q: %w", st.Feed, err)
	}
	return nil
}

// querier runs statements on the pool or in a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

func putFeedState(ctx context.Context, q querier, st store.FeedState) error {
	_, err := q.Exec(ctx, `INSERT INTO feed_states (`+feedStateColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (feed) DO UPDATE SET
			url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
			body_hash = excluded.body_hash, initialized = excluded.initialized,
			last_attempt = excluded.last_attempt, last_success = excluded.last_success,
			last_error = excluded.last_error, failures = excluded.failures,
			next_poll = excluded.next_poll, items_seen = excluded.items_seen`,
		txt(st.Feed), txt(st.URL), txt(st.ETag), txt(st.LastModified), txt(st.BodyHash), st.Initialized,
		pgTime(st.LastAttempt), pgTime(st.LastSuccess), txt(st.LastError), st.Failures,
		pgTime(st.NextPoll), st.ItemsSeen)
	return err
}

// RecordPoll writes what one poll found in one transaction. With
// deliveries it first takes Enqueue's lock, so the rows it inserts
// later cannot deadlock with another Enqueue.
func (s *Store) RecordPoll(ctx context.Context, p store.PollRecord) ([]store.Delivery, error) {
	if len(p.Deliveries) == 0 && len(p.Matches) == 0 && len(p.Seen) == 0 {
		// The state alone: one statement, no transaction around it.
		if err := putFeedState(ctx, s.pool, p.State); err != nil {
			return nil, fmt.Errorf("postgres: record poll of %q: %w", p.State.Feed, err)
		}
		return nil, nil
	}
	var added []store.Delivery
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if len(p.Deliveries) > 0 {
			if added, err = s.enqueue(ctx, tx, p.Deliveries); err != nil {
				return err
			}
		}
		if err := s.recordMatches(ctx, tx, p.Matches); err != nil {
			return err
		}
		if len(p.Seen) > 0 {
			if _, err := s.markSeen(ctx, tx, p.State.Feed, p.Seen, p.SeenAt); err != nil {
				return err
			}
		}
		return putFeedState(ctx, tx, p.State)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: record poll of %q: %w", p.State.Feed, err)
	}
	return added, nil
}

// FeedStates returns every feed state, ordered by feed name.
func (s *Store) FeedStates(ctx context.Context) ([]store.FeedState, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+feedStateColumns+` FROM feed_states ORDER BY feed`)
	sts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.FeedState, error) { return scanFeedState(row) })
	if err != nil {
		return nil, fmt.Errorf("postgres: feed states: %w", err)
	}
	return sts, nil
}

const feedStateColumns = `feed, url, etag, last_modified, body_hash, initialized,
	last_attempt, last_success, last_error, failures, next_poll, items_seen`

func scanFeedState(row pgx.Row) (store.FeedState, error) {
	var st store.FeedState
	var attempt, success, next *time.Time
	err := row.Scan(&st.Feed, &st.URL, &st.ETag, &st.LastModified, &st.BodyHash, &st.Initialized,
		&attempt, &success, &st.LastError, &st.Failures, &next, &st.ItemsSeen)
	st.LastAttempt, st.LastSuccess, st.NextPoll = fromPG(attempt), fromPG(success), fromPG(next)
	return st, err
}

// Unseen returns, in input order and without repeats, the keys of a feed
// not recorded by MarkSeen.
func (s *Store) Unseen(ctx context.Context, feed string, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT item_key FROM seen_items WHERE feed = $1 AND item_key = ANY($2)`, txt(feed), byteas(keys))
	seen, err := pgx.CollectRows(rows, rowToKey)
	if err != nil {
		return nil, fmt.Errorf("postgres: unseen %q: %w", feed, err)
	}
	skip := map[string]bool{}
	for _, k := range seen {
		skip[k] = true
	}
	return pick(keys, func(k string) bool { return !skip[k] }), nil
}

// MarkSeen records item keys of a feed and returns, in input order, those
// not seen before.
func (s *Store) MarkSeen(ctx context.Context, feed string, keys []string, at time.Time) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	inserted, err := s.markSeen(ctx, s.pool, feed, keys, at)
	if err != nil {
		return nil, fmt.Errorf("postgres: mark seen %q: %w", feed, err)
	}
	fresh := map[string]bool{}
	for _, k := range inserted {
		fresh[k] = true
	}
	return pick(keys, func(k string) bool { return fresh[k] }), nil
}

// markSeen inserts keys of feed and returns those not seen before.
func (s *Store) markSeen(ctx context.Context, q querier, feed string, keys []string, at time.Time) ([]string, error) {
	// Inserting in key order makes concurrent callers take row locks in
	// the same order, so they cannot deadlock.
	rows, _ := q.Query(ctx, `INSERT INTO seen_items (feed, item_key, seen_at)
		SELECT DISTINCT $1, k, $3::timestamptz FROM unnest($2::bytea[]) AS k ORDER BY k
		ON CONFLICT (feed, item_key) DO NOTHING
		RETURNING item_key`, txt(feed), byteas(keys), pgTime(s.stamp(at)))
	return pgx.CollectRows(rows, rowToKey)
}

// rowToKey reads an item key stored as bytea.
func rowToKey(row pgx.CollectableRow) (string, error) {
	var b []byte
	err := row.Scan(&b)
	return string(b), err
}

// byteas converts item keys to their stored form.
func byteas(keys []string) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = []byte(k)
	}
	return out
}

// txt makes s storable in a text column, which holds neither NUL bytes
// nor invalid UTF-8: both are replaced with U+FFFD.
func txt(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// pick returns the keys for which keep is true, in order, each once.
func pick(keys []string, keep func(string) bool) []string {
	var out []string
	done := map[string]bool{}
	for _, k := range keys {
		if keep(k) && !done[k] {
			done[k] = true
			out = append(out, k)
		}
	}
	return out
}

// Enqueue adds pending deliveries, skipping those whose (Channel,
// ItemKey) exists, and returns the inserted ones with IDs set.
//
// A transaction-level advisory lock serializes concurrent Enqueues, from
// this process or other replicas: rows of one batch then get consecutive
// IDs in input order, and batches inserting the same keys in different
// orders cannot deadlock.
func (s *Store) Enqueue(ctx context.Context, ds []store.Delivery) ([]store.Delivery, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	var added []store.Delivery
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		added, err = s.enqueue(ctx, tx, ds)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: enqueue: %w", err)
	}
	return added, nil
}

// enqueue takes Enqueue's lock in tx and inserts ds.
func (s *Store) enqueue(ctx context.Context, tx pgx.Tx, ds []store.Delivery) ([]store.Delivery, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('newshound.enqueue.' || coalesce(current_schema(), '')))`); err != nil {
		return nil, err
	}
	var added []store.Delivery
	for _, d := range ds {
		d.Status, d.Attempts, d.LastError, d.Sent = store.StatusPending, 0, "", time.Time{}
		d.Channel, d.Watch, d.Feed, d.Title, d.Link = txt(d.Channel), txt(d.Watch), txt(d.Feed), txt(d.Title), txt(d.Link)
		d.Created = norm(s.stamp(d.Created))
		d.Due, d.NextAttempt = norm(d.Due), norm(d.NextAttempt)
		err := tx.QueryRow(ctx, `INSERT INTO deliveries
			(channel, item_key, watch, feed, title, link, urgent, payload, status, created, due, next_attempt, parent)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (channel, item_key) DO NOTHING
			RETURNING id`,
			d.Channel, []byte(d.ItemKey), d.Watch, d.Feed, d.Title, d.Link, d.Urgent, d.Payload,
			d.Status, pgTime(d.Created), pgTime(d.Due), pgTime(d.NextAttempt), d.Parent).Scan(&d.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // a duplicate
		}
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", d.Channel, d.ItemKey, err)
		}
		added = append(added, d)
	}
	return added, nil
}

// deliveryColumns lists the columns scanDelivery reads, in order.
const deliveryColumns = `id, channel, item_key, watch, feed, title, link, urgent, payload,
	status, created, due, next_attempt, attempts, last_error, sent, parent, message_id`

func scanDelivery(row pgx.CollectableRow) (store.Delivery, error) {
	var d store.Delivery
	var key []byte
	var created, due, next, sent *time.Time
	err := row.Scan(&d.ID, &d.Channel, &key, &d.Watch, &d.Feed, &d.Title, &d.Link, &d.Urgent, &d.Payload,
		&d.Status, &created, &due, &next, &d.Attempts, &d.LastError, &sent, &d.Parent, &d.MessageID)
	d.ItemKey = string(key)
	d.Created, d.Due, d.NextAttempt, d.Sent = fromPG(created), fromPG(due), fromPG(next), fromPG(sent)
	return d, err
}

// Pending returns the pending deliveries of a channel ("" for all) that
// may be tried at now, oldest Due first, then by ID.
func (s *Store) Pending(ctx context.Context, channel string, now time.Time) ([]store.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries
		WHERE status = 'pending' AND (due IS NULL OR due <= $1) AND (next_attempt IS NULL OR next_attempt <= $1)`
	return s.deliveries(ctx, "pending", q, channel, " ORDER BY due NULLS FIRST, id", now.Truncate(time.Millisecond))
}

// DueChannels returns the channels with deliveries due at now.
func (s *Store) DueChannels(ctx context.Context, now time.Time) ([]string, error) {
	rows, _ := s.pool.Query(ctx, `SELECT DISTINCT channel COLLATE "C" FROM deliveries
		WHERE status = 'pending' AND (due IS NULL OR due <= $1) AND (next_attempt IS NULL OR next_attempt <= $1)
		ORDER BY 1`, now.Truncate(time.Millisecond))
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: due channels: %w", err)
	}
	return out, nil
}

// PendingAll returns every pending delivery of a channel ("" for all).
func (s *Store) PendingAll(ctx context.Context, channel string) ([]store.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE status = 'pending'`
	return s.deliveries(ctx, "pending all", q, channel, " ORDER BY due NULLS FIRST, id")
}

// Recent returns the sent deliveries of a channel ("" for all), newest
// first; limit <= 0 means all.
func (s *Store) Recent(ctx context.Context, channel string, limit int) ([]store.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE status = 'sent'`
	return s.deliveries(ctx, "recent", q, channel, " ORDER BY sent DESC, id DESC"+limitClause(limit))
}

// Since returns the deliveries of a channel ("" for all) created at or
// after t, oldest first.
func (s *Store) Since(ctx context.Context, channel string, t time.Time) ([]store.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE created >= $1`
	return s.deliveries(ctx, "since", q, channel, " ORDER BY created, id", t.Truncate(time.Millisecond))
}

// deliveries runs query q, restricted to channel unless it is "" and
// followed by order, and collects the deliveries. op names the operation
// in errors.
func (s *Store) deliveries(ctx context.Context, op, q, channel, order string, args ...any) ([]store.Delivery, error) {
	if channel != "" {
		args = append(args, txt(channel))
		q += fmt.Sprintf(` AND channel = $%d`, len(args))
	}
	rows, _ := s.pool.Query(ctx, q+order, args...)
	ds, err := pgx.CollectRows(rows, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", op, err)
	}
	return ds, nil
}

// Delivery returns the delivery with the given ID, or store.ErrNotFound.
func (s *Store) Delivery(ctx context.Context, id int64) (store.Delivery, error) {
	ds, err := s.deliveries(ctx, "delivery", `SELECT `+deliveryColumns+` FROM deliveries WHERE id = $1`, "", "", id)
	if err != nil {
		return store.Delivery{}, err
	}
	if len(ds) == 0 {
		return store.Delivery{}, store.ErrNotFound
	}
	return ds[0], nil
}

// Children returns the deliveries whose parent is id, by ascending ID.
func (s *Store) Children(ctx context.Context, id int64) ([]store.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE parent = $1 AND parent <> 0`
	return s.deliveries(ctx, "children", q, "", " ORDER BY id", id)
}

// SetMessageID records the message reference of deliveries.
func (s *Store) SetMessageID(ctx context.Context, ids []int64, messageID string) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.pool.Exec(ctx, `UPDATE deliveries SET message_id = $2 WHERE id = ANY($1)`, ids, txt(messageID)); err != nil {
		return fmt.Errorf("postgres: set message id: %w", err)
	}
	return nil
}

// limitClause returns a LIMIT clause, or nothing for limit <= 0.
func limitClause(limit int) string {
	if limit <= 0 {
		return ""
	}
	return fmt.Sprintf(" LIMIT %d", limit)
}

// MarkSent moves pending deliveries to sent; sent ones are left alone, so
// replicas racing to mark the same delivery agree on its Sent time.
func (s *Store) MarkSent(ctx context.Context, ids []int64, at time.Time) error {
	return s.updatePending(ctx, "mark sent", ids, `UPDATE deliveries SET status = 'sent', sent = $2`, pgTime(s.stamp(at)))
}

// MarkFailed records a failed attempt of pending deliveries.
func (s *Store) MarkFailed(ctx context.Context, ids []int64, msg string, next time.Time) error {
	return s.updatePending(ctx, "mark failed", ids,
		`UPDATE deliveries SET attempts = attempts + 1, last_error = $2, next_attempt = $3`, txt(msg), pgTime(next))
}

// Reschedule sets the Due time of pending deliveries.
func (s *Store) Reschedule(ctx context.Context, ids []int64, due time.Time) error {
	return s.updatePending(ctx, "reschedule", ids, `UPDATE deliveries SET due = $2, next_attempt = NULL`, pgTime(due))
}

// updatePending runs the UPDATE ... SET statement update on the pending
// deliveries among ids. ids is $1; args are $2 onwards.
func (s *Store) updatePending(ctx context.Context, op string, ids []int64, update string, args ...any) error {
	if len(ids) == 0 {
		return nil
	}
	q := update + ` WHERE status = 'pending' AND id = ANY($1)`
	if _, err := s.pool.Exec(ctx, q, append([]any{ids}, args...)...); err != nil {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	return nil
}

// PutMute creates or replaces the mute of m.Target.
func (s *Store) PutMute(ctx context.Context, m store.Mute) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO mutes (target, until, muted_by, created) VALUES ($1, $2, $3, $4)
		ON CONFLICT (target) DO UPDATE SET until = excluded.until, muted_by = excluded.muted_by, created = excluded.created`,
		txt(m.Target), pgTime(m.Until), txt(m.By), pgTime(s.stamp(m.Created)))
	if err != nil {
		return fmt.Errorf("postgres: put mute %q: %w", m.Target, err)
	}
	return nil
}

// DeleteMute removes the mute of target, or returns store.ErrNotFound.
func (s *Store) DeleteMute(ctx context.Context, target string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM mutes WHERE target = $1`, txt(target))
	if err != nil {
		return fmt.Errorf("postgres: delete mute %q: %w", target, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete mute %q: %w", target, store.ErrNotFound)
	}
	return nil
}

// Mutes returns every mute, ordered by target.
func (s *Store) Mutes(ctx context.Context) ([]store.Mute, error) {
	rows, _ := s.pool.Query(ctx, `SELECT target, until, muted_by, created FROM mutes ORDER BY target`)
	ms, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Mute, error) {
		var m store.Mute
		var until, created *time.Time
		err := row.Scan(&m.Target, &until, &m.By, &created)
		m.Until, m.Created = fromPG(until), fromPG(created)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: mutes: %w", err)
	}
	return ms, nil
}

// RecordEdit appends an edit to the history.
func (s *Store) RecordEdit(ctx context.Context, e store.Edit) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO edits (edited_at, platform, user_name, command, before_hash, after_hash)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		pgTime(s.stamp(e.At)), txt(e.Platform), txt(e.User), txt(e.Command), txt(e.BeforeHash), txt(e.AfterHash))
	if err != nil {
		return fmt.Errorf("postgres: record edit: %w", err)
	}
	return nil
}

// Edits returns the latest edits, newest first; limit <= 0 means all.
func (s *Store) Edits(ctx context.Context, limit int) ([]store.Edit, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, edited_at, platform, user_name, command, before_hash, after_hash
		FROM edits ORDER BY edited_at DESC, id DESC`+limitClause(limit))
	es, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Edit, error) {
		var e store.Edit
		var at *time.Time
		err := row.Scan(&e.ID, &at, &e.Platform, &e.User, &e.Command, &e.BeforeHash, &e.AfterHash)
		e.At = fromPG(at)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: edits: %w", err)
	}
	return es, nil
}

// GetMeta returns the value of key, or store.ErrNotFound.
func (s *Store) GetMeta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = $1`, txt(key)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("postgres: meta %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("postgres: meta %q: %w", key, err)
	}
	return v, nil
}

// SetMeta sets the value of key.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, txt(key), txt(value))
	if err != nil {
		return fmt.Errorf("postgres: set meta %q: %w", key, err)
	}
	return nil
}

// MetaPrefix returns every key starting with prefix and its value.
func (s *Store) MetaPrefix(ctx context.Context, prefix string) (map[string]string, error) {
	rows, _ := s.pool.Query(ctx, `SELECT key, value FROM meta WHERE starts_with(key, $1)`, txt(prefix))
	out := map[string]string{}
	var k, v string
	_, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error {
		out[k] = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: meta %q*: %w", prefix, err)
	}
	return out, nil
}
