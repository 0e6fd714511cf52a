package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newshound/newshound/store"
)

// Lease takes or renews the lease called name for owner until until; see
// store.Store. One upsert decides: concurrent ones for a name serialize on
// its row, and each sees the row the previous one committed.
func (s *Store) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, error) {
	now = s.stamp(now)
	if err := store.CheckLease(name, owner, now, until); err != nil {
		return false, fmt.Errorf("postgres: lease %q: %w", name, err)
	}
	var got string
	err := s.pool.QueryRow(ctx, `INSERT INTO leases (name, owner, until) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
			WHERE leases.until <= $4 OR leases.owner = excluded.owner
		RETURNING name`, txt(name), txt(owner), pgTime(until), pgTime(now)).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil // held by another owner
	}
	if err != nil {
		return false, fmt.Errorf("postgres: lease %q: %w", name, err)
	}
	return true, nil
}

// Release ends the lease called name if owner holds it.
func (s *Store) Release(ctx context.Context, name, owner string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND owner = $2`, txt(name), txt(owner)); err != nil {
		return fmt.Errorf("postgres: release %q: %w", name, err)
	}
	return nil
}

// Holders returns the leases live at now, ordered by name.
func (s *Store) Holders(ctx context.Context, now time.Time) ([]store.LeaseInfo, error) {
	now = s.stamp(now)
	rows, err := s.pool.Query(ctx, `SELECT name, owner, until FROM leases WHERE until > $1 ORDER BY name COLLATE "C"`, pgTime(now))
	if err != nil {
		return nil, fmt.Errorf("postgres: holders: %w", err)
	}
	defer rows.Close()
	var out []store.LeaseInfo
	for rows.Next() {
		var l store.LeaseInfo
		var until *time.Time
		if err := rows.Scan(&l.Name, &l.Owner, &until); err != nil {
			return nil, fmt.Errorf("postgres: holders: %w", err)
		}
		l.Until = fromPG(until)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: holders: %w", err)
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
	t := pgTime(before)
	var total int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			`DELETE FROM seen_items WHERE seen_at < $1`,
			`DELETE FROM deliveries WHERE status = 'sent' AND sent < $1`,
			`DELETE FROM leases WHERE until < $1`,
		} {
			tag, err := tx.Exec(ctx, q, t)
			if err != nil {
				return err
			}
			total += tag.RowsAffected()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: prune: %w", err)
	}
	return total, nil
}
