package db

import (
	"context"
	"fmt"
	"time"
)

// PruneResult counts what Prune removed.
type PruneResult struct {
	Requests   int64 `json:"requests"`
	Deliveries int64 `json:"deliveries"`
	Events     int64 `json:"events"`
}

// pruneChunk is how many rows one prune write removes, so a large prune
// never holds the write lock long enough to stall the receiver.
const pruneChunk = 2000

// Prune removes the history recorded before before (the zero time: all of
// it): received requests, deliveries that are over (succeeded, failed,
// skipped, cancelled) with their attempts, and events no remaining
// delivery or attempt refers to. Deliveries still pending or retrying
// stay, with their events; endpoints and routes stay. It writes in chunks
// of pruneChunk rows, and runs below the free-space floor (it is how room
// is made: the pages it frees count as room, see Options.MinFree).
//
// The text indexes stay right: attempts' and deliveries' triggers catch
// the ids their deletion frees; requests' index is reset, in the same
// transaction, when the newest request goes (a new request would then
// take a freed id).
func (d *DB) Prune(ctx context.Context, before time.Time) (PruneResult, error) {
	ctx = WithoutFloor(ctx)
	var res PruneResult
	limit := int64(1<<63 - 1)
	if !before.IsZero() {
		limit = before.UnixNano()
	}
	steps := []struct {
		what  string
		count *int64
		query string
		args  []any
	}{
		{"requests", &res.Requests, `DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE received_at < ? LIMIT ?)`, []any{limit, pruneChunk}},
		{"deliveries", &res.Deliveries, `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries
			WHERE created_at < ? AND status NOT IN (?, ?) LIMIT ?)`, []any{limit, DeliveryPending, DeliveryRetrying, pruneChunk}},
		{"events", &res.Events, `DELETE FROM events WHERE id IN (SELECT id FROM events e WHERE e.created_at < ?
			AND NOT EXISTS (SELECT 1 FROM delivery_events de WHERE de.event_id = e.id)
			AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.req_body_event = e.id) LIMIT ?)`, []any{limit, pruneChunk}},
	}
	for _, s := range steps {
		for {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			var n int64
			err := d.Write(ctx, func(h Handle) error {
				var maxBefore int64
				if s.count == &res.Requests {
					if err := h.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM requests`).Scan(&maxBefore); err != nil {
						return err
					}
				}
				r, err := h.ExecContext(ctx, s.query, s.args...)
				if err != nil {
					return err
				}
				if n, err = r.RowsAffected(); err != nil || s.count != &res.Requests {
					return err
				}
				return resetRequestIndexIfReused(ctx, h, maxBefore)
			})
			if err != nil {
				return res, fmt.Errorf("pruning %s: %w", s.what, err)
			}
			*s.count += n
			if n < pruneChunk {
				break
			}
		}
	}
	return res, nil
}

// resetRequestIndexIfReused empties the requests' text index when the
// newest request (maxBefore) is gone: SQLite hands out max(id)+1, so a
// freed id would come back under the index's reach.
func resetRequestIndexIfReused(ctx context.Context, h Handle, maxBefore int64) error {
	var maxAfter int64
	if err := h.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM requests`).Scan(&maxAfter); err != nil {
		return err
	}
	if maxAfter >= maxBefore {
		return nil
	}
	if _, err := h.ExecContext(ctx, `DELETE FROM request_grams`); err != nil {
		return err
	}
	_, err := h.ExecContext(ctx, `UPDATE request_grams_state SET upto = 0, gen = gen + 1 WHERE one = 1`)
	return err
}
