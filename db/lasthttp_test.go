package db

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// A deliveries filter on the last attempt's HTTP status (a code or a class)
// matches the status of each delivery's last attempt only: a 503 retried to
// a 200 is not a 5xx any more. Listing (newest first, from the oldest end,
// with a text search) and counting agree with reading every delivery.
func TestDeliveriesByLastAttemptStatus(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	ep := &Endpoint{Name: "pc", URL: "http://127.0.0.1:1/", Profile: "policycortex", Enabled: true}
	write(t, d, func(tx Handle) error { return NewEndpointStore().CreateEndpoint(ctx, tx, ep) })
	at := time.Unix(1700000000, 0).UTC()
	// Each delivery's attempts' statuses, in order (0: no answer).
	ladders := [][]int{{503}, {503, 200}, {200}, {}, {0}, {404}, {200, 503}, {500, 502, 504}, {429}, {503}}
	want := map[string][]int64{}
	write(t, d, func(tx Handle) error {
		for i, ladder := range ladders {
			del := &Delivery{EndpointID: ep.ID, Vendor: "policycortex", EventTypes: []string{"scan.completed"},
				Status: DeliveryRetrying, MessageID: fmt.Sprintf("msg_%d", i), CreatedAt: at, UpdatedAt: at}
			for n, status := range ladder {
				a := Attempt{N: n + 1, StartedAt: at, Request: OutgoingRequest{Method: "POST", URL: "http://127.0.0.1:1/x" + fmt.Sprint(i), Headers: []Header{}, Body: []byte("{}")}}
				if status != 0 {
					a.Response = &Response{Status: status, Headers: []Header{}, Body: []byte{}}
				}
				del.Attempts = append(del.Attempts, a)
			}
			if err := insertDelivery(ctx, tx, del); err != nil {
				return err
			}
			if len(ladder) > 0 {
				last := ladder[len(ladder)-1]
				for _, f := range []string{fmt.Sprint(last), fmt.Sprintf("%dxx", last/100)} {
					want[f] = append([]int64{del.ID}, want[f]...)
				}
			}
		}
		return nil
	})
	ds := NewDeliveryStore()
	for _, f := range []string{"5xx", "503", "2xx", "200", "4xx", "429", "1xx"} {
		for _, filter := range []DeliveryFilter{{LastHTTP: f}, {LastHTTP: f, Text: "127.0.0.1"}, {LastHTTP: f, Oldest: true}} {
			rows, err := ds.ListDeliveries(ctx, d.Reader(), filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if !slices.Equal(got, want[f]) && !(len(got) == 0 && len(want[f]) == 0) {
				t.Errorf("%+v: %v, want %v", filter, got, want[f])
			}
			n, err := ds.CountDeliveries(ctx, d.Reader(), filter)
			if err != nil || n != int64(len(want[f])) {
				t.Errorf("count %+v: %d (%v), want %d", filter, n, err, len(want[f]))
			}
		}
	}
}
