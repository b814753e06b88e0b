package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// DeliveryStore reads deliveries and their attempts, as every reader (the
// API, the console, export) sees them; the sender writes them through
// OutboxStore.
type DeliveryStore struct{}

// NewDeliveryStore returns the SQLite DeliveryStore (its zero value is as good).
func NewDeliveryStore() DeliveryStore { return DeliveryStore{} }

// deliveryColumns selects a Delivery from "deliveries d" for scanDelivery,
// its event ids (in position order) included; loadDeliveryRow reads one
// delivery through it.
const deliveryColumns = `d.id, d.endpoint_id, d.vendor, d.event_types, d.status,
	d.execution_id, d.message_id, d.next_attempt_at, d.attempt_count,
	d.last_error, d.escalation, d.wait, d.time_scale, d.created_at, d.updated_at,
	(SELECT group_concat(de.event_id, ',' ORDER BY de.position)
		FROM delivery_events de WHERE de.delivery_id = d.id)`

// scanDelivery reads one row of deliveryColumns (without attempts).
func scanDelivery(s scanner) (*Delivery, error) {
	var (
		d                  Delivery
		events, escalation string
		wait               string
		next               sql.NullInt64
		created, updated   int64
		eventIDs           sql.NullString
	)
	if err := s.Scan(&d.ID, &d.EndpointID, &d.Vendor, &events, &d.Status, &d.ExecutionID,
		&d.MessageID, &next, &d.AttemptCount, &d.LastError, &escalation, &wait, &d.TimeScale, &created, &updated,
		&eventIDs); err != nil {
		return nil, err
	}
	var err error
	if d.EventTypes, err = decodeStrings(events); err != nil {
		return nil, fmt.Errorf("delivery %d event types: %w", d.ID, err)
	}
	if d.Escalation, err = decodeOptional[Escalation](escalation); err != nil {
		return nil, fmt.Errorf("delivery %d escalation: %w", d.ID, err)
	}
	if d.Wait, err = decodeOptional[RetryWait](wait); err != nil {
		return nil, fmt.Errorf("delivery %d wait: %w", d.ID, err)
	}
	d.NextAttemptAt = fromNullNanos(next)
	d.CreatedAt, d.UpdatedAt = fromNanos(created), fromNanos(updated)
	d.EventIDs = []int64{}
	if eventIDs.String != "" {
		for f := range strings.SplitSeq(eventIDs.String, ",") {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("delivery %d event ids: %w", d.ID, err)
			}
			d.EventIDs = append(d.EventIDs, id)
		}
	}
	return &d, nil
}

// attemptColumns selects an Attempt from "attempts a" for scanAttempt.
const attemptColumns = `a.id, a.delivery_id, a.n, a.started_at, a.duration_ms,
	a.req_method, a.req_url, a.req_headers, ` + attemptReqBody + `, a.resp_status,
	a.resp_headers, a.resp_body, a.resp_truncated, a.error, a.manual,
	a.vendor_wait_ms, a.wait_reason`

// attemptReqBody is an attempt's request body: req_body, or, when the body
// was the payload of the one event it carried, that event's payload
// (stored once; see migration 00004).
const attemptReqBody = `(CASE WHEN a.req_body_event IS NULL THEN a.req_body
	ELSE COALESCE((SELECT e.payload FROM events e WHERE e.id = a.req_body_event), a.req_body) END)`

// scanAttempt reads one row of attemptColumns. Response is nil when the
// attempt got no response (resp_status 0); its LatencyMS is the attempt's
// duration.
func scanAttempt(s scanner) (*Attempt, error) {
	var (
		a                     Attempt
		started               int64
		reqHeaders, respHeads string
		reqBody, respBody     []byte
		respStatus, truncated int
		manual                int
	)
	if err := s.Scan(&a.ID, &a.DeliveryID, &a.N, &started, &a.DurationMS, &a.Request.Method,
		&a.Request.URL, &reqHeaders, &reqBody, &respStatus, &respHeads, &respBody, &truncated,
		&a.Error, &manual, &a.VendorWaitMS, &a.WaitReason); err != nil {
		return nil, err
	}
	a.StartedAt = fromNanos(started)
	a.Manual = manual != 0
	var err error
	if a.Request.Headers, err = decodeHeaders(reqHeaders); err != nil {
		return nil, fmt.Errorf("attempt %d request: %w", a.ID, err)
	}
	a.Request.Body = nonNil(reqBody)
	if respStatus != 0 {
		a.Response = &Response{Status: respStatus, Body: nonNil(respBody), LatencyMS: a.DurationMS, Truncated: truncated != 0}
		if a.Response.Headers, err = decodeHeaders(respHeads); err != nil {
			return nil, fmt.Errorf("attempt %d response: %w", a.ID, err)
		}
	}
	return &a, nil
}

// loadAttempts returns every attempt of a delivery, in order of n.
func loadAttempts(ctx context.Context, h Handle, deliveryID int64) ([]Attempt, error) {
	rows, err := h.QueryContext(ctx, `SELECT `+attemptColumns+` FROM attempts a
		WHERE a.delivery_id = ? ORDER BY a.n`, deliveryID)
	if err != nil {
		return nil, mapErr(err, "loading the attempts of delivery %d", deliveryID)
	}
	defer rows.Close()
	out := []Attempt{}
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, mapErr(err, "loading the attempts of delivery %d", deliveryID)
		}
		out = append(out, *a)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "loading the attempts of delivery %d", deliveryID)
	}
	return out, nil
}

// loadDeliveryRow reads one delivery row (without attempts), through
// the same columns and scanner as every other delivery read; ErrNotFound
// if absent.
func loadDeliveryRow(ctx context.Context, h Handle, id int64) (*Delivery, error) {
	d, err := scanDelivery(h.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries d WHERE d.id = ?`, id))
	if err != nil {
		return nil, mapErr(err, "loading delivery %d", id)
	}
	return d, nil
}

// getDelivery loads one delivery with its attempts; ErrNotFound if absent.
func getDelivery(ctx context.Context, h Handle, id int64) (*Delivery, error) {
	d, err := loadDeliveryRow(ctx, h, id)
	if err != nil {
		return nil, err
	}
	if d.Attempts, err = loadAttempts(ctx, h, id); err != nil {
		return nil, err
	}
	return d, nil
}

// GetDelivery loads one delivery with its attempts; ErrNotFound.
func (DeliveryStore) GetDelivery(ctx context.Context, h Handle, id int64) (*Delivery, error) {
	return getDelivery(ctx, h, id)
}

// deliveryWhere turns f into conditions on "deliveries d". Text is a
// substring match (see addTextMatch) over the delivery's event types, ids,
// last error and its attempts' URL, bodies and errors.
func deliveryWhere(f DeliveryFilter, withBefore bool) *where {
	w := &where{}
	if f.Vendor != "" {
		w.add("d.vendor = ?", f.Vendor)
	}
	if f.EndpointID != 0 {
		w.add("d.endpoint_id = ?", f.EndpointID)
	}
	if f.Status != "" {
		w.add("d.status = ?", f.Status)
	}
	if f.LastHTTP != "" {
		// The last attempt is one seek in attempts' (delivery_id, n)
		// index per delivery the walk reaches.
		lo, hi, err := parseStatusFilter(f.LastHTTP)
		if err != nil {
			lo, hi = 1, 0 // matches nothing; the callers check the filter first
		}
		w.add("(SELECT a2.resp_status FROM attempts a2 WHERE a2.delivery_id = d.id ORDER BY a2.n DESC LIMIT 1) BETWEEN ? AND ?", lo, hi)
	}
	if f.Source != "" {
		w.add("EXISTS (SELECT 1 FROM delivery_events de JOIN events e ON e.id = de.event_id WHERE de.delivery_id = d.id AND e.source = ?)", f.Source)
	}
	if f.Text != "" {
		// The attempts' half is a subquery; its conditions are built the
		// same way and spliced in.
		own, att := deliveryTextMatch(f.Text)
		w.add("("+own.conds[0]+" OR EXISTS (SELECT 1 FROM attempts a WHERE a.delivery_id = d.id AND "+att.conds[0]+"))",
			append(own.args, att.args...)...)
	}
	if withBefore && f.Before > 0 {
		w.add("d.id < ?", f.Before)
	}
	if withBefore && f.After > 0 {
		w.add("d.id > ?", f.After)
	}
	return w
}

// deliveryTextMatch is the text match of a delivery's own columns (on
// "deliveries d") and of one of its attempts (on "attempts a").
func deliveryTextMatch(text string) (own, att *where) {
	own, att = &where{}, &where{}
	addTextMatch(own, text, "d.event_types", "d.execution_id", "d.message_id", "d.last_error")
	addTextMatch(att, text, "a.req_url", "a.error", attemptReqBody, "a.resp_body")
	return own, att
}

// ListDeliveries pages deliveries newest first by keyset, without their
// attempts. A text search the text indexes can serve goes through
// listDeliveriesByText, inside one read transaction so that the indexes,
// the changed rows and the rows are read at one point in time. A page from
// the oldest end (f.After, f.Oldest) reads the deliveries upward, never the
// text indexes.
func (DeliveryStore) ListDeliveries(ctx context.Context, h Handle, f DeliveryFilter) ([]Delivery, error) {
	if err := checkSearchText(f.Text); err != nil {
		return nil, fmt.Errorf("listing deliveries: %w", err)
	}
	if indexable(f.Text) && !f.fromOldest() {
		if pool, ok := h.(*sql.DB); ok {
			tx, err := pool.BeginTx(ctx, nil)
			if err != nil {
				return nil, mapErr(err, "listing deliveries")
			}
			defer tx.Rollback()
			h = tx
		}
		st, err := attemptText.readState(ctx, h)
		if err != nil {
			return nil, fmt.Errorf("listing deliveries: %w", err)
		}
		if st.upto > 0 {
			ost, err := deliveryText.readState(ctx, h)
			if err != nil {
				return nil, fmt.Errorf("listing deliveries: %w", err)
			}
			return listDeliveriesByText(ctx, h, f, st, ost)
		}
	}
	return listDeliveries(ctx, h, f)
}

// listDeliveries answers f by reading the deliveries (and, for a text,
// the attempts of each) newest first.
func listDeliveries(ctx context.Context, h Handle, f DeliveryFilter) ([]Delivery, error) {
	w := deliveryWhere(f, true)
	if f.fromOldest() { // upward from After, shown newest first
		q := `SELECT ` + deliveryColumns + ` FROM deliveries d` + w.sql() + ` ORDER BY d.id LIMIT ?`
		out, err := queryDeliveries(ctx, h, make([]Delivery, 0, pageLimit(f.Limit)), q, append(w.args, pageLimit(f.Limit))...)
		slices.Reverse(out)
		return out, err
	}
	q := `SELECT ` + deliveryColumns + ` FROM deliveries d` + w.sql() + ` ORDER BY d.id DESC LIMIT ?`
	return queryDeliveries(ctx, h, make([]Delivery, 0, pageLimit(f.Limit)), q, append(w.args, pageLimit(f.Limit))...)
}

// queryDeliveries appends the deliveries q returns to out.
func queryDeliveries(ctx context.Context, h Handle, out []Delivery, q string, args ...any) ([]Delivery, error) {
	rows, err := h.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err, "listing deliveries")
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, mapErr(err, "listing deliveries")
		}
		out = append(out, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "listing deliveries")
	}
	return out, nil
}

// CountDeliveries counts deliveries matching f (Before, Oldest and
// Limit ignored; with After, those above it).
func (DeliveryStore) CountDeliveries(ctx context.Context, h Handle, f DeliveryFilter) (int64, error) {
	w := deliveryWhere(f, false)
	if f.After > 0 {
		w.add("d.id > ?", f.After)
	}
	var n int64
	if err := h.QueryRowContext(ctx, `SELECT count(*) FROM deliveries d`+w.sql(), w.args...).Scan(&n); err != nil {
		return 0, mapErr(err, "counting deliveries")
	}
	return n, nil
}
