package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Claimed is a delivery a worker holds, with what it needs to send it.
type Claimed struct {
	Delivery Delivery
	Events   []Event
	Ordered  bool
	NoRetry  bool
	// Lease identifies the claim; pass it back to Finish, Reschedule and
	// Release, which fail with ErrLeaseLost once another worker holds it.
	Lease time.Time
}

// claimable is the condition, on "deliveries d JOIN endpoints e", that
// ClaimDue and NextDue put on a delivery, whatever its due time: scheduled,
// pending or retrying, no claim held at the instant of the first
// placeholder, not a load run's private one, on an enabled endpoint, with
// no earlier unfinished delivery on it when ordered, and run by the owner
// id of the second placeholder: only the deliveries it runs alone with
// ownOnly, else those and every one no process runs alone.
func claimable(ownOnly bool) string {
	runner := `(d.runner IS NULL OR d.runner = ?)`
	if ownOnly {
		runner = `d.runner = ?`
	}
	return `d.next_attempt_at IS NOT NULL AND d.status IN ('pending', 'retrying')
		  AND (d.claimed_until IS NULL OR d.claimed_until < ?)
		  AND d.private = 0
		  AND ` + runner + `
		  AND e.enabled = 1
		  AND (d.ordered = 0 OR NOT EXISTS (
		        SELECT 1 FROM deliveries p
		        WHERE p.endpoint_id = d.endpoint_id AND p.id < d.id AND p.status IN ('pending', 'retrying')))`
}

// ClaimDue claims for owner (an Owner id, 0 for none) up to limit
// deliveries whose time has come, on enabled endpoints, skipping
// ordered deliveries with an earlier unfinished one on their endpoint,
// the private deliveries of load runs and those another process runs
// (Runner), and returns their ids, earliest due first. With ownOnly it
// claims only the deliveries owner runs (a process that does not hold
// the outbox).
func (OutboxStore) ClaimDue(ctx context.Context, h Handle, owner int64, ownOnly bool, now, leaseUntil time.Time, limit int) ([]int64, error) {
	if limit <= 0 {
		return nil, nil
	}
	n := nanos(now)
	rows, err := h.QueryContext(ctx, `UPDATE deliveries SET claimed_until = ?, claimed_by = ? WHERE id IN (
		SELECT d.id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
		WHERE d.next_attempt_at <= ? AND `+claimable(ownOnly)+`
		ORDER BY d.next_attempt_at, d.id LIMIT ?)
		RETURNING id, next_attempt_at`, nanos(leaseUntil), nullOwner(owner), n, n, owner, limit)
	if err != nil {
		return nil, fmt.Errorf("claiming due deliveries: %w", err)
	}
	defer rows.Close()
	type due struct{ id, at int64 }
	var got []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.at); err != nil {
			return nil, fmt.Errorf("claiming due deliveries: %w", err)
		}
		got = append(got, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claiming due deliveries: %w", err)
	}
	// RETURNING gives no order guarantee; hand work out earliest first.
	for i := 1; i < len(got); i++ {
		for j := i; j > 0 && (got[j].at < got[j-1].at || got[j].at == got[j-1].at && got[j].id < got[j-1].id); j-- {
			got[j], got[j-1] = got[j-1], got[j]
		}
	}
	ids := make([]int64, len(got))
	for i, d := range got {
		ids[i] = d.id
	}
	return ids, nil
}

// Claim claims one delivery for owner whatever its due time or status
// (a manual retry); ErrConflict while another worker holds it,
// ErrNotFound.
func (OutboxStore) Claim(ctx context.Context, h Handle, owner int64, id int64, now, leaseUntil time.Time) error {
	res, err := h.ExecContext(ctx, `UPDATE deliveries SET claimed_until = ?, claimed_by = ?
		WHERE id = ? AND (claimed_until IS NULL OR claimed_until < ?)`, nanos(leaseUntil), nullOwner(owner), id, nanos(now))
	if err != nil {
		return fmt.Errorf("claiming delivery %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var one int
	if err := h.QueryRowContext(ctx, `SELECT 1 FROM deliveries WHERE id = ?`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("claiming delivery %d: %w", id, ErrNotFound)
	}
	return fmt.Errorf("claiming delivery %d: an attempt is in flight: %w", id, ErrConflict)
}

// LoadClaimed loads a claimed delivery with its events in sending order.
func (OutboxStore) LoadClaimed(ctx context.Context, h Handle, id int64) (*Claimed, error) {
	d, err := loadDeliveryRow(ctx, h, id)
	if err != nil {
		return nil, err
	}
	c := &Claimed{Delivery: *d}
	var lease sql.NullInt64
	if err := h.QueryRowContext(ctx, `SELECT ordered, no_retry, claimed_until FROM deliveries WHERE id = ?`, id).Scan(&c.Ordered, &c.NoRetry, &lease); err != nil {
		return nil, mapErr(err, "loading delivery %d", id) // deleted since the read above: ErrNotFound
	}
	if lease.Valid {
		c.Lease = fromNanos(lease.Int64)
	}
	rows, err := h.QueryContext(ctx, `SELECT e.id, e.vendor, e.event_type, e.payload, e.source, e.created_at
		FROM delivery_events de JOIN events e ON e.id = de.event_id
		WHERE de.delivery_id = ? ORDER BY de.position`, id)
	if err != nil {
		return nil, fmt.Errorf("loading the events of delivery %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var created int64
		var payload []byte
		if err := rows.Scan(&e.ID, &e.Vendor, &e.Type, &payload, &e.Source, &created); err != nil {
			return nil, fmt.Errorf("loading the events of delivery %d: %w", id, err)
		}
		e.Payload, e.CreatedAt = payload, fromNanos(created)
		c.Events = append(c.Events, e)
	}
	return c, rows.Err()
}

// Release gives a claim back unchanged.
func (OutboxStore) Release(ctx context.Context, h Handle, id int64, lease time.Time) error {
	res, err := h.ExecContext(ctx, `UPDATE deliveries SET claimed_until = NULL, claimed_by = NULL WHERE id = ? AND claimed_until = ?`, id, nanos(lease))
	if err != nil {
		return fmt.Errorf("releasing delivery %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("releasing delivery %d: %w", id, ErrLeaseLost)
	}
	return nil
}

// NextDue is the earliest next_attempt_at among the deliveries ClaimDue
// could claim for owner at that time (zero when none), so a worker
// knows how long it may sleep.
func (OutboxStore) NextDue(ctx context.Context, h Handle, owner int64, ownOnly bool, now time.Time) (time.Time, error) {
	var n sql.NullInt64
	if err := h.QueryRowContext(ctx, `SELECT MIN(d.next_attempt_at) FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
		WHERE `+claimable(ownOnly),
		nanos(now), owner).Scan(&n); err != nil {
		return time.Time{}, fmt.Errorf("finding the next due delivery: %w", err)
	}
	if !n.Valid {
		return time.Time{}, nil
	}
	return fromNanos(n.Int64), nil
}
