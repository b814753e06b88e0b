package sender

import (
	"context"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// Probes are the requests a conformance check (`hookscope check`) sends:
// events framed and signed by the vendor's profile exactly as a delivery
// is, then, where the scenario says so, altered the way a forger, a replay
// or a careless signer would alter them. Each probe is recorded as a
// delivery like any other (an ad-hoc target, every attempt in full) and
// is never retried by the outbox: the check decides what is sent again.

// Framed is a request a probe may alter before it is sent: the wire as the
// profile framed it, and what it was framed from, so that an alteration
// can frame again through the same profile (another secret, another time)
// rather than sign by itself.
type Framed struct {
	Wire    fixtures.Wire
	Profile fixtures.Profile
	Events  []fixtures.Outgoing
	Options fixtures.FrameOptions
}

// Reframe frames the same events again through the profile with opts
// changed by change (another secret, another time, another payload).
func (f *Framed) Reframe(change func(events []fixtures.Outgoing, opts *fixtures.FrameOptions) []fixtures.Outgoing) (fixtures.Wire, error) {
	events := append([]fixtures.Outgoing(nil), f.Events...)
	opts := f.Options
	events = change(events, &opts)
	w, err := f.Profile.Frame(events, opts)
	if err != nil {
		return fixtures.Wire{}, fmt.Errorf("framing %s again: %w", f.Profile.Name(), err)
	}
	return w, nil
}

// ProbeOptions tune one probe.
type ProbeOptions struct {
	// Credentials sign or authenticate the request as the vendor would.
	Credentials fixtures.Credentials
	// Alter changes the framed request before it is sent (nil: sent as
	// framed). Wire.Body may be an event's payload itself: replace it,
	// never write into it.
	Alter func(f *Framed) error
	// Timeout bounds the attempt (0: the profile's timeout, or
	// TimeoutSeconds).
	Timeout time.Duration
	// TimeoutSeconds is the target's timeout_seconds, as an endpoint
	// carries it (PolicyCortex); 0: the profile's.
	TimeoutSeconds int
	// Label names the recorded target ("check 1a2b3c policycortex/...").
	Label string
	// Source tags the recorded events (db.Event.Source).
	Source string
}

// tweak alters one attempt of a probe; nil for every other attempt.
type tweak struct {
	alter   func(f *Framed) error
	timeout time.Duration
}

func (o ProbeOptions) tweak() *tweak {
	return &tweak{alter: o.Alter, timeout: o.Timeout}
}

// apply runs the alteration on a framed request.
func (tw *tweak) apply(prof fixtures.Profile, events []fixtures.Outgoing, opts fixtures.FrameOptions, w fixtures.Wire) (fixtures.Wire, error) {
	f := &Framed{Wire: w, Profile: prof, Events: events, Options: opts}
	if err := tw.alter(f); err != nil {
		return fixtures.Wire{}, fmt.Errorf("altering the request: %w", err)
	}
	return f.Wire, nil
}

// Probe sends events of vendor to target in one request, framed as the
// vendor frames them (several events only where the vendor batches) and
// altered by opts.Alter, and returns the delivery with its one attempt. An
// event without a payload gets a fresh fixture. The outbox never retries
// it.
func (s *Sender) Probe(ctx context.Context, vendor, target string, events []fixtures.Outgoing, opts ProbeOptions) (*db.Delivery, error) {
	prof, err := fixtures.Lookup(vendor)
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("probing %s: no events", target)
	}
	out := make([]fixtures.Outgoing, len(events))
	for i, e := range events {
		if _, _, err := fixtures.Find(prof.Name(), e.Type); err != nil {
			return nil, err
		}
		p, err := s.render(prof, e.Type, e.Payload)
		if err != nil {
			return nil, err
		}
		out[i] = fixtures.Outgoing{Type: e.Type, Payload: p, CreatedAt: e.CreatedAt}
	}
	ep, err := s.adHocTarget(ctx, prof, target, opts.Credentials, SendOptions{TimeoutSeconds: opts.TimeoutSeconds, label: opts.Label})
	if err != nil {
		return nil, err
	}
	source := opts.Source
	if source == "" {
		source = "probe"
	}
	a, err := s.sendEventsOnce(ctx, ep, prof, out, source, true, opts.tweak())
	if err != nil {
		return nil, err
	}
	return s.Delivery(ctx, a.DeliveryID)
}

// ProbeAgain sends a probe's delivery once more, as the vendor's retry of
// the same message: the same stored events (the same PolicyCortex id,
// SecurityScorecard execution_id and created_at), the same Standard
// Webhooks webhook-id signed at the new time, the retry count one higher.
// Only opts.Alter and opts.Timeout are used (the target keeps its
// credentials). It returns the delivery with every attempt.
func (s *Sender) ProbeAgain(ctx context.Context, deliveryID int64, opts ProbeOptions) (*db.Delivery, error) {
	if _, err := s.sendNow(ctx, deliveryID, false, opts.tweak()); err != nil {
		return nil, fmt.Errorf("probing again with delivery %d: %w", deliveryID, err)
	}
	return s.Delivery(ctx, deliveryID)
}
