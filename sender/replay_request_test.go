package sender

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/validate"
)

// A replay to a URL with no credentials given signs with the receiving
// route's, so it verifies where the original did; one to an endpoint uses
// the endpoint's.
func TestReplayRequestSignsWithTheRightCredentials(t *testing.T) {
	s, d := openSender(t, 1)
	ctx := context.Background()
	route := &db.Route{Name: "pc", Profile: "policycortex", Secret: "route-secret"}
	if err := d.Write(ctx, func(tx db.Handle) error { return db.NewRouteStore().PutRoute(ctx, tx, route) }); err != nil {
		t.Fatal(err)
	}
	body := testkit.Received(t, "policycortex", fixtures.Credentials{Secret: "route-secret"}, "policy.violation.created")
	id := testkit.StoreRequest(t, d, "pc", "policycortex", body, false)
	srv := testkit.NewHookServer(t, testkit.Status(200))
	p, _ := fixtures.Lookup("policycortex")

	ds, err := s.ReplayRequest(ctx, id, ReplayTarget{URL: srv.URL})
	if err != nil || len(ds) != 1 {
		t.Fatalf("replay to URL: %v, %d deliveries", err, len(ds))
	}
	ep := testkit.AddEndpoint(t, s, "policycortex", srv.URL, func(e *db.Endpoint) { e.Secret = "endpoint-secret" })
	if _, err := s.ReplayRequest(ctx, id, ReplayTarget{EndpointID: ep.ID}); err != nil {
		t.Fatalf("replay to endpoint: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("the service got %d requests, want 2", len(reqs))
	}
	for i, secret := range []string{"route-secret", "endpoint-secret"} {
		if !bytes.Equal(reqs[i].Body, body) {
			t.Errorf("replay %d changed the body", i+1)
		}
		if v := p.Verify(reqs[i].Header, reqs[i].Body, fixtures.Credentials{Secret: secret}, time.Now()); v.Status != fixtures.Valid {
			t.Errorf("replay %d does not verify with %s: %+v", i+1, secret, v)
		}
	}
}

func TestReplayRequestRefusesBadInput(t *testing.T) {
	s, d := openSender(t, 1)
	ctx := context.Background()
	cut := testkit.StoreRequest(t, d, "generic", "generic", []byte(`{"a":`), true)
	whole := testkit.StoreRequest(t, d, "generic", "generic", []byte(`{"a":1}`), false)
	var fe *validate.FieldError
	if _, err := s.ReplayRequest(ctx, cut, ReplayTarget{URL: "http://127.0.0.1:9/"}); !errors.As(err, &fe) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("a truncated body: %v, want a field error saying so", err)
	}
	if _, err := s.ReplayRequest(ctx, whole, ReplayTarget{}); !errors.As(err, &fe) {
		t.Errorf("no target: %v, want a field error", err)
	}
	if _, err := s.ReplayRequest(ctx, whole, ReplayTarget{EndpointID: 1, URL: "http://127.0.0.1:9/"}); !errors.As(err, &fe) {
		t.Errorf("two targets: %v, want a field error", err)
	}
	if _, err := s.ReplayRequest(ctx, 999, ReplayTarget{URL: "http://127.0.0.1:9/"}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("unknown request: %v, want ErrNotFound", err)
	}
}
