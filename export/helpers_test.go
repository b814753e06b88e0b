package export_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
)

var t0 = time.Date(2026, 3, 14, 9, 26, 0, 0, time.UTC)

// openDB is testkit's: a temp database closed at cleanup.
var openDB = testkit.OpenDB

// newRequest is the i-th seeded request: vendors and answers alternate
// (even: policycortex answered 200, odd: holm answered 500), each carries
// a bearer token, and every tenth body is not UTF-8.
func newRequest(i int) *db.Request {
	vendor, route, status := "policycortex", "policycortex", 200
	if i%2 == 1 {
		vendor, route, status = "holm", "holm", 500
	}
	body := fmt.Appendf(nil, "{\"id\":\"evt_%06d\",\"type\":\"policy.violation.created\",\"data\":{\"note\":\"café \u202e\"}}", i)
	if i%10 == 9 {
		body = fmt.Appendf(nil, "\xff\xfe\x00raw %d", i)
	}
	return &db.Request{
		ReceivedAt: t0.Add(time.Duration(i) * time.Second), Route: route, Method: "POST",
		Path: "/hooks/" + route, Query: "a=1&b=two%20words", RemoteAddr: "127.0.0.1:5000",
		Headers: []db.Header{{Name: "Content-Type", Value: "application/json"},
			{Name: "Authorization", Value: "Bearer supersecrettoken123"},
			{Name: "X-PolicyCortex-Signature", Value: "sha256=ab12"}},
		Body: body, BodySize: int64(len(body)), JSONValid: i%10 != 9, Vendor: vendor,
		EventTypes:  []string{"policy.violation.created"},
		Signature:   db.Signature{Status: "valid", Reason: "HMAC-SHA256 of the raw body matches"},
		ShapeIssues: []string{},
		Response: db.Response{Status: status, Headers: []db.Header{{Name: "Content-Type", Value: "application/json"}},
			Body: []byte(`{"ok":true}`), LatencyMS: 1.25},
	}
}

// seedRequests stores n requests (newRequest(0) ... newRequest(n-1)),
// a thousand to a transaction.
func seedRequests(t testing.TB, d *db.DB, n int) {
	t.Helper()
	ctx := context.Background()
	store := db.NewRequestStore()
	for start := 0; start < n; start += 1000 {
		err := d.Write(ctx, func(h db.Handle) error {
			for i := start; i < min(start+1000, n); i++ {
				if err := store.CreateRequest(ctx, h, newRequest(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// seedDeliveries stores n deliveries to one new endpoint, delivery i with
// i%3+1 attempts (the last answered 200, the others 503), and returns the
// endpoint.
func seedDeliveries(t testing.TB, d *db.DB, n int) *db.Endpoint {
	t.Helper()
	ctx := context.Background()
	ob := db.NewOutboxStore()
	ep := &db.Endpoint{Name: "cs-prod", URL: "http://127.0.0.1:9/cs?x=1", Profile: "codescoring", Token: "tok_abcdefghijkl",
		Events: []string{}, Headers: []db.Header{}, Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	if err := d.Write(ctx, func(h db.Handle) error { return db.NewEndpointStore().CreateEndpoint(ctx, h, ep) }); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Second)
		lease := at.Add(time.Minute)
		err := d.Write(ctx, func(h db.Handle) error {
			ev := db.Event{Vendor: "codescoring", Type: "new_vulnerability", Payload: fmt.Appendf(nil, `{"events":[{"n":%d}]}`, i), CreatedAt: at, Source: "test"}
			if err := ob.CreateEvent(ctx, h, &ev); err != nil {
				return err
			}
			del, err := ob.CreateDelivery(ctx, h, db.NewDelivery{EndpointID: ep.ID, Vendor: "codescoring", Events: []db.Event{ev},
				Status: db.DeliveryPending, MessageID: fmt.Sprintf("msg_%d", i), DueAt: &at, ClaimUntil: lease}, at)
			if err != nil {
				return err
			}
			attempts := i%3 + 1
			for k := 1; k <= attempts; k++ {
				status := 503
				if k == attempts {
					status = 200
				}
				a := &db.Attempt{DeliveryID: del.ID, N: k, StartedAt: at.Add(time.Duration(k) * time.Second), DurationMS: 12.5,
					Request: db.OutgoingRequest{Method: "POST", URL: ep.URL, Headers: []db.Header{
						{Name: "Content-Type", Value: "application/json"}, {Name: "X-CodeScoring-Authentication", Value: "tok_abcdefghijkl"}},
						Body: ev.Payload},
					Response: &db.Response{Status: status, Body: []byte("answer\x1b[2J")}}
				if err := ob.RecordAttempt(ctx, h, a); err != nil {
					return err
				}
			}
			return ob.Finish(ctx, h, del.ID, lease, db.Outcome{Status: db.DeliverySucceeded}, at)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ep
}
