package db

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// NewSingles describes events of one vendor and type, each to be created
// with a delivery of it alone to one endpoint, claimed by the caller (a
// load run's batch).
type NewSingles struct {
	EndpointID   int64
	Vendor, Type string
	Source       string
	// Payloads are the events' payloads, one event and delivery each.
	Payloads []json.RawMessage
	// ExecutionIDs and MessageIDs are each delivery's (same length as
	// Payloads).
	ExecutionIDs, MessageIDs []string
	Ordered, NoRetry         bool
	// ClaimUntil is the claim's lease, held from creation.
	ClaimUntil time.Time
	// ClaimedBy is the claim's holder (an Owner id; 0: none).
	ClaimedBy int64
	// Private: only the holder sends these deliveries (a load run's);
	// another process never claims them (see ReapOwner).
	Private bool
}

// batchSizes are the row counts of the multi-row statements: a batch is
// cut into chunks of these sizes, so that few distinct statements exist
// (each stays in the connection's statement cache).
var batchSizes = [...]int{64, 16, 4, 1}

// chunks calls fn for consecutive [i, j) cuts of n rows whose lengths are
// batchSizes.
func chunks(n int, fn func(i, j int) error) error {
	i := 0
	for _, size := range batchSizes {
		for ; n-i >= size; i += size {
			if err := fn(i, i+size); err != nil {
				return err
			}
		}
	}
	return nil
}

// rowsSQL caches the multi-row statements by kind and row count.
var rowsSQL sync.Map // [2]any{kind, n} -> string

// rowsStatement is head followed by n rows separated by commas: row
// appends the k-th, whose own placeholders are numbered from
// base+1+k*perRow (?1 to ?base are shared by every row). Built once per
// kind and n.
func rowsStatement(kind, head string, n int, row func(b []byte, first int) []byte, base, perRow int) string {
	key := [2]any{kind, n}
	if s, ok := rowsSQL.Load(key); ok {
		return s.(string)
	}
	b := []byte(head)
	for k := range n {
		if k > 0 {
			b = append(b, ", "...)
		}
		b = row(b, base+1+k*perRow)
	}
	s := string(b)
	rowsSQL.Store(key, s)
	return s
}

// lastIDs are the largest ids of events and deliveries (0 when empty), in
// one query. Inside a write the caller is the only writer, so ids above
// them are free: a batch inserts rows with explicit consecutive ids and
// knows each one without a query (RETURNING gives no order).
func lastIDs(ctx context.Context, h Handle) (event, delivery int64, err error) {
	err = h.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM events), (SELECT COALESCE(MAX(id), 0) FROM deliveries)`).Scan(&event, &delivery)
	if err != nil {
		return 0, 0, fmt.Errorf("reading the last ids of events and deliveries: %w", err)
	}
	return event, delivery, nil
}

// CreateSingles creates, for each of ns.Payloads, an event and a
// delivery of it alone, pending and claimed until ns.ClaimUntil, in a
// few multi-row statements whatever their number (a load run's
// batch), and returns the deliveries in order.
func (OutboxStore) CreateSingles(ctx context.Context, h Handle, ns NewSingles, now time.Time) ([]*Claimed, error) {
	n := len(ns.Payloads)
	if n == 0 {
		return nil, nil
	}
	if len(ns.ExecutionIDs) != n || len(ns.MessageIDs) != n {
		return nil, fmt.Errorf("creating deliveries to endpoint %d: %d payloads, %d execution ids, %d message ids", ns.EndpointID, n, len(ns.ExecutionIDs), len(ns.MessageIDs))
	}
	lastEvent, lastDelivery, err := lastIDs(ctx, h)
	if err != nil {
		return nil, err
	}
	at := nanos(now)
	// events: ?1 vendor, ?2 type, ?3 source, ?4 created_at; per row id, payload.
	err = chunks(n, func(i, j int) error {
		q := rowsStatement("events", `INSERT INTO events (id, vendor, event_type, payload, source, created_at) VALUES `, j-i,
			func(b []byte, p int) []byte { return fmt.Appendf(b, "(?%d, ?1, ?2, ?%d, ?3, ?4)", p, p+1) }, 4, 2)
		args := make([]any, 0, 4+2*(j-i))
		args = append(args, ns.Vendor, ns.Type, ns.Source, at)
		for k := i; k < j; k++ {
			args = append(args, lastEvent+1+int64(k), blob(ns.Payloads[k]))
		}
		if _, err := h.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("creating %d events %s/%s: %w", j-i, ns.Vendor, ns.Type, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	types := []string{ns.Type}
	typesJSON, err := encodeStrings(types)
	if err != nil {
		return nil, fmt.Errorf("creating deliveries to endpoint %d: their event types: %w", ns.EndpointID, err)
	}
	// deliveries: ?1 endpoint, ?2 vendor, ?3 event_types, ?4 due, ?5 claim,
	// ?6 ordered, ?7 no_retry, ?8 now, ?9 claimed_by, ?10 private; per row
	// id, execution_id, message_id.
	err = chunks(n, func(i, j int) error {
		q := rowsStatement("deliveries", `INSERT INTO deliveries
		(id, endpoint_id, vendor, event_types, status, execution_id, message_id, next_attempt_at, claimed_until, ordered, no_retry, created_at, updated_at, claimed_by, private)
		VALUES `, j-i, func(b []byte, p int) []byte {
			return fmt.Appendf(b, "(?%d, ?1, ?2, ?3, 'pending', ?%d, ?%d, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10)", p, p+1, p+2)
		}, 10, 3)
		args := make([]any, 0, 10+3*(j-i))
		args = append(args, ns.EndpointID, ns.Vendor, typesJSON, at, nanos(ns.ClaimUntil), ns.Ordered, ns.NoRetry, at, nullOwner(ns.ClaimedBy), ns.Private)
		for k := i; k < j; k++ {
			args = append(args, lastDelivery+1+int64(k), ns.ExecutionIDs[k], ns.MessageIDs[k])
		}
		if _, err := h.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("creating %d deliveries to endpoint %d: %w", j-i, ns.EndpointID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Delivery k carries event k alone.
	if _, err := h.ExecContext(ctx, `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?3)
		INSERT INTO delivery_events (delivery_id, event_id, position) SELECT ?1 + i, ?2 + i, 0 FROM k`,
		lastDelivery, lastEvent, n); err != nil {
		return nil, fmt.Errorf("linking %d events to their deliveries: %w", n, err)
	}
	due := now
	// One array each for the batch's claims, events and event ids: a
	// delivery's slices are one-element windows of them (capped, so an
	// append copies instead of writing into a neighbour's).
	out := make([]*Claimed, n)
	claims := make([]Claimed, n)
	events := make([]Event, n)
	eventIDs := make([]int64, n)
	for k := range out {
		events[k] = Event{ID: lastEvent + 1 + int64(k), Vendor: ns.Vendor, Type: ns.Type, Payload: ns.Payloads[k], Source: ns.Source, CreatedAt: now}
		eventIDs[k] = events[k].ID
		claims[k] = Claimed{
			Delivery: Delivery{
				ID: lastDelivery + 1 + int64(k), EndpointID: ns.EndpointID, Vendor: ns.Vendor, EventTypes: types,
				EventIDs: eventIDs[k : k+1 : k+1], Status: DeliveryPending, ExecutionID: ns.ExecutionIDs[k], MessageID: ns.MessageIDs[k],
				NextAttemptAt: &due, CreatedAt: now, UpdatedAt: now,
			},
			Events: events[k : k+1 : k+1], Ordered: ns.Ordered, NoRetry: ns.NoRetry, Lease: ns.ClaimUntil,
		}
		out[k] = &claims[k]
	}
	return out, nil
}
