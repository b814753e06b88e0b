package db

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Prune removes what was recorded before the time given: requests,
// finished deliveries with their attempts, events nothing refers to; a
// delivery still retrying stays with its event. Pruning everything resets
// the requests' text index, so requests that take the freed ids are found
// by a text search.
func TestPrune(t *testing.T) {
	t.Parallel()
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	setBlockSize(t, d, testBlock)
	rs, ob := NewRequestStore(), NewOutboxStore()
	at := func(s int) time.Time { return time.Unix(1_700_000_000+int64(s), 0) }
	for i := range 3 * testBlock { // requests at seconds 0..767
		r := &Request{Method: "POST", Path: "/hooks/x", ReceivedAt: at(i), Body: fmt.Appendf(nil, `{"n":%d,"tag":"old-%d"}`, i, i)}
		write(t, d, func(h Handle) error { return rs.CreateRequest(ctx, h, r) })
	}
	if _, err := d.IndexText(ctx); err != nil {
		t.Fatal(err)
	}
	var ep int64
	write(t, d, func(h Handle) error {
		r, err := h.ExecContext(ctx, `INSERT INTO endpoints (name, url, profile, created_at, updated_at) VALUES ('e', 'http://127.0.0.1:9/', 'holm', 0, 0)`)
		if err != nil {
			return err
		}
		ep, err = r.LastInsertId()
		return err
	})
	delivery := func(s int, status string) int64 {
		var id int64
		write(t, d, func(h Handle) error {
			ev := Event{Vendor: "holm", Type: "ticket", Payload: []byte(`{}`), CreatedAt: at(s), Source: "test"}
			if err := ob.CreateEvent(ctx, h, &ev); err != nil {
				return err
			}
			del, err := ob.CreateDelivery(ctx, h, NewDelivery{EndpointID: ep, Vendor: "holm", Events: []Event{ev}, Status: status}, at(s))
			if err != nil {
				return err
			}
			id = del.ID
			return ob.RecordAttempt(ctx, h, &Attempt{DeliveryID: del.ID, N: 1, StartedAt: at(s), Request: OutgoingRequest{Method: "POST", URL: "http://127.0.0.1:9/", Body: []byte(`{}`)}})
		})
		return id
	}
	oldDone := delivery(10, DeliveryFailed)
	oldRetrying := delivery(11, DeliveryRetrying)
	newDone := delivery(700, DeliverySucceeded)

	res, err := d.Prune(ctx, at(500))
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 500 || res.Deliveries != 1 || res.Events != 1 {
		t.Fatalf("pruned %+v, want 500 requests, 1 delivery, 1 event", res)
	}
	exists := func(table string, id int64) bool {
		var n int
		if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE id = ?`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if exists("deliveries", oldDone) || !exists("deliveries", oldRetrying) || !exists("deliveries", newDone) {
		t.Fatal("the wrong deliveries went")
	}
	var attempts int
	_ = d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM attempts WHERE delivery_id = ?`, oldDone).Scan(&attempts)
	if attempts != 0 {
		t.Fatalf("%d attempts of the pruned delivery stay", attempts)
	}
	found, err := rs.ListRequests(ctx, d.Reader(), RequestFilter{Text: "old-1", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range found {
		if r.ReceivedAt.Before(at(500)) {
			t.Fatalf("a pruned request is still found: #%d", r.ID)
		}
	}

	// Everything: new requests take the freed ids, and are found.
	if _, err := d.Prune(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	for i := range testBlock + 10 {
		r := &Request{Method: "POST", Path: "/hooks/x", ReceivedAt: at(1000 + i), Body: fmt.Appendf(nil, `{"fresh":"zq-%d"}`, i)}
		write(t, d, func(h Handle) error { return rs.CreateRequest(ctx, h, r) })
		if r.ID > 3*testBlock {
			t.Fatalf("ids were not reused (#%d): the test proves nothing", r.ID)
		}
	}
	if _, err := d.IndexText(ctx); err != nil {
		t.Fatal(err)
	}
	found, err = rs.ListRequests(ctx, d.Reader(), RequestFilter{Text: `"zq-5"}`, Limit: 10})
	if err != nil || len(found) != 1 {
		t.Fatalf("a request on a freed id is not found by text: %d, %v", len(found), err)
	}
}
