package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// This file holds the outbox's store type and what it knows of events and
// deliveries outside a claim: creating them, the order an ordered endpoint
// keeps, and the endpoint-wide moves (unskip, failed ids). The outbox's
// other concerns each have a file: batches (outbox_batches.go), claims and
// leases (outbox_claims.go), attempts and how they finish a claim
// (outbox_attempts.go), a load run's bulk inserts (outbox_bulk.go), the
// processes holding claims and the reaping of dead ones (outbox_owners.go),
// and the outbox's holder (outbox_holder.go).

// ErrLeaseLost: a worker tried to finish a delivery whose claim it no longer
// holds (the lease ran out and another worker took it over). It is an
// ErrConflict (the API answers 409); when the delivery was deleted
// meanwhile, finish wraps ErrNotFound too.
var ErrLeaseLost = fmt.Errorf("delivery claim lost: %w", ErrConflict)

// RetryWait records a scheduled retry as the vendor defines it, beside the
// real instant it will run (Delivery.NextAttemptAt). With a time scale of N
// the wait actually slept is VendorWaitMS/N; NextAttemptAt is the real-world
// time the attempt runs, and VendorWaitMS is what the vendor would wait.
type RetryWait struct {
	// Retry is the retry this wait leads to (1 for the first retry).
	Retry int `json:"retry"`
	// Of is how many retries the vendor's policy allows in all.
	Of int `json:"of"`
	// VendorWaitMS is the vendor's real wait in milliseconds ("30m").
	VendorWaitMS int64 `json:"vendor_wait_ms"`
	// ScaledWaitMS is the wait actually applied (VendorWaitMS / time scale).
	ScaledWaitMS int64 `json:"scaled_wait_ms"`
	// Reason says where the wait came from ("schedule", "backoff",
	// "Retry-After", "batch window", "order").
	Reason string `json:"reason,omitempty"`
}

// VendorWait is the vendor's wait as a duration.
func (w RetryWait) VendorWait() time.Duration {
	return time.Duration(w.VendorWaitMS) * time.Millisecond
}

// NewDelivery describes a delivery to create.
type NewDelivery struct {
	EndpointID  int64
	Vendor      string
	Events      []Event // already created (IDs set), in sending order
	Status      string  // DeliveryPending or DeliverySkipped
	ExecutionID string
	MessageID   string
	// DueAt is when the first attempt runs (nil for skipped).
	DueAt *time.Time
	// Wait, when set, explains DueAt (a batch window).
	Wait *RetryWait
	// Ordered: the endpoint preserves order (PolicyCortex).
	Ordered bool
	// NoRetry: one attempt only.
	NoRetry bool
	// ClaimUntil, when non-zero, creates the delivery already claimed by
	// the caller until that instant (a synchronous send).
	ClaimUntil time.Time
	// ClaimedBy is the claim's holder (an Owner id; 0: none).
	ClaimedBy int64
	// TimeScale is the time scale the delivery is scheduled with (0: 1,
	// real time); every process sending it keeps it.
	TimeScale float64
	// Runner, when set, is the Owner id of the process that alone sends
	// the delivery while it runs (0: the outbox holder does).
	Runner int64
	// LastError is the delivery's last error, for one created already
	// finished (a load run records its attempt with it).
	LastError string
}

// OutboxStore is the sender's durable outbox: events, deliveries and their
// due times in SQLite, claimed by workers under a lease so that two workers
// (or two processes sharing the file) never run the same attempt at once.
// Every write method must run inside DB.Write.
type OutboxStore struct{}

// NewOutboxStore returns the SQLite outbox (its zero value is as good).
func NewOutboxStore() OutboxStore { return OutboxStore{} }

// CreateEvent inserts e and sets e.ID.
func (OutboxStore) CreateEvent(ctx context.Context, h Handle, e *Event) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	res, err := h.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, source, created_at) VALUES (?, ?, ?, ?, ?)`,
		e.Vendor, e.Type, blob(e.Payload), e.Source, nanos(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("creating event %s/%s: %w", e.Vendor, e.Type, err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// CreateDelivery inserts a delivery with its delivery_events rows.
func (OutboxStore) CreateDelivery(ctx context.Context, h Handle, nd NewDelivery, now time.Time) (*Delivery, error) {
	types := make([]string, len(nd.Events))
	ids := make([]int64, len(nd.Events))
	for i, e := range nd.Events {
		types[i], ids[i] = e.Type, e.ID
	}
	var claim any
	if !nd.ClaimUntil.IsZero() {
		claim = nanos(nd.ClaimUntil)
	}
	typesJSON, err := encodeStrings(types)
	if err != nil {
		return nil, fmt.Errorf("creating a delivery to endpoint %d: its event types: %w", nd.EndpointID, err)
	}
	wait, err := encodeOptional(nd.Wait)
	if err != nil {
		return nil, fmt.Errorf("creating a delivery to endpoint %d: its wait: %w", nd.EndpointID, err)
	}
	scale := nd.TimeScale
	if scale <= 0 {
		scale = 1
	}
	res, err := h.ExecContext(ctx, `INSERT INTO deliveries
		(endpoint_id, vendor, event_types, status, execution_id, message_id, next_attempt_at, claimed_until, claimed_by, ordered, no_retry, wait, last_error, created_at, updated_at, time_scale, runner)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nd.EndpointID, nd.Vendor, typesJSON, nd.Status, nd.ExecutionID, nd.MessageID, nullNanos(nd.DueAt), claim, nullOwner(nd.ClaimedBy),
		nd.Ordered, nd.NoRetry, wait, nd.LastError, nanos(now), nanos(now), scale, nullOwner(nd.Runner))
	if err != nil {
		return nil, fmt.Errorf("creating a delivery to endpoint %d: %w", nd.EndpointID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	for i, eid := range ids {
		if _, err := h.ExecContext(ctx, `INSERT INTO delivery_events (delivery_id, event_id, position) VALUES (?, ?, ?)`, id, eid, i); err != nil {
			return nil, fmt.Errorf("linking event %d to delivery %d: %w", eid, id, err)
		}
	}
	d := &Delivery{
		ID: id, EndpointID: nd.EndpointID, Vendor: nd.Vendor, EventTypes: types, EventIDs: ids,
		Status: nd.Status, ExecutionID: nd.ExecutionID, MessageID: nd.MessageID, NextAttemptAt: nd.DueAt,
		Wait: nd.Wait, TimeScale: scale, LastError: nd.LastError, CreatedAt: now, UpdatedAt: now,
	}
	return d, nil
}

// OldestUnfinished is the id of the endpoint's oldest pending or
// retrying delivery (0 when none): the one ordering lets go first.
func (OutboxStore) OldestUnfinished(ctx context.Context, h Handle, endpointID int64) (int64, error) {
	var id int64
	err := h.QueryRowContext(ctx, `SELECT id FROM deliveries WHERE endpoint_id = ? AND status IN ('pending', 'retrying') ORDER BY id LIMIT 1`, endpointID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("finding the oldest unfinished delivery of endpoint %d: %w", endpointID, err)
	}
	return id, nil
}

// Unskip makes the endpoint's skipped deliveries pending, due at now,
// and returns how many.
func (OutboxStore) Unskip(ctx context.Context, h Handle, endpointID int64, now time.Time) (int, error) {
	res, err := h.ExecContext(ctx, `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?
		WHERE endpoint_id = ? AND status = 'skipped'`, nanos(now), nanos(now), endpointID)
	if err != nil {
		return 0, fmt.Errorf("releasing the skipped deliveries of endpoint %d: %w", endpointID, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// FailedIDs lists the endpoint's failed deliveries, oldest first.
func (OutboxStore) FailedIDs(ctx context.Context, h Handle, endpointID int64) ([]int64, error) {
	rows, err := h.QueryContext(ctx, `SELECT id FROM deliveries WHERE endpoint_id = ? AND status = 'failed' ORDER BY id`, endpointID)
	if err != nil {
		return nil, fmt.Errorf("listing the failed deliveries of endpoint %d: %w", endpointID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// nullOwner is an owner id as stored: NULL for none.
func nullOwner(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
