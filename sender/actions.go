package sender

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/validate"
)

// The actions below are what the console, the REST API and the command
// line all call: one set of verbs with one behaviour.

// RetryNow runs one attempt of a delivery at once, whatever its status or
// schedule, marked manual. It is recorded like any other attempt; the
// payload is the stored one, so SecurityScorecard's execution_id and
// created_at stay. Success ends the delivery as succeeded; a failure leaves
// its status and schedule as they were. db.ErrConflict while an attempt of
// it is in flight.
func (s *Sender) RetryNow(ctx context.Context, deliveryID int64) error {
	_, err := s.sendNow(ctx, deliveryID, true, nil)
	return err
}

// sendNow claims a delivery and runs one attempt of it in this goroutine,
// altered by tw when a probe asks (nil: as framed).
func (s *Sender) sendNow(ctx context.Context, id int64, manual bool, tw *tweak) (*db.Attempt, error) {
	if err := s.register(ctx); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	err := s.db.Write(ctx, func(tx db.Handle) error {
		// A process gone still holding it does not block a manual retry.
		if err := s.reapGone(ctx, tx, now); err != nil {
			return err
		}
		return s.outbox.Claim(ctx, tx, s.owner, id, now, now.Add(s.lease))
	})
	if err != nil {
		return nil, err
	}
	c, err := s.outbox.LoadClaimed(ctx, s.db.Reader(), id)
	if err != nil {
		return nil, err
	}
	return s.attempt(ctx, c, manual, tw)
}

// RetryFailed runs a manual attempt of every failed delivery of an
// endpoint, oldest first, and returns how many were retried.
func (s *Sender) RetryFailed(ctx context.Context, endpointID int64) (int, error) {
	if _, err := s.endpoint(ctx, endpointID); err != nil {
		return 0, err
	}
	ids, err := s.outbox.FailedIDs(ctx, s.db.Reader(), endpointID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if err := s.RetryNow(ctx, id); err != nil {
			if errors.Is(err, db.ErrConflict) {
				continue
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// Disable stops deliveries to an endpoint: its pending deliveries wait,
// and new events are recorded as skipped.
func (s *Sender) Disable(ctx context.Context, endpointID int64, reason string) error {
	if reason == "" {
		reason = "disabled by hand"
	}
	if err := validate.PlainText(reason, 500); err != nil {
		return validate.Field("reason", "%v", err)
	}
	ep, err := s.endpoint(ctx, endpointID)
	if err != nil {
		return err
	}
	err = s.db.Write(ctx, func(tx db.Handle) error {
		return s.endpoints.SetEndpointEnabled(ctx, tx, endpointID, false, reason, s.clock.Now())
	})
	if err != nil {
		return fmt.Errorf("disabling endpoint %s: %w", ep.Name, err)
	}
	s.publish(db.ChangeEndpoint, ep.ID, ep.Name)
	return nil
}

// Enable lets an endpoint receive again: its waiting deliveries resume at
// their due time. Deliveries skipped while it was disabled stay skipped
// until SendSkipped (or a manual retry of each) sends them.
func (s *Sender) Enable(ctx context.Context, endpointID int64) error {
	ep, err := s.endpoint(ctx, endpointID)
	if err != nil {
		return err
	}
	err = s.db.Write(ctx, func(tx db.Handle) error {
		return s.endpoints.SetEndpointEnabled(ctx, tx, endpointID, true, "", time.Time{})
	})
	if err != nil {
		return fmt.Errorf("enabling endpoint %s: %w", ep.Name, err)
	}
	s.publish(db.ChangeEndpoint, ep.ID, ep.Name)
	s.notify()
	return nil
}

// SendSkipped makes every delivery skipped while the endpoint was disabled
// pending, due now, and returns how many. They go out once the endpoint is
// enabled (at once, when it already is).
func (s *Sender) SendSkipped(ctx context.Context, endpointID int64) (int, error) {
	var n int
	err := s.db.Write(ctx, func(tx db.Handle) error {
		var err error
		n, err = s.outbox.Unskip(ctx, tx, endpointID, s.clock.Now())
		return err
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.publish(db.ChangeDelivery, 0, "")
		s.notify()
	}
	return n, nil
}

// Test sends one test event to an endpoint now, enabled or not, and
// returns the delivery with its attempt. CodeScoring sends its `test`
// trigger with an empty payload; PolicyCortex takes eventType (default
// policy.violation.created); other profiles send eventType or their first
// catalogue event. A test is never retried.
func (s *Sender) Test(ctx context.Context, endpointID int64, eventType string) (*db.Delivery, error) {
	ep, err := s.endpoint(ctx, endpointID)
	if err != nil {
		return nil, err
	}
	prof, err := fixtures.Lookup(ep.Profile)
	if err != nil {
		return nil, err
	}
	if eventType == "" {
		eventType = defaultTestEvent(prof)
	}
	if _, _, err := fixtures.Find(prof.Name(), eventType); err != nil {
		return nil, validate.Field("event_type", "%v", err)
	}
	return s.deliverNow(ctx, ep, prof, eventType, nil, "test", true)
}

func defaultTestEvent(p fixtures.Profile) string {
	cat := p.Catalogue()
	for _, e := range cat {
		if e.Type == "test" {
			return "test"
		}
	}
	if len(cat) == 0 {
		return ""
	}
	return cat[0].Type
}

// deliverNow records an event and a delivery to ep alone, and runs its
// first attempt in this goroutine; later retries (unless noRetry) are the
// outbox's.
func (s *Sender) deliverNow(ctx context.Context, ep *db.Endpoint, prof fixtures.Profile, event string, payload json.RawMessage, source string, noRetry bool) (*db.Delivery, error) {
	a, err := s.sendOnce(ctx, ep, prof, event, payload, source, noRetry)
	if err != nil {
		return nil, err
	}
	return s.Delivery(ctx, a.DeliveryID)
}

// SendOptions tune SendTo.
type SendOptions struct {
	// Payload replaces the rendered fixture.
	Payload json.RawMessage
	// NoRetry sends once: a failure is final.
	NoRetry bool
	// Headers are added to the vendor's own.
	Headers []db.Header
	// TimeoutSeconds overrides the profile's timeout (0: the profile's).
	TimeoutSeconds int
	// label names the target after SendPrefix instead of the profile
	// (a probe's check run and scenario).
	label string
}

// SendTo delivers one event of vendor to url with creds, as `hookscope
// send` does: the first attempt runs now and is returned with its delivery;
// retries, unless opts.NoRetry, are the outbox's (a started Sender, here or
// in another process on the database). The URL is the delivery's ad-hoc
// target (see adHocTarget), not an endpoint of the user's.
func (s *Sender) SendTo(ctx context.Context, vendor, event, target string, creds fixtures.Credentials, opts SendOptions) (*db.Delivery, error) {
	prof, _, err := fixtures.Find(vendor, event)
	if err != nil {
		return nil, err
	}
	ep, err := s.adHocTarget(ctx, prof, target, creds, opts)
	if err != nil {
		return nil, err
	}
	return s.deliverNow(ctx, ep, prof, event, opts.Payload, "send", opts.NoRetry)
}

// adHocTarget records the target of one send (or replay, or load run) to a
// URL: an endpoint row marked ad hoc, holding this send's URL, credentials,
// headers and timeout, which its deliveries and their retries use. It is
// not one of the user's endpoints: never listed, never fanned out to, and
// never changed by a later send to the same URL (each send has its own, so
// a retry pending from an earlier send keeps that send's credentials).
func (s *Sender) adHocTarget(ctx context.Context, prof fixtures.Profile, target string, creds fixtures.Credentials, opts SendOptions) (*db.Endpoint, error) {
	if err := validate.URL(target); err != nil {
		return nil, fmt.Errorf("--to: %w", err)
	}
	if err := limits.EndpointTimeoutSeconds.Named("--timeout").Check(int64(opts.TimeoutSeconds)); err != nil {
		return nil, err
	}
	// Endpoint names are unique: a random tag tells this send's target
	// from the others to the same URL.
	var tag [8]byte
	if _, err := rand.Read(tag[:]); err != nil {
		return nil, fmt.Errorf("naming the target of a send to %s: %w", target, err)
	}
	label := prof.Name()
	if opts.label != "" {
		label = opts.label
	}
	now := s.clock.Now()
	ep := &db.Endpoint{
		Name: fmt.Sprintf("%s%s:%s #%x", validate.SendPrefix, label, target, tag), URL: target, Profile: prof.Name(),
		Secret: creds.Secret, Token: creds.Token, Header: creds.Header,
		Events: []string{}, Headers: append([]db.Header{}, opts.Headers...), TimeoutSeconds: opts.TimeoutSeconds,
		Enabled: true, AdHoc: true, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.db.Write(ctx, func(tx db.Handle) error { return s.endpoints.CreateEndpoint(ctx, tx, ep) }); err != nil {
		return nil, fmt.Errorf("recording the target of a send to %s: %w", target, err)
	}
	return ep, nil
}

// Delivery loads one delivery with its attempts and its wait (the store's
// error already says what was loaded and what was wrong).
func (s *Sender) Delivery(ctx context.Context, id int64) (*db.Delivery, error) {
	return s.deliveries.GetDelivery(ctx, s.db.Reader(), id)
}

// Deliveries lists deliveries (newest first, without attempts).
func (s *Sender) Deliveries(ctx context.Context, f db.DeliveryFilter) ([]db.Delivery, error) {
	ds, err := s.deliveries.ListDeliveries(ctx, s.db.Reader(), f)
	if err != nil {
		return nil, fmt.Errorf("listing deliveries: %w", err)
	}
	return ds, nil
}
