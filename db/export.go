package db

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// exportBatch is how many rows one query of an export reads: enough that
// a query's cost is spread over many rows, few enough that a batch of
// requests with large bodies stays small, and no read transaction stays
// open over the whole export (a long one would hold the WAL back from its
// checkpoint while the receiver writes).
const exportBatch = 256

// Span bounds an export in time: Since inclusive, Until exclusive; a zero
// bound does not limit.
type Span struct {
	Since, Until time.Time
}

// add adds the span's bounds on col (nanoseconds) to w.
func (s Span) add(w *where, col string) {
	if !s.Since.IsZero() {
		w.add(col+" >= ?", s.Since.UnixNano())
	}
	if !s.Until.IsZero() {
		w.add(col+" < ?", s.Until.UnixNano())
	}
}

// EachRequest calls fn with every request f matches (its Before, After,
// Oldest and Limit are ignored) received within span, bodies included, in
// id order. Only the requests recorded when it starts are read; it reads
// them exportBatch at a time by keyset on the id, so memory stays bounded
// however many match. An error from fn stops the walk and is returned as
// it is.
func (RequestStore) EachRequest(ctx context.Context, h Handle, f RequestFilter, span Span, fn func(r *Request) error) error {
	if err := checkSearchText(f.Text); err != nil {
		return fmt.Errorf("exporting requests: %w", err)
	}
	var top int64
	if err := h.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM requests`).Scan(&top); err != nil {
		return mapErr(err, "exporting requests")
	}
	base, err := requestWhere(f, false)
	if err != nil {
		return fmt.Errorf("exporting requests: %w", err)
	}
	span.add(base, "received_at")
	batch := make([]*Request, 0, exportBatch)
	for after := int64(0); after < top; {
		w := &where{conds: append([]string(nil), base.conds...), args: append([]any(nil), base.args...)}
		w.add("id > ?", after)
		w.add("id <= ?", top)
		batch, err = requestBatch(ctx, h, batch[:0], `SELECT `+requestColumns+` FROM requests`+w.sql()+` ORDER BY id LIMIT ?`, append(w.args, exportBatch)...)
		if err != nil {
			return err
		}
		for _, r := range batch {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(batch) < exportBatch {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
	return nil
}

// requestBatch appends the requests q returns (with bodies) to out.
func requestBatch(ctx context.Context, h Handle, out []*Request, q string, args ...any) ([]*Request, error) {
	rows, err := h.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err, "exporting requests")
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRequest(rows, true)
		if err != nil {
			return nil, mapErr(err, "exporting requests")
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "exporting requests")
	}
	return out, nil
}

// EachDelivery calls fn with every delivery f matches (its Before, After,
// Oldest and Limit are ignored) created within span, each with its
// attempts in order, in id order. As EachRequest, it reads only the
// deliveries there are when it starts, exportBatch at a time: one query
// for the deliveries and one for all their attempts.
func (DeliveryStore) EachDelivery(ctx context.Context, h Handle, f DeliveryFilter, span Span, fn func(d *Delivery) error) error {
	if err := checkSearchText(f.Text); err != nil {
		return fmt.Errorf("exporting deliveries: %w", err)
	}
	var top int64
	if err := h.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM deliveries`).Scan(&top); err != nil {
		return mapErr(err, "exporting deliveries")
	}
	base := deliveryWhere(f, false)
	span.add(base, "d.created_at")
	batch := make([]Delivery, 0, exportBatch)
	for after := int64(0); after < top; {
		w := &where{conds: append([]string(nil), base.conds...), args: append([]any(nil), base.args...)}
		w.add("d.id > ?", after)
		w.add("d.id <= ?", top)
		var err error
		batch, err = queryDeliveries(ctx, h, batch[:0], `SELECT `+deliveryColumns+` FROM deliveries d`+w.sql()+` ORDER BY d.id LIMIT ?`, append(w.args, exportBatch)...)
		if err != nil {
			return fmt.Errorf("exporting deliveries: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := attachAttempts(ctx, h, batch); err != nil {
			return err
		}
		for i := range batch {
			if err := fn(&batch[i]); err != nil {
				return err
			}
		}
		if len(batch) < exportBatch {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
	return nil
}

// attachAttempts loads the attempts of ds in one query: one seek in
// attempts' (delivery_id, n) index per delivery.
func attachAttempts(ctx context.Context, h Handle, ds []Delivery) error {
	at := make(map[int64]*Delivery, len(ds))
	args := make([]any, len(ds))
	marks := make([]string, len(ds))
	for i := range ds {
		ds[i].Attempts = []Attempt{}
		at[ds[i].ID] = &ds[i]
		args[i], marks[i] = ds[i].ID, "?"
	}
	rows, err := h.QueryContext(ctx, `SELECT `+attemptColumns+` FROM attempts a
		WHERE a.delivery_id IN (`+strings.Join(marks, ",")+`) ORDER BY a.delivery_id, a.n`, args...)
	if err != nil {
		return mapErr(err, "exporting the attempts of deliveries %d-%d", ds[0].ID, ds[len(ds)-1].ID)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return mapErr(err, "exporting the attempts of deliveries %d-%d", ds[0].ID, ds[len(ds)-1].ID)
		}
		if d := at[a.DeliveryID]; d != nil {
			d.Attempts = append(d.Attempts, *a)
		}
	}
	if err := rows.Err(); err != nil {
		return mapErr(err, "exporting the attempts of deliveries %d-%d", ds[0].ID, ds[len(ds)-1].ID)
	}
	return nil
}
