package db

import (
	"context"
	"fmt"
	"time"
)

// Owner is a process holding (or about to hold) claims on deliveries:
// another process that finds it gone takes its deliveries up at once
// instead of waiting for their lease.
type Owner struct {
	ID int64
	// PID is the process's id on Host.
	PID int
	// Host names the host the pid belongs to (with, where the OS tells
	// them, its pid namespace and boot): a process only judges owners of
	// its own host.
	Host string
	// Start is the process's start time where the OS tells it, so that a
	// pid reused by another process is not taken for the owner.
	Start     string
	CreatedAt time.Time
}

// RegisterOwner records o, a process that will hold claims, unless it
// is recorded already.
func (OutboxStore) RegisterOwner(ctx context.Context, h Handle, o Owner) error {
	if _, err := h.ExecContext(ctx, `INSERT OR IGNORE INTO outbox_owners (id, pid, host, start, created_at) VALUES (?, ?, ?, ?, ?)`,
		o.ID, o.PID, o.Host, o.Start, nanos(o.CreatedAt)); err != nil {
		return fmt.Errorf("recording process %d as a holder of deliveries: %w", o.PID, err)
	}
	return nil
}

// Owners lists the recorded owners.
func (OutboxStore) Owners(ctx context.Context, h Handle) ([]Owner, error) {
	rows, err := h.QueryContext(ctx, `SELECT id, pid, host, start, created_at FROM outbox_owners ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("listing the processes holding deliveries: %w", err)
	}
	defer rows.Close()
	var out []Owner
	for rows.Next() {
		var o Owner
		var created int64
		if err := rows.Scan(&o.ID, &o.PID, &o.Host, &o.Start, &created); err != nil {
			return nil, fmt.Errorf("listing the processes holding deliveries: %w", err)
		}
		o.CreatedAt = fromNanos(created)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing the processes holding deliveries: %w", err)
	}
	return out, nil
}

// ReapOwner forgets owner id, known to be gone, and its claims: its
// deliveries are free to claim again at their due time, except the
// private ones of its load runs, which end cancelled with reason. It
// returns how many deliveries it freed and cancelled.
func (OutboxStore) ReapOwner(ctx context.Context, h Handle, id int64, reason string, now time.Time) (freed, cancelled int, err error) {
	res, err := h.ExecContext(ctx, `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, wait = '',
		claimed_until = NULL, claimed_by = NULL, last_error = ?, updated_at = ?
		WHERE claimed_by = ? AND claimed_until IS NOT NULL AND private = 1 AND status IN ('pending', 'retrying')`,
		reason, nanos(now), id)
	if err != nil {
		return 0, 0, fmt.Errorf("cancelling the load run deliveries of a process that is gone: %w", err)
	}
	n, _ := res.RowsAffected()
	cancelled = int(n)
	if res, err = h.ExecContext(ctx, `UPDATE deliveries SET claimed_until = NULL, claimed_by = NULL
		WHERE claimed_by = ? AND claimed_until IS NOT NULL`, id); err != nil {
		return 0, cancelled, fmt.Errorf("freeing the deliveries of a process that is gone: %w", err)
	}
	n, _ = res.RowsAffected()
	freed = int(n)
	if _, err := h.ExecContext(ctx, `UPDATE deliveries SET runner = NULL WHERE runner = ?`, id); err != nil {
		return freed, cancelled, fmt.Errorf("handing the deliveries of a process that is gone to the outbox: %w", err)
	}
	if _, err := h.ExecContext(ctx, `DELETE FROM outbox_owners WHERE id = ?`, id); err != nil {
		return freed, cancelled, fmt.Errorf("forgetting a process that is gone: %w", err)
	}
	return freed, cancelled, nil
}
