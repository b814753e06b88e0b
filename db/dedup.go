package db

import (
	"context"
	"database/sql"
	"fmt"
)

// Reads for a duplicate filter kept in memory (the receiver's): rows are
// appended with increasing ids, so "every keyed row up to id N" is a
// complete description of what a filter has seen, and what it has not is
// the rows after N.

// DedupOrigin is an earlier request carrying a dedup key: the candidate
// original of a repeat (RequestStore.FirstWithDedupKey).
type DedupOrigin struct {
	ID int64
	// SigStatus is its signature verdict: a repeat of a request whose
	// signature failed is not an at-least-once duplicate of it.
	SigStatus string
}

// MaxRequestID returns the highest request id (0 when there are none).
func MaxRequestID(ctx context.Context, h Handle) (int64, error) {
	var id sql.NullInt64
	if err := h.QueryRowContext(ctx, `SELECT max(id) FROM requests`).Scan(&id); err != nil {
		return 0, fmt.Errorf("reading the newest request id: %w", err)
	}
	return id.Int64, nil
}

// EachDedupKey calls fn with the vendor and dedup key of every request
// with after < id <= upTo that carries a dedup key, in id order.
func EachDedupKey(ctx context.Context, h Handle, after, upTo int64, fn func(id int64, vendor, key string)) error {
	rows, err := h.QueryContext(ctx, `SELECT id, vendor, dedup_key FROM requests
		WHERE id > ? AND id <= ? AND dedup_key <> '' ORDER BY id`, after, upTo)
	if err != nil {
		return fmt.Errorf("reading dedup keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id          int64
			vendor, key string
		)
		if err := rows.Scan(&id, &vendor, &key); err != nil {
			return fmt.Errorf("reading dedup keys: %w", err)
		}
		fn(id, vendor, key)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading dedup keys: %w", err)
	}
	return nil
}
