package db

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// The claims of an owner found gone: its ordinary deliveries are free to
// claim again at once (not after its lease), its load run's private ones
// are cancelled saying why; the owner is forgotten. A private delivery is
// never claimed by another owner, even once its lease has run out.
func TestReapOwnerFreesAndCancels(t *testing.T) {
	d, o := openTestOutbox(t)
	ctx := context.Background()
	now := time.Now()
	lease := now.Add(2 * time.Minute)
	const gone, other = 7, 8
	var shared, private, stray int64
	write(t, d, func(tx Handle) error {
		for _, id := range []int64{gone, other} {
			if err := o.RegisterOwner(ctx, tx, Owner{ID: id, PID: int(id), Host: "h", CreatedAt: now}); err != nil {
				return err
			}
		}
		ep := &Endpoint{Name: "e", URL: "http://127.0.0.1:1/", Profile: "holm", Enabled: true}
		if err := NewEndpointStore().CreateEndpoint(ctx, tx, ep); err != nil {
			return err
		}
		ev := Event{Vendor: "holm", Type: "finished_scan", Payload: []byte(`{}`), CreatedAt: now}
		if err := o.CreateEvent(ctx, tx, &ev); err != nil {
			return err
		}
		del, err := o.CreateDelivery(ctx, tx, NewDelivery{EndpointID: ep.ID, Vendor: "holm", Events: []Event{ev},
			Status: DeliveryPending, DueAt: &now, ClaimUntil: lease, ClaimedBy: gone}, now)
		if err != nil {
			return err
		}
		shared = del.ID
		single := func(owner int64) (int64, error) {
			got, err := o.CreateSingles(ctx, tx, NewSingles{EndpointID: ep.ID, Vendor: "holm", Type: "finished_scan", Source: "load",
				Payloads: []json.RawMessage{[]byte(`{}`)}, ExecutionIDs: []string{""}, MessageIDs: []string{""},
				NoRetry: true, ClaimUntil: lease, ClaimedBy: owner, Private: true}, now)
			if err != nil {
				return 0, err
			}
			return got[0].Delivery.ID, nil
		}
		if private, err = single(gone); err != nil {
			return err
		}
		stray, err = single(other)
		return err
	})

	claim := func(at time.Time) []int64 {
		var ids []int64
		write(t, d, func(tx Handle) error {
			var err error
			ids, err = o.ClaimDue(ctx, tx, other, false, at, at.Add(time.Minute), 10)
			return err
		})
		return ids
	}
	if ids := claim(now); len(ids) != 0 {
		t.Fatalf("claimed %v under live leases", ids)
	}
	var freed, cancelled int
	write(t, d, func(tx Handle) error {
		var err error
		freed, cancelled, err = o.ReapOwner(ctx, tx, gone, "cancelled: its run is gone", now)
		return err
	})
	if freed != 1 || cancelled != 1 {
		t.Errorf("reaping freed %d and cancelled %d deliveries, want 1 and 1", freed, cancelled)
	}
	if ids := claim(now); len(ids) != 1 || ids[0] != shared {
		t.Errorf("after reaping, claimed %v; want the freed delivery %d alone", ids, shared)
	}
	var status, why string
	if err := d.Reader().QueryRow(`SELECT status, last_error FROM deliveries WHERE id = ?`, private).Scan(&status, &why); err != nil {
		t.Fatal(err)
	}
	if status != DeliveryCancelled || !strings.Contains(why, "its run is gone") {
		t.Errorf("the gone owner's load delivery: %s %q, want cancelled with the reason", status, why)
	}
	// Another owner's private delivery: not claimed even past its lease.
	if ids := claim(lease.Add(time.Hour)); slices.Contains(ids, stray) {
		t.Errorf("claimed %v past the lease; want delivery %d left alone (private to its run)", ids, stray)
	}
	owners, err := o.Owners(ctx, d.Reader())
	if err != nil || len(owners) != 1 || owners[0].ID != other {
		t.Errorf("owners after reaping: %+v, %v; want %d alone", owners, err, other)
	}
}
