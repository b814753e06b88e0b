package tui

import (
	"context"
	"fmt"
	"io"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/export"
)

// DBSource reads a hookscope database through the db stores.
type DBSource struct {
	DB         *db.DB
	Requests   db.RequestStore
	Deliveries db.DeliveryStore
	Endpoints  db.EndpointStore
	Routes     db.RouteStore

	// OutboxNote says, for the status line, which other process runs the
	// outbox of the database h reads (the sender's OutboxNote, given by
	// the wiring); nil leaves Stats.Outbox empty.
	OutboxNote func(ctx context.Context, h db.Handle) (string, error)
}

// NewDBSource reads d with the SQLite stores.
func NewDBSource(d *db.DB) *DBSource {
	return &DBSource{
		DB:         d,
		Requests:   db.NewRequestStore(),
		Deliveries: db.NewDeliveryStore(),
		Endpoints:  db.NewEndpointStore(),
		Routes:     db.NewRouteStore(),
	}
}

var _ Source = (*DBSource)(nil)

// ListRequests implements Source.
func (s *DBSource) ListRequests(ctx context.Context, f db.RequestFilter) ([]db.Request, error) {
	return s.Requests.ListRequests(ctx, s.DB.Reader(), f)
}

// GetRequestPreview implements Source.
func (s *DBSource) GetRequestPreview(ctx context.Context, id int64, limit int) (*db.RequestPreview, error) {
	return s.Requests.GetRequestPreview(ctx, s.DB.Reader(), id, limit)
}

// CountRequests implements Source.
func (s *DBSource) CountRequests(ctx context.Context, f db.RequestFilter) (int64, error) {
	return s.Requests.CountRequests(ctx, s.DB.Reader(), f)
}

// CountDeliveries implements Source.
func (s *DBSource) CountDeliveries(ctx context.Context, f db.DeliveryFilter) (int64, error) {
	return s.Deliveries.CountDeliveries(ctx, s.DB.Reader(), f)
}

// GetRequest implements Source.
func (s *DBSource) GetRequest(ctx context.Context, id int64) (*db.Request, error) {
	return s.Requests.GetRequest(ctx, s.DB.Reader(), id)
}

// ListDeliveries implements Source.
func (s *DBSource) ListDeliveries(ctx context.Context, f db.DeliveryFilter) ([]db.Delivery, error) {
	return s.Deliveries.ListDeliveries(ctx, s.DB.Reader(), f)
}

// GetDelivery implements Source: the delivery, its attempts, its wait and
// its endpoint.
func (s *DBSource) GetDelivery(ctx context.Context, id int64) (*DeliveryDetail, error) {
	d, err := s.Deliveries.GetDelivery(ctx, s.DB.Reader(), id)
	if err != nil {
		return nil, err
	}
	dd := &DeliveryDetail{Delivery: *d, Wait: d.Wait}
	if e, err := s.Endpoints.GetEndpoint(ctx, s.DB.Reader(), d.EndpointID); err == nil {
		dd.Endpoint = e
	}
	return dd, nil
}

// ListEndpoints implements Source.
func (s *DBSource) ListEndpoints(ctx context.Context) ([]db.Endpoint, error) {
	return s.Endpoints.ListEndpoints(ctx, s.DB.Reader())
}

// ListRoutes implements Source.
func (s *DBSource) ListRoutes(ctx context.Context) ([]db.Route, error) {
	return s.Routes.ListRoutes(ctx, s.DB.Reader())
}

// Stats implements Source.
func (s *DBSource) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	var err error
	r := s.DB.Reader()
	if st.Received, err = s.Requests.CountRequests(ctx, r, db.RequestFilter{}); err != nil {
		return st, fmt.Errorf("counting requests: %w", err)
	}
	if st.Delivered, err = s.Deliveries.CountDeliveries(ctx, r, db.DeliveryFilter{Status: db.DeliverySucceeded}); err != nil {
		return st, fmt.Errorf("counting deliveries: %w", err)
	}
	for _, status := range []string{db.DeliveryRetrying, db.DeliveryFailed} {
		n, err := s.Deliveries.CountDeliveries(ctx, r, db.DeliveryFilter{Status: status})
		if err != nil {
			return st, fmt.Errorf("counting deliveries: %w", err)
		}
		st.Failing += n
	}
	if s.OutboxNote != nil {
		if st.Outbox, err = s.OutboxNote(ctx, r); err != nil {
			return st, err
		}
	}
	eps, err := s.Endpoints.ListEndpoints(ctx, r)
	if err != nil {
		return st, fmt.Errorf("listing endpoints: %w", err)
	}
	for _, e := range eps {
		if !e.Enabled {
			st.DisabledEndpoints++
		}
	}
	if err := s.DB.Health(ctx); err != nil {
		st.Degraded = db.Brief(err)
	}
	return st, nil
}

// Export implements Source.
func (s *DBSource) Export(ctx context.Context, w io.Writer, spec export.Spec) (export.Summary, error) {
	return export.Write(ctx, s.DB.Reader(), w, spec)
}

// RequestOfAttempt implements Source.
func (s *DBSource) RequestOfAttempt(ctx context.Context, deliveryID int64, n int) (int64, error) {
	return s.Deliveries.RequestOfAttempt(ctx, s.DB.Reader(), deliveryID, n)
}

// AttemptOfRequest implements Source.
func (s *DBSource) AttemptOfRequest(ctx context.Context, requestID int64) (int64, int, error) {
	return s.Deliveries.AttemptOfRequest(ctx, s.DB.Reader(), requestID)
}
