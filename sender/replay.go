package sender

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/validate"
)

// replayProfile is the profile a received request is replayed with: its
// recognised vendor, or, for a request no vendor claimed, fallback's.
func replayProfile(vendor, fallback string) (fixtures.Profile, error) {
	if vendor == "" || vendor == fixtures.Unknown {
		vendor = fallback
	}
	p, err := fixtures.Lookup(vendor)
	if err != nil {
		return nil, fmt.Errorf("replaying: %w", err)
	}
	return p, nil
}

// Replay sends a received request's body again to one endpoint: the body
// is unframed into the events it carries (fixtures.Unframe: every event of
// a CodeScoring batch, else one) and sent as the vendor would send them
// (see replayEvents), framed and signed anew with the endpoint's
// credentials; the first attempt runs now and retries follow the
// endpoint's policy. vendor is the request's recognised vendor; the
// endpoint must frame that vendor's events (an unrecognised request is
// sent as the endpoint's profile would frame it). The deliveries made are
// returned, with an error if one could not be sent (those before it were).
func (s *Sender) Replay(ctx context.Context, requestBody []byte, vendor string, endpointID int64) ([]db.Delivery, error) {
	ep, err := s.endpoint(ctx, endpointID)
	if err != nil {
		return nil, err
	}
	if !ep.Enabled {
		return nil, fmt.Errorf("endpoint %s is disabled (%s); enable it first", ep.Name, ep.DisabledReason)
	}
	prof, err := replayProfile(vendor, ep.Profile)
	if err != nil {
		return nil, err
	}
	if prof.Name() != ep.Profile {
		return nil, fmt.Errorf("replaying a %s request to %s: the endpoint sends %s events; pick a %s endpoint or a URL", prof.Name(), ep.Name, ep.Profile, prof.Name())
	}
	events, err := fixtures.Unframe(prof, requestBody)
	if err != nil {
		return nil, fmt.Errorf("replaying to %s: %w", ep.Name, err)
	}
	return s.replayEvents(ctx, ep, prof, events, "replay", false)
}

// ErrNoCredentials is returned by ReplayTo when the profile signs or
// authenticates and no credential was given.
var ErrNoCredentials = errors.New("the profile signs every request and no secret or token was given")

// ReplayTo sends a received request's body again to a URL, as `hookscope
// send --to` does (SendTo): its events, sent as the vendor would send them
// (see replayEvents), framed by vendor's profile and signed with creds
// (the receiving route's, so a replay to hookscope's own receiver
// verifies). A request no vendor claimed is replayed as generic JSON.
func (s *Sender) ReplayTo(ctx context.Context, requestBody []byte, vendor, target string, creds fixtures.Credentials) ([]db.Delivery, error) {
	prof, err := replayProfile(vendor, "generic")
	if err != nil {
		return nil, err
	}
	if err := validate.URL(target); err != nil {
		return nil, fmt.Errorf("replaying to %s: %w", target, err)
	}
	if prof.Auth() == fixtures.AuthSecret && prof.Name() != "generic" && creds.Secret == "" {
		return nil, fmt.Errorf("replaying a %s request to %s: %w", prof.Name(), target, ErrNoCredentials)
	}
	events, err := fixtures.Unframe(prof, requestBody)
	if err != nil {
		return nil, fmt.Errorf("replaying to %s: %w", target, err)
	}
	ep, err := s.adHocTarget(ctx, prof, target, creds, SendOptions{})
	if err != nil {
		return nil, err
	}
	return s.replayEvents(ctx, ep, prof, events, "send", false)
}

// replayEvents sends the events of one received request to ep now, as the
// vendor sent them: a vendor that batches (CodeScoring) sent them in one
// request, so they go in one delivery, framed together again; any other
// sent one request per event, so each gets its own delivery.
func (s *Sender) replayEvents(ctx context.Context, ep *db.Endpoint, prof fixtures.Profile, events []fixtures.Outgoing, source string, noRetry bool) ([]db.Delivery, error) {
	groups := [][]fixtures.Outgoing{events}
	if prof.Policy().BatchWindow == 0 {
		groups = groups[:0]
		for _, e := range events {
			groups = append(groups, []fixtures.Outgoing{e})
		}
	}
	var out []db.Delivery
	for i, g := range groups {
		a, err := s.sendEventsOnce(ctx, ep, prof, g, source, noRetry, nil)
		if err == nil {
			var d *db.Delivery
			if d, err = s.Delivery(ctx, a.DeliveryID); err == nil {
				out = append(out, *d)
				continue
			}
		}
		return out, fmt.Errorf("replaying %d of %d to %s: %w", i+1, len(groups), ep.Name, err)
	}
	return out, nil
}

// ReplayTarget is where ReplayRequest sends: an endpoint, or a URL.
type ReplayTarget struct {
	EndpointID int64
	URL        string
	// Credentials sign a replay to URL; nil signs with the credentials of
	// the route that received the request (so a replay to hookscope's own
	// receiver verifies).
	Credentials *fixtures.Credentials
}

// ReplayRequest sends the recorded request id again to an endpoint (see
// Replay) or to a URL (see ReplayTo). A request whose body was truncated
// when recorded is refused: replaying part of it would send something else.
// Bad input comes back as a *validate.FieldError.
func (s *Sender) ReplayRequest(ctx context.Context, id int64, to ReplayTarget) ([]db.Delivery, error) {
	if (to.EndpointID != 0) == (to.URL != "") {
		return nil, validate.Field("endpoint", "replay to an endpoint or to a url (one of them)")
	}
	q, err := s.requests.GetRequest(ctx, s.db.Reader(), id)
	if err != nil {
		return nil, err // the store says "loading request N: ..."
	}
	if q.BodyTruncated {
		return nil, validate.Field("id", "request #%d's body was truncated when recorded: replaying part of it would send something else", id)
	}
	if to.EndpointID != 0 {
		return s.Replay(ctx, q.Body, q.Vendor, to.EndpointID)
	}
	var creds fixtures.Credentials
	switch {
	case to.Credentials != nil:
		creds = *to.Credentials
	case q.Route != "":
		r, err := s.routes.GetRoute(ctx, s.db.Reader(), q.Route)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, fmt.Errorf("loading route %s: %w", q.Route, err)
		}
		if err == nil {
			creds = fixtures.Credentials{Secret: r.Secret, Token: r.Token, Header: r.Header}
		}
	}
	return s.ReplayTo(ctx, q.Body, q.Vendor, to.URL, creds)
}
