package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/validate"
)

// render returns payload, or a fresh fixture payload when it is empty.
func (s *Sender) render(prof fixtures.Profile, event string, payload json.RawMessage) (json.RawMessage, error) {
	if len(payload) > 0 {
		if !json.Valid(payload) {
			return nil, validate.Field("payload", "not valid JSON")
		}
		return payload, nil
	}
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	p, err := prof.Render(event, s.rng, s.clock.Now())
	if err != nil {
		return nil, fmt.Errorf("rendering %s %s: %w", prof.Name(), event, err)
	}
	return p, nil
}

// Raise records one event of vendor and fans it out: a delivery for each
// endpoint of that profile that subscribes to the event and passes its
// filters. An empty payload is rendered from the fixture. A disabled
// endpoint gets a skipped delivery (see SendSkipped). Where the vendor
// batches (CodeScoring), the event joins the endpoint's open batch: the
// window not yet sent, or a failed batch waiting for its retry, so that it
// is resent together with the earlier events. source says where the event
// came from (api, console, fixture, ...).
func (s *Sender) Raise(ctx context.Context, vendor, event string, payload json.RawMessage, source string) ([]db.Delivery, error) {
	prof, _, err := fixtures.Find(vendor, event)
	if err != nil {
		return nil, catalogueErr(vendor, err)
	}
	payload, err = s.render(prof, event, payload)
	if err != nil {
		return nil, err
	}
	// The user's endpoints: the ad-hoc targets of sends are not among them.
	eps, err := s.endpoints.ListEndpoints(ctx, s.db.Reader())
	if err != nil {
		return nil, fmt.Errorf("listing endpoints: %w", err)
	}
	var targets []db.Endpoint
	for _, ep := range eps {
		if ep.Profile != prof.Name() {
			continue
		}
		if len(ep.Events) > 0 && !slices.Contains(ep.Events, event) {
			continue
		}
		if !PassesFilters(ep.Filters, payload) {
			continue
		}
		targets = append(targets, ep)
	}
	pol := prof.Policy()
	now := s.clock.Now()
	var out []db.Delivery
	err = s.db.Write(ctx, func(tx db.Handle) error {
		out = out[:0]
		ev := db.Event{Vendor: prof.Name(), Type: event, Payload: payload, CreatedAt: now, Source: source}
		if err := s.outbox.CreateEvent(ctx, tx, &ev); err != nil {
			return err
		}
		for _, ep := range targets {
			d, err := s.enqueue(ctx, tx, &ep, pol, ev, false)
			if err != nil {
				return err
			}
			out = append(out, *d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("raising %s %s: %w", prof.Name(), event, err)
	}
	for _, d := range out {
		s.publish(db.ChangeDelivery, d.ID, "")
	}
	s.notify()
	return out, nil
}

// enqueue creates (or, for a batching vendor, joins) the delivery of ev to ep.
func (s *Sender) enqueue(ctx context.Context, tx db.Handle, ep *db.Endpoint, pol fixtures.DeliveryPolicy, ev db.Event, noRetry bool) (*db.Delivery, error) {
	now := s.clock.Now()
	nd := db.NewDelivery{
		EndpointID:  ep.ID,
		Vendor:      ep.Profile,
		Events:      []db.Event{ev},
		Status:      db.DeliveryPending,
		ExecutionID: executionID(ev.Payload),
		MessageID:   s.messageID(),
		Ordered:     pol.Ordered,
		NoRetry:     noRetry,
		TimeScale:   s.scale,
		Runner:      s.runner(),
	}
	if !ep.Enabled {
		nd.Status = db.DeliverySkipped
		return s.outbox.CreateDelivery(ctx, tx, nd, now)
	}
	due := now
	if pol.BatchWindow > 0 {
		open, err := s.outbox.OpenBatch(ctx, tx, ep.ID, now)
		if err != nil {
			return nil, err
		}
		if open != nil {
			if err := s.outbox.AttachEvents(ctx, tx, open.ID, []db.Event{ev}, now); err != nil {
				return nil, err
			}
			open.EventTypes = append(open.EventTypes, ev.Type)
			open.EventIDs = append(open.EventIDs, ev.ID)
			return open, nil
		}
		real := scaled(pol.BatchWindow, s.scale)
		due = now.Add(real)
		nd.Wait = &db.RetryWait{VendorWaitMS: pol.BatchWindow.Milliseconds(), ScaledWaitMS: real.Milliseconds(), Reason: "batch window"}
	}
	nd.DueAt = &due
	return s.outbox.CreateDelivery(ctx, tx, nd, now)
}

func (s *Sender) messageID() string {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	b := make([]byte, 26)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return "msg_" + string(b)
}

// executionID is the payload's top-level execution_id (SecurityScorecard).
func executionID(payload json.RawMessage) string {
	if !bytes.Contains(payload, []byte(`"execution_id"`)) {
		return "" // spares decoding every other vendor's payload
	}
	var m struct {
		ExecutionID string `json:"execution_id"`
	}
	if json.Unmarshal(payload, &m) != nil {
		return ""
	}
	return m.ExecutionID
}

// PassesFilters applies PolicyCortex-style filters to a payload. Each
// filter looks for its attribute anywhere in the payload: severity for
// `severity`, environment for `environments` (e.g. tags.environment),
// cloud_provider / provider, or an AWS/Azure/GCP resource id, for
// `cloud_providers`; values compare case-insensitively. An event that does
// not carry an attribute is not filtered on it (a user.login has no
// severity), and an empty filter passes everything.
func PassesFilters(f db.Filters, payload json.RawMessage) bool {
	if len(f.Severity) == 0 && len(f.Environments) == 0 && len(f.CloudProviders) == 0 {
		return true
	}
	var v any
	if json.Unmarshal(payload, &v) != nil {
		return true
	}
	check := func(allowed []string, found []string) bool {
		if len(allowed) == 0 || len(found) == 0 {
			return true
		}
		for _, a := range allowed {
			for _, x := range found {
				if strings.EqualFold(a, x) {
					return true
				}
			}
		}
		return false
	}
	sev := findStrings(v, "severity")
	env := findStrings(v, "environment")
	cloud := findStrings(v, "cloud_provider")
	cloud = append(cloud, findStrings(v, "provider")...)
	for _, id := range append(findStrings(v, "resource_id"), findStrings(v, "resource_type")...) {
		switch lid := strings.ToLower(id); {
		case strings.HasPrefix(lid, "arn:aws"), strings.HasPrefix(lid, "aws::"):
			cloud = append(cloud, "aws")
		case strings.HasPrefix(lid, "/subscriptions/"), strings.HasPrefix(lid, "microsoft."):
			cloud = append(cloud, "azure")
		case strings.HasPrefix(lid, "projects/"), strings.HasPrefix(lid, "//"):
			cloud = append(cloud, "gcp")
		}
	}
	return check(f.Severity, sev) && check(f.Environments, env) && check(f.CloudProviders, cloud)
}

// findStrings collects every string value under key at any depth.
func findStrings(v any, key string) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				if k == key {
					if s, ok := x.(string); ok {
						out = append(out, s)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
	return out
}

// catalogueErr is fixtures.Find's error as a FieldError naming the field
// that was wrong: the vendor, or the event of a known vendor.
func catalogueErr(vendor string, err error) error {
	if _, verr := fixtures.Lookup(vendor); verr != nil {
		return validate.Field("vendor", "%v", verr)
	}
	return validate.Field("event", "%v", err)
}
