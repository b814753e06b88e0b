package sender

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
)

// TestReplayBatchToEndpoint replays a received CodeScoring batch of two to
// an endpoint over loopback: as CodeScoring sent them, in one request and
// one delivery, the same bytes (events, order, times), carrying the
// endpoint's own token.
func TestReplayBatchToEndpoint(t *testing.T) {
	s, _ := openSender(t, 1000)
	srv := testkit.NewHookServer(t, testkit.Status(200))
	ep := testkit.AddEndpoint(t, s, "codescoring", srv.URL, func(e *db.Endpoint) { e.Token = "endpoint-token" })
	p, _ := fixtures.Lookup("codescoring")
	cat := p.Catalogue()
	body := testkit.Received(t, "codescoring", fixtures.Credentials{Token: "route-token"}, cat[0].Type, cat[1].Type)

	ds, err := s.Replay(context.Background(), body, "codescoring", ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Status != db.DeliverySucceeded || len(ds[0].EventTypes) != 2 {
		t.Fatalf("deliveries %+v, want one succeeded delivery of both events", ds)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the endpoint got %d requests, want 1", len(reqs))
	}
	if got := reqs[0].Header.Get(fixtures.CodeScoringTokenHeader); got != "endpoint-token" {
		t.Errorf("the request carries token %q, want the endpoint's", got)
	}
	if !bytes.Equal(reqs[0].Body, body) {
		t.Fatalf("replayed body differs:\n got %s\nwant %s", reqs[0].Body, body)
	}
}

// TestReplayResigns replays a PolicyCortex request signed with the route's
// secret: the endpoint gets the same bytes, signed with its own secret.
func TestReplayResigns(t *testing.T) {
	s, _ := openSender(t, 1000)
	srv := testkit.NewHookServer(t, testkit.Status(200))
	ep := testkit.AddEndpoint(t, s, "policycortex", srv.URL, func(e *db.Endpoint) { e.Secret = "endpoint-secret-0123456789" })
	p, _ := fixtures.Lookup("policycortex")
	body := testkit.Received(t, "policycortex", fixtures.Credentials{Secret: "route-secret"}, p.Catalogue()[0].Type)

	ds, err := s.Replay(context.Background(), body, "policycortex", ep.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("%d deliveries, %v", len(ds), err)
	}
	r := srv.Requests()[0]
	if !bytes.Equal(r.Body, body) {
		t.Fatalf("replayed body differs:\n got %s\nwant %s", r.Body, body)
	}
	if v := p.Verify(r.Header, r.Body, fixtures.Credentials{Secret: "endpoint-secret-0123456789"}, time.Now()); v.Status != fixtures.Valid {
		t.Fatalf("not signed with the endpoint's secret: %+v", v)
	}
	if v := p.Verify(r.Header, r.Body, fixtures.Credentials{Secret: "route-secret"}, time.Now()); v.Status == fixtures.Valid {
		t.Fatal("the old signature was kept")
	}
}

// TestReplayToURL replays a Standard Webhooks request to a URL with the
// route's secret: a fresh signature over the same body verifies.
func TestReplayToURL(t *testing.T) {
	s, _ := openSender(t, 1000)
	srv := testkit.NewHookServer(t, testkit.Status(204))
	p, _ := fixtures.Lookup("standardwebhooks")
	creds := fixtures.Credentials{Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	body := testkit.Received(t, "standardwebhooks", creds, p.Catalogue()[0].Type)

	ds, err := s.ReplayTo(context.Background(), body, "standardwebhooks", srv.URL+"/hooks/standardwebhooks", creds)
	if err != nil || len(ds) != 1 || ds[0].Status != db.DeliverySucceeded {
		t.Fatalf("%+v, %v", ds, err)
	}
	r := srv.Requests()[0]
	if !bytes.Equal(r.Body, body) {
		t.Fatalf("replayed body differs")
	}
	if v := p.Verify(r.Header, r.Body, creds, time.Now()); v.Status != fixtures.Valid {
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
	srv := testkit.NewHookServer(t, testkit.Status(200))
	pc := testkit.AddEndpoint(t, s, "policycortex", srv.URL, func(e *db.Endpoint) { e.Secret = "s3cr3t-s3cr3t-s3cr3t" })
	cs, _ := fixtures.Lookup("codescoring")
	body := testkit.Received(t, "codescoring", fixtures.Credentials{Token: "t"}, cs.Catalogue()[0].Type)
	if _, err := s.Replay(context.Background(), body, "codescoring", pc.ID); err == nil {
		t.Fatal("replayed a codescoring batch to a policycortex endpoint")
	}
	if err := s.Disable(context.Background(), pc.ID, "test"); err != nil {
		t.Fatal(err)
	}
	pcBody := testkit.Received(t, "policycortex", fixtures.Credentials{Secret: "x"}, "policy.violation.created")
	if _, err := s.Replay(context.Background(), pcBody, "policycortex", pc.ID); err == nil {
		t.Fatal("replayed to a disabled endpoint")
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("the endpoint got %d requests", n)
	}
}
