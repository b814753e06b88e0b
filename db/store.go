package db

import (
	"context"
	"time"
)

// RequestStore keeps what the receiver got.
type RequestStore interface {
	// CreateRequest inserts r and sets r.ID.
	CreateRequest(ctx context.Context, h Handle, r *Request) error
	// GetRequest loads one request with its bodies; ErrNotFound if absent.
	GetRequest(ctx context.Context, h Handle, id int64) (*Request, error)
	// GetRequestPreview loads one request with each body cut to limit
	// bytes and the whole bodies' lengths; ErrNotFound if absent.
	GetRequestPreview(ctx context.Context, h Handle, id int64, limit int) (*RequestPreview, error)
	// ListRequests pages newest first by keyset (f.Before). Rows come
	// without bodies (Body, Response.Body, Forward.Body are nil) so a page
	// costs little whatever the payload sizes; GetRequest has them.
	ListRequests(ctx context.Context, h Handle, f RequestFilter) ([]Request, error)
	// FirstWithDedupKey returns the earliest request of vendor carrying
	// key, with its signature status; with validOnly, the earliest whose
	// signature status is "valid". Its ID is 0 when there is none.
	FirstWithDedupKey(ctx context.Context, h Handle, vendor, key string, validOnly bool) (DedupOrigin, error)
	// CountRequests counts requests matching f (Before, Oldest and Limit
	// ignored; with After, those above it: a row's place in the list).
	CountRequests(ctx context.Context, h Handle, f RequestFilter) (int64, error)
	// SetRequestOutcome rewrites the latency and the error note of request
	// id, for an outcome known only after its row was written (a simulated
	// hang ends later); ErrNotFound if absent.
	SetRequestOutcome(ctx context.Context, h Handle, id int64, latencyMS float64, errText string) error
}

// RouteStore keeps the receiver's routes.
type RouteStore interface {
	// PutRoute creates or replaces the route named r.Name.
	PutRoute(ctx context.Context, h Handle, r *Route) error
	// GetRoute loads a route; ErrNotFound if absent.
	GetRoute(ctx context.Context, h Handle, name string) (*Route, error)
	// ListRoutes lists every route by name.
	ListRoutes(ctx context.Context, h Handle) ([]Route, error)
	// DeleteRoute removes a route; ErrNotFound if absent.
	DeleteRoute(ctx context.Context, h Handle, name string) error
	// CountRouteRequest adds one to the route's received counter and
	// returns the new count (fail-first N uses it). Run it in a Write.
	CountRouteRequest(ctx context.Context, h Handle, name string) (int64, error)
}

// EndpointStore keeps the sender's endpoints.
type EndpointStore interface {
	// CreateEndpoint inserts e and sets its ID; ErrConflict on a taken name.
	CreateEndpoint(ctx context.Context, h Handle, e *Endpoint) error
	// GetEndpoint loads by id, an ad-hoc target too; ErrNotFound if absent.
	GetEndpoint(ctx context.Context, h Handle, id int64) (*Endpoint, error)
	// GetEndpointByName loads one of the user's endpoints (not an ad-hoc
	// target) by name; ErrNotFound if absent.
	GetEndpointByName(ctx context.Context, h Handle, name string) (*Endpoint, error)
	// ListEndpoints lists the user's endpoints by id (ad-hoc targets are
	// not among them).
	ListEndpoints(ctx context.Context, h Handle) ([]Endpoint, error)
	// UpdateEndpoint replaces every field of e (by e.ID); ErrNotFound, ErrConflict.
	UpdateEndpoint(ctx context.Context, h Handle, e *Endpoint) error
	// DeleteEndpoint removes an endpoint and its deliveries; ErrNotFound.
	DeleteEndpoint(ctx context.Context, h Handle, id int64) error
	// SetEndpointEnabled enables, or disables with a reason at a time.
	SetEndpointEnabled(ctx context.Context, h Handle, id int64, enabled bool, reason string, at time.Time) error
}

// DeliveryStore keeps events, deliveries and their attempts. The sender
// adds the outbox operations it needs (claiming due work, scheduling) to
// this interface; these are the reads every reader relies on.
type DeliveryStore interface {
	// GetDelivery loads one delivery with its attempts; ErrNotFound.
	GetDelivery(ctx context.Context, h Handle, id int64) (*Delivery, error)
	// ListDeliveries pages newest first by keyset, without attempts.
	ListDeliveries(ctx context.Context, h Handle, f DeliveryFilter) ([]Delivery, error)
	// CountDeliveries counts deliveries matching f (Before, Oldest and
	// Limit ignored; with After, those above it).
	CountDeliveries(ctx context.Context, h Handle, f DeliveryFilter) (int64, error)
}
