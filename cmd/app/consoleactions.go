package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/sender"
)

// SenderControl is the part of the sender the console drives
// (*sender.Sender satisfies it).
type SenderControl interface {
	SendFixtureTo(ctx context.Context, endpointID int64, event string, payload json.RawMessage, source string) (*db.Delivery, error)
	RetryNow(ctx context.Context, deliveryID int64) error
	RetryFailed(ctx context.Context, endpointID int64) (int, error)
	Disable(ctx context.Context, endpointID int64, reason string) error
	Enable(ctx context.Context, endpointID int64) error
	ReplayRequest(ctx context.Context, requestID int64, to sender.ReplayTarget) ([]db.Delivery, error)
	CreateEndpoint(ctx context.Context, e *db.Endpoint) error
	UpdateEndpoint(ctx context.Context, e *db.Endpoint) error
	DeleteEndpoint(ctx context.Context, id int64) error
	Endpoint(ctx context.Context, id int64) (*db.Endpoint, error)
	Test(ctx context.Context, endpointID int64, eventType string) (*db.Delivery, error)
	SendSkipped(ctx context.Context, endpointID int64) (int, error)
}

// RouteControl is the part of the receiver the console drives
// (*receiver.Receiver satisfies it).
type RouteControl interface {
	PutRoute(ctx context.Context, r *db.Route) error
	DeleteRoute(ctx context.Context, name string) error
}

// HistoryControl prunes the database's history (*db.DB satisfies it).
type HistoryControl interface {
	Prune(ctx context.Context, before time.Time) (db.PruneResult, error)
}

// RouteLister lists the routes as the console reads them (tui.Source
// satisfies it).
type RouteLister interface {
	ListRoutes(ctx context.Context) ([]db.Route, error)
}

// ConsoleActions implements the console's tui.Actions over the running
// sender and receiver: each action is done by them and answered with the
// status line the console shows. Package tui knows only its Actions
// interface, so it never imports the sender or the receiver.
type ConsoleActions struct {
	Sender   SenderControl
	Receiver RouteControl
	Source   RouteLister
	History  HistoryControl
}

// errNoHistory answers Prune when no database was given to prune.
var errNoHistory = errors.New("not available in this build")

// SendFixture implements tui.Actions.
func (a ConsoleActions) SendFixture(ctx context.Context, endpointID int64, vendor, event string, payload json.RawMessage) (string, error) {
	d, err := a.Sender.SendFixtureTo(ctx, endpointID, event, payload, "console")
	if err != nil {
		return "", fmt.Errorf("sending %s %s: %w", vendor, event, err)
	}
	return fmt.Sprintf("sent %s %s as delivery #%d (%s, %d attempt)", vendor, event, d.ID, d.Status, d.AttemptCount), nil
}

// RetryNow implements tui.Actions.
func (a ConsoleActions) RetryNow(ctx context.Context, deliveryID int64) (string, error) {
	if err := a.Sender.RetryNow(ctx, deliveryID); err != nil {
		return "", fmt.Errorf("retrying delivery %d: %w", deliveryID, err)
	}
	return fmt.Sprintf("retried delivery #%d", deliveryID), nil
}

// RetryFailed implements tui.Actions.
func (a ConsoleActions) RetryFailed(ctx context.Context, endpointID int64) (string, error) {
	n, err := a.Sender.RetryFailed(ctx, endpointID)
	if err != nil {
		return "", fmt.Errorf("retrying the failed deliveries of endpoint %d: %w", endpointID, err)
	}
	return fmt.Sprintf("retried %d failed deliveries of endpoint #%d", n, endpointID), nil
}

// SetEndpointEnabled implements tui.Actions.
func (a ConsoleActions) SetEndpointEnabled(ctx context.Context, endpointID int64, enabled bool, reason string) (string, error) {
	if enabled {
		if err := a.Sender.Enable(ctx, endpointID); err != nil {
			return "", fmt.Errorf("enabling endpoint %d: %w", endpointID, err)
		}
		return fmt.Sprintf("enabled endpoint #%d", endpointID), nil
	}
	if err := a.Sender.Disable(ctx, endpointID, reason); err != nil {
		return "", fmt.Errorf("disabling endpoint %d: %w", endpointID, err)
	}
	return fmt.Sprintf("disabled endpoint #%d: %s", endpointID, reason), nil
}

// Replay implements tui.Actions: the request's events go to the endpoint,
// framed and signed with the endpoint's credentials.
func (a ConsoleActions) Replay(ctx context.Context, requestID, endpointID int64) (string, error) {
	ds, err := a.Sender.ReplayRequest(ctx, requestID, sender.ReplayTarget{EndpointID: endpointID})
	if err != nil {
		return "", fmt.Errorf("replaying request #%d: %w", requestID, err)
	}
	return replayed(requestID, fmt.Sprintf("endpoint #%d", endpointID), ds), nil
}

// ReplayToURL implements tui.Actions: the request's events go to url, signed
// with the credentials of the route that received it.
func (a ConsoleActions) ReplayToURL(ctx context.Context, requestID int64, url string) (string, error) {
	ds, err := a.Sender.ReplayRequest(ctx, requestID, sender.ReplayTarget{URL: url})
	if err != nil {
		return "", fmt.Errorf("replaying request #%d: %w", requestID, err)
	}
	return replayed(requestID, url, ds), nil
}

// replayed is the status line after a replay.
func replayed(requestID int64, to string, ds []db.Delivery) string {
	if len(ds) == 1 {
		d := ds[0]
		return fmt.Sprintf("replayed request #%d to %s as delivery #%d (%s, %d attempt)", requestID, to, d.ID, d.Status, d.AttemptCount)
	}
	ok := 0
	for _, d := range ds {
		if d.Status == db.DeliverySucceeded {
			ok++
		}
	}
	return fmt.Sprintf("replayed request #%d to %s as %d deliveries (#%d–#%d, %d succeeded)", requestID, to, len(ds), ds[0].ID, ds[len(ds)-1].ID, ok)
}

// SetRouteResponse implements tui.Actions: the route keeps its profile and
// credentials, only its simulated answer changes.
func (a ConsoleActions) SetRouteResponse(ctx context.Context, route string, resp db.SimResponse) (string, error) {
	routes, err := a.Source.ListRoutes(ctx)
	if err != nil {
		return "", fmt.Errorf("loading route %s: %w", route, err)
	}
	for _, r := range routes {
		if r.Name == route {
			r.Response = resp
			if err := a.Receiver.PutRoute(ctx, &r); err != nil {
				return "", err
			}
			return fmt.Sprintf("route %s now answers %s", route, db.DescribeSim(resp)), nil
		}
	}
	return "", fmt.Errorf("route %s: %w", route, db.ErrNotFound)
}

// PutRoute implements tui.Actions.
func (a ConsoleActions) PutRoute(ctx context.Context, r db.Route) (string, error) {
	if err := a.Receiver.PutRoute(ctx, &r); err != nil {
		return "", err
	}
	return fmt.Sprintf("route %s (%s) saved: it answers %s", r.Name, r.Profile, db.DescribeSim(r.Response)), nil
}

// DeleteRoute implements tui.Actions.
func (a ConsoleActions) DeleteRoute(ctx context.Context, name string) (string, error) {
	if err := a.Receiver.DeleteRoute(ctx, name); err != nil {
		return "", err
	}
	return fmt.Sprintf("route %s deleted; its requests stay in the Inbox", name), nil
}

// SaveEndpoint implements tui.Actions.
func (a ConsoleActions) SaveEndpoint(ctx context.Context, e db.Endpoint) (string, error) {
	if e.ID == 0 {
		if err := a.Sender.CreateEndpoint(ctx, &e); err != nil {
			return "", fmt.Errorf("adding endpoint %s: %w", e.Name, err)
		}
		return fmt.Sprintf("added endpoint #%d %s → %s", e.ID, e.Name, e.URL), nil
	}
	if err := a.Sender.UpdateEndpoint(ctx, &e); err != nil {
		return "", fmt.Errorf("saving endpoint %s: %w", e.Name, err)
	}
	return fmt.Sprintf("saved endpoint #%d %s", e.ID, e.Name), nil
}

// DeleteEndpoint implements tui.Actions.
func (a ConsoleActions) DeleteEndpoint(ctx context.Context, id int64) (string, error) {
	if err := a.Sender.DeleteEndpoint(ctx, id); err != nil {
		return "", fmt.Errorf("deleting endpoint %d: %w", id, err)
	}
	return fmt.Sprintf("deleted endpoint #%d and its deliveries", id), nil
}

// RotateCredential implements tui.Actions: a new secret (or token) is
// generated as for a new endpoint.
func (a ConsoleActions) RotateCredential(ctx context.Context, id int64) (string, error) {
	e, err := a.Sender.Endpoint(ctx, id)
	if err != nil {
		return "", fmt.Errorf("loading endpoint %d: %w", id, err)
	}
	what := "secret"
	switch {
	case e.Secret != "":
		e.Secret = ""
	case e.Token != "":
		e.Token, what = "", "token"
	default:
		return "", fmt.Errorf("endpoint %s has no secret or token to rotate", e.Name)
	}
	if err := a.Sender.UpdateEndpoint(ctx, e); err != nil {
		return "", fmt.Errorf("rotating the %s of endpoint %s: %w", what, e.Name, err)
	}
	return fmt.Sprintf("endpoint %s has a new %s; the receiver must be given it", e.Name, what), nil
}

// TestEndpoint implements tui.Actions.
func (a ConsoleActions) TestEndpoint(ctx context.Context, id int64, event string) (string, error) {
	d, err := a.Sender.Test(ctx, id, event)
	if err != nil {
		return "", fmt.Errorf("testing endpoint %d: %w", id, err)
	}
	return fmt.Sprintf("test %s sent as delivery #%d (%s)", event, d.ID, d.Status), nil
}

// SendSkipped implements tui.Actions.
func (a ConsoleActions) SendSkipped(ctx context.Context, id int64) (string, error) {
	n, err := a.Sender.SendSkipped(ctx, id)
	if err != nil {
		return "", fmt.Errorf("sending the skipped deliveries of endpoint %d: %w", id, err)
	}
	return fmt.Sprintf("%d skipped deliveries of endpoint #%d are due now", n, id), nil
}

// Prune implements tui.Actions.
func (a ConsoleActions) Prune(ctx context.Context, before time.Time) (string, error) {
	if a.History == nil {
		return "", errNoHistory
	}
	res, err := a.History.Prune(ctx, before)
	if err != nil {
		return "", fmt.Errorf("pruning the history: %w", err)
	}
	return fmt.Sprintf("pruned %d requests, %d deliveries and %d events", res.Requests, res.Deliveries, res.Events), nil
}
