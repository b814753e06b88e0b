package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// RouteStore keeps the receiver's routes.
type RouteStore struct{}

// NewRouteStore returns the SQLite RouteStore (its zero value is as good).
func NewRouteStore() RouteStore { return RouteStore{} }

const routeColumns = `name, profile, secret, token, header, response, received, created_at, updated_at`

// PutRoute creates the route or replaces every field of the existing one
// (Counters.Received included: pass the loaded counters to keep them, zero
// to restart a fail-first simulation). The creation time of an existing
// route is kept. r.CreatedAt and r.UpdatedAt are set to what was stored.
func (RouteStore) PutRoute(ctx context.Context, h Handle, r *Route) error {
	if r.Name == "" {
		return fmt.Errorf("saving a route: the name is empty")
	}
	resp, err := encodeJSON(r.Response)
	if err != nil {
		return fmt.Errorf("saving route %s: %w", r.Name, err)
	}
	now := time.Now()
	updated := r.UpdatedAt
	if updated.IsZero() {
		updated = now
	}
	created := r.CreatedAt
	if created.IsZero() {
		created = updated
	}
	var createdAt int64
	err = h.QueryRowContext(ctx, `INSERT INTO routes (`+routeColumns+`)
		VALUES (?,?,?,?,?,?,?,?,?)
		ON CONFLICT (name) DO UPDATE SET profile = excluded.profile,
			secret = excluded.secret, token = excluded.token,
			header = excluded.header, response = excluded.response,
			received = excluded.received, updated_at = excluded.updated_at
		RETURNING created_at`,
		r.Name, r.Profile, r.Secret, r.Token, r.Header, resp, r.Counters.Received,
		nanos(created), nanos(updated)).Scan(&createdAt)
	if err != nil {
		return mapErr(err, "saving route %s", r.Name)
	}
	r.CreatedAt, r.UpdatedAt = fromNanos(createdAt), fromNanos(nanos(updated))
	return nil
}

func scanRoute(s scanner) (*Route, error) {
	var (
		r                Route
		resp             string
		created, updated int64
	)
	if err := s.Scan(&r.Name, &r.Profile, &r.Secret, &r.Token, &r.Header, &resp,
		&r.Counters.Received, &created, &updated); err != nil {
		return nil, err
	}
	if resp != "" {
		if err := json.Unmarshal([]byte(resp), &r.Response); err != nil {
			return nil, fmt.Errorf("route %s response: %w", r.Name, err)
		}
	}
	r.CreatedAt, r.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &r, nil
}

// GetRoute loads a route; ErrNotFound if absent.
func (RouteStore) GetRoute(ctx context.Context, h Handle, name string) (*Route, error) {
	r, err := scanRoute(h.QueryRowContext(ctx, `SELECT `+routeColumns+` FROM routes WHERE name = ?`, name))
	if err != nil {
		return nil, mapErr(err, "loading route %s", name)
	}
	return r, nil
}

// ListRoutes lists every route by name.
func (RouteStore) ListRoutes(ctx context.Context, h Handle) ([]Route, error) {
	rows, err := h.QueryContext(ctx, `SELECT `+routeColumns+` FROM routes ORDER BY name`)
	if err != nil {
		return nil, mapErr(err, "listing routes")
	}
	defer rows.Close()
	out := []Route{}
	for rows.Next() {
		r, err := scanRoute(rows)
		if err != nil {
			return nil, mapErr(err, "listing routes")
		}
		out = append(out, *r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "listing routes")
	}
	return out, nil
}

// DeleteRoute removes a route; ErrNotFound if absent.
func (RouteStore) DeleteRoute(ctx context.Context, h Handle, name string) error {
	res, err := h.ExecContext(ctx, `DELETE FROM routes WHERE name = ?`, name)
	if err != nil {
		return mapErr(err, "deleting route %s", name)
	}
	return mustAffect(res, "deleting route %s", name)
}

// CountRouteRequest adds one to the route's received counter and
// returns the new count (fail-first N uses it). Run it in a Write.
func (RouteStore) CountRouteRequest(ctx context.Context, h Handle, name string) (int64, error) {
	var n int64
	err := h.QueryRowContext(ctx, `UPDATE routes SET received = received + 1
		WHERE name = ? RETURNING received`, name).Scan(&n)
	if err != nil {
		return 0, mapErr(err, "counting a request on route %s", name)
	}
	return n, nil
}
