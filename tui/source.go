package tui

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/export"
)

// Source is everything the console reads. Every method runs inside a
// tea.Cmd, never in Update. DBSource implements it over a hookscope
// database; tests may use it too, on a t.TempDir() file.
type Source interface {
	// ListRequests pages received requests newest first (keyset, no bodies).
	ListRequests(ctx context.Context, f db.RequestFilter) ([]db.Request, error)
	// CountRequests counts the requests f matches (with f.After, those
	// above it).
	CountRequests(ctx context.Context, f db.RequestFilter) (int64, error)
	// GetRequest loads one request with its bodies.
	GetRequest(ctx context.Context, id int64) (*db.Request, error)
	// GetRequestPreview loads one request with its bodies cut to limit
	// bytes (what the detail pane shows) and their whole lengths.
	GetRequestPreview(ctx context.Context, id int64, limit int) (*db.RequestPreview, error)
	// ListDeliveries pages deliveries newest first (keyset, no attempts).
	ListDeliveries(ctx context.Context, f db.DeliveryFilter) ([]db.Delivery, error)
	// CountDeliveries counts the deliveries f matches (with f.After,
	// those above it).
	CountDeliveries(ctx context.Context, f db.DeliveryFilter) (int64, error)
	// GetDelivery loads one delivery with its attempts and its wait.
	GetDelivery(ctx context.Context, id int64) (*DeliveryDetail, error)
	// ListEndpoints lists every endpoint.
	ListEndpoints(ctx context.Context) ([]db.Endpoint, error)
	// ListRoutes lists every receiver route.
	ListRoutes(ctx context.Context) ([]db.Route, error)
	// RequestOfAttempt finds the request hookscope's receiver recorded
	// for attempt n of a delivery (db.ErrNotFound when there is none).
	RequestOfAttempt(ctx context.Context, deliveryID int64, n int) (int64, error)
	// AttemptOfRequest finds the attempt that sent a received request
	// (db.ErrNotFound when it came from elsewhere).
	AttemptOfRequest(ctx context.Context, requestID int64) (deliveryID int64, n int, err error)
	// Stats counts what the header shows.
	Stats(ctx context.Context) (Stats, error)
	// Export streams every request or delivery s selects to w, oldest
	// first (paging fields ignored), as `hookscope export` does.
	Export(ctx context.Context, w io.Writer, s export.Spec) (export.Summary, error)
}

// DeliveryDetail is a delivery with what its detail pane shows beside it.
type DeliveryDetail struct {
	Delivery db.Delivery
	// Wait explains the next attempt's due time (nil when none).
	Wait *db.RetryWait
	// Endpoint is the delivery's endpoint (nil when it was deleted).
	Endpoint *db.Endpoint
}

// Stats are the header's live counts.
type Stats struct {
	Received          int64
	Delivered         int64
	Failing           int64 // retrying or failed deliveries
	DisabledEndpoints int64
	// Outbox says which other process sends the deliveries of a shared
	// database ("sender: in serve, pid 4242"; empty when this one does).
	Outbox string
	// Degraded says why the database takes no writes now ("disk low:
	// ..."; empty when it does).
	Degraded string
}

// Actions are what the console asks the running sender and receiver to do.
// Each runs inside a tea.Cmd and returns a sentence for the status line.
type Actions interface {
	// SendFixture raises one event of a fixture (payload nil: rendered
	// fresh) for one endpoint.
	SendFixture(ctx context.Context, endpointID int64, vendor, event string, payload json.RawMessage) (string, error)
	// RetryNow runs a delivery's next attempt now, skipping its wait.
	RetryNow(ctx context.Context, deliveryID int64) (string, error)
	// RetryFailed retries every failed delivery of an endpoint.
	RetryFailed(ctx context.Context, endpointID int64) (string, error)
	// SetEndpointEnabled enables, or disables with a reason.
	SetEndpointEnabled(ctx context.Context, endpointID int64, enabled bool, reason string) (string, error)
	// Replay sends a received request again to an endpoint, re-signed
	// where the endpoint's profile signs.
	Replay(ctx context.Context, requestID, endpointID int64) (string, error)
	// ReplayToURL sends a received request again to a URL, signed with
	// the credentials of the route that received it.
	ReplayToURL(ctx context.Context, requestID int64, url string) (string, error)
	// SetRouteResponse changes how a receiver route answers.
	SetRouteResponse(ctx context.Context, route string, resp db.SimResponse) (string, error)
	// PutRoute creates a route, or replaces one (its profile,
	// credentials and answer).
	PutRoute(ctx context.Context, r db.Route) (string, error)
	// DeleteRoute removes a route; its recorded requests stay.
	DeleteRoute(ctx context.Context, name string) (string, error)
	// SaveEndpoint adds an endpoint (ID 0) or replaces one.
	SaveEndpoint(ctx context.Context, e db.Endpoint) (string, error)
	// DeleteEndpoint removes an endpoint and its deliveries.
	DeleteEndpoint(ctx context.Context, id int64) (string, error)
	// RotateCredential gives an endpoint a new secret or token.
	RotateCredential(ctx context.Context, id int64) (string, error)
	// TestEndpoint sends one event of the endpoint's profile to it now.
	TestEndpoint(ctx context.Context, id int64, event string) (string, error)
	// SendSkipped makes the deliveries skipped while an endpoint was
	// disabled due now.
	SendSkipped(ctx context.Context, id int64) (string, error)
	// Prune deletes the history recorded before a time (zero: all).
	Prune(ctx context.Context, before time.Time) (string, error)
}

// ErrUnavailable is returned by an action this build cannot perform yet.
var ErrUnavailable = errors.New("not available in this build")

// Info is what the header states about the running process.
type Info struct {
	ReceiverAddr string
	APIAddr      string
	TimeScale    float64
	DBPath       string
	// Version is hookscope's version (the HAR export's creator).
	Version string
	// Attached: the console runs beside the process that runs the
	// outbox, with no receiver, API or sender of its own (ReceiverAddr is
	// that process's).
	Attached bool
}

// Clock tells the time; tests fix it.
type Clock func() time.Time
