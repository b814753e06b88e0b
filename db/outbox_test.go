package db

import (
	"context"
	"errors"
	"fmt"
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
					got, err = o.ClaimDue(ctx, tx, 0, false, now, now.Add(time.Minute), 7)
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
		got, err = o.ClaimDue(ctx, tx, 0, false, now, now.Add(time.Minute), 10)
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
		got, err = o.ClaimDue(ctx, tx, 0, false, now, now.Add(time.Minute), 10)
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

// The header encoding keeps every header byte-exact, a name or value that
// is not valid UTF-8 included.
func TestEncodeHeadersRoundTrips(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	cases := [][]Header{
		nil,
		{},
		{{Name: "Content-Type", Value: "application/json"}},
		{{Name: "X-A", Value: string(all[:128])}, {Name: "X-B", Value: "<&>\u2028\u2029é€😀\x7f"}},
		{{Name: "X-\xff", Value: string(all)}, {Name: "", Value: ""}, {Name: "bad\xc3", Value: "ok"}},
	}
	for c := range 128 {
		cases = append(cases, []Header{{Name: string(rune(c)), Value: "a" + string(rune(c)) + "b"}})
	}
	for _, hs := range cases {
		enc, err := encodeHeaders(hs)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeHeaders(enc)
		if err != nil {
			t.Fatal(err)
		}
		if len(back) != len(hs) {
			t.Fatalf("decoded %d headers, want %d", len(back), len(hs))
		}
		for i := range hs {
			if back[i] != hs[i] {
				t.Errorf("header %d round-tripped as %q, want %q", i, back[i], hs[i])
			}
		}
	}
}

// CreateSingles creates, in multi-row statements, exactly what
// CreateEvent and CreateDelivery would, one by one: every reader (the
// claim, GetDelivery, the list) sees each event with its delivery, claimed
// until the lease, whatever the batch size (every cut into the statement
// sizes) and whatever rows the tables held before.
func TestCreateSinglesLikeOneByOne(t *testing.T) {
	d, o, existing := outboxSetup(t, 3, false)
	ctx := context.Background()
	rd := d.Reader()
	var epID int64
	if err := rd.QueryRow(`SELECT endpoint_id FROM deliveries WHERE id = ?`, existing[0]).Scan(&epID); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	lease := now.Add(time.Minute)
	total := 0
	for _, n := range []int{1, 3, 4, 5, 21, 64, 85, 150} {
		ns := NewSingles{EndpointID: epID, Vendor: "policycortex", Type: "policy.violation.created", Source: "load", NoRetry: true, ClaimUntil: lease}
		for i := range n {
			ns.Payloads = append(ns.Payloads, []byte(fmt.Sprintf(`{"n":%d,"i":%d}`, n, i)))
			ns.ExecutionIDs = append(ns.ExecutionIDs, fmt.Sprintf("exec-%d-%d", n, i))
			ns.MessageIDs = append(ns.MessageIDs, fmt.Sprintf("msg-%d-%d", n, i))
		}
		var got []*Claimed
		write(t, d, func(tx Handle) error {
			var err error
			got, err = o.CreateSingles(ctx, tx, ns, now)
			return err
		})
		if len(got) != n {
			t.Fatalf("batch of %d: got %d deliveries", n, len(got))
		}
		total += n
		for i, c := range got {
			stored, err := o.LoadClaimed(ctx, rd, c.Delivery.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !stored.Lease.Equal(lease) || !stored.NoRetry || stored.Ordered || stored.Delivery.Status != DeliveryPending {
				t.Fatalf("batch of %d, delivery %d: lease %v no_retry %v ordered %v status %s; want claimed until %v, no retry, pending",
					n, i, stored.Lease, stored.NoRetry, stored.Ordered, stored.Delivery.Status, lease)
			}
			if len(stored.Events) != 1 || stored.Events[0].ID != c.Events[0].ID || string(stored.Events[0].Payload) != string(ns.Payloads[i]) ||
				stored.Events[0].Source != "load" || stored.Events[0].Type != ns.Type {
				t.Fatalf("batch of %d, delivery %d: events %+v; want its own event %d with payload %s", n, i, stored.Events, c.Events[0].ID, ns.Payloads[i])
			}
			if stored.Delivery.ExecutionID != ns.ExecutionIDs[i] || stored.Delivery.MessageID != ns.MessageIDs[i] ||
				len(stored.Delivery.EventIDs) != 1 || stored.Delivery.EventIDs[0] != c.Events[0].ID ||
				len(stored.Delivery.EventTypes) != 1 || stored.Delivery.EventTypes[0] != ns.Type {
				t.Fatalf("batch of %d, delivery %d: %+v; want execution %s, message %s, event %d", n, i, stored.Delivery, ns.ExecutionIDs[i], ns.MessageIDs[i], c.Events[0].ID)
			}
			if c.Delivery.NextAttemptAt == nil || stored.Delivery.NextAttemptAt == nil || !stored.Delivery.NextAttemptAt.Equal(now) {
				t.Fatalf("batch of %d, delivery %d: due %v; want due now", n, i, stored.Delivery.NextAttemptAt)
			}
		}
	}
	// Nobody else claims them while the lease holds; once it has run out,
	// a worker does (a load run killed midway).
	var claimed []int64
	write(t, d, func(tx Handle) error {
		var err error
		claimed, err = o.ClaimDue(ctx, tx, 0, false, now, now.Add(time.Minute), 1000)
		return err
	})
	if len(claimed) != len(existing) {
		t.Fatalf("claimed %d while the batches' lease holds; want only the %d created one by one", len(claimed), len(existing))
	}
	later := lease.Add(time.Second)
	write(t, d, func(tx Handle) error {
		var err error
		claimed, err = o.ClaimDue(ctx, tx, 0, false, later, later.Add(time.Minute), 1000)
		return err
	})
	if len(claimed) != total+len(existing) {
		t.Fatalf("claimed %d after the leases ran out; want all %d", len(claimed), total+len(existing))
	}
	var events, links int
	rd.QueryRow(`SELECT count(*) FROM events`).Scan(&events)
	rd.QueryRow(`SELECT count(*) FROM delivery_events`).Scan(&links)
	if events != total+len(existing) || links != total+len(existing) {
		t.Fatalf("%d events and %d links; want %d of each", events, links, total+len(existing))
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
