package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// insertDelivery writes a delivery with its events and attempts the way
// the sender's outbox does, straight in SQL (outbox.go is not this file's
// subject).
func insertDelivery(ctx context.Context, h Handle, d *Delivery) error {
	events, err := encodeStrings(d.EventTypes)
	if err != nil {
		return err
	}
	esc, err := encodeOptional(d.Escalation)
	if err != nil {
		return err
	}
	wait, err := encodeOptional(d.Wait)
	if err != nil {
		return err
	}
	scale := d.TimeScale
	if scale == 0 {
		scale, d.TimeScale = 1, 1 // the column's default, read back
	}
	res, err := h.ExecContext(ctx, `INSERT INTO deliveries (endpoint_id, vendor, event_types,
		status, execution_id, message_id, next_attempt_at, attempt_count, last_error,
		escalation, wait, created_at, updated_at, time_scale) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		d.EndpointID, d.Vendor, events, d.Status, d.ExecutionID, d.MessageID,
		nullNanos(d.NextAttemptAt), d.AttemptCount, d.LastError, esc, wait, nanos(d.CreatedAt), nanos(d.UpdatedAt), scale)
	if err != nil {
		return err
	}
	if d.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	for i, id := range d.EventIDs {
		if _, err := h.ExecContext(ctx, `INSERT INTO delivery_events (delivery_id, event_id, position) VALUES (?,?,?)`, d.ID, id, i); err != nil {
			return err
		}
	}
	for i := range d.Attempts {
		a := &d.Attempts[i]
		a.DeliveryID = d.ID
		reqH, _ := encodeHeaders(a.Request.Headers)
		var status, trunc int
		respH, respB := "[]", []byte{}
		if a.Response != nil {
			status, trunc, respB = a.Response.Status, boolInt(a.Response.Truncated), blob(a.Response.Body)
			respH, _ = encodeHeaders(a.Response.Headers)
		}
		res, err := h.ExecContext(ctx, `INSERT INTO attempts (delivery_id, n, started_at, duration_ms,
			req_method, req_url, req_headers, req_body, resp_status, resp_headers, resp_body,
			resp_truncated, error, manual) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			d.ID, a.N, nanos(a.StartedAt), a.DurationMS, a.Request.Method, a.Request.URL, reqH,
			blob(a.Request.Body), status, respH, respB, trunc, a.Error, boolInt(a.Manual))
		if err != nil {
			return err
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	return nil
}

func insertEvent(ctx context.Context, h Handle, vendor, typ string) (int64, error) {
	res, err := h.ExecContext(ctx, `INSERT INTO events (vendor, event_type, payload, source, created_at) VALUES (?,?,?,?,?)`,
		vendor, typ, []byte(`{}`), "test", time.Now().UnixNano())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func TestDeliveryRoundTrip(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	eps, ds := NewEndpointStore(), NewDeliveryStore()
	ep := &Endpoint{Name: "cs", URL: "http://127.0.0.1:1/", Profile: "codescoring", Enabled: true}
	write(t, d, func(tx Handle) error { return eps.CreateEndpoint(ctx, tx, ep) })

	at := time.Unix(1700000000, 42).UTC()
	next := at.Add(time.Minute)
	in := &Delivery{
		EndpointID: ep.ID, Vendor: "codescoring", EventTypes: []string{"vuln", "license"},
		Status: DeliveryRetrying, ExecutionID: "exec-1", MessageID: "msg_1",
		NextAttemptAt: &next, AttemptCount: 2, LastError: "503",
		Escalation: &Escalation{Kind: "escalated", Subject: "s", Body: "b", At: at},
		Wait:       &RetryWait{Retry: 2, Of: 5, VendorWaitMS: 60000, ScaledWaitMS: 600, Reason: "schedule"},
		TimeScale:  100,
		CreatedAt:  at, UpdatedAt: at,
		Attempts: []Attempt{
			{N: 1, StartedAt: at, DurationMS: 1.5,
				Request:  OutgoingRequest{Method: "POST", URL: "http://127.0.0.1:1/", Headers: []Header{{Name: "X", Value: "1"}, {Name: "X", Value: "\xff"}}, Body: []byte("[\x00\xff]")},
				Response: &Response{Status: 503, Headers: []Header{{Name: "Retry-After", Value: "5"}}, Body: []byte("\xfebusy"), LatencyMS: 1.5, Truncated: true}},
			{N: 2, StartedAt: next, DurationMS: 30000, Manual: true,
				Request: OutgoingRequest{Method: "POST", URL: "http://127.0.0.1:1/", Headers: []Header{}, Body: []byte{}},
				Error:   "timeout"},
		},
	}
	write(t, d, func(tx Handle) error {
		// Event ids out of numeric order: position, not id, orders them.
		e1, err := insertEvent(ctx, tx, "codescoring", "vuln")
		if err != nil {
			return err
		}
		e2, err := insertEvent(ctx, tx, "codescoring", "license")
		if err != nil {
			return err
		}
		in.EventIDs = []int64{e2, e1}
		return insertDelivery(ctx, tx, in)
	})
	got, err := ds.GetDelivery(ctx, d.Reader(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
	list, err := ds.ListDeliveries(ctx, d.Reader(), DeliveryFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("ListDeliveries = %d rows, %v", len(list), err)
	}
	want := *in
	want.Attempts = nil
	if !reflect.DeepEqual(list[0], want) {
		t.Errorf("list row:\n got %+v\nwant %+v", list[0], want)
	}
	if _, err := ds.GetDelivery(ctx, d.Reader(), 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetDelivery(absent) = %v", err)
	}

	// Deleting the endpoint takes its deliveries and attempts along.
	write(t, d, func(tx Handle) error { return eps.DeleteEndpoint(ctx, tx, ep.ID) })
	if _, err := ds.GetDelivery(ctx, d.Reader(), in.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("delivery after its endpoint was deleted: %v", err)
	}
	var n int
	d.Reader().QueryRow(`SELECT count(*) FROM attempts`).Scan(&n)
	if n != 0 {
		t.Errorf("%d attempts outlived their delivery", n)
	}
}

func TestListDeliveriesKeysetPaging(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	eps, ds := NewEndpointStore(), NewDeliveryStore()
	var epIDs []int64
	for i := range 3 {
		ep := &Endpoint{Name: fmt.Sprint("ep", i), URL: "http://127.0.0.1:1/", Profile: "generic"}
		write(t, d, func(tx Handle) error { return eps.CreateEndpoint(ctx, tx, ep) })
		epIDs = append(epIDs, ep.ID)
	}
	vendors := []string{"cyscale", "holm", "policycortex", "codescoring"}
	statuses := []string{DeliveryPending, DeliveryRetrying, DeliverySucceeded, DeliveryFailed, DeliverySkipped}
	all := map[int64]*Delivery{}
	write(t, d, func(tx Handle) error {
		for i := range 2000 {
			dl := &Delivery{EndpointID: epIDs[i%3], Vendor: vendors[i%4], Status: statuses[i%5], EventTypes: []string{"e"}}
			if i%7 == 0 {
				dl.Attempts = []Attempt{{N: 1, Request: OutgoingRequest{Method: "POST", URL: "http://127.0.0.1:1/", Body: []byte(`{"id":"needle"}`)}}}
			}
			if err := insertDelivery(ctx, tx, dl); err != nil {
				return err
			}
			all[dl.ID] = dl
		}
		return nil
	})
	match := func(dl *Delivery, f DeliveryFilter) bool {
		return (f.Vendor == "" || dl.Vendor == f.Vendor) && (f.EndpointID == 0 || dl.EndpointID == f.EndpointID) &&
			(f.Status == "" || dl.Status == f.Status) && (f.Text == "" || len(dl.Attempts) > 0)
	}
	for _, f := range []DeliveryFilter{{}, {Vendor: "holm"}, {EndpointID: epIDs[1]}, {Status: DeliveryFailed}, {Text: "needle"}, {Vendor: "cyscale", Status: DeliveryPending, Text: "needle"}} {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			want := 0
			for _, dl := range all {
				if match(dl, f) {
					want++
				}
			}
			f.Limit = 61
			var last int64
			got := 0
			for {
				page, err := ds.ListDeliveries(ctx, d.Reader(), f)
				if err != nil {
					t.Fatal(err)
				}
				for _, dl := range page {
					if last != 0 && dl.ID >= last {
						t.Fatalf("not newest first: %d after %d", dl.ID, last)
					}
					if !match(all[dl.ID], f) {
						t.Fatalf("delivery %d does not match", dl.ID)
					}
					last = dl.ID
					got++
				}
				if len(page) < f.Limit {
					break
				}
				f.Before = last
			}
			if got != want {
				t.Errorf("paged %d, want %d", got, want)
			}
			f.Before = 0
			if n, err := ds.CountDeliveries(ctx, d.Reader(), f); err != nil || n != int64(want) {
				t.Errorf("CountDeliveries = %d, %v; want %d", n, err, want)
			}
		})
	}
}
