package db

import (
	"context"
	"encoding/json"
	"strings"
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

func openTestOutbox(t *testing.T) (*DB, OutboxStore) {
	t.Helper()
	d, _ := openTest(t, Options{})
	return d, NewOutboxStore()
}

// TestOutboxJSONColumns pins the outbox's JSON columns (event_types, wait,
// escalation) as stored: byte for byte what encoding/json writes, so that
// databases written before the outbox used scan.go's codecs read the same,
// except that '<', '>' and '&' are kept as they are (not \u003c...), as in
// every other JSON column, so that text search finds what was sent. An
// escalation that cannot be encoded fails the write instead of storing an
// empty escalation.
func TestOutboxJSONColumns(t *testing.T) {
	d, o := openTestOutbox(t)
	ctx := context.Background()
	now := time.Now()
	lease := now.Add(time.Minute)
	const typ = "scan<b>&done"
	wait := &RetryWait{Retry: 1, Of: 3, VendorWaitMS: 30000, ScaledWaitMS: 300, Reason: "Retry-After <&>"}
	esc := &Escalation{Kind: "escalated", Subject: "a <b> & c", Body: "x&y<z", At: now.UTC()}
	var id int64
	write(t, d, func(tx Handle) error {
		ep := &Endpoint{Name: "e", URL: "http://127.0.0.1:1/", Profile: "policycortex", Enabled: true}
		if err := NewEndpointStore().CreateEndpoint(ctx, tx, ep); err != nil {
			return err
		}
		ev := Event{Vendor: "policycortex", Type: typ, Payload: []byte(`{}`), CreatedAt: now}
		if err := o.CreateEvent(ctx, tx, &ev); err != nil {
			return err
		}
		del, err := o.CreateDelivery(ctx, tx, NewDelivery{EndpointID: ep.ID, Vendor: "policycortex", Events: []Event{ev},
			Status: DeliveryPending, DueAt: &now, Wait: wait, ClaimUntil: lease}, now)
		if err != nil {
			return err
		}
		id = del.ID
		return nil
	})

	// An escalation encoding/json refuses (a year past 9999) fails Finish,
	// and nothing is written: the claim is still held.
	bad := &Escalation{Kind: "escalated", At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	err := d.Write(ctx, func(tx Handle) error {
		return o.Finish(ctx, tx, id, lease, Outcome{Status: DeliveryRetrying, Next: &now, Escalation: bad}, now)
	})
	if err == nil || !strings.Contains(err.Error(), "escalation") {
		t.Fatalf("finishing with an escalation that cannot be encoded: %v; want an error naming the escalation", err)
	}
	var escCol string
	var claimed *int64
	if err := d.Reader().QueryRow(`SELECT escalation, claimed_until FROM deliveries WHERE id = ?`, id).Scan(&escCol, &claimed); err != nil {
		t.Fatal(err)
	}
	if escCol != "" || claimed == nil || *claimed != lease.UnixNano() {
		t.Fatalf("after the failed finish: escalation %q, claimed_until %v; want nothing written", escCol, claimed)
	}

	write(t, d, func(tx Handle) error {
		return o.Finish(ctx, tx, id, lease, Outcome{Status: DeliveryRetrying, Next: &now, Wait: wait, Escalation: esc}, now)
	})
	var types, waitCol string
	if err := d.Reader().QueryRow(`SELECT event_types, wait, escalation FROM deliveries WHERE id = ?`, id).Scan(&types, &waitCol, &escCol); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		col, stored string
		v           any
	}{{"event_types", types, []string{typ}}, {"wait", waitCol, wait}, {"escalation", escCol, esc}} {
		b, err := json.Marshal(c.v)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
		if c.stored != want {
			t.Errorf("%s stored as %s; want %s", c.col, c.stored, want)
		}
		if !strings.Contains(c.stored, "<") || !strings.Contains(c.stored, "&") || strings.Contains(c.stored, `\u00`) {
			t.Errorf("%s stored as %s; want '<' and '&' unescaped", c.col, c.stored)
		}
	}
	got, err := NewDeliveryStore().GetDelivery(ctx, d.Reader(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.EventTypes) != 1 || got.EventTypes[0] != typ || got.Wait == nil || *got.Wait != *wait ||
		got.Escalation == nil || got.Escalation.Subject != esc.Subject || got.Escalation.Body != esc.Body || !got.Escalation.At.Equal(esc.At) {
		t.Fatalf("read back %q, %+v, %+v; want %q, %+v, %+v", got.EventTypes, got.Wait, got.Escalation, typ, wait, esc)
	}
}
