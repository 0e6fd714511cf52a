package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/newshound/newshound/store"
)

// Lease takes or renews the lease called name for owner until until; see
// store.Store. The upsert runs on the single writer connection, so it is
// atomic between the goroutines of a Store and, through SQLite's write
// lock, between processes.
func (s *Store) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, error) {
	now = s.stamp(now)
	if err := store.CheckLease(name, owner, now, until); err != nil {
		return false, fmt.Errorf("sqlite: lease %q: %w", name, err)
	}
	q, err := s.prepared(ctx, s.w, `INSERT INTO leases (name, owner, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
			WHERE leases.until <= ? OR leases.owner = excluded.owner
		RETURNING name`)
	if err != nil {
		return false, fmt.Errorf("sqlite: lease %q: %w", name, err)
	}
	var got string
	err = q.QueryRowContext(ctx, name, owner, millis(until), millis(now)).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // held by another owner
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: lease %q: %w", name, err)
	}
	return true, nil
}

// Release ends the lease called name if owner holds it.
func (s *Store) Release(ctx context.Context, name, owner string) error {
	q, err := s.prepared(ctx, s.w, `DELETE FROM leases WHERE name = ? AND owner = ?`)
	if err == nil {
		_, err = q.ExecContext(ctx, name, owner)
	}
	if err != nil {
		return fmt.Errorf("sqlite: release %q: %w", name, err)
	}
	return nil
}

// Holders returns the leases live at now, ordered by name.
func (s *Store) Holders(ctx context.Context, now time.Time) ([]store.LeaseInfo, error) {
	now = s.stamp(now)
	rows, err := s.r.QueryContext(ctx, `SELECT name, owner, until FROM leases WHERE until > ? ORDER BY name`, millis(now))
	if err != nil {
		return nil, fmt.Errorf("sqlite: holders: %w", err)
	}
	defer rows.Close()
	var out []store.LeaseInfo
	for rows.Next() {
		var l store.LeaseInfo
		var until sql.NullInt64
		if err := rows.Scan(&l.Name, &l.Owner, &until); err != nil {
			return nil, fmt.Errorf("sqlite: holders: %w", err)
		}
		l.Until = fromMillis(until)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: holders: %w", err)
	}
	return out, nil
}

// Prune deletes seen item keys first seen, deliveries sent and leases
// expired before before, in one transaction, and returns how many rows
// it deleted.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	if before.IsZero() {
		return 0, nil
	}
	t := millis(before)
	var total int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM seen_items WHERE seen_at < ?`,
			`DELETE FROM deliveries WHERE status = 'sent' AND sent < ?`,
			`DELETE FROM leases WHERE until < ?`,
		} {
			res, err := tx.ExecContext(ctx, q, t)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune: %w", err)
	}
	return total, nil
}
