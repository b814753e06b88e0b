package sender

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// received frames events as a vendor would have sent them to hookscope's
// receiver, signed with the route's credentials.
func received(t *testing.T, vendor string, creds fixtures.Credentials, events ...string) []byte {
	t.Helper()
	p, err := fixtures.Lookup(vendor)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	var out []fixtures.Outgoing
	for i, e := range events {
		payload, err := p.Render(e, rand.New(rand.NewPCG(uint64(i), 3)), at)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fixtures.Outgoing{Type: e, Payload: payload, CreatedAt: at})
	}
	w, err := p.Frame(out, fixtures.FrameOptions{Credentials: creds, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	return w.Body
}

// TestReplayBatchToEndpoint replays a received CodeScoring batch of two to
// an endpoint over loopback: as CodeScoring sent them, in one request and
// one delivery, the same bytes (events, order, times), carrying the
// endpoint's own token.
func TestReplayBatchToEndpoint(t *testing.T) {
	s, _ := openSender(t, 1000)
	srv := newHookServer(t, status(200))
	ep := addEndpoint(t, s, "codescoring", srv.URL, func(e *db.Endpoint) { e.Token = "endpoint-token" })
	p, _ := fixtures.Lookup("codescoring")
	cat := p.Catalogue()
	body := received(t, "codescoring", fixtures.Credentials{Token: "route-token"}, cat[0].Type, cat[1].Type)

	ds, err := s.Replay(context.Background(), body, "codescoring", ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Status != db.DeliverySucceeded || len(ds[0].EventTypes) != 2 {
		t.Fatalf("deliveries %+v, want one succeeded delivery of both events", ds)
	}
	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("the endpoint got %d requests, want 1", len(reqs))
	}
	if got := reqs[0].header.Get(fixtures.CodeScoringTokenHeader); got != "endpoint-token" {
		t.Errorf("the request carries token %q, want the endpoint's", got)
	}
	if !bytes.Equal(reqs[0].body, body) {
		t.Fatalf("replayed body differs:\n got %s\nwant %s", reqs[0].body, body)
	}
}

// TestReplayResigns replays a PolicyCortex request signed with the route's
// secret: the endpoint gets the same bytes, signed with its own secret.
func TestReplayResigns(t *testing.T) {
	s, _ := openSender(t, 1000)
	srv := newHookServer(t, status(200))
	ep := addEndpoint(t, s, "policycortex", srv.URL, func(e *db.Endpoint) { e.Secret = "endpoint-secret-0123456789" })
	p, _ := fixtures.Lookup("policycortex")
	body := received(t, "policycortex", fixtures.Credentials{Secret: "route-secret"}, p.Catalogue()[0].Type)

	ds, err := s.Replay(context.Background(), body, "policycortex", ep.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("%d deliveries, %v", len(ds), err)
	}
	r := srv.requests()[0]
	if !bytes.Equal(r.body, body) {
		t.Fatalf("replayed body differs:\n got %s\nwant %s", r.body, body)
	}
	if v := p.Verify(r.header, r.body, fixtures.Credentials{Secret: "endpoint-secret-0123456789"}, time.Now()); v.Status != fixtures.Valid {
		t.Fatalf("not signed with the endpoint's secret: %+v", v)
	}
	if v := p.Verify(r.header, r.body, fixtures.Credentials{Secret: "route-secret"}, time.Now()); v.Status == fixtures.Valid {
		t.Fatal("the old signature was kept")
	}
}

// TestReplayToURL replays a Standard Webhooks request to a URL with the
// route's secret: a fresh signature over the same body verifies.
func TestReplayToURL(t *testing.T) {
	s, _ := openSender(t, 1000)
	srv := newHookServer(t, status(204))
	p, _ := fixtures.Lookup("standardwebhooks")
	creds := fixtures.Credentials{Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	body := received(t, "standardwebhooks", creds, p.Catalogue()[0].Type)

	ds, err := s.ReplayTo(context.Background(), body, "standardwebhooks", srv.URL+"/hooks/standardwebhooks", creds)
	if err != nil || len(ds) != 1 || ds[0].Status != db.DeliverySucceeded {
		t.Fatalf("%+v, %v", ds, err)
	}
	r := srv.requests()[0]
	if !bytes.Equal(r.body, body) {
		t.Fatalf("replayed body differs")
	}
	if v := p.Verify(r.header, r.body, creds, time.Now()); v.Status != fixtures.Valid {
		t.Fatalf("the replay does not verify: %+v", v)
	}
	if _, err := s.ReplayTo(context.Background(), body, "standardwebhooks", srv.URL, fixtures.Credentials{}); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("no secret: %v", err)
	}
}

// TestReplayRefusesAnotherVendorsEndpoint: a CodeScoring request does not
// go to a PolicyCortex endpoint, and a disabled endpoint gets nothing.
func TestReplayRefusesAnotherVendorsEndpoint(t *testing.T) {
	s, _ := openSender(t, 1000)
	srv := newHookServer(t, status(200))
	pc := addEndpoint(t, s, "policycortex", srv.URL, func(e *db.Endpoint) { e.Secret = "s3cr3t-s3cr3t-s3cr3t" })
	cs, _ := fixtures.Lookup("codescoring")
	body := received(t, "codescoring", fixtures.Credentials{Token: "t"}, cs.Catalogue()[0].Type)
	if _, err := s.Replay(context.Background(), body, "codescoring", pc.ID); err == nil {
		t.Fatal("replayed a codescoring batch to a policycortex endpoint")
	}
	if err := s.Disable(context.Background(), pc.ID, "test"); err != nil {
		t.Fatal(err)
	}
	pcBody := received(t, "policycortex", fixtures.Credentials{Secret: "x"}, "policy.violation.created")
	if _, err := s.Replay(context.Background(), pcBody, "policycortex", pc.ID); err == nil {
		t.Fatal("replayed to a disabled endpoint")
	}
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("the endpoint got %d requests", n)
	}
}
