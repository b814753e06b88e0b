package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// EndpointStore keeps the sender's endpoints.
type EndpointStore struct{}

// NewEndpointStore returns the SQLite EndpointStore (its zero value is as good).
func NewEndpointStore() EndpointStore { return EndpointStore{} }

const endpointColumns = `id, name, url, profile, secret, token, header, events,
	filters, headers, retry, timeout_seconds, enabled, disabled_reason,
	disabled_at, created_at, updated_at, adhoc`

// endpointValues are e's columns after id, in endpointColumns order.
func endpointValues(e *Endpoint) ([]any, error) {
	events, err := encodeStrings(e.Events)
	if err != nil {
		return nil, err
	}
	filters, err := encodeJSON(e.Filters)
	if err != nil {
		return nil, err
	}
	headers, err := encodeHeaders(e.Headers)
	if err != nil {
		return nil, err
	}
	retry, err := encodeOptional(e.Retry)
	if err != nil {
		return nil, err
	}
	return []any{e.Name, e.URL, e.Profile, e.Secret, e.Token, e.Header, events,
		filters, headers, retry, e.TimeoutSeconds, boolInt(e.Enabled), e.DisabledReason,
		nullNanos(e.DisabledAt), nanos(e.CreatedAt), nanos(e.UpdatedAt)}, nil
}

// CreateEndpoint inserts e, setting e.ID and, when zero, e.CreatedAt and
// e.UpdatedAt to now; ErrConflict on a taken name.
func (EndpointStore) CreateEndpoint(ctx context.Context, h Handle, e *Endpoint) error {
	now := time.Now().UTC()
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now
	}
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = e.CreatedAt
	}
	vals, err := endpointValues(e)
	if err != nil {
		return fmt.Errorf("saving endpoint %s: %w", e.Name, err)
	}
	vals = append(vals, boolInt(e.AdHoc))
	res, err := h.ExecContext(ctx, `INSERT INTO endpoints (name, url, profile, secret, token,
		header, events, filters, headers, retry, timeout_seconds, enabled,
		disabled_reason, disabled_at, created_at, updated_at, adhoc)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, vals...)
	if err != nil {
		return mapErr(err, "saving endpoint %s", e.Name)
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("saving endpoint %s: %w", e.Name, err)
	}
	return nil
}

func scanEndpoint(s scanner) (*Endpoint, error) {
	var (
		e                              Endpoint
		events, filters, headers, rtry string
		enabled, adhoc                 int
		disabledAt                     sql.NullInt64
		created, updated               int64
	)
	if err := s.Scan(&e.ID, &e.Name, &e.URL, &e.Profile, &e.Secret, &e.Token, &e.Header,
		&events, &filters, &headers, &rtry, &e.TimeoutSeconds, &enabled, &e.DisabledReason,
		&disabledAt, &created, &updated, &adhoc); err != nil {
		return nil, err
	}
	var err error
	if e.Events, err = decodeStrings(events); err != nil {
		return nil, fmt.Errorf("endpoint %d events: %w", e.ID, err)
	}
	if filters != "" {
		if err := json.Unmarshal([]byte(filters), &e.Filters); err != nil {
			return nil, fmt.Errorf("endpoint %d filters: %w", e.ID, err)
		}
	}
	if e.Headers, err = decodeHeaders(headers); err != nil {
		return nil, fmt.Errorf("endpoint %d: %w", e.ID, err)
	}
	if e.Retry, err = decodeOptional[RetryConfig](rtry); err != nil {
		return nil, fmt.Errorf("endpoint %d retry: %w", e.ID, err)
	}
	e.Enabled = enabled != 0
	e.AdHoc = adhoc != 0
	e.DisabledAt = fromNullNanos(disabledAt)
	e.CreatedAt, e.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &e, nil
}

// GetEndpoint loads by id, an ad-hoc target too; ErrNotFound if absent.
func (EndpointStore) GetEndpoint(ctx context.Context, h Handle, id int64) (*Endpoint, error) {
	e, err := scanEndpoint(h.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM endpoints WHERE id = ?`, id))
	if err != nil {
		return nil, mapErr(err, "loading endpoint %d", id)
	}
	return e, nil
}

// GetEndpointByName loads one of the user's endpoints (not an ad-hoc
// target) by name; ErrNotFound if absent.
func (EndpointStore) GetEndpointByName(ctx context.Context, h Handle, name string) (*Endpoint, error) {
	e, err := scanEndpoint(h.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM endpoints WHERE name = ? AND adhoc = 0`, name))
	if err != nil {
		return nil, mapErr(err, "loading endpoint %q", name)
	}
	return e, nil
}

// ListEndpoints lists the user's endpoints by id (ad-hoc targets are
// not among them).
func (EndpointStore) ListEndpoints(ctx context.Context, h Handle) ([]Endpoint, error) {
	rows, err := h.QueryContext(ctx, `SELECT `+endpointColumns+` FROM endpoints WHERE adhoc = 0 ORDER BY id`)
	if err != nil {
		return nil, mapErr(err, "listing endpoints")
	}
	defer rows.Close()
	out := []Endpoint{}
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, mapErr(err, "listing endpoints")
		}
		out = append(out, *e)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "listing endpoints")
	}
	return out, nil
}

// UpdateEndpoint replaces every field of the endpoint e.ID with e's, except
// CreatedAt and AdHoc, which are kept; e.UpdatedAt is set to now when zero.
// ErrNotFound, ErrConflict on a taken name.
func (EndpointStore) UpdateEndpoint(ctx context.Context, h Handle, e *Endpoint) error {
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = time.Now().UTC()
	}
	vals, err := endpointValues(e)
	if err != nil {
		return fmt.Errorf("updating endpoint %d: %w", e.ID, err)
	}
	vals = append(vals[:len(vals)-2], nanos(e.UpdatedAt), e.ID) // drop created_at
	res, err := h.ExecContext(ctx, `UPDATE endpoints SET name = ?, url = ?, profile = ?,
		secret = ?, token = ?, header = ?, events = ?, filters = ?, headers = ?,
		retry = ?, timeout_seconds = ?, enabled = ?, disabled_reason = ?,
		disabled_at = ?, updated_at = ? WHERE id = ?`, vals...)
	if err != nil {
		return mapErr(err, "updating endpoint %d", e.ID)
	}
	return mustAffect(res, "updating endpoint %d", e.ID)
}

// DeleteEndpoint removes the endpoint; its deliveries and their attempts
// go with it (ON DELETE CASCADE). ErrNotFound if absent.
func (EndpointStore) DeleteEndpoint(ctx context.Context, h Handle, id int64) error {
	res, err := h.ExecContext(ctx, `DELETE FROM endpoints WHERE id = ?`, id)
	if err != nil {
		return mapErr(err, "deleting endpoint %d", id)
	}
	return mustAffect(res, "deleting endpoint %d", id)
}

// SetEndpointEnabled enables the endpoint (clearing the reason and time),
// or disables it with reason at at.
func (EndpointStore) SetEndpointEnabled(ctx context.Context, h Handle, id int64, enabled bool, reason string, at time.Time) error {
	var (
		res sql.Result
		err error
	)
	if at.IsZero() {
		at = time.Now()
	}
	if enabled {
		res, err = h.ExecContext(ctx, `UPDATE endpoints SET enabled = 1, disabled_reason = '',
			disabled_at = NULL, updated_at = ? WHERE id = ?`, nanos(at), id)
	} else {
		res, err = h.ExecContext(ctx, `UPDATE endpoints SET enabled = 0, disabled_reason = ?,
			disabled_at = ?, updated_at = ? WHERE id = ?`, reason, nanos(at), nanos(at), id)
	}
	if err != nil {
		return mapErr(err, "setting endpoint %d enabled=%t", id, enabled)
	}
	return mustAffect(res, "setting endpoint %d enabled=%t", id, enabled)
}
