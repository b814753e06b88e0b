package sender

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
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
// is unframed into the events it carries (fixtures.Unframe: one per event
// of a CodeScoring batch, else one) and each is sent with SendFixtureTo,
// so it is framed and signed anew with the endpoint's credentials, its
// first attempt runs now and its retries follow the endpoint's policy.
// vendor is the request's recognised vendor; the endpoint must frame that
// vendor's events (an unrecognised request is sent as the endpoint's
// profile would frame it). The deliveries made are returned, with an
// error if one event could not be sent (those before it were).
func (s *Sender) Replay(ctx context.Context, requestBody []byte, vendor string, endpointID int64) ([]db.Delivery, error) {
	ep, err := s.endpoint(ctx, endpointID)
	if err != nil {
		return nil, err
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
	var out []db.Delivery
	for i, e := range events {
		d, err := s.SendFixtureTo(ctx, endpointID, e.Type, e.Payload, "replay")
		if err != nil {
			return out, fmt.Errorf("replaying event %d of %d (%s) to %s: %w", i+1, len(events), e.Type, ep.Name, err)
		}
		out = append(out, *d)
	}
	return out, nil
}

// ErrNoCredentials is returned by ReplayTo when the profile signs or
// authenticates and no credential was given.
var ErrNoCredentials = errors.New("the profile signs every request and no secret or token was given")

// ReplayTo sends a received request's body again to a URL, as `hookscope
// send --to` does (SendTo), one send per event it carries, framed by
// vendor's profile and signed with creds (the receiving route's, so a
// replay to hookscope's own receiver verifies). A request no vendor
// claimed is replayed as generic JSON.
func (s *Sender) ReplayTo(ctx context.Context, requestBody []byte, vendor, target string, creds fixtures.Credentials) ([]db.Delivery, error) {
	prof, err := replayProfile(vendor, "generic")
	if err != nil {
		return nil, err
	}
	if err := checkURL(target); err != nil {
		return nil, fmt.Errorf("replaying to %s: %w", target, err)
	}
	if prof.Auth() == fixtures.AuthSecret && prof.Name() != "generic" && creds.Secret == "" {
		return nil, fmt.Errorf("replaying a %s request to %s: %w", prof.Name(), target, ErrNoCredentials)
	}
	events, err := fixtures.Unframe(prof, requestBody)
	if err != nil {
		return nil, fmt.Errorf("replaying to %s: %w", target, err)
	}
	var out []db.Delivery
	for i, e := range events {
		d, err := s.SendTo(ctx, prof.Name(), e.Type, target, creds, SendOptions{Payload: e.Payload})
		if err != nil {
			return out, fmt.Errorf("replaying event %d of %d (%s) to %s: %w", i+1, len(events), e.Type, target, err)
		}
		out = append(out, *d)
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
// Bad input comes back as a *FieldError.
func (s *Sender) ReplayRequest(ctx context.Context, id int64, to ReplayTarget) ([]db.Delivery, error) {
	if (to.EndpointID != 0) == (to.URL != "") {
		return nil, fieldErr("endpoint", "replay to an endpoint or to a url (one of them)")
	}
	q, err := s.requests.GetRequest(ctx, s.db.Reader(), id)
	if err != nil {
		return nil, fmt.Errorf("loading request %d: %w", id, err)
	}
	if q.BodyTruncated {
		return nil, fieldErr("id", "request #%d's body was truncated when recorded: replaying part of it would send something else", id)
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
