package db

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func outboxSetup(t *testing.T, n int, ordered bool) (*DB, OutboxStore, []int64) {
	t.Helper()
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	o := NewOutboxStore()
	ep := &Endpoint{Name: "e", URL: "http://127.0.0.1:1/", Profile: "policycortex", Enabled: true}
	var ids []int64
	now := time.Now()
	write(t, d, func(tx Handle) error {
		if err := NewEndpointStore().CreateEndpoint(ctx, tx, ep); err != nil {
			return err
		}
		for range n {
			ev := Event{Vendor: "policycortex", Type: "scan.completed", Payload: []byte(`{}`), CreatedAt: now}
			if err := o.CreateEvent(ctx, tx, &ev); err != nil {
				return err
			}
			del, err := o.CreateDelivery(ctx, tx, NewDelivery{EndpointID: ep.ID, Vendor: "policycortex", Events: []Event{ev},
				Status: DeliveryPending, DueAt: &now, Ordered: ordered}, now)
			if err != nil {
				return err
			}
			ids = append(ids, del.ID)
		}
		return nil
	})
	return d, o, ids
}

// TestClaimDueNeverTwice: concurrent claimers never get the same delivery.
func TestClaimDueNeverTwice(t *testing.T) {
	d, o, ids := outboxSetup(t, 200, false)
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var got []int64
				now := time.Now()
				err := d.Write(ctx, func(tx Handle) error {
					var err error
					got, err = o.ClaimDue(ctx, tx, now, now.Add(time.Minute), 7)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, id := range got {
					seen[id]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != len(ids) {
		t.Fatalf("claimed %d distinct deliveries, want %d", len(seen), len(ids))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("delivery %d claimed %d times", id, n)
		}
	}
}

// TestLeaseLostAndOrdering: a finish under a stale lease is refused, and an
// ordered endpoint's later delivery waits for the earlier one.
func TestLeaseLostAndOrdering(t *testing.T) {
	d, o, ids := outboxSetup(t, 2, true)
	ctx := context.Background()
	now := time.Now()
	var got []int64
	write(t, d, func(tx Handle) error {
		var err error
		got, err = o.ClaimDue(ctx, tx, now, now.Add(time.Minute), 10)
		return err
	})
	if len(got) != 1 || got[0] != ids[0] {
		t.Fatalf("claimed %v, want only the first of an ordered endpoint (%d)", got, ids[0])
	}
	err := d.Write(ctx, func(tx Handle) error {
		return o.Finish(ctx, tx, ids[0], now.Add(time.Hour), Outcome{Status: DeliverySucceeded}, now)
	})
	if !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("finish under a wrong lease: %v, want ErrLeaseLost", err)
	}
	write(t, d, func(tx Handle) error {
		return o.Finish(ctx, tx, ids[0], now.Add(time.Minute), Outcome{Status: DeliverySucceeded}, now)
	})
	write(t, d, func(tx Handle) error {
		var err error
		got, err = o.ClaimDue(ctx, tx, now, now.Add(time.Minute), 10)
		return err
	})
	if len(got) != 1 || got[0] != ids[1] {
		t.Fatalf("after the first succeeded, claimed %v, want %d", got, ids[1])
	}
}

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

func openTestOutbox(t *testing.T) (*DB, OutboxStore) {
	t.Helper()
	d, _ := openTest(t, Options{})
	return d, NewOutboxStore()
}
