package db

import (
	"context"
	"fmt"
	"testing"
	"time"
)

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
