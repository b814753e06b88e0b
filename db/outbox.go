package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

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

// OutboxStore is the sender's durable outbox: events, deliveries and their
// due times in SQLite, claimed by workers under a lease so that two workers
// (or two processes sharing the file) never run the same attempt at once.
// Every write method must run inside DB.Write.
type OutboxStore interface {
	// CreateEvent inserts e and sets e.ID.
	CreateEvent(ctx context.Context, h Handle, e *Event) error
	// CreateDelivery inserts a delivery with its delivery_events rows.
	CreateDelivery(ctx context.Context, h Handle, nd NewDelivery, now time.Time) (*Delivery, error)
	// OpenBatch finds the batch new events of a batching endpoint join: its
	// newest pending or retrying delivery that no worker holds and that
	// still has an attempt to come (a window not yet sent, or a failed
	// batch awaiting its retry). Nil when there is none.
	OpenBatch(ctx context.Context, h Handle, endpointID int64, now time.Time) (*Delivery, error)
	// AttachEvents appends events to a delivery (sent with its next attempt).
	AttachEvents(ctx context.Context, h Handle, deliveryID int64, events []Event, now time.Time) error
	// ClaimDue claims for owner (an Owner id, 0 for none) up to limit
	// deliveries whose time has come, on enabled endpoints, skipping
	// ordered deliveries with an earlier unfinished one on their endpoint,
	// the private deliveries of load runs and those another process runs
	// (Runner), and returns their ids, earliest due first. With ownOnly it
	// claims only the deliveries owner runs (a process that does not hold
	// the outbox).
	ClaimDue(ctx context.Context, h Handle, owner int64, ownOnly bool, now, leaseUntil time.Time, limit int) ([]int64, error)
	// Claim claims one delivery for owner whatever its due time or status
	// (a manual retry); ErrConflict while another worker holds it,
	// ErrNotFound.
	Claim(ctx context.Context, h Handle, owner int64, id int64, now, leaseUntil time.Time) error
	// LoadClaimed loads a claimed delivery with its events in sending order.
	LoadClaimed(ctx context.Context, h Handle, id int64) (*Claimed, error)
	// RecordAttempt inserts a (its N must be the delivery's attempt count
	// plus one) and counts it on the delivery.
	RecordAttempt(ctx context.Context, h Handle, a *Attempt) error
	// Finish applies an attempt's outcome and releases the claim.
	Finish(ctx context.Context, h Handle, id int64, lease time.Time, o Outcome, now time.Time) error
	// Complete is RecordAttempt and Finish in two statements: it counts the
	// attempt, applies o and releases the claim in one UPDATE (ErrLeaseLost,
	// with nothing written, when the claim is no longer held), then inserts
	// a. The sender's hot path: one write per attempt.
	Complete(ctx context.Context, h Handle, a *Attempt, lease time.Time, o Outcome, now time.Time) error
	// CreateSingles creates, for each of ns.Payloads, an event and a
	// delivery of it alone, pending and claimed until ns.ClaimUntil, in a
	// few multi-row statements whatever their number (a load run's
	// batch), and returns the deliveries in order.
	CreateSingles(ctx context.Context, h Handle, ns NewSingles, now time.Time) ([]*Claimed, error)
	// Release gives a claim back unchanged.
	Release(ctx context.Context, h Handle, id int64, lease time.Time) error
	// NextDue is the earliest next_attempt_at among the deliveries ClaimDue
	// could claim for owner at that time (zero when none), so a worker
	// knows how long it may sleep.
	NextDue(ctx context.Context, h Handle, owner int64, ownOnly bool, now time.Time) (time.Time, error)
	// OldestUnfinished is the id of the endpoint's oldest pending or
	// retrying delivery (0 when none): the one ordering lets go first.
	OldestUnfinished(ctx context.Context, h Handle, endpointID int64) (int64, error)
	// Unskip makes the endpoint's skipped deliveries pending, due at now,
	// and returns how many.
	Unskip(ctx context.Context, h Handle, endpointID int64, now time.Time) (int, error)
	// FailedIDs lists the endpoint's failed deliveries, oldest first.
	FailedIDs(ctx context.Context, h Handle, endpointID int64) ([]int64, error)
	// RegisterOwner records o, a process that will hold claims, unless it
	// is recorded already.
	RegisterOwner(ctx context.Context, h Handle, o Owner) error
	// Owners lists the recorded owners.
	Owners(ctx context.Context, h Handle) ([]Owner, error)
	// ReapOwner forgets owner id, known to be gone, and its claims: its
	// deliveries are free to claim again at their due time, except the
	// private ones of its load runs, which end cancelled with reason. It
	// returns how many deliveries it freed and cancelled.
	ReapOwner(ctx context.Context, h Handle, id int64, reason string, now time.Time) (freed, cancelled int, err error)
}

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

// NewOutboxStore returns the SQLite outbox.
func NewOutboxStore() OutboxStore { return outboxStore{} }

type outboxStore struct{}

func outboxNanos(t time.Time) int64 { return t.UnixNano() }

func outboxTime(n int64) time.Time { return time.Unix(0, n) }

func outboxJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func (outboxStore) CreateEvent(ctx context.Context, h Handle, e *Event) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	payload := []byte(e.Payload)
	if payload == nil {
		payload = []byte{}
	}
	res, err := h.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, source, created_at) VALUES (?, ?, ?, ?, ?)`,
		e.Vendor, e.Type, payload, e.Source, outboxNanos(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("creating event %s/%s: %w", e.Vendor, e.Type, err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

func (s outboxStore) CreateDelivery(ctx context.Context, h Handle, nd NewDelivery, now time.Time) (*Delivery, error) {
	types := make([]string, len(nd.Events))
	ids := make([]int64, len(nd.Events))
	for i, e := range nd.Events {
		types[i], ids[i] = e.Type, e.ID
	}
	var due, claim any
	if nd.DueAt != nil {
		due = outboxNanos(*nd.DueAt)
	}
	if !nd.ClaimUntil.IsZero() {
		claim = outboxNanos(nd.ClaimUntil)
	}
	wait := ""
	if nd.Wait != nil {
		wait = outboxJSON(nd.Wait)
	}
	scale := nd.TimeScale
	if scale <= 0 {
		scale = 1
	}
	res, err := h.ExecContext(ctx, `INSERT INTO deliveries
		(endpoint_id, vendor, event_types, status, execution_id, message_id, next_attempt_at, claimed_until, claimed_by, ordered, no_retry, wait, last_error, created_at, updated_at, time_scale, runner)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nd.EndpointID, nd.Vendor, outboxJSON(types), nd.Status, nd.ExecutionID, nd.MessageID, due, claim, nullOwner(nd.ClaimedBy),
		nd.Ordered, nd.NoRetry, wait, nd.LastError, outboxNanos(now), outboxNanos(now), scale, nullOwner(nd.Runner))
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

func (s outboxStore) OpenBatch(ctx context.Context, h Handle, endpointID int64, now time.Time) (*Delivery, error) {
	var id int64
	err := h.QueryRowContext(ctx, `SELECT id FROM deliveries
		WHERE endpoint_id = ? AND status IN ('pending', 'retrying') AND next_attempt_at IS NOT NULL
		  AND (claimed_until IS NULL OR claimed_until < ?)
		ORDER BY id DESC LIMIT 1`, endpointID, outboxNanos(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("finding the open batch of endpoint %d: %w", endpointID, err)
	}
	return outboxLoadDelivery(ctx, h, id)
}

func (s outboxStore) AttachEvents(ctx context.Context, h Handle, deliveryID int64, events []Event, now time.Time) error {
	d, err := outboxLoadDelivery(ctx, h, deliveryID)
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
	if _, err := h.ExecContext(ctx, `UPDATE deliveries SET event_types = ?, updated_at = ? WHERE id = ?`, outboxJSON(types), outboxNanos(now), deliveryID); err != nil {
		return fmt.Errorf("attaching events to delivery %d: %w", deliveryID, err)
	}
	return nil
}

// nullOwner is an owner id as stored: NULL for none.
func nullOwner(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// runnerFilter is the condition on d.runner for ClaimDue and NextDue: the
// deliveries owner runs alone with ownOnly, else those and every one no
// process runs alone. Its one placeholder is the owner id.
func runnerFilter(ownOnly bool) string {
	if ownOnly {
		return `d.runner = ?`
	}
	return `(d.runner IS NULL OR d.runner = ?)`
}

func (outboxStore) ClaimDue(ctx context.Context, h Handle, owner int64, ownOnly bool, now, leaseUntil time.Time, limit int) ([]int64, error) {
	if limit <= 0 {
		return nil, nil
	}
	n := outboxNanos(now)
	rows, err := h.QueryContext(ctx, `UPDATE deliveries SET claimed_until = ?, claimed_by = ? WHERE id IN (
		SELECT d.id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
		WHERE d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= ?
		  AND d.status IN ('pending', 'retrying')
		  AND (d.claimed_until IS NULL OR d.claimed_until < ?)
		  AND d.private = 0
		  AND `+runnerFilter(ownOnly)+`
		  AND e.enabled = 1
		  AND (d.ordered = 0 OR NOT EXISTS (
		        SELECT 1 FROM deliveries p
		        WHERE p.endpoint_id = d.endpoint_id AND p.id < d.id AND p.status IN ('pending', 'retrying')))
		ORDER BY d.next_attempt_at, d.id LIMIT ?)
		RETURNING id, next_attempt_at`, outboxNanos(leaseUntil), nullOwner(owner), n, n, owner, limit)
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

func (outboxStore) Claim(ctx context.Context, h Handle, owner int64, id int64, now, leaseUntil time.Time) error {
	res, err := h.ExecContext(ctx, `UPDATE deliveries SET claimed_until = ?, claimed_by = ?
		WHERE id = ? AND (claimed_until IS NULL OR claimed_until < ?)`, outboxNanos(leaseUntil), nullOwner(owner), id, outboxNanos(now))
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

func (outboxStore) LoadClaimed(ctx context.Context, h Handle, id int64) (*Claimed, error) {
	d, err := outboxLoadDelivery(ctx, h, id)
	if err != nil {
		return nil, err
	}
	c := &Claimed{Delivery: *d}
	var lease sql.NullInt64
	if err := h.QueryRowContext(ctx, `SELECT ordered, no_retry, claimed_until FROM deliveries WHERE id = ?`, id).Scan(&c.Ordered, &c.NoRetry, &lease); err != nil {
		return nil, mapErr(err, "loading delivery %d", id) // deleted since the read above: ErrNotFound
	}
	if lease.Valid {
		c.Lease = outboxTime(lease.Int64)
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
		e.Payload, e.CreatedAt = payload, outboxTime(created)
		c.Events = append(c.Events, e)
	}
	return c, rows.Err()
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
		a.DeliveryID, a.N, outboxNanos(a.StartedAt), a.DurationMS, r.method, a.Request.URL,
		r.reqHeaders, r.reqBody, r.bodyRef, r.status, r.respHeaders, r.respBody, r.truncated, a.Error, a.Manual,
		a.VendorWaitMS, a.WaitReason)
	if err != nil {
		return fmt.Errorf("recording attempt %d of delivery %d: %w", a.N, a.DeliveryID, err)
	}
	a.ID, _ = res.LastInsertId()
	return nil
}

func (outboxStore) RecordAttempt(ctx context.Context, h Handle, a *Attempt) error {
	if err := insertAttempt(ctx, h, a, 0); err != nil {
		return err
	}
	if _, err := h.ExecContext(ctx, `UPDATE deliveries SET attempt_count = attempt_count + 1 WHERE id = ?`, a.DeliveryID); err != nil {
		return fmt.Errorf("counting attempt %d of delivery %d: %w", a.N, a.DeliveryID, err)
	}
	return nil
}

func (outboxStore) Finish(ctx context.Context, h Handle, id int64, lease time.Time, o Outcome, now time.Time) error {
	return finish(ctx, h, id, lease, o, now, false)
}

func (outboxStore) Complete(ctx context.Context, h Handle, a *Attempt, lease time.Time, o Outcome, now time.Time) error {
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
	args = append(args, outboxNanos(now))
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
		var next any
		if o.Next != nil {
			next = outboxNanos(*o.Next)
		}
		wait := ""
		if o.Wait != nil {
			wait = outboxJSON(o.Wait)
		}
		args = append(args, o.Status, next, wait)
	}
	if o.Escalation != nil {
		form |= finishEscalation
		args = append(args, outboxJSON(o.Escalation))
	}
	args = append(args, id, outboxNanos(lease))
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
			o.DisableEndpoint, outboxNanos(now), outboxNanos(now), id); err != nil {
			return fmt.Errorf("disabling the endpoint of delivery %d: %w", id, err)
		}
	}
	return nil
}

func (outboxStore) Release(ctx context.Context, h Handle, id int64, lease time.Time) error {
	res, err := h.ExecContext(ctx, `UPDATE deliveries SET claimed_until = NULL, claimed_by = NULL WHERE id = ? AND claimed_until = ?`, id, outboxNanos(lease))
	if err != nil {
		return fmt.Errorf("releasing delivery %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("releasing delivery %d: %w", id, ErrLeaseLost)
	}
	return nil
}

func (outboxStore) NextDue(ctx context.Context, h Handle, owner int64, ownOnly bool, now time.Time) (time.Time, error) {
	var n sql.NullInt64
	if err := h.QueryRowContext(ctx, `SELECT MIN(d.next_attempt_at) FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
		WHERE d.next_attempt_at IS NOT NULL AND d.status IN ('pending', 'retrying')
		  AND (d.claimed_until IS NULL OR d.claimed_until < ?)
		  AND d.private = 0
		  AND `+runnerFilter(ownOnly)+`
		  AND e.enabled = 1
		  AND (d.ordered = 0 OR NOT EXISTS (
		        SELECT 1 FROM deliveries p
		        WHERE p.endpoint_id = d.endpoint_id AND p.id < d.id AND p.status IN ('pending', 'retrying')))`,
		outboxNanos(now), owner).Scan(&n); err != nil {
		return time.Time{}, fmt.Errorf("finding the next due delivery: %w", err)
	}
	if !n.Valid {
		return time.Time{}, nil
	}
	return outboxTime(n.Int64), nil
}

func (outboxStore) OldestUnfinished(ctx context.Context, h Handle, endpointID int64) (int64, error) {
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

func (outboxStore) Unskip(ctx context.Context, h Handle, endpointID int64, now time.Time) (int, error) {
	res, err := h.ExecContext(ctx, `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?
		WHERE endpoint_id = ? AND status = 'skipped'`, outboxNanos(now), outboxNanos(now), endpointID)
	if err != nil {
		return 0, fmt.Errorf("releasing the skipped deliveries of endpoint %d: %w", endpointID, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (outboxStore) FailedIDs(ctx context.Context, h Handle, endpointID int64) ([]int64, error) {
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

// outboxLoadDelivery reads one delivery row (without attempts), through
// the same columns and scanner as every other delivery read.
func outboxLoadDelivery(ctx context.Context, h Handle, id int64) (*Delivery, error) {
	d, err := scanDelivery(h.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries d WHERE d.id = ?`, id))
	if err != nil {
		return nil, mapErr(err, "loading delivery %d", id)
	}
	return d, nil
}

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

func (s outboxStore) CreateSingles(ctx context.Context, h Handle, ns NewSingles, now time.Time) ([]*Claimed, error) {
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
	at := outboxNanos(now)
	// events: ?1 vendor, ?2 type, ?3 source, ?4 created_at; per row id, payload.
	err = chunks(n, func(i, j int) error {
		q := rowsStatement("events", `INSERT INTO events (id, vendor, event_type, payload, source, created_at) VALUES `, j-i,
			func(b []byte, p int) []byte { return fmt.Appendf(b, "(?%d, ?1, ?2, ?%d, ?3, ?4)", p, p+1) }, 4, 2)
		args := make([]any, 0, 4+2*(j-i))
		args = append(args, ns.Vendor, ns.Type, ns.Source, at)
		for k := i; k < j; k++ {
			p := []byte(ns.Payloads[k])
			if p == nil {
				p = []byte{}
			}
			args = append(args, lastEvent+1+int64(k), p)
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
	typesJSON := outboxJSON(types)
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
		args = append(args, ns.EndpointID, ns.Vendor, typesJSON, at, outboxNanos(ns.ClaimUntil), ns.Ordered, ns.NoRetry, at, nullOwner(ns.ClaimedBy), ns.Private)
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

func (outboxStore) RegisterOwner(ctx context.Context, h Handle, o Owner) error {
	if _, err := h.ExecContext(ctx, `INSERT OR IGNORE INTO outbox_owners (id, pid, host, start, created_at) VALUES (?, ?, ?, ?, ?)`,
		o.ID, o.PID, o.Host, o.Start, outboxNanos(o.CreatedAt)); err != nil {
		return fmt.Errorf("recording process %d as a holder of deliveries: %w", o.PID, err)
	}
	return nil
}

func (outboxStore) Owners(ctx context.Context, h Handle) ([]Owner, error) {
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
		o.CreatedAt = outboxTime(created)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing the processes holding deliveries: %w", err)
	}
	return out, nil
}

func (outboxStore) ReapOwner(ctx context.Context, h Handle, id int64, reason string, now time.Time) (freed, cancelled int, err error) {
	res, err := h.ExecContext(ctx, `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, wait = '',
		claimed_until = NULL, claimed_by = NULL, last_error = ?, updated_at = ?
		WHERE claimed_by = ? AND claimed_until IS NOT NULL AND private = 1 AND status IN ('pending', 'retrying')`,
		reason, outboxNanos(now), id)
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
