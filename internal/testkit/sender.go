package testkit

import (
	"context"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// Service is a service that runs over a database until stopped: the
// sender.
type Service interface {
	Start(ctx context.Context) error
	Stop()
}

// OpenStarted opens a database and the service open builds over it,
// started; at cleanup it is stopped, then the database closed.
func OpenStarted[S Service](t testing.TB, open func(*db.DB) S) (S, *db.DB) {
	t.Helper()
	d := OpenDB(t)
	s := open(d)
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("starting: %v", err)
	}
	t.Cleanup(s.Stop)
	return s, d
}

// Deliveries reads a delivery: what WaitDelivery asks of a sender.
type Deliveries interface {
	Delivery(ctx context.Context, id int64) (*db.Delivery, error)
}

// WaitDelivery polls until cond holds for the delivery, failing after 20 s
// with what it waited for and where the delivery stands.
func WaitDelivery(t testing.TB, s Deliveries, id int64, what string, cond func(*db.Delivery) bool) *db.Delivery {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err := s.Delivery(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %d: timed out waiting for %s; status %s after %d attempts (%s)", id, what, d.Status, d.AttemptCount, d.LastError)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Final reports whether a delivery has finished, succeeded or failed.
func Final(d *db.Delivery) bool {
	return d.Status == db.DeliverySucceeded || d.Status == db.DeliveryFailed
}

// Endpoints creates an endpoint: what AddEndpoint asks of a sender.
type Endpoints interface {
	CreateEndpoint(ctx context.Context, e *db.Endpoint) error
}

// AddEndpoint creates an enabled endpoint "<profile>-test" of profile to
// url, changed by mod first.
func AddEndpoint(t testing.TB, s Endpoints, profile, url string, mod ...func(*db.Endpoint)) *db.Endpoint {
	t.Helper()
	e := &db.Endpoint{Name: profile + "-test", URL: url, Profile: profile, Enabled: true}
	for _, m := range mod {
		m(e)
	}
	if err := s.CreateEndpoint(context.Background(), e); err != nil {
		t.Fatalf("creating endpoint: %v", err)
	}
	return e
}
