package db

import (
	"context"
	"testing"
	"time"
)

// TestCompleteSharedBody: an attempt whose body is its event's payload is
// stored once, and still reads back (and is found by text) in full.
func TestCompleteSharedBody(t *testing.T) {
	d, o := openTestOutbox(t)
	ctx := context.Background()
	payload := []byte(`{"id":"evt_1","type":"policy.violation.created","data":{"needle":"x<y"}}`)
	now := time.Now()
	var delID, evID int64
	lease := now.Add(time.Minute)
	write(t, d, func(tx Handle) error {
		ep := &Endpoint{Name: "e", URL: "http://127.0.0.1:1/", Profile: "policycortex", Enabled: true}
		if err := NewEndpointStore().CreateEndpoint(ctx, tx, ep); err != nil {
			return err
		}
		ev := Event{Vendor: "policycortex", Type: "policy.violation.created", Payload: payload, CreatedAt: now}
		if err := o.CreateEvent(ctx, tx, &ev); err != nil {
			return err
		}
		del, err := o.CreateDelivery(ctx, tx, NewDelivery{EndpointID: ep.ID, Vendor: "policycortex", Events: []Event{ev},
			Status: DeliveryPending, DueAt: &now, ClaimUntil: lease}, now)
		delID, evID = del.ID, ev.ID
		return err
	})
	a := &Attempt{DeliveryID: delID, N: 1, StartedAt: now, Request: OutgoingRequest{Method: "POST", URL: "http://127.0.0.1:1/", Body: payload},
		Response: &Response{Status: 200, Body: []byte("ok")}}
	write(t, d, func(tx Handle) error {
		return o.Complete(ctx, tx, a, lease, Outcome{Status: DeliverySucceeded, BodyEvent: evID}, now)
	})
	var stored int
	if err := d.Reader().QueryRow(`SELECT length(req_body) FROM attempts WHERE id = ?`, a.ID).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("the attempt stored %d bytes of its body (%v); want it shared with the event", stored, err)
	}
	got, err := NewDeliveryStore().GetDelivery(ctx, d.Reader(), delID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attempts) != 1 || string(got.Attempts[0].Request.Body) != string(payload) {
		t.Fatalf("attempts %+v; want one with the full body %s", got.Attempts, payload)
	}
	found, err := NewDeliveryStore().ListDeliveries(ctx, d.Reader(), DeliveryFilter{Text: "needle"})
	if err != nil || len(found) != 1 {
		t.Fatalf("text search over the shared body found %d (%v); want 1", len(found), err)
	}
}

// An attempt's headers are stored byte-exact, also when a hostile server
// answers with bytes that are not UTF-8.
func TestCompleteKeepsHeadersByteExact(t *testing.T) {
	d, o, ids := outboxSetup(t, 1, false)
	ctx := context.Background()
	now := time.Now()
	lease := now.Add(time.Minute)
	write(t, d, func(tx Handle) error { return o.Claim(ctx, tx, 0, ids[0], now, lease) })
	a := &Attempt{DeliveryID: ids[0], N: 1, StartedAt: now,
		Request:  OutgoingRequest{URL: "http://127.0.0.1:1/", Headers: []Header{{Name: "X-Sig", Value: "sha256=<&>"}}, Body: []byte(`{}`)},
		Response: &Response{Status: 200, Headers: []Header{{Name: "X-Odd", Value: "caf\xe9 \xff\n"}, {Name: "X-\x80", Value: "ok"}}}}
	write(t, d, func(tx Handle) error {
		return o.Complete(ctx, tx, a, lease, Outcome{Status: DeliverySucceeded}, now)
	})
	got, err := NewDeliveryStore().GetDelivery(ctx, d.Reader(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attempts) != 1 || got.Attempts[0].Response == nil {
		t.Fatalf("attempts %+v; want one with a response", got.Attempts)
	}
	want := a.Response.Headers
	resp := got.Attempts[0].Response.Headers
	if len(resp) != len(want) || resp[0] != want[0] || resp[1] != want[1] || got.Attempts[0].Request.Headers[0] != a.Request.Headers[0] {
		t.Fatalf("headers read back as %q / %q; want %q / %q", got.Attempts[0].Request.Headers, resp, a.Request.Headers, want)
	}
}
