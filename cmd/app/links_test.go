package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// An attempt sent to the app's own receiver and the request it recorded
// find each other, for vendors whose attempt body is stored inline and as
// its event's payload alike; a request from elsewhere has no attempt. The
// batch window is not what it tests: it runs 100 times faster.
func TestAttemptAndRequestFindEachOther(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.TimeScale = 100 // CodeScoring's batch window: 50 ms, not 5 s
	a, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(ctx)
	for _, vendor := range []struct{ name, event string }{{"policycortex", "policy.violation.created"}, {"holm", "ticket_opened"}, {"codescoring", "project_sca_analysis_finished"}} {
		ds, err := a.Sender.Raise(ctx, vendor.name, vendor.event, nil, "test")
		if err != nil || len(ds) == 0 {
			t.Fatalf("raising %s: %v (%d deliveries)", vendor.name, err, len(ds))
		}
		id := ds[0].ID
		var del *db.Delivery
		deadline := time.Now().Add(20 * time.Second)
		for {
			del, err = db.NewDeliveryStore().GetDelivery(ctx, a.DB.Reader(), id)
			if err == nil && len(del.Attempts) > 0 && del.Status == db.DeliverySucceeded {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s delivery %d not delivered: %+v %v", vendor.name, id, del, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		att := del.Attempts[len(del.Attempts)-1]
		rid, err := db.NewDeliveryStore().RequestOfAttempt(ctx, a.DB.Reader(), id, att.N)
		if err != nil {
			t.Fatalf("%s: the request of attempt %d: %v", vendor.name, att.N, err)
		}
		req, err := db.NewRequestStore().GetRequest(ctx, a.DB.Reader(), rid)
		if err != nil || string(req.Body) != string(att.Request.Body) || !strings.HasSuffix(att.Request.URL, req.Path) {
			t.Fatalf("%s: request %d is not the attempt's (%v): %q to %s vs %q to %s", vendor.name, rid, err, req.Body, req.Path, att.Request.Body, att.Request.URL)
		}
		gotDel, gotN, err := db.NewDeliveryStore().AttemptOfRequest(ctx, a.DB.Reader(), rid)
		if err != nil || gotDel != id || gotN != att.N {
			t.Fatalf("%s: request %d back to attempt: %d/%d, %v; want %d/%d", vendor.name, rid, gotDel, gotN, err, id, att.N)
		}
	}
	// The same body posted from outside, long after: no attempt sent it.
	resp, err := http.Post("http://"+a.ReceiverAddr()+"/hooks/elsewhere", "application/json", strings.NewReader(`{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var outside int64
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT max(id) FROM requests`).Scan(&outside); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.NewDeliveryStore().AttemptOfRequest(ctx, a.DB.Reader(), outside); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("a request from outside has an attempt: %v", err)
	}
	if _, err := db.NewDeliveryStore().RequestOfAttempt(ctx, a.DB.Reader(), 1<<40, 1); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("no such attempt: %v", err)
	}
}
