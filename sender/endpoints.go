package sender

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/validate"
)

// Endpoints lists every endpoint by id.
func (s *Sender) Endpoints(ctx context.Context) ([]db.Endpoint, error) {
	eps, err := s.endpoints.ListEndpoints(ctx, s.db.Reader())
	if err != nil {
		return nil, fmt.Errorf("listing endpoints: %w", err)
	}
	return eps, nil
}

// Endpoint loads one endpoint by id.
func (s *Sender) Endpoint(ctx context.Context, id int64) (*db.Endpoint, error) {
	return s.endpoint(ctx, id)
}

// ResolveEndpoint finds an endpoint by id or by name.
func (s *Sender) ResolveEndpoint(ctx context.Context, ref string) (*db.Endpoint, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return s.endpoint(ctx, id)
	}
	// The store's error already says what was loaded and what was wrong.
	return s.endpoints.GetEndpointByName(ctx, s.db.Reader(), ref)
}

// CreateEndpoint validates and stores a new endpoint (enabled unless
// e.Enabled is false and a DisabledReason is given).
func (s *Sender) CreateEndpoint(ctx context.Context, e *db.Endpoint) error {
	if err := validate.Endpoint(e); err != nil {
		return err
	}
	now := s.clock.Now()
	e.CreatedAt, e.UpdatedAt = now, now
	if !e.Enabled && e.DisabledReason != "" {
		e.DisabledAt = &now
	} else {
		e.Enabled, e.DisabledReason, e.DisabledAt = true, "", nil
	}
	err := s.db.Write(ctx, func(tx db.Handle) error { return s.endpoints.CreateEndpoint(ctx, tx, e) })
	if errors.Is(err, db.ErrConflict) {
		return validate.Field("name", "an endpoint named %q already exists", e.Name)
	}
	if err != nil {
		return fmt.Errorf("creating endpoint %s: %w", e.Name, err)
	}
	s.publish(db.ChangeEndpoint, e.ID, e.Name)
	return nil
}

// UpdateEndpoint validates and replaces an endpoint (by e.ID). Enabling or
// disabling through an update records the reason and time like
// Enable/Disable.
func (s *Sender) UpdateEndpoint(ctx context.Context, e *db.Endpoint) error {
	old, err := s.endpoint(ctx, e.ID)
	if err != nil {
		return err
	}
	if err := validate.Endpoint(e); err != nil {
		return err
	}
	now := s.clock.Now()
	e.CreatedAt, e.UpdatedAt = old.CreatedAt, now
	switch {
	case e.Enabled:
		e.DisabledReason, e.DisabledAt = "", nil
	case old.Enabled:
		if e.DisabledReason == "" {
			e.DisabledReason = "disabled by hand"
		}
		e.DisabledAt = &now
	default:
		if e.DisabledReason == "" {
			e.DisabledReason = old.DisabledReason
		}
		e.DisabledAt = old.DisabledAt
	}
	err = s.db.Write(ctx, func(tx db.Handle) error { return s.endpoints.UpdateEndpoint(ctx, tx, e) })
	if errors.Is(err, db.ErrConflict) {
		return validate.Field("name", "an endpoint named %q already exists", e.Name)
	}
	if err != nil {
		return fmt.Errorf("updating endpoint %s: %w", e.Name, err)
	}
	s.publish(db.ChangeEndpoint, e.ID, e.Name)
	s.notify()
	return nil
}

// DeleteEndpoint removes an endpoint and its deliveries.
func (s *Sender) DeleteEndpoint(ctx context.Context, id int64) error {
	ep, err := s.endpoint(ctx, id)
	if err != nil {
		return err
	}
	if err := s.db.Write(ctx, func(tx db.Handle) error { return s.endpoints.DeleteEndpoint(ctx, tx, id) }); err != nil {
		return fmt.Errorf("deleting endpoint %s: %w", ep.Name, err)
	}
	s.publish(db.ChangeEndpoint, id, ep.Name)
	return nil
}

// DefaultEndpointName is the name of the built-in endpoint of a profile.
func DefaultEndpointName(profile string) string { return "local-" + profile }

// EnsureDefaultEndpoints creates, for each profile that has none yet, the
// endpoint "local-PROFILE" pointing at the local receiver's route
// (http://RECEIVER/hooks/PROFILE) with that route's credentials, so the
// built-in loop works with no setup. Existing ones that still point at a
// local receiver follow receiverAddr, unless another live process runs
// the outbox: the default endpoints follow the receiver of the process
// that delivers, so starting a second process never re-points the first's
// (see Sender.hold, which re-points them when this process takes the
// outbox over). It returns the endpoints it created.
func (s *Sender) EnsureDefaultEndpoints(ctx context.Context, receiverAddr string) ([]db.Endpoint, error) {
	other, err := s.OtherHolder(ctx)
	if err != nil {
		return nil, err
	}
	var created []db.Endpoint
	for _, p := range fixtures.All() {
		name := DefaultEndpointName(p.Name())
		want := "http://" + receiverAddr + "/hooks/" + p.Name()
		if other != nil && other.Receiver != "" {
			// A new endpoint points where the others do.
			want = "http://" + other.Receiver + "/hooks/" + p.Name()
		}
		existing, err := s.endpoints.GetEndpointByName(ctx, s.db.Reader(), name)
		if err == nil {
			if other != nil {
				continue
			}
			if err := s.followReceiver(ctx, existing, want); err != nil {
				return created, err
			}
			continue
		}
		if !errors.Is(err, db.ErrNotFound) {
			return created, fmt.Errorf("looking for endpoint %s: %w", name, err)
		}
		e := db.Endpoint{
			Name:    name,
			URL:     want,
			Profile: p.Name(),
			Enabled: true,
		}
		if r, err := s.routes.GetRoute(ctx, s.db.Reader(), p.Name()); err == nil {
			e.Secret, e.Token, e.Header = r.Secret, r.Token, r.Header
		}
		if err := s.CreateEndpoint(ctx, &e); err != nil {
			var fe *validate.FieldError
			if errors.As(err, &fe) && fe.Field == "name" {
				continue // created meanwhile by another process
			}
			return created, err
		}
		created = append(created, e)
	}
	return created, nil
}

// Triggers lists the event catalogue of one profile, or of all.
func Triggers(profile string) ([]fixtures.EventInfo, error) {
	profiles := fixtures.All()
	if profile != "" {
		p, err := fixtures.Lookup(profile)
		if err != nil {
			return nil, err
		}
		profiles = []fixtures.Profile{p}
	}
	out := []fixtures.EventInfo{}
	for _, p := range profiles {
		out = append(out, p.Catalogue()...)
	}
	return out, nil
}

// followReceivers re-points every default endpoint that still points at a
// local receiver's route at receiverAddr (this process has taken the
// outbox over).
func (s *Sender) followReceivers(ctx context.Context, receiverAddr string) error {
	for _, p := range fixtures.All() {
		name := DefaultEndpointName(p.Name())
		e, err := s.endpoints.GetEndpointByName(ctx, s.db.Reader(), name)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("looking for endpoint %s: %w", name, err)
		}
		if err := s.followReceiver(ctx, e, "http://"+receiverAddr+"/hooks/"+p.Name()); err != nil {
			return err
		}
	}
	return nil
}

// followReceiver re-points a default endpoint at the receiver's current
// address when it still points at the local receiver's route under an old
// one (a run with --listen :0 or another port), so the built-in loop keeps
// working. An endpoint the user re-pointed elsewhere is left alone.
func (s *Sender) followReceiver(ctx context.Context, e *db.Endpoint, want string) error {
	if e.URL == want || !isLocalRoute(e.URL, e.Profile) {
		return nil
	}
	old := e.URL
	e.URL = want
	if err := s.UpdateEndpoint(ctx, e); err != nil {
		return fmt.Errorf("re-pointing endpoint %s at the receiver: %w", e.Name, err)
	}
	s.log.Info("default endpoint follows the receiver", "endpoint", e.Name, "from", old, "to", want)
	return nil
}

// isLocalRoute reports whether raw is http://LOOPBACK:PORT/hooks/PROFILE.
func isLocalRoute(raw, profile string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Path != "/hooks/"+profile || u.RawQuery != "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
