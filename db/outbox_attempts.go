package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Outcome is how an attempt leaves its delivery.
type Outcome struct {
	// Status is the delivery's new status; empty keeps the current one
	// (a failed manual attempt does not move the schedule).
	Status string
	// Next is the next attempt's real instant (Status retrying or pending).
	Next *time.Time
	// Wait explains Next.
	Wait      *RetryWait
	LastError string
	// ErrorUnchanged says LastError is already the delivery's last error
	// (as its claim read it; nothing else writes it while the claim is
	// held): the UPDATE leaves the column alone, so the text index's
	// trigger on it does not run.
	ErrorUnchanged bool
	Escalation     *Escalation
	// DisableEndpoint, when set, disables the delivery's endpoint with
	// this reason in the same transaction (CodeScoring, 410 Gone).
	DisableEndpoint string
	// BodyEvent, when set, says the attempt's request body is byte for
	// byte the payload of this event (already stored): the attempt keeps a
	// reference instead of a second copy, and every read of the attempt
	// returns the body in full.
	BodyEvent int64
}

// attemptRow is an attempt's columns as stored.
type attemptRow struct {
	method                  string
	reqHeaders, respHeaders string
	reqBody, respBody       []byte
	bodyRef                 any
	status, truncated       int
}

// newAttemptRow encodes a's columns. bodyEvent, when set, names the event
// whose payload is the request body, stored once, as the event's.
func newAttemptRow(a *Attempt, bodyEvent int64) (attemptRow, error) {
	r := attemptRow{method: a.Request.Method, respHeaders: "[]", respBody: []byte{}, reqBody: a.Request.Body}
	if r.method == "" {
		r.method = "POST"
	}
	var err error
	if r.reqHeaders, err = encodeHeaders(a.Request.Headers); err != nil {
		return r, err
	}
	if a.Response != nil {
		if r.respHeaders, err = encodeHeaders(a.Response.Headers); err != nil {
			return r, err
		}
		r.status = a.Response.Status
		if a.Response.Body != nil {
			r.respBody = a.Response.Body
		}
		if a.Response.Truncated {
			r.truncated = 1
		}
	}
	if r.reqBody == nil {
		r.reqBody = []byte{}
	}
	if bodyEvent != 0 {
		r.reqBody, r.bodyRef = []byte{}, bodyEvent
	}
	return r, nil
}

// insertAttempt inserts a's row and sets a.ID.
func insertAttempt(ctx context.Context, h Handle, a *Attempt, bodyEvent int64) error {
	r, err := newAttemptRow(a, bodyEvent)
	if err != nil {
		return fmt.Errorf("saving attempt %d of delivery %d: %w", a.N, a.DeliveryID, err)
	}
	res, err := h.ExecContext(ctx, `INSERT INTO attempts
		(delivery_id, n, started_at, duration_ms, req_method, req_url, req_headers, req_body, req_body_event, resp_status, resp_headers, resp_body, resp_truncated, error, manual, vendor_wait_ms, wait_reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.DeliveryID, a.N, nanos(a.StartedAt), a.DurationMS, r.method, a.Request.URL,
		r.reqHeaders, r.reqBody, r.bodyRef, r.status, r.respHeaders, r.respBody, r.truncated, a.Error, a.Manual,
		a.VendorWaitMS, a.WaitReason)
	if err != nil {
		return fmt.Errorf("recording attempt %d of delivery %d: %w", a.N, a.DeliveryID, err)
	}
	a.ID, _ = res.LastInsertId()
	return nil
}

// RecordAttempt inserts a (its N must be the delivery's attempt count
// plus one) and counts it on the delivery.
func (OutboxStore) RecordAttempt(ctx context.Context, h Handle, a *Attempt) error {
	if err := insertAttempt(ctx, h, a, 0); err != nil {
		return err
	}
	if _, err := h.ExecContext(ctx, `UPDATE deliveries SET attempt_count = attempt_count + 1 WHERE id = ?`, a.DeliveryID); err != nil {
		return fmt.Errorf("counting attempt %d of delivery %d: %w", a.N, a.DeliveryID, err)
	}
	return nil
}

// Finish applies an attempt's outcome and releases the claim.
func (OutboxStore) Finish(ctx context.Context, h Handle, id int64, lease time.Time, o Outcome, now time.Time) error {
	return finish(ctx, h, id, lease, o, now, false)
}

// Complete is RecordAttempt and Finish in two statements: it counts the
// attempt, applies o and releases the claim in one UPDATE (ErrLeaseLost,
// with nothing written, when the claim is no longer held), then inserts
// a. The sender's hot path: one write per attempt.
func (OutboxStore) Complete(ctx context.Context, h Handle, a *Attempt, lease time.Time, o Outcome, now time.Time) error {
	if err := finish(ctx, h, a.DeliveryID, lease, o, now, true); err != nil {
		return err
	}
	return insertAttempt(ctx, h, a, o.BodyEvent)
}

// The forms of finish's UPDATE, by what it sets besides the claim and the
// time.
const (
	finishCounted    = 1 << iota // attempt_count + 1
	finishStatus                 // status, next_attempt_at, wait
	finishEscalation             // escalation
	finishError                  // last_error
)

// finishSQL is finish's UPDATE for each form, built once.
var finishSQL = func() (out [16]string) {
	for form := range out {
		sets := []string{"claimed_until = NULL", "claimed_by = NULL", "updated_at = ?"}
		if form&finishError != 0 {
			sets = append(sets, "last_error = ?")
		}
		if form&finishCounted != 0 {
			sets = append(sets, "attempt_count = attempt_count + 1")
		}
		if form&finishStatus != 0 {
			sets = append(sets, "status = ?", "next_attempt_at = ?", "wait = ?")
		}
		if form&finishEscalation != 0 {
			sets = append(sets, "escalation = ?")
		}
		out[form] = `UPDATE deliveries SET ` + strings.Join(sets, ", ") + ` WHERE id = ? AND claimed_until = ?`
	}
	return out
}()

// finish applies o to a claimed delivery and releases the claim, counting
// one more attempt when counted is set.
func finish(ctx context.Context, h Handle, id int64, lease time.Time, o Outcome, now time.Time, counted bool) error {
	args := make([]any, 0, 8)
	args = append(args, nanos(now))
	var form int
	if !o.ErrorUnchanged {
		form |= finishError
		args = append(args, o.LastError)
	}
	if counted {
		form |= finishCounted
	}
	if o.Status != "" {
		form |= finishStatus
		wait, err := encodeOptional(o.Wait)
		if err != nil {
			return fmt.Errorf("finishing delivery %d: its wait: %w", id, err)
		}
		args = append(args, o.Status, nullNanos(o.Next), wait)
	}
	if o.Escalation != nil {
		form |= finishEscalation
		escalation, err := encodeOptional(o.Escalation)
		if err != nil {
			return fmt.Errorf("finishing delivery %d: its escalation: %w", id, err)
		}
		args = append(args, escalation)
	}
	args = append(args, id, nanos(lease))
	res, err := h.ExecContext(ctx, finishSQL[form], args...)
	if err != nil {
		return fmt.Errorf("finishing delivery %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		var one int
		if err := h.QueryRowContext(ctx, `SELECT 1 FROM deliveries WHERE id = ?`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("finishing delivery %d: it was deleted meanwhile (%w): %w", id, ErrLeaseLost, ErrNotFound)
		}
		return fmt.Errorf("finishing delivery %d: %w", id, ErrLeaseLost)
	}
	if o.DisableEndpoint != "" {
		if _, err := h.ExecContext(ctx, `UPDATE endpoints SET enabled = 0, disabled_reason = ?, disabled_at = ?, updated_at = ?
			WHERE id = (SELECT endpoint_id FROM deliveries WHERE id = ?) AND enabled = 1`,
			o.DisableEndpoint, nanos(now), nanos(now), id); err != nil {
			return fmt.Errorf("disabling the endpoint of delivery %d: %w", id, err)
		}
	}
	return nil
}
