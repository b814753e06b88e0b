package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OpenBatch finds the batch new events of a batching endpoint join: its
// newest pending or retrying delivery that no worker holds and that
// still has an attempt to come (a window not yet sent, or a failed
// batch awaiting its retry). Nil when there is none.
func (OutboxStore) OpenBatch(ctx context.Context, h Handle, endpointID int64, now time.Time) (*Delivery, error) {
	var id int64
	err := h.QueryRowContext(ctx, `SELECT id FROM deliveries
		WHERE endpoint_id = ? AND status IN ('pending', 'retrying') AND next_attempt_at IS NOT NULL
		  AND (claimed_until IS NULL OR claimed_until < ?)
		ORDER BY id DESC LIMIT 1`, endpointID, nanos(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("finding the open batch of endpoint %d: %w", endpointID, err)
	}
	return loadDeliveryRow(ctx, h, id)
}

// AttachEvents appends events to a delivery (sent with its next attempt).
func (OutboxStore) AttachEvents(ctx context.Context, h Handle, deliveryID int64, events []Event, now time.Time) error {
	d, err := loadDeliveryRow(ctx, h, deliveryID)
	if err != nil {
		return err
	}
	var pos int
	if err := h.QueryRowContext(ctx, `SELECT COALESCE(MAX(position) + 1, 0) FROM delivery_events WHERE delivery_id = ?`, deliveryID).Scan(&pos); err != nil {
		return fmt.Errorf("attaching events to delivery %d: %w", deliveryID, err)
	}
	types := d.EventTypes
	for i, e := range events {
		if _, err := h.ExecContext(ctx, `INSERT INTO delivery_events (delivery_id, event_id, position) VALUES (?, ?, ?)`, deliveryID, e.ID, pos+i); err != nil {
			return fmt.Errorf("attaching event %d to delivery %d: %w", e.ID, deliveryID, err)
		}
		types = append(types, e.Type)
	}
	typesJSON, err := encodeStrings(types)
	if err != nil {
		return fmt.Errorf("attaching events to delivery %d: its event types: %w", deliveryID, err)
	}
	if _, err := h.ExecContext(ctx, `UPDATE deliveries SET event_types = ?, updated_at = ? WHERE id = ?`, typesJSON, nanos(now), deliveryID); err != nil {
		return fmt.Errorf("attaching events to delivery %d: %w", deliveryID, err)
	}
	return nil
}
