package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/newshound/newshound/store"
)

// FeedState returns the state of a feed, or store.ErrNotFound.
func (s *Store) FeedState(ctx context.Context, feed string) (store.FeedState, error) {
	q, err := s.prepared(ctx, s.r, `SELECT `+feedStateColumns+` FROM feed_states WHERE feed = ?`)
	if err != nil {
		return store.FeedState{}, fmt.Errorf("sqlite: feed state %q: %w", feed, err)
	}
	st, err := scanFeedState(q.QueryRowContext(ctx, feed))
	if errors.Is(err, sql.ErrNoRows) {
		return store.FeedState{}, fmt.Errorf("sqlite: feed state %q: %w", feed, store.ErrNotFound)
	}
	if err != nil {
		return store.FeedState{}, fmt.Errorf("sqlite: feed state %q: %w", feed, err)
	}
	return st, nil
}

// PutFeedState creates or replaces the state of st.Feed.
func (s *Store) PutFeedState(ctx context.Context, st store.FeedState) error {
	q, err := s.prepared(ctx, s.w, putFeedStateSQL)
	if err == nil {
		err = putFeedState(ctx, q, st)
	}
	if err != nil {
		return fmt.Errorf("sqlite: put feed state %q: %w", st.Feed, err)
	}
	return nil
}

// putFeedStateSQL creates or replaces a feed's state. An existing row is
// updated in place: INSERT OR REPLACE deleted it and inserted it again,
// with its primary-key entry, twice the pages written for each poll.
const putFeedStateSQL = `INSERT INTO feed_states (` + feedStateColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (feed) DO UPDATE SET url = excluded.url, etag = excluded.etag,
		last_modified = excluded.last_modified, body_hash = excluded.body_hash,
		initialized = excluded.initialized, last_attempt = excluded.last_attempt,
		last_success = excluded.last_success, last_error = excluded.last_error,
		failures = excluded.failures, next_poll = excluded.next_poll, items_seen = excluded.items_seen`

// putFeedState runs q, the statement of putFeedStateSQL, for st.
func putFeedState(ctx context.Context, q *sql.Stmt, st store.FeedState) error {
	_, err := q.ExecContext(ctx,
		st.Feed, st.URL, st.ETag, st.LastModified, st.BodyHash, st.Initialized,
		millis(st.LastAttempt), millis(st.LastSuccess), st.LastError, st.Failures,
		millis(st.NextPoll), st.ItemsSeen)
	return err
}

// RecordPoll writes what one poll found in one transaction.
func (s *Store) RecordPoll(ctx context.Context, p store.PollRecord) ([]store.Delivery, error) {
	fail := func(err error) ([]store.Delivery, error) {
		return nil, fmt.Errorf("sqlite: record poll of %q: %w", p.State.Feed, err)
	}
	// Statements are prepared before the transaction takes the writer
	// connection, the only one.
	stateQ, err := s.prepared(ctx, s.w, putFeedStateSQL)
	if err != nil {
		return fail(err)
	}
	if len(p.Deliveries) == 0 && len(p.Matches) == 0 && len(p.Seen) == 0 {
		// The state alone: one statement, no transaction around it.
		if err := putFeedState(ctx, stateQ, p.State); err != nil {
			return fail(err)
		}
		return nil, nil
	}
	var enqueueQ, matchQ *sql.Stmt
	if len(p.Deliveries) > 0 {
		if enqueueQ, err = s.prepared(ctx, s.w, enqueueSQL); err != nil {
			return fail(err)
		}
	}
	if len(p.Matches) > 0 {
		if matchQ, err = s.prepared(ctx, s.w, recordMatchSQL); err != nil {
			return fail(err)
		}
	}
	seenQ, err := s.seenInserts(ctx, p.Seen, false)
	if err != nil {
		return fail(err)
	}
	var added []store.Delivery
	err = s.write(ctx, func(tx *sql.Tx) error {
		if enqueueQ != nil {
			if added, err = s.enqueue(ctx, tx.StmtContext(ctx, enqueueQ), p.Deliveries); err != nil {
				return err
			}
		}
		if matchQ != nil {
			if err := s.recordMatches(ctx, tx.StmtContext(ctx, matchQ), p.Matches); err != nil {
				return err
			}
		}
		if err := s.markSeen(ctx, tx, seenQ, p.State.Feed, p.Seen, p.SeenAt, nil); err != nil {
			return err
		}
		return putFeedState(ctx, tx.StmtContext(ctx, stateQ), p.State)
	})
	if err != nil {
		return fail(err)
	}
	return added, nil
}

// FeedStates returns every feed state, ordered by feed name.
func (s *Store) FeedStates(ctx context.Context) ([]store.FeedState, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+feedStateColumns+` FROM feed_states ORDER BY feed`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: feed states: %w", err)
	}
	sts, err := collect(rows, scanFeedState)
	if err != nil {
		return nil, fmt.Errorf("sqlite: feed states: %w", err)
	}
	return sts, nil
}

const feedStateColumns = `feed, url, etag, last_modified, body_hash, initialized,
	last_attempt, last_success, last_error, failures, next_poll, items_seen`

func scanFeedState(row scanner) (store.FeedState, error) {
	var st store.FeedState
	var attempt, success, next sql.NullInt64
	err := row.Scan(&st.Feed, &st.URL, &st.ETag, &st.LastModified, &st.BodyHash, &st.Initialized,
		&attempt, &success, &st.LastError, &st.Failures, &next, &st.ItemsSeen)
	st.LastAttempt, st.LastSuccess, st.NextPoll = fromMillis(attempt), fromMillis(success), fromMillis(next)
	return st, err
}

// seenChunk bounds the keys one statement of Unseen or MarkSeen binds,
// well below SQLite's limit on parameters.
const seenChunk = 300

// Unseen returns, in input order and without repeats, the keys of a feed
// not recorded by MarkSeen. It asks about up to seenChunk keys per query.
func (s *Store) Unseen(ctx context.Context, feed string, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	// Statements are prepared before the transaction takes a connection:
	// an in-memory Store has only one.
	stmts := map[int]*sql.Stmt{}
	for chunk := range slices.Chunk(keys, seenChunk) {
		if stmts[len(chunk)] == nil {
			q, err := s.prepared(ctx, s.r, `SELECT item_key FROM seen_items WHERE feed = ? AND item_key IN (`+
				placeholders(len(chunk), "?")+`)`)
			if err != nil {
				return nil, fmt.Errorf("sqlite: unseen %q: %w", feed, err)
			}
			stmts[len(chunk)] = q
		}
	}
	// Several chunks are read in one transaction, so they see one state;
	// one chunk needs none around it.
	stmt := func(q *sql.Stmt) *sql.Stmt { return q }
	if len(keys) > seenChunk {
		tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, fmt.Errorf("sqlite: unseen %q: %w", feed, err)
		}
		defer tx.Rollback()
		stmt = func(q *sql.Stmt) *sql.Stmt { return tx.StmtContext(ctx, q) }
	}
	seen := make(map[string]bool, len(keys))
	for chunk := range slices.Chunk(keys, seenChunk) {
		args := make([]any, 0, len(chunk)+1)
		args = append(args, feed)
		for _, k := range chunk {
			args = append(args, k)
		}
		rows, err := stmt(stmts[len(chunk)]).QueryContext(ctx, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: unseen %q: %w", feed, err)
		}
		if err := collectKeys(rows, seen); err != nil {
			return nil, fmt.Errorf("sqlite: unseen %q: %w", feed, err)
		}
	}
	var out []string
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true // a repeated key is returned once
			out = append(out, k)
		}
	}
	return out, nil
}

// MarkSeen records item keys of a feed and returns, in input order, those
// not seen before. It inserts up to seenChunk keys per statement, all in
// one transaction.
func (s *Store) MarkSeen(ctx context.Context, feed string, keys []string, at time.Time) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	stmts, err := s.seenInserts(ctx, keys, true)
	if err != nil {
		return nil, fmt.Errorf("sqlite: mark seen %q: %w", feed, err)
	}
	inserted := make(map[string]bool, len(keys))
	err = s.write(ctx, func(tx *sql.Tx) error {
		return s.markSeen(ctx, tx, stmts, feed, keys, at, inserted)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: mark seen %q: %w", feed, err)
	}
	var fresh []string
	for _, k := range keys {
		if inserted[k] {
			delete(inserted, k) // a repeated key is returned once
			fresh = append(fresh, k)
		}
	}
	return fresh, nil
}

// seenInserts prepares, by chunk size, the statements markSeen runs for
// keys; with returning, they return the keys not seen before.
func (s *Store) seenInserts(ctx context.Context, keys []string, returning bool) (map[int]*sql.Stmt, error) {
	stmts := map[int]*sql.Stmt{}
	tail := ` ON CONFLICT (feed, item_key) DO NOTHING`
	if returning {
		tail += ` RETURNING item_key`
	}
	for chunk := range slices.Chunk(keys, seenChunk) {
		if stmts[len(chunk)] == nil {
			q, err := s.prepared(ctx, s.w, `INSERT INTO seen_items (feed, item_key, seen_at) VALUES `+
				placeholders(len(chunk), "(?, ?, ?)")+tail)
			if err != nil {
				return nil, err
			}
			stmts[len(chunk)] = q
		}
	}
	return stmts, nil
}

// markSeen inserts keys of feed in tx, up to seenChunk per statement of
// stmts (from seenInserts), and adds those not seen before to inserted;
// when inserted is nil, stmts return nothing.
func (s *Store) markSeen(ctx context.Context, tx *sql.Tx, stmts map[int]*sql.Stmt, feed string, keys []string, at time.Time, inserted map[string]bool) error {
	at = s.stamp(at)
	for chunk := range slices.Chunk(keys, seenChunk) {
		args := make([]any, 0, 3*len(chunk))
		for _, k := range chunk {
			args = append(args, feed, k, millis(at))
		}
		q := tx.StmtContext(ctx, stmts[len(chunk)])
		if inserted == nil {
			if _, err := q.ExecContext(ctx, args...); err != nil {
				return err
			}
			continue
		}
		rows, err := q.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		if err := collectKeys(rows, inserted); err != nil {
			return err
		}
	}
	return nil
}

// placeholders repeats one placeholder group n times, comma-separated.
func placeholders(n int, group string) string {
	return strings.TrimSuffix(strings.Repeat(group+", ", n), ", ")
}

// collectKeys adds the single text column of rows to set and closes rows.
func collectKeys(rows *sql.Rows, set map[string]bool) error {
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		set[k] = true
	}
	return rows.Err()
}

// Enqueue adds pending deliveries, skipping those whose (Channel,
// ItemKey) exists, and returns the inserted ones with IDs set.
func (s *Store) Enqueue(ctx context.Context, ds []store.Delivery) ([]store.Delivery, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	q, err := s.prepared(ctx, s.w, enqueueSQL)
	if err != nil {
		return nil, fmt.Errorf("sqlite: enqueue: %w", err)
	}
	var added []store.Delivery
	err = s.write(ctx, func(tx *sql.Tx) error {
		added, err = s.enqueue(ctx, tx.StmtContext(ctx, q), ds)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: enqueue: %w", err)
	}
	return added, nil
}

const enqueueSQL = `INSERT INTO deliveries
	(channel, item_key, watch, feed, title, link, urgent, payload, status, created, due, next_attempt, parent)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (channel, item_key) DO NOTHING
	RETURNING id`

// enqueue inserts ds with q, the statement of enqueueSQL in a
// transaction, and returns the rows inserted.
func (s *Store) enqueue(ctx context.Context, q *sql.Stmt, ds []store.Delivery) ([]store.Delivery, error) {
	var added []store.Delivery
	for _, d := range ds {
		d.Status, d.Attempts, d.LastError, d.Sent = store.StatusPending, 0, "", time.Time{}
		d.Created = norm(s.stamp(d.Created))
		d.Due, d.NextAttempt = norm(d.Due), norm(d.NextAttempt)
		err := q.QueryRowContext(ctx,
			d.Channel, d.ItemKey, d.Watch, d.Feed, d.Title, d.Link, d.Urgent, d.Payload,
			d.Status, millis(d.Created), millis(d.Due), millis(d.NextAttempt), d.Parent).Scan(&d.ID)
		if errors.Is(err, sql.ErrNoRows) {
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

func scanDelivery(row scanner) (store.Delivery, error) {
	var d store.Delivery
	var created, due, next, sent sql.NullInt64
	err := row.Scan(&d.ID, &d.Channel, &d.ItemKey, &d.Watch, &d.Feed, &d.Title, &d.Link, &d.Urgent, &d.Payload,
		&d.Status, &created, &due, &next, &d.Attempts, &d.LastError, &sent, &d.Parent, &d.MessageID)
	d.Created, d.Due, d.NextAttempt, d.Sent = fromMillis(created), fromMillis(due), fromMillis(next), fromMillis(sent)
	return d, err
}

// Pending returns the pending deliveries of a channel ("" for all) that
// may be tried at now, oldest Due first, then by ID.
func (s *Store) Pending(ctx context.Context, channel string, now time.Time) ([]store.Delivery, error) {
	t := millis(now).Int64
	q := `SELECT ` + deliveryColumns + ` FROM deliveries
		WHERE status = 'pending' AND (due IS NULL OR due <= ?) AND (next_attempt IS NULL OR next_attempt <= ?)`
	return s.deliveries(ctx, "pending", q, channel, " ORDER BY due NULLS FIRST, id", t, t)
}

// DueChannels returns the channels with deliveries due at now.
func (s *Store) DueChannels(ctx context.Context, now time.Time) ([]string, error) {
	t := millis(now).Int64
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT channel FROM deliveries
		WHERE status = 'pending' AND (due IS NULL OR due <= ?) AND (next_attempt IS NULL OR next_attempt <= ?)
		ORDER BY channel`, t, t)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due channels: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ch string
		if err := rows.Scan(&ch); err != nil {
			return nil, fmt.Errorf("sqlite: due channels: %w", err)
		}
		out = append(out, ch)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: due channels: %w", err)
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
	q := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE created >= ?`
	return s.deliveries(ctx, "since", q, channel, " ORDER BY created, id", millis(t).Int64)
}

// Delivery returns the delivery with the given ID, or store.ErrNotFound.
func (s *Store) Delivery(ctx context.Context, id int64) (store.Delivery, error) {
	d, err := scanDelivery(s.r.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Delivery{}, store.ErrNotFound
	}
	if err != nil {
		return store.Delivery{}, fmt.Errorf("sqlite: delivery %d: %w", id, err)
	}
	return d, nil
}

// Children returns the deliveries whose parent is id, by ascending ID.
func (s *Store) Children(ctx context.Context, id int64) ([]store.Delivery, error) {
	q := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE parent = ? AND parent <> 0`
	return s.deliveries(ctx, "children", q, "", " ORDER BY id", id)
}

// SetMessageID records the message reference of deliveries.
func (s *Store) SetMessageID(ctx context.Context, ids []int64, messageID string) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("sqlite: set message id: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE deliveries SET message_id = ? WHERE id IN (SELECT value FROM json_each(?))`, messageID, string(list)); err != nil {
		return fmt.Errorf("sqlite: set message id: %w", err)
	}
	return nil
}

// deliveries runs query q, restricted to channel unless it is "" and
// followed by order, and collects the deliveries. op names the operation
// in errors.
func (s *Store) deliveries(ctx context.Context, op, q, channel, order string, args ...any) ([]store.Delivery, error) {
	if channel != "" {
		q += ` AND channel = ?`
		args = append(args, channel)
	}
	rows, err := s.r.QueryContext(ctx, q+order, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	ds, err := collect(rows, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	return ds, nil
}

// limitClause returns a LIMIT clause, or nothing for limit <= 0.
func limitClause(limit int) string {
	if limit <= 0 {
		return ""
	}
	return fmt.Sprintf(" LIMIT %d", limit)
}

// MarkSent moves pending deliveries to sent; sent ones are left alone.
func (s *Store) MarkSent(ctx context.Context, ids []int64, at time.Time) error {
	return s.updatePending(ctx, "mark sent", ids, `UPDATE deliveries SET status = 'sent', sent = ?`, millis(s.stamp(at)))
}

// MarkFailed records a failed attempt of pending deliveries.
func (s *Store) MarkFailed(ctx context.Context, ids []int64, msg string, next time.Time) error {
	return s.updatePending(ctx, "mark failed", ids,
		`UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt = ?`, msg, millis(next))
}

// Reschedule sets the Due time of pending deliveries.
func (s *Store) Reschedule(ctx context.Context, ids []int64, due time.Time) error {
	return s.updatePending(ctx, "reschedule", ids, `UPDATE deliveries SET due = ?, next_attempt = NULL`, millis(due))
}

// updatePending runs the UPDATE ... SET statement update, with args, on
// the pending deliveries among ids.
func (s *Store) updatePending(ctx context.Context, op string, ids []int64, update string, args ...any) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	// json_each turns the JSON array of IDs into rows.
	q := update + ` WHERE status = 'pending' AND id IN (SELECT value FROM json_each(?))`
	if _, err := s.w.ExecContext(ctx, q, append(args, string(list))...); err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	return nil
}

// PutMute creates or replaces the mute of m.Target.
func (s *Store) PutMute(ctx context.Context, m store.Mute) error {
	_, err := s.w.ExecContext(ctx, `INSERT OR REPLACE INTO mutes (target, until, muted_by, created) VALUES (?, ?, ?, ?)`,
		m.Target, millis(m.Until), m.By, millis(s.stamp(m.Created)))
	if err != nil {
		return fmt.Errorf("sqlite: put mute %q: %w", m.Target, err)
	}
	return nil
}

// DeleteMute removes the mute of target, or returns store.ErrNotFound.
func (s *Store) DeleteMute(ctx context.Context, target string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM mutes WHERE target = ?`, target)
	if err != nil {
		return fmt.Errorf("sqlite: delete mute %q: %w", target, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: delete mute %q: %w", target, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: delete mute %q: %w", target, store.ErrNotFound)
	}
	return nil
}

// Mutes returns every mute, ordered by target.
func (s *Store) Mutes(ctx context.Context) ([]store.Mute, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT target, until, muted_by, created FROM mutes ORDER BY target`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: mutes: %w", err)
	}
	ms, err := collect(rows, func(row scanner) (store.Mute, error) {
		var m store.Mute
		var until, created sql.NullInt64
		err := row.Scan(&m.Target, &until, &m.By, &created)
		m.Until, m.Created = fromMillis(until), fromMillis(created)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: mutes: %w", err)
	}
	return ms, nil
}

// RecordEdit appends an edit to the history.
func (s *Store) RecordEdit(ctx context.Context, e store.Edit) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO edits (edited_at, platform, user_name, command, before_hash, after_hash)
		VALUES (?, ?, ?, ?, ?, ?)`,
		millis(s.stamp(e.At)), e.Platform, e.User, e.Command, e.BeforeHash, e.AfterHash)
	if err != nil {
		return fmt.Errorf("sqlite: record edit: %w", err)
	}
	return nil
}

// Edits returns the latest edits, newest first; limit <= 0 means all.
func (s *Store) Edits(ctx context.Context, limit int) ([]store.Edit, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, edited_at, platform, user_name, command, before_hash, after_hash
		FROM edits ORDER BY edited_at DESC, id DESC`+limitClause(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: edits: %w", err)
	}
	es, err := collect(rows, func(row scanner) (store.Edit, error) {
		var e store.Edit
		var at sql.NullInt64
		err := row.Scan(&e.ID, &at, &e.Platform, &e.User, &e.Command, &e.BeforeHash, &e.AfterHash)
		e.At = fromMillis(at)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: edits: %w", err)
	}
	return es, nil
}

// GetMeta returns the value of key, or store.ErrNotFound.
func (s *Store) GetMeta(ctx context.Context, key string) (string, error) {
	q, err := s.prepared(ctx, s.r, `SELECT value FROM meta WHERE key = ?`)
	if err != nil {
		return "", fmt.Errorf("sqlite: meta %q: %w", key, err)
	}
	var v string
	err = q.QueryRowContext(ctx, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlite: meta %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: meta %q: %w", key, err)
	}
	return v, nil
}

// SetMeta sets the value of key.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	if _, err := s.w.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, key, value); err != nil {
		return fmt.Errorf("sqlite: set meta %q: %w", key, err)
	}
	return nil
}

// MetaPrefix returns every key starting with prefix and its value.
func (s *Store) MetaPrefix(ctx context.Context, prefix string) (map[string]string, error) {
	// The keys from prefix up to the first string after all those that
	// start with it: a range of the primary key.
	q, args := `SELECT key, value FROM meta WHERE key >= ?`, []any{prefix}
	if end, ok := prefixEnd(prefix); ok {
		q += ` AND key < ?`
		args = append(args, end)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: meta %q*: %w", prefix, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("sqlite: meta %q*: %w", prefix, err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: meta %q*: %w", prefix, err)
	}
	return out, nil
}

// prefixEnd returns the least string greater than every string that
// starts with prefix, in byte order; ok is false when there is none
// (prefix empty or all 0xFF bytes).
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
